/* SPDX-License-Identifier: MIT */
/* The unit of CPU work every CPU-bound loop of the suite is made of:
 * Beazley's countdown, `while n > 0: n -= 1`, one C iteration at a time. */
#ifndef PT_WORK_H
#define PT_WORK_H

#include <stdint.h>

/* Countdown iterations per tick. One tick stands for the span between two
 * eval-breaker checks of CPython running this loop: CPython 3.11 on the
 * development machine counts down 10^7 in 0.266 s, 26.6 ns an iteration (8
 * bytecodes, one check at the backward jump); this C loop runs 0.34-0.56 ns
 * an iteration there (build/floors), so 48 make a tick of 16-27 ns. */
#define PT_TICK_ITERS 48

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
