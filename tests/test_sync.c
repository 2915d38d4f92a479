// SPDX-License-Identifier: MIT
// Event, Condition, Semaphore, Barrier: Python's semantics call by call,
// invariants under contention between threads and fork()ed processes
// (pshared, MAP_SHARED), and waits under a GIL that let other workers run.
#include "clock.h"
#include "model.h"
#include "sync.h"

#include "crew.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* In-test watchdog for waits that must end: far above what any run needs,
 * below the Criterion timeout so that a lost wake-up fails with a message.
 * Never a performance threshold. */
#define WATCHDOG_NS (20 * PT_NSEC_PER_SEC)
#define TEST_TIMEOUT 90
#define SHORT_NS (50 * PT_NSEC_PER_MSEC)

/* ------------------------------------------------------------------ */
/* Helpers (shared memory and crews are in crew.h) */

/* Polls @fn until it returns true, at most the watchdog. */
static bool eventually(bool (*fn)(void *), void *arg)
{
	uint64_t end = pt_now_ns() + WATCHDOG_NS;

	while (!fn(arg)) {
		if (pt_now_ns() > end)
			return false;
		usleep(1000);
	}
	return true;
}

static pid_t my_tid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static void max_update(_Atomic int *max, int v)
{
	int cur = atomic_load(max);

	while (v > cur && !atomic_compare_exchange_weak(max, &cur, v))
		;
}

/* ------------------------------------------------------------------ */
/* GIL harness: worker 0 blocks in a wait on a primitive; the other workers
 * (CPU-bound, ticking) must keep running meanwhile and, once all their
 * progress is made, release worker 0. If a wait held the GIL, the others
 * could not run and worker 0's watchdog would fail the test. */

struct gil_ctx;
struct gil_case {
	int (*wait)(struct gil_ctx *g); /* worker 0: returns 0 once released */
	void (*release)(struct gil_ctx *g);
};

struct gil_ctx {
	const struct gil_case *gc;
	struct gil_probe probe;
	struct pt_event ev;
	struct pt_cond cond;
	int flag; /* under cond's lock */
	_Atomic int lock_held;
	struct pt_sem sem;
	struct pt_barrier bar;
	_Atomic int action_runs;
};

static int release_case(void *arg)
{
	struct gil_ctx *g = arg;

	g->gc->release(g);
	return 0;
}

static int gil_body(struct pt_worker *w)
{
	struct gil_ctx *g = w->arg;
	int ret;

	if (w->id == 0) {
		atomic_store(&g->probe.waiting, 1);
		ret = g->gc->wait(g);
		if (ret) {
			snprintf(w->slot->msg, sizeof(w->slot->msg),
				 "waiter: %s (progress %llu of %llu)", strerror(-ret),
				 (unsigned long long)atomic_load(&g->probe.progress),
				 (unsigned long long)GIL_TICKS * (GIL_WORKERS - 1));
			return ret;
		}
		/* Released only after every other worker finished its work:
		 * they all ran while this one was blocked. */
		if (!gil_probe_complete(&g->probe)) {
			snprintf(w->slot->msg, sizeof(w->slot->msg), "woken before the others finished");
			return -EPROTO;
		}
		return 0;
	}
	return gil_probe_tick(w, &g->probe, release_case, g);
}

static void run_gil_case(const struct gil_case *gc, void (*setup)(struct gil_ctx *),
			 void (*teardown)(struct gil_ctx *))
{
	for (enum pt_model m = PT_MODEL_GIL; m <= PT_MODEL_GIL_OLD; m++) {
		struct gil_ctx *g = calloc(1, sizeof(*g));
		struct pt_team_stats *st = malloc(sizeof(*st));
		struct pt_team_config cfg = {
			.model = m, .nworkers = GIL_WORKERS, .body = gil_body, .arg = g,
			.gil = { .switch_interval_us = 500 },
		};
		struct pt_team t;

		cr_assert(g && st);
		g->gc = gc;
		setup(g);
		cr_assert_eq(pt_team_init(&t, &cfg), 0);
		cr_assert_eq(pt_team_spawn(&t), 0);
		pt_team_go(&t);
		cr_assert_eq(pt_team_join(&t, 2 * WATCHDOG_NS), 0, "%s: team did not finish",
			     pt_model_name(m));
		cr_assert_eq(pt_team_collect(&t, st), 0, "%s: %s", pt_model_name(m),
			     st->first_msg ? st->first_msg : "a worker failed");
		cr_assert_eq(atomic_load(&g->probe.progress), (uint64_t)GIL_TICKS * (GIL_WORKERS - 1));
		pt_team_destroy(&t);
		teardown(g);
		free(st);
		free(g);
	}
}

/* ------------------------------------------------------------------ */
/* Event */

Test(event, set_clear_is_set, .timeout = TEST_TIMEOUT)
{
	struct pt_event e;

	cr_assert_eq(pt_event_init(&e, false), 0);
	cr_assert_not(pt_event_is_set(&e));
	cr_assert_eq(pt_event_wait(&e, 0), -ETIMEDOUT);
	pt_event_set(&e);
	cr_assert(pt_event_is_set(&e));
	/* A set event returns at once, however long the timeout. */
	cr_assert_eq(pt_event_wait(&e, 0), 0);
	cr_assert_eq(pt_event_wait(&e, PT_FOREVER), 0);
	pt_event_set(&e);
	cr_assert(pt_event_is_set(&e));
	pt_event_clear(&e);
	cr_assert_not(pt_event_is_set(&e));
	cr_assert_eq(pt_event_wait(&e, 0), -ETIMEDOUT);
	pt_event_destroy(&e);
}

Test(event, wait_times_out, .timeout = TEST_TIMEOUT)
{
	struct pt_event e;
	uint64_t t0, el;

	cr_assert_eq(pt_event_init(&e, false), 0);
	t0 = pt_now_ns();
	cr_assert_eq(pt_event_wait(&e, SHORT_NS), -ETIMEDOUT);
	el = pt_now_ns() - t0;
	cr_assert_geq(el, SHORT_NS, "timed out after %llu ns", (unsigned long long)el);
	pt_event_destroy(&e);
}

struct ev_waiters {
	struct pt_event e;
	_Atomic int ok;
};

static void *ev_waiter(void *arg)
{
	struct ev_waiters *w = arg;

	if (pt_event_wait(&w->e, WATCHDOG_NS) == 0)
		atomic_fetch_add(&w->ok, 1);
	return NULL;
}

static bool ev_all_waiting(void *arg)
{
	return pt_event_waiters(&((struct ev_waiters *)arg)->e) == 4;
}

/* set() wakes every waiter, even when clear() follows at once: Python's
 * wait() returns True once the event was set while it waited. */
