// SPDX-License-Identifier: MIT
// pthread wrappers: abort on a bug, robust process-shared mutexes, condition
// variables on CLOCK_MONOTONIC with sliced process-shared waits.
#include "lock.h"

#include "clock.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define rlx memory_order_relaxed

void pt_bug(const char *what, int err)
{
	fprintf(stderr, "ptbench: %s: %s\n", what, strerror(err));
	abort();
}

/* getpid() is a system call; a mutex taken in a hot loop asks for it at
 * every lock. The cache is dropped in a fork()ed child. */
static _Atomic pid_t self_pid;
static pthread_once_t pid_once = PTHREAD_ONCE_INIT;

static void forget_pid(void)
{
	atomic_store_explicit(&self_pid, 0, rlx);
}

static void register_pid_atfork(void)
{
	if (pthread_atfork(NULL, NULL, forget_pid))
		pt_bug("pthread_atfork", ENOMEM);
}

pid_t pt_self_pid(void)
{
	pid_t p;

	pthread_once(&pid_once, register_pid_atfork);
	p = atomic_load_explicit(&self_pid, rlx);
	if (!p) {
		p = getpid();
		atomic_store_explicit(&self_pid, p, rlx);
	}
	return p;
}

int pt_mtx_init(struct pt_mutex *m, bool pshared)
{
	pthread_mutexattr_t a;
	int ret = pthread_mutexattr_init(&a);

	if (ret)
		return -ret;
	m->pshared = pshared;
	atomic_init(&m->holder, 0);
	atomic_init(&m->dead, 0);
	if (pshared) {
		ret = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
		/* A forked worker can die holding it: robust, so that the
		 * next locker gets EOWNERDEAD instead of waiting forever
		 * (pthread_mutexattr_setrobust(3)). */
		if (!ret)
			ret = pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
		pt_self_pid();
	}
	if (!ret)
		ret = pthread_mutex_init(&m->m, &a);
	pthread_mutexattr_destroy(&a);
	return -ret;
}

void pt_mtx_destroy(struct pt_mutex *m)
{
	int ret = pthread_mutex_destroy(&m->m);

	if (ret)
		pt_bug("pthread_mutex_destroy", ret);
}

void pt_mtx_break(struct pt_mutex *m, pid_t pid)
{
	int32_t none = 0;

	atomic_compare_exchange_strong(&m->dead, &none, pid > 0 ? pid : -1);
}

/* After pthread_mutex_lock() or a condition wait returned @ret with @m
 * taken again: a holder that died leaves @m broken. */
static int taken(struct pt_mutex *m, int ret, const char *what)
{
	if (ret == EOWNERDEAD) {
		/* Its critical section was cut short: what it guards is in
		 * doubt. Make the mutex usable again, but broken for good. */
		pt_mtx_break(m, atomic_load_explicit(&m->holder, rlx));
		ret = pthread_mutex_consistent(&m->m);
		if (ret)
			pt_bug("pthread_mutex_consistent", ret);
	} else if (ret && ret != ETIMEDOUT) {
		pt_bug(what, ret);
	}
	if (!m->pshared)
		return 0;
	atomic_store_explicit(&m->holder, pt_self_pid(), rlx);
	return pt_mtx_dead(m) ? -EOWNERDEAD : 0;
}

int pt_mtx_lock(struct pt_mutex *m)
{
	return taken(m, pthread_mutex_lock(&m->m), "pthread_mutex_lock");
}

void pt_mtx_unlock(struct pt_mutex *m)
{
	int ret;

	if (m->pshared)
		atomic_store_explicit(&m->holder, 0, rlx);
	ret = pthread_mutex_unlock(&m->m);
	if (ret)
		pt_bug("pthread_mutex_unlock", ret);
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

void pt_cv_destroy(pthread_cond_t *c)
{
	int ret = pthread_cond_destroy(c);

	if (ret)
		pt_bug("pthread_cond_destroy", ret);
}

void pt_cv_signal(pthread_cond_t *c)
{
	int ret = pthread_cond_signal(c);

	if (ret)
		pt_bug("pthread_cond_signal", ret);
}

void pt_cv_broadcast(pthread_cond_t *c)
{
	int ret = pthread_cond_broadcast(c);

	if (ret)
		pt_bug("pthread_cond_broadcast", ret);
}

int pt_cv_wait_until(pthread_cond_t *c, struct pt_mutex *m, uint64_t deadline_ns)
{
	uint64_t until = deadline_ns, now = 0;
	struct timespec ts;
	int ret;

	if (m->pshared) {
		now = pt_now_ns();
		if (now >= deadline_ns)
			return -ETIMEDOUT;
		if (deadline_ns - now > PT_ROBUST_SLICE_NS)
			until = now + PT_ROBUST_SLICE_NS;
		atomic_store_explicit(&m->holder, 0, rlx);
	} else if (deadline_ns == UINT64_MAX) {
		ret = pthread_cond_wait(c, &m->m);
		return taken(m, ret, "pthread_cond_wait");
	} else if (pt_now_ns() >= deadline_ns) {
		return -ETIMEDOUT;
	}
	ts = pt_ns_to_ts(until);
	ret = taken(m, pthread_cond_timedwait(c, &m->m, &ts), "pthread_cond_timedwait");
	if (ret)
		return ret;
	/* Report a timeout only once our own clock agrees, so that a
	 * timed-out wait has always waited at least its timeout; the end of
	 * a slice is a spurious wake-up. */
	return deadline_ns != UINT64_MAX && pt_now_ns() >= deadline_ns ? -ETIMEDOUT : 0;
}

void pt_thread_join(pthread_t th)
{
	int ret = pthread_join(th, NULL);

	if (ret)
		pt_bug("pthread_join", ret);
}

void pt_thread_detach(pthread_t th)
{
	int ret = pthread_detach(th);

	if (ret)
		pt_bug("pthread_detach", ret);
}

void pt_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	int ret = pthread_sigmask(how, set, old);

	if (ret)
		pt_bug("pthread_sigmask", ret);
}

bool pt_pid_gone(pid_t pid)
{
	return pid > 0 && kill(pid, 0) != 0 && errno == ESRCH;
}
