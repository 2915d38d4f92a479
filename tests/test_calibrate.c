// SPDX-License-Identifier: MIT
// The CPython calibration scripts: a quick run writes a well-formed
// calibration.csv (results.csv's columns plus interpreter), and fidelity.sh
// turns a fixture into the expected side-by-side ratios and flags.
#include "helpers.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <poll.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FIX "tests/fixtures/calibrate"

static const char *root(void)
{
	const char *r = getenv("PTBENCH_ROOT");

	return r && *r ? r : ".";
}

static void path_of(char *buf, size_t n, const char *dir, const char *name)
{
	snprintf(buf, n, "%s/%s", dir, name);
}

/* Runs `bash <script> args...` from the repository root with the extra
 * environment @env ("K=V", NULL-terminated), stdout and stderr into
 * @dir/out.txt; kills its process group after @timeout_s. Returns the exit
 * status, 128 + signal, or -1 on timeout. */
static int run_script(const char *dir, const char *const argv[], const char *const env[],
		      int timeout_s)
{
	char out[4096];
	struct timespec t0, now;
	pid_t pid;
	int st = 0;

	path_of(out, sizeof(out), dir, "out.txt");
	pid = fork();
	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		setpgid(0, 0);
		if (fd < 0 || chdir(root()) != 0)
			_exit(126);
		dup2(fd, 1);
		dup2(fd, 2);
		for (int i = 0; env && env[i]; i++)
			putenv((char *)(uintptr_t)env[i]);
		/* execvp's prototype predates const; it does not write argv. */
		execvp("bash", (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	if (pid < 0)
		return -2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec > timeout_s) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -1;
		}
		poll(NULL, 0, 20);
	}
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static bool copy_file(const char *from, const char *to)
{
	char *s = slurp(from);
	FILE *f = s ? fopen(to, "w") : NULL;
	bool ok = f && fputs(s, f) >= 0;

	if (f)
		ok = (fclose(f) == 0) && ok;
	free(s);
	return ok;
}

/* Splits one CSV line (RFC 4180 quotes, no embedded newlines) into at most
 * @max fields, unquoted, in place of @buf; returns the field count. */
