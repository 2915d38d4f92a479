// SPDX-License-Identifier: MIT
// Tests of `ptbench compare` (bench/compare.c) and of the CSV reader it
// stands on (lib/csv): decisions on synthetic runs, the fixture runs,
// malformed inputs refused with exit 2, exclusive output directories.
#include "compare.h"
#include "csv.h"
#include "helpers.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int compare(int n, const char **args)
{
	char *argv[16];

	argv[0] = (char *)"compare";
	for (int i = 0; i < n; i++)
		argv[i + 1] = (char *)args[i];
	argv[n + 1] = NULL;
	fflush(stdout);
	return pt_compare_main(n + 1, argv);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

static const double spread[] = { 1.000, 1.004, 0.998, 1.002, 0.997, 1.001 };

/* meta.json with a canary of 6 runs (count 1000000, 10 ms each at @host 1,
 * the spread above; faster hosts take less). */
static void write_canary(const char *dir, double host)
{
	char text[512];
	size_t len = 0;

	len += (size_t)snprintf(text, sizeof(text),
				"{\"schedule\":{\"canary\":{\"count\":1000000,\"wall_s\":[");
	for (int r = 0; r < 6; r++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%.9g", r ? "," : "",
					0.01 * spread[(r + 2) % 6] / host);
	snprintf(text + len, sizeof(text) - len, "]}}}");
	write_file(dir, "meta.json", text);
}

/* A run of countdown serial and threads at 1 worker, 6 repetitions each,
 * ops per second 1000 * (1 + small spread) * @scale_threads for threads,
 * all on a host of speed @host (1: A's), which its canary says; @host 0:
 * speed 1 and no meta.json (no canary). */
static char *make_run_host(const char *base, const char *name, double scale_serial,
			   double scale_threads, double host)
{
	char *dir = malloc(PATH_MAX), *text = malloc(8192);
	size_t len = 0;

	snprintf(dir, PATH_MAX, "%s/%s", base, name);
	cr_assert_eq(mkdir(dir, 0755), 0);
	len += (size_t)snprintf(text + len, 8192 - len,
				"workload,model,workers,bind,rep,status,wall_s,ops_per_s,count,noise_flag\n");
	for (int m = 0; m < 2; m++)
		for (int r = 0; r < 6; r++) {
			double ops = 1000 * spread[r] * (m ? scale_threads : scale_serial) *
				     (host > 0 ? host : 1);

			len += (size_t)snprintf(text + len, 8192 - len,
						"countdown,%s,1,none,%d,ok,%.9g,%.9g,1000,0\n",
						m ? "threads" : "serial", r, 1000 / ops, ops);
		}
	write_file(dir, "results.csv", text);
	free(text);
	if (host > 0)
		write_canary(dir, host);
	return dir;
}

static char *make_run(const char *base, const char *name, double scale_serial,
		      double scale_threads)
{
	return make_run_host(base, name, scale_serial, scale_threads, 1.0);
}

/* Returns compare.csv of @out parsed. */
static void read_compare(const char *out, struct pt_csv *csv)
{
	char path[PATH_MAX], err[256];

	snprintf(path, sizeof(path), "%s/compare.csv", out);
	cr_assert_eq(pt_csv_read(path, csv, err, sizeof(err)), 0, "%s: %s", path, err);
}

static const char *cell(const struct pt_csv *csv, size_t row, const char *col)
{
	int c = pt_csv_col(csv, col);

	cr_assert_geq(c, 0, "no column %s", col);
	return csv->rows[row][c];
}

/* Threads 20% faster in B, serial unchanged: faster and tie; the columns of
 * the contract in its order. */
Test(compare, decisions, .timeout = 30)
{
	char *tmp = pt_test_tmpdir(), out[PATH_MAX];
	char *a = make_run(tmp, "a", 1.0, 1.0), *b = make_run(tmp, "b", 1.0, 1.2);
	struct pt_csv csv;

	snprintf(out, sizeof(out), "%s/out", tmp);
	cr_assert_eq(compare(4, (const char *[]){ "-o", out, a, b }), 0);
	read_compare(out, &csv);
	cr_assert_eq(csv.ncols, 24);
	{
		static const char *const want[] = {
			"workload", "model",	  "workers",  "params",	   "a",
			"b",	    "ratio",	  "lo",	      "hi",	   "decision",
			"run",	    "quantity",	  "n_a",      "n_b",	   "band",
			"missing",  "host",	  "host_ratio", "host_lo", "host_hi",
			"raw_ratio", "raw_lo",	  "raw_hi",   "raw_decision",
		};

		for (size_t i = 0; i < 24; i++)
			cr_assert_str_eq(csv.hdr[i], want[i]);
	}
	cr_assert_str_eq(cell(&csv, 1, "host"), "normalised");
	cr_assert_str_eq(cell(&csv, 1, "host_ratio"), "1");
	cr_assert_str_eq(cell(&csv, 1, "raw_decision"), "faster");
	cr_assert_eq(csv.nrows, 2);
	cr_assert_str_eq(cell(&csv, 0, "model"), "serial");
	cr_assert_str_eq(cell(&csv, 0, "decision"), "tie");
	cr_assert_str_eq(cell(&csv, 1, "model"), "threads");
	cr_assert_str_eq(cell(&csv, 1, "decision"), "faster");
	cr_assert_str_eq(cell(&csv, 1, "ratio"), "1.2");
	cr_assert_str_eq(cell(&csv, 1, "run"), "B");
	cr_assert_str_eq(cell(&csv, 1, "quantity"), "ops_per_s");
	cr_assert_str_eq(cell(&csv, 1, "n_a"), "6");
	cr_assert_str_eq(cell(&csv, 1, "n_b"), "6");
	cr_assert_str_eq(cell(&csv, 1, "band"), "0.05");
	/* the parameters that tell points apart, from this build's registry */
	cr_assert(strstr(cell(&csv, 1, "params"), "bind=none"));
	cr_assert(strstr(cell(&csv, 1, "params"), "count=1000"));
	pt_csv_free(&csv);
	/* B against itself: ties only; a band of 0.1% leaves them undecided */
	cr_assert_eq(compare(4, (const char *[]){ "-o", out, b, b }), 0);
	read_compare(out, &csv);
	cr_assert_str_eq(cell(&csv, 0, "decision"), "tie");
	cr_assert_str_eq(cell(&csv, 1, "decision"), "tie");
	pt_csv_free(&csv);
	cr_assert_eq(compare(6, (const char *[]){ "--band", "0.1", "-o", out, b, b }), 0);
	read_compare(out, &csv);
	cr_assert_str_eq(cell(&csv, 1, "decision"), "undecided");
	cr_assert_str_eq(cell(&csv, 1, "band"), "0.001");
	pt_csv_free(&csv);
	/* three runs: one row per point per later run */
	cr_assert_eq(compare(5, (const char *[]){ "-o", out, a, b, a }), 0);
	read_compare(out, &csv);
	cr_assert_eq(csv.nrows, 4);
	cr_assert_str_eq(cell(&csv, 3, "run"), "C");
	cr_assert_str_eq(cell(&csv, 3, "decision"), "tie");
	pt_csv_free(&csv);
	pt_test_rmdir(tmp);
	free(tmp);
	free(a);
	free(b);
}

/* A noise-flagged repetition that was re-run (noise_flag 1) does not
 * count; a failed one neither. */
Test(compare, flagged_and_failed_rows_left_out, .timeout = 30)
{
	char *tmp = pt_test_tmpdir(), out[PATH_MAX];
	char *a = make_run(tmp, "a", 1.0, 1.0), *b = make_run(tmp, "b", 1.0, 1.0);
	char path[PATH_MAX];
	struct pt_csv csv;
	FILE *f;

	snprintf(path, sizeof(path), "%s/results.csv", b);
	f = fopen(path, "a");
	cr_assert_not_null(f);
	fputs("countdown,serial,1,none,6,ok,0.0001,10000000,1000,1\n", f);
	fputs("countdown,serial,1,none,7,timeout,,,1000,0\n", f);
	fclose(f);
	snprintf(out, sizeof(out), "%s/out", tmp);
	cr_assert_eq(compare(4, (const char *[]){ "-o", out, a, b }), 0);
	read_compare(out, &csv);
	cr_assert_str_eq(cell(&csv, 0, "n_b"), "6");
	cr_assert_str_eq(cell(&csv, 0, "decision"), "tie");
	pt_csv_free(&csv);
	pt_test_rmdir(tmp);
	free(tmp);
	free(a);
	free(b);
}

/* Points that differ only in their CPU neighbours are two points: compare
 * keyed on a "neighbours" column results.csv does not have, and pooled
 * the 12 repetitions of threads alone and beside a neighbour. */
Test(compare, cpu_neighbours_tell_points_apart, .timeout = 30)
{
	char *tmp = pt_test_tmpdir(), out[PATH_MAX], dir[PATH_MAX];
	char *text = malloc(8192);
	size_t len = 0, with = 0;
	struct pt_csv csv;

	snprintf(dir, sizeof(dir), "%s/a", tmp);
	cr_assert_eq(mkdir(dir, 0755), 0);
	len += (size_t)snprintf(text + len, 8192 - len,
				"workload,model,workers,bind,rep,status,wall_s,ops_per_s,count,"
				"cpu_neighbours,noise_flag\n");
	for (int k = 0; k < 2; k++)
		for (int r = 0; r < 6; r++)
			len += (size_t)snprintf(text + len, 8192 - len,
						"countdown,threads,1,none,%d,ok,%g,%g,1000,%d,0\n",
						r, k ? 2.0 : 1.0, k ? 500.0 : 1000.0, k);
	write_file(dir, "results.csv", text);
	free(text);
	snprintf(out, sizeof(out), "%s/out", tmp);
	cr_assert_eq(compare(4, (const char *[]){ "-o", out, dir, dir }), 0);
	read_compare(out, &csv);
	cr_assert_eq(csv.nrows, 2, "%zu rows", csv.nrows);
	for (size_t i = 0; i < csv.nrows; i++) {
		cr_assert_str_eq(cell(&csv, i, "n_a"), "6");
		with += strstr(cell(&csv, i, "params"), "cpu_neighbours=1") != NULL;
		/* none is not written (runs from before the column say none) */
		cr_assert_null(strstr(cell(&csv, i, "params"), "cpu_neighbours=0"));
	}
	cr_assert_eq(with, 1);
	pt_csv_free(&csv);
	pt_test_rmdir(tmp);
	free(tmp);
}

/* The measured fixtures: 20 points of 3 repetitions, too few for the
 * rule's 95% interval (4 each): every decision undecided, no interval. */
Test(compare, fixture_runs_too_few_reps, .timeout = 30)
{
	const char *root = getenv("PTBENCH_ROOT");
	char a[PATH_MAX], b[PATH_MAX], out[PATH_MAX];
	char *tmp = pt_test_tmpdir();
	struct pt_csv csv;

	snprintf(a, sizeof(a), "%s/tests/fixtures/run-a", root ? root : ".");
	snprintf(b, sizeof(b), "%s/tests/fixtures/run-b", root ? root : ".");
	snprintf(out, sizeof(out), "%s/out", tmp);
	cr_assert_eq(compare(4, (const char *[]){ "-o", out, a, b }), 0);
	read_compare(out, &csv);
	cr_assert_eq(csv.nrows, 20);
	for (size_t i = 0; i < csv.nrows; i++) {
		cr_assert_str_eq(cell(&csv, i, "decision"), "undecided");
		cr_assert_str_eq(cell(&csv, i, "lo"), "");
		cr_assert_str_eq(cell(&csv, i, "n_a"), "3");
		cr_assert(strstr(cell(&csv, i, "params"), "bind="));
	}
	pt_csv_free(&csv);
	pt_test_rmdir(tmp);
	free(tmp);
}

/* An empty results.csv in B (header only) leaves B's column empty and does
 * not shift the runs (issue 13, item 7). */
Test(compare, empty_run_does_not_shift, .timeout = 30)
{
	char *tmp = pt_test_tmpdir(), out[PATH_MAX], b[PATH_MAX];
	char *a = make_run(tmp, "a", 1.0, 1.0), *c = make_run(tmp, "c", 1.0, 1.2);
	struct pt_csv csv;

	snprintf(b, sizeof(b), "%s/b", tmp);
	cr_assert_eq(mkdir(b, 0755), 0);
	write_file(b, "results.csv", "workload,model,workers,bind,rep,status,wall_s,ops_per_s\n");
	snprintf(out, sizeof(out), "%s/out", tmp);
	cr_assert_eq(compare(5, (const char *[]){ "-o", out, a, b, c }), 0);
	read_compare(out, &csv);
	cr_assert_eq(csv.nrows, 4);
	cr_assert_str_eq(cell(&csv, 0, "run"), "B");
	cr_assert_str_eq(cell(&csv, 0, "b"), "");
	cr_assert_str_eq(cell(&csv, 0, "n_b"), "0");
	cr_assert_str_eq(cell(&csv, 0, "decision"), "undecided");
	cr_assert_str_eq(cell(&csv, 3, "run"), "C");
	cr_assert_str_eq(cell(&csv, 3, "decision"), "faster");
	pt_csv_free(&csv);
	pt_test_rmdir(tmp);
	free(tmp);
	free(a);
	free(c);
}

/* Runs on hosts of different speeds (what the canary measures): B's host
 * twice as fast makes every countdown figure twice as high. Normalised by
 * the canaries, identical work is a tie and 20% more is "faster"; raw, it
 * would be "faster" either way (--raw says so). A workload that only
 * partly follows the host (event: wakeups) gets no verdict across runs;
 * a wall-clock-bound one (sleep) is judged as it is. Without a canary in
 * one run, countdown's verdict is withheld too. */
static void append(const char *dir, const char *rows)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/results.csv", dir);
	f = fopen(path, "a");
	cr_assert_not_null(f);
	fputs(rows, f);
	cr_assert_eq(fclose(f), 0);
}

