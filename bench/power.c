// SPDX-License-Identifier: MIT
// power: how many repetitions the decision rule needs on this machine's own
// noise. Takes the repetitions of one point from a results.csv, scales a
// copy of them (default by 1.10, B 10% faster), resamples both n at a time
// and reports, for n = 4, 5, ..., the share of resamples the rule decides
// "faster", until it reaches 90%; then, at that n, how often unscaled
// copies are wrongly called faster or slower. Deterministic for a seed.
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
	      "             RESULTS.csv WORKLOAD MODEL WORKERS [KEY=VALUE ...]\n"
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

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "scale", required_argument, NULL, 's' }, { "trials", required_argument, NULL, 't' },
		{ "seed", required_argument, NULL, 'S' },  { "band", required_argument, NULL, 'b' },
		{ "max", required_argument, NULL, 'm' },	  { "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	double scale = 1.10, band = PT_BAND_DEFAULT, trials = 1000, seed = 1, maxn = 40, v;
	int c, cq, cs, cf, cw, cm, cn, ret = 1;
	struct pt_csv csv;
	char err[256];
	double *x;
	size_t nx = 0, n;
	bool ops;
	struct pt_rng rng;

	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		if (c == '?' || num(optarg, &v)) {
			usage(stderr);
			return 2;
		}
		switch (c) {
		case 's': scale = v; break;
		case 't': trials = v; break;
		case 'S': seed = v; break;
		case 'b': band = v / 100; break;
		case 'm': maxn = v; break;
		}
	}
	if (argc - optind < 4 || !(scale > 0) || !(trials >= 1 && trials <= 1e6) ||
	    !(band > 0 && band < 1) || !(maxn >= 4 && maxn <= 1024) || seed < 0) {
		usage(stderr);
		return 2;
	}
	if (pt_csv_read(argv[optind], &csv, err, sizeof(err))) {
		fprintf(stderr, "power: %s: %s\n", argv[optind], err);
		return 2;
	}
	cw = pt_csv_col(&csv, "workload");
	cm = pt_csv_col(&csv, "model");
	cn = pt_csv_col(&csv, "workers");
	cs = pt_csv_col(&csv, "status");
	cf = pt_csv_col(&csv, "noise_flag");
	cq = pt_csv_col(&csv, "ops_per_s");
	if (cw < 0 || cm < 0 || cn < 0 || cs < 0) {
		fprintf(stderr, "power: %s: not a results.csv\n", argv[optind]);
		pt_csv_free(&csv);
		return 2;
	}
	x = malloc((csv.nrows ? csv.nrows : 1) * sizeof(*x));
	if (!x)
		return 2;
	for (int pass = 0; pass < 2 && nx == 0; pass++) {
		ops = pass == 0;
		cq = pt_csv_col(&csv, ops ? "ops_per_s" : "wall_s");
		for (size_t i = 0; cq >= 0 && i < csv.nrows; i++) {
			char **r = csv.rows[i];
			bool keep = !strcmp(r[cw], argv[optind + 1]) && !strcmp(r[cm], argv[optind + 2]) &&
				    !strcmp(r[cn], argv[optind + 3]) && !strcmp(r[cs], "ok") &&
				    !(cf >= 0 && !strcmp(r[cf], "1"));

			for (int k = optind + 4; keep && k < argc; k++) {
				const char *eq = strchr(argv[k], '=');
				char key[128];
				int col;

				if (!eq || (size_t)(eq - argv[k]) >= sizeof(key)) {
					fprintf(stderr, "power: '%s' is not KEY=VALUE\n", argv[k]);
					return 2;
				}
				memcpy(key, argv[k], (size_t)(eq - argv[k]));
				key[eq - argv[k]] = '\0';
				col = pt_csv_col(&csv, key);
				keep = col >= 0 && !strcmp(r[col], eq + 1);
			}
			if (keep && !num(r[cq], &v) && v > 0)
				x[nx++] = v;
		}
	}
	if (nx < 2) {
		fprintf(stderr, "power: %zu usable repetitions of that point (2 at least)\n", nx);
		free(x);
		pt_csv_free(&csv);
		return 2;
	}
	{
		struct pt_summary s;

		pt_summarize(x, nx, &s);
		printf("point: %s %s n=%s, %zu repetitions of %s, median %.6g, CV %.2f%%\n",
		       argv[optind + 1], argv[optind + 2], argv[optind + 3], nx,
		       ops ? "ops_per_s" : "wall_s", s.median, 100 * s.cv);
	}
	printf("B = A x %.3g faster; band +-%.3g%%; %.0f resamples per n, seed %.0f\n", scale,
	       band * 100, trials, seed);
	pt_rng_seed(&rng, (uint64_t)seed);
	for (n = 4; n <= (size_t)maxn; n++) {
		double p = pt_resampled_share(x, nx, ops, scale, n, band, PT_DEC_FASTER, (int)trials,
					      &rng);

		printf("  n=%-3zu faster in %5.1f%%\n", n, 100 * p);
		if (p >= 0.9) {
			double f = pt_resampled_share(x, nx, ops, 1.0, n, band, PT_DEC_FASTER,
						      (int)trials, &rng);
			double s = pt_resampled_share(x, nx, ops, 1.0, n, band, PT_DEC_SLOWER,
						      (int)trials, &rng);

			printf("power >= 90%% at %zu repetitions per point; A/A at that n: faster "
			       "%.1f%%, slower %.1f%%\n",
			       n, 100 * f, 100 * s);
			ret = 0;
			break;
		}
	}
	if (ret)
		printf("power stays below 90%% up to %.0f repetitions\n", maxn);
	free(x);
	pt_csv_free(&csv);
	return ret;
}
