// SPDX-License-Identifier: MIT
// ptbench compare: runs side by side, point by point. For every point of
// the first run (A) and every later run (B, C, ...), the interval of the
// speed ratio B / A from the repetitions and the decision rule's verdict
// (lib/stats.h), into compare.csv. Results directories are untrusted input:
// anything malformed is refused with exit 2 and a message naming it.
#include "compare.h"

#include "csv.h"
#include "error.h"
#include "results.h"
#include "stats.h"
#include "workload.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PT_CMP_MAX_RUNS 16

/* Columns besides the workload's parameters that tell points apart. */
static const char *const ident_cols[] = { "bind", "switch_interval_us", "check_interval",
					  "neighbours", "start", "ipc", "payload", "shared",
					  "container" };

#define pt_str_in(s, list) str_in((s), (list), sizeof(list) / sizeof((list)[0]))

static bool str_in(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

struct run {
	const char *dir;
	struct pt_csv csv;
	json_t *meta; /* NULL: no meta.json */
	int c_wl, c_model, c_workers, c_status, c_ops, c_wall, c_flag;
};

struct cpoint {
	char *wl, *model, *workers, *params;
	double *v[PT_CMP_MAX_RUNS][2]; /* [run][0: ops_per_s, 1: wall_s] */
	size_t n[PT_CMP_MAX_RUNS][2], cap[PT_CMP_MAX_RUNS][2];
	bool in_run[PT_CMP_MAX_RUNS];
};

struct points {
	struct cpoint *p;
	size_t n, cap;
};

/* Prints @s for a message: printable ASCII as is, the rest escaped, so
 * that a crafted file cannot put control bytes on the terminal. */
static void put_safe(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x20 && *p < 0x7f && *p != '\\')
			fputc(*p, f);
		else
			fprintf(f, "\\x%02x", *p);
	}
}

/* A message about @what (may be NULL), escaped whole: file names, values
 * and parser messages may all come from a crafted file. Returns 2. */
__attribute__((format(printf, 2, 3))) static int bad(const char *what, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	fputs("ptbench: compare: ", stderr);
	if (what) {
		fputc('\'', stderr);
		put_safe(stderr, what);
		fputs("': ", stderr);
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	put_safe(stderr, msg);
	fputc('\n', stderr);
	return PT_EXIT_USAGE;
}

static void usage(FILE *f)
{
	fputs("usage: ptbench compare [-o DIR] [--band PCT] A B [C ...]\n"
	      "\n"
	      "Compares each later run with the first, point by point, from their\n"
	      "results.csv (and meta.json, for the parameters that tell points apart).\n"
	      "For every point, the 95% interval of the speed ratio (B / A: above 1, B is\n"
	      "faster) from the repetitions, and the decision: faster or slower only when\n"
	      "the interval lies wholly outside the equivalence band, tie when wholly\n"
	      "inside, undecided otherwise.\n"
	      "\n"
	      "  -o, --out DIR   where compare.csv goes (default: a new\n"
	      "                  results/compare-<YYYYmmdd-HHMMSS>[-N]/)\n"
	      "      --band PCT  equivalence band in percent (default 5)\n"
	      "  -h, --help\n"
	      "\n"
	      "Prints the absolute path of the output directory. Exit status: 0 written,\n"
	      "1 not written, 2 bad usage or malformed input.\n",
	      f);
}

/* A strictly parsed finite number: no blanks, nothing after it. */
static bool parse_num(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s || *s == ' ' || *s == '\t' || *s == '\n')
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v))
		return false;
	*out = v;
	return true;
}

static int col_or_fail(struct run *r, const char *name, int *c)
{
	char path[PATH_MAX];

	*c = pt_csv_col(&r->csv, name);
	if (*c >= 0)
		return 0;
	snprintf(path, sizeof(path), "%s/results.csv", r->dir);
	return bad(path, "no column '%s'", name);
}

