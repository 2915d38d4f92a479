// SPDX-License-Identifier: MIT
// Paired decisions within a run: the summary pairs a point's repetitions
// with its reference's of the same round (bench/summary.c), and the
// scheduler's extra rounds keep the pairs (bench/schedule.c). Synthetic
// repetitions, no timing.
#include "helpers.h"
#include "plan.h"
#include "schedule.h"
#include "summary.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define REPS 10

static void build(struct pt_test_plan *tp, struct pt_topo *topo, const char *workers)
{
	const char *argv[] = { "run", "-w", "countdown", "-m", "serial,threads,gil", "-n",
			       workers, "-r", "10", "--quick", NULL };
	char err[512];

	cr_assert_eq(pt_topo_init(topo), 0);
	cr_assert_eq(pt_test_plan(tp, topo, 10, argv, err, sizeof(err)), 0, "%s", err);
}

static int point_of(const struct pt_plan *plan, enum pt_model m)
{
	for (int i = 0; i < plan->npts; i++)
		if (plan->pts[i].model == m)
			return i;
	cr_assert(false, "no such point");
	return -1;
}

/* REPS rounds of every point; the host's speed swings 2x from round to
 * round, shared by the models of a round; @speed[model index] scales. */
static void fill(const struct pt_plan *plan, struct pt_point_runs *pr, const double *speed)
{
	static const double host[REPS] = { 1.0, 2.0, 0.6, 1.4, 0.9, 1.9, 0.5, 1.1, 1.6, 0.7 };
	static const double jitter[3][REPS] = {
		{ 1.002, 0.999, 1.001, 0.998, 1.000, 1.003, 0.997, 1.001, 0.999, 1.002 },
		{ 0.999, 1.001, 1.002, 1.000, 0.998, 0.999, 1.003, 1.000, 1.001, 0.997 },
		{ 1.001, 1.000, 0.998, 1.002, 1.001, 0.997, 1.000, 0.999, 1.003, 1.000 },
	};

	for (int i = 0; i < plan->npts; i++) {
		pr[i].pt = plan->pts[i];
		pr[i].res = calloc(REPS, sizeof(*pr[i].res));
		cr_assert_not_null(pr[i].res);
		pr[i].n = pr[i].cap = REPS;
		for (int k = 0; k < REPS; k++) {
			struct pt_result *r = &pr[i].res[k];

			r->status = PT_ST_OK;
			r->ops_per_s = 1e6 * host[k] * speed[i] * jitter[i % 3][k];
			r->wall_s = 1e6 / r->ops_per_s;
			r->lat_p50_us = r->lat_p99_us = NAN;
			for (int m = 0; m < PT_MAX_METRICS; m++)
				r->metric[m] = NAN;
			r->round = k + 1;
		}
	}
}

static void free_runs(const struct pt_plan *plan, struct pt_point_runs *pr)
{
	for (int i = 0; i < plan->npts; i++)
		free(pr[i].res);
}

/* Identical work, with the host's speed swinging 2x between rounds: the
 * paired rule calls threads against gil a tie from 10 pairs, where the
 * unpaired rule (the same rows without rounds) cannot decide. 20% faster
 * is "faster"; a round the reference lost is left out of the pairs. */
Test(pairs, summary_pairs_by_round, .timeout = 30)
{
	struct pt_topo topo;
	struct pt_test_plan tp;
	const struct pt_plan *plan = &tp.plan;
	struct pt_point_runs pr[3];
	struct pt_point_summary s[3];
	double speed[3] = { 1, 1, 1 };
	int th, gil, ser;

	build(&tp, &topo, "1");
	cr_assert_eq(plan->npts, 3);
	th = point_of(plan, PT_MODEL_THREADS);
	gil = point_of(plan, PT_MODEL_GIL);
	ser = point_of(plan, PT_MODEL_SERIAL);

	fill(plan, pr, speed);
	cr_assert_eq(pt_summaries(plan, pr, 0.05, s), 0);
	cr_assert_eq(s[th].ref, gil);
	cr_assert_eq(s[gil].ref, ser);
	cr_assert(s[th].paired);
	cr_assert_eq(s[th].pairs, REPS);
	cr_assert_eq(s[th].decision, PT_DEC_TIE, "%g [%g, %g]", s[th].ratio, s[th].ratio_lo,
		     s[th].ratio_hi);
	cr_assert_eq(s[gil].decision, PT_DEC_TIE);

	/* without rounds: the unpaired rule, swamped by the host */
	for (int k = 0; k < REPS; k++)
		pr[th].res[k].round = 0;
	cr_assert_eq(pt_summaries(plan, pr, 0.05, s), 0);
	cr_assert_not(s[th].paired);
	cr_assert_eq(s[th].pairs, 0);
	cr_assert_eq(s[th].decision, PT_DEC_UNDECIDED);
	cr_assert(s[gil].paired); /* gil and serial still have theirs */
	free_runs(plan, pr);

	/* threads 20% faster; gil lost round 3 (failed rows do not count) */
	speed[th] = 1.2;
	fill(plan, pr, speed);
	pr[gil].res[2].status = PT_ST_FAILED;
	cr_assert_eq(pt_summaries(plan, pr, 0.05, s), 0);
	cr_assert(s[th].paired);
	cr_assert_eq(s[th].pairs, REPS - 1);
	cr_assert_eq(s[th].decision, PT_DEC_FASTER);
	cr_assert(s[th].ratio_lo > 1.15 && s[th].ratio_hi < 1.25);
	/* fewer than 6 pairs: back to the unpaired rule */
	for (int k = 5; k < REPS; k++)
		pr[th].res[k].round = 100 + k;
	cr_assert_eq(pt_summaries(plan, pr, 0.05, s), 0);
	cr_assert_not(s[th].paired);
	cr_assert_eq(s[th].pairs, 4);
	free_runs(plan, pr);
	pt_test_plan_free(&tp);
	pt_topo_destroy(&topo);
}

