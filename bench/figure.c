// SPDX-License-Identifier: MIT
// What one op of each workload is, the figure that carries its meaning,
// and the models' names in Python's terms, for the terminal.
#include "figure.h"

#include <string.h>

static const struct {
	const char *workload;
	struct pt_figure fig;
} figures[] = {
	{ "countdown", { PT_FIG_PER_OP, "op", "one decrement of the countdown (n -= 1)" } },
	{ "filewrite", { PT_FIG_PER_OP, "line", "one line written to a worker's file" } },
	{ "sockrecv", { PT_FIG_RATE, "msg", "one message received on a worker's socket" } },
	{ "sleep", { PT_FIG_PER_OP, "sleep", "one sleep of `ms` milliseconds" } },
	{ "spawn", { PT_FIG_PER_OP, "spawn",
		     "one worker created and joined (thread) or forked and waited (process)" } },
	{ "event", { PT_FIG_LATENCY, "trip", "one ping-pong round trip through two Events" } },
	{ "condition", { PT_FIG_LATENCY, "tick",
			 "one timer tick broadcast through a Condition to every waiter" } },
	{ "semaphore", { PT_FIG_LATENCY, "handoff",
			 "one Semaphore release that wakes one waiter" } },
	{ "barrier", { PT_FIG_LATENCY, "cycle", "one cycle of all parties through the Barrier" } },
	{ "queue", { PT_FIG_RATE, "item", "one item put by a producer and got by a consumer" } },
	{ "timer", { PT_FIG_LATENCY, "timer", "one Timer started (and fired or cancelled)" } },
	{ "convoy", { PT_FIG_RATE, "trip",
		      "one echo round trip of worker 0 (the CPU-bound workers' work is not "
		      "counted)" } },
	{ "pool", { PT_FIG_RATE, "task", "one task submitted to the pool and its result got" } },
};

static const struct pt_figure generic = { PT_FIG_RATE, "op", "one unit of the workload's work" };

const struct pt_figure *pt_figure_of(const struct pt_workload *wl)
{
	for (size_t i = 0; i < sizeof(figures) / sizeof(figures[0]); i++)
		if (strcmp(figures[i].workload, wl->name) == 0)
			return &figures[i].fig;
	return &generic;
}

/* Contract 1 of the briefing: the users' labels of the models. */
static const struct {
	const char *name, *shortname, *longname;
} labels[] = {
	{ "serial", "serial", "one after another, no concurrency (sequential Python)" },
	{ "threads", "free threads",
	  "free threads, no GIL (C; the bound for free-threaded CPython)" },
	{ "procs", "processes", "processes (multiprocessing, with its start method)" },
	{ "gil", "GIL threads", "threads under the GIL (standard CPython)" },
	{ "gil-old", "Py2 GIL threads", "the Python 2 GIL" },
	{ "ft", "free-threaded", "free-threaded CPython (3.13t/3.14t)" },
};

static int label_of(const char *name)
{
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i].name, name) == 0)
			return (int)i;
	return -1;
}

const char *pt_model_short(const char *name)
{
	int i = label_of(name);

	return i < 0 ? name : labels[i].shortname;
}

const char *pt_model_long(const char *name)
{
	int i = label_of(name);

	return i < 0 ? name : labels[i].longname;
}
