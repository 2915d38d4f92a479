// SPDX-License-Identifier: MIT
// Event, Condition, Semaphore, BoundedSemaphore and Barrier with the
// semantics of CPython's Lib/threading.py, on pthread mutexes and
// CLOCK_MONOTONIC condition variables; process-shared on demand; GIL-aware.
#include "sync.h"

#include "clock.h"
#include "futex.h"
#include "model.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Building blocks */

uint64_t pt_deadline_after(uint64_t timeout_ns)
{
	uint64_t now;

	if (timeout_ns == PT_FOREVER)
		return PT_FOREVER;
	now = pt_now_ns();
	return timeout_ns >= PT_FOREVER - now ? PT_FOREVER : now + timeout_ns;
}

uint64_t pt_remaining(uint64_t deadline_ns)
{
	uint64_t now;

	if (deadline_ns == PT_FOREVER)
		return PT_FOREVER;
	now = pt_now_ns();
	return deadline_ns > now ? deadline_ns - now : 0;
}

/* The GIL is never awaited with @m held: it is released before @m is taken
 * for a wait, and re-taken after @m is dropped. */
int pt_mtx_enter_blocking(struct pt_mutex *m, bool *blocked)
{
	pt_mtx_unlock(m);
	pt_block_begin(NULL);
	*blocked = true;
	return pt_mtx_lock(m);
}

int pt_broken(const struct pt_mutex *m, const char *what)
{
	pt_note_dead_process(what, pt_mtx_dead(m));
	return PT_BROKEN;
}

int pt_mtx_lock_checked(struct pt_mutex *m, const char *what)
{
	if (!pt_mtx_lock(m))
		return 0;
	pt_mtx_unlock(m);
	return pt_broken(m, what);
}

int pt_cv_wait_step(pthread_cond_t *c, struct pt_mutex *m, uint64_t deadline_ns)
{
	int r = pt_cv_wait_until(c, m, deadline_ns);

	if (r == PT_BROKEN)
		return r;
	return r != 0;
}

void pt_mtx_unlock_leave(struct pt_mutex *m, bool blocked)
{
	pt_mtx_unlock(m);
	if (blocked)
		pt_block_end(NULL);
}

/* ------------------------------------------------------------------ */
/* Thread identity for lock ownership: pid and kernel tid, so that it tells
 * apart threads of different processes sharing a Condition. Cached per
 * thread; a fork()ed child starts with a new tid, so the cache is dropped in
 * the child (pthread_atfork). */

static _Thread_local uint64_t self_id;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void forget_self_id(void)
{
	self_id = 0;
}

static void register_atfork(void)
{
	if (pthread_atfork(NULL, NULL, forget_self_id))
		pt_bug("pthread_atfork", ENOMEM);
}

static uint64_t pt_self_id(void)
{
	if (!self_id)
		self_id = (uint64_t)getpid() << 32 | (uint32_t)syscall(SYS_gettid);
	return self_id;
}

/* ------------------------------------------------------------------ */
/* Event */

int pt_event_init(struct pt_event *e, bool pshared)
{
	memset(e, 0, sizeof(*e));
	e->pshared = pshared;
	return 0;
}

void pt_event_destroy(struct pt_event *e)
{
	(void)e;
}

void pt_event_set(struct pt_event *e)
{
	uint32_t old = atomic_load_explicit(&e->word, memory_order_relaxed), nw;

	/* Flag on, one more set. seq_cst with the waiter count below: either
	 * this set sees the waiter, or the waiter sees the new word (and the
	 * kernel's compare in FUTEX_WAIT closes the rest of the window). */
	do
		nw = (old | 1u) + 2u;
	while (!atomic_compare_exchange_weak(&e->word, &old, nw));
	if (atomic_load(&e->waiters))
		pt_futex_wake_as(&e->word, INT32_MAX, e->pshared);
}

void pt_event_clear(struct pt_event *e)
{
	atomic_fetch_and_explicit(&e->word, ~1u, memory_order_release);
}

bool pt_event_is_set(const struct pt_event *e)
{
	return atomic_load_explicit(&e->word, memory_order_acquire) & 1u;
}

