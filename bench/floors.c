// SPDX-License-Identifier: MIT
// floors: the bare costs ptbench's figures are compared against, built with
// the project's flags: a countdown loop with no harness, a futex ping-pong
// between two threads (or two processes), pthread_create+pthread_join, and
// fork+waitpid. Prints one "name value unit" line per figure (medians).
#include "clock.h"
#include "futex.h"
#include "shm.h"
#include "work.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double median_u64(uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	return n % 2 ? (double)v[n / 2] : ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2.0;
}

/* The same loop as the countdown workload, without chunks or ticks. */
static double bare_countdown_ns(uint64_t count, int reps)
{
	uint64_t v[64];

	for (int r = 0; r < reps; r++) {
		uint64_t t0 = pt_now_ns();

		pt_count_down(count);
		v[r] = pt_now_ns() - t0;
	}
	return median_u64(v, reps) / (double)count;
}

struct pingpong {
	_Alignas(PT_CACHELINE) _Atomic uint32_t ball; /* odd: ping's turn is over */
};

static void pong_loop(struct pingpong *pp, int rounds)
{
	for (int i = 0; i < rounds; i++) {
		uint32_t want = 2u * (uint32_t)i + 1;

		while (atomic_load_explicit(&pp->ball, memory_order_acquire) != want)
			pt_futex_wait(&pp->ball, want - 1, 0);
		atomic_store_explicit(&pp->ball, want + 1, memory_order_release);
		pt_futex_wake(&pp->ball, 1);
	}
}

/* A failed fork or pthread_create must neither count as a free spawn nor
 * leave a ping-pong waiting for a partner that never came: these floors are
 * the denominators of published ratios. */
static _Noreturn void die(const char *what, int err)
{
	fprintf(stderr, "floors: %s: %s\n", what, strerror(err));
	exit(1);
}

/* Waits for child @pid, which must exit 0. */
static void reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid", errno);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		die("child", ECHILD);
}

static void *pong_thread(void *arg)
{
	pong_loop(arg, *(int *)((char *)arg + PT_CACHELINE));
	return NULL;
}

/* Round trip through one futex word, A sets odd, B sets even. */
static double futex_pingpong_ns(int rounds, int reps, int procs)
{
	uint64_t v[64];

	for (int r = 0; r < reps; r++) {
		struct pingpong *pp = mmap(NULL, 2 * PT_CACHELINE, PROT_READ | PROT_WRITE,
					   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		pthread_t th;
		pid_t pid = 0;
		uint64_t t0;
		int ret;

		if (pp == MAP_FAILED)
			die("mmap", errno);
		*(int *)((char *)pp + PT_CACHELINE) = rounds;
		if (procs) {
			pid = fork();
			if (pid < 0)
				die("fork", errno);
			if (pid == 0) {
				pong_loop(pp, rounds);
				_exit(0);
			}
		} else {
			ret = pthread_create(&th, NULL, pong_thread, pp);
			if (ret)
				die("pthread_create", ret);
		}
		t0 = pt_now_ns();
		for (int i = 0; i < rounds; i++) {
			uint32_t mine = 2u * (uint32_t)i;

			atomic_store_explicit(&pp->ball, mine + 1, memory_order_release);
			pt_futex_wake(&pp->ball, 1);
			while (atomic_load_explicit(&pp->ball, memory_order_acquire) != mine + 2)
				pt_futex_wait(&pp->ball, mine + 1, 0);
		}
		v[r] = (pt_now_ns() - t0) / (uint64_t)rounds;
		if (procs)
			reap(pid);
		else if ((ret = pthread_join(th, NULL)) != 0)
			die("pthread_join", ret);
		munmap(pp, 2 * PT_CACHELINE);
	}
	return median_u64(v, reps);
}

static void *nothing(void *arg)
{
	return arg;
}

static double thread_spawn_ns(int n, int reps)
{
	uint64_t v[64];

	for (int r = 0; r < reps; r++) {
		uint64_t t0 = pt_now_ns();

		for (int i = 0; i < n; i++) {
			pthread_t th;
			int ret = pthread_create(&th, NULL, nothing, NULL);

			if (ret)
				die("pthread_create", ret);
			if ((ret = pthread_join(th, NULL)) != 0)
				die("pthread_join", ret);
		}
		v[r] = (pt_now_ns() - t0) / (uint64_t)n;
	}
	return median_u64(v, reps);
}

static double fork_spawn_ns(int n, int reps)
{
	uint64_t v[64];

	for (int r = 0; r < reps; r++) {
		uint64_t t0 = pt_now_ns();

		for (int i = 0; i < n; i++) {
			pid_t pid = fork();

			if (pid < 0)
				die("fork", errno);
			if (pid == 0)
				_exit(0);
			reap(pid);
		}
		v[r] = (pt_now_ns() - t0) / (uint64_t)n;
	}
	return median_u64(v, reps);
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "all";
	uint64_t count = argc > 2 ? strtoull(argv[2], NULL, 10) : 800000000ull;
	int reps = 7;
	bool all = strcmp(what, "all") == 0;

	if (!all && strcmp(what, "countdown") && strcmp(what, "futex") &&
	    strcmp(what, "spawn")) {
		fprintf(stderr, "usage: floors [all|countdown [COUNT]|futex|spawn]\n");
		return 2;
	}
	if (all || !strcmp(what, "countdown"))
		printf("countdown %.4f ns/iteration\n", bare_countdown_ns(count ? count : 1, reps));
	if (all || !strcmp(what, "futex")) {
		printf("futex_pingpong_threads %.0f ns/round-trip\n", futex_pingpong_ns(100000, reps, 0));
		printf("futex_pingpong_procs %.0f ns/round-trip\n", futex_pingpong_ns(100000, reps, 1));
	}
	if (all || !strcmp(what, "spawn")) {
		printf("pthread_create_join %.0f ns\n", thread_spawn_ns(2000, reps));
		printf("fork_waitpid %.0f ns\n", fork_spawn_ns(500, reps));
	}
	return 0;
}
