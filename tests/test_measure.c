// SPDX-License-Identifier: MIT
// End-to-end tests of the measurement engine (issue 14): honest states
// (timeout, failure, failed warmup, interrupted, budget cut short, every
// point skipped, repetitions too short), pilot sizing, the decision columns
// of summary.csv, noise columns, --dry-run's budget, `ptbench budget` and
// `ptbench compare`. No timing is asserted.
#include "csv.h"
#include "helpers.h"
#include "workload.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ARGV(...) ((const char *const[]){ "ptbench", __VA_ARGS__, NULL })

struct out {
	struct pt_cmd_out o;
	char dir[PATH_MAX / 2], tmp[PATH_MAX / 4];
	struct pt_csv rows, sum;
	json_t *meta;
};

static struct out *new_out(void)
{
	struct out *r = calloc(1, sizeof(*r));
	char *t = pt_test_tmpdir();

	cr_assert_not_null(r);
	snprintf(r->tmp, sizeof(r->tmp), "%s", t);
	snprintf(r->dir, sizeof(r->dir), "%s/run", t);
	free(t);
	return r;
}

/* Loads what the run in @r->dir wrote (summary and meta may be absent). */
static void load(struct out *r)
{
	char path[PATH_MAX], err[256];
	json_error_t jerr;

	snprintf(path, sizeof(path), "%s/results.csv", r->dir);
	cr_assert_eq(pt_csv_read(path, &r->rows, err, sizeof(err)), 0, "%s: %s", path, err);
	snprintf(path, sizeof(path), "%s/summary.csv", r->dir);
	cr_assert_eq(pt_csv_read(path, &r->sum, err, sizeof(err)), 0, "%s: %s", path, err);
	snprintf(path, sizeof(path), "%s/meta.json", r->dir);
	r->meta = json_load_file(path, 0, &jerr);
	cr_assert_not_null(r->meta, "%s: %s", path, jerr.text);
}

static void done(struct out *r)
{
	pt_csv_free(&r->rows);
	pt_csv_free(&r->sum);
	json_decref(r->meta);
	pt_test_rmdir(r->tmp);
	free(r);
}

static const char *cell(const struct pt_csv *c, size_t row, const char *col)
{
	int k = pt_csv_col(c, col);

	cr_assert_geq(k, 0, "no column '%s'", col);
	cr_assert_lt(row, c->nrows);
	return c->rows[row][k];
}

/* The summary row of @model (the first with that model). */
static size_t sum_row(const struct pt_csv *c, const char *model, const char *workers)
{
	for (size_t i = 0; i < c->nrows; i++)
		if (!strcmp(cell(c, i, "model"), model) &&
		    (!workers || !strcmp(cell(c, i, "workers"), workers)))
			return i;
	cr_assert(false, "no summary row for %s", model);
	return 0;
}

/* A run of the fault workload hanging, with @args (NULL-terminated) and
 * -q -o DIR: its exit status @status and its files loaded. */
static struct out *hang(const char *const *args, int status)
{
	struct out *r = new_out();
	const char *argv[32] = { "ptbench", "run", "-q", "-w", "fault", "-p", "mode=hang" };
	int n = 7;