Test(event, set_wakes_all_even_if_cleared, .timeout = TEST_TIMEOUT)
{
	struct ev_waiters w = { .ok = 0 };
	pthread_t th[4];

	cr_assert_eq(pt_event_init(&w.e, false), 0);
	for (int i = 0; i < 4; i++)
		spawn(&th[i], ev_waiter, &w);
	cr_assert(eventually(ev_all_waiting, &w));
	pt_event_set(&w.e);
	pt_event_clear(&w.e);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	cr_assert_eq(atomic_load(&w.ok), 4);
	cr_assert_not(pt_event_is_set(&w.e));
	pt_event_destroy(&w.e);
}

/* Ping-pong through two Events: the turns strictly alternate. */
#define PP_ROUNDS 2000

struct pingpong {
	struct pt_event ping, pong;
	_Atomic long turn;
};

static int pp_party(void *arg, int i)
{
	struct pingpong *p = arg;
	int ret;

	for (long r = 0; r < PP_ROUNDS; r++) {
		if (i == 0) {
			if (atomic_fetch_add(&p->turn, 1) != 2 * r)
				return -EPROTO;
			pt_event_set(&p->ping);
			if ((ret = pt_event_wait(&p->pong, WATCHDOG_NS)))
				return ret;
			pt_event_clear(&p->pong);
		} else {
			if ((ret = pt_event_wait(&p->ping, WATCHDOG_NS)))
				return ret;
			pt_event_clear(&p->ping);
			if (atomic_fetch_add(&p->turn, 1) != 2 * r + 1)
				return -EPROTO;
			pt_event_set(&p->pong);
		}
	}
	return 0;
}

static void pingpong(enum mode mode)
{
	struct pingpong *p = shared_map(sizeof(*p));
	struct crew c;

	cr_assert_eq(pt_event_init(&p->ping, mode == PROCS), 0);
	cr_assert_eq(pt_event_init(&p->pong, mode == PROCS), 0);
	crew_start(&c, mode, 2, pp_party, p);
	cr_assert_eq(crew_join(&c), 0);
	cr_assert_eq(atomic_load(&p->turn), 2 * PP_ROUNDS);
	pt_event_destroy(&p->ping);
	pt_event_destroy(&p->pong);
	shared_unmap(p, sizeof(*p));
}

Test(event, pingpong_threads, .timeout = TEST_TIMEOUT) { pingpong(THREADS); }
Test(event, pingpong_procs, .timeout = TEST_TIMEOUT) { pingpong(PROCS); }

/* Wake-all across processes. */
struct ev_fan {
	struct pt_event e;
};

static int ev_fan_party(void *arg, int i)
{
	(void)i;
	return pt_event_wait(&((struct ev_fan *)arg)->e, WATCHDOG_NS);
}

static bool ev_fan_waiting(void *arg)
{
	return pt_event_waiters(&((struct ev_fan *)arg)->e) == 5;
}

Test(event, set_wakes_all_procs, .timeout = TEST_TIMEOUT)
{
	struct ev_fan *f = shared_map(sizeof(*f));
	struct crew c;

	cr_assert_eq(pt_event_init(&f->e, true), 0);
	crew_start(&c, PROCS, 5, ev_fan_party, f);
	cr_assert(eventually(ev_fan_waiting, f));
	pt_event_set(&f->e);
	cr_assert_eq(crew_join(&c), 0);
	pt_event_destroy(&f->e);
	shared_unmap(f, sizeof(*f));
}

static int gil_event_wait(struct gil_ctx *g)
{
	/* Timed waits in a loop: each one is a blocking section too. */
	uint64_t end = pt_now_ns() + WATCHDOG_NS;
	int ret;

	while ((ret = pt_event_wait(&g->ev, 2 * PT_NSEC_PER_MSEC)) == -ETIMEDOUT &&
	       pt_now_ns() < end)
		;
	return ret;
}

static void gil_event_release(struct gil_ctx *g) { pt_event_set(&g->ev); }
static void gil_event_setup(struct gil_ctx *g) { cr_assert_eq(pt_event_init(&g->ev, false), 0); }
static void gil_event_teardown(struct gil_ctx *g) { pt_event_destroy(&g->ev); }

Test(event, gil_wait_lets_others_run, .timeout = TEST_TIMEOUT)
{
	static const struct gil_case gc = { gil_event_wait, gil_event_release };

	run_gil_case(&gc, gil_event_setup, gil_event_teardown);
}

/* ------------------------------------------------------------------ */
/* Condition */

struct lock_probe {
	struct pt_cond *c;
	int nb, timed, notify, release, wait;
	uint64_t elapsed;
};

static void *lock_probe(void *arg)
{
	struct lock_probe *p = arg;
	uint64_t t0;

	p->nb = pt_cond_acquire(p->c, false, PT_FOREVER);
	t0 = pt_now_ns();
	p->timed = pt_cond_acquire(p->c, true, SHORT_NS);
	p->elapsed = pt_now_ns() - t0;
	p->notify = pt_cond_notify(p->c, 1);
	p->release = pt_cond_release(p->c);
	p->wait = pt_cond_wait(p->c, SHORT_NS);
	return NULL;
}

Test(condition, rlock_semantics, .timeout = TEST_TIMEOUT)
{
	struct pt_cond c;
	struct lock_probe p = { .c = &c };
	pthread_t th;

	cr_assert_eq(pt_cond_init(&c, false), 0);
	/* Not held: notify, wait and release are RuntimeErrors. */
	cr_assert_eq(pt_cond_notify(&c, 1), -EPERM);
	cr_assert_eq(pt_cond_notify_all(&c), -EPERM);
	cr_assert_eq(pt_cond_wait(&c, 0), -EPERM);
	cr_assert_eq(pt_cond_release(&c), -EPERM);
	cr_assert_eq(pt_cond_acquire(&c, false, SHORT_NS), -EINVAL);
	/* Re-entrant. */
	cr_assert_eq(pt_cond_acquire(&c, true, PT_FOREVER), 0);
	cr_assert_eq(pt_cond_acquire(&c, false, PT_FOREVER), 0);
	cr_assert(pt_cond_is_owned(&c));
	cr_assert_eq(pt_cond_notify(&c, 1), 0); /* nobody waits: a no-op */
	/* Another thread sees it taken and owns nothing. */
	spawn(&th, lock_probe, &p);
	pthread_join(th, NULL);
	cr_assert_eq(p.nb, -EAGAIN);
	cr_assert_eq(p.timed, -ETIMEDOUT);
	cr_assert_geq(p.elapsed, SHORT_NS);
	cr_assert_eq(p.notify, -EPERM);
	cr_assert_eq(p.release, -EPERM);
	cr_assert_eq(p.wait, -EPERM);
	/* wait() releases every level and restores them. */
	cr_assert_eq(pt_cond_wait(&c, PT_NSEC_PER_MSEC), -ETIMEDOUT);
	cr_assert(pt_cond_is_owned(&c));
	cr_assert_eq(pt_cond_release(&c), 0);
	cr_assert(pt_cond_is_owned(&c));
	cr_assert_eq(pt_cond_release(&c), 0);
	cr_assert_not(pt_cond_is_owned(&c));
	cr_assert_eq(pt_cond_release(&c), -EPERM);
	/* Free again: another thread takes it. */
	p = (struct lock_probe){ .c = &c };
	spawn(&th, lock_probe, &p);
	pthread_join(th, NULL);
	cr_assert_eq(p.nb, 0);
	cr_assert_eq(p.timed, 0); /* re-entrant */
	cr_assert_eq(p.notify, 0);
	cr_assert_eq(p.release, 0);
	cr_assert_eq(p.wait, -ETIMEDOUT); /* still held once */
	pt_cond_destroy(&c);
}

