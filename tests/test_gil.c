// SPDX-License-Identifier: MIT
// The simulated GIL under contention: mutual exclusion, no starvation, drop
// requests, forced switching, blocking sections, Python 2's check interval.
#include "clock.h"
#include "gil.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

/* A short switch interval, so that contended tests see many switches. */
#define SHORT_US 200
/* In-test watchdog for loops that wait on the scheduler: far above what any
 * run needs, below the Criterion timeout so that the test fails with a
 * message instead of being killed. Never a performance threshold. */
#define WATCHDOG_NS (15 * PT_NSEC_PER_SEC)
#define TEST_TIMEOUT 40

static struct pt_gil_config cfg_of(enum pt_gil_policy p)
{
	struct pt_gil_config c = {
		.policy = p,
		.switch_interval_us = SHORT_US,
		.check_interval = PT_GIL_DEFAULT_CHECK,
	};
	return c;
}

static void gil_setup(struct pt_gil *g, enum pt_gil_policy p)
{
	struct pt_gil_config c = cfg_of(p);
	int ret = pt_gil_init(g, &c);

	cr_assert_eq(ret, 0, "pt_gil_init: %s", strerror(-ret));
}

static void spawn(pthread_t *th, void *(*fn)(void *), void *arg)
{
	int ret = pthread_create(th, NULL, fn, arg);

	cr_assert_eq(ret, 0, "pthread_create: %s", strerror(ret));
}

static void join(pthread_t th)
{
	int ret = pthread_join(th, NULL);

	cr_assert_eq(ret, 0, "pthread_join: %s", strerror(ret));
}

static void wait_flag(_Atomic int *flag)
{
	while (!atomic_load(flag))
		sched_yield();
}

/* ------------------------------------------------------------------ */
/* 1. Mutual exclusion: a plain counter bumped only while holding the GIL
 * adds up, and an atomic count of threads inside never exceeds one. The
 * number of switches depends on the scheduler, not the outcome; the test
 * does a fixed amount of work and cannot hang unless the GIL deadlocks
 * (then the timeout fails it). */

#define MX_THREADS 4
#define MX_ITERS 300000ul

struct mx_ctx {
	struct pt_gil gil;
	_Atomic int go;
	_Atomic int inside;
	_Atomic int violations;
	_Atomic unsigned long yields; /* by every worker, so far */
	unsigned long counter; /* plain: only touched while holding the GIL */
};

struct mx_worker {
	struct mx_ctx *c;
	struct pt_gil_thread gt;
	pthread_t th;
	unsigned long iters;
};

static void *mx_body(void *arg)
{
	struct mx_worker *w = arg;
	struct mx_ctx *c = w->c;

	wait_flag(&c->go);
	pt_gil_acquire(&w->gt);
	/* Past MX_ITERS until some worker has yielded: on a loaded machine
	 * a holder can otherwise finish within one switch interval, before
	 * anybody asked it to drop the GIL. The others wait for the GIL
	 * meanwhile, so the first holder is asked to drop it in time. */
	for (w->iters = 0; w->iters < MX_ITERS || !atomic_load(&c->yields); w->iters++) {
		uint64_t y = w->gt.st.yields;

		pt_gil_tick(&w->gt);
		if (w->gt.st.yields != y)
			atomic_fetch_add(&c->yields, 1);
		if (atomic_fetch_add(&c->inside, 1) != 0)
			atomic_fetch_add(&c->violations, 1);
		c->counter++;
		atomic_fetch_sub(&c->inside, 1);
	}
	pt_gil_release(&w->gt);
	return NULL;
}