	while (*args && n < 28)
		argv[n++] = *args++;
	argv[n++] = "-o";
	argv[n++] = r->dir;
	argv[n] = NULL;
	pt_test_exec(argv, NULL, 110, &r->o);
	cr_assert_eq(r->o.status, status, "exit %d: %s", r->o.status, r->o.err);
	load(r);
	return r;
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* A repetition that hangs: summarised as timeout (not skipped), one row
 * (its warmup's: the point is not retried), exit 1. */
Test(measure, timeout_is_the_points_status, .timeout = 120)
{
	struct out *r = hang(ARGS("-m", "threads", "-n", "2", "-r", "3", "--timeout", "1"), 1);

	cr_assert_eq(r->rows.nrows, 1, "%zu rows", r->rows.nrows);
	cr_assert_str_eq(cell(&r->rows, 0, "status"), "timeout");
	cr_assert(strstr(cell(&r->rows, 0, "message"), "warmup"), "%s",
		  cell(&r->rows, 0, "message"));
	cr_assert_str_eq(cell(&r->sum, 0, "status"), "timeout");
	cr_assert_str_eq(cell(&r->sum, 0, "n_ok"), "0");
	done(r);
}

/* Without a warmup, the first measured repetition times out: the point
 * closes with that status and no skipped rows follow. */
Test(measure, timeout_without_warmup, .timeout = 120)
{
	struct out *r = hang(ARGS("-m", "procs", "-n", "2", "-r", "3", "--warmup", "0",
				  "--timeout", "1"),
			     1);

	cr_assert_eq(r->rows.nrows, 1);
	cr_assert_str_eq(cell(&r->rows, 0, "status"), "timeout");
	cr_assert_str_eq(cell(&r->sum, 0, "status"), "timeout");
	done(r);
}

/* A failure and a crash keep their status in the summary. */
Test(measure, failed_and_crashed, .timeout = 120)
{
	struct out *r = new_out();

	pt_test_exec(ARGV("run", "-q", "-w", "fault", "-p", "mode=fail,crash", "-m", "threads",
			  "-n", "2", "-r", "2", "--warmup", "0", "-o", r->dir),
		     NULL, 110, &r->o);
	cr_assert_eq(r->o.status, 1, "exit %d: %s", r->o.status, r->o.err);
	load(r);
	cr_assert_eq(r->sum.nrows, 2);
	cr_assert_str_eq(cell(&r->sum, 0, "status"), "failed");
	/* a sanitizer's handler may turn the segfault into an exit status */
	cr_assert(!strcmp(cell(&r->sum, 1, "status"), "crashed") ||
			  !strcmp(cell(&r->sum, 1, "status"), "failed"),
		  "%s", cell(&r->sum, 1, "status"));
	done(r);
}

/* Every point skipped: nothing measured, exit 1. */
Test(measure, all_skipped_exits_1, .timeout = 60)
{
	struct out *r = new_out();

	pt_test_exec(ARGV("run", "-q", "-w", "convoy", "-m", "serial", "-n", "1,2", "-o", r->dir),
		     NULL, 50, &r->o);
	cr_assert_eq(r->o.status, 1, "exit %d: %s", r->o.status, r->o.err);
	cr_assert(strstr(r->o.err, "skipped"), "%s", r->o.err);
	load(r);
	cr_assert_eq(r->sum.nrows, 2);
	cr_assert_str_eq(cell(&r->sum, 0, "status"), "skipped");
	done(r);
}

/* A reference its workload cannot run under (event under serial, which
 * skips) is no reference: gil's row has no ref_model and no verdict. It
 * said 'undecided' against a point that could never be measured. */
Test(measure, skipped_reference_gives_no_verdict, .timeout = 120)
{
	struct out *r = new_out();
	size_t gil = 0, seen = 0;

	pt_test_exec(ARGV("run", "-q", "-w", "event", "-m", "serial,gil", "-n", "2", "-r", "3",
			  "-o", r->dir),
		     NULL, 110, &r->o);
	cr_assert_eq(r->o.status, 0, "exit %d: %s", r->o.status, r->o.err);
	load(r);
	for (size_t i = 0; i < r->sum.nrows; i++) {
		if (!strcmp(cell(&r->sum, i, "model"), "serial"))
			cr_assert_str_eq(cell(&r->sum, i, "status"), "skipped");
		else if (!strcmp(cell(&r->sum, i, "model"), "gil"))
			gil = i, seen++;
	}
	cr_assert_eq(seen, 1);
	cr_assert_str_eq(cell(&r->sum, gil, "status"), "ok");
	cr_assert_str_eq(cell(&r->sum, gil, "ref_model"), "");
	cr_assert_str_eq(cell(&r->sum, gil, "decision"), "");
	done(r);
}

/* Repetitions of about a millisecond warn, naming a larger count. */
Test(measure, short_repetitions_warn, .timeout = 60)
{
	struct out *r = new_out();

	/* 1000 turns: microseconds, so that no load or sanitizer stretches
	 * the repetitions' median past 10 ms (--quick's own size once did,
	 * under TSan on a loaded machine). */
	pt_test_exec(ARGV("run", "--quick", "-w", "countdown", "-m", "serial", "-n", "1", "-r",
			  "3", "-p", "count=1000", "-o", r->dir),
		     NULL, 50, &r->o);
	cr_assert_eq(r->o.status, 0, "exit %d: %s", r->o.status, r->o.err);
	cr_assert(strstr(r->o.err, "under 10 ms"), "%s", r->o.err);
	cr_assert(strstr(r->o.err, "try -p count="), "%s", r->o.err);
	done(r);
}

/* Pilots size a group: every model of it gets the same amount, recorded
 * per row (size, and the parameter itself), and meta.json says which
 * parameter was sized. -p fixes it instead. */
Test(measure, pilots_size_a_group, .timeout = 180)
{
	struct out *r = new_out(), *f = new_out();

	pt_test_exec(ARGV("run", "-q", "-w", "countdown", "-m", "serial,threads", "-n", "1", "-r",
			  "2", "--rep-time", "5-10", "-o", r->dir),
		     NULL, 170, &r->o);
	cr_assert_eq(r->o.status, 0, "exit %d: %s", r->o.status, r->o.err);
	load(r);
	cr_assert_geq(r->rows.nrows, 4);
	for (size_t i = 0; i < r->rows.nrows; i++) {
		cr_assert_neq(cell(&r->rows, i, "size")[0], '\0');
		cr_assert_str_eq(cell(&r->rows, i, "size"), cell(&r->rows, 0, "size"));
		cr_assert_str_eq(cell(&r->rows, i, "count"), cell(&r->rows, i, "size"));
	}
	cr_assert_str_eq(json_string_value(json_object_get(
				 json_object_get(json_object_get(r->meta, "run"), "sized"),
				 "countdown")),
			 "count");
	cr_assert_str_eq(cell(&r->sum, 0, "size"), cell(&r->rows, 0, "size"));

	pt_test_exec(ARGV("run", "-q", "-w", "countdown", "-m", "serial", "-n", "1", "-r", "2",
			  "-p", "count=3000000", "-o", f->dir),
		     NULL, 170, &f->o);
	cr_assert_eq(f->o.status, 0, "exit %d: %s", f->o.status, f->o.err);
	load(f);
	cr_assert_str_eq(cell(&f->rows, 0, "size"), "");
	cr_assert_str_eq(cell(&f->rows, 0, "count"), "3000000");
	done(r);
	done(f);
}

/* The columns of the contracts: noise per repetition, decisions per
 * point with the reference of each model. */
Test(measure, contract_columns, .timeout = 120)
{
	struct out *r = new_out();
	static const char *const noise[] = { "steal_s", "irq_s", "softirq_s", "nivcsw",
					     "migrations", "load1", "freq_mhz", "noise_flag",
					     "size" };
	static const char *const dec[] = { "quantity", "q_median", "q_ci_lo", "q_ci_hi", "q_cv",
					   "ref_model", "ratio", "ratio_lo", "ratio_hi",
					   "decision", "band", "partial" };
	size_t s, g, t;

	pt_test_exec(ARGV("run", "-q", "--quick", "-w", "countdown", "-m", "serial,threads,gil",
			  "-n", "1", "-r", "4", "--warmup", "0", "-o", r->dir),
		     NULL, 110, &r->o);
	cr_assert_eq(r->o.status, 0, "exit %d: %s", r->o.status, r->o.err);
	load(r);
	for (size_t i = 0; i < sizeof(noise) / sizeof(noise[0]); i++)
		cr_assert_geq(pt_csv_col(&r->rows, noise[i]), 0, "results.csv: no %s", noise[i]);
	for (size_t i = 0; i < sizeof(dec) / sizeof(dec[0]); i++)
		cr_assert_geq(pt_csv_col(&r->sum, dec[i]), 0, "summary.csv: no %s", dec[i]);
	s = sum_row(&r->sum, "serial", NULL);
	g = sum_row(&r->sum, "gil", NULL);
	t = sum_row(&r->sum, "threads", NULL);
	cr_assert_str_eq(cell(&r->sum, s, "ref_model"), "");
	cr_assert_str_eq(cell(&r->sum, s, "decision"), "");
	cr_assert_str_eq(cell(&r->sum, g, "ref_model"), "serial");
	cr_assert_str_eq(cell(&r->sum, t, "ref_model"), "gil");
	cr_assert_str_eq(cell(&r->sum, t, "quantity"), "ops_per_s");
	cr_assert_str_eq(cell(&r->sum, t, "band"), "0.05");
	cr_assert_str_eq(cell(&r->sum, t, "partial"), "0");
	{
		const char *d = cell(&r->sum, t, "decision");

		cr_assert(!strcmp(d, "faster") || !strcmp(d, "slower") || !strcmp(d, "tie") ||
				  !strcmp(d, "undecided"),
			  "decision '%s'", d);
		/* 4 repetitions each are enough for an interval */
		cr_assert_neq(cell(&r->sum, t, "ratio_lo")[0], '\0');
	}
	cr_assert(json_is_false(json_object_get(r->meta, "partial")));
	done(r);
}

/* A budget too small for the plan: what was measured is kept, the run is
 * marked partial everywhere, and points never run say so. The plan is
 * sleeps of a fixed 200 ms (at least 24 repetitions, so at least 4.8 s of
 * sleeping against a 0.4 s budget): it runs out on any machine, however
 * fast; a CPU-bound amount of work would not on a fast one. */
Test(measure, budget_runs_out, .timeout = 120)
{
	struct out *r = new_out();
	int not_run = 0;

	pt_test_exec(ARGV("run", "-q", "-w", "sleep", "-m", "serial,threads,gil", "-n", "1,2",
			  "-p", "ms=200", "--budget", "0.4", "-o", r->dir),
		     NULL, 110, &r->o);
	/* Exit 1 only when not one point was measured (a loaded machine). */
	cr_assert(r->o.status == 0 ||
			  (r->o.status == 1 && strstr(r->o.err, "no point was measured")),
		  "exit %d: %s", r->o.status, r->o.err);
	load(r);
	cr_assert(json_is_true(json_object_get(r->meta, "partial")));
	for (size_t i = 0; i < r->sum.nrows; i++) {
		cr_assert_str_eq(cell(&r->sum, i, "partial"), "1");
		if (!strcmp(cell(&r->sum, i, "status"), "not run")) {
			not_run++;
			cr_assert_str_eq(cell(&r->sum, i, "n"), "0");
			cr_assert_neq(strcmp(cell(&r->sum, i, "decision"), "faster"), 0);
		}
	}
	cr_assert_gt(not_run, 0);
	done(r);
}

/* A repetition that hangs near the budget's end is cut there, not at its
 * own timeout (30 s here; the default is 30 s + 10 x its estimate), and
 * honestly: no timeout row blames the workload, the point is 'not run' and
 * the run partial, stopped by the budget. A timeout shorter than what the
 * budget leaves is still the workload's timeout. */
Test(measure, budget_caps_the_timeout, .timeout = 120)
{
	/* Its one point never had a repetition: the run measured nothing,
	 * exit 1 (it said 0 before nothing_measured). */
	struct out *r = hang(ARGS("-m", "threads", "-n", "1", "--timeout", "30", "--budget", "1.5"),
			     1);

	for (size_t i = 0; i < r->rows.nrows; i++)
		cr_assert(strcmp(cell(&r->rows, i, "status"), "timeout") != 0, "%s",
			  cell(&r->rows, i, "message"));
	cr_assert_eq(r->sum.nrows, 1);
	cr_assert_str_eq(cell(&r->sum, 0, "status"), "not run");
	cr_assert_str_eq(cell(&r->sum, 0, "partial"), "1");
	cr_assert(json_is_true(json_object_get(r->meta, "partial")));
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(r->meta, "schedule"),
							   "stopped_by")),
			 "budget");
	done(r);

	r = hang(ARGS("-m", "threads", "-n", "1", "--timeout", "1", "--budget", "60"), 1);
	cr_assert_str_eq(cell(&r->rows, 0, "status"), "timeout");
	cr_assert_str_eq(cell(&r->sum, 0, "status"), "timeout");
	done(r);
}

