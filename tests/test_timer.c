// SPDX-License-Identifier: MIT
// Timer: fires once, never early; a successful cancel means it never runs
// (checked well past the delays, and racing with firing). Periodic timer:
// ticks reach threads and processes, late ticks skipped; GIL waits yield.
#include "clock.h"
#include "model.h"
#include "timer.h"

#include "crew.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* In-test watchdog: far above any need, below the Criterion timeout. Never
 * a performance threshold. */
#define WATCHDOG_NS (20 * PT_NSEC_PER_SEC)
#define TEST_TIMEOUT 90
#define SHORT_NS (50 * PT_NSEC_PER_MSEC)

/* Forks a child running @fn(@arg); returns its pid. */
static pid_t fork_child(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	cr_assert_neq(pid, -1, "fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		_exit(fn(arg) ? 1 : 0);
	}
	return pid;
}

static int child_status(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ------------------------------------------------------------------ */
/* Timer */

struct shot {
	_Atomic int runs;
	_Atomic uint64_t at;
};

static void shot_fn(void *arg)
{
	struct shot *s = arg;

	atomic_store(&s->at, pt_now_ns());
	atomic_fetch_add(&s->runs, 1);
}

#define NT 50

Test(timer, fires_once_not_early, .timeout = TEST_TIMEOUT)
{
	struct pt_timer *t = calloc(NT, sizeof(*t));
	struct shot *s = calloc(NT, sizeof(*s));
	uint64_t t0[NT];

	cr_assert(t && s);
	for (int i = 0; i < NT; i++) {
		cr_assert_eq(pt_timer_init(&t[i], false), 0);
		cr_assert_eq(pt_timer_state(&t[i]), PT_TIMER_IDLE);
		t0[i] = pt_now_ns();
		cr_assert_eq(pt_timer_start(&t[i], (uint64_t)(i % 10) * PT_NSEC_PER_MSEC, shot_fn, &s[i]), 0);
	}
	for (int i = 0; i < NT; i++) {
		uint64_t delay = (uint64_t)(i % 10) * PT_NSEC_PER_MSEC;

		cr_assert_eq(pt_timer_join(&t[i], WATCHDOG_NS), 0);
		cr_assert_eq(atomic_load(&s[i].runs), 1);
		cr_assert_eq(pt_timer_state(&t[i]), PT_TIMER_DONE);
		cr_assert_geq(atomic_load(&s[i].at) - t0[i], delay, "timer %d fired early", i);
		cr_assert_geq(pt_timer_fired_ns(&t[i]), pt_timer_due_ns(&t[i]));
		/* Too late to cancel; started once only (threading's RuntimeError). */
		cr_assert_eq(pt_timer_cancel(&t[i]), -EALREADY);
		cr_assert_eq(pt_timer_start(&t[i], 0, shot_fn, &s[i]), -EBUSY);
		cr_assert_eq(pt_timer_join(&t[i], 0), 0);
		pt_timer_destroy(&t[i]);
		cr_assert_eq(atomic_load(&s[i].runs), 1);
	}
	free(t);
	free(s);
}

Test(timer, cancelled_never_fires, .timeout = TEST_TIMEOUT)
{
	enum { N = 64 };
	struct pt_timer *t = calloc(N, sizeof(*t));
	struct shot *s = calloc(N, sizeof(*s));
	uint64_t longest = 0;
	int rc[N], cancelled = 0;

	cr_assert(t && s);
	/* Each cancelled right after its start, long before its delay; the
	 * guarantee checked does not depend on that: whatever the machine's
	 * load, a cancel that reported success means the function never ran. */
	for (int i = 0; i < N; i++) {
		uint64_t delay = (200 + (uint64_t)i) * PT_NSEC_PER_MSEC;

		longest = delay > longest ? delay : longest;
		cr_assert_eq(pt_timer_init(&t[i], false), 0);
		cr_assert_eq(pt_timer_start(&t[i], delay, shot_fn, &s[i]), 0);
		rc[i] = pt_timer_cancel(&t[i]);
		cr_assert(rc[i] == 0 || rc[i] == -EALREADY, "cancel: %d", rc[i]);
		if (rc[i] == 0) {
			cr_assert_eq(pt_timer_cancel(&t[i]), 0); /* idempotent */
			cancelled++;
		}
	}
	/* Well past every delay: none of the cancelled ones fired. */
	pt_sleep_ns(longest + 200 * PT_NSEC_PER_MSEC);
	for (int i = 0; i < N; i++) {
		cr_assert_eq(pt_timer_join(&t[i], WATCHDOG_NS), 0);
		if (rc[i] == 0) {
			cr_assert_eq(atomic_load(&s[i].runs), 0, "cancelled timer %d fired", i);
			cr_assert_eq(pt_timer_state(&t[i]), PT_TIMER_CANCELLED);
			cr_assert_eq(pt_timer_fired_ns(&t[i]), 0u);
		} else {
			cr_assert_eq(atomic_load(&s[i].runs), 1);
		}
		pt_timer_destroy(&t[i]);
	}
	free(t);
	free(s);
	if (!cancelled)
		cr_skip_test("the machine was too slow to cancel any timer within 200 ms");
}

/* Cancels racing with firing: the outcome is decided once. When cancel says
 * "cancelled" the function never ran; when it says "too late" it ran once. */
Test(timer, cancel_race_is_decisive, .timeout = TEST_TIMEOUT)
{
	enum { N = 300 };
	struct pt_timer *t = calloc(N, sizeof(*t));
	struct shot *s = calloc(N, sizeof(*s));
	int rc[N], cancelled = 0, late = 0;

	cr_assert(t && s);
	for (int i = 0; i < N; i++) {
		cr_assert_eq(pt_timer_init(&t[i], false), 0);
		cr_assert_eq(pt_timer_start(&t[i], (uint64_t)(i % 5) * 100 * PT_NSEC_PER_USEC, shot_fn, &s[i]), 0);
		if (i % 3)
			usleep((useconds_t)(i % 7) * 50);
		rc[i] = pt_timer_cancel(&t[i]);
		cr_assert(rc[i] == 0 || rc[i] == -EALREADY, "cancel: %d", rc[i]);
	}
	for (int i = 0; i < N; i++) {
		cr_assert_eq(pt_timer_join(&t[i], WATCHDOG_NS), 0);
		if (rc[i] == 0) {
			cr_assert_eq(atomic_load(&s[i].runs), 0, "timer %d cancelled, yet it ran", i);
			cr_assert_eq(pt_timer_state(&t[i]), PT_TIMER_CANCELLED);
			cancelled++;
		} else {
			cr_assert_eq(atomic_load(&s[i].runs), 1, "timer %d ran %d times", i,
				     atomic_load(&s[i].runs));
			cr_assert_eq(pt_timer_state(&t[i]), PT_TIMER_DONE);
			late++;
		}
		pt_timer_destroy(&t[i]);
	}
	cr_assert_eq(cancelled + late, N);
	free(t);
	free(s);
}

Test(timer, cancel_before_start_and_join_rules, .timeout = TEST_TIMEOUT)
{
	struct pt_timer t;
	struct shot s = { .runs = 0 };
	uint64_t t0;

	cr_assert_eq(pt_timer_init(&t, false), 0);
	cr_assert_eq(pt_timer_join(&t, 0), -EINVAL); /* not started */
	cr_assert_eq(pt_timer_start(&t, 0, NULL, NULL), -EINVAL);
	/* Cancelled before its start: it never runs. */
	cr_assert_eq(pt_timer_cancel(&t), 0);
	cr_assert_eq(pt_timer_start(&t, 0, shot_fn, &s), 0);
	cr_assert_eq(pt_timer_join(&t, 0), 0);
	cr_assert_eq(pt_timer_state(&t), PT_TIMER_CANCELLED);
	pt_sleep_ns(10 * PT_NSEC_PER_MSEC);
	cr_assert_eq(atomic_load(&s.runs), 0);
	pt_timer_destroy(&t);

	/* join(timeout) of a pending timer times out; cancel ends it. */
	cr_assert_eq(pt_timer_init(&t, false), 0);
	cr_assert_eq(pt_timer_start(&t, PT_FOREVER, shot_fn, &s), 0);
	t0 = pt_now_ns();
	cr_assert_eq(pt_timer_join(&t, SHORT_NS), -ETIMEDOUT);
	cr_assert_geq(pt_now_ns() - t0, SHORT_NS);
	cr_assert_eq(pt_timer_state(&t), PT_TIMER_WAITING);
	cr_assert_eq(pt_timer_cancel(&t), 0);
	cr_assert_eq(pt_timer_join(&t, WATCHDOG_NS), 0);
	pt_timer_destroy(&t);

	/* Destroying a pending timer cancels and reaps it. */
	cr_assert_eq(pt_timer_init(&t, false), 0);
	cr_assert_eq(pt_timer_start(&t, PT_FOREVER, shot_fn, &s), 0);
	pt_timer_destroy(&t);
	cr_assert_eq(atomic_load(&s.runs), 0);
}

/* A process-shared timer cancelled from another process. */
struct xproc_timer {
	struct pt_timer t;
	struct shot s;
};

static int cancel_from_child(void *arg)
{
	struct xproc_timer *x = arg;

	if (pt_timer_cancel(&x->t) != 0)
		return 1;
	/* join from another process waits, without reaping. */
	if (pt_timer_join(&x->t, WATCHDOG_NS) != 0)
		return 2;
	return pt_timer_state(&x->t) == PT_TIMER_CANCELLED ? 0 : 3;
}

Test(timer, cancel_from_another_process, .timeout = TEST_TIMEOUT)
{
	struct xproc_timer *x = shared_map(sizeof(*x));

	cr_assert_eq(pt_timer_init(&x->t, true), 0);
	cr_assert_eq(pt_timer_start(&x->t, PT_FOREVER, shot_fn, &x->s), 0);
	cr_assert_eq(child_status(fork_child(cancel_from_child, x)), 0);
	cr_assert_eq(pt_timer_join(&x->t, WATCHDOG_NS), 0);
	cr_assert_eq(atomic_load(&x->s.runs), 0);
	pt_timer_destroy(&x->t);
	munmap(x, sizeof(*x));
}

/* ------------------------------------------------------------------ */
/* Periodic timer */

#define INTERVAL_NS (2 * PT_NSEC_PER_MSEC)
#define TICKS_WANTED 20

/* With the lock held: every due instant passed is a tick or a miss. */
static bool accounting_holds(struct pt_ptimer *p)
{
	return p->ticks + p->missed == (p->tick_ns - p->start_ns) / p->interval_ns &&
	       (p->tick_ns - p->start_ns) % p->interval_ns == 0;
}

static int tick_waiter(struct pt_ptimer *p)
{
	uint64_t last = 0, prev = 0, tick_ns = 0, prev_ns = 0;
	int ret;

	for (int k = 0; k < TICKS_WANTED; k++) {
		if ((ret = pt_ptimer_wait_tick(p, &last, &tick_ns, WATCHDOG_NS)))
			return ret;
		if (last <= prev || tick_ns <= prev_ns || (tick_ns - p->start_ns) % p->interval_ns)
			return -EPROTO;
		prev = last;
		prev_ns = tick_ns;
	}
	return 0;
}

static void *tick_waiter_thread(void *arg)
{
	return (void *)(intptr_t)tick_waiter(arg);
}

Test(ptimer, ticks_reach_every_waiter, .timeout = TEST_TIMEOUT)
{
	struct pt_ptimer p;
	pthread_t th[4];
	void *ret;

	cr_assert_eq(pt_ptimer_init(&p, 0, false), -EINVAL);
	cr_assert_eq(pt_ptimer_init(&p, INTERVAL_NS, false), 0);
	cr_assert_eq(pt_ptimer_start(&p), 0);
	cr_assert_eq(pt_ptimer_start(&p), -EBUSY);
	for (int i = 0; i < 4; i++)
		spawn(&th[i], tick_waiter_thread, &p);
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], &ret);
		cr_assert_eq((intptr_t)ret, 0, "waiter %d: %s", i, strerror(-(int)(intptr_t)ret));
	}
	cr_assert_geq(pt_ptimer_ticks(&p), (uint64_t)TICKS_WANTED);
	cr_assert_eq(pt_ptimer_stop(&p), 0);
	cr_assert_eq(pt_cond_acquire(&p.cond, true, PT_FOREVER), 0);
	cr_assert(accounting_holds(&p));
	cr_assert_eq(pt_cond_release(&p.cond), 0);
	pt_ptimer_destroy(&p);
}

