/* SPDX-License-Identifier: MIT */
/* Test helpers for the primitives' tests: shared memory, and a crew of
 * parties run as threads or as fork()ed processes. */
#ifndef PT_TEST_CREW_H
#define PT_TEST_CREW_H

#include "model.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
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

/* A GIL probe: worker 0 blocks in a primitive while the other workers tick
 * GIL_TICKS times each, counting their progress; the last of them to finish
 * releases worker 0. Had the blocked worker kept the GIL, they could not
 * have run. */
#define GIL_TICKS 100000
#define GIL_WORKERS 3

struct gil_probe {
	_Atomic int waiting;	   /* worker 0 is about to block */
	_Atomic uint64_t progress; /* ticks done by the others */
	_Atomic int finished;	   /* others done */
	_Atomic int released;	   /* the last of them released worker 0 */
};

/* The other workers' body: waits for worker 0 to block, ticks GIL_TICKS
 * times, and the last to finish calls @release(@arg) and returns what it
 * returns (0 for the others). */
int gil_probe_tick(struct pt_worker *w, struct gil_probe *p, int (*release)(void *arg),
		   void *arg);
/* For worker 0 once woken: true when it was released only after every
 * other worker had done all its ticks. */
bool gil_probe_complete(struct gil_probe *p);

#endif
