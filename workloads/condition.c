// SPDX-License-Identifier: MIT
// condition: the periodic timer of the source material (Python Cookbook
// recipe 12.2, PeriodicTimer: a thread that every interval takes a
// Condition, bumps a tick and notify_all()s) ticking for n waiting workers;
// each wake-up is timed from the tick's due instant. lib/timer.h's pt_ptimer.
#include "timer.h"
#include "workload.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const struct pt_param_def params[] = {
	{ .name = "interval_us", .type = PT_PARAM_INT, .def = "1000",
	  .help = "the periodic timer's interval, in microseconds", .min = 10, .max = 10000000 },
	{ .name = "ticks", .type = PT_PARAM_INT, .def = "200", .quick = "20",
	  .help = "ticks each waiter waits for (a fixed amount of time: ticks x interval_us)",
	  .min = 1, .max = 100000000 },
	{ 0 },
};

enum { M_SKIPPED, M_TIMER_MISSED };
static const struct pt_metric_def metrics[] = {
	[M_SKIPPED] = { "ticks_skipped",
			"ticks a waiter slept through (it woke to a newer one), all waiters together" },
	[M_TIMER_MISSED] = { "timer_missed",
			     "due instants the ticking thread itself was too late for" },
	{ 0 },
};

struct cond_shared {
	struct pt_ptimer timer;
	uint64_t missed0; /* timer's misses before the gate opened */
};

static size_t cond_shared_size(const struct pt_ctx *ctx)
{
	(void)ctx;
	return sizeof(struct cond_shared);
}

static uint64_t interval_ns(const struct pt_params *p)
{
	return (uint64_t)pt_param_int(p, "interval_us") * PT_NSEC_PER_USEC;
}

static int cond_setup(struct pt_ctx *ctx)
{
	struct cond_shared *sh = ctx->shared;
	int ret = pt_ptimer_init(&sh->timer, interval_ns(ctx->params), true);

	if (ret)
		snprintf(ctx->msg, sizeof(ctx->msg), "periodic timer: %s", strerror(-ret));
	return ret;
}

/* The ticking thread is the timer's own, in the point's process, as the
 * recipe's is its own daemon thread, and outside the model: under a GIL it
 * does not queue for the GIL (the waiters do), so a wake-up's latency is the
 * Condition's and the waiter's re-take of the GIL. Started with the workers
 * at the gate (no fork follows), it ticks before the clock starts; each
 * waiter waits for the ticks after its first look. */
static int cond_start(struct pt_ctx *ctx)
{
	struct cond_shared *sh = ctx->shared;
	int ret = pt_ptimer_start(&sh->timer);

	if (ret)
		snprintf(ctx->msg, sizeof(ctx->msg), "periodic timer start: %s", strerror(-ret));
	sh->missed0 = pt_ptimer_missed(&sh->timer);
	return ret;
}

/* Each waiter, in Python terms: `for _ in range(ticks): timer.wait_for_tick()`,
 * timing each return against the tick's due instant. A waiter that was slow
 * (machine busy, GIL) wakes to the latest tick only; the ticks it slept
 * through count towards its total and as skipped. Fixed work: ticks x
 * interval, whatever the model (serial waiters take turns). */
static int cond_run(struct pt_worker *w)
{
	struct pt_ctx *ctx = pt_ctx_of(w);
	struct cond_shared *sh = ctx->shared;
	uint64_t want = (uint64_t)pt_param_int(ctx->params, "ticks");
	uint64_t stall = 100 * interval_ns(ctx->params) + 10 * PT_NSEC_PER_SEC;
	uint64_t first = pt_ptimer_ticks(&sh->timer), seen = first, prev, due, wakes = 0;
	int ret = 0;

	while (seen - first < want) {
		prev = seen;
		ret = pt_ptimer_wait_tick(&sh->timer, &seen, &due, stall);
		if (ret) {
			snprintf(w->slot->msg, sizeof(w->slot->msg), "%s: waiting for tick %llu: %s",
				 w->name, (unsigned long long)(prev + 1), strerror(-ret));
			break;
		}
		pt_hist_add(&w->slot->lat, pt_now_ns() - due);
		w->slot->metric[M_SKIPPED] += (double)(seen - prev - 1);
		wakes++;
		pt_tick(w);
	}
	w->slot->ops = wakes;
	return ret;
}

static int cond_finish(struct pt_ctx *ctx, const struct pt_team_stats *st)
{
	struct cond_shared *sh = ctx->shared;
	ctx->metric[M_SKIPPED] = st->metric_sum[M_SKIPPED];
	ctx->metric[M_TIMER_MISSED] = (double)(pt_ptimer_missed(&sh->timer) - sh->missed0);
	return 0;
}

static void cond_teardown(struct pt_ctx *ctx)
{
	struct cond_shared *sh = ctx->shared;

	if (pt_team_intact(ctx->team))
		pt_ptimer_destroy(&sh->timer); /* stops and joins the ticking thread */
}

/* Each waiter waits ticks x interval; serial waiters one after another. */
static double cond_estimate(const struct pt_params *p, enum pt_model m, int n, int npus)
{
	double s = (double)pt_param_int(p, "ticks") * (double)interval_ns(p) / 1e9;

	(void)npus;
	return m == PT_MODEL_SERIAL ? s * n : s;
}

const struct pt_workload pt_wl_condition = {
	.name = "condition",
	.kind = PT_KIND_SYNC,
	.summary = "a periodic timer's tick broadcast through a Condition to n waiters; tick-to-wake",
	.params = params,
	.metrics = metrics,
	.models = PT_MODELS_ALL,
	.min_workers = 1,
	.size = "ticks",
	.suite = { .workers = "auto", .models = "serial,threads,procs,gil" },
	.estimate_s = cond_estimate,
	.shared_size = cond_shared_size,
	.setup = cond_setup,
	.start = cond_start,
	.run = cond_run,
	.finish = cond_finish,
	.teardown = cond_teardown,
};
