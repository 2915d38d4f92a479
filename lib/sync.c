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

static _Noreturn void die(const char *what, int err)
{
	fprintf(stderr, "ptbench: %s: %s\n", what, strerror(err));
	abort();
}

int pt_mtx_init(pthread_mutex_t *m, bool pshared)
{
	pthread_mutexattr_t a;
	int ret = pthread_mutexattr_init(&a);

	if (ret)
		return -ret;
	if (pshared)
		ret = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	if (!ret)
		ret = pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
	return -ret;
}

int pt_cv_init(pthread_cond_t *c, bool pshared)
{
	pthread_condattr_t a;
	int ret = pthread_condattr_init(&a);

	if (ret)
		return -ret;
	/* Timeouts are relative: a wall-clock step must not stretch them. */
	ret = pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	if (!ret && pshared)
		ret = pthread_condattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	if (!ret)
		ret = pthread_cond_init(c, &a);
	pthread_condattr_destroy(&a);
	return -ret;
}

void pt_mtx_destroy(pthread_mutex_t *m)
{
	int ret = pthread_mutex_destroy(m);

	if (ret)
		die("pthread_mutex_destroy", ret);
}

void pt_cv_destroy(pthread_cond_t *c)
{
	int ret = pthread_cond_destroy(c);

	if (ret)
		die("pthread_cond_destroy", ret);
}

void pt_mtx_lock(pthread_mutex_t *m)
{
	int ret = pthread_mutex_lock(m);

	if (ret)
		die("pthread_mutex_lock", ret);
}

void pt_mtx_unlock(pthread_mutex_t *m)
{
	int ret = pthread_mutex_unlock(m);

	if (ret)
		die("pthread_mutex_unlock", ret);
}

void pt_cv_signal(pthread_cond_t *c)
{
	int ret = pthread_cond_signal(c);

	if (ret)
		die("pthread_cond_signal", ret);
}

void pt_cv_broadcast(pthread_cond_t *c)
{
	int ret = pthread_cond_broadcast(c);

	if (ret)
		die("pthread_cond_broadcast", ret);
}

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

int pt_cv_wait_until(pthread_cond_t *c, pthread_mutex_t *m, uint64_t deadline_ns)
{
	struct timespec ts;
	int ret;

	if (deadline_ns == PT_FOREVER) {
		ret = pthread_cond_wait(c, m);
		if (ret)
			die("pthread_cond_wait", ret);
		return 0;
	}
	if (pt_now_ns() >= deadline_ns)
		return -ETIMEDOUT;
	ts = pt_ns_to_ts(deadline_ns);
	ret = pthread_cond_timedwait(c, m, &ts);
	if (ret == ETIMEDOUT)
		/* Report a timeout only once our own clock agrees, so that a
		 * timed-out wait has always waited at least its timeout. */
		return pt_now_ns() >= deadline_ns ? -ETIMEDOUT : 0;
	if (ret)
		die("pthread_cond_timedwait", ret);
	return 0;
}

/* The GIL is never awaited with @m held: it is released before @m is taken
 * for a wait, and re-taken after @m is dropped. */
void pt_mtx_enter_blocking(pthread_mutex_t *m, bool *blocked)
{
	pt_mtx_unlock(m);
	pt_block_begin(NULL);
	pt_mtx_lock(m);
	*blocked = true;
}

void pt_mtx_unlock_leave(pthread_mutex_t *m, bool blocked)
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
		die("pthread_atfork", ENOMEM);
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
		pt_futex_wake(&e->word, INT32_MAX);
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
		pt_futex_wait(&e->word, w, left == PT_FOREVER ? 0 : left);
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
 * is free (the caller takes it), -ETIMEDOUT. */
