// SPDX-License-Identifier: MIT
// Summary statistics of repeated measurements and two-sample tests.
// Everything works on sorted copies; inputs are never touched.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* lgamma_r: lgamma() writes the global signgam */
#endif
#include "stats.h"

#include "rng.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

static double *alloc_doubles(size_t n)
{
	if (n == 0 || n > SIZE_MAX / sizeof(double))
		return NULL;
	return malloc(n * sizeof(double));
}

/* Copies @n values of @x into @dst sorted ascending. NaN has no place in an
 * order (and would break qsort's contract), so it is refused. */
static int sort_into(double *dst, const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (isnan(x[i]))
			return -EINVAL;
		dst[i] = x[i];
	}
	qsort(dst, n, sizeof(*dst), cmp_double);
	return 0;
}

/* A sorted copy in *@out (the caller frees it), or a negative errno. */
static int sorted_copy(const double *x, size_t n, double **out)
{
	double *s;
	int ret;

	if (n == 0 || !x)
		return -EINVAL;
	s = alloc_doubles(n);
	if (!s)
		return -ENOMEM;
	ret = sort_into(s, x, n);
	if (ret < 0) {
		free(s);
		return ret;
	}
	*out = s;
	return 0;
}

/* Halving first cannot overflow; each halving is exact above the subnormal
 * range, so this rounds once, like (a + b) / 2. */
static double midpoint(double a, double b)
{
	return a / 2 + b / 2;
}

static double median_sorted(const double *s, size_t n)
{
	if (n % 2)
		return s[n / 2];
	return midpoint(s[n / 2 - 1], s[n / 2]);
}

double pt_percentile_sorted(const double *s, size_t n, double p)
{
	double h, frac;
	size_t lo;

	if (n == 0 || !s || !(p >= 0 && p <= 100))
		return NAN;
	/* numpy 'linear' (Hyndman & Fan 1996, definition 7): the rank
	 * h = (n - 1) p / 100, between x[floor(h)] and x[floor(h) + 1]. */
	h = (double)(n - 1) * (p / 100);
	lo = (size_t)h;
	if (lo >= n - 1)
		return s[n - 1];
	frac = h - (double)lo;
	if (frac == 0)
		return s[lo];
	return s[lo] + frac * (s[lo + 1] - s[lo]);
}

double pt_percentile(const double *x, size_t n, double p)
{
	double *s, v;
	int ret;

	if (n == 0 || !(p >= 0 && p <= 100))
		return NAN;
	ret = sorted_copy(x, n, &s);
	if (ret < 0) {
		if (ret == -ENOMEM)
			errno = ENOMEM;
		return NAN;
	}
	v = pt_percentile_sorted(s, n, p);
	free(s);
	return v;
}

double pt_median(const double *x, size_t n)
{
	double *s, v;
	int ret;

	if (n == 0)
		return NAN;
	ret = sorted_copy(x, n, &s);
	if (ret < 0) {
		if (ret == -ENOMEM)
			errno = ENOMEM;
		return NAN;
	}
	v = median_sorted(s, n);
	free(s);
	return v;
}

double pt_mean(const double *x, size_t n)
{
	double sum = 0, m, corr = 0;

	if (n == 0 || !x)
		return NAN;
	for (size_t i = 0; i < n; i++)
		sum += x[i];
	m = sum / (double)n;
	if (!isfinite(m))
		return m;
	/* A second pass adds back the rounding error of the first, as R's
	 * mean() does (src/main/summary.c). */
	for (size_t i = 0; i < n; i++)
		corr += x[i] - m;
	return m + corr / (double)n;
}

/* Sample variance by the corrected two-pass algorithm: the second term
 * cancels the error of the computed mean (Chan, Golub & LeVeque, "Algorithms
 * for computing the sample variance", Am. Stat. 37(3), 1983, eq. 1.7). */
static double variance_about(const double *x, size_t n, double m)
{
	double ss = 0, sd = 0, v;

	if (n < 2)
		return 0;
	for (size_t i = 0; i < n; i++) {
		double d = x[i] - m;

		ss += d * d;
		sd += d;
	}
	v = (ss - sd * sd / (double)n) / (double)(n - 1);
	return v < 0 ? 0 : v;
}

