// SPDX-License-Identifier: MIT
// event: threading.Event round trips. pattern=pingpong passes a token round a
// ring of Events (two workers: the ping-pong through two Events); pattern=
// wakeall has worker 0 set one Event that every other worker waits on, and
// times each waiter's wake-up from the set. The Events live in the arena.
#include "sync.h"
#include "workload.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A wait that lasts this long means a peer has failed: the worker gives up
 * with a message instead of hanging until the driver's timeout. */
#define STALL_NS (10 * PT_NSEC_PER_SEC)

enum { P_PINGPONG, P_WAKEALL };

static const struct pt_param_def params[] = {
	/* Not "mode": that column is the fault workload's, with another meaning. */
	{ .name = "pattern", .type = PT_PARAM_ENUM, .def = "pingpong", .choices = "pingpong|wakeall",
	  .help = "pingpong: a token round a ring of Events; wakeall: worker 0 sets one Event "
		  "the others wait on" },
	{ .name = "rounds", .type = PT_PARAM_INT, .def = "10000", .quick = "200",
	  .help = "round trips of the token (pingpong) or sets of the Event (wakeall)",
	  .min = 1, .max = 1000000000 },
	{ 0 },
};

enum { M_WAKEALL_P50 };
static const struct pt_metric_def metrics[] = {
	[M_WAKEALL_P50] = { "wakeall_p50_us",
			    "wakeall: median time from a set() until the last waiter woke (us)" },
	{ 0 },
};

struct ev_shared {
	struct pt_barrier rearm;  /* wakeall: every worker, between rounds */
	struct pt_event go;	  /* wakeall: what worker 0 sets */
	_Alignas(PT_CACHELINE) _Atomic uint64_t set_ns; /* wakeall: when go was set */
	_Atomic uint64_t last_wake_ns; /* wakeall: the latest wake-up of the round */
	_Atomic uint32_t done;	  /* wakeall: the set that ends the run */
	struct pt_event ring[];	  /* pingpong: one per worker */
};

static uint64_t rounds_of(const struct pt_params *p)
{
	return (uint64_t)pt_param_int(p, "rounds");
}

static int nring(const struct pt_ctx *ctx)
{
	return pt_param_int(ctx->params, "pattern") == P_PINGPONG ? ctx->nworkers : 0;
}

static size_t ev_shared_size(const struct pt_ctx *ctx)
{
	return sizeof(struct ev_shared) + (size_t)nring(ctx) * sizeof(struct pt_event);
}

/* The barrier's action, run by the last waiter to arrive before any is
 * released: no waiter can loop back to wait() and find go still set. */
static int rearm(void *arg)
{
	pt_event_clear(arg);
	return 0;
}

static int ev_setup(struct pt_ctx *ctx)
{
	struct ev_shared *sh = ctx->shared;
	int n = nring(ctx), i, ret;

	ret = pt_event_init(&sh->go, true);
	if (ret)
		goto err;
	ret = pt_barrier_init(&sh->rearm, (unsigned)ctx->nworkers, rearm, &sh->go, PT_FOREVER, true);
	if (ret)
		goto err_go;
	for (i = 0; i < n; i++) {
		ret = pt_event_init(&sh->ring[i], true);
		if (ret)
			goto err_ring;
	}
	return 0;
err_ring:
	while (i--)
		pt_event_destroy(&sh->ring[i]);
	pt_barrier_destroy(&sh->rearm);
err_go:
	pt_event_destroy(&sh->go);
err:
	snprintf(ctx->msg, sizeof(ctx->msg), "event init: %s", strerror(-ret));
	return ret;
}

static int stalled(struct pt_worker *w, const char *what, int ret)
{
	snprintf(w->slot->msg, sizeof(w->slot->msg), "%s: %s: %s", w->name, what,
		 ret == -ETIMEDOUT	   ? "nothing for 10 s (a peer failed?)" :
		 ret == PT_BARRIER_BROKEN ? "the barrier broke (a peer failed?)" :
					    strerror(-ret));
	return ret;
}

