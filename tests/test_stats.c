// SPDX-License-Identifier: MIT
// Tests of lib/stats: every expected figure below was computed independently
// with python3's standard library (statistics, math, fractions, itertools);
// each test says how.
#include "stats.h"

#include "near.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Odd and even samples used throughout. */
static const double x7[] = { 3.1, 1.2, 5.5, 2.7, 4.4, 9.0, 0.3 };
static const double x6[] = { 4, 1, 3, 2, 10, 7 };

/* statistics.median(x7) = 3.1, statistics.median(x6) = 3.5 */
Test(stats, median_odd_even, .timeout = 10)
{
	cr_assert_eq(pt_median(x7, N_OF(x7)), 3.1);
	cr_assert_eq(pt_median(x6, N_OF(x6)), 3.5);
	cr_assert_eq(pt_median(x6, 2), 2.5); /* {4, 1} */
}

/* statistics.mean(x7), statistics.stdev(x7), and their ratio:
 * 3.7428571428571429, 2.9148225462608313, 0.77876938258877171 */
Test(stats, mean_sd_cv, .timeout = 10)
{
	struct pt_summary s;

	ASSERT_NEAR(pt_mean(x7, N_OF(x7)), 3.7428571428571429, 1e-15);
	ASSERT_NEAR(pt_stddev(x7, N_OF(x7)), 2.9148225462608313, 1e-14);
	cr_assert_eq(pt_summarize(x7, N_OF(x7), &s), 0);
	cr_assert_eq(s.n, N_OF(x7));
	cr_assert_eq(s.min, 0.3);
	cr_assert_eq(s.max, 9.0);
	ASSERT_NEAR(s.mean, 3.7428571428571429, 1e-15);
	ASSERT_NEAR(s.sd, 2.9148225462608313, 1e-14);
	ASSERT_NEAR(s.cv, 0.77876938258877171, 1e-14);
	cr_assert_eq(s.median, 3.1);
	/* n = 7: x(2), x(6) cover 1 - 2*8/128 = 0.875 < 0.95, so [min, max]
	 * with 1 - 2/128 = 0.984375 (math.comb) */
	cr_assert_eq(s.ci_lo, 0.3);
	cr_assert_eq(s.ci_hi, 9.0);
	ASSERT_NEAR(s.ci_level, 0.984375, 1e-12);
	/* MAD of x7 is 1.9; 9.0 scores 0.6745 * 5.9 / 1.9 = 2.09 < 3.5 */
	cr_assert_eq(s.outliers, 0);
}

/* Large offset: the naive sum-of-squares formula loses every digit here.
 * Values 1e9 + {4, 7, 13, 16}: mean 1e9 + 10, sd sqrt(30) (by hand). */
Test(stats, sd_large_offset, .timeout = 10)
{
	const double v[] = { 1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16 };

	ASSERT_NEAR(pt_mean(v, 4), 1e9 + 10, 1e-15);
	ASSERT_NEAR(pt_stddev(v, 4), sqrt(30), 1e-9);
}

/* statistics.quantiles(x7, n=4, method='inclusive') =
 *   [1.9500000000000002, 3.1, 4.95]
 * statistics.quantiles(x7, n=10, method='inclusive') =
 *   [0.84, 1.5, 2.4, 2.86, 3.1, 3.88, 4.62, 5.28, 6.9]
 * and numpy's 'linear' rule h = (n-1) p / 100 evaluated with
 * fractions.Fraction: p 0 -> 0.3, 37.5 -> 2.8, 99 -> 8.79, 100 -> 9.0;
 * x6 at 37.5 -> 2.875. */
