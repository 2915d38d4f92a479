// SPDX-License-Identifier: MIT
// The simulated GIL. PT_GIL_NEW reproduces CPython 3.2+'s take_gil() and
// drop_gil() (Python/ceval_gil.c, FORCE_SWITCHING on); PT_GIL_OLD Python 2.7's
// periodic release of a semaphore lock (Python/ceval.c, thread_pthread.h).
#include "gil.h"

#include "clock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define rlx memory_order_relaxed

/* A failure of the locks can only be a bug (a bad pointer, a destroyed
 * lock, a mismatched acquire/release): the lock layer stops at once, like
 * libuv's uv_mutex_lock() and CPython's Py_FatalError() in its
 * MUTEX_LOCK/COND_WAIT macros. */

/* Returns true when the wait timed out (CPython's COND_TIMED_WAIT). */
static bool cond_timedwait(pthread_cond_t *c, struct pt_mutex *m, uint64_t timeout_ns)
{
	return pt_cv_wait_until(c, m, pt_now_ns() + timeout_ns) == -ETIMEDOUT;
}

/* PyThread_acquire_lock(lock, 0) with USE_SEMAPHORES: sem_trywait, retried
 * on EINTR. Returns true when taken. */
static bool sem_take_nowait(sem_t *s)
{
	while (sem_trywait(s) != 0) {
		if (errno == EAGAIN)
			return false;
		if (errno != EINTR)
			pt_bug("sem_trywait", errno);
	}
	return true;
}

/* PyThread_acquire_lock(lock, 1): sem_wait, retried on EINTR. */
static void sem_take(sem_t *s)
{
	while (sem_wait(s) != 0) {
		if (errno != EINTR)
			pt_bug("sem_wait", errno);
	}
}

/* PyThread_release_lock(): sem_post. */
static void sem_give(sem_t *s)
{
	if (sem_post(s) != 0)
		pt_bug("sem_post", errno);
}

static uint64_t interval_ns(const struct pt_gil *g)
{
	/* CPython's INTERVAL macro: never less than 1 us. */
	unsigned us = g->cfg.switch_interval_us ? g->cfg.switch_interval_us : 1;

	return (uint64_t)us * PT_NSEC_PER_USEC;
}

static int check_interval(const struct pt_gil *g)
{
	return g->cfg.check_interval ? (int)g->cfg.check_interval : 1;
}

int pt_gil_init(struct pt_gil *g, const struct pt_gil_config *cfg)
{
	int ret;

	if (cfg->policy != PT_GIL_NEW && cfg->policy != PT_GIL_OLD)
		return -EINVAL;
	memset(g, 0, sizeof(*g));
	g->cfg = *cfg;
	atomic_init(&g->drop_request, 0);
	atomic_init(&g->locked, 0);
	atomic_init(&g->switch_number, 0);
	atomic_init(&g->last_holder, NULL);

	if (cfg->policy == PT_GIL_OLD) {
		/* thread_pthread.h, USE_SEMAPHORES: PyThread_allocate_lock() is
		 * sem_init(lock, 0, 1), a process-private unlocked lock. */
		if (sem_init(&g->sem, 0, 1) != 0)
			return -errno;
		return 0;
	}

	/* create_gil(): gil_mutex, gil_cond, switch_mutex, switch_cond. The
	 * timed wait of take_gil() runs on the monotonic clock, as CPython's
	 * does where pthread_condattr_setclock() exists, so that a step of the
	 * wall clock cannot stretch or cut a switch interval. Process-private:
	 * the GIL models are thread models. */
	ret = pt_mtx_init(&g->mutex, false);
	if (ret)
		return ret;
	ret = pt_cv_init(&g->cond, false);
	if (ret)
		goto err_mutex;
	ret = pt_mtx_init(&g->switch_mutex, false);
	if (ret)
		goto err_cond;
	ret = pt_cv_init(&g->switch_cond, false);
	if (ret)
		goto err_switch_mutex;
	return 0;

err_switch_mutex:
	pt_mtx_destroy(&g->switch_mutex);
err_cond:
	pt_cv_destroy(&g->cond);
err_mutex:
	pt_mtx_destroy(&g->mutex);
	return ret;
}

