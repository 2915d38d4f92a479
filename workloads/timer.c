// SPDX-License-Identifier: MIT
// timer: threading.Timer. Each worker starts batches of Timers due after
// delay_us, cancels cancel_pct of them at once, and joins them all. The
// lateness of each that fires (start of its function - due instant) is the
// latency; a Timer cancelled in time whose function runs fails the point.
#include "timer.h"
#include "workload.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* A join that lasts this long past the delay means something is wrong. */
#define STALL_NS (10 * PT_NSEC_PER_SEC)

static const struct pt_param_def params[] = {
	{ .name = "timers", .type = PT_PARAM_INT, .def = "1000", .quick = "40",
	  .help = "Timers each worker starts", .min = 1, .max = 100000000 },
	{ .name = "delay_us", .type = PT_PARAM_INT, .def = "1000",
	  .help = "each Timer's delay, in microseconds", .min = 0, .max = 60000000 },
	{ .name = "cancel_pct", .type = PT_PARAM_INT, .def = "25",
	  .help = "percentage of the Timers cancelled right after they start", .min = 0,
	  .max = 100 },
	{ .name = "batch", .type = PT_PARAM_INT, .def = "10", .quick = "10",
	  .help = "Timers a worker has pending at once (started together, then joined)",
	  .min = 1, .max = 1000 },
	{ 0 },
};

/* Point-level metrics, and each worker's own counts at the same indexes of
 * its slot's metric[] (M_UNFIRED in the slot only). */
enum { M_CANCELLED, M_CANCELLED_FIRED, M_CANCEL_LATE, M_UNFIRED };
static const struct pt_metric_def metrics[] = {
	[M_CANCELLED] = { "cancelled", "Timers cancelled in time (cancel() said so), all workers" },
	[M_CANCELLED_FIRED] = { "cancelled_fired",
				"Timers cancelled in time whose function ran anyway: must be 0" },
	[M_CANCEL_LATE] = { "cancel_late", "cancel() calls that came too late: the function had "
					   "started" },
	{ 0 },
};

/* One Timer and what its function saw. */
struct tslot {
	struct pt_timer t;
	_Atomic uint32_t runs; /* times the function ran */
	bool live;	       /* initialised, not destroyed */
};

static int batch_of(const struct pt_ctx *ctx)
{
	return (int)pt_param_int(ctx->params, "batch");
}

static size_t tm_shared_size(const struct pt_ctx *ctx)
{
	return (size_t)ctx->nworkers * (size_t)batch_of(ctx) * sizeof(struct tslot);
}

static int tm_setup(struct pt_ctx *ctx)
{
	struct tslot *ts = ctx->shared;
	int n = ctx->nworkers * batch_of(ctx), i, ret = 0;

	for (i = 0; i < n; i++) {
		ret = pt_timer_init(&ts[i].t, true);
		if (ret)
			break;
		ts[i].live = true;
	}
	if (!ret)
		return 0;
	while (i--)
		pt_timer_destroy(&ts[i].t);
	snprintf(ctx->msg, sizeof(ctx->msg), "timer init: %s", strerror(-ret));
	return ret;
}

/* The Timer's function, in a helper thread of the process that started it. */
static void fired(void *arg)
{
	struct tslot *s = arg;

	atomic_fetch_add_explicit(&s->runs, 1, memory_order_relaxed);
}

/* Timer k (0-based, per worker) is cancelled when floor(k * pct / 100)
 * steps: exactly pct of every 100, spread evenly. */
static bool to_cancel(uint64_t k, uint64_t pct)
{
	return (k + 1) * pct / 100 != k * pct / 100;
}

/*
 * Each worker, in Python terms, batch by batch:
 *     ts = [Timer(delay, f) for _ in range(batch)]; for t in ts: t.start()
 *     for k, t in enumerate(ts): if to_cancel(k): t.cancel()
 *     for t in ts: t.join()
 * then checks each: cancelled in time -> its function never ran; otherwise
 * it ran once, and its lateness is fired_ns - due_ns. A one-shot Timer's
 * memory is initialised again for its next use.
 */