/* SIGINT in the middle: exit 130, summary.csv and meta.json written and
 * marked partial, the point cut off and those after it 'not run', no
 * verdict from fewer repetitions than the rule needs. */
Test(measure, interrupted_run_is_partial, .timeout = 180)
{
	struct out *r = new_out();
	char path[PATH_MAX], err[128];
	pid_t pid = fork();
	int st, nrows = 0;
	struct timespec pause = { 0, 20 * 1000 * 1000 };

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int fd = open("/dev/null", 1);

		dup2(fd, 1);
		dup2(fd, 2);
		execl(pt_test_bin(), "ptbench", "run", "-w", "countdown", "-p",
		      "count=200000,100000000000", "-m", "serial,gil", "-n", "1", "-r", "2",
		      "--warmup", "0", "-o", r->dir, (char *)NULL);
		_exit(127);
	}
	snprintf(path, sizeof(path), "%s/results.csv", r->dir);
	for (int k = 0; k < 6000 && nrows < 4; k++) {
		struct pt_csv c;

		nanosleep(&pause, NULL);
		if (pt_csv_read(path, &c, err, sizeof(err)) == 0) {
			nrows = (int)c.nrows;
			pt_csv_free(&c);
		}
	}
	cr_assert_eq(nrows, 4, "the first group never finished");
	nanosleep(&pause, NULL);
	cr_assert_eq(kill(pid, SIGINT), 0);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 130, "status %#x", st);
	load(r);
	cr_assert(json_is_true(json_object_get(r->meta, "partial")));
	cr_assert_eq(r->sum.nrows, 4);
	for (size_t i = 0; i < 4; i++) {
		cr_assert_str_eq(cell(&r->sum, i, "partial"), "1");
		if (i < 2) {
			cr_assert_str_eq(cell(&r->sum, i, "status"), "ok");
		} else {
			cr_assert_str_eq(cell(&r->sum, i, "status"), "not run");
			cr_assert_str_eq(cell(&r->sum, i, "n"), "0");
		}
	}
	/* gil against serial from 2 repetitions each: no verdict */
	cr_assert_str_eq(cell(&r->sum, 1, "decision"), "undecided");
	cr_assert_str_eq(cell(&r->sum, 1, "ratio_lo"), "");
	done(r);
}