struct stop_wait {
	struct pt_ptimer *p;
	int ret;
};

static void *wait_until_stopped(void *arg)
{
	struct stop_wait *s = arg;
	uint64_t last = pt_ptimer_ticks(s->p);

	s->ret = pt_ptimer_wait_tick(s->p, &last, NULL, WATCHDOG_NS);
	return NULL;
}

static bool two_waiters(struct pt_ptimer *p)
{
	/* The ticking thread itself waits on the condition too. */
	return pt_cond_waiters(&p->cond) >= 3;
}

Test(ptimer, timeout_and_stop, .timeout = TEST_TIMEOUT)
{
	struct pt_ptimer p;
	struct stop_wait s[2];
	pthread_t th[2];
	uint64_t last = 0, t0;

	cr_assert_eq(pt_ptimer_init(&p, 3600 * PT_NSEC_PER_SEC, false), 0);
	cr_assert_eq(pt_ptimer_start(&p), 0);
	t0 = pt_now_ns();
	cr_assert_eq(pt_ptimer_wait_tick(&p, &last, NULL, SHORT_NS), -ETIMEDOUT);
	cr_assert_geq(pt_now_ns() - t0, SHORT_NS);
	cr_assert_eq(last, 0u);
	for (int i = 0; i < 2; i++) {
		s[i] = (struct stop_wait){ .p = &p, .ret = 1 };
		spawn(&th[i], wait_until_stopped, &s[i]);
	}
	t0 = pt_now_ns();
	while (!two_waiters(&p) && pt_now_ns() - t0 < WATCHDOG_NS)
		usleep(1000);
	cr_assert_eq(pt_ptimer_stop(&p), 0);
	for (int i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		cr_assert_eq(s[i].ret, -ECANCELED);
	}
	cr_assert_eq(pt_ptimer_wait_tick(&p, &last, NULL, PT_FOREVER), -ECANCELED);
	cr_assert_eq(pt_ptimer_ticks(&p), 0u);
	pt_ptimer_destroy(&p);
}