void pt_gil_destroy(struct pt_gil *g)
{
	if (g->cfg.policy == PT_GIL_OLD) {
		if (sem_destroy(&g->sem) != 0)
			pt_bug("sem_destroy", errno);
		return;
	}
	/* destroy_gil(): conditions before their mutexes. A failure means a
	 * thread still holds or waits for the GIL: a bug in the caller. */
	pt_cv_destroy(&g->cond);
	pt_mtx_destroy(&g->mutex);
	pt_cv_destroy(&g->switch_cond);
	pt_mtx_destroy(&g->switch_mutex);
}

void pt_gil_thread_init(struct pt_gil_thread *t, struct pt_gil *g)
{
	t->gil = g;
	t->ticks_left = check_interval(g);
	t->held = false;
	memset(&t->st, 0, sizeof(t->st));
}

/* Bookkeeping common to both policies once the calling thread holds the GIL. */
static void took(struct pt_gil_thread *t, bool waited, uint64_t t0)
{
	t->held = true;
	t->st.acquisitions++;
	if (waited) {
		uint64_t w = pt_now_ns() - t0;

		t->st.wait_ns += w;
		if (w > t->st.wait_max_ns)
			t->st.wait_max_ns = w;
	}
}

/* Records the new holder: a switch when it differs from the last one (as
 * take_gil() bumps gil->switch_number). The very first holder took it over
 * from nobody and is not counted in this thread's switches. */
static void set_holder(struct pt_gil_thread *t)
{
	struct pt_gil *g = t->gil;
	const void *prev = atomic_load_explicit(&g->last_holder, rlx);

	if (prev == t)
		return;
	atomic_store_explicit(&g->last_holder, (const void *)t, rlx);
	atomic_fetch_add_explicit(&g->switch_number, 1, rlx);
	if (prev)
		t->st.switches++;
}

/* take_gil() of CPython 3.2+ (ceval_gil.c). */
static void take_new(struct pt_gil_thread *t)
{
	struct pt_gil *g = t->gil;
	uint64_t t0 = 0;
	bool waited = false;

	pt_mtx_lock(&g->mutex);
	if (atomic_load_explicit(&g->locked, rlx)) {
		uint64_t iv = interval_ns(g);

		waited = true;
		t0 = pt_now_ns();
		do {
			uint64_t saved = atomic_load_explicit(&g->switch_number, rlx);
			bool timed_out = cond_timedwait(&g->cond, &g->mutex, iv);

			/* "If we timed out and no switch occurred in the
			 * meantime, it is time to ask the GIL-holding thread to
			 * drop it." A switch in between restarts the interval:
			 * the new holder gets a full one. */
			if (timed_out && atomic_load_explicit(&g->locked, rlx) &&
			    atomic_load_explicit(&g->switch_number, rlx) == saved) {
				atomic_store_explicit(&g->drop_request, 1, rlx);
				t->st.drop_requests++;
			}
		} while (atomic_load_explicit(&g->locked, rlx));
	}

	/* As take_gil(): switch_mutex is taken before last_holder changes, so
	 * that a dropper in forced switching either sees the new holder or is
	 * already waiting on switch_cond when it is signalled. */
	pt_mtx_lock(&g->switch_mutex);
	atomic_store_explicit(&g->locked, 1, rlx);
	set_holder(t);
	pt_cv_signal(&g->switch_cond);
	pt_mtx_unlock(&g->switch_mutex);

	/* take_gil() resets the drop request once the new holder has the GIL:
	 * whatever was asked of the previous holder has been done. */
	atomic_store_explicit(&g->drop_request, 0, rlx);
	pt_mtx_unlock(&g->mutex);
	took(t, waited, t0);
}