Test(measure, dry_run_prints_the_budget, .timeout = 60)
{
	struct pt_cmd_out *o = malloc(sizeof(*o));

	pt_test_exec(ARGV("run", "--dry-run", "-w", "countdown,event", "--budget", "30"), NULL, 50,
		     o);
	cr_assert_eq(o->status, 0, "exit %d: %s", o->status, o->err);
	cr_assert(strstr(o->out, "pilots"), "%s", o->out);
	cr_assert(strstr(o->out, "minimum"), "%s", o->out);
	cr_assert(strstr(o->out, "budget          30.0 s"), "%s", o->out);
	pt_test_exec(ARGV("run", "--dry-run"), NULL, 50, o);
	cr_assert_eq(o->status, 0, "exit %d: %s", o->status, o->err);
	cr_assert(strstr(o->out, "make bench on"), "%s", o->out);
	pt_test_exec(ARGV("run", "--dry-run", "--budget", "-3"), NULL, 50, o);
	cr_assert_eq(o->status, 2);
	cr_assert(strstr(o->err, "--budget"), "%s", o->err);
	pt_test_exec(ARGV("run", "--dry-run", "--rep-time", "100-50"), NULL, 50, o);
	cr_assert_eq(o->status, 2);
	pt_test_exec(ARGV("run", "--dry-run", "--band", "0"), NULL, 50, o);
	cr_assert_eq(o->status, 2);
	pt_test_exec(ARGV("run", "--dry-run", "--seed", "x1"), NULL, 50, o);
	cr_assert_eq(o->status, 2);
	free(o);
}