/* The scheduler, with repetitions that take no time: threads is noisy (its
 * interval stays wide), gil and serial are steady (theirs are narrow at
 * once). The extra rounds pick threads for its width and run gil, its
 * reference, and serial, gil's, in the same round: every counted row has
 * its reference's of the same round, and a round runs one group. */
struct fake {
	struct pt_rng rng;
	enum pt_model noisy;
	struct { int model, workers, round; } row[512];
	int nrows;
};

static int fake_exec(void *ctx, const struct pt_point *pt, double cap_s, struct pt_result *res)
{
	struct fake *f = ctx;
	double noise = pt->model == f->noisy ? 0.5 * pt_rng_double(&f->rng) : 0;

	(void)cap_s; /* instant: the budget never cuts it */
	memset(res, 0, sizeof(*res));
	res->status = PT_ST_OK;
	res->ops_per_s = 1e6 * (1 + noise);
	res->wall_s = 1e6 / res->ops_per_s;
	res->user_s = res->sys_s = res->lat_p50_us = res->lat_p99_us = NAN;
	for (int m = 0; m < PT_MAX_METRICS; m++)
		res->metric[m] = NAN;
	return 0;
}

static int fake_row(void *ctx, const struct pt_point *pt, int rep, const struct pt_result *res)
{
	struct fake *f = ctx;

	(void)rep;
	cr_assert_lt(f->nrows, 512);
	f->row[f->nrows].model = (int)pt->model;
	f->row[f->nrows].workers = pt->nworkers;
	f->row[f->nrows].round = res->round;
	f->nrows++;
	return 0;
}

static bool has_row(const struct fake *f, int model, int workers, int round)
{
	for (int k = 0; k < f->nrows; k++)
		if (f->row[k].model == model && f->row[k].workers == workers &&
		    f->row[k].round == round)
			return true;
	return false;
}

/* Runs the scheduler on the fake with @noisy the noisy model; the count of
 * threads rows, after checking that every counted row has its
 * reference's of the same round and that a round runs one group. */
static int run_fake(enum pt_model noisy)
{
	struct pt_topo topo;
	struct pt_test_plan tp;
	struct pt_sched s;
	struct fake *f = calloc(1, sizeof(*f));
	const struct pt_sched_ops ops = { .exec = fake_exec, .row = fake_row, .ctx = f };
	struct pt_sched_cfg cfg = { .budget_s = 60, .min_reps = 4, .max_reps = 12, .band = 0.05,
				    .seed = 1 };
	int threads_rows = 0;

	cr_assert_not_null(f);
	pt_rng_seed(&f->rng, 5);
	f->noisy = noisy;
	build(&tp, &topo, "1,2");
	pt_sizing_default(&cfg.sizing);
	cr_assert_eq(pt_sched_init(&s, &tp.plan, &cfg), 0);
	cr_assert_eq(pt_sched_run(&s, &ops), 0);
	for (int k = 0; k < f->nrows; k++) {
		cr_assert_gt(f->row[k].round, 0);
		if (f->row[k].model == PT_MODEL_THREADS) {
			threads_rows++;
			cr_assert(has_row(f, PT_MODEL_GIL, f->row[k].workers, f->row[k].round),
				  "threads n=%d round %d has no gil row", f->row[k].workers,
				  f->row[k].round);
		}
		if (f->row[k].model == PT_MODEL_GIL)
			cr_assert(has_row(f, PT_MODEL_SERIAL, f->row[k].workers,
					  f->row[k].round));
		/* a round runs one group */
		for (int j = 0; j < f->nrows; j++)
			if (f->row[j].round == f->row[k].round)
				cr_assert_eq(f->row[j].workers, f->row[k].workers);
	}
	pt_sched_free(&s);
	pt_test_plan_free(&tp);
	pt_topo_destroy(&topo);
	free(f);
	return threads_rows;
}

Test(pairs, extra_rounds_keep_pairs, .timeout = 60)
{
	/* threads noisy: its extra rounds ran, to the maximum, with gil's */
	cr_assert_eq(run_fake(PT_MODEL_THREADS), 2 * 12);
	/* gil noisy, threads steady: threads' own interval is narrow at once,
	 * but its decision against gil is not: it gets extra rounds too */
	cr_assert_eq(run_fake(PT_MODEL_GIL), 2 * 12);
}