/* Holding the tick lock makes the ticker late by many intervals: it then
 * fires one tick for the latest due instant and counts the others as
 * missed, instead of a burst of catch-up ticks. */
Test(ptimer, late_ticks_are_skipped, .timeout = TEST_TIMEOUT)
{
	enum { HOLD_INTERVALS = 20 };
	struct pt_ptimer p;
	uint64_t last = 0, tick_ns, ticks0, missed0, hold0, released;

	cr_assert_eq(pt_ptimer_init(&p, INTERVAL_NS, false), 0);
	cr_assert_eq(pt_ptimer_start(&p), 0);
	cr_assert_eq(pt_ptimer_wait_tick(&p, &last, NULL, WATCHDOG_NS), 0);

	cr_assert_eq(pt_cond_acquire(&p.cond, true, PT_FOREVER), 0);
	hold0 = pt_now_ns();
	ticks0 = p.ticks;
	missed0 = p.missed;
	pt_sleep_ns(HOLD_INTERVALS * INTERVAL_NS);
	cr_assert_eq(p.ticks, ticks0, "ticked without the lock");
	last = p.ticks;
	released = pt_now_ns();
	cr_assert_eq(pt_cond_release(&p.cond), 0);

	cr_assert_eq(pt_ptimer_wait_tick(&p, &last, &tick_ns, WATCHDOG_NS), 0);
	cr_assert_eq(pt_cond_acquire(&p.cond, true, PT_FOREVER), 0);
	/* At least HOLD_INTERVALS - 1 instants fell due while held; all but the
	 * one fired were skipped. The fired one is recent, not the stale one. */
	cr_assert_geq(p.missed - missed0, (uint64_t)HOLD_INTERVALS - 2,
		      "missed %llu while held for %llu intervals",
		      (unsigned long long)(p.missed - missed0),
		      (unsigned long long)((released - hold0) / INTERVAL_NS));
	cr_assert_geq(tick_ns + INTERVAL_NS, released);
	cr_assert(accounting_holds(&p));
	cr_assert_eq(pt_cond_release(&p.cond), 0);
	pt_ptimer_destroy(&p);
}

