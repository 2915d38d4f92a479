/* SPDX-License-Identifier: MIT */
/* Bare futex wait/wake on a 32-bit word. Not private: the word may live in
 * a MAP_SHARED arena and be waited on from forked processes. */
#ifndef PT_FUTEX_H
#define PT_FUTEX_H

#include <stdatomic.h>
#include <stdint.h>

/* Sleeps while *@word == @expected, at most @timeout_ns (0: no limit).
 * Returns 0 when woken or the value differed, -ETIMEDOUT, or -EINTR. */
int pt_futex_wait(_Atomic uint32_t *word, uint32_t expected, uint64_t timeout_ns);
/* Wakes up to @n waiters (INT32_MAX: all). */
void pt_futex_wake(_Atomic uint32_t *word, int n);

#endif