int pt_event_wait(struct pt_event *e, uint64_t timeout_ns)
{
	uint32_t w = atomic_load_explicit(&e->word, memory_order_acquire), sets;
	uint64_t deadline;
	int ret = 0;

	/* Fast path: a set event returns at once, keeping the GIL. */
	if (w & 1u)
		return 0;
	if (timeout_ns == 0)
		return -ETIMEDOUT;
	deadline = pt_deadline_after(timeout_ns);
	sets = w >> 1;
	pt_block_begin(NULL);
	atomic_fetch_add(&e->waiters, 1);
	for (;;) {
		uint64_t left;

		w = atomic_load(&e->word);
		if ((w & 1u) || (w >> 1) != sets)
			break;
		left = pt_remaining(deadline);
		if (left == 0) {
			ret = -ETIMEDOUT;
			break;
		}
		/* Sleeps only while the word is still w; a set changes it. */
		pt_futex_wait_as(&e->word, w, left == PT_FOREVER ? 0 : left, e->pshared);
	}
	atomic_fetch_sub(&e->waiters, 1);
	pt_block_end(NULL);
	return ret;
}

unsigned pt_event_waiters(struct pt_event *e)
{
	return atomic_load(&e->waiters);
}

/* ------------------------------------------------------------------ */
/* Condition */

int pt_cond_init(struct pt_cond *c, bool pshared)
{
	int ret;

	pthread_once(&atfork_once, register_atfork);
	memset(c, 0, sizeof(*c));
	c->pshared = pshared;
	ret = pt_mtx_init(&c->m, pshared);
	if (ret)
		return ret;
	ret = pt_cv_init(&c->lock_cv, pshared);
	if (ret)
		goto err_m;
	ret = pt_cv_init(&c->cv[0], pshared);
	if (ret)
		goto err_lock_cv;
	ret = pt_cv_init(&c->cv[1], pshared);
	if (ret)
		goto err_cv0;
	return 0;
err_cv0:
	pt_cv_destroy(&c->cv[0]);
err_lock_cv:
	pt_cv_destroy(&c->lock_cv);
err_m:
	pt_mtx_destroy(&c->m);
	return ret;
}

void pt_cond_destroy(struct pt_cond *c)
{
	pt_cv_destroy(&c->cv[1]);
	pt_cv_destroy(&c->cv[0]);
	pt_cv_destroy(&c->lock_cv);
	pt_mtx_destroy(&c->m);
}

static uint64_t owner_of(struct pt_cond *c)
{
	/* Relaxed: only the owner itself sets or clears its own id, so a thread
	 * comparing with its own id cannot be misled; the data the lock guards
	 * is ordered by the internal mutex. */
	return atomic_load_explicit(&c->owner, memory_order_relaxed);
}

bool pt_cond_is_owned(struct pt_cond *c)
{
	return owner_of(c) == pt_self_id();
}

/* With @c->m held: waits until the lock is free or @deadline_ns; 0 when it
 * is free (the caller takes it), -ETIMEDOUT, PT_BROKEN. Between processes,
 * an owner that died holding the lock breaks the Condition: its waiters
 * look for that at each slice of their wait. */
static int lock_wait(struct pt_cond *c, uint64_t deadline_ns)
{
	int ret = 0, r = 0;

	c->lock_waiters++;
	for (;;) {
		uint64_t owner = owner_of(c);

		if (pt_mtx_dead(&c->m)) {
			ret = PT_BROKEN;
			break;
		}
		if (!owner)
			break;
		if (c->pshared && pt_pid_gone((pid_t)(owner >> 32))) {
			pt_mtx_break(&c->m, (pid_t)(owner >> 32));
			pt_cv_broadcast(&c->lock_cv);
			continue;
		}
		if (r) {
			ret = r == 1 ? -ETIMEDOUT : r;
			break;
		}
		r = pt_cv_wait_step(&c->lock_cv, &c->m, deadline_ns);
	}
	c->lock_waiters--;
	return ret;
}