static int tm_run(struct pt_worker *w)
{
	struct pt_ctx *ctx = pt_ctx_of(w);
	int batch = batch_of(ctx);
	struct tslot *mine = (struct tslot *)ctx->shared + (size_t)w->id * (size_t)batch;
	uint64_t timers = (uint64_t)pt_param_int(ctx->params, "timers");
	uint64_t delay = (uint64_t)pt_param_int(ctx->params, "delay_us") * PT_NSEC_PER_USEC;
	uint64_t pct = (uint64_t)pt_param_int(ctx->params, "cancel_pct");
	double *m = w->slot->metric;
	bool cancelled[1000];
	uint64_t done = 0;
	int ret = 0, k, started = 0;

	while (done < timers) {
		int nb = timers - done < (uint64_t)batch ? (int)(timers - done) : batch;

		for (k = 0; k < nb; k++) {
			struct tslot *s = &mine[k];

			if (done) {
				pt_timer_destroy(&s->t);
				s->live = false;
				ret = pt_timer_init(&s->t, true);
				if (ret)
					break;
				s->live = true;
			}
			atomic_store_explicit(&s->runs, 0, memory_order_relaxed);
			ret = pt_timer_start(&s->t, delay, fired, s);
			if (ret)
				break;
		}
		started = k;
		if (ret) {
			snprintf(w->slot->msg, sizeof(w->slot->msg), "%s: timer %llu: %s", w->name,
				 (unsigned long long)(done + (uint64_t)k), strerror(-ret));
			nb = started;
		}
		for (k = 0; k < nb; k++) {
			cancelled[k] = false;
			if (!to_cancel(done + (uint64_t)k, pct))
				continue;
			if (pt_timer_cancel(&mine[k].t) == 0) {
				cancelled[k] = true;
				m[M_CANCELLED]++;
			} else {
				m[M_CANCEL_LATE]++;
			}
		}
		for (k = 0; k < nb; k++) {
			struct tslot *s = &mine[k];
			int r = pt_timer_join(&s->t, delay + STALL_NS);
			uint32_t runs;

			if (r) {
				/* Cancel it and wait it out, so that no helper thread
				 * outlives the worker. */
				pt_timer_cancel(&s->t);
				pt_timer_join(&s->t, PT_FOREVER);
				if (!ret) {
					snprintf(w->slot->msg, sizeof(w->slot->msg),
						 "%s: timer %llu: not done 10 s after its due time",
						 w->name, (unsigned long long)(done + (uint64_t)k));
					ret = r;
				}
			}
			runs = atomic_load_explicit(&s->runs, memory_order_relaxed);
			if (cancelled[k]) {
				if (runs || pt_timer_state(&s->t) != PT_TIMER_CANCELLED ||
				    pt_timer_fired_ns(&s->t))
					m[M_CANCELLED_FIRED]++;
			} else if (runs == 1 && pt_timer_fired_ns(&s->t)) {
				pt_hist_add(&w->slot->lat,
					    pt_timer_fired_ns(&s->t) - pt_timer_due_ns(&s->t));
			} else if (!r) {
				m[M_UNFIRED]++;
			}
		}
		done += (uint64_t)nb;
		if (ret)
			break;
		pt_tick(w);
	}
	w->slot->ops = done;
	return ret;
}

static int tm_finish(struct pt_ctx *ctx, const struct pt_team_stats *st)
{
	const double *sum = st->metric_sum;

	ctx->metric[M_CANCELLED] = sum[M_CANCELLED];
	ctx->metric[M_CANCELLED_FIRED] = sum[M_CANCELLED_FIRED];
	ctx->metric[M_CANCEL_LATE] = sum[M_CANCEL_LATE];
	if (sum[M_CANCELLED_FIRED] > 0 || sum[M_UNFIRED] > 0) {
		snprintf(ctx->msg, sizeof(ctx->msg),
			 "%.0f Timers cancelled in time ran their function; %.0f others never ran it",
			 sum[M_CANCELLED_FIRED], sum[M_UNFIRED]);
		return -EPROTO;
	}
	return 0;
}

static void tm_teardown(struct pt_ctx *ctx)
{
	struct tslot *ts = ctx->shared;
	int n = ctx->nworkers * batch_of(ctx);

	if (!pt_team_intact(ctx->team))
		return;
	/* Every Timer was joined by its worker: nothing is pending here. */
	for (int i = n; i--;)
		if (ts[i].live)
			pt_timer_destroy(&ts[i].t);
}

/* Measured with build/ptbench on the 2-core development machine: a batch
 * takes the delay plus 20-40 us a Timer (a helper thread's creation, its
 * wait, the join). Concurrent workers overlap; serial ones take turns. */
static double tm_estimate(const struct pt_params *p, enum pt_model m, int n, int npus)
{
	double timers = (double)pt_param_int(p, "timers"), batch = (double)pt_param_int(p, "batch");
	double delay = (double)pt_param_int(p, "delay_us") * 1e-6;
	double per_worker = timers / batch * delay + timers * 40e-6;

	(void)npus;
	return m == PT_MODEL_SERIAL ? per_worker * n : per_worker;
}

const struct pt_workload pt_wl_timer = {
	.name = "timer",
	.kind = PT_KIND_SYNC,
	.host = PT_HOST_NONE,
	.summary = "Timers due after delay_us, cancel_pct cancelled in time; lateness; "
		   "a cancelled one that fires fails",
	.params = params,
	.metrics = metrics,
	.models = PT_MODELS_ALL,
	.min_workers = 1,
	.size = "timers",
	.suite = { .workers = "1,2", .models = "serial,threads,procs,gil" },
	.estimate_s = tm_estimate,
	.shared_size = tm_shared_size,
	.setup = tm_setup,
	.run = tm_run,
	.finish = tm_finish,
	.teardown = tm_teardown,
};