Test(stats, percentiles, .timeout = 10)
{
	const double q4[] = { 1.9500000000000002, 3.1, 4.95 };
	const double q10[] = { 0.8399999999999999, 1.5, 2.4,
			       2.8600000000000003, 3.1, 3.8800000000000003,
			       4.62, 5.279999999999999, 6.9 };

	for (size_t i = 0; i < N_OF(q4); i++)
		ASSERT_NEAR(pt_percentile(x7, N_OF(x7), 25.0 * (double)(i + 1)),
			    q4[i], 1e-14);
	for (size_t i = 0; i < N_OF(q10); i++)
		ASSERT_NEAR(pt_percentile(x7, N_OF(x7), 10.0 * (double)(i + 1)),
			    q10[i], 1e-14);
	cr_assert_eq(pt_percentile(x7, N_OF(x7), 0), 0.3);
	cr_assert_eq(pt_percentile(x7, N_OF(x7), 100), 9.0);
	ASSERT_NEAR(pt_percentile(x7, N_OF(x7), 37.5), 2.8, 1e-14);
	ASSERT_NEAR(pt_percentile(x7, N_OF(x7), 99), 8.79, 1e-14);
	ASSERT_NEAR(pt_percentile(x6, N_OF(x6), 37.5), 2.875, 1e-15);
	cr_assert_eq(pt_percentile(x7, N_OF(x7), 50), pt_median(x7, N_OF(x7)));

	cr_assert(isnan(pt_percentile(x7, N_OF(x7), -1)));
	cr_assert(isnan(pt_percentile(x7, N_OF(x7), 100.5)));
	cr_assert(isnan(pt_percentile(x7, N_OF(x7), NAN)));
}

Test(stats, percentile_sorted, .timeout = 10)
{
	const double s[] = { 0.3, 1.2, 2.7, 3.1, 4.4, 5.5, 9.0 };

	ASSERT_NEAR(pt_percentile_sorted(s, N_OF(s), 99), 8.79, 1e-14);
	cr_assert_eq(pt_percentile_sorted(s, N_OF(s), 50), 3.1);
	cr_assert(isnan(pt_percentile_sorted(s, 0, 50)));
}

/*
 * CI of the median: coverage of x(j), x(n-j+1) is 1 - 2 sum_{i<j} C(n,i)/2^n
 * (math.comb); the largest j reaching 0.95:
 *   n = 5:  none, [min, max] = x(1), x(5), 0.9375
 *   n = 6:  x(1), x(6), 0.96875
 *   n = 10: x(2), x(9), 1 - 22/1024 = 0.978515625
 *   n = 20: x(6), x(15), 0.9586105346679688
 */
Test(stats, median_ci, .timeout = 10)
{
	const double v5[] = { 50, 10, 40, 20, 30 };
	const double v6[] = { 6, 5, 4, 3, 2, 1 };
	const double v10[] = { 7, 3, 10, 1, 9, 5, 2, 8, 4, 6 };
	double v20[20], lo, hi, cov;

	/* 1, 8, 15, 2, 9, ...: a permutation of 1..20 (7 is prime to 20) */
	for (int i = 0; i < 20; i++)
		v20[i] = (double)((7 * i) % 20 + 1);

	cr_assert_eq(pt_median_ci(v5, 5, 0.95, &lo, &hi, &cov), 0);
	cr_assert_eq(lo, 10);
	cr_assert_eq(hi, 50);
	ASSERT_NEAR(cov, 0.9375, 1e-12);

	cr_assert_eq(pt_median_ci(v6, 6, 0.95, &lo, &hi, &cov), 0);
	cr_assert_eq(lo, 1);
	cr_assert_eq(hi, 6);
	ASSERT_NEAR(cov, 0.96875, 1e-12);

	cr_assert_eq(pt_median_ci(v10, 10, 0.95, &lo, &hi, &cov), 0);
	cr_assert_eq(lo, 2);
	cr_assert_eq(hi, 9);
	ASSERT_NEAR(cov, 0.978515625, 1e-12);

	cr_assert_eq(pt_median_ci(v20, 20, 0.95, &lo, &hi, &cov), 0);
	cr_assert_eq(lo, 6);
	cr_assert_eq(hi, 15);
	ASSERT_NEAR(cov, 0.9586105346679688, 1e-12);

	/* Exactly attainable level keeps its interval (j = 2, not 1). */
	cr_assert_eq(pt_median_ci(v10, 10, 0.978515625, &lo, &hi, NULL), 0);
	cr_assert_eq(lo, 2);
	cr_assert_eq(hi, 9);
	/* A lower level narrows it: j = 3 covers 1 - 112/1024 = 0.890625 */
	cr_assert_eq(pt_median_ci(v10, 10, 0.8, &lo, &hi, &cov), 0);
	cr_assert_eq(lo, 3);
	cr_assert_eq(hi, 8);
	ASSERT_NEAR(cov, 0.890625, 1e-12);

	cr_assert_eq(pt_median_ci(v10, 10, 1.0, &lo, &hi, &cov), -EINVAL);
	cr_assert_eq(pt_median_ci(v10, 10, 0, &lo, &hi, &cov), -EINVAL);
	cr_assert_eq(pt_median_ci(v10, 0, 0.95, &lo, &hi, &cov), -EINVAL);
}