double pt_stddev(const double *x, size_t n)
{
	double m;

	if (n < 2)
		return n == 1 && x && isnan(x[0]) ? NAN : 0;
	m = pt_mean(x, n);
	if (isnan(m))
		return NAN;
	return sqrt(variance_about(x, n, m));
}

/*
 * CI of the median from order statistics (Conover, "Practical Nonparametric
 * Statistics", 3rd ed., sec. 3.2): for a continuous distribution with median
 * M, P(x(j) <= M <= x(n-j+1)) = 1 - 2 P(B <= j - 1), B ~ binomial(n, 1/2).
 * Coverage falls as j grows, so take the largest j that still reaches
 * @level. The pmf is carried in logs, 2^-n underflows for n > 1074.
 */
static void median_ci_sorted(const double *s, size_t n, double level,
			     double *lo, double *hi, double *cov)
{
	/* Rounding in the log recursion must not push an exactly attainable
	 * level (e.g. 0.978515625 for n = 10) to the next interval. */
	const double tol = 1e-12;
	double logp = -(double)n * M_LN2; /* log P(B = 0) */
	double cdf = exp(logp);          /* P(B <= j - 1) */
	double c = 1 - 2 * cdf;          /* coverage of x(j), x(n-j+1) */
	size_t j = 1;

	if (c >= level - tol) {
		for (;;) {
			double next_cdf, next_c;

			if (2 * (j + 1) > n + 1)
				break;
			/* P(B = j) = P(B = j - 1) (n - j + 1) / j */
			logp += log((double)(n - j + 1) / (double)j);
			next_cdf = cdf + exp(logp);
			next_c = 1 - 2 * next_cdf;
			if (next_c < level - tol)
				break;
			cdf = next_cdf;
			c = next_c;
			j++;
		}
	}
	*lo = s[j - 1];
	*hi = s[n - j];
	*cov = c < 0 ? 0 : c;
}

int pt_median_ci(const double *x, size_t n, double level, double *lo,
		 double *hi, double *achieved)
{
	double *s, c;
	int ret;

	if (!lo || !hi || !(level > 0 && level < 1))
		return -EINVAL;
	ret = sorted_copy(x, n, &s);
	if (ret < 0)
		return ret;
	median_ci_sorted(s, n, level, lo, hi, &c);
	if (achieved)
		*achieved = c;
	free(s);
	return 0;
}

/*
 * Modified z-score M = 0.6745 (x - median) / MAD, outlier when |M| > 3.5
 * (Iglewicz & Hoaglin, "How to Detect and Handle Outliers", ASQC 1993;
 * 0.6745 = Phi^-1(3/4) makes MAD / 0.6745 estimate sigma for normal data).
 * MAD == 0 means more than half the values sit on the median: there is no
 * scale to measure distance in, and flagging everything off the median would
 * call the clock's granularity an outlier, so nothing is flagged.
 * @s is @x sorted; @scratch holds n doubles.
 */
static size_t mad_flag(const double *x, const double *s, size_t n,
		       double *scratch, bool *flag)
{
	double med = median_sorted(s, n), mad;
	size_t count = 0;

	for (size_t i = 0; i < n; i++)
		scratch[i] = fabs(s[i] - med);
	qsort(scratch, n, sizeof(*scratch), cmp_double);
	mad = median_sorted(scratch, n);
	for (size_t i = 0; i < n; i++) {
		bool out = false;

		if (mad > 0 && isfinite(mad))
			out = fabs(0.6745 * (x[i] - med) / mad) > 3.5;
		if (flag)
			flag[i] = out;
		count += out;
	}
	return count;
}

int pt_mad_outliers(const double *x, size_t n, bool *flag, size_t *count)
{
	double *s, *scratch;
	size_t c;
	int ret;

	if (n == 0 || !x || n > SIZE_MAX / 2)
		return -EINVAL;
	s = alloc_doubles(2 * n);
	if (!s)
		return -ENOMEM;
	scratch = s + n;
	ret = sort_into(s, x, n);
	if (ret == 0) {
		c = mad_flag(x, s, n, scratch, flag);
		if (count)
			*count = c;
	}
	free(s);
	return ret;
}