static void add_other_workloads(const char *dir, double host)
{
	char rows[4096];
	size_t len = 0;

	for (int r = 0; r < 6; r++)
		len += (size_t)snprintf(rows + len, sizeof(rows) - len,
					"event,threads,2,none,%d,ok,%.9g,%.9g,,0\n"
					"sleep,threads,1,none,%d,ok,%.9g,%.9g,,0\n",
					r, 1 / (1000 * spread[r] * host), 1000 * spread[r] * host, r,
					0.1 * spread[r], 10 / spread[r]);
	append(dir, rows);
}

Test(compare, host_normalised, .timeout = 30)
{
	char *tmp = pt_test_tmpdir(), out[PATH_MAX];
	char *a = make_run_host(tmp, "a", 1.0, 1.0, 1.0);
	char *b = make_run_host(tmp, "b", 1.0, 1.2, 2.0);
	char *c = make_run_host(tmp, "c", 1.0, 1.0, 0);
	struct pt_csv csv;
	size_t ev = 2, sl = 3;

	add_other_workloads(a, 1.0);
	add_other_workloads(b, 2.0);
	snprintf(out, sizeof(out), "%s/out", tmp);
	cr_assert_eq(compare(4, (const char *[]){ "-o", out, a, b }), 0);
	read_compare(out, &csv);
	cr_assert_eq(csv.nrows, 4);
	cr_assert_str_eq(cell(&csv, 0, "model"), "serial");
	cr_assert_str_eq(cell(&csv, 0, "host"), "normalised");
	cr_assert_str_eq(cell(&csv, 0, "host_ratio"), "2");
	cr_assert_str_eq(cell(&csv, 0, "ratio"), "1");
	cr_assert_str_eq(cell(&csv, 0, "decision"), "tie");
	cr_assert_str_eq(cell(&csv, 0, "raw_ratio"), "2");
	cr_assert_str_eq(cell(&csv, 0, "raw_decision"), "faster");
	cr_assert_str_eq(cell(&csv, 1, "ratio"), "1.2");
	cr_assert_str_eq(cell(&csv, 1, "decision"), "faster");
	cr_assert_str_eq(cell(&csv, ev, "workload"), "event");
	cr_assert_str_eq(cell(&csv, ev, "host"), "dependent");
	cr_assert_str_eq(cell(&csv, ev, "decision"), "undecided");
	cr_assert_str_eq(cell(&csv, ev, "raw_decision"), "faster");
	cr_assert_str_eq(cell(&csv, sl, "workload"), "sleep");
	cr_assert_str_eq(cell(&csv, sl, "host"), "unaffected");
	cr_assert_str_eq(cell(&csv, sl, "decision"), "tie");
	pt_csv_free(&csv);
	/* --raw: as they are */
	cr_assert_eq(compare(5, (const char *[]){ "--raw", "-o", out, a, b }), 0);
	read_compare(out, &csv);
	cr_assert_str_eq(cell(&csv, 0, "host"), "raw");
	cr_assert_str_eq(cell(&csv, 0, "decision"), "faster");
	cr_assert_str_eq(cell(&csv, ev, "decision"), "faster");
	pt_csv_free(&csv);
	/* no canary in C: countdown withheld */
	cr_assert_eq(compare(4, (const char *[]){ "-o", out, a, c }), 0);
	read_compare(out, &csv);
	cr_assert_str_eq(cell(&csv, 0, "host"), "no-canary");
	cr_assert_str_eq(cell(&csv, 0, "host_ratio"), "");
	cr_assert_str_eq(cell(&csv, 0, "decision"), "undecided");
	cr_assert_str_eq(cell(&csv, 0, "raw_decision"), "tie");
	pt_csv_free(&csv);
	pt_test_rmdir(tmp);
	free(tmp);
	free(a);
	free(b);
	free(c);
}