/* 180 s: a fifth for calibration, 5% report, 5% slack, the rest (126 s) the
 * suite's (lib/budget's split). */
Test(measure, budget_command, .timeout = 60)
{
	struct pt_cmd_out *o = malloc(sizeof(*o));

	pt_test_exec(ARGV("budget", "180"), NULL, 50, o);
	cr_assert_eq(o->status, 0, "exit %d: %s", o->status, o->err);
	cr_assert(strstr(o->out, "total_s=180\nsuite_s=126\ncalibration_s=36\nreport_s=9\n"),
		  "%s", o->out);
	pt_test_exec(ARGV("budget", "--no-calibration", "100"), NULL, 50, o);
	cr_assert(strstr(o->out, "calibration_s=0\n"), "%s", o->out);
	pt_test_exec(ARGV("budget"), NULL, 50, o);
	cr_assert_eq(o->status, 0);
	cr_assert(strstr(o->out, "total_s="), "%s", o->out);
	pt_test_exec(ARGV("budget", "soon"), NULL, 50, o);
	cr_assert_eq(o->status, 2);
	pt_test_exec(ARGV("budget", "3"), NULL, 50, o);
	cr_assert_eq(o->status, 2);
	free(o);
}

/* ptbench compare through the binary: a run against itself gives no
 * faster or slower; a missing directory is exit 2. */
