// SPDX-License-Identifier: MIT
// countdown: `while n > 0: n -= 1`, D. Beazley's CPU-bound loop ("Inside
// the Python GIL", 2009; "Understanding the Python GIL", PyCon 2010), with
// strong scaling (the count split among the workers) or weak scaling (each
// worker counts all of it).
#include "workload.h"

/* PT_TICK_ITERS (lib/work.h), as a string for the parameter's default. */
#define STR_(x) #x
#define STR(x) STR_(x)
#define TICK_ITERS STR(PT_TICK_ITERS)

static const struct pt_param_def params[] = {
	{ .name = "count", .type = PT_PARAM_INT, .def = "800000000", .quick = "2000000",
	  .help = "total iterations (about 0.3 s for one worker)",
	  .min = 1, .max = INT64_MAX / 2 },
	{ .name = "scaling", .type = PT_PARAM_ENUM, .def = "strong", .choices = "strong|weak",
	  .help = "strong: count split among workers; weak: each worker counts all" },
	{ .name = "tick", .type = PT_PARAM_INT, .def = TICK_ITERS,
	  .help = "iterations per tick (one bytecode-sized slice of work)",
	  .min = 1, .max = 1 << 30 },
	{ 0 },
};

enum { STRONG, WEAK };

static uint64_t share_of(const struct pt_worker *w, uint64_t count, int64_t scaling)
{
	uint64_t n = (uint64_t)w->nworkers;

	if (scaling == WEAK)
		return count;
	return count / n + ((uint64_t)w->id < count % n ? 1 : 0);
}

static int countdown_run(struct pt_worker *w)
{
	const struct pt_params *p = pt_ctx_of(w)->params;
	uint64_t left = share_of(w, (uint64_t)pt_param_int(p, "count"),
				 pt_param_int(p, "scaling"));

	pt_count_down_ticking(w, left, (uint64_t)pt_param_int(p, "tick"));
	w->slot->ops = left;
	return 0;
}

/* About 0.35 ns an iteration on the development machine (build/floors). */
#define EST_NS_PER_ITER 0.35

static double countdown_estimate(const struct pt_params *p, enum pt_model m, int n, int npus)
{
	double per = (double)pt_param_int(p, "count") * EST_NS_PER_ITER / 1e9;
	double total = pt_param_int(p, "scaling") == WEAK ? per * n : per;
	int par = n < npus ? n : npus;

	switch (m) {
	case PT_MODEL_THREADS:
	case PT_MODEL_PROCS:
	case PT_MODEL_FT:
		return total / (par > 0 ? par : 1);
	case PT_MODEL_GIL_OLD:
		/* The old GIL thrashes on a multicore machine (Beazley 2010:
		 * 2 threads about twice as slow as sequential). */
		return n > 1 ? 2 * total : total;
	default:
		return total;
	}
}

const struct pt_workload pt_wl_countdown = {
	.name = "countdown",
	.kind = PT_KIND_CPU,
	.host = PT_HOST_CPU,
	.summary = "while n > 0: n -= 1, split among workers (strong) or each the whole (weak)",
	.params = params,
	.models = PT_MODELS_ALL,
	.min_workers = 1,
	.size = "count",
	.suite = { .placements = true, .ft_shared = "0,0.5,1" },
	.estimate_s = countdown_estimate,
	.run = countdown_run,
};
