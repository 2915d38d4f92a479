// SPDX-License-Identifier: MIT
// The run loop: directories, signals, containment, rows, the end of a run.
#include "run.h"

#include "clock.h"
#include "error.h"
#include "files.h"
#include "meta.h"
#include "results.h"
#include "rundir.h"
#include "schedule.h"
#include "summary.h"
#include "table.h"
#include "term.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t stop_flag;
/* The run's private temporary directory, for the second signal's cleanup;
 * the handler reads it only once tmp_set says it is whole. */
static char tmp_path[PATH_MAX];
static volatile sig_atomic_t tmp_set;

static void on_signal(int sig)
{
	if (stop_flag) {
		/* A second signal: out at once, leaving nothing behind: the
		 * point's process group is killed and reaped (were we killed
		 * instead, PR_SET_PDEATHSIG would take it down), the temporary
		 * files in flight and the temporary directory removed. */
		static const char msg[] = "ptbench: second signal: exiting at once\n";

		pt_point_kill_current();
		pt_tmp_unlink_all();
		if (tmp_set)
			pt_rm_tree(tmp_path);
		if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
			/* nothing to do: we are leaving */
		}
		_exit(sig == SIGINT ? PT_EXIT_INT : 128 + sig);
	}
	stop_signal = sig;
	stop_flag = 1;
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking wait returns EINTR and sees the flag. A
	 * hang-up ends the run like SIGTERM (exit 129). */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* A closed stdout must not kill the run: writes fail with EPIPE. Nor
	 * must a file size limit (ulimit -f): writes fail with EFBIG, which
	 * the driver and the workloads (points inherit this) report. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
}

/* What a run holds between its stages. */
struct run {
	const struct pt_opts *o;
	const struct pt_plan *plan;
	struct pt_columns cols;
	struct pt_rows rows;
	char outdir[PATH_MAX];
	struct pt_runenv env;
	json_t *meta;
	struct pt_sched sched; /* the repetitions, as they were run */
	bool tty, any_bad;
	uint64_t t0;
};

/* A private directory for temporary files, removed at the end of the run
 * and on a second signal. */
static int make_tmpdir(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmp_path, sizeof(tmp_path), "%s/ptbench.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmp_path)) {
		snprintf(tmp_path, sizeof(tmp_path), "/tmp/ptbench.XXXXXX");
		if (!mkdtemp(tmp_path))
			return -errno;
	}
	atomic_signal_fence(memory_order_seq_cst); /* the path before the flag */
	tmp_set = 1;
	return 0;
}

static void drop_tmpdir(void)
{
	if (tmp_set) {
		tmp_set = 0;
		atomic_signal_fence(memory_order_seq_cst);
		pt_rm_tree(tmp_path);
	}
}

/* The output directory and its results.csv. A status, 0 when all is well. */
static int open_outputs(struct run *r)
{
	const struct pt_opts *o = r->o;
	char err[PATH_MAX + 256];
	int ret = pt_outdir_make(o, r->outdir, sizeof(r->outdir), err, sizeof(err));

	if (ret == -EINVAL)
		return pt_usage_error("%s", err);
	if (ret)
		return pt_err("%s", err), PT_EXIT_FAILED;
	/* Two runs never write into one directory at once, --force or not. */
	ret = pt_outdir_lock(r->outdir, err, sizeof(err));
	if (ret)
		return ret == -EBUSY ? pt_usage_error("%s", err) : (pt_err("%s", err), 1);
	pt_columns_init(&r->cols);
	ret = pt_rows_create(&r->rows, r->outdir, &r->cols, o->force);
	if (ret == -EEXIST)
		return pt_usage_error("-o: '%s' already holds results (use --force to overwrite)",
				      r->outdir);
	if (ret)
		return pt_err("cannot create %s/results.csv: %s", r->outdir, strerror(-ret)),
		       PT_EXIT_FAILED;
	/* What was derived from the run replaced would not match this one. */
	if (o->force)
		pt_outdir_clear(r->outdir);
	return 0;
}


/* Said before the run, not only after it: a budget too short for every
 * point's minimum leaves points not run. */