int pt_cond_acquire(struct pt_cond *c, bool blocking, uint64_t timeout_ns)
{
	uint64_t self = pt_self_id(), deadline;
	bool blocked = false;
	int ret = 0;

	if (!blocking && timeout_ns != PT_FOREVER)
		return -EINVAL;
	if (owner_of(c) == self) {
		/* RLock: the owner only counts. */
		if (c->count == UINT_MAX)
			return -EOVERFLOW;
		c->count++;
		return 0;
	}
	if ((ret = pt_mtx_lock_checked(&c->m, "Condition")) != 0)
		return ret;
	if (owner_of(c)) {
		if (!blocking || timeout_ns == 0) {
			pt_mtx_unlock(&c->m);
			return blocking ? -ETIMEDOUT : -EAGAIN;
		}
		deadline = pt_deadline_after(timeout_ns);
		ret = pt_mtx_enter_blocking(&c->m, &blocked);
		if (!ret)
			ret = lock_wait(c, deadline);
	}
	if (!ret) {
		atomic_store_explicit(&c->owner, self, memory_order_relaxed);
		c->count = 1;
	}
	pt_mtx_unlock_leave(&c->m, blocked);
	return ret == PT_BROKEN ? pt_broken(&c->m, "Condition") : ret;
}

int pt_cond_release(struct pt_cond *c)
{
	if (owner_of(c) != pt_self_id())
		return -EPERM;
	if (--c->count)
		return 0;
	if (pt_mtx_lock(&c->m)) {
		/* Broken: the lock is given up all the same. */
		atomic_store_explicit(&c->owner, 0, memory_order_relaxed);
		pt_mtx_unlock(&c->m);
		return pt_broken(&c->m, "Condition");
	}
	atomic_store_explicit(&c->owner, 0, memory_order_relaxed);
	if (c->lock_waiters)
		pt_cv_signal(&c->lock_cv);
	pt_mtx_unlock(&c->m);
	return 0;
}

int pt_cond_wait(struct pt_cond *c, uint64_t timeout_ns)
{
	uint64_t self = pt_self_id(), deadline, my;
	unsigned saved;
	int ret = 0, r = 0;

	if (owner_of(c) != self)
		return -EPERM;
	/* Python's wait(0) cannot be notified: it releases the lock and takes
	 * it back at once, which nobody can observe. */
	if (timeout_ns == 0)
		return -ETIMEDOUT;
	deadline = pt_deadline_after(timeout_ns);
	pt_block_begin(NULL);
	if (pt_mtx_lock(&c->m)) {
		pt_mtx_unlock_leave(&c->m, true);
		return pt_broken(&c->m, "Condition");
	}
	/* Join the newer group, then release the lock (Python's
	 * _release_save): a notify can only follow once we are counted. */
	my = c->g1 + 1;
	c->g2_size++;
	saved = c->count;
	c->count = 0;
	atomic_store_explicit(&c->owner, 0, memory_order_relaxed);
	if (c->lock_waiters)
		pt_cv_signal(&c->lock_cv);
	for (;;) {
		if (my < c->g1)
			break;	/* our group was retired: all of it notified */
		if (my == c->g1 && c->g1_tokens) {
			c->g1_tokens--;
			break;
		}
		if (r) {
			/* Leave unnotified (or broken): take ourselves off the
			 * counts so that no later notification is spent on us. */
			if (my == c->g1)
				c->g1_left--;
			else
				c->g2_size--;
			ret = r == 1 ? -ETIMEDOUT : r;
			break;
		}
		r = pt_cv_wait_step(&c->cv[my & 1], &c->m, deadline);
	}
	/* _acquire_restore: take the lock back, without a timeout. */
	if (ret != PT_BROKEN)
		ret = lock_wait(c, PT_FOREVER) ?: ret;
	if (ret != PT_BROKEN) {
		atomic_store_explicit(&c->owner, self, memory_order_relaxed);
		c->count = saved;
	}
	pt_mtx_unlock_leave(&c->m, true);
	return ret == PT_BROKEN ? pt_broken(&c->m, "Condition") : ret;
}

int pt_cond_wait_for(struct pt_cond *c, pt_pred_fn pred, void *arg, uint64_t timeout_ns)
{
	uint64_t deadline, left;
	int ret;

	if (!pt_cond_is_owned(c))
		return -EPERM;
	if (pred(arg))
		return 0;
	deadline = pt_deadline_after(timeout_ns);
	for (;;) {
		left = pt_remaining(deadline);
		if (!left)
			return -ETIMEDOUT;
		ret = pt_cond_wait(c, left);
		if (pred(arg))
			return 0;
		if (ret == -EPERM)
			return ret;
	}
}

