// SPDX-License-Identifier: MIT
// The report and compare scripts, run on the committed fixtures (copied to
// a scratch directory): every file the HTML references exists, no external
// URL, every plot is a whole SVG, report.md holds the verdict, compare's
// Welch p-values agree with lib/stats.c. Skipped only without gnuplot.
#include "helpers.h"
#include "stats.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ARGV(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const char *root(void)
{
	const char *r = getenv("PTBENCH_ROOT");

	return r && *r ? r : ".";
}

/* Runs @argv (found on PATH) in the project root, at most @timeout_s. */
static void run(const char *const argv[], double timeout_s, struct pt_cmd_out *o)
{
	pt_test_run(argv[0], root(), argv, NULL, timeout_s, o);
}

#define FMT(buf, ...) cr_assert_lt((size_t)snprintf((buf), sizeof(buf), __VA_ARGS__), sizeof(buf))

static struct pt_cmd_out *new_out(void)
{
	struct pt_cmd_out *o = malloc(sizeof(*o));

	cr_assert_not_null(o);
	return o;
}

static void need_gnuplot(void)
{
	struct pt_cmd_out *o = new_out();

	run(ARGV("sh", "-c", "command -v gnuplot"), 30, o);
	if (o->status != 0) {
		free(o);
		cr_skip_test("gnuplot is not installed ('make deps' installs it)");
	}
	free(o);
}

/* A scratch copy of tests/fixtures/@name (without @skip, if not NULL). */
static char *fixture_copy(const char *name, const char *skip)
{
	char *tmp = pt_test_tmpdir(), src[4096], dst[4096];
	struct pt_cmd_out *o = new_out();

	cr_assert_not_null(tmp);
	FMT(src, "%s/tests/fixtures/%s/.", root(), name);
	FMT(dst, "%s/%s", tmp, name);
	run(ARGV("mkdir", "-p", dst), 30, o);
	run(ARGV("cp", "-R", src, dst), 30, o);
	cr_assert_eq(o->status, 0, "cp: %s", o->err);
	if (skip) {
		FMT(src, "%s/%s", dst, skip);
		cr_assert_eq(unlink(src), 0);
	}
	free(o);
	free(tmp);
	return strdup(dst);
}

static void rm_copy(char *dir)
{
	char parent[4096];
	char *slash;

	FMT(parent, "%s", dir);
	slash = strrchr(parent, '/');
	if (slash)
		*slash = '\0';
	pt_test_rmdir(parent);
	free(dir);
}

/* The whole file, NUL-terminated (the caller frees it); NULL if missing. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

static char *slurp_in(const char *dir, const char *name)
{
	char path[4096];

	FMT(path, "%s/%s", dir, name);
	return slurp(path, NULL);
}

/*
 * Every "http://" or "https://" in @s must be the value of an xmlns
 * attribute (an XML namespace name, never fetched): a page that loads
 * anything from the network is not viewable offline.
 */
static void expect_no_url(const char *s, const char *what)
{
	const char *schemes[] = { "http://", "https://" };

	for (int k = 0; k < 2; k++) {
		for (const char *p = strcasestr(s, schemes[k]); p; p = strcasestr(p + 1, schemes[k])) {
			const char *q = p - 1, *name;

			cr_assert(q > s && (*q == '"' || *q == '\''), "%s: URL outside an attribute: %.60s",
				  what, p);
			q--;
			cr_assert(q > s && *q == '=', "%s: URL outside an attribute: %.60s", what, p);
			name = q;
			while (name > s && (name[-1] == ':' || name[-1] == '_' || name[-1] == '-' ||
					    (name[-1] >= 'a' && name[-1] <= 'z') ||
					    (name[-1] >= 'A' && name[-1] <= 'Z')))
				name--;
			cr_assert(strncmp(name, "xmlns", 5) == 0, "%s: external URL: %.80s", what,
				  name);
		}
	}
}

