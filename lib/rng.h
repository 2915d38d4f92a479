/* SPDX-License-Identifier: MIT */
/* A small seeded pseudo-random generator, so that what is random in a run
 * (the model order of a round, the resamples of a power test) is the same
 * every time for the same seed. SplitMix64 (Steele, Lea & Flood, "Fast
 * splittable pseudorandom number generators", OOPSLA 2014): one 64-bit
 * word of state, passes BigCrush, plenty for shuffling and resampling; not
 * for anything secret. */
#ifndef PT_RNG_H
#define PT_RNG_H

#include <stddef.h>
#include <stdint.h>

struct pt_rng {
	uint64_t state;
};

static inline void pt_rng_seed(struct pt_rng *r, uint64_t seed)
{
	r->state = seed;
}

static inline uint64_t pt_rng_u64(struct pt_rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0, without modulo bias: draws falling in the
 * incomplete last block of 2^64 are redrawn. */
static inline uint64_t pt_rng_below(struct pt_rng *r, uint64_t n)
{
	uint64_t limit = UINT64_MAX - UINT64_MAX % n, x;

	do
		x = pt_rng_u64(r);
	while (x >= limit);
	return x % n;
}

/* Uniform in [0, 1), 53 random bits. */
static inline double pt_rng_double(struct pt_rng *r)
{
	return (double)(pt_rng_u64(r) >> 11) * 0x1.0p-53;
}

/* Fisher-Yates shuffle of @n ints (Knuth, TAOCP vol. 2, 3.4.2 P). */
static inline void pt_shuffle_int(struct pt_rng *r, int *v, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)pt_rng_below(r, i);
		int t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
}

#endif