int pt_summarize(const double *x, size_t n, struct pt_summary *out)
{
	struct pt_summary r = { .n = n };
	double *s;
	int ret;

	if (n == 0 || !x || !out || n > SIZE_MAX / 2)
		return -EINVAL;
	s = alloc_doubles(2 * n);
	if (!s)
		return -ENOMEM;
	ret = sort_into(s, x, n);
	if (ret < 0)
		goto out_free;

	r.min = s[0];
	r.max = s[n - 1];
	r.mean = pt_mean(x, n);
	r.sd = sqrt(variance_about(x, n, r.mean));
	r.cv = (n < 2 || r.mean == 0) ? 0 : r.sd / fabs(r.mean);
	r.median = median_sorted(s, n);
	median_ci_sorted(s, n, 0.95, &r.ci_lo, &r.ci_hi, &r.ci_level);
	r.outliers = mad_flag(x, s, n, s + n, NULL);
	*out = r;
out_free:
	free(s);
	return ret;
}

/*
 * Exact null distribution of U without ties: the number of orderings with
 * U = u is the coefficient of q^u in the Gaussian binomial
 * [na+nb choose na]_q = prod_{i=1..na} (1 - q^(nb+i)) / (1 - q^i)
 * (Mann & Whitney 1947; the in-place product and division is Harding's
 * minimal-storage method, Appl. Stat. 33(1), 1984). Only coefficients
 * 0..na*nb are kept: both steps read lower coefficients only, so dropping the
 * higher ones changes nothing below. Counts stay below C(40, 20) < 2^53, so
 * doubles hold them exactly. mw_null_counts() returns the counts of
 * U = 0..na*nb (NULL without memory); mw_exact_cdf() returns P(U <= u), or
 * NAN without memory.
 */
static double *mw_null_counts(size_t na, size_t nb)
{
	size_t m = na * nb + 1;
	double *c = calloc(m, sizeof(*c));

	if (!c)
		return NULL;
	c[0] = 1;
	for (size_t i = 1; i <= na; i++) {
		size_t k = nb + i;

		for (size_t j = m; j-- > k;)
			c[j] -= c[j - k];
		for (size_t j = i; j < m; j++)
			c[j] += c[j - i];
	}
	return c;
}

static double mw_exact_cdf(size_t na, size_t nb, size_t u)
{
	size_t m = na * nb + 1;
	double *c = mw_null_counts(na, nb);
	double below = 0, total = 0;

	if (!c) {
		errno = ENOMEM;
		return NAN;
	}
	for (size_t j = 0; j < m; j++) {
		total += c[j];
		if (j <= u)
			below += c[j];
	}
	free(c);
	return below / total;
}

double pt_mann_whitney_p(const double *a, size_t na, const double *b,
			 size_t nb)
{
	double *sa, *sb, r1 = 0, tie = 0, u1, mu, var, z, p;
	size_t i = 0, j = 0, rank = 0;
	bool ties = false;
	int ret;

	if (na == 0 || nb == 0 || !a || !b)
		return NAN;
	if (na > SIZE_MAX - nb || na + nb > SIZE_MAX / sizeof(double)) {
		errno = ENOMEM;
		return NAN;
	}
	sa = alloc_doubles(na + nb);
	if (!sa) {
		errno = ENOMEM;
		return NAN;
	}
	sb = sa + na;
	ret = sort_into(sa, a, na);
	if (ret == 0)
		ret = sort_into(sb, b, nb);
	if (ret < 0) {
		free(sa);
		return NAN;
	}

	/* Walk the merged order one group of equal values at a time: each
	 * member gets the group's mid-rank, and the group of size t enters
	 * the tie correction as t^3 - t. */
	while (i < na || j < nb) {
		double v, t, midrank;
		size_t ca = 0, cb = 0;

		if (j >= nb || (i < na && sa[i] <= sb[j]))
			v = sa[i];
		else
			v = sb[j];
		while (i < na && sa[i] == v) {
			i++;
			ca++;
		}
		while (j < nb && sb[j] == v) {
			j++;
			cb++;
		}
		t = (double)(ca + cb);
		midrank = (double)rank + (t + 1) / 2;
		r1 += (double)ca * midrank;
		if (ca + cb > 1) {
			ties = true;
			tie += t * t * t - t;
		}
		rank += ca + cb;
	}
	free(sa);

	u1 = r1 - (double)na * ((double)na + 1) / 2;
	mu = (double)na * (double)nb / 2;

	if (!ties && na <= PT_MW_EXACT_MAX && nb <= PT_MW_EXACT_MAX) {
		double umin = fmin(u1, 2 * mu - u1);

		p = 2 * mw_exact_cdf(na, nb, (size_t)umin);
		return p > 1 ? 1 : p;
	}

	/* Normal approximation. Variance with ties: Lehmann, "Nonparametrics:
	 * Statistical Methods Based on Ranks" (1975), eq. 1.60:
	 * na nb / 12 * ((N + 1) - sum(t^3 - t) / (N (N - 1))). Continuity
	 * correction of 1/2 toward the mean, as scipy.stats.mannwhitneyu. */
	{
		double nn = (double)(na + nb);

		var = (double)na * (double)nb / 12 *
		      ((nn + 1) - tie / (nn * (nn - 1)));
	}
	if (!(var > 0))
		return 1; /* every value equal: no evidence of a difference */
	z = (fabs(u1 - mu) - 0.5) / sqrt(var);
	if (z <= 0)
		return 1;
	p = erfc(z / M_SQRT2);
	return p > 1 ? 1 : p;
}