/* Every href= and src= of @html that names a file names one in @dir. */
static int expect_refs_exist(const char *html, const char *dir)
{
	const char *attrs[] = { "href=\"", "src=\"" };
	int files = 0;

	for (int k = 0; k < 2; k++) {
		size_t alen = strlen(attrs[k]);

		for (const char *p = strstr(html, attrs[k]); p; p = strstr(p + 1, attrs[k])) {
			const char *v = p + alen, *end = strchr(v, '"');
			char name[1024], path[4096];
			struct stat st;

			cr_assert_not_null(end);
			if (*v == '#')
				continue; /* within the page */
			cr_assert((size_t)(end - v) < sizeof(name));
			memcpy(name, v, (size_t)(end - v));
			name[end - v] = '\0';
			cr_assert_null(strstr(name, ":"), "reference to another site or scheme: %s", name);
			cr_assert_null(strstr(name, ".."), "reference outside the directory: %s", name);
			FMT(path, "%s/%s", dir, name);
			cr_assert(stat(path, &st) == 0 && st.st_size > 0, "referenced file missing: %s",
				  name);
			files++;
		}
	}
	return files;
}

static void expect_svg(const char *dir, const char *name)
{
	char *svg = slurp_in(dir, name);

	cr_assert_not_null(svg, "%s missing", name);
	cr_assert(strncmp(svg, "<?xml", 5) == 0 || strncmp(svg, "<svg", 4) == 0,
		  "%s does not start as an SVG", name);
	cr_assert_not_null(strstr(svg, "<svg"), "%s", name);
	cr_assert_not_null(strstr(svg, "</svg>"), "%s is cut short", name);
	expect_no_url(svg, name);
	free(svg);
}

/* Checks every plot-*.svg of @dir; returns how many there are. */
static int expect_plots(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (strncmp(e->d_name, "plot-", 5) == 0 && len > 4 &&
		    strcmp(e->d_name + len - 4, ".svg") == 0) {
			expect_svg(dir, e->d_name);
			n++;
		}
	}
	closedir(d);
	return n;
}

static bool exists_in(const char *dir, const char *name)
{
	char path[4096];
	struct stat st;

	FMT(path, "%s/%s", dir, name);
	return stat(path, &st) == 0 && st.st_size > 0;
}

/* Draws the report of @dir and checks what every report must hold. */
static char *report_ok(const char *dir)
{
	struct pt_cmd_out *o = new_out();
	char *html, *md;

	run(ARGV("bash", "scripts/report.sh", dir), 120, o);
	cr_assert_eq(o->status, 0, "report.sh: exit %d\nstdout: %s\nstderr: %s", o->status, o->out,
		     o->err);
	/* gnuplot is quiet unless a plot lost data or failed. */
	cr_expect_null(strstr(o->err, "gnuplot"), "%s", o->err);
	free(o);
	html = slurp_in(dir, "report.html");
	cr_assert_not_null(html);
	cr_assert(strncmp(html, "<!DOCTYPE html>", 15) == 0);
	cr_assert_not_null(strstr(html, "</html>"));
	cr_assert_not_null(strstr(html, "Verdict"));
	cr_assert_not_null(strstr(html, "Threads against processes"));
	cr_assert_not_null(strstr(html, "GIL against free threading"));
	/* Offline: no script, no linked stylesheet, no URL but namespaces. */
	cr_assert_null(strstr(html, "<script"));
	cr_assert_null(strstr(html, "<link"));
	expect_no_url(html, "report.html");
	expect_refs_exist(html, dir);
	md = slurp_in(dir, "report.md");
	cr_assert_not_null(md, "report.md missing");
	cr_assert_not_null(strstr(md, "## Verdict"));
	cr_assert_not_null(strstr(md, "| workload | workers | winner |"));
	cr_assert_not_null(strstr(md, "**Threads against processes.**"));
	cr_assert_not_null(strstr(md, "**GIL against free threading.**"));
	free(md);
	return html;
}