static void mutual_exclusion(enum pt_gil_policy p)
{
	static struct mx_ctx c;
	static struct mx_worker w[MX_THREADS];
	struct pt_gil_stats sum = { 0 };
	unsigned long iters = 0;

	memset(&c, 0, sizeof(c));
	gil_setup(&c.gil, p);
	for (int i = 0; i < MX_THREADS; i++) {
		w[i].c = &c;
		pt_gil_thread_init(&w[i].gt, &c.gil);
		spawn(&w[i].th, mx_body, &w[i]);
	}
	atomic_store(&c.go, 1);
	for (int i = 0; i < MX_THREADS; i++)
		join(w[i].th);

	cr_expect_eq(atomic_load(&c.violations), 0, "two holders at once");
	for (int i = 0; i < MX_THREADS; i++)
		iters += w[i].iters;
	cr_expect_eq(c.counter, iters, "counter %lu, want %lu", c.counter, iters);
	for (int i = 0; i < MX_THREADS; i++) {
		const struct pt_gil_stats *s = &w[i].gt.st;

		cr_expect(!w[i].gt.held);
		cr_expect_geq(s->acquisitions, 1);
		cr_expect_leq(s->wait_max_ns, s->wait_ns);
		sum.acquisitions += s->acquisitions;
		sum.switches += s->switches;
		sum.drop_requests += s->drop_requests;
		sum.yields += s->yields;
	}
	/* Every acquisition but the first is either a yield's re-take or a
	 * worker's first take. */
	cr_expect_eq(sum.acquisitions, MX_THREADS + sum.yields);
	if (p == PT_GIL_NEW) {
		/* Four CPU-bound threads, each busy for many intervals. */
		cr_expect_gt(sum.switches, 0);
		cr_expect_gt(sum.drop_requests, 0);
		cr_expect_gt(sum.yields, 0);
	} else {
		cr_expect_eq(sum.drop_requests, 0);
	}
	pt_gil_destroy(&c.gil);
}

Test(gil, mutual_exclusion_new, .timeout = TEST_TIMEOUT)
{
	mutual_exclusion(PT_GIL_NEW);
}

Test(gil, mutual_exclusion_old, .timeout = TEST_TIMEOUT)
{
	mutual_exclusion(PT_GIL_OLD);
}

/* ------------------------------------------------------------------ */
/* 2. No starvation (PT_GIL_NEW): every CPU-bound thread gets the GIL back
 * K times while all of them keep competing. Relies on the scheduler; cannot
 * hang: the loop stops at WATCHDOG_NS and the test has a timeout. */

#define NS_THREADS 4
#define NS_K 10

struct ns_ctx {
	struct pt_gil gil;
	_Atomic int go;
	_Atomic int reached;
	_Atomic int expired;
	uint64_t deadline;
};

struct ns_worker {
	struct ns_ctx *c;
	struct pt_gil_thread gt;
	pthread_t th;
};

static void *ns_body(void *arg)
{
	struct ns_worker *w = arg;
	struct ns_ctx *c = w->c;
	bool mine = false;
	unsigned long n = 0;

	wait_flag(&c->go);
	pt_gil_acquire(&w->gt);
	/* Keep competing until everyone got there, so that a starved thread
	 * is not rescued by the others leaving. */
	while (atomic_load_explicit(&c->reached, memory_order_relaxed) < NS_THREADS) {
		pt_gil_tick(&w->gt);
		if (!mine && w->gt.st.acquisitions >= 1 + NS_K) {
			mine = true;
			atomic_fetch_add(&c->reached, 1);
		}
		if (++n % 1024 == 0 && pt_now_ns() > c->deadline) {
			atomic_store(&c->expired, 1);
			break;
		}
	}
	pt_gil_release(&w->gt);
	return NULL;
}

Test(gil, no_starvation_new, .timeout = TEST_TIMEOUT)
{
	static struct ns_ctx c;
	static struct ns_worker w[NS_THREADS];

	memset(&c, 0, sizeof(c));
	gil_setup(&c.gil, PT_GIL_NEW);
	c.deadline = pt_now_ns() + WATCHDOG_NS;
	for (int i = 0; i < NS_THREADS; i++) {
		w[i].c = &c;
		pt_gil_thread_init(&w[i].gt, &c.gil);
		spawn(&w[i].th, ns_body, &w[i]);
	}
	atomic_store(&c.go, 1);
	for (int i = 0; i < NS_THREADS; i++)
		join(w[i].th);

	cr_expect_eq(atomic_load(&c.expired), 0, "watchdog fired");
	for (int i = 0; i < NS_THREADS; i++)
		cr_expect_geq(w[i].gt.st.acquisitions, 1 + NS_K,
			      "thread %d took the GIL %llu times", i,
			      (unsigned long long)w[i].gt.st.acquisitions);
	pt_gil_destroy(&c.gil);
}

/* ------------------------------------------------------------------ */
/* 3. A drop request is honoured (PT_GIL_NEW): A holds and ticks until B
 * got the GIL, so B's acquire can only return if A gave it up at a tick.
 * Needs no luck: B's timed wait expires, B sets the request, A's next tick
 * sees it. If the GIL never honoured it the test would hang: the timeout
 * fails it. */

struct dr_ctx {
	struct pt_gil gil;
	struct pt_gil_thread a, b;
	_Atomic int a_holding;
	_Atomic int b_got;
	_Atomic int a_left_loop;
	int b_saw_a_in_loop;
};

