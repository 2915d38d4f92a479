// SPDX-License-Identifier: MIT
// The coordination workloads (event, condition, semaphore, barrier, queue,
// timer) at --quick size under every model: ok with ops and latencies, or
// skipped where they cannot run; their own invariants (round trips, wake-ups,
// generations, handoffs add up; every queue item exactly once; a Timer
// cancelled in time never fires); and nothing left behind.
#include "point.h"
#include "runpoint.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* Runs one repetition of @wl at --quick size with the "key=value" pairs of
 * @kv (NULL-terminated, may be NULL). */
static enum pt_status run_wl(const struct pt_workload *wl, enum pt_model m, int n,
			     const char *const kv[], struct pt_result *r)
{
	struct pt_point pt = { .wl = wl, .model = m, .nworkers = n,
			       .switch_interval_us = 1000, .check_interval = 100 };

	return pt_test_run_kv(&pt, kv, r);
}

static bool must_skip(const struct pt_workload *wl, enum pt_model m, int n)
{
	return !(wl->models & PT_MODEL_BIT(m)) || n < wl->min_workers;
}

/* Runs @wl under every model with 1 to 3 workers: a point that cannot run
 * is skipped with a reason; every other one is ok, with ops and latencies.
 * @check (may be NULL) looks at each ok result. */
static void every_model(const struct pt_workload *wl, const char *const kv[],
			void (*check)(enum pt_model m, int n, const struct pt_result *r))
{
	struct pt_result r;

	for (enum pt_model m = 0; m < PT_MODEL_COUNT; m++) {
		for (int n = 1; n <= 3; n++) {
			enum pt_status st = run_wl(wl, m, n, kv, &r);

			if (must_skip(wl, m, n)) {
				cr_assert_eq(st, PT_ST_SKIPPED, "%s %s n=%d: %s", wl->name,
					     pt_model_name(m), n, r.msg);
				cr_assert(r.msg[0], "a skip says why");
				continue;
			}
			cr_assert_eq(st, PT_ST_OK, "%s %s n=%d: %s", wl->name, pt_model_name(m), n,
				     r.msg);
			cr_assert_gt(r.ops, 0u, "%s %s n=%d", wl->name, pt_model_name(m), n);
			cr_assert(isfinite(r.lat_p50_us) && r.lat_p50_us > 0, "%s %s n=%d: p50 %g",
				  wl->name, pt_model_name(m), n, r.lat_p50_us);
			cr_assert(r.lat_p99_us >= r.lat_p50_us);
			cr_assert(r.wall_s > 0);
			if (check)
				check(m, n, &r);
		}
	}
	/* Every forked worker was reaped. */
	cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1);
	cr_assert_eq(errno, ECHILD);
}

static double metric(const struct pt_workload *wl, const struct pt_result *r, const char *name)
{
	int i = pt_workload_metric(wl, name);

	cr_assert_geq(i, 0, "%s has no metric %s", wl->name, name);
	return r->metric[i];
}