static void budget_warning(const struct run *r, const struct pt_sched_cfg *cfg)
{
	double need = pt_sched_estimate(r->plan, cfg);

	if (r->o->quiet || !isfinite(cfg->budget_s) || need <= cfg->budget_s)
		return;
	pt_warn("the budget, %g s, is shorter than the minimum of this plan, about %.0f s (%d "
		"repetitions of each of its %d point%s): the run will be partial, with points "
		"not run; give a larger --budget or fewer points (--dry-run shows the split)",
		cfg->budget_s, need, cfg->min_reps, r->plan->npts, r->plan->npts == 1 ? "" : "s");
}
/* Everything before the first repetition. A status, 0 when all is well. */
static int run_setup(struct run *r, const struct pt_topo *topo, int argc, char **argv)
{
	struct pt_sched_cfg cfg;
	int ret, status = open_outputs(r);

	if (status)
		return status;
	if ((ret = make_tmpdir()) != 0)
		return pt_err("cannot create a temporary directory: %s", strerror(-ret)),
		       PT_EXIT_FAILED;
	r->env = (struct pt_runenv){ .topo = topo, .tmpdir = tmp_path };
	/* Orphaned workers of a crashed point are reparented to us and reaped. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
		pt_warn("cannot become the subreaper of the points' workers: %s", strerror(errno));
	r->meta = pt_meta_build(topo, r->o, r->plan, argc, argv);
	if (!r->meta)
		return pt_err("out of memory"), PT_EXIT_FAILED;
	pt_meta_warnings(r->meta, r->o->quiet);
	if ((ret = pt_meta_write(r->outdir, r->meta)) != 0)
		return pt_err("cannot write %s/meta.json: %s", r->outdir, strerror(-ret)),
		       PT_EXIT_FAILED;
	pt_sched_config(r->o, r->plan, &cfg);
	if (pt_sched_init(&r->sched, r->plan, &cfg))
		return pt_err("out of memory"), PT_EXIT_FAILED;
	budget_warning(r, &cfg);
	r->tty = isatty(STDERR_FILENO) && !r->o->quiet;
	return 0;
}

static void progress(void *ctx, const char *phase, const struct pt_point *pt, int rep)
{
	const struct run *r = ctx;

	if (!r->tty)
		return;
	fprintf(stderr, "\r\033[K%s %s n=%d %s %d  %.0fs elapsed", pt->wl->name,
		pt_model_name(pt->model), pt->nworkers, phase, rep + 1,
		(double)(pt_now_ns() - r->t0) / 1e9);
}

/* One repetition, contained, within its timeout or @cap_s, what the
 * budget leaves it; -EINTR when a signal stopped it, -ECANCELED when the
 * budget's end cut it: that is no timeout of the workload. */
static int exec_rep(void *ctx, const struct pt_point *pt, double cap_s, struct pt_result *res)
{
	struct run *r = ctx;
	double timeout = pt_plan_timeout(r->plan, pt);
	bool capped = cap_s < timeout;

	if (pt_point_exec(pt, &r->env, capped ? cap_s : timeout, &stop_flag, res) == -EINTR)
		return -EINTR;
	if (capped && res->status == PT_ST_TIMEOUT) {
		if (!r->o->quiet) {
			if (r->tty)
				fputs("\r\033[K", stderr);
			pt_warn("%s %s n=%d: cut after %.1f s at the end of the budget (its own "
				"timeout is %.0f s): the run is partial", pt->wl->name,
				pt_model_name(pt->model), pt->nworkers, cap_s, timeout);
		}
		return -ECANCELED;
	}
	if (res->status != PT_ST_OK && res->status != PT_ST_SKIPPED && !r->o->quiet) {
		if (r->tty)
			fputs("\r\033[K", stderr);
		pt_warn("%s %s n=%d: %s: %s", pt->wl->name, pt_model_name(pt->model), pt->nworkers,
			pt_status_name(res->status), res->msg);
	}
	return 0;
}

/* The row of a repetition, on disk as it completes. */
static int write_row(void *ctx, const struct pt_point *pt, int rep, const struct pt_result *res)
{
	struct run *r = ctx;
	int ret = pt_rows_append(&r->rows, pt, rep, res);

	if (res->status != PT_ST_OK && res->status != PT_ST_SKIPPED)
		r->any_bad = true;
	if (ret) {
		if (r->rows.cut_failed)
			pt_err("cannot cut %s back to its whole rows", r->rows.tmp.final);
		pt_err("cannot write %s: %s%s", r->rows.tmp.final, strerror(-ret),
		       r->rows.cut_failed ? "" : "; its rows so far are whole");
	}
	return ret;
}

/* Every repetition the scheduler gives out, until the budget or a signal
 * ends it. A status, 0 when all rows were written. */
static int run_jobs(struct run *r)
{
	const struct pt_sched_ops ops = { .exec = exec_rep, .row = write_row,
					  .progress = progress, .ctx = r };
	int ret;

	r->t0 = pt_now_ns();
	ret = pt_sched_run(&r->sched, &ops);
	if (r->tty)
		fputs("\r\033[K", stderr);
	if (ret == -ENOMEM)
		return pt_err("out of memory"), PT_EXIT_FAILED;
	if (ret && ret != -EINTR)
		return PT_EXIT_FAILED;
	return 0;
}

/* Whether no point has a measurement: every one was skipped or never run
 * (the budget ran out first). Either way the run answers nothing: exit 1. */
static bool nothing_measured(const struct pt_plan *plan, const struct pt_point_summary *sum,
			     bool *budget)
{
	*budget = false;
	for (int i = 0; i < plan->npts; i++) {
		if (sum[i].status == PT_ST_NOT_RUN)
			*budget = true;
		else if (sum[i].status != PT_ST_SKIPPED)
			return false;
	}
	return plan->npts > 0;
}

/* meta.json's account of how the run went: partial or whole, the budget,
 * the sizes, the canary's drift. */
static void finish_meta(struct run *r)
{
	const struct pt_sched *s = &r->sched;
	json_t *run = json_object_get(r->meta, "run");

	json_object_set_new(r->meta, "finished", json_boolean(!stop_flag));
	json_object_set_new(r->meta, "partial", json_boolean(s->partial));
	json_object_set_new(r->meta, "elapsed_s", json_real((double)(pt_now_ns() - r->t0) / 1e9));
	json_object_set_new(r->meta, "points", json_integer(r->plan->npts));
	json_object_set_new(r->meta, "schedule", pt_sched_meta(s));
	if (json_is_object(run))
		json_object_set_new(run, "sized", pt_sched_sized(s));
}

/* The summary, the final meta.json and the table. A status, 0 when all is
 * well. */
static int run_finish(struct run *r)
{
	struct pt_point_summary *sum = calloc((size_t)r->plan->npts + 1, sizeof(*sum));
	int ret, status = 0;
	bool budget;

	if (!sum || pt_summaries(r->plan, r->sched.pr, r->o->band, sum)) {
		pt_err("cannot summarise the run: out of memory; %s/summary.csv is missing",
		       r->outdir);
		status = PT_EXIT_FAILED;
	} else if ((ret = pt_write_summary(r->outdir, &r->cols, r->plan, r->sched.pr, sum,
					   r->o->band, r->sched.partial)) != 0) {
		pt_err("cannot write %s/summary.csv: %s; the run has no summary", r->outdir,
		       strerror(-ret));
		status = PT_EXIT_FAILED;
	}
	finish_meta(r);
	if ((ret = pt_meta_write(r->outdir, r->meta)) != 0) {
		pt_err("cannot write %s/meta.json: %s; it is the one from the start of the run, "
		       "without its end", r->outdir, strerror(-ret));
		status = PT_EXIT_FAILED;
	}
	if (sum && !status) {
		if (!r->o->quiet)
			pt_warn_short_reps(r->plan, r->sched.pr, sum);
		if (r->sched.partial && !stop_flag)
			pt_warn("the time budget ran out: the run is partial (summary.csv and "
				"meta.json say so); points never run say 'not run'");
		if (nothing_measured(r->plan, sum, &budget) && !stop_flag) {
			if (budget)
				pt_err("no point was measured: the time budget ran out before "
				       "any point had a repetition; give a larger --budget "
				       "(--dry-run shows the split)");
			else
				pt_err("every point was skipped: nothing was measured");
			status = PT_EXIT_FAILED;
		}
	}
	if (sum && !r->o->quiet && !stop_flag) {
		int width = pt_term_width(stdout);

		pt_print_table(stdout, r->plan, sum, width);
		pt_print_verdicts(stdout, r->plan, sum, r->o->band, width);
		pt_print_next(stdout, r->outdir);
	}
	free(sum);
	return status;
}

static void run_free(struct run *r)
{
	if (r->rows.tmp.f) {
		int ret = pt_rows_close(&r->rows);

		if (ret)
			pt_err("closing %s: %s", r->rows.tmp.final, strerror(-ret));
	}
	drop_tmpdir();
	pt_outdir_unlock();
	pt_reap_orphans();
	json_decref(r->meta);
	pt_sched_free(&r->sched);
}

int pt_run(const struct pt_opts *o, const struct pt_plan *plan, const struct pt_topo *topo,
	   int argc, char **argv)
{
	struct run r = { .o = o, .plan = plan };
	int status, finish = 0;

	/* From here on a signal stops the run cleanly. */
	install_signals();
	status = run_setup(&r, topo, argc, argv);
	if (!status)
		status = run_jobs(&r);
	if (!status) {
		int ret = pt_rows_close(&r.rows);

		if (ret)
			pt_err("closing %s: %s", r.rows.tmp.final, strerror(-ret));
		finish = run_finish(&r);
		if (ret)
			finish = PT_EXIT_FAILED;
	}
	run_free(&r);
	if (status)
		return status;
	if (stop_flag) {
		pt_err("interrupted by %s; rows measured so far are in %s/results.csv",
		       strsignal(stop_signal), r.outdir);
		return stop_signal == SIGINT ? PT_EXIT_INT : 128 + stop_signal;
	}
	if (finish)
		return finish;
	return r.any_bad ? PT_EXIT_FAILED : PT_EXIT_OK;
}
