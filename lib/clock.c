// SPDX-License-Identifier: MIT
// Monotonic time, resuming sleeps, rusage snapshots.
#include "clock.h"

#include <errno.h>
#include <sys/resource.h>

struct timespec pt_ns_to_ts(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(ns / PT_NSEC_PER_SEC),
		.tv_nsec = (long)(ns % PT_NSEC_PER_SEC),
	};
	return ts;
}

struct timespec pt_deadline_ts(uint64_t ns_from_now)
{
	return pt_ns_to_ts(pt_now_ns() + ns_from_now);
}

void pt_sleep_ns(uint64_t ns)
{
	struct timespec until = pt_deadline_ts(ns);

	/* clock_nanosleep returns the error instead of setting errno. */
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR)
		;
}

static uint64_t tv_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * PT_NSEC_PER_SEC + (uint64_t)tv->tv_usec * 1000u;
}

void pt_usage_get(struct pt_usage *u, enum pt_usage_who who)
{
	static const int map[] = {
		[PT_USAGE_THREAD] = RUSAGE_THREAD,
		[PT_USAGE_SELF] = RUSAGE_SELF,
		[PT_USAGE_CHILDREN] = RUSAGE_CHILDREN,
	};
	struct rusage ru;

	if (getrusage(map[who], &ru) != 0) {
		*u = (struct pt_usage){ 0 };
		return;
	}
	u->user_ns = tv_ns(&ru.ru_utime);
	u->sys_ns = tv_ns(&ru.ru_stime);
	u->nvcsw = (uint64_t)ru.ru_nvcsw;
	u->nivcsw = (uint64_t)ru.ru_nivcsw;
}

void pt_usage_sub(struct pt_usage *out, const struct pt_usage *a,
		  const struct pt_usage *b)
{
	out->user_ns = a->user_ns - b->user_ns;
	out->sys_ns = a->sys_ns - b->sys_ns;
	out->nvcsw = a->nvcsw - b->nvcsw;
	out->nivcsw = a->nivcsw - b->nivcsw;
}

void pt_usage_add(struct pt_usage *acc, const struct pt_usage *u)
{
	acc->user_ns += u->user_ns;
	acc->sys_ns += u->sys_ns;
	acc->nvcsw += u->nvcsw;
	acc->nivcsw += u->nivcsw;
}