int pt_cond_notify(struct pt_cond *c, unsigned n)
{
	unsigned k;
	int ret;

	if (owner_of(c) != pt_self_id())
		return -EPERM;
	if ((ret = pt_mtx_lock_checked(&c->m, "Condition")) != 0)
		return ret;
	while (n) {
		if (!c->g1_left) {
			if (!c->g2_size)
				break;
			/* Every waiter of G1 is notified: retire it (its stragglers
			 * see their id below g1 and leave without a token) and let
			 * G2 become G1. The broadcast is insurance: a notified
			 * straggler is awake already. */
			if (c->g1_tokens)
				pt_cv_broadcast(&c->cv[c->g1 & 1]);
			c->g1++;
			c->g1_left = c->g2_size;
			c->g2_size = 0;
			c->g1_tokens = 0;
		}
		k = n < c->g1_left ? n : c->g1_left;
		c->g1_left -= k;
		c->g1_tokens += k;
		n -= k;
		/* Only G1 waiters sleep on this parity's cv, and each signal
		 * wakes a distinct blocked waiter; a waiter woken otherwise
		 * takes a token in place of the one signalled, which then finds
		 * none and sleeps on as one of the unnotified. */
		if (!c->g1_left)
			pt_cv_broadcast(&c->cv[c->g1 & 1]);
		else
			while (k--)
				pt_cv_signal(&c->cv[c->g1 & 1]);
	}
	pt_mtx_unlock(&c->m);
	return 0;
}

int pt_cond_notify_all(struct pt_cond *c)
{
	return pt_cond_notify(c, PT_NOTIFY_ALL);
}

unsigned pt_cond_waiters(struct pt_cond *c)
{
	unsigned n;

	pt_mtx_lock(&c->m);
	n = c->g1_left + c->g2_size;
	pt_mtx_unlock(&c->m);
	return n;
}

/* ------------------------------------------------------------------ */
/* Semaphore, BoundedSemaphore */

static int semaphore_init(struct pt_sem *s, unsigned value, bool bounded, bool pshared)
{
	int ret;

	memset(s, 0, sizeof(*s));
	s->value = s->initial = value;
	s->bounded = bounded;
	s->pshared = pshared;
	ret = pt_mtx_init(&s->m, pshared);
	if (ret)
		return ret;
	ret = pt_cv_init(&s->cv, pshared);
	if (ret)
		pt_mtx_destroy(&s->m);
	return ret;
}

int pt_sem_init(struct pt_sem *s, unsigned value, bool pshared)
{
	return semaphore_init(s, value, false, pshared);
}

int pt_bsem_init(struct pt_sem *s, unsigned value, bool pshared)
{
	return semaphore_init(s, value, true, pshared);
}

void pt_sem_destroy(struct pt_sem *s)
{
	pt_cv_destroy(&s->cv);
	pt_mtx_destroy(&s->m);
}

int pt_sem_acquire(struct pt_sem *s, bool blocking, uint64_t timeout_ns)
{
	uint64_t deadline;
	bool blocked = false;
	int ret = 0, r;

	if (!blocking && timeout_ns != PT_FOREVER)
		return -EINVAL;
	if ((ret = pt_mtx_lock_checked(&s->m, "Semaphore")) != 0)
		return ret;
	if (s->value) {
		s->value--;
		pt_mtx_unlock(&s->m);
		return 0;
	}
	if (!blocking || timeout_ns == 0) {
		pt_mtx_unlock(&s->m);
		return blocking ? -ETIMEDOUT : -EAGAIN;
	}
	deadline = pt_deadline_after(timeout_ns);
	r = pt_mtx_enter_blocking(&s->m, &blocked);
	s->waiters++;
	for (;;) {
		/* Like CPython, a newcomer may take a count before a woken
		 * waiter: no FIFO promise. */
		if (r == PT_BROKEN) {
			ret = r;
			break;
		}
		if (s->value) {
			s->value--;
			break;
		}
		if (r) {
			ret = -ETIMEDOUT;
			break;
		}
		r = pt_cv_wait_step(&s->cv, &s->m, deadline);
	}
	s->waiters--;
	pt_mtx_unlock_leave(&s->m, blocked);
	return ret == PT_BROKEN ? pt_broken(&s->m, "Semaphore") : ret;
}