Test(report, measured_fixture, .timeout = 180)
{
	char *dir, *html, *md;

	need_gnuplot();
	dir = fixture_copy("run-a", NULL);
	html = report_ok(dir);
	/* countdown under every model, compact and scatter: these three. */
	cr_assert(exists_in(dir, "plot-scaling.svg"));
	cr_assert(exists_in(dir, "plot-gil.svg"));
	cr_assert(exists_in(dir, "plot-placement.svg"));
	cr_assert_eq(expect_plots(dir), 3);
	/* The SVGs are inlined too, so the page stands alone. */
	cr_assert_not_null(strstr(html, "<svg class=\"plot\""));
	cr_assert_null(strstr(html, "<?xml"));
	md = slurp_in(dir, "report.md");
	cr_assert_not_null(strstr(md, "| countdown (bind=compact) | 2 |"), "%s", md);
	cr_assert_not_null(strstr(md, "At 2 workers, threads run countdown"), "%s", md);
	if (exists_in(dir, "topology.svg"))
		expect_svg(dir, "topology.svg");
	free(md);
	free(html);
	rm_copy(dir);
}

Test(report, hand_made_fixture_every_plot, .timeout = 180)
{
	const char *want[] = { "plot-convoy.svg", "plot-convoy-interval.svg", "plot-io-sleep.svg",
			       "plot-io-filewrite.svg", "plot-io-sockrecv.svg", "plot-spawn.svg",
			       "plot-spawn-rss.svg", "plot-sync.svg" };
	char *dir, *html, *md;

	need_gnuplot();
	dir = fixture_copy("handmade", NULL);
	html = report_ok(dir);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_assert(exists_in(dir, want[i]), "%s not drawn", want[i]);
	/* No countdown, one placement: those plots are left out. */
	cr_assert_not(exists_in(dir, "plot-scaling.svg"));
	cr_assert_not(exists_in(dir, "plot-gil.svg"));
	cr_assert_not(exists_in(dir, "plot-placement.svg"));
	cr_assert_eq(expect_plots(dir), 8);
	/* Made on another host: no topology picture of this machine. */
	cr_assert_not(exists_in(dir, "topology.svg"));
	cr_assert_null(strstr(html, "topology.svg"));
	md = slurp_in(dir, "report.md");
	/* The invented figures fix the numbers: threads create 37037/s at
	 * 512M against fork's 1e6 / (75 + 4.5 * 512) = 420.3/s, 88.1x. */
	cr_assert_not_null(strstr(md, "| spawn (rss=512M) | 1 | **threads** | 37 k/s | procs 420/s | 88.1x"),
			   "%s", md);
	/* The convoy: 36000 round trips/s free against 950000/5000/2 = 95. */
	cr_assert_not_null(strstr(md, "379x"), "%s", md);
	/* A failed point is named; a noisy one is marked. */
	cr_assert_not_null(strstr(md, "gil-old failed: a cancelled timer fired"), "%s", md);
	cr_assert_not_null(strstr(md, "| filewrite | 4 | **procs**† |"), "%s", md);
	free(md);
	free(html);
	rm_copy(dir);
}

Test(report, redraw_and_no_meta, .timeout = 180)
{
	char *dir, *html, stale[4096];
	FILE *f;

	need_gnuplot();
	dir = fixture_copy("run-a", "meta.json");
	/* A plot an earlier report drew that no longer applies goes away. */
	FMT(stale, "%s/plot-stale.svg", dir);
	f = fopen(stale, "w");
	cr_assert_not_null(f);
	fputs("<svg></svg>\n", f);
	fclose(f);
	html = report_ok(dir);
	cr_assert_not(exists_in(dir, "plot-stale.svg"));
	cr_assert(exists_in(dir, "plot-scaling.svg"));
	free(html);
	html = report_ok(dir);
	free(html);
	rm_copy(dir);
}

