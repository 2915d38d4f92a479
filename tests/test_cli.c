// SPDX-License-Identifier: MIT
// The ptbench program: bad options and values exit 2 with a message that
// names them; `run --quick` writes well-formed results; list and topo work.
#include "helpers.h"
#include "model.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ARGV(...) ((const char *const[]){ "ptbench", __VA_ARGS__, NULL })

static void expect_usage(const char *const argv[], const char *named)
{
	struct pt_cmd_out *o = malloc(sizeof(*o));

	pt_test_exec(argv, NULL, 30, o);
	cr_assert_eq(o->status, 2, "'%s': exit %d, stderr: %s", named, o->status, o->err);
	cr_assert(strstr(o->err, named), "message does not name '%s': %s", named, o->err);
	free(o);
}

Test(cli, bad_options_exit_2, .timeout = 120)
{
	expect_usage(ARGV("run", "-m", "fibers"), "fibers");
	expect_usage(ARGV("run", "-m", ""), "-m");
	expect_usage(ARGV("run", "-m", "threads,,procs"), "threads,,procs");
	expect_usage(ARGV("run", "-w", "nope"), "nope");
	expect_usage(ARGV("run", "-w", "countdown,"), "countdown,");
	expect_usage(ARGV("run", "-n", "0"), "'0'");
	expect_usage(ARGV("run", "-n", "abc"), "abc");
	expect_usage(ARGV("run", "-n", "8-2"), "8-2");
	expect_usage(ARGV("run", "-n", "99999"), "99999");
	expect_usage(ARGV("run", "-n", "-3"), "-3");
	expect_usage(ARGV("run", "-r", "0"), "'0'");
	expect_usage(ARGV("run", "-r", "lots"), "lots");
	expect_usage(ARGV("run", "--warmup", "-1"), "-1");
	expect_usage(ARGV("run", "-b", "diagonal"), "diagonal");
	expect_usage(ARGV("run", "-p", "count"), "count");
	expect_usage(ARGV("run", "-p", "count=abc"), "abc");
	expect_usage(ARGV("run", "-p", "count=0"), "count");
	expect_usage(ARGV("run", "-p", "scaling=sideways"), "sideways");
	expect_usage(ARGV("run", "-p", "bogus=1"), "bogus");
	expect_usage(ARGV("run", "-p", "count=1", "-p", "count=2"), "count");
	expect_usage(ARGV("run", "--switch-interval", "0"), "'0'");
	expect_usage(ARGV("run", "--switch-interval", "5ms"), "5ms");
	expect_usage(ARGV("run", "--timeout", "-1"), "-1");
	expect_usage(ARGV("run", "--timeout", "nan"), "nan");
	expect_usage(ARGV("run", "--bogus"), "--bogus");
	expect_usage(ARGV("run", "-z"), "-z");
	expect_usage(ARGV("run", "-r"), "-r");
	expect_usage(ARGV("run", "extra"), "extra");
	expect_usage(ARGV("frobnicate"), "frobnicate");
	/* A newcomer's slips, each named with what was meant. */
	expect_usage(ARGV("run", "--budjet", "5"), "did you mean '--budget'?");
	expect_usage(ARGV("run", "--s", "1"), "ambiguous option '--s': --switch-interval, --start");
	expect_usage(ARGV("run", "-budget", "5"), "a long option takes two dashes: '--budget'");
	expect_usage(ARGV("run", "-quick"), "'--quick'");
	expect_usage(ARGV("run", "-w", "-n", "2"),
		     "-w/--workload needs a value, and the next argument is the option '-n'");
	expect_usage(ARGV("run", "-n", "2", "-m", "--quick"), "the option '--quick'");
	expect_usage(ARGV("budget", "abc"), "'abc'");
	expect_usage(ARGV("budget", "5"), "5 s leaves nothing for the suite");
	expect_usage(ARGV("topo", "-b", "sideways"), "sideways");
}

Test(cli, bad_synthetic_topology_exit_2, .timeout = 30)
{
	struct pt_cmd_out *o = malloc(sizeof(*o));
	const char *env[] = { "HWLOC_SYNTHETIC=pack:banana", NULL };

	pt_test_exec(ARGV("topo"), env, 30, o);
	cr_assert_eq(o->status, 2, "exit %d: %s", o->status, o->err);
	cr_assert(strstr(o->err, "banana"), "%s", o->err);
	free(o);
}