/*
 * The token ring, in Python terms, worker i of n with ev = n Events:
 *     ev[i].wait(); ev[i].clear(); ev[(i + 1) % n].set()
 * worker 0 sets ev[1] first and times the token's way back to ev[0]. A
 * worker clears its own Event before it passes the token on, and its Event
 * is set again only after the token went round, so no set() is ever lost
 * to a clear(). With n = 2: ping (ev[1]) and pong (ev[0]).
 */
static int ring_run(struct pt_worker *w, struct ev_shared *sh, uint64_t rounds)
{
	struct pt_event *mine = &sh->ring[w->id], *next = &sh->ring[(w->id + 1) % w->nworkers];
	uint64_t r, t0 = 0;
	int ret;

	for (r = 0; r < rounds; r++) {
		if (w->id == 0) {
			t0 = pt_now_ns();
			pt_event_set(next);
		}
		ret = pt_event_wait(mine, STALL_NS);
		if (ret) {
			w->slot->ops = r;
			return stalled(w, "waiting for the token", ret);
		}
		pt_event_clear(mine);
		if (w->id == 0)
			pt_hist_add(&w->slot->lat, pt_now_ns() - t0);
		else
			pt_event_set(next);
		pt_tick(w);
	}
	w->slot->ops = rounds;
	return 0;
}

/* Lock-free max: the latest wake-up of a round. */
static void store_max(_Atomic uint64_t *v, uint64_t x)
{
	uint64_t cur = atomic_load_explicit(v, memory_order_relaxed);

	while (cur < x && !atomic_compare_exchange_weak_explicit(v, &cur, x, memory_order_relaxed,
								 memory_order_relaxed))
		;
}

/*
 * Wake-all, one round:
 *  worker 0: waits until the n-1 others are blocked in go.wait() (it polls
 *    the Event's waiter count, yielding outside the GIL), stamps set_ns,
 *    go.set(), then rearm.wait();
 *  waiters: go.wait(), stamp the wake-up (latency: wake - set_ns), then
 *    rearm.wait().
 * The Barrier's action clears go once all n have arrived and before any
 * leaves, so a waiter that loops back blocks in go.wait() again. To end,
 * worker 0 raises done and sets go for good.
 */
static int setter_run(struct pt_worker *w, struct ev_shared *sh, uint64_t rounds)
{
	unsigned waiters = (unsigned)w->nworkers - 1;
	struct pt_hist *all = malloc(sizeof(*all));
	uint64_t r, t;
	int ret = 0;

	if (!all)
		return -ENOMEM;
	pt_hist_reset(all);
	for (r = 0; r < rounds; r++) {
		uint64_t since = pt_now_ns();

		while (pt_event_waiters(&sh->go) < waiters) {
			if (pt_now_ns() - since > STALL_NS) {
				ret = stalled(w, "waiting for the waiters", -ETIMEDOUT);
				goto out;
			}
			pt_block_begin(w);
			sched_yield();
			pt_block_end(w);
		}
		atomic_store_explicit(&sh->last_wake_ns, 0, memory_order_relaxed);
		t = pt_now_ns();
		atomic_store_explicit(&sh->set_ns, t, memory_order_release);
		pt_event_set(&sh->go);
		ret = pt_barrier_wait(&sh->rearm, STALL_NS);
		if (ret < 0) {
			ret = stalled(w, "at the barrier", ret);
			goto out;
		}
		/* Every waiter stamped its wake-up before it reached the barrier. */
		pt_hist_add(all, atomic_load_explicit(&sh->last_wake_ns, memory_order_relaxed) - t);
		pt_tick(w);
	}
	ret = 0;
	w->slot->metric[M_WAKEALL_P50] = pt_hist_percentile(all, 50);
out:
	w->slot->ops = r;
	atomic_store_explicit(&sh->done, 1, memory_order_release);
	pt_event_set(&sh->go);
	free(all);
	return ret;
}

