// SPDX-License-Identifier: MIT
// power: how many repetitions the decision rule needs on this machine's own
// noise. Takes the repetitions of one point from a results.csv, scales a
// copy of them (default by 1.10, B 10% faster), resamples both n at a time
// and reports, for n = 4, 5, ..., the share of resamples the rule decides
// "faster", until it reaches 90%; then, at that n, how often unscaled
// copies are wrongly called faster or slower. Deterministic for a seed.
// With --pair MODEL it judges instead another model's point of the same
// run against this one, once, as the summary would (identical work should
// come out tie or undecided), paired by round where the rows have enough
// pairs. With --synthetic it needs no file: rounds of A and B whose host
// speed drifts, shared by both sides (pt_simulated_share), and reports the
// false-verdict rate and the power of the paired and the unpaired rule.
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
	      "       power --synthetic [--noise CV] [--host-step SD] [--host-trend T]\n"
	      "             [--scale F] [--trials N] [--seed S] [--band PCT] [--max N]\n"
	      "The rule's power on one point's repetitions (ok, not re-run for noise),\n"
	      "ops_per_s where present, else wall_s; KEY=VALUE keeps rows whose column\n"
	      "KEY holds VALUE. Exit 0 when some n <= --max reaches 90%, 1 otherwise,\n"
	      "2 on bad input.\n"
	      "--synthetic: rounds of A and B in a random order, the host's log speed a\n"
	      "random walk of step SD (default 0.05) plus T a repetition (default 0),\n"
	      "each repetition's own log noise CV (default 0.03); for n = 6 .. --max\n"
	      "rounds, the false verdicts of identical work and the power on F, for the\n"
	      "paired rule and the unpaired one on the same figures.\n",
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
	double noise, host_step, host_trend;
	const char *pair;
	bool synthetic;
};