static int load_run(struct run *r, const char *dir)
{
	char path[PATH_MAX], err[256];
	json_error_t jerr;
	struct stat st;
	int ret;

	r->dir = dir;
	if (snprintf(path, sizeof(path), "%s/results.csv", dir) >= (int)sizeof(path))
		return bad(dir, "path too long");
	if (stat(dir, &st) < 0)
		return bad(dir, "%s", strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return bad(dir, "not a directory");
	ret = pt_csv_read(path, &r->csv, err, sizeof(err));
	if (ret == -ENOENT)
		return bad(dir, "no results.csv (not a ptbench results directory)");
	if (ret < 0)
		return bad(path, "%s", err);
	if ((ret = col_or_fail(r, "workload", &r->c_wl)) || (ret = col_or_fail(r, "model", &r->c_model)) ||
	    (ret = col_or_fail(r, "workers", &r->c_workers)) ||
	    (ret = col_or_fail(r, "status", &r->c_status)))
		return ret;
	r->c_ops = pt_csv_col(&r->csv, "ops_per_s");
	r->c_wall = pt_csv_col(&r->csv, "wall_s");
	r->c_flag = pt_csv_col(&r->csv, "noise_flag");
	if (r->c_ops < 0 && r->c_wall < 0)
		return bad(path, "neither an ops_per_s nor a wall_s column");

	snprintf(path, sizeof(path), "%s/meta.json", dir);
	if (access(path, F_OK) == 0) {
		r->meta = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
		if (!r->meta)
			return bad(path, "malformed JSON at line %d: %s", jerr.line, jerr.text);
		if (!json_is_object(r->meta))
			return bad(path, "not a JSON object");
	}
	return 0;
}

/* Whether parameter @name of workload @wl is part of a point's identity in
 * run @r: a declared parameter that the run did not size by pilot. */
static bool key_param(const struct run *r, const char *wl, const char *name)
{
	json_t *run = r->meta ? json_object_get(r->meta, "run") : NULL;
	json_t *sized = run ? json_object_get(run, "sized") : NULL;
	json_t *s = sized ? json_object_get(sized, wl) : NULL;

	return !(json_is_string(s) && strcmp(json_string_value(s), name) == 0);
}

/* Appends " key=value" of column @key of @row when the row has a value. */
static int append_kv(const struct run *r, char **row, const char *key, char *buf, size_t n,
		     size_t *len)
{
	int c = pt_csv_col(&r->csv, key), w;

	if (c < 0 || !*row[c])
		return 0;
	w = snprintf(buf + *len, n - *len, "%s%s=%s", *len ? " " : "", key, row[c]);
	if (w < 0 || (size_t)w >= n - *len)
		return -ENAMETOOLONG;
	*len += (size_t)w;
	return 0;
}

/* What tells the points of a workload apart, as "bind=none count=1000":
 * the identity columns, then the workload's parameters (meta.json's
 * run.parameters.<wl> keys, else this build's registry), from row @row. */
static int params_of(const struct run *r, char **row, const char *wl, char *buf, size_t n)
{
	json_t *run = r->meta ? json_object_get(r->meta, "run") : NULL;
	json_t *ps = run ? json_object_get(run, "parameters") : NULL;
	json_t *pw = ps ? json_object_get(ps, wl) : NULL;
	const struct pt_workload *w = pt_workload_find(wl);
	size_t len = 0;
	int ret = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(ident_cols) / sizeof(ident_cols[0]) && !ret; i++)
		ret = append_kv(r, row, ident_cols[i], buf, n, &len);
	if (json_is_object(pw)) {
		const char *k;
		json_t *v;

		json_object_foreach(pw, k, v) {
			if (!ret && key_param(r, wl, k) && !pt_str_in(k, ident_cols))
				ret = append_kv(r, row, k, buf, n, &len);
		}
	} else if (w) {
		for (const struct pt_param_def *d = w->params; d && d->name && !ret; d++)
			if (key_param(r, wl, d->name) && !pt_str_in(d->name, ident_cols))
				ret = append_kv(r, row, d->name, buf, n, &len);
	}
	return ret;
}

static struct cpoint *find_point(struct points *ps, const char *wl, const char *model,
				 const char *workers, const char *params)
{
	struct cpoint *p;

	for (size_t i = 0; i < ps->n; i++) {
		p = &ps->p[i];
		if (!strcmp(p->wl, wl) && !strcmp(p->model, model) && !strcmp(p->workers, workers) &&
		    !strcmp(p->params, params))
			return p;
	}
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? 2 * ps->cap : 64;
		struct cpoint *np = realloc(ps->p, cap * sizeof(*np));

		if (!np)
			return NULL;
		ps->p = np;
		ps->cap = cap;
	}
	p = &ps->p[ps->n];
	memset(p, 0, sizeof(*p));
	p->wl = strdup(wl);
	p->model = strdup(model);
	p->workers = strdup(workers);
	p->params = strdup(params);
	if (!p->wl || !p->model || !p->workers || !p->params) {
		free(p->wl);
		free(p->model);
		free(p->workers);
		free(p->params);
		return NULL;
	}
	ps->n++;
	return p;
}