/* Large n: the binomial pmf underflows unless kept in logs. n = 2000, exact
 * sums of math.comb(2000, i) with fractions.Fraction: j = 956, so x(956) and
 * x(1045) of 0..1999, that is 955 and 1044, coverage 0.9534471795082162. */
Test(stats, median_ci_large_n, .timeout = 10)
{
	static double v[2000];
	double lo, hi, cov;

	for (int i = 0; i < 2000; i++)
		v[i] = (double)((7 * i) % 2000); /* a permutation of 0..1999 */
	cr_assert_eq(pt_median_ci(v, 2000, 0.95, &lo, &hi, &cov), 0);
	cr_assert_eq(lo, 955);
	cr_assert_eq(hi, 1044);
	ASSERT_NEAR(cov, 0.9534471795082162, 1e-10);
}

/* Median 10.025, MAD 0.1 (statistics.median); modified z-scores
 * 0.506, -0.843, -0.169, 1.18, -1.518, 0.169, -0.506, 101.006 */
Test(stats, mad_outliers, .timeout = 10)
{
	const double v[] = { 10.1, 9.9, 10.0, 10.2, 9.8, 10.05, 9.95, 25.0 };
	bool flag[N_OF(v)];
	size_t count = 99;
	struct pt_summary s;

	cr_assert_eq(pt_mad_outliers(v, N_OF(v), flag, &count), 0);
	cr_assert_eq(count, 1);
	for (size_t i = 0; i < N_OF(v); i++)
		cr_assert_eq(flag[i], i == 7, "flag[%zu]", i);
	cr_assert_eq(pt_mad_outliers(v, N_OF(v), NULL, &count), 0);
	cr_assert_eq(count, 1);
	cr_assert_eq(pt_summarize(v, N_OF(v), &s), 0);
	cr_assert_eq(s.outliers, 1);

	/* A low outlier counts too (|z|). */
	{
		const double w[] = { 10.1, 9.9, 10.0, 10.2, 9.8, 10.05, 9.95, 1.0 };

		cr_assert_eq(pt_mad_outliers(w, N_OF(w), flag, &count), 0);
		cr_assert_eq(count, 1);
		cr_assert(flag[7]);
	}
	/* MAD == 0 (more than half on the median): no flags by rule. */
	{
		const double w[] = { 5, 5, 5, 5, 5, 6, 100 };

		cr_assert_eq(pt_mad_outliers(w, N_OF(w), flag, &count), 0);
		cr_assert_eq(count, 0);
		for (size_t i = 0; i < N_OF(w); i++)
			cr_assert(!flag[i]);
	}
}

/* Identical samples: every value tied, U = na nb / 2, p = 1. Interleaved
 * 1,3,5,7,9 vs 2,4,6,8,10: U = 10, exact p = 29/42 (itertools enumeration of
 * all C(10,5) rank splits). */
Test(stats, mann_whitney_same, .timeout = 10)
{
	const double a[] = { 1.1, 2.3, 3.0, 4.8, 5.2 };
	const double odd[] = { 1, 3, 5, 7, 9 }, even[] = { 2, 4, 6, 8, 10 };

	ASSERT_NEAR(pt_mann_whitney_p(a, 5, a, 5), 1.0, 1e-12);
	ASSERT_NEAR(pt_mann_whitney_p(odd, 5, even, 5), 29.0 / 42, 1e-12);
	ASSERT_NEAR(pt_mann_whitney_p(even, 5, odd, 5), 29.0 / 42, 1e-12);
}

/* Separated 5 vs 5: U = 0, exact two-sided p = 2 / C(10,5) = 2/252.
 * Overlapping 6 vs 7 without ties: U = 10, exact p = 59/429 (enumeration). */
