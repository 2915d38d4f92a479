/* SPDX-License-Identifier: MIT */
/* The tests' one floating-point comparison: |got - want| within @rel of
 * |want| (of 1 when want is 0). */
#ifndef PT_TEST_NEAR_H
#define PT_TEST_NEAR_H

#include <criterion/criterion.h>
#include <math.h>

#define ASSERT_NEAR(got, want, rel)                                          \
	do {                                                                 \
		double g_ = (got), w_ = (want);                              \
		double s_ = fabs(w_) > 0 ? fabs(w_) : 1;                     \
		cr_assert(fabs(g_ - w_) <= (rel) * s_,                       \
			  "%s = %.17g, expected %.17g", #got, g_, w_);       \
	} while (0)

#endif