static int push_value(struct cpoint *p, int run, int q, double v)
{
	if (p->n[run][q] == p->cap[run][q]) {
		size_t cap = p->cap[run][q] ? 2 * p->cap[run][q] : 8;
		double *nv = realloc(p->v[run][q], cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		p->v[run][q] = nv;
		p->cap[run][q] = cap;
	}
	p->v[run][q][p->n[run][q]++] = v;
	return 0;
}

static int collect(struct points *ps, struct run *r, int ri)
{
	char params[1024], path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/results.csv", r->dir);
	for (size_t i = 0; i < r->csv.nrows; i++) {
		char **row = r->csv.rows[i];
		const int cols[2] = { r->c_ops, r->c_wall };
		struct cpoint *p;

		if (!*row[r->c_wl] || !*row[r->c_model] || !*row[r->c_workers])
			return bad(path, "line %zu: empty workload, model or workers",
				   r->csv.lines[i]);
		if (params_of(r, row, row[r->c_wl], params, sizeof(params)))
			return bad(path, "line %zu: parameters too long", r->csv.lines[i]);
		p = find_point(ps, row[r->c_wl], row[r->c_model], row[r->c_workers], params);
		if (!p)
			return bad(NULL, "out of memory");
		p->in_run[ri] = true;
		if (strcmp(row[r->c_status], "ok") != 0)
			continue;
		/* A repetition flagged as noisy and re-run (noise_flag 1) is
		 * replaced by its re-run; 2 means flagged but kept. */
		if (r->c_flag >= 0 && strcmp(row[r->c_flag], "1") == 0)
			continue;
		for (int q = 0; q < 2; q++) {
			double v;

			if (cols[q] < 0 || !*row[cols[q]])
				continue;
			if (!parse_num(row[cols[q]], &v) || v < 0)
				return bad(path, "line %zu: %s is not a number >= 0: '%.40s'",
					   r->csv.lines[i], q ? "wall_s" : "ops_per_s", row[cols[q]]);
			if (v > 0 && push_value(p, ri, q, v))
				return bad(NULL, "out of memory");
		}
	}
	return 0;
}

/* The exclusive default output directory: results/compare-<stamp>[-N]. */
static int make_outdir(char *out, size_t n)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	if (mkdir("results", 0755) && errno != EEXIST)
		return -errno;
	for (int k = 1; k < 10000; k++) {
		if (k == 1)
			snprintf(out, n, "results/compare-%s", stamp);
		else
			snprintf(out, n, "results/compare-%s-%d", stamp, k);
		if (mkdir(out, 0755) == 0)
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

static void num_field(FILE *f, double v)
{
	if (!isnan(v))
		fprintf(f, "%.6g", v);
}

static double median_or_nan(const double *v, size_t n)
{
	return n ? pt_median(v, n) : NAN;
}

/* The rows of one point: one per later run. */
static void write_point(FILE *f, const struct cpoint *p, int nruns, double band, int *counts)
{
	/* ops per second where every run has it, else the time */
	int q = 0;

	for (int r = 0; r < nruns; r++)
		if (p->in_run[r] && p->n[r][0] == 0 && p->n[r][1] > 0)
			q = 1;
	if (p->n[0][0] == 0 && p->n[0][1] > 0)
		q = 1;
	for (int r = 1; r < nruns; r++) {
		struct pt_ratio rt = { .ratio = NAN, .lo = NAN, .hi = NAN,
				       .decision = PT_DEC_UNDECIDED };

		if (p->n[0][q] && p->n[r][q] &&
		    pt_compare_samples(p->v[r][q], p->n[r][q], p->v[0][q], p->n[0][q], q == 0, band,
				       &rt) < 0)
			rt.ratio = NAN;
		pt_csv_field(f, p->wl);
		fputc(',', f);
		pt_csv_field(f, p->model);
		fputc(',', f);
		pt_csv_field(f, p->workers);
		fputc(',', f);
		pt_csv_field(f, p->params);
		fputc(',', f);
		num_field(f, median_or_nan(p->v[0][q], p->n[0][q]));
		fputc(',', f);
		num_field(f, median_or_nan(p->v[r][q], p->n[r][q]));
		fputc(',', f);
		num_field(f, rt.ratio);
		fputc(',', f);
		num_field(f, rt.lo);
		fputc(',', f);
		num_field(f, rt.hi);
		fprintf(f, ",%s,%c,%s,%zu,%zu,%g\n", pt_decision_name(rt.decision), 'A' + r,
			q ? "wall_s" : "ops_per_s", p->n[0][q], p->n[r][q], band);
		counts[rt.decision]++;
	}
}

/* Writes compare.csv through a temporary file in @dir, renamed into place. */
static int write_compare(const char *dir, const struct points *ps, int nruns, double band,
			 int *counts)
{
	char tmp[PATH_MAX], final[PATH_MAX];
	FILE *f;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s/.compare.csv.XXXXXX", dir) >= (int)sizeof(tmp) ||
	    snprintf(final, sizeof(final), "%s/compare.csv", dir) >= (int)sizeof(final))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		int e = -errno;

		close(fd);
		unlink(tmp);
		return e;
	}
	fputs("workload,model,workers,params,a,b,ratio,lo,hi,decision,run,quantity,n_a,n_b,band\n",
	      f);
	for (size_t i = 0; i < ps->n; i++)
		write_point(f, &ps->p[i], nruns, band, counts);
	if (fflush(f) || ferror(f) || fsync(fileno(f))) {
		int e = errno ? -errno : -EIO;

		fclose(f);
		unlink(tmp);
		return e;
	}
	if (fclose(f)) {
		int e = -errno;

		unlink(tmp);
		return e;
	}
	if (rename(tmp, final)) {
		int e = -errno;

		unlink(tmp);
		return e;
	}
	return 0;
}