Test(stats, mann_whitney_exact, .timeout = 10)
{
	const double a[] = { 1.1, 2.3, 3.0, 4.8, 5.2 };
	const double b[] = { 6.5, 7.1, 8.4, 9.9, 10.2 };
	const double c[] = { 1.5, 3.2, 4.1, 6.0, 7.3, 8.8 };
	const double d[] = { 2.2, 5.0, 6.6, 9.4, 10.1, 11.7, 12.5 };

	ASSERT_NEAR(pt_mann_whitney_p(a, 5, b, 5), 2.0 / 252, 1e-12);
	ASSERT_NEAR(pt_mann_whitney_p(b, 5, a, 5), 2.0 / 252, 1e-12);
	ASSERT_NEAR(pt_mann_whitney_p(c, 6, d, 7), 59.0 / 429, 1e-12);
	ASSERT_NEAR(pt_mann_whitney_p(d, 7, c, 6), 59.0 / 429, 1e-12);
	/* One value each: U is 0 or 1 with equal chance, p = 1. */
	ASSERT_NEAR(pt_mann_whitney_p(a, 1, b, 1), 1.0, 1e-12);
}

/*
 * Normal approximation, by a python transcription of the textbook formulae
 * (mid-ranks by list search, Fraction arithmetic, statistics.NormalDist):
 * with ties, 10 vs 11: U = 37/2, p = 0.010669300560314232;
 * no ties but 25 vs 21 (beyond the exact range): U = 138,
 * p = 0.006246816571569891.
 */
Test(stats, mann_whitney_normal, .timeout = 10)
{
	const double a[] = { 1, 2, 2, 3, 4, 4, 4, 5, 6, 7 };
	const double b[] = { 3, 4, 5, 5, 6, 7, 7, 8, 9, 9, 10 };
	double c[25], d[21];

	ASSERT_NEAR(pt_mann_whitney_p(a, N_OF(a), b, N_OF(b)),
		    0.010669300560314232, 1e-9);
	ASSERT_NEAR(pt_mann_whitney_p(b, N_OF(b), a, N_OF(a)),
		    0.010669300560314232, 1e-9);

	for (int i = 0; i < 25; i++)
		c[i] = 0.5 + 0.37 * i;
	for (int i = 0; i < 21; i++)
		d[i] = 3.303 + 0.41 * i;
	ASSERT_NEAR(pt_mann_whitney_p(c, 25, d, 21), 0.006246816571569891,
		    1e-9);
}

Test(stats, mann_whitney_edges, .timeout = 10)
{
	const double a[] = { 1, 2, 3 }, nan1[] = { 1, NAN, 3 };
	const double same[] = { 4, 4, 4, 4 };

	cr_assert(isnan(pt_mann_whitney_p(a, 0, a, 3)));
	cr_assert(isnan(pt_mann_whitney_p(a, 3, a, 0)));
	cr_assert(isnan(pt_mann_whitney_p(nan1, 3, a, 3)));
	ASSERT_NEAR(pt_mann_whitney_p(same, 4, same, 3), 1.0, 1e-15);
}

/*
 * Welch: t and Welch-Satterthwaite df from statistics.mean/variance, then
 * p = 1 - 2 * integral_0^|t| of the Student t density (math.lgamma for the
 * constant), composite Simpson with 200000 panels; a second integration of
 * the tail itself (t = |t|/s, s in (0,1]) agrees to 1e-14.
 *   case 1: t = -4.612992280957547, df = 10.85764388537204,
 *           p = 0.0007747621028589835
 *   case 2: t = -2.2589534774751625, df = 14.92342842289139,
 *           p = 0.0392904613176327
 */