/* A point in A only is "missing in B", apart from the undecided: the
 * printed summary counts it on its own, and its row says so. */
Test(compare, missing_in_b_counted_apart, .timeout = 30)
{
	char *tmp = pt_test_tmpdir(), out[PATH_MAX], err[PATH_MAX], line[1024];
	char *a = make_run(tmp, "a", 1.0, 1.0), *b = make_run(tmp, "b", 1.0, 1.0);
	struct pt_csv csv;
	bool said = false;
	FILE *f;
	int saved;

	append(a, "countdown,gil,1,none,0,ok,0.001,1000,1000,0\n");
	snprintf(out, sizeof(out), "%s/out", tmp);
	snprintf(err, sizeof(err), "%s/stderr", tmp);
	fflush(stderr);
	saved = dup(2);
	f = fopen(err, "w");
	cr_assert_not_null(f);
	cr_assert_geq(dup2(fileno(f), 2), 0);
	cr_assert_eq(compare(4, (const char *[]){ "-o", out, a, b }), 0);
	fflush(stderr);
	cr_assert_geq(dup2(saved, 2), 0);
	close(saved);
	fclose(f);
	read_compare(out, &csv);
	cr_assert_eq(csv.nrows, 3);
	cr_assert_str_eq(cell(&csv, 2, "model"), "gil");
	cr_assert_str_eq(cell(&csv, 2, "missing"), "B");
	cr_assert_str_eq(cell(&csv, 0, "missing"), "");
	pt_csv_free(&csv);
	f = fopen(err, "r");
	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "undecided"))
			cr_assert(strstr(line, " 0 undecided"), "%s", line);
		said |= strstr(line, "1 missing in B") != NULL;
	}
	fclose(f);
	cr_assert(said, "the summary does not count the row missing in B");
	pt_test_rmdir(tmp);
	free(tmp);
	free(a);
	free(b);
}