static int false_pred(void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static int true_pred(void *arg)
{
	(*(int *)arg)++;
	return 1;
}

Test(condition, wait_and_wait_for_time_out, .timeout = TEST_TIMEOUT)
{
	struct pt_cond c;
	uint64_t t0, el;
	int calls = 0;

	cr_assert_eq(pt_cond_init(&c, false), 0);
	cr_assert_eq(pt_cond_acquire(&c, true, PT_FOREVER), 0);
	cr_assert_eq(pt_cond_wait(&c, 0), -ETIMEDOUT);
	t0 = pt_now_ns();
	cr_assert_eq(pt_cond_wait(&c, SHORT_NS), -ETIMEDOUT);
	el = pt_now_ns() - t0;
	cr_assert_geq(el, SHORT_NS, "timed out after %llu ns", (unsigned long long)el);
	cr_assert(pt_cond_is_owned(&c));

	t0 = pt_now_ns();
	cr_assert_eq(pt_cond_wait_for(&c, false_pred, &calls, SHORT_NS), -ETIMEDOUT);
	cr_assert_geq(pt_now_ns() - t0, SHORT_NS);
	cr_assert_geq(calls, 2); /* before the wait and after it */
	calls = 0;
	cr_assert_eq(pt_cond_wait_for(&c, true_pred, &calls, PT_FOREVER), 0);
	cr_assert_eq(calls, 1);
	cr_assert_eq(pt_cond_wait_for(&c, false_pred, &calls, 0), -ETIMEDOUT);
	cr_assert_eq(pt_cond_release(&c), 0);
	cr_assert_eq(pt_cond_wait_for(&c, true_pred, &calls, 0), -EPERM);
	pt_cond_destroy(&c);
}

/* notify(n) wakes exactly n of the waiters; a waiter that arrives after a
 * notification does not take it. */
struct nw {
	struct pt_cond c;
	_Atomic int woken;
	_Atomic int bad;
};

static void *nw_waiter(void *arg)
{
	struct nw *w = arg;

	if (pt_cond_acquire(&w->c, true, PT_FOREVER)) {
		atomic_fetch_add(&w->bad, 1);
		return NULL;
	}
	if (pt_cond_wait(&w->c, WATCHDOG_NS) != 0)
		atomic_fetch_add(&w->bad, 1);
	atomic_fetch_add(&w->woken, 1);
	pt_cond_release(&w->c);
	return NULL;
}

static bool nw_three_wait(void *arg) { return pt_cond_waiters(&((struct nw *)arg)->c) == 3; }
static bool nw_one_woken(void *arg) { return atomic_load(&((struct nw *)arg)->woken) >= 1; }
static bool nw_three_woken(void *arg) { return atomic_load(&((struct nw *)arg)->woken) == 3; }
static bool nw_two_wait(void *arg) { return pt_cond_waiters(&((struct nw *)arg)->c) == 2; }
static bool nw_one_wait(void *arg) { return pt_cond_waiters(&((struct nw *)arg)->c) == 1; }

Test(condition, notify_n_wakes_n, .timeout = TEST_TIMEOUT)
{
	struct nw w = { .woken = 0 };
	pthread_t th[3];

	cr_assert_eq(pt_cond_init(&w.c, false), 0);
	for (int i = 0; i < 3; i++)
		spawn(&th[i], nw_waiter, &w);
	cr_assert(eventually(nw_three_wait, &w));
	cr_assert_eq(pt_cond_acquire(&w.c, true, PT_FOREVER), 0);
	cr_assert_eq(pt_cond_notify(&w.c, 1), 0);
	cr_assert_eq(pt_cond_waiters(&w.c), 2u);
	cr_assert_eq(pt_cond_release(&w.c), 0);
	cr_assert(eventually(nw_one_woken, &w));
	/* A correct condition never wakes a second one: give it the chance. */
	usleep(50000);
	cr_assert_eq(atomic_load(&w.woken), 1);
	cr_assert_eq(pt_cond_acquire(&w.c, true, PT_FOREVER), 0);
	cr_assert_eq(pt_cond_notify(&w.c, 5), 0); /* more than are waiting */
	cr_assert_eq(pt_cond_release(&w.c), 0);
	cr_assert(eventually(nw_three_woken, &w));
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	cr_assert_eq(atomic_load(&w.bad), 0);
	pt_cond_destroy(&w.c);
}

Test(condition, late_waiter_does_not_steal, .timeout = TEST_TIMEOUT)
{
	struct nw w = { .woken = 0 };
	pthread_t th[3];

	cr_assert_eq(pt_cond_init(&w.c, false), 0);
	spawn(&th[0], nw_waiter, &w);
	cr_assert(eventually(nw_one_wait, &w));
	/* Notify the first waiter, and let two newcomers queue at once, before
	 * it has had a chance to run. */
	cr_assert_eq(pt_cond_acquire(&w.c, true, PT_FOREVER), 0);
	cr_assert_eq(pt_cond_notify(&w.c, 1), 0);
	spawn(&th[1], nw_waiter, &w);
	spawn(&th[2], nw_waiter, &w);
	cr_assert_eq(pt_cond_release(&w.c), 0);
	cr_assert(eventually(nw_two_wait, &w));
	cr_assert(eventually(nw_one_woken, &w));
	pthread_join(th[0], NULL); /* the notified one returns */
	usleep(50000);
	cr_assert_eq(atomic_load(&w.woken), 1);
	cr_assert_eq(pt_cond_waiters(&w.c), 2u);
	cr_assert_eq(pt_cond_acquire(&w.c, true, PT_FOREVER), 0);
	cr_assert_eq(pt_cond_notify_all(&w.c), 0);
	cr_assert_eq(pt_cond_release(&w.c), 0);
	pthread_join(th[1], NULL);
	pthread_join(th[2], NULL);
	cr_assert_eq(atomic_load(&w.woken), 3);
	cr_assert_eq(atomic_load(&w.bad), 0);
	pt_cond_destroy(&w.c);
}

/* A waiter that timed out takes no later notification. Two timed waiters
 * share a group; notify(1) wakes one, the other times out; a newer waiter
 * then gets the next notify(1). */
struct tw {
	struct pt_cond c;
	int entered; /* under c's lock */
	_Atomic int rets[3];
	_Atomic int done[3];
};

struct tw_arg {
	struct tw *w;
	int i;
	uint64_t timeout;
};

static void *tw_waiter(void *arg)
{
	struct tw_arg *a = arg;
	struct tw *w = a->w;

	pt_cond_acquire(&w->c, true, PT_FOREVER);
	w->entered++;
	atomic_store(&w->rets[a->i], pt_cond_wait(&w->c, a->timeout));
	pt_cond_release(&w->c);
	atomic_store(&w->done[a->i], 1);
	return NULL;
}

static int tw_entered(struct tw *w)
{
	int n;

	pt_cond_acquire(&w->c, true, PT_FOREVER);
	n = w->entered;
	pt_cond_release(&w->c);
	return n;
}

static bool tw_two_in(void *arg) { return tw_entered(arg) == 2; }
static bool tw_three_in(void *arg) { return tw_entered(arg) == 3; }
static bool tw_first_done(void *arg)
{
	struct tw *w = arg;

	return atomic_load(&w->done[0]) + atomic_load(&w->done[1]) >= 1;
}
static bool tw_both_done(void *arg)
{
	struct tw *w = arg;

	return atomic_load(&w->done[0]) + atomic_load(&w->done[1]) == 2;
}

Test(condition, timed_out_waiter_takes_no_notification, .timeout = TEST_TIMEOUT)
{
	struct tw w = { .entered = 0 };
	struct tw_arg a[3] = { { &w, 0, PT_NSEC_PER_SEC }, { &w, 1, PT_NSEC_PER_SEC },
			       { &w, 2, WATCHDOG_NS } };
	pthread_t th[3];

	cr_assert_eq(pt_cond_init(&w.c, false), 0);
	spawn(&th[0], tw_waiter, &a[0]);
	spawn(&th[1], tw_waiter, &a[1]);
	/* Both counted themselves holding the lock, and gave it up only by
	 * waiting: once we hold it, both wait. */
	cr_assert(eventually(tw_two_in, &w));
	cr_assert_eq(pt_cond_acquire(&w.c, true, PT_FOREVER), 0);
	cr_assert_eq(pt_cond_notify(&w.c, 1), 0);
	cr_assert_eq(pt_cond_release(&w.c), 0);
	cr_assert(eventually(tw_first_done, &w));
	spawn(&th[2], tw_waiter, &a[2]);
	cr_assert(eventually(tw_three_in, &w));
	cr_assert(eventually(tw_both_done, &w));
	/* One was notified, the other timed out (both, only if the machine
	 * stalled us for a second before the notify; then the scenario did not
	 * arise, but what follows must hold all the same). */
	cr_assert(atomic_load(&w.rets[0]) + atomic_load(&w.rets[1]) == -ETIMEDOUT ||
		  atomic_load(&w.rets[0]) + atomic_load(&w.rets[1]) == -2 * ETIMEDOUT);
	cr_assert_eq(pt_cond_waiters(&w.c), 1u);
	cr_assert_eq(pt_cond_acquire(&w.c, true, PT_FOREVER), 0);
	cr_assert_eq(pt_cond_notify(&w.c, 1), 0);
	cr_assert_eq(pt_cond_release(&w.c), 0);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	cr_assert_eq(atomic_load(&w.rets[2]), 0, "the notification went to a waiter that had left");
	pt_cond_destroy(&w.c);
}

/* Ownership is per thread across processes: a forked child holds nothing of
 * its parent's lock. */
struct own_fork {
	struct pt_cond c;
};

static int own_child_party(void *arg, int i)
{
	struct own_fork *o = arg;

	(void)i;
	if (pt_cond_is_owned(&o->c))
		return -EPROTO;
	if (pt_cond_notify(&o->c, 1) != -EPERM || pt_cond_release(&o->c) != -EPERM ||
	    pt_cond_wait(&o->c, 0) != -EPERM)
		return -EPROTO;
	if (pt_cond_acquire(&o->c, false, PT_FOREVER) != -EAGAIN)
		return -EPROTO;
	return 0;
}

static int own_child_takes(void *arg, int i)
{
	struct own_fork *o = arg;
	int ret;

	(void)i;
	if ((ret = pt_cond_acquire(&o->c, true, WATCHDOG_NS)))
		return ret;
	if ((ret = pt_cond_notify(&o->c, 1)))
		return ret;
	return pt_cond_release(&o->c);
}

Test(condition, ownership_across_fork, .timeout = TEST_TIMEOUT)
{
	struct own_fork *o = shared_map(sizeof(*o));
	struct crew c;

	cr_assert_eq(pt_cond_init(&o->c, true), 0);
	cr_assert_eq(pt_cond_acquire(&o->c, true, PT_FOREVER), 0);
	crew_start(&c, PROCS, 1, own_child_party, o);
	cr_assert_eq(crew_join(&c), 0);
	cr_assert(pt_cond_is_owned(&o->c));
	cr_assert_eq(pt_cond_release(&o->c), 0);
	crew_start(&c, PROCS, 2, own_child_takes, o);
	cr_assert_eq(crew_join(&c), 0);
	cr_assert_not(pt_cond_is_owned(&o->c));
	pt_cond_destroy(&o->c);
	shared_unmap(o, sizeof(*o));
}

/* No lost wake-ups: producers add to a counter and notify(1); consumers wait
 * for it with wait_for (a lost wake-up leaves one asleep with work pending
 * until its watchdog fails it); noise waiters wait with short timeouts on the
 * same condition, so that timeouts race with notifications, and pass on any
 * notification they get. Everything produced is consumed, once. */
struct pc {
	struct pt_cond c;
	int producers, consumers, noise;
	long per_producer;
	long items, produced, consumed; /* under c's lock */
	int done;			/* under c's lock */
};

static int pc_ready(void *arg)
{
	struct pc *p = arg;

	return p->items > 0 || p->done;
}

static int pc_party(void *arg, int i)
{
	struct pc *p = arg;
	long total = p->per_producer * p->producers;
	int ret;

	if (i < p->producers) {
		for (long k = 0; k < p->per_producer; k++) {
			if ((ret = pt_cond_acquire(&p->c, true, PT_FOREVER)))
				return ret;
			p->items++;
			p->produced++;
			ret = pt_cond_notify(&p->c, 1);
			pt_cond_release(&p->c);
			if (ret)
				return ret;
			if (k % 64 == 0)
				sched_yield();
		}
		return 0;
	}
	if (i < p->producers + p->consumers) {
		for (;;) {
			if ((ret = pt_cond_acquire(&p->c, true, PT_FOREVER)))
				return ret;
			ret = pt_cond_wait_for(&p->c, pc_ready, p, WATCHDOG_NS);
			if (ret) {
				pt_cond_release(&p->c);
				return ret; /* a lost wake-up */
			}
			if (p->items > 0) {
				p->items--;
				if (++p->consumed == total) {
					p->done = 1;
					pt_cond_notify_all(&p->c);
				}
			}
			ret = p->done;
			pt_cond_release(&p->c);
			if (ret)
				return 0;
		}
	}
	/* Noise. */
	for (unsigned k = (unsigned)i;; k++) {
		if ((ret = pt_cond_acquire(&p->c, true, PT_FOREVER)))
			return ret;
		if (p->done) {
			pt_cond_release(&p->c);
			return 0;
		}
		ret = pt_cond_wait(&p->c, (20 + k % 200) * PT_NSEC_PER_USEC);
		if (ret == 0)
			pt_cond_notify(&p->c, 1); /* not ours: pass it on */
		pt_cond_release(&p->c);
		if (ret && ret != -ETIMEDOUT)
			return ret;
	}
}

static void producer_consumer(enum mode mode, long per_producer)
{
	struct pc *p = shared_map(sizeof(*p));
	struct crew c;

	cr_assert_eq(pt_cond_init(&p->c, mode == PROCS), 0);
	p->producers = 3;
	p->consumers = 3;
	p->noise = 2;
	p->per_producer = per_producer;
	crew_start(&c, mode, p->producers + p->consumers + p->noise, pc_party, p);
	cr_assert_eq(crew_join(&c), 0, "%s", mode_name(mode));
	cr_assert_eq(p->produced, per_producer * p->producers);
	cr_assert_eq(p->consumed, p->produced);
	cr_assert_eq(p->items, 0);
	cr_assert_eq(pt_cond_waiters(&p->c), 0u);
	pt_cond_destroy(&p->c);
	shared_unmap(p, sizeof(*p));
}

Test(condition, no_lost_wakeups_threads, .timeout = TEST_TIMEOUT) { producer_consumer(THREADS, 20000); }
Test(condition, no_lost_wakeups_procs, .timeout = TEST_TIMEOUT) { producer_consumer(PROCS, 10000); }

static int gil_flag_set(void *arg) { return ((struct gil_ctx *)arg)->flag; }

static int gil_cond_wait(struct gil_ctx *g)
{
	int ret = pt_cond_acquire(&g->cond, true, WATCHDOG_NS);

	if (ret)
		return ret;
	ret = pt_cond_wait_for(&g->cond, gil_flag_set, g, WATCHDOG_NS);
	pt_cond_release(&g->cond);
	return ret;
}

static void gil_cond_release(struct gil_ctx *g)
{
	pt_cond_acquire(&g->cond, true, PT_FOREVER);
	g->flag = 1;
	pt_cond_notify_all(&g->cond);
	pt_cond_release(&g->cond);
}

static void gil_cond_setup(struct gil_ctx *g) { cr_assert_eq(pt_cond_init(&g->cond, false), 0); }
static void gil_cond_teardown(struct gil_ctx *g) { pt_cond_destroy(&g->cond); }

Test(condition, gil_wait_lets_others_run, .timeout = TEST_TIMEOUT)
{
	static const struct gil_case gc = { gil_cond_wait, gil_cond_release };

	run_gil_case(&gc, gil_cond_setup, gil_cond_teardown);
}

/* A GIL worker blocked acquiring the Condition's lock releases the GIL: the
 * holder (another GIL worker, CPU-bound while holding it) can finish. */
#define LOCK_HOLD_TICKS 200000

struct gil_lock {
	struct pt_cond c;
	_Atomic int held;
	_Atomic long ticks_while_held;
};

static int gil_lock_body(struct pt_worker *w)
{
	struct gil_lock *g = w->arg;
	int ret;

	if (w->id == 1) {
		if ((ret = pt_cond_acquire(&g->c, true, WATCHDOG_NS)))
			return ret;
		atomic_store(&g->held, 1);
		for (long i = 0; i < LOCK_HOLD_TICKS; i++) {
			pt_tick(w); /* worker 0 gets the GIL and blocks on the lock */
			atomic_fetch_add_explicit(&g->ticks_while_held, 1, memory_order_relaxed);
		}
		return pt_cond_release(&g->c);
	}
	while (!atomic_load(&g->held))
		pt_tick(w);
	ret = pt_cond_acquire(&g->c, true, WATCHDOG_NS);
	if (ret) {
		snprintf(w->slot->msg, sizeof(w->slot->msg), "acquire: %s", strerror(-ret));
		return ret;
	}
	if (atomic_load(&g->ticks_while_held) != LOCK_HOLD_TICKS)
		ret = -EPROTO;
	pt_cond_release(&g->c);
	return ret;
}

Test(condition, gil_lock_wait_lets_holder_run, .timeout = TEST_TIMEOUT)
{
	for (enum pt_model m = PT_MODEL_GIL; m <= PT_MODEL_GIL_OLD; m++) {
		struct gil_lock *g = calloc(1, sizeof(*g));
		struct pt_team_stats *st = malloc(sizeof(*st));
		struct pt_team_config cfg = { .model = m, .nworkers = 2, .body = gil_lock_body,
					      .arg = g, .gil = { .switch_interval_us = 500 } };
		struct pt_team t;

		cr_assert_eq(pt_cond_init(&g->c, false), 0);
		cr_assert_eq(pt_team_init(&t, &cfg), 0);
		cr_assert_eq(pt_team_spawn(&t), 0);
		pt_team_go(&t);
		cr_assert_eq(pt_team_join(&t, 2 * WATCHDOG_NS), 0);
		cr_assert_eq(pt_team_collect(&t, st), 0, "%s: %s", pt_model_name(m),
			     st->first_msg ? st->first_msg : "a worker failed");
		pt_team_destroy(&t);
		pt_cond_destroy(&g->c);
		free(st);
		free(g);
	}
}

/* ------------------------------------------------------------------ */
/* Semaphore, BoundedSemaphore */

Test(semaphore, acquire_release, .timeout = TEST_TIMEOUT)
{
	struct pt_sem s;
	uint64_t t0;

	cr_assert_eq(pt_sem_init(&s, 2, false), 0);
	cr_assert_eq(pt_sem_acquire(&s, true, PT_FOREVER), 0);
	cr_assert_eq(pt_sem_acquire(&s, false, PT_FOREVER), 0);
	cr_assert_eq(pt_sem_value(&s), 0u);
	cr_assert_eq(pt_sem_acquire(&s, false, PT_FOREVER), -EAGAIN);
	cr_assert_eq(pt_sem_acquire(&s, false, SHORT_NS), -EINVAL);
	cr_assert_eq(pt_sem_acquire(&s, true, 0), -ETIMEDOUT);
	t0 = pt_now_ns();
	cr_assert_eq(pt_sem_acquire(&s, true, SHORT_NS), -ETIMEDOUT);
	cr_assert_geq(pt_now_ns() - t0, SHORT_NS);
	cr_assert_eq(pt_sem_release(&s, 0), -EINVAL);
	cr_assert_eq(pt_sem_release(&s, 1), 0);
	cr_assert_eq(pt_sem_acquire(&s, true, SHORT_NS), 0);
	cr_assert_eq(pt_sem_release(&s, 3), 0); /* unbounded: above the start value */
	cr_assert_eq(pt_sem_value(&s), 3u);
	pt_sem_destroy(&s);
}

Test(semaphore, bounded_over_release, .timeout = TEST_TIMEOUT)
{
	struct pt_sem s;

	cr_assert_eq(pt_bsem_init(&s, 2, false), 0);
	cr_assert_eq(pt_sem_release(&s, 1), -EOVERFLOW);
	cr_assert_eq(pt_sem_value(&s), 2u);
	cr_assert_eq(pt_sem_acquire(&s, true, PT_FOREVER), 0);
	cr_assert_eq(pt_sem_acquire(&s, true, PT_FOREVER), 0);
	cr_assert_eq(pt_sem_release(&s, 3), -EOVERFLOW);
	cr_assert_eq(pt_sem_value(&s), 0u, "a failed release changed the count");
	cr_assert_eq(pt_sem_release(&s, 2), 0);
	cr_assert_eq(pt_sem_release(&s, 1), -EOVERFLOW);
	cr_assert_eq(pt_sem_value(&s), 2u);
	pt_sem_destroy(&s);
}

struct sem_n {
	struct pt_sem s;
	_Atomic int arrived, passed;
};

static void *sem_n_waiter(void *arg)
{
	struct sem_n *w = arg;

	atomic_fetch_add(&w->arrived, 1);
	if (pt_sem_acquire(&w->s, true, WATCHDOG_NS) == 0)
		atomic_fetch_add(&w->passed, 1);
	return NULL;
}

static bool sem_two_passed(void *arg) { return atomic_load(&((struct sem_n *)arg)->passed) == 2; }
static bool sem_three_arrived(void *arg) { return atomic_load(&((struct sem_n *)arg)->arrived) == 3; }

Test(semaphore, release_n_lets_n_through, .timeout = TEST_TIMEOUT)
{
	struct sem_n w = { .arrived = 0 };
	pthread_t th[3];

	cr_assert_eq(pt_sem_init(&w.s, 0, false), 0);
	for (int i = 0; i < 3; i++)
		spawn(&th[i], sem_n_waiter, &w);
	cr_assert(eventually(sem_three_arrived, &w));
	cr_assert_eq(pt_sem_release(&w.s, 2), 0);
	cr_assert(eventually(sem_two_passed, &w));
	usleep(50000);
	cr_assert_eq(atomic_load(&w.passed), 2);
	cr_assert_eq(pt_sem_value(&w.s), 0u);
	cr_assert_eq(pt_sem_release(&w.s, 1), 0);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	cr_assert_eq(atomic_load(&w.passed), 3);
	pt_sem_destroy(&w.s);
}

/* Never more than N inside, with blocking, timed and non-blocking acquires
 * mixed; a bounded semaphore is never over-released; the count ends where
 * it started. */
#define SEM_N 3

struct sem_bound {
	struct pt_sem s;
	int iters;
	_Atomic int inside, max_inside, violations;
	_Atomic long passes;
};

static int sem_bound_party(void *arg, int i)
{
	struct sem_bound *b = arg;
	uint64_t end = pt_now_ns() + WATCHDOG_NS;
	int ret, in;

	for (int k = 0; k < b->iters; k++) {
		switch ((i + k) % 3) {
		case 0:
			ret = pt_sem_acquire(&b->s, true, WATCHDOG_NS);
			break;
		case 1:
			while ((ret = pt_sem_acquire(&b->s, true, 100 * PT_NSEC_PER_USEC)) == -ETIMEDOUT &&
			       pt_now_ns() < end)
				;
			break;
		default:
			while ((ret = pt_sem_acquire(&b->s, false, PT_FOREVER)) == -EAGAIN &&
			       pt_now_ns() < end)
				sched_yield();
			break;
		}
		if (ret)
			return ret;
		in = atomic_fetch_add(&b->inside, 1) + 1;
		max_update(&b->max_inside, in);
		if (in > SEM_N)
			atomic_fetch_add(&b->violations, 1);
		if (k % 4 == 0)
			sched_yield();
		atomic_fetch_sub(&b->inside, 1);
		atomic_fetch_add(&b->passes, 1);
		if ((ret = pt_sem_release(&b->s, 1)))
			return ret;
	}
	return 0;
}

static void sem_bound(enum mode mode, int parties, int iters)
{
	struct sem_bound *b = shared_map(sizeof(*b));
	struct crew c;

	cr_assert_eq(pt_bsem_init(&b->s, SEM_N, mode == PROCS), 0);
	b->iters = iters;
	crew_start(&c, mode, parties, sem_bound_party, b);
	cr_assert_eq(crew_join(&c), 0, "%s", mode_name(mode));
	cr_assert_eq(atomic_load(&b->violations), 0, "%s: up to %d inside a semaphore of %d",
		     mode_name(mode), atomic_load(&b->max_inside), SEM_N);
	cr_assert_leq(atomic_load(&b->max_inside), SEM_N);
	cr_assert_geq(atomic_load(&b->max_inside), 1);
	cr_assert_eq(atomic_load(&b->passes), (long)parties * iters);
	cr_assert_eq(pt_sem_value(&b->s), (unsigned)SEM_N);
	pt_sem_destroy(&b->s);
	shared_unmap(b, sizeof(*b));
}

Test(semaphore, at_most_n_inside_threads, .timeout = TEST_TIMEOUT) { sem_bound(THREADS, 8, 3000); }
Test(semaphore, at_most_n_inside_procs, .timeout = TEST_TIMEOUT) { sem_bound(PROCS, 6, 2000); }

static int gil_sem_wait(struct gil_ctx *g) { return pt_sem_acquire(&g->sem, true, WATCHDOG_NS); }
static void gil_sem_release(struct gil_ctx *g) { pt_sem_release(&g->sem, 1); }
static void gil_sem_setup(struct gil_ctx *g) { cr_assert_eq(pt_sem_init(&g->sem, 0, false), 0); }
static void gil_sem_teardown(struct gil_ctx *g) { pt_sem_destroy(&g->sem); }

Test(semaphore, gil_acquire_lets_others_run, .timeout = TEST_TIMEOUT)
{
	static const struct gil_case gc = { gil_sem_wait, gil_sem_release };

	run_gil_case(&gc, gil_sem_setup, gil_sem_teardown);
}

/* ------------------------------------------------------------------ */
/* Barrier */

struct bw {
	struct pt_barrier b;
	_Atomic int rets[8];
	_Atomic int nret;
	uint64_t timeout;
};

static void *bw_waiter(void *arg)
{
	struct bw *w = arg;
	int r = pt_barrier_wait(&w->b, w->timeout);

	atomic_store(&w->rets[atomic_fetch_add(&w->nret, 1)], r);
	return NULL;
}

static bool bw_two_waiting(void *arg) { return pt_barrier_n_waiting(&((struct bw *)arg)->b) == 2; }
static bool bw_one_waiting(void *arg) { return pt_barrier_n_waiting(&((struct bw *)arg)->b) == 1; }

static void bw_start(struct bw *w, pthread_t *th, int n)
{
	atomic_store(&w->nret, 0);
	for (int i = 0; i < n; i++)
		spawn(&th[i], bw_waiter, w);
}

static int count_action(void *arg)
{
	atomic_fetch_add((_Atomic int *)arg, 1);
	return 0;
}

Test(barrier, one_generation, .timeout = TEST_TIMEOUT)
{
	struct bw w = { .timeout = PT_BARRIER_DEFAULT };
	_Atomic int actions = 0;
	pthread_t th[2];
	int r, mask;

	cr_assert_eq(pt_barrier_init(&w.b, 0, NULL, NULL, PT_FOREVER, false), -EINVAL);
	cr_assert_eq(pt_barrier_init(&w.b, 3, count_action, &actions, WATCHDOG_NS, false), 0);
	cr_assert_eq(pt_barrier_parties(&w.b), 3u);
	bw_start(&w, th, 2);
	cr_assert(eventually(bw_two_waiting, &w));
	cr_assert_eq(atomic_load(&actions), 0);
	/* The last to arrive gets parties-1 and ran the action. */
	r = pt_barrier_wait(&w.b, WATCHDOG_NS);
	cr_assert_eq(r, 2);
	cr_assert_eq(atomic_load(&actions), 1);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	mask = 1 << r;
	for (int i = 0; i < 2; i++) {
		cr_assert_geq(atomic_load(&w.rets[i]), 0);
		mask |= 1 << atomic_load(&w.rets[i]);
	}
	cr_assert_eq(mask, 7, "indexes are not 0, 1, 2");
	cr_assert_eq(pt_barrier_generation(&w.b), 1u);
	cr_assert_not(pt_barrier_broken(&w.b));
	cr_assert_eq(pt_barrier_n_waiting(&w.b), 0u);
	pt_barrier_destroy(&w.b);
}

Test(barrier, abort_breaks_until_reset, .timeout = TEST_TIMEOUT)
{
	struct bw w = { .timeout = WATCHDOG_NS };
	pthread_t th[2];

	cr_assert_eq(pt_barrier_init(&w.b, 3, NULL, NULL, PT_FOREVER, false), 0);
	bw_start(&w, th, 2);
	cr_assert(eventually(bw_two_waiting, &w));
	pt_barrier_abort(&w.b);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 2; i++)
		cr_assert_eq(atomic_load(&w.rets[i]), PT_BARRIER_BROKEN);
	cr_assert(pt_barrier_broken(&w.b));
	/* Future waiters too, at once. */
	cr_assert_eq(pt_barrier_wait(&w.b, WATCHDOG_NS), PT_BARRIER_BROKEN);
	cr_assert_eq(pt_barrier_wait(&w.b, 0), PT_BARRIER_BROKEN);
	pt_barrier_reset(&w.b);
	cr_assert_not(pt_barrier_broken(&w.b));
	bw_start(&w, th, 2);
	cr_assert_geq(pt_barrier_wait(&w.b, WATCHDOG_NS), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 2; i++)
		cr_assert_geq(atomic_load(&w.rets[i]), 0);
	pt_barrier_destroy(&w.b);
}

