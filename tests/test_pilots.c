// SPDX-License-Identifier: MIT
// Pilot sizing under the scheduler (bench/schedule.c), with synthetic
// repetitions: a pilot stalled by a loaded machine does not shrink the
// repetitions of its group. No timing.
#include "helpers.h"
#include "plan.h"
#include "schedule.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* countdown at 1 ns an op; threads' first pilot long enough to size from
 * is stalled by @stall_s (descheduled, as under load 18 on 2 CPUs). */
struct stall {
	double stall_s;
	bool stalled;
	double shortest_s; /* the shortest measured repetition */
	int measured;
};

static int stall_exec(void *ctx, const struct pt_point *pt, double cap_s, struct pt_result *res)
{
	struct stall *f = ctx;
	double wall = 1e-9 * (double)pt_param_int(&pt->params, "count");

	(void)cap_s;
	if (pt->model == PT_MODEL_THREADS && !f->stalled && wall >= 0.005) {
		f->stalled = true;
		wall += f->stall_s;
	}
	memset(res, 0, sizeof(*res));
	res->status = PT_ST_OK;
	res->wall_s = wall;
	res->ops_per_s = (double)pt_param_int(&pt->params, "count") / wall;
	res->user_s = res->sys_s = res->lat_p50_us = res->lat_p99_us = NAN;
	for (int m = 0; m < PT_MAX_METRICS; m++)
		res->metric[m] = NAN;
	return 0;
}

static int stall_row(void *ctx, const struct pt_point *pt, int rep, const struct pt_result *res)
{
	struct stall *f = ctx;

	(void)pt;
	(void)rep;
	if (res->status == PT_ST_OK) {
		f->shortest_s = f->measured ? fmin(f->shortest_s, res->wall_s) : res->wall_s;
		f->measured++;
	}
	return 0;
}

/* One stalled pilot (100 ms on a pilot of 5-50 ms) used to size the whole
 * group: the group takes its smallest amount, so serial and threads both
 * ran repetitions of a few ms against a 50-100 ms target. The pilot that
 * sizes is now timed twice and the faster counts. */
Test(pilots, one_stalled_pilot_does_not_shrink_the_group, .timeout = 30)
{
	const char *argv[] = { "run", "-w", "countdown", "-m", "serial,threads", "-n", "1", NULL };
	struct pt_topo topo;
	struct pt_test_plan tp;
	struct pt_sched s;
	struct stall f = { .stall_s = 0.1 };
	const struct pt_sched_ops ops = { .exec = stall_exec, .row = stall_row, .ctx = &f };
	struct pt_sched_cfg cfg = { .budget_s = INFINITY, .min_reps = 4, .max_reps = 4,
				    .band = 0.05, .seed = 1, .size = true };
	char err[512];

	cr_assert_eq(pt_topo_init(&topo), 0);
	cr_assert_eq(pt_test_plan(&tp, &topo, 7, argv, err, sizeof(err)), 0, "%s", err);
	pt_sizing_default(&cfg.sizing);
	cr_assert_eq(pt_sched_init(&s, &tp.plan, &cfg), 0);
	cr_assert_eq(pt_sched_run(&s, &ops), 0);
	cr_assert(f.stalled, "no pilot was stalled");
	cr_assert_eq(f.measured, 2 * 4);
	cr_assert_geq(f.shortest_s, 0.9 * cfg.sizing.target_lo_s,
		      "repetitions of %.1f ms against a %.0f-%.0f ms target", f.shortest_s * 1e3,
		      cfg.sizing.target_lo_s * 1e3, cfg.sizing.target_hi_s * 1e3);
	pt_sched_free(&s);
	pt_test_plan_free(&tp);
	pt_topo_destroy(&topo);
}
