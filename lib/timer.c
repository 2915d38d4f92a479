// SPDX-License-Identifier: MIT
// threading.Timer (CPython Lib/threading.py: a thread that waits on an
// Event for the delay and runs the function unless cancelled) and the
// Condition-based periodic timer of the Python Cookbook (recipe 12.2).
#include "timer.h"

#include "clock.h"
#include "model.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

/* Helper threads take no asynchronous signals: those belong to the main
 * thread (the driver's SIGINT/SIGTERM handling). */
static int create_helper(pthread_t *th, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int ret;

	sigfillset(&all);
	pt_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(th, NULL, fn, arg);
	pt_sigmask(SIG_SETMASK, &old, NULL);
	return -ret;
}

/* ------------------------------------------------------------------ */
/* Timer */

int pt_timer_init(struct pt_timer *t, bool pshared)
{
	int ret;

	memset(t, 0, sizeof(*t));
	t->state = PT_TIMER_IDLE;
	t->pshared = pshared;
	ret = pt_mtx_init(&t->m, pshared);
	if (ret)
		return ret;
	ret = pt_cv_init(&t->cv, pshared);
	if (ret)
		pt_mtx_destroy(&t->m);
	return ret;
}

void pt_timer_destroy(struct pt_timer *t)
{
	bool pending;

	pt_mtx_lock(&t->m);
	pending = t->has_thread && !t->reaped && t->pid == getpid();
	pt_mtx_unlock(&t->m);
	if (pending) {
		pt_timer_cancel(t);
		pt_timer_join(t, PT_FOREVER);
	}
	pt_cv_destroy(&t->cv);
	pt_mtx_destroy(&t->m);
}

static void *timer_main(void *arg)
{
	struct pt_timer *t = arg;
	int r = pt_mtx_lock(&t->m);

	/* Timer.run(): finished.wait(interval), then fire unless cancelled.
	 * The decision is taken under the mutex cancel() takes, so a cancel
	 * that reports success always wins. A broken timer never fires. */
	while (!r && t->state == PT_TIMER_WAITING)
		r = pt_cv_wait_until(&t->cv, &t->m, t->due_ns);
	if (r != PT_BROKEN && t->state == PT_TIMER_WAITING) {
		t->state = PT_TIMER_RUNNING;
		t->fired_ns = pt_now_ns();
		pt_mtx_unlock(&t->m);
		t->fn(t->arg);
		pt_mtx_lock(&t->m);
		t->state = PT_TIMER_DONE;
	}
	t->exited = true;
	pt_cv_broadcast(&t->cv);
	pt_mtx_unlock(&t->m);
	return NULL;
}

int pt_timer_start(struct pt_timer *t, uint64_t delay_ns, pt_timer_fn fn, void *arg)
{
	pthread_t th;
	int ret;

	if (!fn)
		return -EINVAL;
	if ((ret = pt_mtx_lock_checked(&t->m, "Timer")) != 0)
		return ret;
	if (t->started) {
		pt_mtx_unlock(&t->m);
		return -EBUSY;
	}
	t->started = true;
	t->pid = getpid();
	if (t->state == PT_TIMER_CANCELLED) {
		/* Cancelled before it started: Python's thread would find the
		 * event set at once and return. */
		t->exited = true;
		pt_mtx_unlock(&t->m);
		return 0;
	}
	t->fn = fn;
	t->arg = arg;
	t->due_ns = pt_deadline_after(delay_ns);
	t->state = PT_TIMER_WAITING;
	/* The helper is created with the mutex held (its first step takes
	 * it): no cancel can slip in before a failed creation is undone, so
	 * a cancel that reported success is never turned back into IDLE. */
	ret = create_helper(&th, timer_main, t);
	if (ret) {
		t->state = PT_TIMER_IDLE;
		t->started = false;
	} else {
		t->thread = th;
		t->has_thread = true;
	}
	pt_mtx_unlock(&t->m);
	return ret;
}

int pt_timer_cancel(struct pt_timer *t)
{
	int ret = 0;

	pt_mtx_lock(&t->m);
	switch (t->state) {
	case PT_TIMER_IDLE:
	case PT_TIMER_WAITING:
		t->state = PT_TIMER_CANCELLED;
		pt_cv_broadcast(&t->cv);
		break;
	case PT_TIMER_CANCELLED:
		break;
	default:
		ret = -EALREADY;
		break;
	}
	pt_mtx_unlock(&t->m);
	return ret;
}

int pt_timer_join(struct pt_timer *t, uint64_t timeout_ns)
{
	uint64_t deadline;
	pthread_t th;
	bool blocked = false, reap = false;
	int ret, r;

	if ((ret = pt_mtx_lock_checked(&t->m, "Timer")) != 0)
		return ret;
	if (!t->started) {
		pt_mtx_unlock(&t->m);
		return -EINVAL;
	}
	if (!t->exited) {
		if (timeout_ns == 0) {
			pt_mtx_unlock(&t->m);
			return -ETIMEDOUT;
		}
		deadline = pt_deadline_after(timeout_ns);
		r = pt_mtx_enter_blocking(&t->m, &blocked);
		for (;;) {
			if (r == PT_BROKEN) {
				ret = r;
				break;
			}
			if (t->exited)
				break;
			if (r) {
				ret = -ETIMEDOUT;
				break;
			}
			r = pt_cv_wait_step(&t->cv, &t->m, deadline);
		}
	}
	if (!ret && t->has_thread && !t->reaped && t->pid == getpid()) {
		t->reaped = true;
		th = t->thread;
		reap = true;
	}
	pt_mtx_unlock_leave(&t->m, blocked);
	/* The thread has set `exited` and is returning: this join is brief and
	 * needs nothing from the GIL. */
	if (reap)
		pt_thread_join(th);
	return ret == PT_BROKEN ? pt_broken(&t->m, "Timer") : ret;
}

