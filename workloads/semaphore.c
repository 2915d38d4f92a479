// SPDX-License-Identifier: MIT
// semaphore: a Semaphore letting one of n-1 waiting workers through at a
// time. Worker 0 hands the guarded resource out: each release() lets exactly
// one waiter's acquire() return; that waiter gives it back through a second
// Semaphore. Handoffs per second, and release-to-acquire latency.
#include "sync.h"
#include "workload.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* A wait that lasts this long means a peer has failed. */
#define STALL_NS (10 * PT_NSEC_PER_SEC)

static const struct pt_param_def params[] = {
	{ .name = "handoffs", .type = PT_PARAM_INT, .def = "20000", .quick = "200",
	  .help = "times worker 0 releases the semaphore to a waiting worker",
	  .min = 1, .max = 1000000000 },
	{ 0 },
};

struct sem_shared {
	struct pt_sem gate;	/* Semaphore(0): what the waiters queue on */
	struct pt_sem back;	/* Semaphore(0): "done with it", to worker 0 */
	_Alignas(PT_CACHELINE) _Atomic uint64_t release_ns;
	_Atomic uint32_t done;
};

static size_t sem_shared_size(const struct pt_ctx *ctx)
{
	(void)ctx;
	return sizeof(struct sem_shared);
}

static int sem_setup(struct pt_ctx *ctx)
{
	struct sem_shared *sh = ctx->shared;
	int ret = pt_sem_init(&sh->gate, 0, true);

	if (!ret) {
		ret = pt_sem_init(&sh->back, 0, true);
		if (ret)
			pt_sem_destroy(&sh->gate);
	}
	if (ret)
		snprintf(ctx->msg, sizeof(ctx->msg), "semaphore init: %s", strerror(-ret));
	return ret;
}

static int stalled(struct pt_worker *w, const char *what, int ret)
{
	snprintf(w->slot->msg, sizeof(w->slot->msg), "%s: %s: %s", w->name, what,
		 ret == -ETIMEDOUT ? "nothing for 10 s (a peer failed?)" : strerror(-ret));
	return ret;
}

/*
 * Worker 0, in Python terms:
 *     for _ in range(handoffs): t = now(); gate.release(); back.acquire()
 *     done = True; gate.release(n - 1)
 * The handoff latency is from just before gate.release() to the return of
 * the gate.acquire() that took the count, in whichever waiter the OS woke
 * (or one just arriving: like CPython, no FIFO promise). Only one count is
 * ever out, so each release lets exactly one waiter through.
 */
static int releaser_run(struct pt_worker *w, struct sem_shared *sh, uint64_t handoffs)
{
	uint64_t h;
	int ret = 0;

	for (h = 0; h < handoffs; h++) {
		atomic_store_explicit(&sh->release_ns, pt_now_ns(), memory_order_release);
		pt_sem_release(&sh->gate, 1);
		ret = pt_sem_acquire(&sh->back, true, STALL_NS);
		if (ret) {
			stalled(w, "waiting for the resource back", ret);
			break;
		}
		pt_tick(w);
	}
	w->slot->ops = h;
	/* One last count each: the waiters see done and leave. */
	atomic_store_explicit(&sh->done, 1, memory_order_release);
	pt_sem_release(&sh->gate, (unsigned)w->nworkers - 1);
	return ret;
}

/* Each waiter: `while True: gate.acquire(); if done: break; ...; back.release()` */
static int waiter_run(struct pt_worker *w, struct sem_shared *sh)
{
	uint64_t got = 0, now;
	int ret;

	for (;;) {
		ret = pt_sem_acquire(&sh->gate, true, STALL_NS);
		now = pt_now_ns();
		if (ret) {
			stalled(w, "waiting for the semaphore", ret);
			break;
		}
		if (atomic_load_explicit(&sh->done, memory_order_acquire))
			break;
		/* release_ns is rewritten only after back.release() below. */
		pt_hist_add(&w->slot->lat,
			    now - atomic_load_explicit(&sh->release_ns, memory_order_acquire));
		got++;
		pt_sem_release(&sh->back, 1);
		pt_tick(w);
	}
	w->slot->ops = got;
	return ret;
}

static int sem_run(struct pt_worker *w)
{
	struct pt_ctx *ctx = pt_ctx_of(w);

	if (w->id == 0)
		return releaser_run(w, ctx->shared, (uint64_t)pt_param_int(ctx->params, "handoffs"));
	return waiter_run(w, ctx->shared);
}

static int sem_finish(struct pt_ctx *ctx, const struct pt_team_stats *st)
{
	struct sem_shared *sh = ctx->shared;
	uint64_t handoffs = st->worker[0].ops;

	/* ops: handoffs (worker 0's releases, which the waiters' acquires must
	 * add up to); ops_min and ops_max still show how evenly the OS spread
	 * them over the waiters. */
	ctx->ops_override = true;
	ctx->ops = handoffs;
	if (st->ops - handoffs != handoffs || pt_sem_value(&sh->gate) || pt_sem_value(&sh->back)) {
		snprintf(ctx->msg, sizeof(ctx->msg),
			 "%llu releases but %llu acquires; counts left: gate %u, back %u",
			 (unsigned long long)handoffs, (unsigned long long)(st->ops - handoffs),
			 pt_sem_value(&sh->gate), pt_sem_value(&sh->back));
		return -EPROTO;
	}
	return 0;
}

static void sem_teardown(struct pt_ctx *ctx)
{
	struct sem_shared *sh = ctx->shared;

	if (!pt_team_intact(ctx->team))
		return;
	pt_sem_destroy(&sh->back);
	pt_sem_destroy(&sh->gate);
}

/* Measured with build/ptbench on the 2-core development machine (loaded), 2
 * workers: a handoff and its return 4-5 us (threads, procs), 8-13 us under
 * a GIL. */
static double sem_estimate(const struct pt_params *p, enum pt_model m, int n, int npus)
{
	double per = pt_model_has_gil(m) ? 13e-6 : 5e-6;

	(void)n;
	(void)npus;
	return (double)pt_param_int(p, "handoffs") * per;
}

const struct pt_workload pt_wl_semaphore = {
	.name = "semaphore",
	.kind = PT_KIND_SYNC,
	.summary = "worker 0 releases a Semaphore to one of n-1 waiters at a time; handoff latency",
	.params = params,
	.models = PT_MODELS_CONCURRENT,
	.min_workers = 2,
	.skip_why = "semaphore needs its waiters blocked while worker 0 releases",
	.size = "handoffs",
	.suite = { .workers = "2,4", .models = "threads,procs,gil" },
	.estimate_s = sem_estimate,
	.shared_size = sem_shared_size,
	.setup = sem_setup,
	.run = sem_run,
	.finish = sem_finish,
	.teardown = sem_teardown,
};
