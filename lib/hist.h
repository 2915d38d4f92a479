/* SPDX-License-Identifier: MIT */
/* Latency histogram: log-linear buckets of nanoseconds (32 per power of
 * two, so a percentile is within about 1.6% of the true value). Fixed size,
 * no pointers: lives in a shared-arena slot and merges by addition. */
#ifndef PT_HIST_H
#define PT_HIST_H

#include <stdint.h>

#define PT_HIST_SUB_BITS 5
#define PT_HIST_SUB (1u << PT_HIST_SUB_BITS)
#define PT_HIST_BUCKETS ((64 - PT_HIST_SUB_BITS + 1) * PT_HIST_SUB)

struct pt_hist {
	uint64_t count;
	uint64_t min_ns, max_ns;
	uint64_t sum_ns;
	uint64_t bucket[PT_HIST_BUCKETS]; /* 64-bit: merged counts of many workers never wrap */
};

void pt_hist_reset(struct pt_hist *h);
void pt_hist_add(struct pt_hist *h, uint64_t ns);
void pt_hist_merge(struct pt_hist *into, const struct pt_hist *from);
/* The @p-th percentile (0..100) in ns; 0 when empty. */
double pt_hist_percentile(const struct pt_hist *h, double p);

#endif