Test(cli, help_version_list, .timeout = 30)
{
	struct pt_cmd_out *o = malloc(sizeof(*o));

	pt_test_exec(ARGV("--help"), NULL, 30, o);
	cr_assert_eq(o->status, 0);
	cr_assert(strstr(o->out, "run [options]") && strstr(o->out, "COMMAND --help"));
	pt_test_exec(ARGV("run", "--help"), NULL, 30, o);
	cr_assert_eq(o->status, 0);
	cr_assert(strstr(o->out, "--workload"));
	pt_test_exec(ARGV("--version"), NULL, 30, o);
	cr_assert_eq(o->status, 0);
	cr_assert(strncmp(o->out, "ptbench ", 8) == 0);
	pt_test_exec(ARGV("list"), NULL, 30, o);
	cr_assert_eq(o->status, 0);
	/* Every workload with its kind and parameters, and every model. */
	cr_assert(strstr(o->out, "countdown") && strstr(o->out, "count=") &&
		  strstr(o->out, "scaling=strong"));
	for (const char *m = "serial\0threads\0procs\0gil\0gil-old\0"; *m; m += strlen(m) + 1)
		cr_assert(strstr(o->out, m), "list lacks model %s", m);
	free(o);
}

/* The fields of line @k (0 = header) of @path, split at commas (no quoting
 * in the fields checked here). */
static int read_fields(const char *path, int k, char fields[][64], int max)
{
	FILE *f = fopen(path, "r");
	char line[8192];
	int n = 0;

	cr_assert(f, "%s missing", path);
	for (int i = 0; i <= k; i++)
		cr_assert(fgets(line, sizeof(line), f), "%s: no line %d", path, k);
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	for (char *p = line, *c;; p = c + 1) {
		c = strchr(p, ',');
		if (c)
			*c = '\0';
		if (n < max)
			snprintf(fields[n++], 64, "%.63s", p);
		if (!c)
			break;
	}
	return n;
}

static int col(char fields[][64], int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(fields[i], name) == 0)
			return i;
	return -1;
}

Test(cli, quick_run_end_to_end, .timeout = 180)
{
	char *dir = pt_test_tmpdir(), path[8400], out[4200];
	struct pt_cmd_out *o = malloc(sizeof(*o));
	static char head[128][64], row[128][64];
	int nh, nf, lines;
	const char *contract[] = { "workload", "model", "workers", "bind", "rep", "status",
				   "wall_s", "user_s", "sys_s", "ops", "ops_per_s",
				   "lat_p50_us", "lat_p99_us" };

	snprintf(out, sizeof(out), "%s/run", dir);
	pt_test_exec(ARGV("run", "--quick", "-q", "-w", "countdown", "-n", "1,2", "-r", "2",
			  "-o", out),
		     NULL, 170, o);
	cr_assert_eq(o->status, 0, "exit %d: %s", o->status, o->err);

	snprintf(path, sizeof(path), "%s/results.csv", out);
	lines = pt_test_csv_shape(path, &nf);
	/* Every model x 2 worker counts x 2 repetitions, plus the header. */
	cr_assert_eq(lines, 1 + PT_MODEL_COUNT * 2 * 2, "%d lines", lines);
	nh = read_fields(path, 0, head, 128);
	for (size_t i = 0; i < sizeof(contract) / sizeof(contract[0]); i++)
		cr_assert_eq(col(head, nh, contract[i]), (int)i, "column %s", contract[i]);
	for (int k = 1; k < lines; k++) {
		int n = read_fields(path, k, row, 128);
		double wall = atof(row[col(head, nh, "wall_s")]);
		double ops = atof(row[col(head, nh, "ops")]);
		double rate = atof(row[col(head, nh, "ops_per_s")]);

		cr_assert_eq(n, nh, "row %d has %d fields, header %d", k, n, nh);
		cr_assert_str_eq(row[col(head, nh, "status")], "ok");
		cr_assert(wall > 0);
		cr_assert_eq(ops, 2000000.0, "quick countdown counts 2000000");
		/* ops_per_s is ops / wall_s (to print precision). */
		cr_assert(rate > 0.999 * ops / wall && rate < 1.001 * ops / wall);
		/* lat_* do not apply to countdown: empty, not zero. */
		cr_assert_str_eq(row[col(head, nh, "lat_p50_us")], "");
	}

	snprintf(path, sizeof(path), "%s/summary.csv", out);
	cr_assert_eq(pt_test_csv_shape(path, NULL), 1 + PT_MODEL_COUNT * 2);
	snprintf(path, sizeof(path), "%s/meta.json", out);
	json_error_t jerr;
	json_t *meta = json_load_file(path, 0, &jerr);
	cr_assert(meta, "meta.json: %s", jerr.text);
	cr_assert(json_object_get(meta, "machine") && json_object_get(meta, "build") &&
		  json_object_get(meta, "run"));
	cr_assert(json_is_array(json_object_get(json_object_get(meta, "run"), "command_line")));
	json_decref(meta);

	/* A second run into the same directory is refused. */
	pt_test_exec(ARGV("run", "--quick", "-q", "-w", "countdown", "-n", "1", "-r", "1", "-o", out),
		     NULL, 60, o);
	cr_assert_eq(o->status, 2, "%s", o->err);
	cr_assert(strstr(o->err, "--force"));
	pt_test_rmdir(dir);
	free(dir);
	free(o);
}

