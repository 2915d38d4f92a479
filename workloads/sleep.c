// SPDX-License-Identifier: MIT
// sleep: each worker sleeps ms milliseconds, the source material's five
// MyThreads sleeping 2 s that all end after 2 s, not 10: a sleeping thread
// holds no GIL, so sleeps overlap under every concurrent model.
#include "workload.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>

static const struct pt_param_def params[] = {
	{ .name = "ms", .type = PT_PARAM_INT, .def = "100", .quick = "20",
	  .help = "how long each worker sleeps, in milliseconds (an interrupted sleep resumes)",
	  .min = 0, .max = 3600 * 1000 },
	{ 0 },
};

enum { M_OVERSLEEP };

static const struct pt_metric_def metrics[] = {
	[M_OVERSLEEP] = { "oversleep_max_us",
			  "longest a worker slept past ms, taking the GIL back included (us)" },
	{ 0 },
};

/* Per-worker slot->metric[] index: the time the worker actually slept. */
enum { W_SLEPT_NS };

static int sleep_run(struct pt_worker *w)
{
	uint64_t want = (uint64_t)pt_param_int(pt_ctx_of(w)->params, "ms") * PT_NSEC_PER_MSEC;
	uint64_t t0 = pt_now_ns();

	/* time.sleep() releases the GIL for the whole sleep; pt_sleep_ns
	 * resumes after a signal for the time left (absolute deadline). */
	pt_block_begin(w);
	pt_sleep_ns(want);
	pt_block_end(w);
	w->slot->metric[W_SLEPT_NS] = (double)(pt_now_ns() - t0);
	w->slot->ops = 1;
	return 0;
}

static int sleep_finish(struct pt_ctx *ctx, const struct pt_team_stats *st)
{
	double want = (double)pt_param_int(ctx->params, "ms") * (double)PT_NSEC_PER_MSEC;
	double over = 0;

	for (int i = 0; i < ctx->nworkers; i++) {
		double slept = st->worker[i].metric[W_SLEPT_NS];

		/* A sleep cut short by a signal would end early: never allowed. */
		if (slept < want) {
			snprintf(ctx->msg, sizeof(ctx->msg),
				 "%s slept %.3f ms, less than ms=%.0f", st->worker[i].name,
				 slept / 1e6, want / 1e6);
			return -EINVAL;
		}
		over = fmax(over, slept - want);
	}
	ctx->metric[M_OVERSLEEP] = over / 1e3;
	return 0;
}

static double sleep_estimate(const struct pt_params *p, enum pt_model m, int n, int npus)
{
	double s = (double)pt_param_int(p, "ms") / 1e3;

	(void)npus;
	return m == PT_MODEL_SERIAL ? n * s : s;
}

const struct pt_workload pt_wl_sleep = {
	.name = "sleep",
	.kind = PT_KIND_IO,
	.host = PT_HOST_NONE,
	.summary = "each worker sleeps ms: serial takes N x ms, concurrent models about ms",
	.params = params,
	.metrics = metrics,
	.models = PT_MODELS_ALL,
	.min_workers = 1,
	/* The measurement of the issue: 4 workers x 200 ms. */
	.suite = { .workers = "1,4", .models = "serial,threads,procs,gil" },
	.estimate_s = sleep_estimate,
	.run = sleep_run,
	.finish = sleep_finish,
};