/*
 * Continued fraction of the incomplete beta function (DLMF 8.17.22,
 * Abramowitz & Stegun 26.5.8):
 *   I_x(a,b) = x^a y^b / (a B(a,b)) * 1 / (1 + d1 / (1 + d2 / (1 + ...)))
 *   d(2m+1) = -(a+m)(a+b+m) x / ((a+2m)(a+2m+1))
 *   d(2m)   = m (b-m) x / ((a+2m-1)(a+2m))
 * evaluated by the modified Lentz method (Thompson & Barnett, J. Comput.
 * Phys. 64, 1986). It converges fast for x < (a+1)/(a+b+2), in about
 * sqrt(max(a,b)) terms; beyond that I_x(a,b) = 1 - I_y(b,a) is used.
 * y = 1 - x is passed separately so that a tiny y keeps its precision.
 */
static double betainc_cf(double a, double b, double x)
{
	const double tiny = 1e-300, eps = 1e-15;
	double c = 1, d = 0, f = 1;

	for (unsigned k = 1; k < 100000; k++) {
		double m = (double)(k / 2), num, delta;

		if (k % 2)
			num = -(a + m) * (a + b + m) * x /
			      ((a + 2 * m) * (a + 2 * m + 1));
		else
			num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
		d = 1 + num * d;
		if (fabs(d) < tiny)
			d = tiny;
		d = 1 / d;
		c = 1 + num / c;
		if (fabs(c) < tiny)
			c = tiny;
		delta = c * d;
		f *= delta;
		if (fabs(delta - 1) < eps)
			return f;
	}
	return NAN; /* no convergence: do not pretend */
}

/* I_x(a,b) by the continued fraction; 0 < x < 1, y = 1 - x. */
static double betainc_direct(double a, double b, double x, double y)
{
	double lga, lgb, lgab, front;
	int sign;

	lga = lgamma_r(a, &sign);
	lgb = lgamma_r(b, &sign);
	lgab = lgamma_r(a + b, &sign);
	front = exp(a * log(x) + b * log(y) - (lga + lgb - lgab)) / a;
	return front / betainc_cf(a, b, x);
}

static double betainc_xy(double a, double b, double x, double y)
{
	if (!(a > 0 && b > 0 && x >= 0 && y >= 0) || isinf(a) || isinf(b))
		return NAN;
	if (x == 0)
		return 0;
	if (y == 0)
		return 1;
	if (x > (a + 1) / (a + b + 2))
		return 1 - betainc_direct(b, a, y, x);
	return betainc_direct(a, b, x, y);
}

double pt_betainc(double a, double b, double x)
{
	if (!(x >= 0 && x <= 1))
		return NAN;
	return betainc_xy(a, b, x, 1 - x);
}

/*
 * Welch's t-test (Welch, Biometrika 34, 1947): t = (ma - mb) / se with
 * se^2 = va/na + vb/nb, and Welch-Satterthwaite degrees of freedom
 * df = se^4 / ((va/na)^2 / (na-1) + (vb/nb)^2 / (nb-1)).
 * Two-sided Student tail: P(|T| >= |t|) = I_{df/(df+t^2)}(df/2, 1/2)
 * (DLMF 8.17.iv / Abramowitz & Stegun 26.7.1).
 */