static void *dr_a(void *arg)
{
	struct dr_ctx *c = arg;

	pt_gil_acquire(&c->a);
	atomic_store(&c->a_holding, 1);
	while (!atomic_load_explicit(&c->b_got, memory_order_relaxed))
		pt_gil_tick(&c->a);
	atomic_store(&c->a_left_loop, 1);
	pt_gil_release(&c->a);
	return NULL;
}

static void *dr_b(void *arg)
{
	struct dr_ctx *c = arg;

	wait_flag(&c->a_holding);
	pt_gil_acquire(&c->b);
	c->b_saw_a_in_loop = !atomic_load(&c->a_left_loop);
	atomic_store(&c->b_got, 1);
	pt_gil_release(&c->b);
	return NULL;
}

Test(gil, drop_request_honoured, .timeout = TEST_TIMEOUT)
{
	static struct dr_ctx c;
	pthread_t ta, tb;

	memset(&c, 0, sizeof(c));
	gil_setup(&c.gil, PT_GIL_NEW);
	pt_gil_thread_init(&c.a, &c.gil);
	pt_gil_thread_init(&c.b, &c.gil);
	spawn(&ta, dr_a, &c);
	spawn(&tb, dr_b, &c);
	join(ta);
	join(tb);

	cr_expect(c.b_saw_a_in_loop, "B got the GIL only after A left its loop");
	cr_expect_geq(c.a.st.yields, 1);
	cr_expect_geq(c.a.st.acquisitions, 2);
	cr_expect_geq(c.b.st.drop_requests, 1);
	cr_expect_eq(c.b.st.acquisitions, 1);
	cr_expect_eq(c.b.st.switches, 1);
	/* B's wait timed out at least once: it lasted a full interval by the
	 * same monotonic clock (a consequence of the algorithm, not a speed). */
	cr_expect_geq(c.b.st.wait_ns, (uint64_t)SHORT_US * PT_NSEC_PER_USEC);
	cr_expect_eq(c.b.st.wait_max_ns, c.b.st.wait_ns);
	pt_gil_destroy(&c.gil);
}

/* ------------------------------------------------------------------ */
/* 4. Forced switching (PT_GIL_NEW): two CPU-bound threads log each take of
 * the GIL. After a yield (always a drop request under PT_GIL_NEW) the next
 * holder must be the other thread. Without forced switching the yielder,
 * already running, nearly always re-takes the GIL before the woken waiter
 * does, and the log shows it twice in a row. Relies on the scheduler for
 * the number of rounds; cannot hang (watchdog, timeout). */

#define FS_LOG 400

struct fs_entry {
	int id;
	bool after_yield;
};

struct fs_ctx {
	struct pt_gil gil;
	_Atomic int go;
	_Atomic int expired;
	uint64_t deadline;
	int len;			/* log: only touched holding the GIL */
	struct fs_entry log[FS_LOG];
};

struct fs_worker {
	struct fs_ctx *c;
	int id;
	struct pt_gil_thread gt;
	pthread_t th;
};

static void fs_log(struct fs_worker *w, bool after_yield)
{
	struct fs_ctx *c = w->c;

	if (c->len < FS_LOG)
		c->log[c->len++] = (struct fs_entry){ w->id, after_yield };
}

static void *fs_body(void *arg)
{
	struct fs_worker *w = arg;
	struct fs_ctx *c = w->c;
	unsigned long n = 0;

	wait_flag(&c->go);
	pt_gil_acquire(&w->gt);
	fs_log(w, false);
	while (c->len < FS_LOG) {
		uint64_t y = w->gt.st.yields;

		pt_gil_tick(&w->gt);
		if (w->gt.st.yields != y)
			fs_log(w, true);
		if (++n % 1024 == 0 && pt_now_ns() > c->deadline) {
			atomic_store(&c->expired, 1);
			break;
		}
	}
	pt_gil_release(&w->gt);
	return NULL;
}

