// SPDX-License-Identifier: MIT
// spawn: what creating a worker costs. Each worker has the core start and
// join a new worker in a loop (pt_task_start: a thread under the thread
// models, threading.Thread(target=f).start(); .join(); a process by the
// start method under procs, multiprocessing.Process); -p rss=SIZE grows the
// parent's touched memory first, which fork's page-table copy pays for and a
// thread's creation does not.
#include "pystart.h"
#include "start.h"
#include "workload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const struct pt_param_def params[] = {
	/* 100: the suite runs procs under three start methods, spawn's about
	 * 2 ms each on the development machine. */
	{ .name = "spawns", .type = PT_PARAM_INT, .def = "100", .quick = "20",
	  .help = "threads (or processes) started and joined per worker", .min = 1,
	  .max = 10000000 },
	{ .name = "rss", .type = PT_PARAM_SIZE, .def = "0", .quick = "0",
	  .help = "memory the parent touches before it spawns (e.g. 256M)",
	  .min = 0, .max = (int64_t)1 << 40 },
	{ .name = "pycost", .type = PT_PARAM_ENUM, .def = "on", .choices = "on|off",
	  .help = "on: each start also pays what CPython's Thread or Process (by start method) "
		  "costs beyond the C start (lib/pystart.c); off: bare C" },
	{ 0 },
};

static const struct pt_metric_def metrics[] = {
	{ "py_ticks", "modelled Python work per start, ticks (starter and new worker)" },
	{ "py_pages", "pages a started process wrote to take CPython's page faults" },
	{ 0 },
};
enum { M_PY_TICKS, M_PY_PAGES };

struct spawn_priv {
	void *mem;
	size_t len;
};

static bool pycost_on(const struct pt_ctx *ctx)
{
	return pt_param_int(ctx->params, "pycost") == 0;
}

/* The modelled work's counts, shared by every process of the point. */
static size_t spawn_shared_size(const struct pt_ctx *ctx)
{
	(void)ctx;
	return sizeof(struct pt_py_counts);
}

static int spawn_setup(struct pt_ctx *ctx)
{
	struct spawn_priv *p = calloc(1, sizeof(*p));
	size_t len = (size_t)pt_param_int(ctx->params, "rss");
	long page = sysconf(_SC_PAGESIZE);
	int ret;

	if (!p)
		return -ENOMEM;
	ctx->priv = p;
	/* A Python process: its interpreter's heap, and what a Thread or
	 * Process start costs it (forkserver's server is told here too). */
	ret = pt_start_python(ctx->team, pycost_on(ctx), ctx->shared);
	if (ret) {
		snprintf(ctx->msg, sizeof(ctx->msg), "pycost: %s", strerror(-ret));
		return ret;
	}
	if (!len)
		return 0;
	/* Private anonymous memory, every page touched: the resident size a
	 * fork must copy the page tables of (and then copy on write). */
	p->mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p->mem == MAP_FAILED) {
		int e = errno;

		p->mem = NULL;
		snprintf(ctx->msg, sizeof(ctx->msg), "cannot map rss=%zu bytes: %s", len, strerror(e));
		return -e;
	}
	p->len = len;
	for (size_t off = 0; off < len; off += (size_t)page)
		((volatile char *)p->mem)[off] = 1;
	return 0;
}

/* The new worker's target: empty, like threading.Thread(target=f) with a
 * function that returns at once. Under a GIL the core has it take the GIL
 * to run and give it back as it ends, as a Python thread's bootstrap does. */
static int empty_target(struct pt_worker *w)
{
	(void)w;
	return 0;
}

/* Thread(target).start(); join() (or Process): the core spawns under the
 * model; the join waits outside the GIL, so the new thread can take it. */
static int spawn_run(struct pt_worker *w)
{
	int64_t n = pt_param_int(pt_ctx_of(w)->params, "spawns");

	for (int64_t i = 0; i < n; i++) {
		uint64_t t0 = pt_now_ns();
		struct pt_task k;
		int ret = pt_task_start(w, &k, empty_target, NULL);
		const char *what = "start";

		if (!ret) {
			what = "join";
			ret = pt_task_join(w, &k);
		}
		if (ret) {
			snprintf(w->slot->msg, sizeof(w->slot->msg), "%s: %s of worker %lld failed: %s",
				 w->name, what, (long long)i + 1, strerror(-ret));
			w->slot->ops = (uint64_t)i;
			return ret;
		}
		pt_hist_add(&w->slot->lat, pt_now_ns() - t0);
	}
	w->slot->ops = (uint64_t)n;
	return 0;
}

/* What the Python model added per start (NAN when off). */
static int spawn_finish(struct pt_ctx *ctx, const struct pt_team_stats *st)
{
	struct pt_py_counts *c = ctx->shared;
	uint64_t starts = st->ops;

	if (!pycost_on(ctx) || !starts)
		return 0;
	ctx->metric[M_PY_TICKS] =
		(double)(atomic_load(&c->parent_ticks) + atomic_load(&c->child_ticks)) /
		(double)starts;
	ctx->metric[M_PY_PAGES] = (double)atomic_load(&c->child_pages) / (double)starts;
	return 0;
}

static void spawn_teardown(struct pt_ctx *ctx)
{
	struct spawn_priv *p = ctx->priv;

	/* The setting is this process's: a later point decides its own. */
	pt_py_set(false, NULL);
	if (!p)
		return;
	if (p->mem)
		munmap(p->mem, p->len);
	free(p);
	ctx->priv = NULL;
}

/* Rough costs on the development machine (build/floors): 25 us a thread
 * create+join, 150 us a fork+wait plus about 16 us per MiB touched; a
 * forkserver's request adds about 0.1 ms and spawn's exec about 2 ms: 0.7 ms
 * on average over the three start methods (the estimate does not know which
 * one a point uses). With pycost=on (lib/pystart.c): about 50 us a thread,
 * 2, 5 and 50 ms a process by fork, forkserver and spawn: 20 ms on average. */
static double spawn_estimate(const struct pt_params *p, enum pt_model m, int n, int npus)
{
	bool py = pt_param_int(p, "pycost") == 0;
	double each = m == PT_MODEL_PROCS
			      ? (py ? 20e-3 : 850e-6) +
					16e-6 * (double)pt_param_int(p, "rss") / (1 << 20)
			      : py ? 50e-6 : 25e-6;
	double per_worker = (double)pt_param_int(p, "spawns") * each;

	if (m == PT_MODEL_SERIAL)
		return per_worker * n;
	return per_worker * ((n + npus - 1) / (npus > 0 ? npus : 1));
}

const struct pt_workload pt_wl_spawn = {
	.name = "spawn",
	.kind = PT_KIND_COST,
	.summary = "create+join a thread (thread models) or start+join a process by its start "
		   "method (procs), in a loop",
	.params = params,
	.metrics = metrics,
	.models = PT_MODELS_ALL,
	.min_workers = 1,
	.size = "spawns",
	.suite = { .workers = "1", .sweep = "rss=0,256M", .starts = "fork,forkserver,spawn",
		   .models = "serial,threads,procs,gil" },
	.estimate_s = spawn_estimate,
	.shared_size = spawn_shared_size,
	.setup = spawn_setup,
	.run = spawn_run,
	.finish = spawn_finish,
	.teardown = spawn_teardown,
};