enum pt_timer_state pt_timer_state(struct pt_timer *t)
{
	int s;

	pt_mtx_lock(&t->m);
	s = t->state;
	pt_mtx_unlock(&t->m);
	return (enum pt_timer_state)s;
}

uint64_t pt_timer_due_ns(struct pt_timer *t)
{
	uint64_t v;

	pt_mtx_lock(&t->m);
	v = t->due_ns;
	pt_mtx_unlock(&t->m);
	return v;
}

uint64_t pt_timer_fired_ns(struct pt_timer *t)
{
	uint64_t v;

	pt_mtx_lock(&t->m);
	v = t->fired_ns;
	pt_mtx_unlock(&t->m);
	return v;
}

/* ------------------------------------------------------------------ */
/* Periodic timer */

int pt_ptimer_init(struct pt_ptimer *p, uint64_t interval_ns, bool pshared)
{
	/* Keeps start + k * interval arithmetic far from overflow. */
	if (!interval_ns || interval_ns > UINT64_MAX / 4)
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	p->interval_ns = interval_ns;
	return pt_cond_init(&p->cond, pshared);
}

static void *ptimer_main(void *arg)
{
	struct pt_ptimer *p = arg;
	uint64_t next, now, late;

	pt_cond_acquire(&p->cond, true, PT_FOREVER);
	next = p->start_ns + p->interval_ns;
	while (!p->stopping) {
		now = pt_now_ns();
		if (now < next) {
			/* Releases the lock while sleeping; stop() wakes it. */
			pt_cond_wait(&p->cond, next - now);
			continue;
		}
		/* Fire once, for the latest due instant passed; skip the rest. */
		late = (now - next) / p->interval_ns;
		p->missed += late;
		p->tick_ns = next + late * p->interval_ns;
		p->ticks++;
		next = p->tick_ns + p->interval_ns;
		pt_cond_notify_all(&p->cond);
	}
	pt_cond_release(&p->cond);
	return NULL;
}

int pt_ptimer_start(struct pt_ptimer *p)
{
	pthread_t th;
	int ret;

	pt_cond_acquire(&p->cond, true, PT_FOREVER);
	if (p->started) {
		pt_cond_release(&p->cond);
		return -EBUSY;
	}
	p->started = true;
	p->pid = getpid();
	p->start_ns = pt_now_ns();
	ret = create_helper(&th, ptimer_main, p);
	if (ret)
		p->started = false;
	else
		p->thread = th;
	pt_cond_release(&p->cond);
	return ret;
}

struct tick_wait {
	struct pt_ptimer *p;
	uint64_t seen;
};

static int tick_ready(void *arg)
{
	struct tick_wait *w = arg;

	return w->p->ticks != w->seen || w->p->stopping;
}

int pt_ptimer_wait_tick(struct pt_ptimer *p, uint64_t *last_seen, uint64_t *tick_ns,
			uint64_t timeout_ns)
{
	struct tick_wait w = { .p = p, .seen = *last_seen };
	int ret;

	/* Python's `with self._cv:`; the lock is only ever held briefly. */
	ret = pt_cond_acquire(&p->cond, true, PT_FOREVER);
	if (ret)
		return ret;
	ret = pt_cond_wait_for(&p->cond, tick_ready, &w, timeout_ns);
	if (p->ticks != w.seen) {
		*last_seen = p->ticks;
		if (tick_ns)
			*tick_ns = p->tick_ns;
		ret = 0;
	} else if (p->stopping) {
		ret = -ECANCELED;
	}
	pt_cond_release(&p->cond);
	return ret;
}

uint64_t pt_ptimer_ticks(struct pt_ptimer *p)
{
	uint64_t v;

	pt_cond_acquire(&p->cond, true, PT_FOREVER);
	v = p->ticks;
	pt_cond_release(&p->cond);
	return v;
}

uint64_t pt_ptimer_missed(struct pt_ptimer *p)
{
	uint64_t v;

	pt_cond_acquire(&p->cond, true, PT_FOREVER);
	v = p->missed;
	pt_cond_release(&p->cond);
	return v;
}

int pt_ptimer_stop(struct pt_ptimer *p)
{
	pthread_t th;
	bool join = false;

	pt_cond_acquire(&p->cond, true, PT_FOREVER);
	p->stopping = true;
	pt_cond_notify_all(&p->cond);
	if (p->started && !p->reaped && p->pid == getpid()) {
		p->reaped = true;
		th = p->thread;
		join = true;
	}
	pt_cond_release(&p->cond);
	if (join) {
		pt_block_begin(NULL);
		pt_thread_join(th);
		pt_block_end(NULL);
	}
	return 0;
}

void pt_ptimer_destroy(struct pt_ptimer *p)
{
	pt_ptimer_stop(p);
	pt_cond_destroy(&p->cond);
}