/* The options; 0 to go on, -1 after --help, else the exit status. */
static int parse_opts(int argc, char **argv, const char **out, double *band)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "band", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			*out = optarg;
			break;
		case 'B': {
			double pct;

			if (!parse_num(optarg, &pct) || !(pct > 0 && pct < 100))
				return bad(optarg, "--band wants a percentage above 0 and below 100");
			*band = pct / 100;
			break;
		}
		case 'h':
			usage(stdout);
			return -1;
		case ':':
			return bad(argv[optind - 1], "this option needs a value");
		default:
			return bad(argv[optind - 1], "unknown option (see ptbench compare --help)");
		}
	}
	return 0;
}

static void free_all(struct points *ps, struct run *runs, int nruns)
{
	for (size_t i = 0; i < ps->n; i++) {
		struct cpoint *p = &ps->p[i];

		for (int r = 0; r < PT_CMP_MAX_RUNS; r++)
			for (int q = 0; q < 2; q++)
				free(p->v[r][q]);
		free(p->wl);
		free(p->model);
		free(p->workers);
		free(p->params);
	}
	free(ps->p);
	for (int r = 0; r < nruns && r < PT_CMP_MAX_RUNS; r++) {
		pt_csv_free(&runs[r].csv);
		json_decref(runs[r].meta);
	}
}

int pt_compare_main(int argc, char **argv)
{
	struct run runs[PT_CMP_MAX_RUNS];
	struct points ps = { 0 };
	const char *out = NULL;
	char dir[PATH_MAX], abs[PATH_MAX];
	double band = PT_BAND_DEFAULT;
	int nruns = 0, status, counts[4] = { 0 }, ret;

	memset(runs, 0, sizeof(runs));
	status = parse_opts(argc, argv, &out, &band);
	if (status)
		return status < 0 ? 0 : status;
	nruns = argc - optind;
	if (nruns < 2 || nruns > PT_CMP_MAX_RUNS) {
		usage(stderr);
		return bad(NULL, "give 2 to %d results directories, not %d", PT_CMP_MAX_RUNS,
			   nruns);
	}
	for (int r = 0; r < nruns && !status; r++)
		status = load_run(&runs[r], argv[optind + r]);
	for (int r = 0; r < nruns && !status; r++)
		status = collect(&ps, &runs[r], r);
	if (status)
		goto out;
	if (out) {
		if (mkdir(out, 0755) && errno != EEXIST) {
			status = bad(out, "cannot create: %s", strerror(errno));
			goto out;
		}
		if (snprintf(dir, sizeof(dir) - 64, "%s", out) >= (int)sizeof(dir) - 64) {
			status = bad(NULL, "-o: path too long");
			goto out;
		}
	} else if ((ret = make_outdir(dir, sizeof(dir))) < 0) {
		pt_err("compare: cannot create an output directory under results/: %s",
		       strerror(-ret));
		status = PT_EXIT_FAILED;
		goto out;
	}
	if ((ret = write_compare(dir, &ps, nruns, band, counts)) < 0) {
		pt_err("compare: cannot write %s/compare.csv: %s", dir, strerror(-ret));
		status = PT_EXIT_FAILED;
		goto out;
	}
	if (!realpath(dir, abs))
		snprintf(abs, sizeof(abs), "%s", dir);
	fprintf(stderr,
		"compare: %d faster, %d slower, %d tie, %d undecided (band +-%g%%; B, C, ... "
		"against A)\n",
		counts[PT_DEC_FASTER], counts[PT_DEC_SLOWER], counts[PT_DEC_TIE],
		counts[PT_DEC_UNDECIDED], band * 100);
	printf("%s\n", abs);
out:
	free_all(&ps, runs, nruns);
	return status;
}