Test(stats, welch, .timeout = 10)
{
	const double a1[] = { 20.1, 22.4, 19.8, 21.7, 23.0, 20.9 };
	const double b1[] = { 24.2, 23.1, 25.8, 22.9, 26.4, 24.7, 25.1, 23.6 };
	const double a2[] = { 5.1, 4.9, 5.6, 5.8, 6.0, 4.7, 5.3 };
	const double b2[] = { 5.5, 6.3, 4.8, 6.9, 5.9, 7.2, 6.1, 5.2, 6.6, 5.7 };

	ASSERT_NEAR(pt_welch_p(a1, N_OF(a1), b1, N_OF(b1)),
		    0.0007747621028589835, 1e-9);
	ASSERT_NEAR(pt_welch_p(b1, N_OF(b1), a1, N_OF(a1)),
		    0.0007747621028589835, 1e-9);
	ASSERT_NEAR(pt_welch_p(a2, N_OF(a2), b2, N_OF(b2)),
		    0.0392904613176327, 1e-9);
	/* Same sample: t = 0, p = 1. */
	ASSERT_NEAR(pt_welch_p(a2, N_OF(a2), a2, N_OF(a2)), 1.0, 1e-12);
}

Test(stats, welch_edges, .timeout = 10)
{
	const double a[] = { 1, 2, 3 }, c1[] = { 2, 2, 2 }, c2[] = { 3, 3 };
	const double nan1[] = { 1, NAN, 3 };

	cr_assert(isnan(pt_welch_p(a, 1, a, 3)));
	cr_assert(isnan(pt_welch_p(a, 3, a, 1)));
	cr_assert(isnan(pt_welch_p(a, 0, a, 0)));
	cr_assert(isnan(pt_welch_p(nan1, 3, a, 3)));
	cr_assert_eq(pt_welch_p(c1, 3, c1, 3), 1.0); /* no variance, same */
	cr_assert_eq(pt_welch_p(c1, 3, c2, 2), 0.0); /* no variance, apart */
	/* One constant sample: df = n - 1 of the other, p stays in (0,1). */
	{
		double p = pt_welch_p(c1, 3, a, 3);

		cr_assert(p > 0 && p <= 1, "p = %g", p);
	}
}

/* For integer a, b: I_x(a,b) = P(Binomial(a+b-1, x) >= a), summed exactly
 * with fractions.Fraction and math.comb: I_0.3(2,3) = 0.3483,
 * I_0.6(30,25) = 0.7905836213605931 (the symmetry branch),
 * I_0.9(5,1) = 0.9^5 = 0.59049. */
Test(stats, betainc, .timeout = 10)
{
	ASSERT_NEAR(pt_betainc(2, 3, 0.3), 0.3483, 1e-13);
	ASSERT_NEAR(pt_betainc(30, 25, 0.6), 0.7905836213605931, 1e-12);
	ASSERT_NEAR(pt_betainc(5, 1, 0.9), 0.59049, 1e-13);
	cr_assert_eq(pt_betainc(2, 3, 0), 0.0);
	cr_assert_eq(pt_betainc(2, 3, 1), 1.0);
	cr_assert(isnan(pt_betainc(2, 3, 1.5)));
	cr_assert(isnan(pt_betainc(0, 3, 0.5)));
	cr_assert(isnan(pt_betainc(2, 3, NAN)));
}

Test(stats, inputs_unchanged, .timeout = 10)
{
	double v[] = { 10.1, 9.9, 10.0, 10.2, 9.8, 10.05, 9.95, 25.0 };
	double w[] = { 24.2, 23.1, 25.8, 22.9, 26.4, 24.7, 25.1, 23.6 };
	double cv[N_OF(v)], cw[N_OF(w)], lo, hi, cov;
	struct pt_summary s;
	bool flag[N_OF(v)];
	size_t count;

	memcpy(cv, v, sizeof(v));
	memcpy(cw, w, sizeof(w));
	(void)pt_median(v, N_OF(v));
	(void)pt_mean(v, N_OF(v));
	(void)pt_stddev(v, N_OF(v));
	(void)pt_percentile(v, N_OF(v), 90);
	cr_assert_eq(pt_median_ci(v, N_OF(v), 0.95, &lo, &hi, &cov), 0);
	cr_assert_eq(pt_mad_outliers(v, N_OF(v), flag, &count), 0);
	cr_assert_eq(pt_summarize(v, N_OF(v), &s), 0);
	(void)pt_mann_whitney_p(v, N_OF(v), w, N_OF(w));
	(void)pt_welch_p(v, N_OF(v), w, N_OF(w));
	cr_assert_arr_eq(v, cv, sizeof(v));
	cr_assert_arr_eq(w, cw, sizeof(w));
}