/* drop_gil() of CPython 3.2+ with FORCE_SWITCHING. */
static void drop_new(struct pt_gil_thread *t)
{
	struct pt_gil *g = t->gil;

	t->held = false;
	pt_mtx_lock(&g->mutex);
	atomic_store_explicit(&g->locked, 0, rlx);
	pt_cv_signal(&g->cond);
	pt_mtx_unlock(&g->mutex);

	/* Forced switching: with a drop request pending, some thread waits in
	 * take_gil() (only waiters set the request, and the next holder clears
	 * it). Do not run ahead and re-take the GIL before that thread got it,
	 * which on a multicore machine the dropper would usually win. */
	if (!atomic_load_explicit(&g->drop_request, rlx))
		return;
	pt_mtx_lock(&g->switch_mutex);
	if (atomic_load_explicit(&g->last_holder, rlx) == t) {
		/* drop_gil() resets the request here too
		 * (RESET_GIL_DROP_REQUEST): it has been honoured. */
		atomic_store_explicit(&g->drop_request, 0, rlx);
		/* CPython waits once; loop so that a spurious wakeup cannot
		 * let us go before the switch happened. */
		do
			pt_cv_wait_until(&g->switch_cond, &g->switch_mutex, UINT64_MAX);
		while (atomic_load_explicit(&g->last_holder, rlx) == t);
	}
	pt_mtx_unlock(&g->switch_mutex);
}

/* PyEval_RestoreThread() / the re-acquire in ceval.c of Python 2.7:
 * PyThread_acquire_lock(interpreter_lock, 1). glibc's sem_wait() tries the
 * same atomic decrement as sem_trywait() before it sleeps, so trying first
 * changes nothing but lets an uncontended take cost no clock reads. */
static void take_old(struct pt_gil_thread *t)
{
	struct pt_gil *g = t->gil;
	uint64_t t0 = 0;
	bool waited = false;

	if (!sem_take_nowait(&g->sem)) {
		waited = true;
		t0 = pt_now_ns();
		sem_take(&g->sem);
	}
	/* The semaphore orders these plain updates between holders. */
	atomic_store_explicit(&g->locked, 1, rlx);
	set_holder(t);
	/* Python 2's _Py_Ticker is one global counter reset to
	 * _Py_CheckInterval at each check; a per-thread counter reset at each
	 * acquire gives a new holder the same full interval. */
	t->ticks_left = check_interval(g);
	took(t, waited, t0);
}

/* PyEval_SaveThread() of Python 2.7: PyThread_release_lock(), a sem_post()
 * that wakes one waiter but hands nothing over. */
static void drop_old(struct pt_gil_thread *t)
{
	struct pt_gil *g = t->gil;

	t->held = false;
	atomic_store_explicit(&g->locked, 0, rlx);
	sem_give(&g->sem);
}

void pt_gil_acquire(struct pt_gil_thread *t)
{
	/* Whatever errno the caller's blocking call left survives the wait,
	 * as take_gil() saves and restores it (Python/ceval_gil.c: "int err =
	 * errno;" on entry, "errno = err;" before it returns): the calls in
	 * between (sem_trywait, the condition variable) may set it. */
	int err = errno;

	if (t->held)
		pt_bug("pt_gil_acquire: GIL already held", EDEADLK);
	if (t->gil->cfg.policy == PT_GIL_NEW)
		take_new(t);
	else
		take_old(t);
	errno = err;
}

void pt_gil_release(struct pt_gil_thread *t)
{
	/* drop_gil(): Py_FatalError("drop_gil: GIL is not locked"). */
	if (!t->held)
		pt_bug("pt_gil_release: GIL not held", EPERM);
	if (t->gil->cfg.policy == PT_GIL_NEW)
		drop_new(t);
	else
		drop_old(t);
}

void pt_gil_yield(struct pt_gil_thread *t)
{
	t->st.yields++;
	/* PT_GIL_NEW: the eval breaker's gil_drop_request branch in
	 * ceval.c, drop_gil() then take_gil(); forced switching happens in
	 * the drop. PT_GIL_OLD: Python 2.7's "Give another thread a chance"
	 * when _Py_Ticker runs out, release then at once acquire, so the
	 * woken waiter usually finds the lock taken again. */
	pt_gil_release(t);
	pt_gil_acquire(t);
}
