// SPDX-License-Identifier: MIT
// The plan: interleaved repetitions, the default suite's per-workload specs
// and its time budget; the run's progress display and meta.json.
#include "helpers.h"
#include "plan.h"
#include "schedule.h"
#include "suite.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void build(struct pt_test_plan *tp, const struct pt_topo *topo, int argc,
		  const char **argv)
{
	char err[512];

	cr_assert_eq(pt_test_plan(tp, topo, argc, argv, err, sizeof(err)), 0, "%s", err);
}

/* Repetitions of the points compared with each other (the models of one
 * workload, worker count and parameters) interleave: A B C A B C, warmups
 * first, so drift hits them alike. */
Test(plan, interleaved_order, .timeout = 10)
{
	struct pt_topo topo;
	struct pt_test_plan tp;
	const struct pt_plan *plan = &tp.plan;
	const char *argv[] = { "run", "-w", "countdown", "-m", "serial,threads,procs", "-n", "1,2",
			       "-r", "3", "--warmup", "1", NULL };

	cr_assert_eq(pt_topo_init(&topo), 0);
	build(&tp, &topo, 11, argv);
	cr_assert_eq(plan->npts, 6);
	cr_assert_eq(plan->njobs, 6 * 4);
	for (int g = 0; g < 2; g++)
		for (int rep = -1; rep < 3; rep++)
			for (int m = 0; m < 3; m++) {
				const struct pt_job *j = &plan->jobs[g * 12 + (rep + 1) * 3 + m];

				cr_assert_eq(j->rep, rep);
				cr_assert_eq(j->point, g * 3 + m);
				cr_assert_eq(plan->pts[j->point].nworkers, g + 1);
			}
	pt_test_plan_free(&tp);
	pt_topo_destroy(&topo);
}

/* Without -w every workload runs as its suite spec says; with -w plainly. */
Test(plan, suite_specs, .timeout = 10)
{
	struct pt_topo topo;
	struct pt_test_plan tp;
	const struct pt_plan *plan = &tp.plan;
	const char *suite[] = { "run", NULL };
	const char *plain[] = { "run", "-w", "convoy", "-m", "gil", NULL };
	int convoy_gil = 0;
	bool saw_100 = false;

	cr_assert_eq(pt_topo_init(&topo), 0);
	build(&tp, &topo, 1, suite);
	cr_assert(tp.o.suite);
	for (int i = 0; i < plan->npts; i++) {
		const struct pt_point *pt = &plan->pts[i];

		cr_assert_neq(pt->wl->kind, PT_KIND_SELFTEST, "the suite never runs self-tests");
		if (strcmp(pt->wl->name, "convoy") == 0 && pt->model == PT_MODEL_GIL) {
			convoy_gil++;
			saw_100 |= pt->switch_interval_us == 100;
			cr_assert(pt->nworkers >= 1 && pt->nworkers <= 4);
		}
	}
	/* Alone and beside one CPU-bound worker, at 3 intervals. */
	cr_assert_eq(convoy_gil, 6);
	cr_assert(saw_100);
	pt_test_plan_free(&tp);

	build(&tp, &topo, 5, plain);
	cr_assert_not(tp.o.suite);
	for (int i = 0; i < plan->npts; i++)
		cr_assert_eq(plan->pts[i].switch_interval_us, PT_GIL_DEFAULT_INTERVAL_US);
	pt_test_plan_free(&tp);
	pt_topo_destroy(&topo);
}

Test(plan, budget_grows_with_log2, .timeout = 10)
{
	cr_assert_eq(pt_suite_budget_s(2), 180.0);
	cr_assert_lt(pt_suite_budget_s(128), 15 * 60.0);
	/* No faster than log2: each doubling adds the same amount. */
	double step = pt_suite_budget_s(8) - pt_suite_budget_s(4);
	cr_assert(step > 0);
	cr_assert(pt_suite_budget_s(256) - pt_suite_budget_s(128) <= step * 1.000001);
}

/* The default suite's minimum (pilots, warmups, 4 repetitions a point, the
 * canaries), as the scheduler plans it, fits the suite's share of the
 * budget, here and on synthetic machines from 1 PU to a 128-PU two-socket
 * one, at the target repetition time (50-100 ms) with warmups and a fifth
 * of the budget spare for a loaded machine: the scheduler would otherwise
 * shrink every repetition (to 13-27 ms with the 306 points of the suite
 * before) and a CPU hog beside the run left 94 points not run. */