Test(barrier, timeout_breaks, .timeout = TEST_TIMEOUT)
{
	struct bw w = { .timeout = WATCHDOG_NS };
	pthread_t th[1];
	uint64_t t0, el;

	/* The default timeout applies to PT_BARRIER_DEFAULT. */
	cr_assert_eq(pt_barrier_init(&w.b, 3, NULL, NULL, SHORT_NS, false), 0);
	bw_start(&w, th, 1);
	cr_assert(eventually(bw_one_waiting, &w));
	t0 = pt_now_ns();
	cr_assert_eq(pt_barrier_wait(&w.b, PT_BARRIER_DEFAULT), -ETIMEDOUT);
	el = pt_now_ns() - t0;
	cr_assert_geq(el, SHORT_NS, "timed out after %llu ns", (unsigned long long)el);
	pthread_join(th[0], NULL);
	cr_assert_eq(atomic_load(&w.rets[0]), PT_BARRIER_BROKEN);
	cr_assert(pt_barrier_broken(&w.b));
	cr_assert_eq(pt_barrier_wait(&w.b, WATCHDOG_NS), PT_BARRIER_BROKEN);
	pt_barrier_reset(&w.b);
	cr_assert_not(pt_barrier_broken(&w.b));
	/* A party alone times out on an explicit timeout too. */
	t0 = pt_now_ns();
	cr_assert_eq(pt_barrier_wait(&w.b, 2 * PT_NSEC_PER_MSEC), -ETIMEDOUT);
	cr_assert_geq(pt_now_ns() - t0, 2 * PT_NSEC_PER_MSEC);
	cr_assert(pt_barrier_broken(&w.b));
	pt_barrier_destroy(&w.b);
}