/* Threads of this process (a helper thread left running would show). */
static int count_tasks(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	cr_assert(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* The count after a first point of @wl has run: a sanitizer's runtime starts
 * its own background thread with the first one. */
static int thread_count(const struct pt_workload *wl)
{
	struct pt_result r;

	cr_assert_eq(run_wl(wl, PT_MODEL_THREADS, 1, NULL, &r), PT_ST_OK, "%s", r.msg);
	return count_tasks();
}

/* --- event --- */

static void event_pingpong(enum pt_model m, int n, const struct pt_result *r)
{
	/* --quick: 200 round trips of the token, each worker passing it on. */
	cr_assert_eq(r->ops, 200u, "%s n=%d: %llu", pt_model_name(m), n,
		     (unsigned long long)r->ops);
	cr_assert_eq(r->ops_min, 200u);
	cr_assert_eq(r->ops_max, 200u);
	cr_assert(isnan(metric(&pt_wl_event, r, "wakeall_p50_us")));
}

static void event_wakeall(enum pt_model m, int n, const struct pt_result *r)
{
	double all = metric(&pt_wl_event, r, "wakeall_p50_us");

	/* Each of the 200 sets wakes every waiter exactly once. */
	cr_assert_eq(r->ops, 200u * (uint64_t)(n - 1), "%s n=%d: %llu", pt_model_name(m), n,
		     (unsigned long long)r->ops);
	cr_assert_eq(r->ops_min, 200u);
	cr_assert_eq(r->ops_max, 200u);
	/* The last waiter of a round wakes no earlier than a median one. */
	cr_assert(isfinite(all) && all > 0);
}

Test(syncwl, event_pingpong_every_model, .timeout = 120)
{
	every_model(&pt_wl_event, (const char *const[]){ "pattern=pingpong", NULL }, event_pingpong);
}

Test(syncwl, event_wakeall_every_model, .timeout = 120)
{
	every_model(&pt_wl_event, (const char *const[]){ "pattern=wakeall", NULL }, event_wakeall);
}

/* --- condition --- */

static void condition_check(enum pt_model m, int n, const struct pt_result *r)
{
	double skipped = metric(&pt_wl_condition, r, "ticks_skipped");
	double missed = metric(&pt_wl_condition, r, "timer_missed");

	/* --quick: 20 ticks a waiter; a tick slept through counts as skipped. */
	cr_assert_leq(r->ops, 20u * (uint64_t)n, "%s n=%d", pt_model_name(m), n);
	cr_assert_geq((double)r->ops + skipped, 20.0 * n, "%s n=%d: %llu wakes, %g skipped",
		      pt_model_name(m), n, (unsigned long long)r->ops, skipped);
	cr_assert_geq(r->ops_min, 1u);
	cr_assert(isfinite(missed) && missed >= 0);
}

Test(syncwl, condition_every_model, .timeout = 120)
{
	int before = thread_count(&pt_wl_condition);

	every_model(&pt_wl_condition, NULL, condition_check);
	/* The ticking thread was stopped and joined each time. */
	cr_assert_eq(count_tasks(), before);
}

/* --- semaphore --- */

static void semaphore_check(enum pt_model m, int n, const struct pt_result *r)
{
	/* --quick: 200 handoffs, the waiters' acquires adding up to them. */
	cr_assert_eq(r->ops, 200u, "%s n=%d", pt_model_name(m), n);
	cr_assert_eq(r->ops_max, 200u);
}

Test(syncwl, semaphore_every_model, .timeout = 120)
{
	every_model(&pt_wl_semaphore, NULL, semaphore_check);
}

/* --- barrier --- */

static void barrier_check(enum pt_model m, int n, const struct pt_result *r)
{
	double races = metric(&pt_wl_barrier, r, "races");

	/* --quick: 200 generations; a race to 40 takes 14 to 40 steps. */
	cr_assert_eq(r->ops, 200u, "%s n=%d", pt_model_name(m), n);
	cr_assert_eq(r->ops_min, 200u);
	cr_assert(races >= 5 && races <= 14, "%s n=%d: %g races", pt_model_name(m), n, races);
}

Test(syncwl, barrier_every_model, .timeout = 120)
{
	every_model(&pt_wl_barrier, NULL, barrier_check);
}

/* --- queue --- */

static void queue_check(enum pt_model m, int n, const struct pt_result *r)
{
	/* --quick: 2000 items, each consumed once (finish checked which). */
	cr_assert_eq(r->ops, 2000u, "%s n=%d", pt_model_name(m), n);
}

Test(syncwl, queue_every_model_and_kind, .timeout = 180)
{
	static const char *const cases[][3] = {
		{ "kind=fifo", "maxsize=16", NULL },	{ "kind=priority", "maxsize=16", NULL },
		{ "kind=fifo", "maxsize=1", NULL },	{ "kind=priority", "maxsize=0", NULL },
		{ "kind=fifo", "maxsize=0", NULL },
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
		every_model(&pt_wl_queue, cases[c], queue_check);
}

Test(syncwl, queue_more_producers_than_consumers, .timeout = 60)
{
	struct pt_result r;

	cr_assert_eq(run_wl(&pt_wl_queue, PT_MODEL_THREADS, 4,
			    (const char *const[]){ "producers=3", "maxsize=2", NULL }, &r),
		     PT_ST_OK, "%s", r.msg);
	cr_assert_eq(r.ops, 2000u);
	cr_assert_eq(run_wl(&pt_wl_queue, PT_MODEL_PROCS, 3,
			    (const char *const[]){ "producers=1", "kind=priority", NULL }, &r),
		     PT_ST_OK, "%s", r.msg);
	cr_assert_eq(r.ops, 2000u);
	/* No consumer left: a clear failure, not a hang. */
	cr_assert_eq(run_wl(&pt_wl_queue, PT_MODEL_THREADS, 2,
			    (const char *const[]){ "producers=2", NULL }, &r),
		     PT_ST_FAILED);
	cr_assert(strstr(r.msg, "producers=2"), "%s", r.msg);
}

/* One repetition run by hand, so that a test can call finish() again after
 * tampering with what the workers left. */
struct manual {
	struct pt_params params;
	struct pt_ctx ctx;
	struct pt_team team;
	struct pt_team_stats st;
};

static struct manual *manual_setup(const struct pt_workload *wl, enum pt_model m, int n)
{
	struct manual *mr = calloc(1, sizeof(*mr));
	struct pt_team_config cfg = { .model = m, .nworkers = n, .body = wl->run };
	char err[256];

	cr_assert(mr);
	cr_assert_eq(pt_params_defaults(&mr->params, wl->params, true, err, sizeof(err)), 0);
	mr->ctx = (struct pt_ctx){ .wl = wl, .model = m, .nworkers = n, .params = &mr->params,
				   .quick = true };
	for (int i = 0; i < PT_MAX_METRICS; i++)
		mr->ctx.metric[i] = NAN;
	cfg.arg = &mr->ctx;
	cfg.shared_size = wl->shared_size(&mr->ctx);
	cr_assert_eq(pt_team_init(&mr->team, &cfg), 0);
	mr->ctx.team = &mr->team;
	mr->ctx.shared = mr->team.shared;
	cr_assert_eq(wl->setup(&mr->ctx), 0, "%s", mr->ctx.msg);
	return mr;
}

static void manual_run(struct manual *mr)
{
	cr_assert_eq(pt_team_spawn(&mr->team), 0);
	if (mr->ctx.wl->start)
		cr_assert_eq(mr->ctx.wl->start(&mr->ctx), 0, "%s", mr->ctx.msg);
	pt_team_go(&mr->team);
	cr_assert_eq(pt_team_join(&mr->team, 0), 0);
	cr_assert_eq(pt_team_collect(&mr->team, &mr->st), 0, "%s", mr->st.first_msg);
}

static int manual_finish(struct manual *mr)
{
	mr->ctx.msg[0] = '\0';
	return mr->ctx.wl->finish(&mr->ctx, &mr->st);
}

static void manual_end(struct manual *mr)
{
	mr->ctx.wl->teardown(&mr->ctx);
	pt_team_destroy(&mr->team);
	free(mr);
}

/* A real run, then its delivery record (the byte per item at the start of
 * the shared region) tampered with: finish() names a duplicate and a missing
 * item, and passes again once it is put right. */
Test(syncwl, queue_finish_catches_duplicate_and_missing, .timeout = 60)
{
	static const enum pt_model models[] = { PT_MODEL_THREADS, PT_MODEL_PROCS };

	for (size_t k = 0; k < sizeof(models) / sizeof(models[0]); k++) {
		struct manual *mr = manual_setup(&pt_wl_queue, models[k], 3);
		unsigned char *seen = mr->ctx.shared;

		/* Nothing consumed yet: every item is missing. */
		cr_assert_neq(manual_finish(mr), 0);
		cr_assert(strstr(mr->ctx.msg, "2000 of 2000 items never delivered"), "%s",
			  mr->ctx.msg);

		manual_run(mr);
		cr_assert_eq(manual_finish(mr), 0, "%s", mr->ctx.msg);
		cr_assert_eq(mr->ctx.ops, 2000u);

		cr_assert_eq(seen[1234], 1);
		seen[1234] = 2;
		cr_assert_neq(manual_finish(mr), 0, "a duplicate passed");
		cr_assert(strstr(mr->ctx.msg, "1 more than once") &&
				  strstr(mr->ctx.msg, "item 1234: 2 times"),
			  "%s", mr->ctx.msg);
		seen[1234] = 1;
		seen[1999] = 0;
		cr_assert_neq(manual_finish(mr), 0, "a missing item passed");
		cr_assert(strstr(mr->ctx.msg, "1 of 2000 items never delivered") &&
				  strstr(mr->ctx.msg, "item 1999: 0 times"),
			  "%s", mr->ctx.msg);
		seen[1999] = 1;
		cr_assert_eq(manual_finish(mr), 0, "%s", mr->ctx.msg);
		manual_end(mr);
	}
}

/* --- timer --- */

static void timer_check(enum pt_model m, int n, const struct pt_result *r)
{
	double cancelled = metric(&pt_wl_timer, r, "cancelled");
	double late = metric(&pt_wl_timer, r, "cancel_late");

	/* --quick: 40 Timers a worker, 25% of them cancelled at once (in time
	 * with a 1 ms delay, unless the machine stalls for that long). */
	cr_assert_eq(r->ops, 40u * (uint64_t)n, "%s n=%d", pt_model_name(m), n);
	cr_assert_eq(cancelled + late, 10.0 * n, "%s n=%d: %g + %g", pt_model_name(m), n, cancelled,
		     late);
	cr_assert_eq(metric(&pt_wl_timer, r, "cancelled_fired"), 0);
}

Test(syncwl, timer_every_model, .timeout = 120)
{
	int before = thread_count(&pt_wl_timer);

	every_model(&pt_wl_timer, NULL, timer_check);
	/* Every Timer's helper thread was joined. */
	cr_assert_eq(count_tasks(), before);
}

/* With no delay, cancel() races with the firing: whatever it reports is
 * true. A Timer it cancelled never ran its function (finish fails the point
 * otherwise), and the others ran theirs exactly once. */
Test(syncwl, timer_cancel_races_are_decisive, .timeout = 120)
{
	const char *const kv[] = { "delay_us=0", "cancel_pct=50", "timers=200", "batch=20", NULL };
	struct pt_result r;

	for (enum pt_model m = 0; m < PT_MODEL_COUNT; m++) {
		cr_assert_eq(run_wl(&pt_wl_timer, m, 2, kv, &r), PT_ST_OK, "%s: %s", pt_model_name(m),
			     r.msg);
		cr_assert_eq(r.ops, 400u);
		cr_assert_eq(metric(&pt_wl_timer, &r, "cancelled_fired"), 0);
		cr_assert_eq(metric(&pt_wl_timer, &r, "cancelled") +
				     metric(&pt_wl_timer, &r, "cancel_late"),
			     200.0);
	}
}

Test(syncwl, timer_all_or_none_cancelled, .timeout = 60)
{
	struct pt_result r;

	/* Due in a minute: every cancel() is in time, however slow the start. */
	cr_assert_eq(run_wl(&pt_wl_timer, PT_MODEL_PROCS, 2,
			    (const char *const[]){ "cancel_pct=100", "delay_us=60000000", NULL }, &r),
		     PT_ST_OK, "%s", r.msg);
	cr_assert_eq(metric(&pt_wl_timer, &r, "cancelled"), 80.0);
	cr_assert(isnan(r.lat_p50_us), "nothing fired, no lateness");
	cr_assert_eq(run_wl(&pt_wl_timer, PT_MODEL_THREADS, 2,
			    (const char *const[]){ "cancel_pct=0", NULL }, &r),
		     PT_ST_OK, "%s", r.msg);
	cr_assert_eq(metric(&pt_wl_timer, &r, "cancelled"), 0.0);
	cr_assert(isfinite(r.lat_p50_us) && r.lat_p50_us > 0);
}

/* A worker's count of cancelled Timers that ran anyway (its slot's figure at
 * the metric's index) fails the point, with the count in the message. */
Test(syncwl, timer_finish_fails_on_a_cancelled_one_that_fired, .timeout = 60)
{
	struct manual *mr = manual_setup(&pt_wl_timer, PT_MODEL_PROCS, 2);
	int fired = pt_workload_metric(&pt_wl_timer, "cancelled_fired");

	manual_run(mr);
	cr_assert_eq(manual_finish(mr), 0, "%s", mr->ctx.msg);
	cr_assert_eq(mr->ctx.metric[fired], 0);
	mr->st.metric_sum[fired] = 1;
	cr_assert_neq(manual_finish(mr), 0, "a cancelled Timer that fired passed");
	cr_assert_eq(mr->ctx.metric[fired], 1);
	cr_assert(strstr(mr->ctx.msg, "1 Timers cancelled in time ran their function"), "%s",
		  mr->ctx.msg);
	mr->st.metric_sum[fired] = 0;
	cr_assert_eq(manual_finish(mr), 0, "%s", mr->ctx.msg);
	manual_end(mr);
}

/* --- all of them --- */

/* Metric names of these workloads are nobody else's (or mean the same), and
 * none is a parameter's name. */
Test(syncwl, metric_names_are_distinct, .timeout = 10)
{
	static const struct pt_workload *const mine[] = { &pt_wl_event, &pt_wl_condition,
							  &pt_wl_semaphore, &pt_wl_barrier,
							  &pt_wl_queue, &pt_wl_timer };

	for (size_t k = 0; k < sizeof(mine) / sizeof(mine[0]); k++) {
		cr_assert_eq(pt_workload_find(mine[k]->name), mine[k], "%s not registered",
			     mine[k]->name);
		for (const struct pt_metric_def *d = mine[k]->metrics; d && d->name; d++)
			pt_for_each_workload(pp) {
				if (*pp == mine[k])
					continue;
				cr_assert_lt(pt_workload_metric(*pp, d->name), 0,
					     "%s's metric %s is also %s's", mine[k]->name, d->name,
					     (*pp)->name);
				cr_assert_null(pt_param_def_find((*pp)->params, d->name));
			}
	}
}

/* Many workers and a CPU-bound neighbour, under the GIL models (threads:
 * ThreadSanitizer watches them), free threading and processes: every
 * primitive's invariants hold under contention, and nothing is left. */
static void crowd(const struct pt_workload *wl, const char *const kv[],
		  void (*check)(enum pt_model m, int n, const struct pt_result *r))
{
	static const enum pt_model models[] = { PT_MODEL_GIL, PT_MODEL_GIL_OLD, PT_MODEL_FT,
						PT_MODEL_PROCS };
	const int n = 12;

	for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
		/* A short switch interval: many GIL handoffs in a short run. */
		struct pt_point pt = { .wl = wl, .model = models[i], .nworkers = n,
				       .switch_interval_us = 100, .check_interval = 100,
				       .neighbours = 1 };
		struct pt_result r;

		cr_assert_eq(pt_test_run_kv(&pt, kv, &r), PT_ST_OK, "%s %s n=%d: %s", wl->name,
			     pt_model_name(models[i]), n, r.msg);
		check(models[i], n, &r);
	}
	cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "%s left a process", wl->name);
}

Test(syncwl, primitives_under_contention, .timeout = 600)
{
	int before = thread_count(&pt_wl_timer);

	crowd(&pt_wl_event, (const char *const[]){ "pattern=pingpong", NULL }, event_pingpong);
	crowd(&pt_wl_event, (const char *const[]){ "pattern=wakeall", NULL }, event_wakeall);
	crowd(&pt_wl_condition, NULL, condition_check);
	crowd(&pt_wl_semaphore, NULL, semaphore_check);
	crowd(&pt_wl_barrier, NULL, barrier_check);
	crowd(&pt_wl_queue, (const char *const[]){ "kind=fifo", "maxsize=1", NULL }, queue_check);
	crowd(&pt_wl_queue, (const char *const[]){ "kind=priority", "maxsize=4", NULL },
	      queue_check);
	crowd(&pt_wl_timer, NULL, timer_check);
	/* Every helper thread (ticking, Timer) was joined. */
	cr_assert_eq(count_tasks(), before);
}