/* summary.csv names the CPU neighbours of each point, as results.csv
 * does: without the column, a point beside a neighbour read as one alone
 * (the report's labels and groups take it by name). */
Test(cli, summary_has_cpu_neighbours, .timeout = 180)
{
	char *dir = pt_test_tmpdir(), path[8400], out[4200];
	struct pt_cmd_out *o = malloc(sizeof(*o));
	static char head[128][64], row[128][64];
	int nh, lines, c, seen = 0;

	snprintf(out, sizeof(out), "%s/run", dir);
	pt_test_exec(ARGV("run", "--quick", "-q", "-w", "countdown", "-m", "serial,threads",
			  "-n", "1", "-r", "1", "--warmup", "0", "--cpu-neighbours", "1", "-o", out),
		     NULL, 170, o);
	cr_assert_eq(o->status, 0, "exit %d: %s", o->status, o->err);
	snprintf(path, sizeof(path), "%s/summary.csv", out);
	lines = pt_test_csv_shape(path, NULL);
	cr_assert_eq(lines, 3);
	nh = read_fields(path, 0, head, 128);
	c = col(head, nh, "cpu_neighbours");
	cr_assert_geq(c, 0, "summary.csv has no cpu_neighbours column");
	for (int k = 1; k < lines; k++) {
		cr_assert_eq(read_fields(path, k, row, 128), nh);
		/* serial runs no neighbours, as in results.csv */
		cr_assert_str_eq(row[c], strcmp(row[col(head, nh, "model")], "serial") ? "1" : "0");
		seen++;
	}
	cr_assert_eq(seen, 2);
	pt_test_rmdir(dir);
	free(dir);
	free(o);
}

/* A budget shorter than the plan's minimum is said before the run, not
 * only after it. */
Test(cli, short_budget_warned_first, .timeout = 60)
{
	char *dir = pt_test_tmpdir(), out[4200];
	struct pt_cmd_out *o = malloc(sizeof(*o));

	snprintf(out, sizeof(out), "%s/run", dir);
	pt_test_exec(ARGV("run", "-w", "sleep", "-p", "ms=200", "-m", "threads", "-n", "1",
			  "--budget", "0.3", "-o", out),
		     NULL, 50, o);
	/* Under load the budget may end before the first repetition: then
	 * the run measured nothing and says so with exit 1. */
	cr_assert(o->status == 0 ||
			  (o->status == 1 && strstr(o->err, "no point was measured")),
		  "exit %d: %s", o->status, o->err);
	cr_assert(strstr(o->err, "the budget, 0.3 s, is shorter than the minimum"), "%s", o->err);
	cr_assert(strstr(o->err, "--dry-run"), "%s", o->err);
	pt_test_rmdir(dir);
	free(dir);
	free(o);
}

/* A run whose budget ran out before any point had a repetition answers
 * nothing: exit 1 and say why (it exited 0 with every point 'not run').
 * A 2 s sleep can never fit a 0.5 s budget. */
