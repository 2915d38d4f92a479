/* SPDX-License-Identifier: MIT */
/* What the terminal says a point's figure is: per workload, what one op is
 * and which figure carries its meaning (time per op, a rate, or latency);
 * per model, its name in Python's terms (contract 1 of the briefing). */
#ifndef PT_FIGURE_H
#define PT_FIGURE_H

#include "workload.h"

/* How a workload's figure reads best. */
enum pt_fig {
	PT_FIG_PER_OP,	/* time per op: the cost of one op is the point */
	PT_FIG_RATE,	/* ops per second: throughput is the point */
	PT_FIG_LATENCY, /* time per op, with the latency p50/p99 beside it */
};

struct pt_figure {
	enum pt_fig kind;
	const char *unit; /* the op, short: "op", "msg", "line" */
	const char *op;	  /* what one op is, for `list` and --help */
};

/* The figure of @wl (a generic one for a workload not in the table). */
const struct pt_figure *pt_figure_of(const struct pt_workload *wl);

/* Model @name (serial, threads, procs, gil, gil-old, ft) in Python's terms:
 * short ("GIL threads") for table cells and closing lines, long ("threads
 * under the GIL (standard CPython)") for legends. @name itself for a model
 * this table does not know. */
const char *pt_model_short(const char *name);
const char *pt_model_long(const char *name);

#endif