Test(plan, suite_fits_budget, .timeout = 20)
{
	const char *machines[] = { "", "pack:2 core:32 pu:2", "pack:1 core:4 pu:1",
				   "pack:1 core:1 pu:1", "pack:1 core:2 pu:1" };

	for (size_t i = 0; i < sizeof(machines) / sizeof(machines[0]); i++) {
		struct pt_topo topo;
		struct pt_test_plan tp;
		struct pt_sched_cfg cfg;
		const char *argv[] = { "run", NULL };
		double est;

		setenv("HWLOC_SYNTHETIC", machines[i], 1);
		cr_assert_eq(pt_topo_init(&topo), 0);
		build(&tp, &topo, 1, argv);
		pt_sched_config(&tp.o, &tp.plan, &cfg);
		est = pt_sched_estimate(&tp.plan, &cfg);
		cr_assert(est > 0);
		cr_assert(isfinite(cfg.budget_s));
		cr_assert_leq(cfg.budget_s, pt_suite_budget_s(topo.npus));
		cr_assert_leq(est, 0.8 * cfg.budget_s, "'%s': %.0f s of the suite's %.0f s",
			      machines[i], est, cfg.budget_s);
		cr_assert_eq(cfg.sizing.target_lo_s, PT_TARGET_LO_S, "'%s': %.0f ms", machines[i],
			     cfg.sizing.target_lo_s * 1e3);
		cr_assert_eq(cfg.sizing.target_hi_s, PT_TARGET_HI_S, "'%s'", machines[i]);
		cr_assert_eq(cfg.warmup, 1, "'%s': warmups dropped", machines[i]);
		cr_assert_eq(tp.plan.repeat, PT_MIN_REPS);
		cr_assert_eq(cfg.min_reps, PT_MIN_REPS);
		/* Every point has the repetitions chosen, in one build. */
		cr_assert_eq(tp.plan.njobs, tp.plan.npts * (tp.plan.repeat + tp.plan.warmup));
		pt_test_plan_free(&tp);
		pt_topo_destroy(&topo);
	}
}

/* What the trimmed default suite still answers: every workload runs; the
 * four models the report compares (threads, procs, gil, ft) run; pool's
 * crossover map has procs, gil and threads at every cell of a grid of at
 * least 3 works x 3 payloads; the line plots have two worker counts; the
 * convoy has two switch intervals beside a CPU-bound worker; spawn has two
 * memory sizes and three start methods. */
static bool has(const char *const *v, int n, const char *x)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v[i], x) == 0)
			return true;
	return false;
}

/* @x added to the @n distinct strings of @v (at most 16): the new count. */
static int add_distinct(const char **v, int n, const char *x)
{
	cr_assert_not_null(x);
	if (has(v, n, x))
		return n;
	cr_assert_lt(n, 16);
	v[n] = x;
	return n + 1;
}

static void check_pool_map(const struct pt_plan *plan)
{
	const char *works[16], *pays[16];
	int nw = 0, np = 0;

	for (int i = 0; i < plan->npts; i++)
		if (strcmp(plan->pts[i].wl->name, "pool") == 0) {
			nw = add_distinct(works, nw, pt_param_str(&plan->pts[i].params, "work"));
			np = add_distinct(pays, np, pt_param_str(&plan->pts[i].params, "payload"));
		}
	cr_assert_geq(nw, 3, "pool: %d work values", nw);
	cr_assert_geq(np, 3, "pool: %d payloads", np);
	for (int w = 0; w < nw; w++)
		for (int p = 0; p < np; p++)
			for (enum pt_model m = PT_MODEL_THREADS; m <= PT_MODEL_GIL; m++) {
				bool found = false;

				for (int i = 0; i < plan->npts && !found; i++) {
					const struct pt_point *pt = &plan->pts[i];

					found = strcmp(pt->wl->name, "pool") == 0 &&
						pt->model == m &&
						strcmp(pt_param_str(&pt->params, "work"), works[w]) == 0 &&
						strcmp(pt_param_str(&pt->params, "payload"), pays[p]) == 0;
				}
				cr_assert(found, "pool: no %s point at work=%s payload=%s",
					  pt_model_name(m), works[w], pays[p]);
			}
}

Test(plan, suite_answers_its_questions, .timeout = 20)
{
	struct pt_topo topo;
	struct pt_test_plan tp;
	const struct pt_plan *plan = &tp.plan;
	const char *argv[] = { "run", NULL };
	bool model_seen[PT_MODEL_COUNT] = { false };
	const char *rss[16], *starts[16];
	int nrss = 0, nstarts = 0, intervals_beside = 0;

	setenv("HWLOC_SYNTHETIC", "pack:1 core:2 pu:1", 1);
	cr_assert_eq(pt_topo_init(&topo), 0);
	build(&tp, &topo, 1, argv);
	pt_for_each_workload(pp) {
		bool workers[PT_MAX_WORKERS + 1] = { false };
		int nwk = 0, n = 0;

		if ((*pp)->kind == PT_KIND_SELFTEST)
			continue;
		for (int i = 0; i < plan->npts; i++)
			if (plan->pts[i].wl == *pp) {
				n++;
				nwk += !workers[plan->pts[i].nworkers];
				workers[plan->pts[i].nworkers] = true;
			}
		cr_assert_gt(n, 0, "%s is not in the suite", (*pp)->name);
		if (strcmp((*pp)->name, "pool") && strcmp((*pp)->name, "spawn"))
			cr_assert_geq(nwk, 2, "%s: one worker count", (*pp)->name);
	}
	for (int i = 0; i < plan->npts; i++) {
		const struct pt_point *pt = &plan->pts[i];

		model_seen[pt->model] = true;
		if (strcmp(pt->wl->name, "convoy") == 0 && pt->model == PT_MODEL_GIL &&
		    pt->nworkers == 2)
			intervals_beside++;
		if (strcmp(pt->wl->name, "spawn") == 0) {
			nrss = add_distinct(rss, nrss, pt_param_str(&pt->params, "rss"));
			if (pt->start)
				nstarts = add_distinct(starts, nstarts, pt->start->name);
		}
	}
	for (enum pt_model m = PT_MODEL_THREADS; m <= PT_MODEL_GIL; m++)
		cr_assert(model_seen[m], "no %s point", pt_model_name(m));
	cr_assert(model_seen[PT_MODEL_FT], "no ft point");
	cr_assert_geq(intervals_beside, 2);
	cr_assert_geq(nrss, 2);
	cr_assert_eq(nstarts, 3);
	check_pool_map(plan);
	pt_test_plan_free(&tp);
	pt_topo_destroy(&topo);
	unsetenv("HWLOC_SYNTHETIC");
}