Test(barrier, reset_breaks_current_waiters, .timeout = TEST_TIMEOUT)
{
	struct bw w = { .timeout = WATCHDOG_NS };
	_Atomic int actions = 0;
	pthread_t th[2];

	cr_assert_eq(pt_barrier_init(&w.b, 3, count_action, &actions, PT_FOREVER, false), 0);
	bw_start(&w, th, 2);
	cr_assert(eventually(bw_two_waiting, &w));
	pt_barrier_reset(&w.b);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 2; i++)
		cr_assert_eq(atomic_load(&w.rets[i]), PT_BARRIER_BROKEN);
	cr_assert_not(pt_barrier_broken(&w.b));
	cr_assert_eq(pt_barrier_n_waiting(&w.b), 0u);
	cr_assert_eq(atomic_load(&actions), 0);
	/* Usable again at once. */
	bw_start(&w, th, 2);
	cr_assert_eq(pt_barrier_wait(&w.b, WATCHDOG_NS) >= 0, 1);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	cr_assert_eq(atomic_load(&actions), 1);
	pt_barrier_destroy(&w.b);
}

static int failing_action(void *arg)
{
	(void)arg;
	return -EIO;
}

Test(barrier, failing_action_breaks, .timeout = TEST_TIMEOUT)
{
	struct bw w = { .timeout = WATCHDOG_NS };
	pthread_t th[1];

	cr_assert_eq(pt_barrier_init(&w.b, 2, failing_action, NULL, PT_FOREVER, false), 0);
	bw_start(&w, th, 1);
	cr_assert(eventually(bw_one_waiting, &w));
	cr_assert_eq(pt_barrier_wait(&w.b, WATCHDOG_NS), -EIO);
	pthread_join(th[0], NULL);
	cr_assert_eq(atomic_load(&w.rets[0]), PT_BARRIER_BROKEN);
	cr_assert(pt_barrier_broken(&w.b));
	pt_barrier_destroy(&w.b);
}

