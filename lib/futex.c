// SPDX-License-Identifier: MIT
// Bare futex wait/wake, shared between processes or private to one.
#include "futex.h"

#include "clock.h"
#include "lock.h"

#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

int pt_futex_wait_as(_Atomic uint32_t *word, uint32_t expected, uint64_t timeout_ns,
		     bool pshared)
{
	struct timespec rel, *tsp = NULL;
	int op = pshared ? FUTEX_WAIT : FUTEX_WAIT | FUTEX_PRIVATE_FLAG;

	if (timeout_ns) {
		rel = pt_ns_to_ts(timeout_ns);
		tsp = &rel;
	}
	if (syscall(SYS_futex, (uint32_t *)word, op, expected, tsp, NULL, 0) == 0)
		return 0;
	if (errno == EAGAIN)
		return 0;
	if (errno == ETIMEDOUT || errno == EINTR)
		return -errno;
	/* EFAULT, EINVAL, ENOSYS: a bad word or a bad call. */
	pt_bug("futex wait", errno);
}

void pt_futex_wake_as(_Atomic uint32_t *word, int n, bool pshared)
{
	int op = pshared ? FUTEX_WAKE : FUTEX_WAKE | FUTEX_PRIVATE_FLAG;

	if (syscall(SYS_futex, (uint32_t *)word, op, n, NULL, NULL, 0) < 0)
		pt_bug("futex wake", errno);
}

int pt_futex_wait(_Atomic uint32_t *word, uint32_t expected, uint64_t timeout_ns)
{
	return pt_futex_wait_as(word, expected, timeout_ns, true);
}

void pt_futex_wake(_Atomic uint32_t *word, int n)
{
	pt_futex_wake_as(word, n, true);
}
