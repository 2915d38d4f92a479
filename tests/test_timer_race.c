// SPDX-License-Identifier: MIT
// Timer: a cancel that reported success is never undone by a start whose
// helper thread could not be created. The old start dropped the mutex
// around the creation and reset the state to IDLE after a failure, so a
// cancel in between returned 0 and was then forgotten.
#include "clock.h"
#include "timer.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS 30000

struct race {
	struct pt_timer timer[ROUNDS];
	_Atomic int cur;	/* round the canceller watches; -2: none yet, -1: stop */
	_Atomic int started;	/* the start of round cur returned */
	_Atomic int acked;	/* the canceller is done with round cur */
	_Atomic int cancel_ret;	/* 1: it did not cancel */
};

static void never(void *arg)
{
	(void)arg;
	abort();
}

/* Cancels the watched timer as soon as it is seen WAITING. */
static void *canceller(void *arg)
{
	struct race *r = arg;
	int seen = -1;

	for (;;) {
		int c = atomic_load(&r->cur);

		if (c == -1)
			return NULL;
		if (c == seen || c < 0) {
			sched_yield();
			continue;
		}
		atomic_store(&r->cancel_ret, 1);
		while (!atomic_load(&r->started)) {
			if (pt_timer_state(&r->timer[c]) == PT_TIMER_WAITING) {
				atomic_store(&r->cancel_ret, pt_timer_cancel(&r->timer[c]));
				break;
			}
		}
		seen = c;
		atomic_store(&r->acked, 1);
	}
}

/* In an unprivileged child whose thread limit stops pthread_create. */
static int race_child(void)
{
	struct race *r = calloc(1, sizeof(*r));
	struct rlimit lim;
	pthread_t th;
	int lost = 0, failed = 0;

	if (!r || setgid(65534) != 0 || setuid(65534) != 0)
		return 77;
	atomic_store(&r->cur, -2);
	if (pthread_create(&th, NULL, canceller, r) != 0)
		return 77;
	lim.rlim_cur = lim.rlim_max = 2; /* this process's two threads */
	if (setrlimit(RLIMIT_NPROC, &lim) != 0)
		return 77;
	for (int i = 0; i < ROUNDS; i++) {
		struct pt_timer *t = &r->timer[i];
		int ret;

		if (pt_timer_init(t, false) != 0)
			return 3;
		atomic_store(&r->started, 0);
		atomic_store(&r->acked, 0);
		atomic_store(&r->cur, i);
		ret = pt_timer_start(t, 3600 * PT_NSEC_PER_SEC, never, NULL);
		atomic_store(&r->started, 1);
		while (!atomic_load(&r->acked))
			sched_yield();
		if (ret == 0) {
			pt_timer_cancel(t);
			pt_timer_join(t, PT_FOREVER);
			continue;
		}
		failed++;
		/* Python: cancel() succeeded, so the timer is cancelled. */
		if (atomic_load(&r->cancel_ret) == 0 && pt_timer_state(t) != PT_TIMER_CANCELLED)
			lost++;
	}
	atomic_store(&r->cur, -1);
	pthread_join(th, NULL);
	if (!failed)
		return 78;
	return lost ? 1 : 0;
}

Test(timer, cancel_never_undone_by_a_failed_start, .timeout = 120)
{
	int st;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0)
		_exit(race_child());
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
		cr_skip_test("cannot drop to an unprivileged user to limit threads");
	cr_assert(WIFEXITED(st), "status %d", st);
	cr_assert_neq(WEXITSTATUS(st), 78, "pthread_create never failed under the limit");
	cr_assert_eq(WEXITSTATUS(st), 0, "a successful cancel was undone (exit %d)",
		     WEXITSTATUS(st));
}
