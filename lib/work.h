/* SPDX-License-Identifier: MIT */
/* The unit of CPU work every CPU-bound loop of the suite is made of:
 * Beazley's countdown, `while n > 0: n -= 1`, one C iteration at a time. */
#ifndef PT_WORK_H
#define PT_WORK_H

#include <stdint.h>

/* Counts @n down to zero. The empty asm makes n live in a register at
 * every step, so the compiler can neither fold nor vectorise the loop. */
static inline void pt_count_down(uint64_t n)
{
	while (n > 0) {
		n--;
		__asm__ volatile("" : "+r"(n));
	}
}

#endif
