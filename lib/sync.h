/* SPDX-License-Identifier: MIT */
/* Python's Event, Condition, Semaphore, BoundedSemaphore and Barrier as
 * plain structs on pthread mutexes and CLOCK_MONOTONIC condvars: process-
 * shared on demand (in a MAP_SHARED arena), GIL-aware (waits block). */
#ifndef PT_SYNC_H
#define PT_SYNC_H

#include "lock.h"
#include "shm.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * Conventions shared by sync, queue and timer:
 *  - Timeouts are relative, in nanoseconds, measured on CLOCK_MONOTONIC.
 *    PT_FOREVER blocks without a limit (Python's timeout=None); 0 polls
 *    (Python's timeout=0: never sleeps, but still reports -ETIMEDOUT).
 *    A wait that returns -ETIMEDOUT has waited at least its timeout.
 *  - Functions return 0 (or a non-negative value where stated) or a negative
 *    errno: -ETIMEDOUT on a timeout, -EAGAIN when a non-blocking call would
 *    have blocked, -EPERM for Python's RuntimeError of an un-owned lock,
 *    -EINVAL for Python's ValueError on bad arguments.
 *  - pshared: the object may live in a MAP_SHARED arena and be used from
 *    fork()ed processes (PTHREAD_PROCESS_SHARED). init/destroy run once, in
 *    one process, while nobody uses the object.
 *  - Under a GIL model every wait is a blocking section
 *    (pt_block_begin/pt_block_end on the calling thread's worker; no-ops
 *    elsewhere). The GIL is released before an internal mutex is taken for a
 *    wait and re-taken only after it is dropped, so no thread ever waits for
 *    the GIL while holding an internal mutex. A call that does not have to
 *    sleep (Event.wait on a set event, a free lock, a Semaphore with a
 *    count) keeps the GIL, as CPython does.
 *  - A mutex or condition-variable call that fails can only be a bug: the
 *    process aborts with strerror() of the error (lock.h).
 *  - Robust between processes: a process that dies inside a primitive's
 *    critical section, or holding a Condition's lock, leaves the primitive
 *    broken, like threading.Barrier's BrokenBarrierError: from then on,
 *    its calls (and the waits in progress, within PT_ROBUST_SLICE_NS)
 *    return PT_BROKEN, and the calling worker's message names the process
 *    that died. Waiting for a process that died elsewhere (a barrier party
 *    that never comes) is the join's business, not the primitive's.
 */
#define PT_FOREVER UINT64_MAX
/* A process died inside the primitive (or holding its lock). */
#define PT_BROKEN (-EOWNERDEAD)

/* --- Building blocks (used by sync, queue and timer) ------------------- */

/* Absolute CLOCK_MONOTONIC deadline @timeout_ns from now (PT_FOREVER stays
 * PT_FOREVER; a sum that would overflow becomes PT_FOREVER). */
uint64_t pt_deadline_after(uint64_t timeout_ns);
/* Nanoseconds left until @deadline_ns (PT_FOREVER stays PT_FOREVER). */
uint64_t pt_remaining(uint64_t deadline_ns);
/* Called with @m held by a call that has found it must sleep: leaves @m,
 * opens a blocking section (under a GIL: releases it), takes @m back and
 * sets *@blocked. The caller then re-checks its predicate. Returns
 * pt_mtx_lock()'s result: 0 or -EOWNERDEAD (broken). */
int pt_mtx_enter_blocking(struct pt_mutex *m, bool *blocked);
/* Unlocks @m, then closes the blocking section if @blocked. */
void pt_mtx_unlock_leave(struct pt_mutex *m, bool blocked);
/* A primitive found broken (@m's pt_mtx_dead() is set): notes in the calling
 * worker's message which process died in "@what" and returns PT_BROKEN. */
int pt_broken(const struct pt_mutex *m, const char *what);
/* Takes @m: 0; when it is broken, leaves it at once: pt_broken(). */
int pt_mtx_lock_checked(struct pt_mutex *m, const char *what);
/* One wait of a primitive's loop: 0 (woken: re-check the predicate), 1
 * (the deadline passed), or PT_BROKEN. */
int pt_cv_wait_step(pthread_cond_t *c, struct pt_mutex *m, uint64_t deadline_ns);

/* --- Event ------------------------------------------------------------- */

/* threading.Event: a flag that wait() blocks on until it is set. Built on
 * one futex word rather than a mutex and a condition variable, so that a
 * set wakes sleepers with one system call, and only when there are any,
 * and a wait sleeps on the word itself: the costs of a bare futex ping-pong
 * (build/floors), which the event workload is measured against. The futex
 * is private unless the event is pshared. No lock is held anywhere, so a
 * process that dies in it leaves nothing broken. */
struct pt_event {
	/* Bit 0: the flag. Bits 1-31: the number of set() calls, so that a
	 * waiter woken by a set returns True even if clear() follows before it
	 * runs (Python's wait() returns True once notified). */
	_Alignas(PT_CACHELINE) _Atomic uint32_t word;
	_Atomic uint32_t waiters; /* threads sleeping, or about to, in wait() */
	bool pshared;	/* the futex is shared, else FUTEX_PRIVATE_FLAG */
};

int pt_event_init(struct pt_event *e, bool pshared);
void pt_event_destroy(struct pt_event *e);
void pt_event_set(struct pt_event *e);
void pt_event_clear(struct pt_event *e);
bool pt_event_is_set(const struct pt_event *e);
/* Returns 0 when the flag is (or becomes) set (Python: True), -ETIMEDOUT when
 * the timeout expires first (Python: False). A set event returns at once,
 * keeping the GIL. */
int pt_event_wait(struct pt_event *e, uint64_t timeout_ns);
/* Threads blocked in pt_event_wait (for tests and workloads). */
unsigned pt_event_waiters(struct pt_event *e);

/* --- Condition --------------------------------------------------------- */

/* threading.Condition with its default lock, a re-entrant RLock. The lock is
 * the Condition's own (acquire/release below) and is what guards the
 * caller's predicate. Ownership is tracked per thread (pid and kernel tid,
 * so it holds between processes): notify, wait and release by a thread that
 * does not hold the lock return -EPERM (Python's RuntimeError).
 *
 * Waiters are woken oldest first, in two groups: those that were waiting at
 * the last group switch (G1) and later arrivals (G2). notify(n) wakes n of
 * G1, then switches groups, so a notification never goes to a thread that
 * started waiting after it, and never to one that already timed out and
 * left. notify(n) wakes exactly min(n, waiters) threads (the behaviour
 * CPython has, though it does not promise it); there are no spurious
 * returns. A waiter whose timeout races with a notification reports the
 * notification. */
struct pt_cond {
	_Alignas(PT_CACHELINE) struct pt_mutex m; /* internal: guards all below */
	pthread_cond_t lock_cv;	/* threads waiting for the lock */
	pthread_cond_t cv[2];	/* condition waiters, by group parity */
	_Atomic uint64_t owner;	/* pid << 32 | tid of the holder; 0: free */
	unsigned count;		/* recursion depth (owner only) */
	unsigned lock_waiters;
	uint64_t g1;		/* id of the older group; G2 is g1 + 1 */
	unsigned g1_left;	/* G1 waiters not yet notified */
	unsigned g1_tokens;	/* G1 notifications not yet taken */
	unsigned g2_size;	/* G2 waiters */
	bool pshared;
};

#define PT_NOTIFY_ALL UINT32_MAX

int pt_cond_init(struct pt_cond *c, bool pshared);
void pt_cond_destroy(struct pt_cond *c);
/* RLock.acquire(blocking, timeout): 0, -EAGAIN (non-blocking and taken),
 * -ETIMEDOUT. Re-entrant: the owner's acquire only counts. A timeout with
 * @blocking false is -EINVAL, like Python's ValueError. */
int pt_cond_acquire(struct pt_cond *c, bool blocking, uint64_t timeout_ns);
/* 0, or -EPERM when the caller does not hold the lock. */
int pt_cond_release(struct pt_cond *c);
/* True when the calling thread holds the lock (RLock._is_owned). */
bool pt_cond_is_owned(struct pt_cond *c);
/* Releases the lock (all recursion levels), waits until notified or the
 * timeout, takes the lock back (without a timeout, like Python). Returns 0
 * (notified: Python's True), -ETIMEDOUT (False), -EPERM (lock not held). */
int pt_cond_wait(struct pt_cond *c, uint64_t timeout_ns);
/* Predicate for wait_for: called with the lock held; nonzero means true. */
typedef int (*pt_pred_fn)(void *arg);
/* Condition.wait_for: waits until @pred(@arg) is true. Its result is the
 * predicate's last value: 0 when true, -ETIMEDOUT when still false at the
 * timeout (which is overall, not per wake-up), -EPERM. */
int pt_cond_wait_for(struct pt_cond *c, pt_pred_fn pred, void *arg, uint64_t timeout_ns);
/* Wakes up to @n waiters (PT_NOTIFY_ALL: every one); 0 or -EPERM. */
int pt_cond_notify(struct pt_cond *c, unsigned n);
int pt_cond_notify_all(struct pt_cond *c);
/* Waiters not yet notified (len(Condition._waiters)). */
unsigned pt_cond_waiters(struct pt_cond *c);

/* --- Semaphore, BoundedSemaphore -------------------------------------- */

struct pt_sem {
	_Alignas(PT_CACHELINE) struct pt_mutex m;
	pthread_cond_t cv;
	unsigned value;
	unsigned initial; /* the bound, for a BoundedSemaphore */
	unsigned waiters;
	bool bounded;
	bool pshared;
};

/* threading.Semaphore(value) / BoundedSemaphore(value). */
int pt_sem_init(struct pt_sem *s, unsigned value, bool pshared);
int pt_bsem_init(struct pt_sem *s, unsigned value, bool pshared);
void pt_sem_destroy(struct pt_sem *s);
/* acquire(blocking, timeout): 0; -EAGAIN when !@blocking and the count is 0;
 * -ETIMEDOUT. @timeout_ns must be PT_FOREVER when !@blocking (else -EINVAL,
 * Python's "can't specify timeout for non-blocking acquire"). */
int pt_sem_acquire(struct pt_sem *s, bool blocking, uint64_t timeout_ns);
/* release(n): adds @n and wakes up to @n waiters. -EINVAL when @n is 0
 * (Python: ValueError "n must be one or more"); -EOVERFLOW, count unchanged,
 * when a BoundedSemaphore would exceed its initial value (Python: ValueError
 * "Semaphore released too many times") or the count would exceed UINT_MAX. */
int pt_sem_release(struct pt_sem *s, unsigned n);
/* The current count (Semaphore._value), for tests and workloads. */
unsigned pt_sem_value(struct pt_sem *s);

/* --- Barrier ----------------------------------------------------------- */

/* The action runs once per generation, in the last party to arrive, before
 * any party is released, without any internal lock held (it may block or,
 * under a GIL, tick). A nonzero return (a negative errno) breaks the barrier,
 * like an exception raised by Python's action: that party's wait returns it
 * and the others get PT_BARRIER_BROKEN. */
typedef int (*pt_barrier_action_fn)(void *arg);

/* wait()'s error for a broken barrier (Python's BrokenBarrierError). */
#define PT_BARRIER_BROKEN (-EPIPE)
/* A wait timeout meaning "the default given at init" (Python's None). */
#define PT_BARRIER_DEFAULT (UINT64_MAX - 1)

enum pt_barrier_state {
	PT_BARRIER_FILLING = 0,	  /* Python's state 0 */
	PT_BARRIER_DRAINING = 1,  /* releasing a generation */
	PT_BARRIER_ACTION = 2,	  /* the last party runs the action */
	PT_BARRIER_RESETTING = -1,
	PT_BARRIER_BROKEN_STATE = -2,
};

struct pt_barrier {
	_Alignas(PT_CACHELINE) struct pt_mutex m;
	pthread_cond_t cv;
	unsigned parties;
	unsigned count;	/* parties inside wait() */
	int state;	/* enum pt_barrier_state */
	uint64_t generation; /* completed generations */
	pt_barrier_action_fn action;
	void *action_arg;
	uint64_t timeout_ns; /* the default */
	bool pshared;
};

/* threading.Barrier(parties, action, timeout). @action may be NULL. In a
 * process-shared barrier the action pointer must be valid in every process
 * (fork()ed children inherit it). */
int pt_barrier_init(struct pt_barrier *b, unsigned parties, pt_barrier_action_fn action,
		    void *action_arg, uint64_t default_timeout_ns, bool pshared);
void pt_barrier_destroy(struct pt_barrier *b);
/* Returns the arrival index, 0 .. parties-1 (parties-1 is the last to
 * arrive, which ran the action), or PT_BROKEN (a process died in it), or:
 *  PT_BARRIER_BROKEN (-EPIPE): the barrier is or became broken (abort, reset
 *    while waiting, another party's timeout, a failed action);
 *  -ETIMEDOUT: this party's timeout expired: it broke the barrier (Python
 *    raises BrokenBarrierError here too; the distinct code tells who);
 *  the action's error, in the party that ran it.
 * A party arriving while the previous generation drains waits for it. */
int pt_barrier_wait(struct pt_barrier *b, uint64_t timeout_ns);
/* Breaks the barrier: current and future waiters get PT_BARRIER_BROKEN
 * until pt_barrier_reset(). */
void pt_barrier_abort(struct pt_barrier *b);
/* Back to the empty, unbroken state; parties waiting now get
 * PT_BARRIER_BROKEN. */
void pt_barrier_reset(struct pt_barrier *b);
/* Parties waiting in the current generation (0 while draining or broken). */
unsigned pt_barrier_n_waiting(struct pt_barrier *b);
bool pt_barrier_broken(struct pt_barrier *b);
unsigned pt_barrier_parties(const struct pt_barrier *b);
/* Generations completed so far (each one ran the action once). */
uint64_t pt_barrier_generation(struct pt_barrier *b);

#endif
