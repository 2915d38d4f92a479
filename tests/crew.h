/* SPDX-License-Identifier: MIT */
/* Test helpers for the primitives' tests: shared memory, and a crew of
 * parties run as threads or as fork()ed processes. */
#ifndef PT_TEST_CREW_H
#define PT_TEST_CREW_H

#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>

#define MAX_PARTIES 16

/* A MAP_SHARED anonymous mapping (fails the test when it cannot). */
void *shared_map(size_t size);
void shared_unmap(void *p, size_t size);

enum mode { THREADS, PROCS };
const char *mode_name(enum mode m);

typedef int (*party_fn)(void *arg, int i);

struct party {
	party_fn fn;
	void *arg;
	int i;
	int ret;
	pthread_t th;
	pid_t pid;
};

struct crew {
	enum mode mode;
	int n;
	struct party pa[MAX_PARTIES];
};

/* Starts @fn(@arg, i) for i = 0..n-1 in n threads or n fork()ed processes;
 * a forked party dies with the test. */
void crew_start(struct crew *c, enum mode mode, int n, party_fn fn, void *arg);
/* Waits for every party; returns how many failed and reports the first. */
int crew_join(struct crew *c);
/* pthread_create, failing the test when it cannot. */
void spawn(pthread_t *th, void *(*fn)(void *), void *arg);

#endif