Test(cli, nothing_measured_exits_1, .timeout = 60)
{
	char *dir = pt_test_tmpdir(), out[4200], path[4300];
	struct pt_cmd_out *o = malloc(sizeof(*o));
	struct stat st;

	snprintf(out, sizeof(out), "%s/run", dir);
	pt_test_exec(ARGV("run", "-w", "sleep", "-p", "ms=2000", "-m", "threads", "-n", "1",
			  "--budget", "0.5", "-o", out),
		     NULL, 50, o);
	cr_assert_eq(o->status, 1, "exit %d: %s", o->status, o->err);
	cr_assert(strstr(o->err, "no point was measured: the time budget ran out"), "%s",
		  o->err);
	snprintf(path, sizeof(path), "%s/summary.csv", out);
	cr_assert_eq(stat(path, &st), 0, "the summary is still written");
	pt_test_rmdir(dir);
	free(dir);
	free(o);
}

/* make bench BUDGET=abc or BUDGET=5: exit 2 with a message in make's terms
 * (it named `ptbench budget`, which the user never typed). */
Test(cli, bench_budget_message, .timeout = 60)
{
	const char *root = getenv("PTBENCH_ROOT");
	char bin[4200], envb[64], envp[4300];
	const char *env[] = { envb, envp, NULL };
	const char *argv[] = { "bash", "scripts/bench.sh", NULL };
	struct pt_cmd_out *o = malloc(sizeof(*o));

	snprintf(bin, sizeof(bin), "%s", getenv("PTBENCH_BIN") ? getenv("PTBENCH_BIN") : "");
	cr_assert(bin[0] && root, "PTBENCH_BIN and PTBENCH_ROOT");
	snprintf(envp, sizeof(envp), "PTBENCH=%s", bin);
	for (int k = 0; k < 2; k++) {
		snprintf(envb, sizeof(envb), "BUDGET=%s", k ? "5" : "abc");
		pt_test_run("bash", root, argv, env, 50, o);
		cr_assert_eq(o->status, 2, "exit %d: %s", o->status, o->err);
		cr_assert(strstr(o->err, "make bench BUDGET=SEC: ") &&
			  strstr(o->err, k ? "5 s leaves nothing" : "'abc'") &&
			  strstr(o->err, "e.g. make bench BUDGET=300"), "%s", o->err);
		cr_assert_null(strstr(o->err, "ptbench budget --help"), "%s", o->err);
	}
	free(o);
}

Test(cli, dry_run_prints_plan, .timeout = 30)
{
	struct pt_cmd_out *o = malloc(sizeof(*o));

	pt_test_exec(ARGV("run", "--dry-run", "-w", "countdown", "-m", "threads,gil",
			  "-n", "1-3", "--switch-interval", "5000,100"),
		     NULL, 30, o);
	cr_assert_eq(o->status, 0, "%s", o->err);
	/* 3 worker counts x (threads + gil at two intervals). */
	cr_assert(strstr(o->out, "9 points"), "%s", o->out);
	free(o);
}

/* Issue 12 bug 5: the build checks what it needs (pkg-config, command -v)
 * instead of asking dpkg, so a machine without dpkg or apt builds when the
 * libraries are there. PATH here holds every program of this one but dpkg's
 * and apt's; make builds an object into a scratch build directory, with
 * none of the make running the tests' settings (SAN=...). */
Test(cli, builds_without_dpkg, .timeout = 240)
{
	const char *root = getenv("PTBENCH_ROOT");
	char *dir = pt_test_tmpdir();
	struct pt_cmd_out *o = malloc(sizeof(*o));
	static const char script[] =
		"set -eu; bin=\"$1/bin\"; mkdir \"$bin\"\n"
		"IFS=:; for d in $PATH; do [ -d \"$d\" ] || continue\n"
		"  for f in \"$d\"/*; do n=${f##*/}\n"
		"    case $n in dpkg*|apt*) continue;; esac\n"
		"    [ -x \"$f\" ] && [ ! -e \"$bin/$n\" ] && ln -s \"$f\" \"$bin/$n\"; done; done\n"
		"unset IFS MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES; PATH=$bin; export PATH\n"
		"! command -v dpkg-query && ! command -v apt-get\n"
		"make -s SAN= BUILDDIR=\"$1/build\" \"$1/build/obj/bench/error.o\"\n"
		"test -s \"$1/build/obj/bench/error.o\"\n";

	cr_assert_not_null(dir);
	pt_test_run("bash", root && *root ? root : ".",
		    (const char *const[]){ "bash", "-c", script, "bash", dir, NULL }, NULL, 230, o);
	cr_assert_eq(o->status, 0, "make without dpkg: exit %d\n%s%s", o->status, o->out, o->err);
	pt_test_rmdir(dir);
	free(dir);
	free(o);
}
