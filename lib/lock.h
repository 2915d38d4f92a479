/* SPDX-License-Identifier: MIT */
/* The one layer of pthread wrappers under the GIL, the primitives (sync),
 * the queue and the timer. A call that can only fail through a bug aborts
 * through pt_bug() (libuv's uv_mutex_lock). A process-shared mutex is
 * robust: a process that dies holding it leaves it broken (its pid is
 * kept), never wedged, and its waiters learn so within a slice. */
#ifndef PT_LOCK_H
#define PT_LOCK_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Reports a failure that only a bug can cause (strerror(@err)) and aborts. */
_Noreturn void pt_bug(const char *what, int err);

/* The calling process's pid, cached (reset in a fork()ed child). */
pid_t pt_self_pid(void);

struct pt_mutex {
	pthread_mutex_t m;
	bool pshared;
	/* Process-shared only: */
	_Atomic int32_t holder;	/* pid of the process holding it, 0: none */
	_Atomic int32_t dead;	/* pid of a process that died holding it (or
				 * the owner of the primitive's own lock): the
				 * primitive is broken; 0: intact */
};

/* Returns 0 or a negative errno. Process-shared when @pshared, then robust
 * (PTHREAD_MUTEX_ROBUST). */
int pt_mtx_init(struct pt_mutex *m, bool pshared);
void pt_mtx_destroy(struct pt_mutex *m);
/* Takes @m (the caller holds it on return, whatever it returns): 0, or
 * -EOWNERDEAD when @m is broken, because its holder died in it now (it is
 * made consistent for the next one) or earlier. */
int pt_mtx_lock(struct pt_mutex *m);
void pt_mtx_unlock(struct pt_mutex *m);
/* Marks @m broken by the death of @pid (the holder of a lock that @m
 * guards); the first death is kept. */
void pt_mtx_break(struct pt_mutex *m, pid_t pid);
/* The pid whose death broke @m, or 0. */
static inline pid_t pt_mtx_dead(const struct pt_mutex *m)
{
	return atomic_load_explicit(&m->dead, memory_order_relaxed);
}

/* A CLOCK_MONOTONIC condition variable, process-shared when @pshared. */
int pt_cv_init(pthread_cond_t *c, bool pshared);
void pt_cv_destroy(pthread_cond_t *c);
void pt_cv_signal(pthread_cond_t *c);
void pt_cv_broadcast(pthread_cond_t *c);

/* How long a process-shared wait sleeps at most before it looks again: a
 * process that died cannot wake anybody, so shared waiters poll for the
 * death of a holder (and may find a wake-up a dead waiter swallowed). */
#define PT_ROBUST_SLICE_NS (20 * 1000 * 1000ull)

/* Waits on @c (with @m held) until woken or @deadline_ns (CLOCK_MONOTONIC,
 * UINT64_MAX: none). Returns 0 (woken, maybe spuriously: re-check the
 * predicate), -ETIMEDOUT once the clock has reached @deadline_ns, or
 * -EOWNERDEAD when @m is broken. @m is held again on return. */
int pt_cv_wait_until(pthread_cond_t *c, struct pt_mutex *m, uint64_t deadline_ns);

/* pthread_join(), pthread_detach(), pthread_sigmask(): they fail only
 * through a bug (a bad or already joined thread, a bad set). */
void pt_thread_join(pthread_t th);
void pt_thread_detach(pthread_t th);
void pt_sigmask(int how, const sigset_t *set, sigset_t *old);

/* Whether process @pid is gone (reaped: a zombie still counts as there). */
bool pt_pid_gone(pid_t pid);

#endif