Test(gil, forced_switching, .timeout = TEST_TIMEOUT)
{
	static struct fs_ctx c;
	static struct fs_worker w[2];
	int after_yield = 0, same = 0, first_bad = -1;

	memset(&c, 0, sizeof(c));
	gil_setup(&c.gil, PT_GIL_NEW);
	c.deadline = pt_now_ns() + WATCHDOG_NS;
	for (int i = 0; i < 2; i++) {
		w[i].c = &c;
		w[i].id = i;
		pt_gil_thread_init(&w[i].gt, &c.gil);
		spawn(&w[i].th, fs_body, &w[i]);
	}
	atomic_store(&c.go, 1);
	for (int i = 0; i < 2; i++)
		join(w[i].th);

	cr_expect_eq(atomic_load(&c.expired), 0, "watchdog fired at %d entries", c.len);
	for (int i = 1; i < c.len; i++) {
		if (!c.log[i].after_yield)
			continue;
		after_yield++;
		if (c.log[i].id == c.log[i - 1].id) {
			same++;
			if (first_bad < 0)
				first_bad = i;
		}
	}
	cr_expect_gt(after_yield, FS_LOG / 2);
	cr_expect_eq(same, 0, "%d of %d yields re-took the GIL before any other "
		     "thread (first at entry %d)", same, after_yield, first_bad);
	for (int i = 0; i < 2; i++)
		cr_expect_geq(w[i].gt.st.drop_requests, 1);
	pt_gil_destroy(&c.gil);
}

/* ------------------------------------------------------------------ */
/* 5. A blocking section lets others run: A releases, sleeps, re-acquires.
 * B counts its work done while A is asleep, by a flag A raises only after
 * its release and lowers before its acquire. A sleeps 50 ms at a time until
 * B made progress, so a slow scheduler cannot fail the test, while a
 * release that releases nothing makes the watchdog fire. */

struct bs_ctx {
	struct pt_gil gil;
	struct pt_gil_thread a, b;
	_Atomic int a_holding;
	_Atomic int a_asleep;
	_Atomic int b_progress;
	_Atomic int a_back;
	unsigned long during;	/* B's work while A slept; under the GIL */
	unsigned long b_work;	/* under the GIL */
	unsigned long b_work_at_back, b_work_at_end;
	int slept;
};

static void *bs_a(void *arg)
{
	struct bs_ctx *c = arg;

	pt_gil_acquire(&c->a);
	atomic_store(&c->a_holding, 1);

	/* Py_BEGIN_ALLOW_THREADS; time.sleep(0.05); Py_END_ALLOW_THREADS */
	pt_gil_release(&c->a);
	atomic_store(&c->a_asleep, 1);
	do {
		pt_sleep_ns(50 * PT_NSEC_PER_MSEC);
		c->slept++;
	} while (!atomic_load(&c->b_progress) && c->slept < 300);
	atomic_store(&c->a_asleep, 0);
	pt_gil_acquire(&c->a);

	c->b_work_at_back = c->b_work;
	atomic_store(&c->a_back, 1);
	/* Still the holder: B cannot have worked meanwhile. */
	c->b_work_at_end = c->b_work;
	pt_gil_release(&c->a);
	return NULL;
}

static void *bs_b(void *arg)
{
	struct bs_ctx *c = arg;

	wait_flag(&c->a_holding);
	pt_gil_acquire(&c->b);
	while (!atomic_load_explicit(&c->a_back, memory_order_relaxed)) {
		if (atomic_load(&c->a_asleep)) {
			c->during++;
			atomic_store(&c->b_progress, 1);
		}
		c->b_work++;
		pt_gil_tick(&c->b);
	}
	pt_gil_release(&c->b);
	return NULL;
}

static void blocking_section(enum pt_gil_policy p)
{
	static struct bs_ctx c;
	pthread_t ta, tb;

	memset(&c, 0, sizeof(c));
	gil_setup(&c.gil, p);
	pt_gil_thread_init(&c.a, &c.gil);
	pt_gil_thread_init(&c.b, &c.gil);
	spawn(&ta, bs_a, &c);
	spawn(&tb, bs_b, &c);
	join(ta);
	join(tb);

	cr_expect_gt(c.during, 0, "B made no progress while A slept (%d naps)", c.slept);
	cr_expect_geq(c.b_work, c.during);
	cr_expect_eq(c.b_work_at_end, c.b_work_at_back);
	cr_expect_eq(c.a.st.acquisitions, 2);
	cr_expect_geq(c.b.st.acquisitions, 1);
	pt_gil_destroy(&c.gil);
}

/* Relies on the scheduler only through B waking up while A sleeps; bounded
 * by A's nap limit and the timeout. Under PT_GIL_OLD, A's re-acquire races
 * B's back-to-back release/acquire (no handoff): it wins eventually. */
Test(gil, blocking_section_new, .timeout = TEST_TIMEOUT)
{
	blocking_section(PT_GIL_NEW);
}

