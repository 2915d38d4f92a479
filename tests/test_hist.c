// SPDX-License-Identifier: MIT
// Latency histogram: merging the workers' histograms adds their buckets
// without wrapping, and percentiles come from the merged counts.
#include "hist.h"

#include <criterion/criterion.h>
#include <stdlib.h>

/* Two workers with 3e9 samples each in the same bucket: 32-bit buckets
 * wrapped to 1.7e9 when merged, and no longer added up to the count. */
Test(hist, merge_never_wraps, .timeout = 10)
{
	struct pt_hist *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct pt_hist *m = calloc(1, sizeof(*m));
	const uint64_t many = 3000000000ull;
	uint64_t total = 0;

	cr_assert(a && b && m);
	pt_hist_add(a, 1000);
	pt_hist_add(b, 1000);
	pt_hist_add(b, 100);
	for (unsigned i = 0; i < PT_HIST_BUCKETS; i++) {
		if (a->bucket[i] == 1 && i > 40) {
			a->bucket[i] = many;
			b->bucket[i] = many;
		}
	}
	a->count = many;
	b->count = many + 1;
	pt_hist_merge(m, a);
	pt_hist_merge(m, b);
	cr_assert_eq(m->count, 2 * many + 1);
	for (unsigned i = 0; i < PT_HIST_BUCKETS; i++)
		total += m->bucket[i];
	cr_assert_eq(total, m->count, "buckets add up to %llu of %llu",
		     (unsigned long long)total, (unsigned long long)m->count);
	/* Nearly every sample is at 1000 ns; the one at 100 ns is the minimum. */
	double p50 = pt_hist_percentile(m, 50);

	cr_assert(p50 > 950 && p50 < 1050, "p50 %.0f", p50);
	cr_assert_eq(m->min_ns, 100u);
	free(a);
	free(b);
	free(m);
}