/* Waiters in other processes, on a process-shared periodic timer. */
static int proc_tick_waiter(void *arg)
{
	return tick_waiter(arg);
}

Test(ptimer, ticks_reach_other_processes, .timeout = TEST_TIMEOUT)
{
	struct pt_ptimer *p = shared_map(sizeof(*p));
	pid_t pid[3];

	cr_assert_eq(pt_ptimer_init(p, INTERVAL_NS, true), 0);
	cr_assert_eq(pt_ptimer_start(p), 0);
	for (int i = 0; i < 3; i++)
		pid[i] = fork_child(proc_tick_waiter, p);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(child_status(pid[i]), 0, "child %d", i);
	cr_assert_eq(pt_ptimer_stop(p), 0);
	pt_ptimer_destroy(p);
	munmap(p, sizeof(*p));
}

/* ------------------------------------------------------------------ */
/* Under a GIL: a worker blocked in Timer.join or wait_for_tick lets the
 * others run; the last of them cancels (or stops) what it waits for. */

struct gil_t {
	bool periodic;
	struct pt_timer t;
	struct shot s;
	struct pt_ptimer p;
	struct gil_probe probe;
};

/* The last ticker releases worker 0: stops the periodic timer it waits on,
 * or cancels the timer it joins. */
static int release_t(void *arg)
{
	struct gil_t *g = arg;

	if (g->periodic)
		return pt_ptimer_stop(&g->p);
	return pt_timer_cancel(&g->t);
}

