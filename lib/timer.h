/* SPDX-License-Identifier: MIT */
/* threading.Timer (run a function once after a delay, unless cancelled in
 * time) and a periodic timer that broadcasts ticks through a Condition (the
 * Python Cookbook's PeriodicTimer, recipe 12.2). Conventions of sync.h. */
#ifndef PT_TIMER_H
#define PT_TIMER_H

#include "sync.h"

#include <sys/types.h>

/* --- Timer -------------------------------------------------------------- */

enum pt_timer_state {
	PT_TIMER_IDLE,	    /* initialised, not started */
	PT_TIMER_WAITING,   /* started, waiting for its delay */
	PT_TIMER_CANCELLED, /* cancelled in time: the function never runs */
	PT_TIMER_RUNNING,   /* the function is running */
	PT_TIMER_DONE,	    /* the function has returned */
};

typedef void (*pt_timer_fn)(void *arg);

/* One-shot, like threading.Timer: start once; pt_timer_init again to reuse
 * the memory. The function runs in a helper thread of the process that
 * called pt_timer_start, outside any model and GIL. In a process-shared
 * timer, cancel, state and join work from any process; only the starting
 * process can run the function (the pointer is its own) and reaps the
 * thread. */
struct pt_timer {
	_Alignas(PT_CACHELINE) struct pt_mutex m; /* guards everything below */
	pthread_cond_t cv;
	int state;	   /* enum pt_timer_state */
	bool started;
	bool exited;	   /* the helper thread is done (or none was needed) */
	bool has_thread;   /* a helper thread was created... */
	bool reaped;	   /* ...and has been joined */
	bool pshared;
	pid_t pid;	   /* the starting process */
	pthread_t thread;
	uint64_t due_ns;   /* CLOCK_MONOTONIC instant it is due */
	uint64_t fired_ns; /* when the function started; 0: not (yet) */
	pt_timer_fn fn;
	void *arg;
};

int pt_timer_init(struct pt_timer *t, bool pshared);
/* Cancels and reaps a timer still pending in this process, then frees it. */
void pt_timer_destroy(struct pt_timer *t);
/* Runs @fn(@arg) once, @delay_ns from now, in a new helper thread. 0;
 * -EBUSY when already started (Python: RuntimeError); a negative errno when
 * the thread cannot be created (the timer stays unstarted). A timer
 * cancelled before its start never runs its function and needs no thread. */
int pt_timer_start(struct pt_timer *t, uint64_t delay_ns, pt_timer_fn fn, void *arg);
/* Timer.cancel(). 0: cancelled in time (or earlier): the function has not
 * run and never will, a guarantee, since firing and cancelling decide under
 * one mutex. -EALREADY: too late, the function has started (it may still be
 * running: pt_timer_join waits for it). */
int pt_timer_cancel(struct pt_timer *t);
/* Thread.join(timeout): waits until the function has returned or the timer
 * was cancelled. 0, -ETIMEDOUT, -EINVAL (never started). GIL-aware. */
int pt_timer_join(struct pt_timer *t, uint64_t timeout_ns);
enum pt_timer_state pt_timer_state(struct pt_timer *t);
/* When it was due and when the function started (0: it did not): the
 * difference is the timer's lateness. */
uint64_t pt_timer_due_ns(struct pt_timer *t);
uint64_t pt_timer_fired_ns(struct pt_timer *t);

/* --- Periodic timer ---------------------------------------------------- */

/* A helper thread that, every interval, takes the Condition's lock, bumps
 * the tick counter and notify_all()s; waiters wait for the counter to move.
 *
 * Late ticks are not caught up. Ticks are due at start + k * interval; when
 * the thread gets to run after one or more due instants have passed (the
 * machine was busy, or the lock was held), it fires one tick, for the latest
 * passed instant, counts the skipped ones in `missed`, and schedules the next
 * tick at the following instant: never a burst of back-to-back ticks, and no
 * drift. So ticks + missed counts the due instants passed. */
struct pt_ptimer {
	struct pt_cond cond; /* guards every field below */
	uint64_t interval_ns;
	uint64_t start_ns;
	uint64_t ticks;	  /* ticks broadcast */
	uint64_t missed;  /* due instants skipped because the tick was late */
	uint64_t tick_ns; /* the due instant of the latest tick */
	bool started;
	bool stopping;
	bool reaped;
	pid_t pid;	  /* the starting process (owns the thread) */
	pthread_t thread;
};

/* @interval_ns > 0. */
int pt_ptimer_init(struct pt_ptimer *p, uint64_t interval_ns, bool pshared);
/* Starts the ticking thread in this process; -EBUSY when already started. */
int pt_ptimer_start(struct pt_ptimer *p);
/* wait_for_tick(): waits until the tick counter differs from *@last_seen,
 * then stores the counter there (a waiter that was slow sees the latest
 * tick; the difference says how many it did not see) and, if @tick_ns is
 * not NULL, that tick's due instant. Start with *@last_seen = 0 for the
 * first tick, or pt_ptimer_ticks() for the next one. Returns 0; -ETIMEDOUT;
 * -ECANCELED when the timer is stopped and has no newer tick. */
int pt_ptimer_wait_tick(struct pt_ptimer *p, uint64_t *last_seen, uint64_t *tick_ns,
			uint64_t timeout_ns);
uint64_t pt_ptimer_ticks(struct pt_ptimer *p);
uint64_t pt_ptimer_missed(struct pt_ptimer *p);
/* Ends the ticking (waiters get -ECANCELED) and, in the starting process,
 * joins the thread. From another process it only asks the thread to end. */
int pt_ptimer_stop(struct pt_ptimer *p);
/* Stops it if needed, then frees it. */
void pt_ptimer_destroy(struct pt_ptimer *p);

#endif