Test(barrier, one_party, .timeout = TEST_TIMEOUT)
{
	struct pt_barrier b;
	_Atomic int actions = 0;

	cr_assert_eq(pt_barrier_init(&b, 1, count_action, &actions, PT_FOREVER, false), 0);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(pt_barrier_wait(&b, 0), 0);
	cr_assert_eq(atomic_load(&actions), 5);
	cr_assert_eq(pt_barrier_generation(&b), 5u);
	pt_barrier_destroy(&b);
}

/* Generations agree: in every generation the indexes are a permutation of
 * 0..parties-1, the action ran exactly once, before anyone left, in the
 * party that got parties-1; every party sees the same generation numbers. */
#define BAR_PARTIES 4
#define BAR_GENS_MAX 1000

struct bar_gen {
	struct pt_barrier b;
	int gens;
	_Atomic uint64_t actions;
	_Atomic int action_tid[BAR_GENS_MAX];
	_Atomic unsigned idx_mask[BAR_GENS_MAX];
	_Atomic int bad_gen, bad_actions, bad_runner;
};

static int bar_action(void *arg)
{
	struct bar_gen *g = arg;
	uint64_t n = atomic_load(&g->actions);

	if (n < BAR_GENS_MAX)
		atomic_store(&g->action_tid[n], my_tid());
	atomic_store(&g->actions, n + 1);
	return 0;
}