static int gil_t_body(struct pt_worker *w)
{
	struct gil_t *g = w->arg;
	uint64_t last = 0;
	int ret;

	if (w->id == 0) {
		atomic_store(&g->probe.waiting, 1);
		if (g->periodic) {
			ret = pt_ptimer_wait_tick(&g->p, &last, NULL, WATCHDOG_NS);
			if (ret == -ECANCELED)
				ret = 0;
		} else {
			ret = pt_timer_join(&g->t, WATCHDOG_NS);
		}
		if (ret) {
			snprintf(w->slot->msg, sizeof(w->slot->msg), "waiter: %s", strerror(-ret));
			return ret;
		}
		if (!gil_probe_complete(&g->probe))
			return -EPROTO;
		return 0;
	}
	return gil_probe_tick(w, &g->probe, release_t, g);
}

static void gil_timer(bool periodic)
{
	for (enum pt_model m = PT_MODEL_GIL; m <= PT_MODEL_GIL_OLD; m++) {
		struct gil_t *g = calloc(1, sizeof(*g));
		struct pt_team_stats *st = malloc(sizeof(*st));
		struct pt_team_config cfg = { .model = m, .nworkers = GIL_WORKERS, .body = gil_t_body,
					      .arg = g, .gil = { .switch_interval_us = 500 } };
		struct pt_team t;

		cr_assert(g && st);
		g->periodic = periodic;
		if (periodic) {
			cr_assert_eq(pt_ptimer_init(&g->p, 3600 * PT_NSEC_PER_SEC, false), 0);
			cr_assert_eq(pt_ptimer_start(&g->p), 0);
		} else {
			cr_assert_eq(pt_timer_init(&g->t, false), 0);
			cr_assert_eq(pt_timer_start(&g->t, PT_FOREVER, shot_fn, &g->s), 0);
		}
		cr_assert_eq(pt_team_init(&t, &cfg), 0);
		cr_assert_eq(pt_team_spawn(&t), 0);
		pt_team_go(&t);
		cr_assert_eq(pt_team_join(&t, 2 * WATCHDOG_NS), 0);
		cr_assert_eq(pt_team_collect(&t, st), 0, "%s: %s", pt_model_name(m),
			     st->first_msg ? st->first_msg : "a worker failed");
		pt_team_destroy(&t);
		if (periodic) {
			pt_ptimer_destroy(&g->p);
		} else {
			cr_assert_eq(atomic_load(&g->s.runs), 0);
			pt_timer_destroy(&g->t);
		}
		free(st);
		free(g);
	}
}

Test(timer, gil_join_lets_others_run, .timeout = TEST_TIMEOUT) { gil_timer(false); }
Test(ptimer, gil_wait_tick_lets_others_run, .timeout = TEST_TIMEOUT) { gil_timer(true); }