double pt_welch_p(const double *a, size_t na, const double *b, size_t nb)
{
	double ma, mb, qa, qb, se2, t2, df, p;

	if (na < 2 || nb < 2 || !a || !b)
		return NAN;
	ma = pt_mean(a, na);
	mb = pt_mean(b, nb);
	if (!isfinite(ma) || !isfinite(mb))
		return NAN;
	qa = variance_about(a, na, ma) / (double)na;
	qb = variance_about(b, nb, mb) / (double)nb;
	se2 = qa + qb;
	if (!isfinite(se2))
		return NAN;
	if (se2 == 0)
		return ma == mb ? 1 : 0;
	t2 = (ma - mb) * (ma - mb) / se2;
	df = se2 * se2 / (qa * qa / (double)(na - 1) + qb * qb / (double)(nb - 1));
	if (isinf(t2))
		return 0;
	if (!(df > 0) || isinf(df))
		return NAN;
	p = betainc_xy(df / 2, 0.5, df / (df + t2), t2 / (df + t2));
	if (isnan(p))
		return NAN;
	return p < 0 ? 0 : p > 1 ? 1 : p;
}

/* ---- The decision rule (see stats.h for the method and why) ---- */

/* Tolerance for comparing coverage levels: exactly attainable levels must
 * not fall to the next interval through rounding (see median_ci_sorted). */
#define PT_LEVEL_TOL 1e-12

const char *pt_decision_name(enum pt_decision d)
{
	switch (d) {
	case PT_DEC_FASTER:
		return "faster";
	case PT_DEC_SLOWER:
		return "slower";
	case PT_DEC_TIE:
		return "tie";
	case PT_DEC_UNDECIDED:
		break;
	}
	return "undecided";
}

int pt_decision_parse(const char *s, enum pt_decision *d)
{
	static const enum pt_decision all[] = { PT_DEC_UNDECIDED, PT_DEC_FASTER, PT_DEC_SLOWER,
						PT_DEC_TIE };

	for (size_t i = 0; s && i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(s, pt_decision_name(all[i])) == 0) {
			*d = all[i];
			return 0;
		}
	return -EINVAL;
}

/* log C(n, k) */
static double log_choose(size_t n, size_t k)
{
	int sign;

	return lgamma_r((double)n + 1, &sign) - lgamma_r((double)k + 1, &sign) -
	       lgamma_r((double)(n - k) + 1, &sign);
}

bool pt_ratio_enough(size_t na, size_t nb, double level)
{
	/* The widest interval, [min, max] of the differences, covers
	 * 1 - 2 P(U = 0) = 1 - 2 / C(na + nb, na). */
	if (na == 0 || nb == 0 || !(level > 0 && level < 1))
		return false;
	return 1 - 2 * exp(-log_choose(na + nb, na)) >= level - PT_LEVEL_TOL;
}

size_t pt_ratio_min_reps(double level)
{
	size_t n = 1;

	if (!(level > 0 && level < 1))
		return 0;
	while (!pt_ratio_enough(n, n, level))
		n++;
	return n;
}

/*
 * The rank k of an interval [W(k), W(m+1-k)] of m+1 ordered estimates
 * whose coverage is 1 - 2 P(X <= k - 1), X a rank statistic on 0..m
 * symmetric about m/2: the largest k whose coverage still reaches
 * 1 - 2 @alpha2 (0 when even k = 1 does not), and that coverage. From
 * the exact null counts @c[0..m] of X (their sum @total), or, when @c is
 * NULL, the normal approximation with continuity correction of standard
 * deviation @sd.
 */
static void rank_of(const double *c, double total, size_t m, double sd, double alpha2,
		    size_t *k, double *cov)
{
	double mu = (double)m / 2, cdf = 0;
	size_t j = 0;

	for (;;) {
		/* P(X <= j), the coverage's tail for the candidate k = j + 1 */
		double p = c ? (cdf + c[j]) / total
			     : 0.5 * erfc(-((double)j + 0.5 - mu) / (sd * M_SQRT2));

		if (2 * (j + 1) > m + 1 || p > alpha2)
			break;
		cdf = c ? cdf + c[j] : p;
		j++;
	}
	*k = j;
	*cov = c ? 1 - 2 * cdf / total : j ? 1 - 2 * cdf : 0;
}