Test(report, bad_directory_exit_2, .timeout = 60)
{
	struct pt_cmd_out *o = new_out();

	run(ARGV("bash", "scripts/report.sh", "/nonexistent/ptbench-results"), 60, o);
	cr_assert_eq(o->status, 2, "exit %d: %s", o->status, o->err);
	cr_assert_not_null(strstr(o->err, "/nonexistent/ptbench-results"), "%s", o->err);
	run(ARGV("bash", "scripts/compare.sh", "tests/fixtures/run-a"), 60, o);
	cr_assert_eq(o->status, 2, "exit %d: %s", o->status, o->err);
	run(ARGV("bash", "scripts/compare.sh", "-o", "/tmp", "tests/fixtures/run-a", "/nonexistent/b"),
	    60, o);
	cr_assert_eq(o->status, 2, "exit %d: %s", o->status, o->err);
	cr_assert_not_null(strstr(o->err, "/nonexistent/b"), "%s", o->err);
	free(o);
}

/* The column of @name in the tab-separated @header line, or -1. */
static int tsv_col(const char *header, const char *name)
{
	char buf[4096], *save = NULL;
	int i = 0;

	FMT(buf, "%s", header);
	for (char *t = strtok_r(buf, "\t\n", &save); t; t = strtok_r(NULL, "\t\n", &save), i++)
		if (strcmp(t, name) == 0)
			return i;
	return -1;
}

/* Splits @line at @sep into at most @max fields, empty ones kept. */
static int split(char *line, char sep, char **f, int max)
{
	int n = 0;

	f[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == sep) {
			*p = '\0';
			f[n++] = p + 1;
		}
	line[strcspn(line, "\n")] = '\0';
	for (int i = 0; i < n; i++)
		f[i][strcspn(f[i], "\n")] = '\0';
	return n;
}

/* The ops_per_s of the ok repetitions of one point in @csv. */
static size_t reps_of(const char *csv, const char *wl, const char *model, const char *workers,
		      const char *bind, double *out, size_t max)
{
	char *copy = strdup(csv), *save = NULL, *f[64];
	int cw = -1, cm = -1, cn = -1, cb = -1, cs = -1, co = -1;
	size_t n = 0;
	bool header = true;

	cr_assert_null(strchr(csv, '"'), "the fixture has no quoted fields");
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int nf = split(line, ',', f, 64);

		if (header) {
			for (int i = 0; i < nf; i++) {
				cw = strcmp(f[i], "workload") == 0 ? i : cw;
				cm = strcmp(f[i], "model") == 0 ? i : cm;
				cn = strcmp(f[i], "workers") == 0 ? i : cn;
				cb = strcmp(f[i], "bind") == 0 ? i : cb;
				cs = strcmp(f[i], "status") == 0 ? i : cs;
				co = strcmp(f[i], "ops_per_s") == 0 ? i : co;
			}
			cr_assert(cw >= 0 && cm >= 0 && cn >= 0 && cb >= 0 && cs >= 0 && co >= 0);
			header = false;
			continue;
		}
		if (strcmp(f[cw], wl) || strcmp(f[cm], model) || strcmp(f[cn], workers) ||
		    strcmp(f[cb], bind) || strcmp(f[cs], "ok"))
			continue;
		cr_assert_lt(n, max);
		out[n++] = strtod(f[co], NULL);
	}
	free(copy);
	return n;
}

static bool close_to(double a, double b, double rel)
{
	return fabs(a - b) <= rel * fmax(fabs(a), fabs(b)) + 1e-12;
}

