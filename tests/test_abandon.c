// SPDX-License-Identifier: MIT
// A team whose join leaves a thread running (a daemon that ignores the stop
// flag) is abandoned: the workload's teardown must not free or close what
// that thread still uses. The point says so, and the directories the driver
// recorded for it are removed all the same.
#include "point.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* What the stubborn daemon uses: the workload's state, freed by teardown. */
struct stubborn {
	_Atomic uint64_t touches;
	char dir[PATH_MAX];
};

static _Atomic int hold;	 /* the daemon loops while set */
static _Atomic int daemon_done;	 /* its body returned */
static _Atomic int teardowns;	 /* teardown calls */
static _Atomic int torn_under_it; /* ...while the daemon still ran */
/* Kept reachable for the leak checker: an abandoned team's memory (its
 * context, the workload's state) is left to the process's exit. */
static struct pt_ctx *_Atomic seen_ctx;
static struct stubborn *_Atomic seen_state;

static int stubborn_setup(struct pt_ctx *ctx)
{
	struct stubborn *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	/* A directory outside the run's own, as filewrite's -p dir. */
	snprintf(s->dir, sizeof(s->dir), "%s/ptbench-abandon.XXXXXX",
		 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (pt_ctx_mkdtemp(ctx, s->dir)) {
		free(s);
		return -EIO;
	}
	ctx->priv = s;
	ctx->ndaemons = 1;
	atomic_store(&seen_state, s);
	atomic_store(&daemon_done, 0);
	return 0;
}

static int stubborn_run(struct pt_worker *w)
{
	struct pt_ctx *ctx = pt_ctx_of(w);
	struct stubborn *s = ctx->priv;

	w->slot->ops = 1;
	if (!w->daemon)
		return 0;
	atomic_store(&seen_ctx, ctx);
	/* Ignores the stop flag, touching the workload's state. */
	while (atomic_load(&hold)) {
		atomic_fetch_add(&s->touches, 1);
		pt_block_begin(w);
		usleep(1000);
		pt_block_end(w);
	}
	atomic_store(&daemon_done, 1);
	return 0;
}

static void stubborn_teardown(struct pt_ctx *ctx)
{
	struct stubborn *s = ctx->priv;

	atomic_fetch_add(&teardowns, 1);
	if (!atomic_load(&daemon_done))
		atomic_fetch_add(&torn_under_it, 1);
	rmdir(s->dir);
	free(s);
	ctx->priv = NULL;
}

static const struct pt_param_def no_params[] = { { 0 } };

static const struct pt_workload stubborn_wl = {
	.name = "test-stubborn", .kind = PT_KIND_SELFTEST, .summary = "a daemon ignores stop",
	.params = no_params, .models = PT_MODELS_CONCURRENT, .min_workers = 2,
	.setup = stubborn_setup, .run = stubborn_run, .teardown = stubborn_teardown,
};

/* Lets the daemon of the last point go and waits until its body returned. */
static void release_daemon(void)
{
	atomic_store(&hold, 0);
	while (!atomic_load(&daemon_done))
		usleep(1000);
}

Test(abandon, teardown_never_runs_under_a_running_thread, .timeout = 120)
{
	static const enum pt_model models[] = { PT_MODEL_THREADS, PT_MODEL_GIL,
						PT_MODEL_GIL_OLD, PT_MODEL_FT };
	struct pt_runenv env = { 0 };
	struct pt_result r;

	for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
		struct pt_point pt = { .wl = &stubborn_wl, .model = models[i], .nworkers = 2 };
		struct stubborn *s;

		atomic_store(&hold, 1);
		atomic_store(&teardowns, 0);
		atomic_store(&torn_under_it, 0);
		pt_point_run_once(&pt, &env, &r);
		cr_assert_eq(atomic_load(&torn_under_it), 0,
			     "%s: the teardown freed the state of a running daemon",
			     pt_model_name(models[i]));
		cr_assert_eq(atomic_load(&teardowns), 0, "%s", pt_model_name(models[i]));
		/* Reported honestly: its figures stand, with the reason. */
		cr_assert_eq(r.status, PT_ST_OK, "%s: %s", pt_model_name(models[i]), r.msg);
		cr_assert(strstr(r.msg, "teardown was skipped"), "%s: '%s'",
			  pt_model_name(models[i]), r.msg);
		/* The daemon still works in its state, which is intact. */
		s = atomic_load(&seen_state);
		uint64_t before = atomic_load(&s->touches);
		while (atomic_load(&s->touches) == before)
			usleep(1000);
		release_daemon();
		/* Left to the process's exit; here the test cleans up. */
		rmdir(s->dir);
		free(s);
	}
}

