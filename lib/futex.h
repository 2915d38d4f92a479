/* SPDX-License-Identifier: MIT */
/* Bare futex wait/wake on a 32-bit word: shared (the word may live in a
 * MAP_SHARED arena and be waited on from forked processes) or, for words
 * only one process uses, private (FUTEX_PRIVATE_FLAG: no shared key to
 * look up in the kernel). Part of the lock layer (lock.h). */
#ifndef PT_FUTEX_H
#define PT_FUTEX_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* Sleeps while *@word == @expected, at most @timeout_ns (0: no limit).
 * Returns 0 when woken or the value differed, -ETIMEDOUT, or -EINTR. */
int pt_futex_wait(_Atomic uint32_t *word, uint32_t expected, uint64_t timeout_ns);
/* Wakes up to @n waiters (INT32_MAX: all). */
void pt_futex_wake(_Atomic uint32_t *word, int n);
/* The same, private to the calling process unless @pshared. */
int pt_futex_wait_as(_Atomic uint32_t *word, uint32_t expected, uint64_t timeout_ns,
		     bool pshared);
void pt_futex_wake_as(_Atomic uint32_t *word, int n, bool pshared);

#endif
