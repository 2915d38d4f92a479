/* SPDX-License-Identifier: MIT */
/* Monotonic time, sleeps that survive signals, and rusage snapshots. */
#ifndef PT_CLOCK_H
#define PT_CLOCK_H

#include <stdint.h>
#include <time.h>

#define PT_NSEC_PER_SEC 1000000000ull
#define PT_NSEC_PER_MSEC 1000000ull
#define PT_NSEC_PER_USEC 1000ull

/* CLOCK_MONOTONIC in nanoseconds. */
static inline uint64_t pt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * PT_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Absolute CLOCK_MONOTONIC deadline @ns from now, as a timespec. */
struct timespec pt_deadline_ts(uint64_t ns_from_now);
struct timespec pt_ns_to_ts(uint64_t ns);

/* Sleeps @ns on CLOCK_MONOTONIC; an interrupted sleep resumes for the
 * remaining time (absolute deadline, so no drift). */
void pt_sleep_ns(uint64_t ns);

/* What getrusage() says of the calling thread (or process). */
struct pt_usage {
	uint64_t user_ns;
	uint64_t sys_ns;
	uint64_t nvcsw;  /* voluntary context switches */
	uint64_t nivcsw; /* involuntary context switches */
};

enum pt_usage_who { PT_USAGE_THREAD, PT_USAGE_SELF, PT_USAGE_CHILDREN };

void pt_usage_get(struct pt_usage *u, enum pt_usage_who who);
/* @a minus @b, field by field. */
void pt_usage_sub(struct pt_usage *out, const struct pt_usage *a,
		  const struct pt_usage *b);
void pt_usage_add(struct pt_usage *acc, const struct pt_usage *u);

#endif
