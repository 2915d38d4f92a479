/* SPDX-License-Identifier: MIT */
/* The simulated global interpreter lock, with two policies:
 *  PT_GIL_NEW  CPython 3.2+ (Python/ceval_gil.c): timed waits of one switch
 *              interval, drop requests, forced switching.
 *  PT_GIL_OLD  CPython 2 (Python/ceval.c): the holder releases and at once
 *              re-takes the lock every check interval ticks; no handoff. */
#ifndef PT_GIL_H
#define PT_GIL_H

#include "lock.h"
#include "shm.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum pt_gil_policy { PT_GIL_NEW, PT_GIL_OLD };

#define PT_GIL_DEFAULT_INTERVAL_US 5000 /* sys.getswitchinterval() = 0.005 */
#define PT_GIL_DEFAULT_CHECK 100	/* sys.getcheckinterval() = 100 (Python 2) */

struct pt_gil_config {
	enum pt_gil_policy policy;
	unsigned switch_interval_us; /* PT_GIL_NEW */
	unsigned check_interval;     /* PT_GIL_OLD, in ticks */
};

/* Per-thread GIL figures; summed (wait_max_ns: max) per point. */
struct pt_gil_stats {
	uint64_t acquisitions;  /* times this thread took the GIL */
	uint64_t switches;      /* acquisitions that took it over from another thread */
	uint64_t drop_requests; /* drop requests this thread set (PT_GIL_NEW) */
	uint64_t yields;        /* times it gave the GIL up at a tick (drop
				 * request, or the check interval ran out) */
	uint64_t wait_ns;       /* total time waiting to take it */
	uint64_t wait_max_ns;   /* longest single wait */
};

/* PT_GIL_NEW uses mutex..switch_cond; PT_GIL_OLD uses sem. locked,
 * switch_number and last_holder are kept by both (last_holder: the
 * struct pt_gil_thread of the thread holding or last having held it). */
struct pt_gil {
	struct pt_gil_config cfg;
	/* Hot: read by every holder at every tick. */
	_Alignas(PT_CACHELINE) _Atomic int drop_request;
	_Alignas(PT_CACHELINE) struct pt_mutex mutex; /* guards locked, switch_number */
	pthread_cond_t cond;	    /* waiters for the GIL (CLOCK_MONOTONIC) */
	_Atomic int locked;
	_Atomic uint64_t switch_number; /* bumped when the GIL changes hands */
	_Atomic(const void *) last_holder; /* written under switch_mutex */
	struct pt_mutex switch_mutex; /* forced switching (PT_GIL_NEW) */
	pthread_cond_t switch_cond;
	/* PT_GIL_OLD: Python 2.7's lock on Linux, a POSIX semaphore. */
	_Alignas(PT_CACHELINE) sem_t sem;
};

struct pt_gil_thread {
	struct pt_gil *gil;
	int ticks_left; /* PT_GIL_OLD: ticks to the next periodic release */
	bool held;
	struct pt_gil_stats st;
};

/* Returns 0 or a negative errno. Process-private: GIL models are thread models. */
int pt_gil_init(struct pt_gil *g, const struct pt_gil_config *cfg);
void pt_gil_destroy(struct pt_gil *g);

/* Binds @t to @g, not holding it, with zeroed figures. One per thread: its
 * address identifies the thread as last_holder. */
void pt_gil_thread_init(struct pt_gil_thread *t, struct pt_gil *g);

/* take_gil(): blocks until the calling thread holds the GIL. Must not hold it
 * already (aborts). */
void pt_gil_acquire(struct pt_gil_thread *t);
/* drop_gil(): releases it (blocking sections, thread exit, yields). Under
 * PT_GIL_NEW, when a drop request is pending it then waits until another
 * thread has taken the GIL (forced switching); that thread exists, since only
 * a waiter sets the request. Must hold the GIL (aborts otherwise). */
void pt_gil_release(struct pt_gil_thread *t);

/* Slow path of pt_gil_tick(): release, then queue again at once. PT_GIL_NEW:
 * the holder honours a drop request, and forced switching lets another
 * thread take over first. PT_GIL_OLD: the check interval ran out; no handoff,
 * so the releaser often re-takes the lock before the woken waiter. */
void pt_gil_yield(struct pt_gil_thread *t);

/* Whether the holder must give the GIL up now: a drop request is pending
 * (PT_GIL_NEW), or its check interval ran out (PT_GIL_OLD). */
static inline bool pt_gil_due(const struct pt_gil_thread *t)
{
	const struct pt_gil *g = t->gil;

	if (g->cfg.policy == PT_GIL_NEW)
		return atomic_load_explicit(&g->drop_request, memory_order_relaxed);
	return t->ticks_left <= 0;
}

/* One tick: the eval-loop check at a back-edge. Cheap when nothing is due. */
static inline void pt_gil_tick(struct pt_gil_thread *t)
{
	if (t->gil->cfg.policy == PT_GIL_OLD)
		t->ticks_left--;
	if (__builtin_expect(pt_gil_due(t), 0))
		pt_gil_yield(t);
}

#endif
