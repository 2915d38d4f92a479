/* SPDX-License-Identifier: MIT */
/* Summary statistics for repeated measurements: median with an
 * order-statistics confidence interval, percentiles, CV, MAD outliers,
 * two-sample tests (Mann-Whitney U, Welch's t), and the decision rule that
 * judges the ratio of two points wherever ptbench names a winner. */
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

/*
 * The decision rule: one wherever two figures are judged (the verdict, the
 * closing lines, `ptbench compare`).
 *
 * The 95% interval of the ratio of two samples comes from order statistics,
 * not the bootstrap: it is the Hodges-Lehmann / Moses interval for a shift
 * (Hollander & Wolfe, "Nonparametric Statistical Methods", 2nd ed., sec.
 * 4.3; Lehmann, "Nonparametrics" (1975), sec. 2.6) applied to the logs of
 * the repetitions, so it estimates a ratio. Why: it is exact and
 * distribution-free at the sample sizes a time budget allows (4 to 30
 * repetitions), where a percentile bootstrap of medians is known to cover
 * less than it claims; it needs no random numbers, so a decision never
 * depends on a seed; and it says by itself how many repetitions it needs
 * (pt_ratio_min_reps). The assumption it makes is that one point's
 * repetitions are the other's scaled by a factor, which is what "A is r
 * times faster" means.
 *
 * Decision against an equivalence band b (default 5%), symmetric in ratio so
 * that swapping A and B swaps faster and slower: the band is
 * [1 / (1 + b), 1 + b];
 *   faster    the interval lies wholly above it   (lo > 1 + b)
 *   slower    the interval lies wholly below it   (hi < 1 / (1 + b))
 *   tie       the interval lies wholly inside it
 *   undecided otherwise, or when there are too few repetitions for a 95%
 *             interval at all.
 */
enum pt_decision { PT_DEC_UNDECIDED, PT_DEC_FASTER, PT_DEC_SLOWER, PT_DEC_TIE };

#define PT_DECISION_LEVEL 0.95
#define PT_BAND_DEFAULT 0.05

/* "undecided", "faster", "slower", "tie". */
const char *pt_decision_name(enum pt_decision d);
/* The decision parsed from its name; -EINVAL when it is none. */
int pt_decision_parse(const char *s, enum pt_decision *d);

struct pt_ratio {
	/* Speed of A / speed of B (> 1: A is faster): the Hodges-Lehmann
	 * estimate exp(median of log a_i - log b_j), and its interval. lo and
	 * hi are NAN when the samples are too small for @level. */
	double ratio, lo, hi;
	double level; /* coverage of [lo, hi] (>= the level asked), 0 if none */
	enum pt_decision decision; /* filled by pt_compare_samples() */
};

/* The interval of the speed ratio A / B at coverage @level (0 < level < 1).
 * @a and @b hold the repetitions' figures, all finite and > 0; when
 * @higher_better (ops per second) speed is the figure itself, otherwise
 * (seconds) its inverse. -EINVAL on an empty sample, a figure <= 0 or not
 * finite, or a bad level; -ENOMEM. */
int pt_ratio_ci(const double *a, size_t na, const double *b, size_t nb, bool higher_better,
		double level, struct pt_ratio *out);

/* The decision for an interval [lo, hi] of a speed ratio against the band
 * @band (> 0); NAN bounds give undecided. */
enum pt_decision pt_decide(double lo, double hi, double band);

/* pt_ratio_ci() at PT_DECISION_LEVEL, then pt_decide(). */
int pt_compare_samples(const double *a, size_t na, const double *b, size_t nb,
		       bool higher_better, double band, struct pt_ratio *out);

/*
 * The paired form of the rule, for repetitions taken in rounds: a_i and b_i
 * ran in the same round (close together in time, in a shuffled order), so
 * a change of the host's speed that both met cancels in d_i = log(a_i /
 * b_i). The centre of the d_i is estimated by the Hodges-Lehmann one-sample
 * estimate (the median of the Walsh averages (d_i + d_j) / 2, i <= j) and
 * its interval is Tukey's, from the Wilcoxon signed-rank distribution: the
 * k-th smallest and k-th largest Walsh averages, with k from the exact null
 * distribution of the signed-rank statistic (Hollander & Wolfe,
 * "Nonparametric Statistical Methods", 2nd ed., sec. 3.1-3.2; Lehmann,
 * "Nonparametrics" (1975), sec. 4.3; Bauer, JASA 67 (1972)). It is exact and
 * distribution-free for differences symmetric about their centre, which
 * is what a shuffled order within each round gives identical work. With
 * fewer than pt_paired_min_pairs() pairs (6 at 95%: 1 - 2 / 2^6 = 0.969)
 * there is no 95% interval: callers fall back to pt_compare_samples().
 */
int pt_paired_ratio_ci(const double *a, const double *b, size_t n, bool higher_better,
		       double level, struct pt_ratio *out);
/* pt_paired_ratio_ci() at PT_DECISION_LEVEL, then pt_decide(). */
int pt_compare_paired(const double *a, const double *b, size_t n, bool higher_better,
		      double band, struct pt_ratio *out);
/* Whether @n pairs can give an interval at @level: [min, max] of the
 * differences covers 1 - 2 / 2^n. */
bool pt_paired_enough(size_t n, double level);
/* The smallest such n: 6 at 95%. */
size_t pt_paired_min_pairs(double level);

/*
 * The rule's power, by resampling: in each of @trials trials, A and B are
 * @n draws with replacement from @x (the repetitions of one point), B's
 * speed scaled by @scale (> 1: B is that much faster; figures divided by it
 * when they are times); returns the share of trials in which B against A
 * is decided @want. With @scale 1 it measures false verdicts instead.
 * NAN on bad input (nx or n zero, n > 1024, a figure <= 0).
 */
struct pt_rng;
double pt_resampled_share(const double *x, size_t nx, bool higher_better, double scale, size_t n,
			  double band, enum pt_decision want, int trials, struct pt_rng *rng);

/*
 * The rule on synthetic rounds whose host speed drifts, shared by both
 * sides: in each of @trials trials, @rounds rounds each run A and B once,
 * in a random order (as the scheduler does), in consecutive slots. The
 * host's log speed is a random walk, a normal step of sd @host_step plus
 * @host_trend each slot; each repetition adds its own normal log noise of
 * sd @noise. B's speed is A's times @scale. Returns the share of trials
 * in which B against A is decided @want by the paired rule (@paired) or
 * the unpaired one on the same figures. NAN on bad input (rounds 0 or
 * above 1024, a negative sd, scale <= 0).
 */
struct pt_sim {
	size_t rounds;
	double noise, host_step, host_trend, scale, band;
	bool paired;
};
double pt_simulated_share(const struct pt_sim *sim, enum pt_decision want, int trials,
			  struct pt_rng *rng);

/* The drift of a series of repetitions of the same work (a canary between
 * rounds): the Theil-Sen slope (median of the pairwise slopes; Sen, JASA
 * 1968) times (n - 1), over the median: the relative change from the first
 * to the last, robust to single outliers. 0 for n < 2; NAN on a NaN or a
 * median of 0. */
double pt_drift(const double *x, size_t n);

/* Whether samples of @na and @nb repetitions can give an interval at
 * @level at all: the extreme pair of differences must already cover it. */
bool pt_ratio_enough(size_t na, size_t nb, double level);
/* The smallest n for which two samples of n repetitions each are enough
 * at @level: 4 at 95% (1 - 2 / C(8, 4) = 0.971). */
size_t pt_ratio_min_reps(double level);

#endif
