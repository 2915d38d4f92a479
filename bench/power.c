// SPDX-License-Identifier: MIT
// power: how many repetitions the decision rule needs on this machine's own
// noise. Takes the repetitions of one point from a results.csv, scales a
// copy of them (default by 1.10, B 10% faster), resamples both n at a time
// and reports, for n = 4, 5, ..., the share of resamples the rule decides
// "faster", until it reaches 90%; then, at that n, how often unscaled
// copies are wrongly called faster or slower. Deterministic for a seed.
// With --pair MODEL it judges instead another model's point of the same
// run against this one, once, as the summary would (identical work should
// come out tie or undecided).
#include "csv.h"
#include "rng.h"
#include "stats.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fputs("usage: power [--scale F] [--trials N] [--seed S] [--band PCT] [--max N]\n"
	      "             [--pair MODEL_B] RESULTS.csv WORKLOAD MODEL WORKERS [KEY=VALUE ...]\n"
	      "The rule's power on one point's repetitions (ok, not re-run for noise),\n"
	      "ops_per_s where present, else wall_s; KEY=VALUE keeps rows whose column\n"
	      "KEY holds VALUE. Exit 0 when some n <= --max reaches 90%, 1 otherwise,\n"
	      "2 on bad input.\n",
	      f);
}

static int num(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return !*s || *end || errno || !isfinite(*v) ? -1 : 0;
}

struct popts {
	double scale, band, trials, seed, maxn;
	const char *pair;
};

/* The options; 0 to go on, -1 after --help, 2 on bad usage. */
static int parse(int argc, char **argv, struct popts *p)
{
	static const struct option longopts[] = {
		{ "scale", required_argument, NULL, 's' }, { "trials", required_argument, NULL, 't' },
		{ "seed", required_argument, NULL, 'S' },  { "band", required_argument, NULL, 'b' },
		{ "max", required_argument, NULL, 'm' },   { "help", no_argument, NULL, 'h' },
		{ "pair", required_argument, NULL, 'p' },
		{ 0 },
	};
	double v;
	int c;

	*p = (struct popts){ .scale = 1.10, .band = PT_BAND_DEFAULT, .trials = 1000, .seed = 1,
			     .maxn = 40 };
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return -1;
		}
		if (c == 'p') {
			p->pair = optarg;
			continue;
		}
		if (c == '?' || num(optarg, &v)) {
			usage(stderr);
			return 2;
		}
		switch (c) {
		case 's': p->scale = v; break;
		case 't': p->trials = v; break;
		case 'S': p->seed = v; break;
		case 'b': p->band = v / 100; break;
		case 'm': p->maxn = v; break;
		}
	}
	if (argc - optind < 4 || !(p->scale > 0) || !(p->trials >= 1 && p->trials <= 1e6) ||
	    !(p->band > 0 && p->band < 1) || !(p->maxn >= 4 && p->maxn <= 1024) || p->seed < 0) {
		usage(stderr);
		return 2;
	}
	return 0;
}

/* Whether row @r is a usable repetition of the point @sel names
 * (workload, model, workers, then KEY=VALUE filters). -1 on a bad filter. */
static int row_matches(const struct pt_csv *csv, char **r, char **sel, int nsel)
{
	int cw = pt_csv_col(csv, "workload"), cm = pt_csv_col(csv, "model");
	int cn = pt_csv_col(csv, "workers"), cs = pt_csv_col(csv, "status");
	int cf = pt_csv_col(csv, "noise_flag");

	if (strcmp(r[cw], sel[0]) || strcmp(r[cm], sel[1]) || strcmp(r[cn], sel[2]) ||
	    strcmp(r[cs], "ok") || (cf >= 0 && !strcmp(r[cf], "1")))
		return 0;
	for (int k = 3; k < nsel; k++) {
		const char *eq = strchr(sel[k], '=');
		char key[128];
		int col;

		if (!eq || (size_t)(eq - sel[k]) >= sizeof(key)) {
			fprintf(stderr, "power: '%s' is not KEY=VALUE\n", sel[k]);
			return -1;
		}
		memcpy(key, sel[k], (size_t)(eq - sel[k]));
		key[eq - sel[k]] = '\0';
		col = pt_csv_col(csv, key);
		if (col < 0 || strcmp(r[col], eq + 1))
			return 0;
	}
	return 1;
}

/* The point's figures into @x (csv->nrows entries): ops_per_s, or wall_s
 * when it has none (*ops says which). The count, or -1. */