/* Every malformed input: exit 2, nothing written. */
Test(compare, malformed_inputs, .timeout = 30)
{
	char *tmp = pt_test_tmpdir(), out[PATH_MAX / 2], bad[PATH_MAX], path[PATH_MAX];
	char *a = make_run(tmp, "a", 1.0, 1.0);
	static const char *const cases[][2] = {
		{ "results.csv", "workload,model,workers,status,ops_per_s\ncountdown,serial,1,ok\n" },
		{ "results.csv", "workload,model,workers,status,ops_per_s\ncountdown,serial,1,ok,abc\n" },
		{ "results.csv", "workload,model,workers,status,ops_per_s\ncountdown,serial,1,ok,-5\n" },
		{ "results.csv", "workload,model,workers,status,ops_per_s\ncountdown,serial,1,ok, 5\n" },
		{ "results.csv", "workload,model,workers,status,ops_per_s\ncountdown,serial,1,ok,nan\n" },
		{ "results.csv", "workload,model,workers,status,ops_per_s\n\"countdown,serial,1,ok,5\n" },
		{ "results.csv", "workload,model,workers,status,ops_per_s\ncount\"down,serial,1,ok,5\n" },
		{ "results.csv", "workload,model,status,ops_per_s\ncountdown,serial,ok,5\n" },
		{ "results.csv", "workload,model,workers,status\ncountdown,serial,1,ok\n" },
		{ "results.csv", "" },
		{ "results.csv", "workload,model,workers,status,ops_per_s\n,serial,1,ok,5\n" },
		{ "meta.json", "{\"machine\":{\"pus\":[2}}" },
		{ "meta.json", "[1, 2]" },
		{ "meta.json", "{\"schedule\":{\"canary\":{\"count\":0,\"wall_s\":[0.01]}}}" },
		{ "meta.json", "{\"schedule\":{\"canary\":{\"count\":\"9\",\"wall_s\":[0.01]}}}" },
		{ "meta.json", "{\"schedule\":{\"canary\":{\"count\":9,\"wall_s\":0.01}}}" },
		{ "meta.json", "{\"schedule\":{\"canary\":{\"count\":9,\"wall_s\":[0.01,-1]}}}" },
		{ "meta.json", "{\"schedule\":{\"canary\":{\"count\":9,\"wall_s\":[\"x\"]}}}" },
		{ "meta.json", "{\"schedule\":{\"canary\":{\"count\":9,\"wall_s\":[0]}}}" },
	};

	snprintf(out, sizeof(out), "%s/out", tmp);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(bad, sizeof(bad), "%s/bad%zu", tmp, i);
		cr_assert_eq(mkdir(bad, 0755), 0);
		if (strcmp(cases[i][0], "meta.json") == 0)
			write_file(bad, "results.csv",
				   "workload,model,workers,status,ops_per_s\ncountdown,serial,1,ok,5\n");
		write_file(bad, cases[i][0], cases[i][1]);
		cr_assert_eq(compare(4, (const char *[]){ "-o", out, a, bad }), 2, "case %zu", i);
		snprintf(path, sizeof(path), "%s/compare.csv", out);
		cr_assert_neq(access(path, F_OK), 0, "case %zu wrote compare.csv", i);
	}
	/* no results.csv, a file instead of a directory, a missing directory */
	snprintf(bad, sizeof(bad), "%s/empty", tmp);
	cr_assert_eq(mkdir(bad, 0755), 0);
	cr_assert_eq(compare(4, (const char *[]){ "-o", out, a, bad }), 2);
	snprintf(bad, sizeof(bad), "%s/a/results.csv", tmp);
	cr_assert_eq(compare(4, (const char *[]){ "-o", out, a, bad }), 2);
	cr_assert_eq(compare(4, (const char *[]){ "-o", out, a, "/nonexistent/run" }), 2);
	/* usage */
	cr_assert_eq(compare(1, (const char *[]){ a }), 2);
	cr_assert_eq(compare(4, (const char *[]){ "--band", "abc", a, a }), 2);
	cr_assert_eq(compare(4, (const char *[]){ "--band", " 5", a, a }), 2);
	cr_assert_eq(compare(4, (const char *[]){ "--band", "0", a, a }), 2);
	cr_assert_eq(compare(4, (const char *[]){ "--band", "100", a, a }), 2);
	cr_assert_eq(compare(3, (const char *[]){ "--frobnicate", a, a }), 2);
	cr_assert_eq(compare(3, (const char *[]){ a, a, "-o" }), 2);
	pt_test_rmdir(tmp);
	free(tmp);
	free(a);
}