static int csv_fields(const char *line, char *buf, char **field, int max)
{
	int n = 0;
	bool q = false;
	char *o = buf;

	field[n++] = o;
	for (const char *p = line; *p && *p != '\n' && *p != '\r'; p++) {
		if (q && *p == '"' && p[1] == '"') {
			*o++ = '"';
			p++;
		} else if (*p == '"') {
			q = !q;
		} else if (!q && *p == ',') {
			*o++ = '\0';
			if (n == max)
				return n + 1;
			field[n++] = o;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return n;
}

static int col_of(char **hdr, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(hdr[i], name) == 0)
			return i;
	return -1;
}

static bool python_present(void)
{
	return system("command -v python3 >/dev/null 2>&1") == 0;
}

#define MAXF 256

struct calcheck {
	int rows, ok_rows, by_model[4], countdown, convoy;
};

/* Checks every row of @dir/calibration.csv against its header, which must be
 * @want_hdr (without the newline) followed by ",interpreter". */
static void check_calibration(const char *dir, const char *want_hdr, struct calcheck *c)
{
	static const char *const models[] = { "cpython-seq", "cpython-threads", "cpython-procs",
					      "cpython-ft-threads" };
	char path[4096], line[8192], hb[8192], rb[8192], *hdr[MAXF], *f[MAXF];
	FILE *fp;
	int nh, cw, cm, cs, cops, cint, cwall;

	memset(c, 0, sizeof(*c));
	path_of(path, sizeof(path), dir, "calibration.csv");
	fp = fopen(path, "r");
	cr_assert_not_null(fp, "no %s", path);
	cr_assert_not_null(fgets(line, sizeof(line), fp));
	line[strcspn(line, "\r\n")] = '\0';
	{
		size_t wl = strlen(want_hdr);

		cr_assert(strncmp(line, want_hdr, wl) == 0 && strcmp(line + wl, ",interpreter") == 0,
			  "header is not results.csv's plus interpreter:\n%s\nwant:\n%s,interpreter",
			  line, want_hdr);
	}
	nh = csv_fields(line, hb, hdr, MAXF);
	cw = col_of(hdr, nh, "workload");
	cm = col_of(hdr, nh, "model");
	cs = col_of(hdr, nh, "status");
	cops = col_of(hdr, nh, "ops_per_s");
	cwall = col_of(hdr, nh, "wall_s");
	cint = col_of(hdr, nh, "interpreter");
	cr_assert(cw >= 0 && cm >= 0 && cs >= 0 && cops >= 0 && cwall >= 0 && cint == nh - 1);
	while (fgets(line, sizeof(line), fp)) {
		int n = csv_fields(line, rb, f, MAXF), mi = -1;

		c->rows++;
		cr_assert_eq(n, nh, "row %d has %d fields, the header %d: %s", c->rows, n, nh, line);
		for (int i = 0; i < 4; i++)
			if (strcmp(f[cm], models[i]) == 0)
				mi = i;
		cr_assert(mi >= 0, "model '%s' not allowed", f[cm]);
		c->by_model[mi]++;
		cr_assert(strcmp(f[cw], "countdown") == 0 || strcmp(f[cw], "convoy") == 0,
			  "workload '%s'", f[cw]);
		c->countdown += strcmp(f[cw], "countdown") == 0;
		c->convoy += strcmp(f[cw], "convoy") == 0;
		cr_assert(strcmp(f[cs], "ok") == 0 || strcmp(f[cs], "failed") == 0, "status '%s'",
			  f[cs]);
		cr_assert(f[cint][0], "row %d names no interpreter", c->rows);
		if (strcmp(f[cs], "ok") == 0) {
			c->ok_rows++;
			cr_assert(atof(f[cops]) > 0, "ok row %d: ops_per_s '%s'", c->rows, f[cops]);
			cr_assert(atof(f[cwall]) > 0, "ok row %d: wall_s '%s'", c->rows, f[cwall]);
		}
	}
	fclose(fp);
}

static char *first_line(const char *path)
{
	char *s = slurp(path);

	if (s)
		s[strcspn(s, "\r\n")] = '\0';
	return s;
}

/* The whole quick calibration next to a fixture run: calibration.csv takes
 * the run's header, and the side-by-side files appear. */
Test(calibrate, quick_run_wellformed, .timeout = 180)
{
	char *dir, src[4096], dst[4096], *hdr;
	struct calcheck c;
	int st;

	if (!python_present())
		cr_skip_test("no python3 on this machine");
	dir = pt_test_tmpdir();
	cr_assert_not_null(dir);
	for (int i = 0; i < 2; i++) {
		const char *name = i ? "summary.csv" : "results.csv";

		snprintf(src, sizeof(src), "%s/" FIX "/%s", root(), name);
		path_of(dst, sizeof(dst), dir, name);
		cr_assert(copy_file(src, dst), "copy %s", src);
	}
	{
		const char *const argv[] = { "bash", "scripts/calibrate.sh", "--quick", "-q",
					     "-n", "1,2", "--duration", "0.05", dir, NULL };

		st = run_script(dir, argv, NULL, 150);
	}
	path_of(dst, sizeof(dst), dir, "out.txt");
	{
		char *out = slurp(dst);

		cr_assert_eq(st, 0, "calibrate.sh exit %d:\n%s", st, out ? out : "");
		free(out);
	}
	path_of(src, sizeof(src), dir, "results.csv");
	hdr = first_line(src);
	cr_assert_not_null(hdr);
	check_calibration(dir, hdr, &c);
	free(hdr);
	/* countdown: seq, threads, procs at 1 and 2 workers; convoy: threads at
	 * three intervals and procs, with 0..3 companions. */
	cr_expect_geq(c.by_model[0], 2);
	cr_expect_geq(c.by_model[1], 2 + 12);
	cr_expect_geq(c.by_model[2], 2 + 4);
	cr_expect_geq(c.countdown, 6);
	cr_expect_geq(c.convoy, 16);
	cr_expect_gt(c.ok_rows, 0);
	for (int i = 0; i < 3; i++) {
		const char *name = i == 0 ? "fidelity.csv" : i == 1 ? "fidelity.md" : "fidelity.html";
		struct stat sb;

		path_of(dst, sizeof(dst), dir, name);
		cr_expect(stat(dst, &sb) == 0 && sb.st_size > 0, "no %s", name);
	}
	pt_test_rmdir(dir);
	free(dir);
}

/* With no results.csv in the directory the header comes from ptbench itself. */
Test(calibrate, header_from_ptbench, .timeout = 120)
{
	char *dir, path[4096], *hdr, bin[4200];
	struct calcheck c;
	struct pt_cmd_out *o;
	int st;

	if (!python_present())
		cr_skip_test("no python3 on this machine");
	dir = pt_test_tmpdir();
	cr_assert_not_null(dir);
	o = malloc(sizeof(*o));
	path_of(path, sizeof(path), dir, "ref");
	{
		const char *const argv[] = { "ptbench", "run", "--quick", "-w", "countdown", "-m",
					     "serial", "-n", "1", "-r", "1", "--warmup", "0",
					     "-q", "-o", path, NULL };

		pt_test_exec(argv, NULL, 60, o);
	}
	cr_assert_eq(o->status, 0, "ptbench: %s", o->err);
	free(o);
	path_of(path, sizeof(path), dir, "ref/results.csv");
	hdr = first_line(path);
	cr_assert_not_null(hdr);
	path_of(path, sizeof(path), dir, "cal");
	snprintf(bin, sizeof(bin), "PTBENCH=%s", pt_test_bin());
	{
		const char *const argv[] = { "bash", "scripts/calibrate.sh", "--quick", "-q", "--no-ft",
					     "-w", "countdown", "-n", "1", path, NULL };
		const char *const env[] = { bin, NULL };

		st = run_script(dir, argv, env, 100);
	}
	cr_assert_eq(st, 0, "calibrate.sh exit %d", st);
	check_calibration(path, hdr, &c);
	cr_expect_eq(c.rows, 3, "seq, threads, procs at one worker");
	cr_expect_eq(c.ok_rows, 3);
	cr_expect_eq(c.convoy, 0);
	free(hdr);
	pt_test_rmdir(dir);
	free(dir);
}

/* No interpreter: a notice, exit 0, and no file. */
Test(calibrate, no_python_is_skipped, .timeout = 60)
{
	char *dir = pt_test_tmpdir(), path[4096], *out;
	const char *const env[] = { "PYTHON=/nonexistent/python3", NULL };
	struct stat sb;
	int st;

	cr_assert_not_null(dir);
	{
		const char *const argv[] = { "bash", "scripts/calibrate.sh", "--quick", dir, NULL };

		st = run_script(dir, argv, env, 50);
	}
	path_of(path, sizeof(path), dir, "out.txt");
	out = slurp(path);
	cr_assert_eq(st, 0, "exit %d: %s", st, out ? out : "");
	cr_assert(out && strstr(out, "skipped"), "no notice: %s", out ? out : "");
	path_of(path, sizeof(path), dir, "calibration.csv");
	cr_assert(stat(path, &sb) != 0, "calibration.csv written without an interpreter");
	free(out);
	pt_test_rmdir(dir);
	free(dir);
}

struct want_row {
	const char *workload, *comparison, *interval, *workers;
	double cpy, ptb, fid;
	int flagged;
	const char *creps, *preps, *cfid; /* the convoy's modes; "" where none */
};

/* Checks @dir/fidelity.csv row by row against @want. */
static void check_fidelity(const char *dir, const struct want_row *want, int nwant)
{
	char path[4096], line[4096], hb[4096], rb[4096], *hdr[MAXF], *f[MAXF];
	FILE *fp;
	int nh, row = 0;

	path_of(path, sizeof(path), dir, "fidelity.csv");
	fp = fopen(path, "r");
	cr_assert_not_null(fp);
	cr_assert_not_null(fgets(line, sizeof(line), fp));
	nh = csv_fields(line, hb, hdr, MAXF);
	{
		int cwl = col_of(hdr, nh, "workload"), ccmp = col_of(hdr, nh, "comparison"),
		    civ = col_of(hdr, nh, "switch_interval_us"), cn = col_of(hdr, nh, "workers"),
		    ccr = col_of(hdr, nh, "cpython_ratio"), cpr = col_of(hdr, nh, "ptbench_ratio"),
		    cfid = col_of(hdr, nh, "fidelity"), cfl = col_of(hdr, nh, "flagged"),
		    ccreps = col_of(hdr, nh, "cpython_collapsed_reps"),
		    cpreps = col_of(hdr, nh, "ptbench_collapsed_reps"),
		    ccfid = col_of(hdr, nh, "collapsed_fidelity");

		cr_assert(cwl >= 0 && ccmp >= 0 && civ >= 0 && cn >= 0 && ccr >= 0 && cpr >= 0 &&
			  cfid >= 0 && cfl >= 0 && ccreps >= 0 && cpreps >= 0 && ccfid >= 0);
		while (fgets(line, sizeof(line), fp)) {
			const struct want_row *w = &want[row];
			int n = csv_fields(line, rb, f, MAXF);

			cr_assert_eq(n, nh, "fields: %s", line);
			cr_assert_lt(row, nwant, "unexpected row: %s", line);
			cr_expect_str_eq(f[cwl], w->workload, "row %d: %s", row, line);
			cr_expect_str_eq(f[ccmp], w->comparison, "row %d: %s", row, line);
			cr_expect_str_eq(f[civ], w->interval, "row %d: %s", row, line);
			cr_expect_str_eq(f[cn], w->workers, "row %d: %s", row, line);
			cr_expect(fabs(atof(f[ccr]) - w->cpy) < 1e-3 * w->cpy, "row %d: %s", row, line);
			cr_expect(fabs(atof(f[cpr]) - w->ptb) < 1e-3 * w->ptb, "row %d: %s", row, line);
			cr_expect(fabs(atof(f[cfid]) - w->fid) < 1e-3 * w->fid, "row %d: %s", row, line);
			cr_expect_eq(atoi(f[cfl]), w->flagged, "row %d: %s", row, line);
			cr_expect_str_eq(f[ccreps], w->creps, "row %d: %s", row, line);
			cr_expect_str_eq(f[cpreps], w->preps, "row %d: %s", row, line);
			cr_expect_str_eq(f[ccfid], w->cfid, "row %d: %s", row, line);
			row++;
		}
	}
	fclose(fp);
	cr_expect_eq(row, nwant);
}

/* fidelity.sh on the fixture: the ratios, quotients and flags worked out by
 * hand. The fixture also holds rows that must not count: a failed CPython
 * repetition, a weak-scaling and a bound ptbench point, a point with no ok
 * repetition, a quoted message with a comma before the parameter columns;
 * and ptbench's repetitions, which count for the convoy's modes but must not
 * replace summary.csv's medians. */
Test(calibrate, fidelity_from_fixture, .timeout = 60)
{
	static const struct want_row want[] = {
		{ "countdown", "threads vs sequential", "5000", "1", 1.0, 1.0, 1.0, 0, "", "", "" },
		{ "countdown", "threads vs sequential", "5000", "2", 1.2, 2.4, 2.0, 1, "", "", "" },
		{ "countdown", "processes vs sequential", "", "2", 0.5, 0.5, 1.0, 0, "", "", "" },
		{ "convoy", "collapse under the GIL", "5000", "2", 500, 400, 0.8, 0, "1/1", "1/2", "1.05" },
		{ "convoy", "collapse under the GIL", "100", "2", 10, 5, 0.5, 1, "0/1", "1/1", "" },
		{ "convoy", "collapse with processes", "", "2", 1.25, 1.25, 1.0, 0, "", "", "" },
		{ "countdown", "free threads vs sequential", "", "2", 0.5, 0.5, 1.0, 0, "", "", "" },
	};
	char *dir = pt_test_tmpdir(), src[4096], dst[4096], *html, *md;
	int st;

	cr_assert_not_null(dir);
	for (int i = 0; i < 3; i++) {
		const char *name = i == 0 ? "calibration.csv" : i == 1 ? "summary.csv" : "results.csv";

		snprintf(src, sizeof(src), "%s/" FIX "/%s", root(), name);
		path_of(dst, sizeof(dst), dir, name);
		cr_assert(copy_file(src, dst), "copy %s", src);
	}
	{
		const char *const argv[] = { "bash", "scripts/fidelity.sh", "-q", dir, NULL };

		st = run_script(dir, argv, NULL, 50);
	}
	cr_assert_eq(st, 0, "fidelity.sh exit %d", st);
	check_fidelity(dir, want, (int)(sizeof(want) / sizeof(want[0])));
	path_of(dst, sizeof(dst), dir, "fidelity.html");
	html = slurp(dst);
	cr_assert_not_null(html);
	/* A fragment the report includes as is: one section, no document. */
	cr_expect(strncmp(html, "<section", 8) == 0, "%s", html);
	cr_expect(strstr(html, "</section>\n") && !strstr(html, "<html") && !strstr(html, "<body"));
	cr_expect(strstr(html, "<table") && strstr(html, "flagged"));
	path_of(dst, sizeof(dst), dir, "fidelity.md");
	md = slurp(dst);
	cr_assert_not_null(md);
	cr_expect(strstr(md, "| workload |") && strstr(md, "2 of 7 comparisons"), "%s", md);
	free(html);
	free(md);
	pt_test_rmdir(dir);
	free(dir);
}

/* -p: ptbench's medians from the repetitions of the given runs (as
 * calibrate.sh --paired makes them), not from RESULTS/summary.csv. */
Test(calibrate, fidelity_pooled, .timeout = 60)
{
	static const struct want_row want[] = {
		/* ptbench: 60000 solo, median(105, 30000) = 15052.5 with one. */
		{ "convoy", "collapse under the GIL", "5000", "2", 500, 3.98605, 0.007972, 1, "1/1",
		  "1/2", "1.05" },
	};
	char *dir = pt_test_tmpdir(), src[4096], dst[8192], pt[4096];
	int st;

	cr_assert_not_null(dir);
	path_of(pt, sizeof(pt), dir, "pt");
	cr_assert_eq(mkdir(pt, 0755), 0);
	for (int i = 0; i < 3; i++) {
		const char *name = i == 0 ? "calibration.csv" : i == 1 ? "summary.csv" : "results.csv";

		snprintf(src, sizeof(src), "%s/" FIX "/%s", root(), name);
		path_of(dst, sizeof(dst), i == 2 ? pt : dir, name);
		cr_assert(copy_file(src, dst), "copy %s", src);
	}
	{
		const char *const argv[] = { "bash", "scripts/fidelity.sh", "-q", "-p", pt, dir, NULL };

		st = run_script(dir, argv, NULL, 50);
	}
	cr_assert_eq(st, 0, "fidelity.sh exit %d", st);
	check_fidelity(dir, want, 1);
	pt_test_rmdir(dir);
	free(dir);
}