static int bar_party(void *arg, int i)
{
	struct bar_gen *g = arg;
	int r;

	(void)i;
	for (int k = 0; k < g->gens; k++) {
		r = pt_barrier_wait(&g->b, PT_BARRIER_DEFAULT);
		if (r < 0)
			return r;
		atomic_fetch_or(&g->idx_mask[k], 1u << r);
		if (pt_barrier_generation(&g->b) != (uint64_t)k + 1)
			atomic_fetch_add(&g->bad_gen, 1);
		if (atomic_load(&g->actions) != (uint64_t)k + 1)
			atomic_fetch_add(&g->bad_actions, 1);
		if (r == BAR_PARTIES - 1 && atomic_load(&g->action_tid[k]) != my_tid())
			atomic_fetch_add(&g->bad_runner, 1);
		if (k % 16 == i)
			sched_yield();
	}
	return 0;
}

static void barrier_generations(enum mode mode, int gens)
{
	struct bar_gen *g = shared_map(sizeof(*g));
	struct crew c;

	cr_assert_leq(gens, BAR_GENS_MAX);
	g->gens = gens;
	cr_assert_eq(pt_barrier_init(&g->b, BAR_PARTIES, bar_action, g, WATCHDOG_NS, mode == PROCS), 0);
	crew_start(&c, mode, BAR_PARTIES, bar_party, g);
	cr_assert_eq(crew_join(&c), 0, "%s", mode_name(mode));
	cr_assert_eq(atomic_load(&g->actions), (uint64_t)gens);
	for (int k = 0; k < gens; k++)
		cr_assert_eq(atomic_load(&g->idx_mask[k]), (1u << BAR_PARTIES) - 1,
			     "generation %d: indexes %#x", k, atomic_load(&g->idx_mask[k]));
	cr_assert_eq(atomic_load(&g->bad_gen), 0, "parties disagree on the generation");
	cr_assert_eq(atomic_load(&g->bad_actions), 0, "a party left before the action ran");
	cr_assert_eq(atomic_load(&g->bad_runner), 0, "the action did not run in the last party");
	cr_assert_eq(pt_barrier_generation(&g->b), (uint64_t)gens);
	cr_assert_not(pt_barrier_broken(&g->b));
	pt_barrier_destroy(&g->b);
	shared_unmap(g, sizeof(*g));
}