/* The options; 0 to go on, -1 after --help, 2 on bad usage. */
static int parse(int argc, char **argv, struct popts *p)
{
	static const struct option longopts[] = {
		{ "scale", required_argument, NULL, 's' }, { "trials", required_argument, NULL, 't' },
		{ "seed", required_argument, NULL, 'S' },  { "band", required_argument, NULL, 'b' },
		{ "max", required_argument, NULL, 'm' },   { "help", no_argument, NULL, 'h' },
		{ "pair", required_argument, NULL, 'p' },
		{ "synthetic", no_argument, NULL, 'y' }, { "noise", required_argument, NULL, 'n' },
		{ "host-step", required_argument, NULL, 'H' },
		{ "host-trend", required_argument, NULL, 'T' },
		{ 0 },
	};
	double v;
	int c;

	*p = (struct popts){ .scale = 1.10, .band = PT_BAND_DEFAULT, .trials = 1000, .seed = 1,
			     .maxn = 40, .noise = 0.03, .host_step = 0.05 };
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return -1;
		}
		if (c == 'p') {
			p->pair = optarg;
			continue;
		}
		if (c == 'y') {
			p->synthetic = true;
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
		case 'n': p->noise = v; break;
		case 'H': p->host_step = v; break;
		case 'T': p->host_trend = v; break;
		}
	}
	if (!(p->noise >= 0 && p->noise <= 1) || !(p->host_step >= 0 && p->host_step <= 1) ||
	    !(fabs(p->host_trend) <= 1)) {
		usage(stderr);
		return 2;
	}
	if (p->synthetic && argc == optind && p->scale > 0 && p->trials >= 1 &&
	    p->trials <= 1e6 && p->band > 0 && p->band < 1 && p->maxn >= 6 && p->maxn <= 1024 &&
	    p->seed >= 0)
		return 0;
	if (p->synthetic || argc - optind < 4 || !(p->scale > 0) || !(p->trials >= 1 && p->trials <= 1e6) ||
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
 * when it has none (*ops says which); their rounds into @rnd (may be NULL;
 * 0 where the row has none). The count, or -1. */
static long samples(const struct pt_csv *csv, char **sel, int nsel, double *x, long *rnd,
		    bool *ops)
{
	int cr = pt_csv_col(csv, "round");
	long nx = 0;

	for (int pass = 0; pass < 2 && nx == 0; pass++) {
		int cq = pt_csv_col(csv, pass == 0 ? "ops_per_s" : "wall_s");

		*ops = pass == 0;
		for (size_t i = 0; cq >= 0 && i < csv->nrows; i++) {
			int m = row_matches(csv, csv->rows[i], sel, nsel);
			double v;

			if (m < 0)
				return -1;
			if (m && !num(csv->rows[i][cq], &v) && v > 0) {
				double r;

				if (rnd)
					rnd[nx] = cr >= 0 && !num(csv->rows[i][cr], &r) && r > 0 &&
							  r < 1e9
						  ? (long)r
						  : 0;
				x[nx++] = v;
			}
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

/* The pairs of (@y, @ry) and (@x, @rx) of the same round into @py, @px;
 * their count. */
static size_t match_rounds(const double *y, const long *ry, long ny, const double *x,
			   const long *rx, long nx, double *py, double *px)
{
	size_t n = 0;

	for (long i = 0; i < ny; i++)
		for (long j = 0; ry[i] > 0 && j < nx; j++)
			if (rx[j] == ry[i]) {
				py[n] = y[i];
				px[n++] = x[j];
				break;
			}
	return n;
}

/* --pair: the point of model p->pair against @sel's, once, by both rules;
 * the one the summary uses (paired when there are enough pairs) first. */
static int pair(const struct pt_csv *csv, char **sel, int nsel, const struct popts *p)
{
	size_t rows = csv->nrows ? csv->nrows : 1, np = 0;
	double *buf = malloc(4 * rows * sizeof(*buf));
	long *rbuf = malloc(2 * rows * sizeof(*rbuf));
	double *x = buf, *y = buf + rows, *px = buf + 2 * rows, *py = buf + 3 * rows;
	char *sel2[64];
	struct pt_ratio r, u;
	bool ops, ops2;
	long nx, ny;
	int ret = 2;

	if (!buf || !rbuf || nsel > 64)
		goto out;
	memcpy(sel2, sel, (size_t)nsel * sizeof(*sel2));
	sel2[1] = (char *)p->pair;
	nx = samples(csv, sel, nsel, x, rbuf, &ops);
	ny = samples(csv, sel2, nsel, y, rbuf + rows, &ops2);
	if (nx < 1 || ny < 1 || ops2 != ops ||
	    pt_compare_samples(y, (size_t)ny, x, (size_t)nx, ops, p->band, &u) < 0) {
		fprintf(stderr, "power: no comparable repetitions of %s\n", p->pair);
		goto out;
	}
	np = match_rounds(y, rbuf + rows, ny, x, rbuf, nx, py, px);
	if (np >= pt_paired_min_pairs(PT_DECISION_LEVEL) &&
	    pt_compare_paired(py, px, np, ops, p->band, &r) == 0)
		printf("%s against %s: ratio %.4g [%.4g, %.4g] paired, from %zu rounds: %s\n",
		       p->pair, sel[1], r.ratio, r.lo, r.hi, np, pt_decision_name(r.decision));
	else
		printf("%s against %s: %zu rounds paired, too few for the paired rule\n", p->pair,
		       sel[1], np);
	printf("%s against %s: ratio %.4g [%.4g, %.4g] unpaired, from %ld and %ld "
	       "repetitions: %s\n",
	       p->pair, sel[1], u.ratio, u.lo, u.hi, ny, nx, pt_decision_name(u.decision));
	ret = 0;
out:
	free(buf);
	free(rbuf);
	return ret;
}

/* --synthetic: the false verdicts and the power of both rules on rounds
 * whose host speed drifts; 0 when the paired rule reaches 90% power. */
static int synthetic(const struct popts *p)
{
	struct pt_sim sim = { .noise = p->noise, .host_step = p->host_step,
			      .host_trend = p->host_trend, .band = p->band };
	struct pt_rng rng;
	int found = 0;

	printf("synthetic rounds: noise %.3g, host walk %.3g a repetition, trend %.3g; B = A x "
	       "%.3g; band +-%.3g%%; %.0f trials per n, seed %.0f\n",
	       p->noise, p->host_step, p->host_trend, p->scale, p->band * 100, p->trials, p->seed);
	printf("  rounds   paired: false faster  false slower  power   unpaired: false faster  "
	       "false slower  power\n");
	pt_rng_seed(&rng, (uint64_t)p->seed);
	for (size_t n = 6; n <= (size_t)p->maxn; n++) {
		double v[2][3];

		sim.rounds = n;
		for (int k = 0; k < 2; k++) {
			sim.paired = k == 0;
			sim.scale = 1;
			v[k][0] = pt_simulated_share(&sim, PT_DEC_FASTER, (int)p->trials, &rng);
			v[k][1] = pt_simulated_share(&sim, PT_DEC_SLOWER, (int)p->trials, &rng);
			sim.scale = p->scale;
			v[k][2] = pt_simulated_share(&sim, PT_DEC_FASTER, (int)p->trials, &rng);
		}
		printf("  %-6zu %13.1f%% %12.1f%% %6.1f%% %22.1f%% %12.1f%% %6.1f%%\n", n,
		       100 * v[0][0], 100 * v[0][1], 100 * v[0][2], 100 * v[1][0], 100 * v[1][1],
		       100 * v[1][2]);
		if (v[0][2] >= 0.9) {
			printf("paired power >= 90%% at %zu rounds\n", n);
			found = 1;
			break;
		}
	}
	if (!found)
		printf("paired power stays below 90%% up to %.0f rounds\n", p->maxn);
	return found ? 0 : 1;
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
	if (p.synthetic)
		return synthetic(&p);
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
	nx = x ? samples(&csv, argv + optind + 1, argc - optind - 1, x, NULL, &ops) : -1;
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
		ret = pair(&csv, argv + optind + 1, argc - optind - 1, &p);
	else
		ret = report(x, (size_t)nx, ops, &p);
	free(x);
	pt_csv_free(&csv);
	return ret;
}