static int lock_wait(struct pt_cond *c, uint64_t deadline_ns)
{
	bool expired = false;
	int ret = 0;

	c->lock_waiters++;
	for (;;) {
		if (!owner_of(c))
			break;
		if (expired) {
			ret = -ETIMEDOUT;
			break;
		}
		expired = pt_cv_wait_until(&c->lock_cv, &c->m, deadline_ns) != 0;
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
	pt_mtx_lock(&c->m);
	if (owner_of(c)) {
		if (!blocking || timeout_ns == 0) {
			pt_mtx_unlock(&c->m);
			return blocking ? -ETIMEDOUT : -EAGAIN;
		}
		deadline = pt_deadline_after(timeout_ns);
		pt_mtx_enter_blocking(&c->m, &blocked);
		ret = lock_wait(c, deadline);
	}
	if (!ret) {
		atomic_store_explicit(&c->owner, self, memory_order_relaxed);
		c->count = 1;
	}
	pt_mtx_unlock_leave(&c->m, blocked);
	return ret;
}

int pt_cond_release(struct pt_cond *c)
{
	if (owner_of(c) != pt_self_id())
		return -EPERM;
	if (--c->count)
		return 0;
	pt_mtx_lock(&c->m);
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
	bool expired = false;
	int ret = 0;

	if (owner_of(c) != self)
		return -EPERM;
	/* Python's wait(0) cannot be notified: it releases the lock and takes
	 * it back at once, which nobody can observe. */
	if (timeout_ns == 0)
		return -ETIMEDOUT;
	deadline = pt_deadline_after(timeout_ns);
	pt_block_begin(NULL);
	pt_mtx_lock(&c->m);
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
		if (expired) {
			/* Leave unnotified: take ourselves off the counts so that
			 * no later notification is spent on us. */
			if (my == c->g1)
				c->g1_left--;
			else
				c->g2_size--;
			ret = -ETIMEDOUT;
			break;
		}
		expired = pt_cv_wait_until(&c->cv[my & 1], &c->m, deadline) != 0;
	}
	/* _acquire_restore: take the lock back, without a timeout. */
	lock_wait(c, PT_FOREVER);
	atomic_store_explicit(&c->owner, self, memory_order_relaxed);
	c->count = saved;
	pt_mtx_unlock_leave(&c->m, true);
	return ret;
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

	if (owner_of(c) != pt_self_id())
		return -EPERM;
	pt_mtx_lock(&c->m);
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
	bool blocked = false, expired = false;
	int ret = 0;

	if (!blocking && timeout_ns != PT_FOREVER)
		return -EINVAL;
	pt_mtx_lock(&s->m);
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
	pt_mtx_enter_blocking(&s->m, &blocked);
	s->waiters++;
	for (;;) {
		/* Like CPython, a newcomer may take a count before a woken
		 * waiter: no FIFO promise. */
		if (s->value) {
			s->value--;
			break;
		}
		if (expired) {
			ret = -ETIMEDOUT;
			break;
		}
		expired = pt_cv_wait_until(&s->cv, &s->m, deadline) != 0;
	}
	s->waiters--;
	pt_mtx_unlock_leave(&s->m, blocked);
	return ret;
}

int pt_sem_release(struct pt_sem *s, unsigned n)
{
	unsigned k;

	if (!n)
		return -EINVAL;
	pt_mtx_lock(&s->m);
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
	int ret;

	pt_mtx_lock(&b->m);
	if (timeout_ns == PT_BARRIER_DEFAULT)
		timeout_ns = b->timeout_ns;
	deadline = pt_deadline_after(timeout_ns);
	/* _enter(): wait while the previous generation drains, resets, or runs
	 * its action. */
	while (b->state == PT_BARRIER_DRAINING || b->state == PT_BARRIER_RESETTING ||
	       b->state == PT_BARRIER_ACTION) {
		if (!blocked)
			pt_mtx_enter_blocking(&b->m, &blocked);
		else
			pt_cv_wait_until(&b->cv, &b->m, PT_FOREVER);
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
				pt_mtx_enter_blocking(&b->m, &blocked);
				continue;
			}
			if (pt_cv_wait_until(&b->cv, &b->m, expired ? PT_FOREVER : deadline))
				expired = true;
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