/*
 * The rank k of the interval [D(k), D(mn+1-k)] of the m*n sorted
 * differences: for continuous data its coverage is 1 - 2 P(U <= k - 1)
 * under the null distribution of the Mann-Whitney U (Hollander & Wolfe,
 * sec. 4.3). The largest k whose coverage still reaches @level; 0 when even
 * k = 1 does not. The exact distribution while its counts fit a double's 53
 * bits exactly (C(m+n, m) < 2^50, with margin), else the normal
 * approximation with continuity correction, mean mn/2, variance
 * mn(m+n+1)/12.
 */
static int ratio_rank(size_t na, size_t nb, double level, size_t *k, double *cov)
{
	double alpha2 = (1 - level) / 2 + PT_LEVEL_TOL / 2;
	size_t mn = na * nb;

	*k = 0;
	*cov = 0;
	if (!pt_ratio_enough(na, nb, level))
		return 0;
	if (log_choose(na + nb, na) < 50 * M_LN2) {
		double *c = mw_null_counts(na, nb), total = 0;

		if (!c)
			return -ENOMEM;
		for (size_t u = 0; u <= mn; u++)
			total += c[u];
		rank_of(c, total, mn, 0, alpha2, k, cov);
		free(c);
	} else {
		rank_of(NULL, 0, mn, sqrt((double)mn * (double)(na + nb + 1) / 12), alpha2, k, cov);
	}
	return 0;
}

/* From @m estimates @w of a log ratio (sorted here): the ratio, exp of
 * their median, and the interval [w(k), w(m+1-k)] when k > 0. */
static void ratio_from(double *w, size_t m, size_t k, struct pt_ratio *r)
{
	qsort(w, m, sizeof(*w), cmp_double);
	r->ratio = exp(median_sorted(w, m));
	if (k > 0) {
		r->lo = exp(w[k - 1]);
		r->hi = exp(w[m - k]);
	}
}

/* Upper bound on m*n: a budget gives tens of repetitions, not thousands. */
#define PT_RATIO_MAX_PAIRS ((size_t)1 << 24)

int pt_ratio_ci(const double *a, size_t na, const double *b, size_t nb, bool higher_better,
		double level, struct pt_ratio *out)
{
	struct pt_ratio r = { .lo = NAN, .hi = NAN, .decision = PT_DEC_UNDECIDED };
	double *d, sign = higher_better ? 1 : -1;
	size_t mn, k = 0, n = 0;
	int ret;

	if (!a || !b || !out || na == 0 || nb == 0 || !(level > 0 && level < 1))
		return -EINVAL;
	if (na > PT_RATIO_MAX_PAIRS / nb)
		return -E2BIG;
	for (size_t i = 0; i < na; i++)
		if (!(a[i] > 0) || !isfinite(a[i]))
			return -EINVAL;
	for (size_t j = 0; j < nb; j++)
		if (!(b[j] > 0) || !isfinite(b[j]))
			return -EINVAL;
	mn = na * nb;
	d = alloc_doubles(mn);
	if (!d)
		return -ENOMEM;
	/* Speed A / speed B in logs: log a - log b when the figure is a
	 * speed, log b - log a when it is a time. */
	for (size_t i = 0; i < na; i++)
		for (size_t j = 0; j < nb; j++)
			d[n++] = sign * (log(a[i]) - log(b[j]));
	ret = ratio_rank(na, nb, level, &k, &r.level);
	ratio_from(d, mn, k, &r);
	free(d);
	if (ret < 0)
		return ret;
	*out = r;
	return 0;
}

enum pt_decision pt_decide(double lo, double hi, double band)
{
	double up = 1 + band, down = 1 / (1 + band);

	if (isnan(lo) || isnan(hi) || !(band > 0) || lo > hi)
		return PT_DEC_UNDECIDED;
	if (lo > up)
		return PT_DEC_FASTER;
	if (hi < down)
		return PT_DEC_SLOWER;
	if (lo >= down && hi <= up)
		return PT_DEC_TIE;
	return PT_DEC_UNDECIDED;
}