/* In the driver's containment the directories the point recorded are
 * removed even though the teardown that would have removed them is
 * skipped. */
Test(abandon, driver_removes_the_directories_of_an_abandoned_point, .timeout = 120)
{
	struct pt_runenv env = { 0 };
	struct pt_point pt = { .wl = &stubborn_wl, .model = PT_MODEL_THREADS, .nworkers = 2 };
	struct pt_result r;
	char tmp[PATH_MAX], *base = getenv("TMPDIR");
	struct dirent *e;
	DIR *d;
	int left = 0;

	/* A TMPDIR of its own, where the setup makes its directory. */
	snprintf(tmp, sizeof(tmp), "%s/ptbench-abandon-test.XXXXXX", base && *base ? base : "/tmp");
	cr_assert(mkdtemp(tmp));
	cr_assert_eq(setenv("TMPDIR", tmp, 1), 0);
	atomic_store(&hold, 1);
	cr_assert_eq(pt_point_exec(&pt, &env, 60, NULL, &r), PT_ST_OK, "%s", r.msg);
	cr_assert(strstr(r.msg, "teardown was skipped"), "'%s'", r.msg);
	d = opendir(tmp);
	cr_assert(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			left++;
	closedir(d);
	rmdir(tmp);
	cr_assert_eq(left, 0, "%d entries left in %s", left, tmp);
	cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "a child is left");
}

/* --- A helper thread still running when the start hook fails --- */

static _Atomic int helper_in;	     /* the helper is running */
static _Atomic int torn_under_helper; /* teardown ran meanwhile */

static void touching_helper(struct pt_team *t, void *arg)
{
	_Atomic uint64_t *touches = arg;

	atomic_store(&helper_in, 1);
	/* Until the core stops its helpers, it uses the workload's state
	 * (sockrecv's feeder, pool's submitter do the same). */
	while (pt_helper_running(t)) {
		atomic_fetch_add(touches, 1);
		usleep(1000);
	}
	atomic_store(&helper_in, 0);
}

static int helper_setup(struct pt_ctx *ctx)
{
	ctx->priv = calloc(1, sizeof(_Atomic uint64_t));
	return ctx->priv ? 0 : -ENOMEM;
}

/* Starts its first helper, then fails to start the second (pool's
 * submitter and collector). */
static int helper_start(struct pt_ctx *ctx)
{
	int ret = pt_team_helper(ctx->team, touching_helper, ctx->priv);

	if (ret)
		return ret;
	while (!atomic_load(&helper_in))
		usleep(1000);
	snprintf(ctx->msg, sizeof(ctx->msg), "second helper: injected failure");
	return -EAGAIN;
}

static void helper_teardown(struct pt_ctx *ctx)
{
	if (atomic_load(&helper_in))
		atomic_fetch_add(&torn_under_helper, 1);
	free(ctx->priv);
	ctx->priv = NULL;
}

static int nop_run(struct pt_worker *w)
{
	(void)w;
	return 0;
}

static const struct pt_workload helper_wl = {
	.name = "test-helper", .kind = PT_KIND_SELFTEST, .summary = "start fails after a helper",
	.params = no_params, .models = PT_MODELS_ALL, .min_workers = 1,
	.setup = helper_setup, .start = helper_start, .run = nop_run,
	.teardown = helper_teardown,
};

Test(abandon, teardown_never_runs_under_a_running_helper, .timeout = 120)
{
	struct pt_runenv env = { 0 };
	struct pt_result r;

	for (enum pt_model m = 0; m < PT_MODEL_COUNT; m++) {
		struct pt_point pt = { .wl = &helper_wl, .model = m, .nworkers = 2 };

		atomic_store(&torn_under_helper, 0);
		cr_assert_eq(pt_point_run_once(&pt, &env, &r), PT_ST_FAILED, "%s: %s",
			     pt_model_name(m), r.msg);
		cr_assert(strstr(r.msg, "injected failure"), "%s: %s", pt_model_name(m), r.msg);
		cr_assert_eq(atomic_load(&torn_under_helper), 0,
			     "%s: the teardown freed what a running helper uses",
			     pt_model_name(m));
		cr_assert_eq(atomic_load(&helper_in), 0, "%s: the helper still runs",
			     pt_model_name(m));
	}
	cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "a child is left");
}