/* The default output directory is new and exclusive: two compares in the
 * same second get two directories (issue 13, item 7). */
Test(compare, default_outdir_exclusive, .timeout = 30)
{
	char *tmp = pt_test_tmpdir(), cwd[PATH_MAX], res[PATH_MAX];
	char *a = make_run(tmp, "a", 1.0, 1.0);
	int n = 0;
	FILE *ls;
	char line[512];

	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	cr_assert_eq(chdir(tmp), 0);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(compare(2, (const char *[]){ a, a }), 0);
	cr_assert_eq(chdir(cwd), 0);
	snprintf(res, sizeof(res), "ls -d '%s'/results/compare-*/compare.csv", tmp);
	ls = popen(res, "r");
	cr_assert_not_null(ls);
	while (fgets(line, sizeof(line), ls))
		n++;
	pclose(ls);
	cr_assert_eq(n, 4);
	pt_test_rmdir(tmp);
	free(tmp);
	free(a);
}

Test(csv, parse, .timeout = 10)
{
	const char *t = "a,b,c\r\n1,\"x,y\",\"say \"\"hi\"\"\"\n2,,\"two\nlines\"\n";
	struct pt_csv csv;
	char err[128];

	cr_assert_eq(pt_csv_parse(t, strlen(t), &csv, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(csv.ncols, 3);
	cr_assert_eq(csv.nrows, 2);
	cr_assert_str_eq(csv.rows[0][1], "x,y");
	cr_assert_str_eq(csv.rows[0][2], "say \"hi\"");
	cr_assert_str_eq(csv.rows[1][1], "");
	cr_assert_str_eq(csv.rows[1][2], "two\nlines");
	cr_assert_eq(csv.lines[0], 2);
	cr_assert_eq(csv.lines[1], 3);
	cr_assert_eq(pt_csv_col(&csv, "c"), 2);
	cr_assert_eq(pt_csv_col(&csv, "d"), -1);
	pt_csv_free(&csv);
	cr_assert_eq(pt_csv_parse("a,b\n1,2,3\n", 10, &csv, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "line 2"), "%s", err);
	cr_assert_eq(pt_csv_parse("a,b\n\"1\"x,2\n", 11, &csv, err, sizeof(err)), -EINVAL);
	cr_assert_eq(pt_csv_parse("a,b\n1\0,2\n", 9, &csv, err, sizeof(err)), -EINVAL);
	cr_assert_eq(pt_csv_parse("", 0, &csv, err, sizeof(err)), -EINVAL);
	cr_assert_eq(pt_csv_parse("a,b\n", 4, &csv, err, sizeof(err)), 0);
	cr_assert_eq(csv.nrows, 0);
	pt_csv_free(&csv);
}