int pt_compare_samples(const double *a, size_t na, const double *b, size_t nb,
		       bool higher_better, double band, struct pt_ratio *out)
{
	int ret;

	if (!(band > 0) || !isfinite(band))
		return -EINVAL;
	ret = pt_ratio_ci(a, na, b, nb, higher_better, PT_DECISION_LEVEL, out);
	if (ret == 0)
		out->decision = pt_decide(out->lo, out->hi, band);
	return ret;
}

double pt_resampled_share(const double *x, size_t nx, bool higher_better, double scale, size_t n,
			  double band, enum pt_decision want, int trials, struct pt_rng *rng)
{
	double *a, *b, f;
	int hits = 0;

	if (!x || nx == 0 || n == 0 || n > 1024 || trials <= 0 || !rng || !(scale > 0))
		return NAN;
	for (size_t i = 0; i < nx; i++)
		if (!(x[i] > 0) || !isfinite(x[i]))
			return NAN;
	a = alloc_doubles(2 * n);
	if (!a) {
		errno = ENOMEM;
		return NAN;
	}
	b = a + n;
	f = higher_better ? scale : 1 / scale;
	for (int t = 0; t < trials; t++) {
		struct pt_ratio r;

		for (size_t i = 0; i < n; i++) {
			a[i] = x[pt_rng_below(rng, nx)];
			b[i] = x[pt_rng_below(rng, nx)] * f;
		}
		if (pt_compare_samples(b, n, a, n, higher_better, band, &r) < 0) {
			free(a);
			return NAN;
		}
		hits += r.decision == want;
	}
	free(a);
	return (double)hits / trials;
}