static int waiter_run(struct pt_worker *w, struct ev_shared *sh)
{
	uint64_t wakes = 0, now;
	int ret = 0;

	for (;;) {
		ret = pt_event_wait(&sh->go, STALL_NS);
		now = pt_now_ns();
		if (ret) {
			stalled(w, "waiting for the set", ret);
			break;
		}
		if (atomic_load_explicit(&sh->done, memory_order_acquire))
			break;
		pt_hist_add(&w->slot->lat,
			    now - atomic_load_explicit(&sh->set_ns, memory_order_acquire));
		store_max(&sh->last_wake_ns, now);
		wakes++;
		ret = pt_barrier_wait(&sh->rearm, STALL_NS);
		if (ret < 0) {
			stalled(w, "at the barrier", ret);
			break;
		}
		ret = 0;
		pt_tick(w);
	}
	w->slot->ops = wakes;
	return ret;
}

static int ev_run(struct pt_worker *w)
{
	struct pt_ctx *ctx = pt_ctx_of(w);
	struct ev_shared *sh = ctx->shared;
	uint64_t rounds = rounds_of(ctx->params);

	if (pt_param_int(ctx->params, "pattern") == P_PINGPONG)
		return ring_run(w, sh, rounds);
	return w->id == 0 ? setter_run(w, sh, rounds) : waiter_run(w, sh);
}

static int ev_finish(struct pt_ctx *ctx, const struct pt_team_stats *st)
{
	const struct pt_slot *s = ctx->team->slots;
	uint64_t rounds = rounds_of(ctx->params);

	ctx->ops_override = true;
	if (pt_param_int(ctx->params, "pattern") == P_PINGPONG) {
		ctx->ops = s[0].ops; /* round trips */
	} else {
		ctx->ops = st->ops - s[0].ops; /* wake-ups */
		ctx->metric[M_WAKEALL_P50] = s[0].metric[M_WAKEALL_P50] / 1e3;
		if (ctx->ops != rounds * (uint64_t)(ctx->nworkers - 1)) {
			snprintf(ctx->msg, sizeof(ctx->msg), "%llu wake-ups, want %llu x %d",
				 (unsigned long long)ctx->ops, (unsigned long long)rounds,
				 ctx->nworkers - 1);
			return -EPROTO;
		}
	}
	return 0;
}

static void ev_teardown(struct pt_ctx *ctx)
{
	struct ev_shared *sh = ctx->shared;

	if (!pt_team_intact(ctx->team))
		return;
	for (int i = nring(ctx); i--;)
		pt_event_destroy(&sh->ring[i]);
	pt_barrier_destroy(&sh->rearm);
	pt_event_destroy(&sh->go);
}

/* Measured with build/ptbench on the 2-core development machine (loaded):
 * a ping-pong round trip 5-7 us (threads, procs, gil-old), 12 us (gil), a
 * ring of 4 13-15 us; a wake-all round 9-11 us with one waiter, 23-26 us
 * with three. A ring of n passes the token n times a round; a wake-all
 * round wakes n-1 waiters. */
static double ev_estimate(const struct pt_params *p, enum pt_model m, int n, int npus)
{
	double per = pt_param_int(p, "pattern") == P_PINGPONG ? 3e-6 * n : 9e-6 * (n - 1);

	(void)npus;
	if (pt_model_has_gil(m))
		per *= 1.5;
	return (double)rounds_of(p) * per;
}

const struct pt_workload pt_wl_event = {
	.name = "event",
	.kind = PT_KIND_SYNC,
	.summary = "Event round trips: a token round a ring (2: ping-pong), or one set waking n-1",
	.params = params,
	.metrics = metrics,
	.models = PT_MODELS_CONCURRENT,
	.min_workers = 2,
	.skip_why = "event needs its workers waiting on each other at once",
	.size = "rounds",
	.suite = { .workers = "2,4", .sweep = "pattern=pingpong,wakeall", .ft_shared = "0",
		   .models = "threads,procs,gil,ft" },
	.estimate_s = ev_estimate,
	.shared_size = ev_shared_size,
	.setup = ev_setup,
	.run = ev_run,
	.finish = ev_finish,
	.teardown = ev_teardown,
};
