// SPDX-License-Identifier: MIT
// ptbench compare: runs side by side, point by point. For every point of
// the first run (A) and every later run (B, C, ...), the interval of the
// speed ratio B / A from the repetitions and the decision rule's verdict
// (lib/stats.h), into compare.csv. Results directories are untrusted input:
// anything malformed is refused with exit 2 and a message naming it.
//
// Runs taken at different moments meet different hosts: on a shared VM the
// CPU speed moves 2x, and wakeup latencies more. Each run's canary (a
// serial countdown between rounds, meta.json's schedule.canary) measures
// its host's CPU speed, so that:
// - a figure that follows CPU speed in proportion (countdown) is
//   normalised by the canaries' ratio (its interval widened by the
//   canaries' own: both at 97.5%, so that the pair covers 95%);
// - a wall-clock-bound figure (sleep, timer) is judged as it is;
// - any other figure (wakeups, the kernel, I/O: partly CPU speed, partly
//   what other tenants do, which no canary measures; an A/A test here saw
//   event ping-pong move 7x between two runs while the canary moved 7%)
//   gets no faster/slower verdict across runs: "undecided", the raw
//   verdict beside it. --raw judges every row as it is (both runs on the
//   same quiet host).
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

/* Columns besides the workload's parameters that tell points apart (as
 * results.csv names them: it has no "neighbours" column, so points beside
 * CPU neighbours were pooled with those alone). */
static const char *const ident_cols[] = { "bind", "switch_interval_us", "check_interval",
					  "cpu_neighbours", "start", "ipc", "payload", "shared",
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
	double *canary; /* the canary's speeds (count / wall_s); NULL: none */
	size_t ncanary;
};

/* The host of a later run against A's, from their canaries: the 95%
 * interval for the summary line, the 97.5% one for normalising. */
struct host {
	bool known;
	struct pt_ratio r95, r975;
};