static long samples(const struct pt_csv *csv, char **sel, int nsel, double *x, bool *ops)
{
	long nx = 0;

	for (int pass = 0; pass < 2 && nx == 0; pass++) {
		int cq = pt_csv_col(csv, pass == 0 ? "ops_per_s" : "wall_s");

		*ops = pass == 0;
		for (size_t i = 0; cq >= 0 && i < csv->nrows; i++) {
			int m = row_matches(csv, csv->rows[i], sel, nsel);
			double v;

			if (m < 0)
				return -1;
			if (m && !num(csv->rows[i][cq], &v) && v > 0)
				x[nx++] = v;
		}
	}
	return nx;
}

/* The table of power against n; 0 when some n reaches 90%. */
static int report(const double *x, size_t nx, bool ops, const struct popts *p)
{
	struct pt_rng rng;

	printf("B = A x %.3g faster; band +-%.3g%%; %.0f resamples per n, seed %.0f\n", p->scale,
	       p->band * 100, p->trials, p->seed);
	pt_rng_seed(&rng, (uint64_t)p->seed);
	for (size_t n = 4; n <= (size_t)p->maxn; n++) {
		double pw = pt_resampled_share(x, nx, ops, p->scale, n, p->band, PT_DEC_FASTER,
					       (int)p->trials, &rng);

		printf("  n=%-3zu faster in %5.1f%%\n", n, 100 * pw);
		if (pw >= 0.9) {
			double f = pt_resampled_share(x, nx, ops, 1.0, n, p->band, PT_DEC_FASTER,
						      (int)p->trials, &rng);
			double s = pt_resampled_share(x, nx, ops, 1.0, n, p->band, PT_DEC_SLOWER,
						      (int)p->trials, &rng);

			printf("power >= 90%% at %zu repetitions per point; A/A at that n: faster "
			       "%.1f%%, slower %.1f%%\n",
			       n, 100 * f, 100 * s);
			return 0;
		}
	}
	printf("power stays below 90%% up to %.0f repetitions\n", p->maxn);
	return 1;
}

/* --pair: the point of model p->pair against the one in @x, once. */
static int pair(const struct pt_csv *csv, char **sel, int nsel, const double *x, size_t nx,
		bool ops, const struct popts *p)
{
	double *y = malloc((csv->nrows ? csv->nrows : 1) * sizeof(*y));
	char *sel2[64];
	struct pt_ratio r;
	bool ops2;
	long ny;

	if (!y || nsel > 64)
		return 2;
	memcpy(sel2, sel, (size_t)nsel * sizeof(*sel2));
	sel2[1] = (char *)p->pair;
	ny = samples(csv, sel2, nsel, y, &ops2);
	if (ny < 1 || ops2 != ops ||
	    pt_compare_samples(y, (size_t)ny, x, nx, ops, p->band, &r) < 0) {
		fprintf(stderr, "power: no comparable repetitions of %s\n", p->pair);
		free(y);
		return 2;
	}
	printf("%s against %s: ratio %.4g [%.4g, %.4g] from %ld and %zu repetitions: %s\n",
	       p->pair, sel[1], r.ratio, r.lo, r.hi, ny, nx, pt_decision_name(r.decision));
	free(y);
	return 0;
}

int main(int argc, char **argv)
{
	struct popts p;
	struct pt_summary sm;
	struct pt_csv csv;
	char err[256];
	double *x;
	long nx;
	bool ops = true;
	int ret = parse(argc, argv, &p);

	if (ret)
		return ret < 0 ? 0 : ret;
	if (pt_csv_read(argv[optind], &csv, err, sizeof(err))) {
		fprintf(stderr, "power: %s: %s\n", argv[optind], err);
		return 2;
	}
	if (pt_csv_col(&csv, "workload") < 0 || pt_csv_col(&csv, "model") < 0 ||
	    pt_csv_col(&csv, "workers") < 0 || pt_csv_col(&csv, "status") < 0) {
		fprintf(stderr, "power: %s: not a results.csv\n", argv[optind]);
		pt_csv_free(&csv);
		return 2;
	}
	x = malloc((csv.nrows ? csv.nrows : 1) * sizeof(*x));
	nx = x ? samples(&csv, argv + optind + 1, argc - optind - 1, x, &ops) : -1;
	if (nx < 2) {
		if (nx >= 0)
			fprintf(stderr, "power: %ld usable repetitions of that point (2 at least)\n",
				nx);
		free(x);
		pt_csv_free(&csv);
		return 2;
	}
	pt_summarize(x, (size_t)nx, &sm);
	printf("point: %s %s n=%s, %ld repetitions of %s, median %.6g, CV %.2f%%\n",
	       argv[optind + 1], argv[optind + 2], argv[optind + 3], nx,
	       ops ? "ops_per_s" : "wall_s", sm.median, 100 * sm.cv);
	if (p.pair)
		ret = pair(&csv, argv + optind + 1, argc - optind - 1, x, (size_t)nx, ops, &p);
	else
		ret = report(x, (size_t)nx, ops, &p);
	free(x);
	pt_csv_free(&csv);
	return ret;
}