Test(gil, blocking_section_old, .timeout = TEST_TIMEOUT)
{
	blocking_section(PT_GIL_OLD);
}

/* ------------------------------------------------------------------ */
/* 6. Python 2's check interval, and the single-thread cases. */

static void single_thread(enum pt_gil_policy p, struct pt_gil_stats *out)
{
	struct pt_gil g;
	struct pt_gil_thread t;

	gil_setup(&g, p);
	pt_gil_thread_init(&t, &g);
	cr_expect(!t.held);
	pt_gil_acquire(&t);
	cr_expect(t.held);
	for (int i = 0; i < 10000; i++)
		pt_gil_tick(&t);
	/* A blocking section with nobody else around must not wait. */
	pt_gil_release(&t);
	cr_expect(!t.held);
	pt_gil_acquire(&t);
	pt_gil_release(&t);
	*out = t.st;
	pt_gil_destroy(&g);
}

Test(gil, old_check_interval_exact, .timeout = TEST_TIMEOUT)
{
	struct pt_gil_stats s;

	single_thread(PT_GIL_OLD, &s);
	/* 1 + 10000/100 from the ticks, + 1 for the blocking section. */
	cr_expect_eq(s.acquisitions, 1 + 10000 / 100 + 1);
	cr_expect_eq(s.yields, 10000 / 100);
	cr_expect_eq(s.switches, 0);
	cr_expect_eq(s.drop_requests, 0);
	cr_expect_eq(s.wait_ns, 0);
}

/* One thread never sees a drop request, so it never waits on itself. */
Test(gil, new_single_thread, .timeout = TEST_TIMEOUT)
{
	struct pt_gil_stats s;

	single_thread(PT_GIL_NEW, &s);
	cr_expect_eq(s.acquisitions, 2);
	cr_expect_eq(s.yields, 0);
	cr_expect_eq(s.switches, 0);
	cr_expect_eq(s.drop_requests, 0);
	cr_expect_eq(s.wait_ns, 0);
}

/* Two CPU-bound threads under PT_GIL_OLD: no handoff, but each gets the
 * lock over from the other a few times. Relies on the scheduler: cannot
 * hang (watchdog in the loop, timeout). */

#define OP_SWITCHES 3

struct op_ctx {
	struct pt_gil gil;
	_Atomic int go;
	_Atomic int reached;
	_Atomic int expired;
	uint64_t deadline;
};

struct op_worker {
	struct op_ctx *c;
	struct pt_gil_thread gt;
	pthread_t th;
};

static void *op_body(void *arg)
{
	struct op_worker *w = arg;
	struct op_ctx *c = w->c;
	bool mine = false;
	unsigned long n = 0;

	wait_flag(&c->go);
	pt_gil_acquire(&w->gt);
	while (atomic_load_explicit(&c->reached, memory_order_relaxed) < 2) {
		pt_gil_tick(&w->gt);
		if (!mine && w->gt.st.switches >= OP_SWITCHES) {
			mine = true;
			atomic_fetch_add(&c->reached, 1);
		}
		if (++n % 1024 == 0 && pt_now_ns() > c->deadline) {
			atomic_store(&c->expired, 1);
			break;
		}
	}
	pt_gil_release(&w->gt);
	return NULL;
}

Test(gil, old_two_threads_progress, .timeout = TEST_TIMEOUT)
{
	static struct op_ctx c;
	static struct op_worker w[2];

	memset(&c, 0, sizeof(c));
	gil_setup(&c.gil, PT_GIL_OLD);
	c.deadline = pt_now_ns() + WATCHDOG_NS;
	for (int i = 0; i < 2; i++) {
		w[i].c = &c;
		pt_gil_thread_init(&w[i].gt, &c.gil);
		spawn(&w[i].th, op_body, &w[i]);
	}
	atomic_store(&c.go, 1);
	for (int i = 0; i < 2; i++)
		join(w[i].th);

	cr_expect_eq(atomic_load(&c.expired), 0, "watchdog fired");
	for (int i = 0; i < 2; i++) {
		cr_expect_geq(w[i].gt.st.switches, OP_SWITCHES);
		cr_expect_eq(w[i].gt.st.drop_requests, 0);
	}
	pt_gil_destroy(&c.gil);
}

Test(gil, init_rejects_unknown_policy, .timeout = TEST_TIMEOUT)
{
	struct pt_gil g;
	struct pt_gil_config cfg = { .policy = (enum pt_gil_policy)42 };

	cr_expect_eq(pt_gil_init(&g, &cfg), -EINVAL);
}
