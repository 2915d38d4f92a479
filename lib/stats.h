/* SPDX-License-Identifier: MIT */
/* Summary statistics for repeated measurements: median with an
 * order-statistics confidence interval, percentiles, CV, MAD outliers, and
 * two-sample tests (Mann-Whitney U, Welch's t) for comparing runs. */
#ifndef PT_STATS_H
#define PT_STATS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Conventions, for every function here:
 * - inputs are never modified (where order is needed a copy is sorted);
 * - no global state, so every function is safe to call from any thread;
 * - a NaN anywhere in the input is rejected: int functions return -EINVAL,
 *   double functions return NAN (pt_mean and pt_stddev by propagation);
 * - functions returning double report an allocation failure as NAN with
 *   errno set to ENOMEM; int functions return -ENOMEM.
 */

struct pt_summary {
	size_t n;
	double min, max, mean;
	double sd; /* sample standard deviation (n - 1); 0 when n < 2 */
	double cv; /* sd / |mean|; 0 when mean == 0 or n < 2 */
	double median, ci_lo, ci_hi; /* 95% CI of the median */
	/* The actual coverage of [ci_lo, ci_hi]: order statistics give
	 * discrete levels, and with n < 6 even [min, max] covers less than
	 * 95%; that lower level is reported then. */
	double ci_level;
	size_t outliers; /* count flagged by pt_mad_outliers() */
};

/* Fills @s from @x[0..n). -EINVAL when n == 0 or a value is NaN. */
int pt_summarize(const double *x, size_t n, struct pt_summary *s);

double pt_median(const double *x, size_t n); /* NAN when n == 0 */
double pt_mean(const double *x, size_t n);   /* NAN when n == 0 */
double pt_stddev(const double *x, size_t n); /* sample sd; 0 when n < 2 */

/* The @p-th percentile, p in [0, 100], interpolating linearly between the
 * closest ranks (numpy's default 'linear' method, R's type 7). NAN when
 * n == 0 or p is out of range. */
double pt_percentile(const double *x, size_t n, double p);
/* The same on data already sorted ascending, without a copy: for taking
 * several percentiles of one large sample. */
double pt_percentile_sorted(const double *sorted, size_t n, double p);

/* Distribution-free CI of the median: the narrowest symmetric pair of order
 * statistics x(j), x(n-j+1) whose binomial(n, 1/2) coverage is >= @level
 * (0 < level < 1). When none reaches it, [min, max]. @achieved (may be
 * NULL) receives the coverage of the returned interval. */
int pt_median_ci(const double *x, size_t n, double level, double *lo,
		 double *hi, double *achieved);

/* Flags x[i] when its modified z-score 0.6745 * (x[i] - median) / MAD has
 * an absolute value above 3.5 (Iglewicz & Hoaglin). When MAD == 0 (more
 * than half the values equal) nothing is flagged. @flag (n entries) and
 * @count may each be NULL. -EINVAL when n == 0 or a value is NaN. */
int pt_mad_outliers(const double *x, size_t n, bool *flag, size_t *count);

/* Two-sided p-value of the Mann-Whitney U (Wilcoxon rank-sum) test. Exact
 * distribution of U when there are no ties and na, nb <= PT_MW_EXACT_MAX;
 * otherwise the normal approximation with tie and continuity corrections.
 * NAN when a sample is empty or holds a NaN. */
#define PT_MW_EXACT_MAX 20
double pt_mann_whitney_p(const double *a, size_t na, const double *b,
			 size_t nb);

/* Two-sided p-value of Welch's unequal-variance t-test, Welch-Satterthwaite
 * degrees of freedom. NAN when na < 2 or nb < 2 or a value is NaN. When
 * both samples have zero variance: 1 if the means are equal, else 0. */
double pt_welch_p(const double *a, size_t na, const double *b, size_t nb);

/* Regularized incomplete beta function I_x(a, b), a, b > 0, x in [0, 1];
 * NAN outside that domain. Exposed for tests and for other t/F tails. */
double pt_betainc(double a, double b, double x);

#endif