/* How a row treats the host (compare.csv's column `host`). */
enum host_use { H_RAW, H_NORMALISED, H_UNAFFECTED, H_DEPENDENT, H_NO_CANARY };
static const char *const host_use_name[] = { "raw", "normalised", "unaffected", "dependent",
					     "no-canary" };

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
	fputs("usage: ptbench compare [-o DIR] [--band PCT] [--raw] A B [C ...]\n"
	      "\n"
	      "Compares each later run with the first, point by point, from their\n"
	      "results.csv (and meta.json, for the parameters that tell points apart).\n"
	      "For every point, the 95% interval of the speed ratio (B / A: above 1, B is\n"
	      "faster) from the repetitions, and the decision: faster or slower only when\n"
	      "the interval lies wholly outside the equivalence band, tie when wholly\n"
	      "inside, undecided otherwise.\n"
	      "\n"
	      "Runs taken at different moments meet different hosts. Each run's canary\n"
	      "(a serial countdown between rounds) gives the host's speed ratio: figures\n"
	      "that follow CPU speed (countdown) are normalised by it; wall-clock-bound\n"
	      "ones (sleep, timer) are judged as they are; the others (wakeups, I/O, the\n"
	      "kernel: what other tenants do moves them, and no canary measures that)\n"
	      "get no faster/slower verdict across runs (undecided; raw_decision says\n"
	      "what the raw figures would).\n"
	      "\n"
	      "  -o, --out DIR   where compare.csv goes (default: a new\n"
	      "                  results/compare-<YYYYmmdd-HHMMSS>[-N]/)\n"
	      "      --band PCT  equivalence band in percent (default 5)\n"
	      "      --raw       judge every figure as it is (the runs met the same host)\n"
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

/* The canary of meta.json (schedule.canary: count and wall_s), as speeds.
 * None (an older run, --quick) is no error; a malformed one is. */
static int load_canary(struct run *r, const char *path)
{
	json_t *sch = json_object_get(r->meta, "schedule");
	json_t *c = json_is_object(sch) ? json_object_get(sch, "canary") : NULL;
	json_t *count = c ? json_object_get(c, "count") : NULL, *walls, *v;
	size_t k;

	if (!json_is_object(c))
		return 0;
	walls = json_object_get(c, "wall_s");
	if (!json_is_array(walls))
		return bad(path, "schedule.canary: wants a wall_s array");
	if (json_array_size(walls) == 0)
		return 0; /* no canary ran (--quick: its count is 0 then) */
	if (!json_is_integer(count) || json_integer_value(count) <= 0)
		return bad(path, "schedule.canary: wants a count above 0");
	r->canary = calloc(json_array_size(walls), sizeof(*r->canary));
	if (!r->canary)
		return bad(NULL, "out of memory");
	json_array_foreach(walls, k, v) {
		double w = json_is_number(v) ? json_number_value(v) : NAN;

		if (!(w > 0) || !isfinite(w))
			return bad(path, "schedule.canary.wall_s[%zu]: not a number above 0", k);
		r->canary[r->ncanary++] = (double)json_integer_value(count) / w;
	}
	return 0;
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
		return load_canary(r, path);
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

/* Appends " key=value" of column @key of @row when the row has a value
 * (no CPU neighbours is none, as in runs from before the column). */
static int append_kv(const struct run *r, char **row, const char *key, char *buf, size_t n,
		     size_t *len)
{
	int c = pt_csv_col(&r->csv, key), w;

	if (c < 0 || !*row[c] || (strcmp(key, "cpu_neighbours") == 0 && !strcmp(row[c], "0")))
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

/* What the printed summary counts. */
struct tally {
	int dec[4];	     /* rows with figures on both sides, by decision */
	int withheld;	     /* of them, host-dependent (or no canary): undecided */
	int withheld_raw[4]; /* what their raw figures would have said */
	int normalised;	     /* of them, normalised by the canaries */
	int missing_b;	     /* the point is in A only */
	int only_b;	     /* in the later run only */
	int no_figures;	     /* in both, but skipped or failed in one */
};

static enum host_use host_use_of(const char *wl, const struct host *h, bool raw)
{
	const struct pt_workload *w = pt_workload_find(wl);
	enum pt_host_dep dep = w ? w->host : PT_HOST_PARTLY; /* unknown: assume the worst */

	if (raw)
		return H_RAW;
	if (dep == PT_HOST_NONE)
		return H_UNAFFECTED;
	if (dep == PT_HOST_CPU)
		return h->known ? H_NORMALISED : H_NO_CANARY;
	return H_DEPENDENT;
}

/* The canaries of run @r against A's. */
static void host_of(const struct run *runs, int r, struct host *h)
{
	memset(h, 0, sizeof(*h));
	if (!runs[0].ncanary || !runs[r].ncanary)
		return;
	h->known = pt_ratio_ci(runs[r].canary, runs[r].ncanary, runs[0].canary, runs[0].ncanary,
			       true, PT_DECISION_LEVEL, &h->r95) == 0 &&
		   pt_ratio_ci(runs[r].canary, runs[r].ncanary, runs[0].canary, runs[0].ncanary,
			       true, 0.975, &h->r975) == 0;
}

/* Point @p's samples of quantity @q in runs A and @r, judged as @use says:
 * into @out (ratio, interval, decision). */
static void judge(const struct cpoint *p, int r, int q, double band, enum host_use use,
		  const struct host *h, const struct pt_ratio *raw, struct pt_ratio *out)
{
	struct pt_ratio r975;

	*out = *raw;
	if (use == H_DEPENDENT || use == H_NO_CANARY) {
		out->decision = PT_DEC_UNDECIDED;
		return;
	}
	if (use != H_NORMALISED)
		return;
	/* Both intervals at 97.5%: the two hold together at least 95% of the
	 * time (Bonferroni), so the quotient's interval covers 95%. */
	out->ratio = raw->ratio / h->r95.ratio;
	out->lo = out->hi = NAN;
	if (pt_ratio_ci(p->v[r][q], p->n[r][q], p->v[0][q], p->n[0][q], q == 0, 0.975, &r975) == 0) {
		out->lo = r975.lo / h->r975.hi;
		out->hi = r975.hi / h->r975.lo;
	}
	out->decision = pt_decide(out->lo, out->hi, band);
}

static void num_col(FILE *f, double v)
{
	fputc(',', f);
	num_field(f, v);
}

/* The rows of one point: one per later run. */
static void write_point(FILE *f, const struct cpoint *p, int nruns, const struct host *hosts,
			double band, bool raw_only, struct tally *t)
{
	/* ops per second where every run has it, else the time */
	int q = 0;

	for (int r = 0; r < nruns; r++)
		if (p->in_run[r] && p->n[r][0] == 0 && p->n[r][1] > 0)
			q = 1;
	if (p->n[0][0] == 0 && p->n[0][1] > 0)
		q = 1;
	for (int r = 1; r < nruns; r++) {
		struct pt_ratio raw = { .ratio = NAN, .lo = NAN, .hi = NAN,
					.decision = PT_DEC_UNDECIDED }, rt;
		enum host_use use = host_use_of(p->wl, &hosts[r], raw_only);
		const char *missing = !p->in_run[0] ? "A" : !p->in_run[r] ? "B" : "";
		bool both = p->n[0][q] && p->n[r][q];

		if (both && pt_compare_samples(p->v[r][q], p->n[r][q], p->v[0][q], p->n[0][q],
					       q == 0, band, &raw) < 0)
			raw.ratio = NAN;
		judge(p, r, q, band, use, &hosts[r], &raw, &rt);
		pt_csv_field(f, p->wl);
		fputc(',', f);
		pt_csv_field(f, p->model);
		fputc(',', f);
		pt_csv_field(f, p->workers);
		fputc(',', f);
		pt_csv_field(f, p->params);
		num_col(f, median_or_nan(p->v[0][q], p->n[0][q]));
		num_col(f, median_or_nan(p->v[r][q], p->n[r][q]));
		num_col(f, rt.ratio);
		num_col(f, rt.lo);
		num_col(f, rt.hi);
		fprintf(f, ",%s,%c,%s,%zu,%zu,%g,%s,%s", pt_decision_name(rt.decision), 'A' + r,
			q ? "wall_s" : "ops_per_s", p->n[0][q], p->n[r][q], band, missing,
			host_use_name[use]);
		num_col(f, hosts[r].known ? hosts[r].r95.ratio : NAN);
		num_col(f, hosts[r].known ? hosts[r].r95.lo : NAN);
		num_col(f, hosts[r].known ? hosts[r].r95.hi : NAN);
		num_col(f, raw.ratio);
		num_col(f, raw.lo);
		num_col(f, raw.hi);
		fprintf(f, ",%s\n", pt_decision_name(raw.decision));
		if (*missing == 'B')
			t->missing_b++;
		else if (*missing == 'A')
			t->only_b++;
		else if (!both)
			t->no_figures++;
		else {
			t->dec[rt.decision]++;
			t->normalised += use == H_NORMALISED;
			if (use == H_DEPENDENT || use == H_NO_CANARY) {
				t->withheld++;
				t->withheld_raw[raw.decision]++;
			}
		}
	}
}

/* Writes compare.csv through a temporary file in @dir, renamed into place. */
static int write_compare(const char *dir, const struct points *ps, int nruns,
			 const struct host *hosts, double band, bool raw, struct tally *t)
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
	fputs("workload,model,workers,params,a,b,ratio,lo,hi,decision,run,quantity,n_a,n_b,band,"
	      "missing,host,host_ratio,host_lo,host_hi,raw_ratio,raw_lo,raw_hi,raw_decision\n",
	      f);
	for (size_t i = 0; i < ps->n; i++)
		write_point(f, &ps->p[i], nruns, hosts, band, raw, t);
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

/* The summary on stderr: each later run's host against A's, then the
 * decisions of the rows measured in both runs, and apart the rows that
 * could not be compared. */
static void print_tally(const struct run *runs, const struct host *hosts, int nruns,
			const struct tally *t, double band, bool raw)
{
	for (int r = 1; r < nruns; r++) {
		if (!hosts[r].known)
			fprintf(stderr, "compare: %c against A: no canary in %c, host speed unknown\n",
				'A' + r, runs[0].ncanary ? 'A' + r : 'A');
		else
			fprintf(stderr, "compare: %c against A: host (canary) %.3gx [%.3g-%.3g]\n",
				'A' + r, hosts[r].r95.ratio, hosts[r].r95.lo, hosts[r].r95.hi);
	}
	fprintf(stderr,
		"compare: %d faster, %d slower, %d tie, %d undecided (band +-%g%%; B, C, ... "
		"against A)\n",
		t->dec[PT_DEC_FASTER], t->dec[PT_DEC_SLOWER], t->dec[PT_DEC_TIE],
		t->dec[PT_DEC_UNDECIDED], band * 100);
	if (!raw && (t->normalised || t->withheld))
		fprintf(stderr,
			"  %d normalised by the canaries; %d undecided as the host moves them "
			"(raw: %d faster, %d slower, %d tie; --raw to judge them as they are)\n",
			t->normalised, t->withheld, t->withheld_raw[PT_DEC_FASTER],
			t->withheld_raw[PT_DEC_SLOWER], t->withheld_raw[PT_DEC_TIE]);
	if (t->missing_b || t->only_b || t->no_figures)
		fprintf(stderr,
			"  not compared: %d missing in B (in A only), %d new in B, %d without "
			"figures in one run (skipped or failed)\n",
			t->missing_b, t->only_b, t->no_figures);
}

/* The options; 0 to go on, -1 after --help, else the exit status. */
static int parse_opts(int argc, char **argv, const char **out, double *band, bool *raw)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "band", required_argument, NULL, 'B' },
		{ "raw", no_argument, NULL, 'R' },
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
		case 'R':
			*raw = true;
			break;
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
		free(runs[r].canary);
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
	struct host hosts[PT_CMP_MAX_RUNS];
	struct tally t = { 0 };
	bool raw = false;
	int nruns = 0, status, ret;

	memset(runs, 0, sizeof(runs));
	status = parse_opts(argc, argv, &out, &band, &raw);
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
	for (int r = 1; r < nruns; r++)
		host_of(runs, r, &hosts[r]);
	if ((ret = write_compare(dir, &ps, nruns, hosts, band, raw, &t)) < 0) {
		pt_err("compare: cannot write %s/compare.csv: %s", dir, strerror(-ret));
		status = PT_EXIT_FAILED;
		goto out;
	}
	if (!realpath(dir, abs))
		snprintf(abs, sizeof(abs), "%s", dir);
	print_tally(runs, hosts, nruns, &t, band, raw);
	printf("%s\n", abs);
out:
	free_all(&ps, runs, nruns);
	return status;
}
