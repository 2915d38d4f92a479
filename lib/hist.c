// SPDX-License-Identifier: MIT
// Log-linear latency histogram.
#include "hist.h"

#include <string.h>

static unsigned bucket_of(uint64_t v)
{
	unsigned e;

	if (v < PT_HIST_SUB)
		return (unsigned)v;
	e = 63u - (unsigned)__builtin_clzll(v); /* >= PT_HIST_SUB_BITS */
	return (e - PT_HIST_SUB_BITS + 1) * PT_HIST_SUB +
	       (unsigned)((v >> (e - PT_HIST_SUB_BITS)) & (PT_HIST_SUB - 1));
}

/* Lowest value of bucket @b and its width. */
static void bucket_range(unsigned b, uint64_t *lo, uint64_t *width)
{
	unsigned grp = b / PT_HIST_SUB, sub = b % PT_HIST_SUB, e;

	if (grp == 0) {
		*lo = sub;
		*width = 1;
		return;
	}
	e = grp + PT_HIST_SUB_BITS - 1;
	*width = 1ull << (e - PT_HIST_SUB_BITS);
	*lo = (1ull << e) + (uint64_t)sub * *width;
}

void pt_hist_reset(struct pt_hist *h)
{
	memset(h, 0, sizeof(*h));
}

void pt_hist_add(struct pt_hist *h, uint64_t ns)
{
	if (h->count == 0 || ns < h->min_ns)
		h->min_ns = ns;
	if (ns > h->max_ns)
		h->max_ns = ns;
	h->count++;
	h->sum_ns += ns;
	h->bucket[bucket_of(ns)]++;
}

void pt_hist_merge(struct pt_hist *into, const struct pt_hist *from)
{
	if (from->count == 0)
		return;
	if (into->count == 0 || from->min_ns < into->min_ns)
		into->min_ns = from->min_ns;
	if (from->max_ns > into->max_ns)
		into->max_ns = from->max_ns;
	into->count += from->count;
	into->sum_ns += from->sum_ns;
	for (unsigned i = 0; i < PT_HIST_BUCKETS; i++)
		into->bucket[i] += from->bucket[i];
}

double pt_hist_percentile(const struct pt_hist *h, double p)
{
	uint64_t rank, seen = 0, lo, width;
	double v;

	if (h->count == 0)
		return 0;
	if (p <= 0)
		return (double)h->min_ns;
	if (p >= 100)
		return (double)h->max_ns;
	/* Nearest rank: the smallest value with at least p% at or below it. */
	rank = (uint64_t)(p / 100.0 * (double)h->count + 0.999999);
	if (rank < 1)
		rank = 1;
	for (unsigned b = 0; b < PT_HIST_BUCKETS; b++) {
		seen += h->bucket[b];
		if (seen >= rank) {
			bucket_range(b, &lo, &width);
			v = (double)lo + (double)(width - 1) / 2.0;
			/* The true extremes are known exactly. */
			if (v < (double)h->min_ns)
				v = (double)h->min_ns;
			if (v > (double)h->max_ns)
				v = (double)h->max_ns;
			return v;
		}
	}
	return (double)h->max_ns;
}