Test(barrier, generations_agree_threads, .timeout = TEST_TIMEOUT) { barrier_generations(THREADS, 1000); }
Test(barrier, generations_agree_procs, .timeout = TEST_TIMEOUT) { barrier_generations(PROCS, 400); }

static int gil_bar_action(void *arg)
{
	atomic_fetch_add(&((struct gil_ctx *)arg)->action_runs, 1);
	return 0;
}

static int gil_bar_wait(struct gil_ctx *g)
{
	int r = pt_barrier_wait(&g->bar, WATCHDOG_NS);

	if (r < 0)
		return r;
	return r == 0 && atomic_load(&g->action_runs) == 1 ? 0 : -EPROTO;
}

static void gil_bar_release(struct gil_ctx *g)
{
	/* The last party: runs the action, holding the GIL. */
	if (pt_barrier_wait(&g->bar, WATCHDOG_NS) != 1)
		atomic_store(&g->action_runs, -100);
}

static void gil_bar_setup(struct gil_ctx *g)
{
	cr_assert_eq(pt_barrier_init(&g->bar, 2, gil_bar_action, g, PT_FOREVER, false), 0);
}

static void gil_bar_teardown(struct gil_ctx *g)
{
	cr_assert_eq(atomic_load(&g->action_runs), 1);
	pt_barrier_destroy(&g->bar);
}

Test(barrier, gil_wait_lets_others_run, .timeout = TEST_TIMEOUT)
{
	static const struct gil_case gc = { gil_bar_wait, gil_bar_release };

	run_gil_case(&gc, gil_bar_setup, gil_bar_teardown);
}