Test(measure, compare_command, .timeout = 120)
{
	struct out *r = new_out();
	char out[PATH_MAX];
	struct pt_csv c;
	char err[128], path[PATH_MAX + 32];

	pt_test_exec(ARGV("run", "-q", "--quick", "-w", "countdown", "-m", "serial,threads", "-n",
			  "1", "-r", "4", "-o", r->dir),
		     NULL, 110, &r->o);
	cr_assert_eq(r->o.status, 0, "exit %d: %s", r->o.status, r->o.err);
	snprintf(out, sizeof(out), "%s/cmp", r->tmp);
	pt_test_exec(ARGV("compare", "-o", out, r->dir, r->dir), NULL, 50, &r->o);
	cr_assert_eq(r->o.status, 0, "exit %d: %s", r->o.status, r->o.err);
	cr_assert(strstr(r->o.out, "/cmp"), "%s", r->o.out);
	snprintf(path, sizeof(path), "%s/compare.csv", out);
	cr_assert_eq(pt_csv_read(path, &c, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.nrows, 2);
	for (size_t i = 0; i < c.nrows; i++)
		cr_assert(strcmp(c.rows[i][pt_csv_col(&c, "decision")], "faster") &&
			  strcmp(c.rows[i][pt_csv_col(&c, "decision")], "slower"));
	pt_csv_free(&c);
	pt_test_exec(ARGV("compare", r->dir, "/nonexistent/dir"), NULL, 50, &r->o);
	cr_assert_eq(r->o.status, 2);
	cr_assert(strstr(r->o.err, "/nonexistent/dir"), "%s", r->o.err);
	done(r);
}

/* Every workload's size names a whole-number parameter it declares, and
 * fixed-time workloads name none (their duration is kept). */
Test(measure, size_parameters_exist, .timeout = 10)
{
	int sized = 0;

	pt_for_each_workload(pp) {
		const struct pt_workload *wl = *pp;
		const struct pt_param_def *d;

		if (!wl->size)
			continue;
		sized++;
		cr_assert(!wl->fixed_time, "%s is fixed-time but sized", wl->name);
		d = pt_param_def_find(wl->params, wl->size);
		cr_assert_not_null(d, "%s: no parameter '%s'", wl->name, wl->size);
		cr_assert(d->type == PT_PARAM_INT || d->type == PT_PARAM_SIZE, "%s.%s", wl->name,
			  wl->size);
	}
	cr_assert_geq(sized, 5);
}
