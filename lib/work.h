/* SPDX-License-Identifier: MIT */
/* The unit of CPU work every CPU-bound loop of the suite is made of:
 * Beazley's countdown, `while n > 0: n -= 1`, one C iteration at a time. */
#ifndef PT_WORK_H
#define PT_WORK_H

#include <stdint.h>

/* Countdown iterations per tick. One tick stands for the span between two
 * eval-breaker checks of CPython running this very loop: CPython 3.11 on the
 * development machine counts down 10^7 in 0.283 s, 28.3 ns an iteration (8
 * bytecodes, one check at the backward jump), and this C loop runs 0.33 ns
 * an iteration there on a quiet machine (build/floors), so 80 iterations
 * make a tick of about 28 ns. */
#define PT_TICK_ITERS 80

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