int pt_sem_release(struct pt_sem *s, unsigned n)
{
	unsigned k;

	int ret;

	if (!n)
		return -EINVAL;
	if ((ret = pt_mtx_lock_checked(&s->m, "Semaphore")) != 0)
		return ret;
	if (s->value > UINT_MAX - n || (s->bounded && s->value + n > s->initial)) {
		pt_mtx_unlock(&s->m);
		return -EOVERFLOW;
	}
	s->value += n;
	/* Condition.notify(n): each signal wakes a distinct waiter. */
	if (s->waiters <= n) {
		if (s->waiters)
			pt_cv_broadcast(&s->cv);
	} else {
		for (k = 0; k < n; k++)
			pt_cv_signal(&s->cv);
	}
	pt_mtx_unlock(&s->m);
	return 0;
}

unsigned pt_sem_value(struct pt_sem *s)
{
	unsigned v;

	pt_mtx_lock(&s->m);
	v = s->value;
	pt_mtx_unlock(&s->m);
	return v;
}

/* ------------------------------------------------------------------ */
/* Barrier: CPython's Barrier state machine (filling, draining, resetting,
 * broken), plus an ACTION state so that the action runs without the
 * internal mutex: while it runs, newcomers wait as during draining and the
 * waiters' timeouts are held off, as CPython's lock held around the action
 * does. */

int pt_barrier_init(struct pt_barrier *b, unsigned parties, pt_barrier_action_fn action,
		    void *action_arg, uint64_t default_timeout_ns, bool pshared)
{
	int ret;

	if (!parties || default_timeout_ns == PT_BARRIER_DEFAULT)
		return -EINVAL;
	memset(b, 0, sizeof(*b));
	b->parties = parties;
	b->state = PT_BARRIER_FILLING;
	b->action = action;
	b->action_arg = action_arg;
	b->timeout_ns = default_timeout_ns;
	b->pshared = pshared;
	ret = pt_mtx_init(&b->m, pshared);
	if (ret)
		return ret;
	ret = pt_cv_init(&b->cv, pshared);
	if (ret)
		pt_mtx_destroy(&b->m);
	return ret;
}

void pt_barrier_destroy(struct pt_barrier *b)
{
	pt_cv_destroy(&b->cv);
	pt_mtx_destroy(&b->m);
}

static void barrier_break(struct pt_barrier *b)
{
	b->state = PT_BARRIER_BROKEN_STATE;
	pt_cv_broadcast(&b->cv);
}

/* The last party: run the action, then release the generation. Called and
 * returns with @b->m held. */
static int barrier_release(struct pt_barrier *b, unsigned index, bool *blocked)
{
	int err;

	if (b->action) {
		b->state = PT_BARRIER_ACTION;
		/* The action is the program's code: under a GIL it runs holding
		 * the GIL, so a blocking section opened while waiting to enter
		 * ends first (after the mutex is dropped). */
		pt_mtx_unlock(&b->m);
		if (*blocked) {
			pt_block_end(NULL);
			*blocked = false;
		}
		err = b->action(b->action_arg);
		pt_mtx_lock(&b->m);
		if (err > 0)
			err = -ECANCELED;
		if (b->state != PT_BARRIER_ACTION)
			return err ? err : PT_BARRIER_BROKEN; /* aborted or reset meanwhile */
		if (err) {
			barrier_break(b);
			return err;
		}
	}
	b->state = PT_BARRIER_DRAINING;
	b->generation++;
	pt_cv_broadcast(&b->cv);
	return (int)index;
}