Test(compare, two_fixtures_welch_agrees_with_lib, .timeout = 180)
{
	struct pt_cmd_out *o = new_out();
	char *tmp = pt_test_tmpdir(), out[4096], *html, *tsv, *ra, *rb, *save = NULL;
	char ra_path[4096], rb_path[4096];
	int lines = 0, ci[8];
	const char *names[8] = { "workload", "model", "workers", "bind", "A_n", "A_median", "B_median", "B_p" };
	char *header = NULL;

	need_gnuplot();
	cr_assert_not_null(tmp);
	FMT(out, "%s/cmp", tmp);
	run(ARGV("bash", "scripts/compare.sh", "-o", out, "tests/fixtures/run-a", "tests/fixtures/run-b"),
	    120, o);
	cr_assert_eq(o->status, 0, "compare.sh: exit %d\n%s\n%s", o->status, o->out, o->err);
	cr_assert_not_null(strstr(o->out, "B against A: 20 points compared"), "%s", o->out);
	html = slurp_in(out, "compare.html");
	cr_assert_not_null(html);
	cr_assert_null(strstr(html, "<script"));
	expect_no_url(html, "compare.html");
	cr_assert_geq(expect_refs_exist(html, out), 1);
	expect_svg(out, "plot-compare.svg");
	free(html);

	/* Each p-value of compare.tsv, recomputed from the repetitions. */
	FMT(ra_path, "%s/tests/fixtures/run-a/results.csv", root());
	FMT(rb_path, "%s/tests/fixtures/run-b/results.csv", root());
	ra = slurp(ra_path, NULL);
	rb = slurp(rb_path, NULL);
	tsv = slurp_in(out, "compare.tsv");
	cr_assert(ra && rb && tsv);
	for (char *line = strtok_r(tsv, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[64];
		double a[64], b[64], p, med;
		size_t na, nb;

		if (!header) {
			header = line;
			for (int i = 0; i < 8; i++) {
				ci[i] = tsv_col(header, names[i]);
				cr_assert_geq(ci[i], 0, "compare.tsv lacks %s", names[i]);
			}
			continue;
		}
		split(line, '\t', f, 64);
		na = reps_of(ra, f[ci[0]], f[ci[1]], f[ci[2]], f[ci[3]], a, 64);
		nb = reps_of(rb, f[ci[0]], f[ci[1]], f[ci[2]], f[ci[3]], b, 64);
		cr_assert_eq(na, (size_t)atoi(f[ci[4]]));
		med = pt_median(a, na);
		cr_assert(close_to(med, strtod(f[ci[5]], NULL), 1e-8), "median %g vs %s", med, f[ci[5]]);
		med = pt_median(b, nb);
		cr_assert(close_to(med, strtod(f[ci[6]], NULL), 1e-8), "median %g vs %s", med, f[ci[6]]);
		p = pt_welch_p(a, na, b, nb);
		/* compare.tsv prints 4 significant digits. */
		cr_assert(close_to(p, strtod(f[ci[7]], NULL), 1e-3), "%s %s n=%s %s: awk p=%s, lib p=%g",
			  f[ci[0]], f[ci[1]], f[ci[2]], f[ci[3]], f[ci[7]], p);
		lines++;
	}
	cr_assert_eq(lines, 20);
	free(ra);
	free(rb);
	free(tsv);
	pt_test_rmdir(tmp);
	free(tmp);
	free(o);
}

Test(compare, identical_run_ratio_one, .timeout = 180)
{
	struct pt_cmd_out *o = new_out();
	char *tmp = pt_test_tmpdir(), out[4096], *tsv, *save = NULL, *header = NULL;
	int cr_ = -1, cp = -1, n = 0;

	need_gnuplot();
	FMT(out, "%s/cmp", tmp);
	run(ARGV("bash", "scripts/compare.sh", "-o", out, "tests/fixtures/handmade",
		 "tests/fixtures/run-a", "tests/fixtures/handmade"),
	    120, o);
	cr_assert_eq(o->status, 0, "compare.sh: exit %d\n%s\n%s", o->status, o->out, o->err);
	tsv = slurp_in(out, "compare.tsv");
	cr_assert_not_null(tsv);
	/* C is A again: every ratio 1, no difference (Welch p = 1). */
	for (char *line = strtok_r(tsv, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[64];

		if (!header) {
			header = line;
			cr_ = tsv_col(header, "C_ratio");
			cp = tsv_col(header, "C_p");
			cr_assert(cr_ >= 0 && cp >= 0);
			continue;
		}
		split(line, '\t', f, 64);
		if (!*f[cr_])
			continue; /* no ok repetition (skipped points) */
		cr_assert_eq(strtod(f[cr_], NULL), 1.0, "%s", line);
		cr_assert_eq(strtod(f[cp], NULL), 1.0, "%s", line);
		n++;
	}
	cr_assert_gt(n, 50);
	expect_svg(out, "plot-compare.svg");
	free(tsv);
	pt_test_rmdir(tmp);
	free(tmp);
	free(o);
}