/* With stderr not a terminal, a run prints no progress line; meta.json
 * holds the machine, the build and the run. */
Test(plan, quiet_progress_and_meta, .timeout = 120)
{
	char *dir = pt_test_tmpdir(), out[4200], path[8400];
	struct pt_cmd_out *r = malloc(sizeof(*r));
	json_error_t jerr;
	json_t *meta, *machine, *build, *run;

	snprintf(out, sizeof(out), "%s/run", dir);
	pt_test_exec((const char *const[]){ "ptbench", "run", "--quick", "-w", "countdown", "-m",
					    "serial,threads", "-n", "1", "-r", "1", "-o", out, NULL },
		     NULL, 100, r);
	cr_assert_eq(r->status, 0, "%s", r->err);
	cr_assert_null(strchr(r->err, '\r'), "progress on a non-terminal: %s", r->err);
	cr_assert_null(strstr(r->err, "eta"), "%s", r->err);
	/* The table still goes to stdout. */
	cr_assert(strstr(r->out, "countdown"));

	snprintf(path, sizeof(path), "%s/meta.json", out);
	meta = json_load_file(path, 0, &jerr);
	cr_assert_not_null(meta, "%s", jerr.text);
	machine = json_object_get(meta, "machine");
	build = json_object_get(meta, "build");
	run = json_object_get(meta, "run");
	for (const char *k = "packages\0numa_nodes\0cores\0pus\0caches\0cpu_model\0kernel\0governor\0smt_control\0aslr\0"; *k; k += strlen(k) + 1)
		cr_assert_not_null(json_object_get(machine, k), "machine.%s missing", k);
	for (const char *k = "compiler\0cflags\0git_revision\0"; *k; k += strlen(k) + 1)
		cr_assert(json_is_string(json_object_get(build, k)), "build.%s missing", k);
	for (const char *k = "date\0command_line\0parameters\0repeat\0warmup\0"; *k; k += strlen(k) + 1)
		cr_assert_not_null(json_object_get(run, k), "run.%s missing", k);
	cr_assert(json_is_object(json_object_get(json_object_get(run, "parameters"), "countdown")));
	cr_assert(json_is_array(json_object_get(meta, "warnings")));
	json_decref(meta);
	pt_test_rmdir(dir);
	free(dir);
	free(r);
}

/* Issue 12 bug 8, issue 13 item 14: points are told apart by their parsed
 * parameter values, not by the bytes of what was typed: 64K is 65536, and
 * a value given twice makes its points once. */
Test(plan, parameters_compared_by_value, .timeout = 20)
{
	struct pt_topo topo;
	struct pt_test_plan tp;
	struct pt_params a, b;
	char err[256];
	const char *argv[] = { "run", "-w", "filewrite", "-m", "threads,gil", "-n", "1",
			       "-p", "block=64K,65536,4096,4K,64K", NULL };

	cr_assert_eq(pt_params_defaults(&a, pt_wl_filewrite.params, false, err, sizeof(err)), 0);
	b = a;
	cr_assert_eq(pt_params_set(&a, "block", "64K", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(pt_params_set(&b, "block", "65536", err, sizeof(err)), 0, "%s", err);
	cr_assert(pt_params_equal(&a, &b), "64K and 65536 differ");
	cr_assert_eq(pt_params_set(&b, "block", "4K", err, sizeof(err)), 0, "%s", err);
	cr_assert_not(pt_params_equal(&a, &b), "64K and 4K are equal");

	cr_assert_eq(pt_topo_init(&topo), 0);
	build(&tp, &topo, 9, argv);
	/* Two distinct blocks (64K, 4K) x two models. */
	cr_assert_eq(tp.plan.npts, 4, "%d points", tp.plan.npts);
	for (int i = 0; i < tp.plan.npts; i++)
		for (int j = i + 1; j < tp.plan.npts; j++)
			cr_assert(tp.plan.pts[i].model != tp.plan.pts[j].model ||
				  !pt_params_equal(&tp.plan.pts[i].params, &tp.plan.pts[j].params),
				  "points %d and %d are the same", i, j);
	pt_test_plan_free(&tp);
	pt_topo_destroy(&topo);
}