int pt_barrier_wait(struct pt_barrier *b, uint64_t timeout_ns)
{
	uint64_t deadline;
	unsigned index;
	bool blocked = false, expired = false;
	int ret, r;

	if ((ret = pt_mtx_lock_checked(&b->m, "Barrier")) != 0)
		return ret;
	if (timeout_ns == PT_BARRIER_DEFAULT)
		timeout_ns = b->timeout_ns;
	deadline = pt_deadline_after(timeout_ns);
	/* _enter(): wait while the previous generation drains, resets, or runs
	 * its action. */
	while (b->state == PT_BARRIER_DRAINING || b->state == PT_BARRIER_RESETTING ||
	       b->state == PT_BARRIER_ACTION) {
		r = !blocked ? pt_mtx_enter_blocking(&b->m, &blocked)
			     : pt_cv_wait_until(&b->cv, &b->m, PT_FOREVER);
		if (r == PT_BROKEN)
			goto broken;
	}
	if (b->state == PT_BARRIER_BROKEN_STATE) {
		pt_mtx_unlock_leave(&b->m, blocked);
		return PT_BARRIER_BROKEN;
	}
	index = b->count++;
	if (index + 1 == b->parties) {
		ret = barrier_release(b, index, &blocked);
	} else {
		/* _wait(): until released, broken or reset; our timeout expiring
		 * while still filling breaks the barrier. */
		for (;;) {
			if (b->state != PT_BARRIER_FILLING && b->state != PT_BARRIER_ACTION)
				break;
			if (b->state == PT_BARRIER_FILLING && expired)
				break;
			if (!blocked) {
				r = pt_mtx_enter_blocking(&b->m, &blocked);
			} else {
				r = pt_cv_wait_step(&b->cv, &b->m, expired ? PT_FOREVER : deadline);
				if (r == 1)
					expired = true;
			}
			if (r == PT_BROKEN) {
				b->count--;
				goto broken;
			}
		}
		if (b->state == PT_BARRIER_FILLING) {
			barrier_break(b);
			ret = -ETIMEDOUT;
		} else if (b->state < 0) {
			ret = PT_BARRIER_BROKEN;
		} else {
			ret = (int)index;
		}
	}
	/* _exit(): the last one out ends the draining or the reset. */
	if (--b->count == 0 &&
	    (b->state == PT_BARRIER_DRAINING || b->state == PT_BARRIER_RESETTING)) {
		b->state = PT_BARRIER_FILLING;
		pt_cv_broadcast(&b->cv);
	}
	pt_mtx_unlock_leave(&b->m, blocked);
	return ret;

broken:
	/* A process died in it: broken for good; wake the other parties. */
	b->state = PT_BARRIER_BROKEN_STATE;
	pt_cv_broadcast(&b->cv);
	pt_mtx_unlock_leave(&b->m, blocked);
	return pt_broken(&b->m, "Barrier");
}

void pt_barrier_abort(struct pt_barrier *b)
{
	pt_mtx_lock(&b->m);
	barrier_break(b);
	pt_mtx_unlock(&b->m);
}

void pt_barrier_reset(struct pt_barrier *b)
{
	pt_mtx_lock(&b->m);
	if (b->count > 0) {
		/* Waiters leave with the broken error; the last one out sets
		 * the barrier filling. A draining generation finishes. */
		if (b->state == PT_BARRIER_FILLING || b->state == PT_BARRIER_ACTION ||
		    b->state == PT_BARRIER_BROKEN_STATE)
			b->state = PT_BARRIER_RESETTING;
	} else {
		b->state = PT_BARRIER_FILLING;
	}
	pt_cv_broadcast(&b->cv);
	pt_mtx_unlock(&b->m);
}

unsigned pt_barrier_n_waiting(struct pt_barrier *b)
{
	unsigned n;

	pt_mtx_lock(&b->m);
	n = b->state == PT_BARRIER_FILLING || b->state == PT_BARRIER_ACTION ? b->count : 0;
	pt_mtx_unlock(&b->m);
	return n;
}

bool pt_barrier_broken(struct pt_barrier *b)
{
	bool broken;

	pt_mtx_lock(&b->m);
	broken = b->state == PT_BARRIER_BROKEN_STATE;
	pt_mtx_unlock(&b->m);
	return broken;
}

unsigned pt_barrier_parties(const struct pt_barrier *b)
{
	return b->parties;
}

uint64_t pt_barrier_generation(struct pt_barrier *b)
{
	uint64_t g;

	pt_mtx_lock(&b->m);
	g = b->generation;
	pt_mtx_unlock(&b->m);
	return g;
}