Test(stats, empty, .timeout = 10)
{
	const double v[] = { 1 };
	struct pt_summary s;
	double lo, hi, cov;
	size_t count;
	bool flag[1];

	cr_assert_eq(pt_summarize(v, 0, &s), -EINVAL);
	cr_assert(isnan(pt_median(v, 0)));
	cr_assert(isnan(pt_mean(v, 0)));
	cr_assert_eq(pt_stddev(v, 0), 0.0);
	cr_assert(isnan(pt_percentile(v, 0, 50)));
	cr_assert_eq(pt_median_ci(v, 0, 0.95, &lo, &hi, &cov), -EINVAL);
	cr_assert_eq(pt_mad_outliers(v, 0, flag, &count), -EINVAL);
}

/* n = 1: the single value everywhere, no spread, and a CI [x, x] whose
 * coverage is 1 - 2 * 1/2 = 0. */
Test(stats, single, .timeout = 10)
{
	const double v[] = { 42.5 };
	struct pt_summary s;
	bool flag[1] = { true };
	size_t count = 9;

	cr_assert_eq(pt_summarize(v, 1, &s), 0);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(s.min, 42.5);
	cr_assert_eq(s.max, 42.5);
	cr_assert_eq(s.mean, 42.5);
	cr_assert_eq(s.median, 42.5);
	cr_assert_eq(s.sd, 0.0);
	cr_assert_eq(s.cv, 0.0);
	cr_assert_eq(s.ci_lo, 42.5);
	cr_assert_eq(s.ci_hi, 42.5);
	cr_assert_eq(s.ci_level, 0.0);
	cr_assert_eq(s.outliers, 0);
	cr_assert_eq(pt_stddev(v, 1), 0.0);
	cr_assert_eq(pt_percentile(v, 1, 0), 42.5);
	cr_assert_eq(pt_percentile(v, 1, 73), 42.5);
	cr_assert_eq(pt_percentile(v, 1, 100), 42.5);
	cr_assert_eq(pt_mad_outliers(v, 1, flag, &count), 0);
	cr_assert_eq(count, 0);
	cr_assert(!flag[0]);
}

Test(stats, all_equal, .timeout = 10)
{
	const double v[] = { 7, 7, 7, 7, 7, 7, 7, 7, 7, 7 };
	struct pt_summary s;

	cr_assert_eq(pt_summarize(v, N_OF(v), &s), 0);
	cr_assert_eq(s.mean, 7.0);
	cr_assert_eq(s.sd, 0.0);
	cr_assert_eq(s.cv, 0.0);
	cr_assert_eq(s.median, 7.0);
	cr_assert_eq(s.ci_lo, 7.0);
	cr_assert_eq(s.ci_hi, 7.0);
	ASSERT_NEAR(s.ci_level, 0.978515625, 1e-12);
	cr_assert_eq(s.outliers, 0);
	cr_assert_eq(pt_percentile(v, N_OF(v), 33), 7.0);
}

/* cv is 0 when the mean is 0 (by definition here, not a division). */
Test(stats, cv_zero_mean, .timeout = 10)
{
	const double v[] = { -1, 1, -2, 2 };
	struct pt_summary s;

	cr_assert_eq(pt_summarize(v, N_OF(v), &s), 0);
	cr_assert_eq(s.mean, 0.0);
	cr_assert_eq(s.cv, 0.0);
}

Test(stats, nan_rejected, .timeout = 10)
{
	const double v[] = { 1, 2, NAN, 4 };
	struct pt_summary s;
	double lo, hi;
	size_t count;

	cr_assert_eq(pt_summarize(v, N_OF(v), &s), -EINVAL);
	cr_assert_eq(pt_median_ci(v, N_OF(v), 0.95, &lo, &hi, NULL), -EINVAL);
	cr_assert_eq(pt_mad_outliers(v, N_OF(v), NULL, &count), -EINVAL);
	cr_assert(isnan(pt_median(v, N_OF(v))));
	cr_assert(isnan(pt_percentile(v, N_OF(v), 10)));
	cr_assert(isnan(pt_mean(v, N_OF(v))));
	cr_assert(isnan(pt_stddev(v, N_OF(v))));
	cr_assert(isnan(pt_stddev(v + 2, 1)));
}