double pt_drift(const double *x, size_t n)
{
	double *sl, med, slope;
	size_t m = 0;

	if (!x)
		return NAN;
	if (n < 2)
		return n == 1 && isnan(x[0]) ? NAN : 0;
	if (n > 4096)
		return NAN;
	med = pt_median(x, n);
	if (isnan(med) || med == 0)
		return NAN;
	sl = alloc_doubles(n * (n - 1) / 2);
	if (!sl) {
		errno = ENOMEM;
		return NAN;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			sl[m++] = (x[j] - x[i]) / (double)(j - i);
	qsort(sl, m, sizeof(*sl), cmp_double);
	slope = median_sorted(sl, m);
	free(sl);
	return slope * (double)(n - 1) / med;
}

/* ---- The paired rule (see stats.h) ---- */

bool pt_paired_enough(size_t n, double level)
{
	/* P(T+ = 0) = 2^-n: the extreme Walsh averages cover 1 - 2^(1-n). */
	if (n == 0 || n > 1074 || !(level > 0 && level < 1))
		return false;
	return 1 - ldexp(1, 1 - (int)n) >= level - PT_LEVEL_TOL;
}

size_t pt_paired_min_pairs(double level)
{
	size_t n = 1;

	if (!(level > 0 && level < 1))
		return 0;
	while (!pt_paired_enough(n, level))
		n++;
	return n;
}

/*
 * The rank k of Tukey's interval [W(k), W(M+1-k)] of the M = n(n+1)/2
 * sorted Walsh averages: its coverage is 1 - 2 P(T+ <= k - 1), T+ the
 * Wilcoxon signed-rank statistic under the null (Hollander & Wolfe, sec.
 * 3.2). The largest k still reaching @level; 0 when none does. The null
 * counts of T+ = t are the coefficients of prod_{i=1..n} (1 + q^i) (every
 * subset of the ranks 1..n is equally likely), exact in a double while
 * 2^n stays below 2^53; beyond, the normal approximation with continuity
 * correction, mean n(n+1)/4, variance n(n+1)(2n+1)/24.
 */
static int signed_rank_k(size_t n, double level, size_t *k, double *cov)
{
	double alpha2 = (1 - level) / 2 + PT_LEVEL_TOL / 2;
	size_t m = n * (n + 1) / 2;

	*k = 0;
	*cov = 0;
	if (!pt_paired_enough(n, level))
		return 0;
	if (n <= 50) {
		double *c = calloc(m + 1, sizeof(*c));

		if (!c)
			return -ENOMEM;
		c[0] = 1;
		for (size_t i = 1; i <= n; i++)
			for (size_t t = m; t >= i; t--)
				c[t] += c[t - i];
		rank_of(c, ldexp(1, (int)n), m, 0, alpha2, k, cov);
		free(c);
	} else {
		rank_of(NULL, 0, m, sqrt((double)n * (double)(n + 1) * (double)(2 * n + 1) / 24),
			alpha2, k, cov);
	}
	return 0;
}

/* At most this many pairs: n(n+1)/2 Walsh averages stay below 2^24. */
#define PT_PAIRED_MAX 4096

int pt_paired_ratio_ci(const double *a, const double *b, size_t n, bool higher_better,
		       double level, struct pt_ratio *out)
{
	struct pt_ratio r = { .lo = NAN, .hi = NAN, .decision = PT_DEC_UNDECIDED };
	double *d, *w, sign = higher_better ? 1 : -1;
	size_t m, k = 0, q = 0;
	int ret;

	if (!a || !b || !out || n == 0 || !(level > 0 && level < 1))
		return -EINVAL;
	if (n > PT_PAIRED_MAX)
		return -E2BIG;
	for (size_t i = 0; i < n; i++)
		if (!(a[i] > 0) || !isfinite(a[i]) || !(b[i] > 0) || !isfinite(b[i]))
			return -EINVAL;
	m = n * (n + 1) / 2;
	d = alloc_doubles(n + m);
	if (!d)
		return -ENOMEM;
	w = d + n;
	/* Speed A / speed B of each round, in logs. */
	for (size_t i = 0; i < n; i++)
		d[i] = sign * (log(a[i]) - log(b[i]));
	for (size_t i = 0; i < n; i++)
		for (size_t j = i; j < n; j++)
			w[q++] = midpoint(d[i], d[j]);
	ret = signed_rank_k(n, level, &k, &r.level);
	ratio_from(w, m, k, &r);
	free(d);
	if (ret < 0)
		return ret;
	*out = r;
	return 0;
}

int pt_compare_paired(const double *a, const double *b, size_t n, bool higher_better,
		      double band, struct pt_ratio *out)
{
	int ret;

	if (!(band > 0) || !isfinite(band))
		return -EINVAL;
	ret = pt_paired_ratio_ci(a, b, n, higher_better, PT_DECISION_LEVEL, out);
	if (ret == 0)
		out->decision = pt_decide(out->lo, out->hi, band);
	return ret;
}

/* A standard normal draw (Box-Muller; Knuth, TAOCP vol. 2, 3.4.1 C). */
static double normal_draw(struct pt_rng *rng)
{
	double u = 1 - pt_rng_double(rng), v = pt_rng_double(rng);

	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

double pt_simulated_share(const struct pt_sim *sim, enum pt_decision want, int trials,
			  struct pt_rng *rng)
{
	double *a, *b;
	size_t n;
	int hits = 0;

	if (!sim || !rng || trials <= 0 || sim->rounds == 0 || sim->rounds > 1024 ||
	    !(sim->noise >= 0) || !(sim->host_step >= 0) || !isfinite(sim->host_trend) ||
	    !(sim->scale > 0) || !isfinite(sim->scale))
		return NAN;
	n = sim->rounds;
	a = alloc_doubles(2 * n);
	if (!a) {
		errno = ENOMEM;
		return NAN;
	}
	b = a + n;
	for (int t = 0; t < trials; t++) {
		double host = 0;
		struct pt_ratio r;
		int ret;

		for (size_t i = 0; i < n; i++) {
			bool a_first = pt_rng_below(rng, 2) == 0;

			for (int slot = 0; slot < 2; slot++) {
				double v;

				host += sim->host_step * normal_draw(rng) + sim->host_trend;
				v = exp(host + sim->noise * normal_draw(rng));
				if ((slot == 0) == a_first)
					a[i] = v;
				else
					b[i] = v * sim->scale;
			}
		}
		ret = sim->paired ? pt_compare_paired(b, a, n, true, sim->band, &r)
				  : pt_compare_samples(b, n, a, n, true, sim->band, &r);
		if (ret < 0) {
			free(a);
			return NAN;
		}
		hits += r.decision == want;
	}
	free(a);
	return (double)hits / trials;
}
