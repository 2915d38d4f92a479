// SPDX-License-Identifier: MIT
// The plan of points and repetitions, built once.
#include "plan.h"

#include "syslimits.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bounds on the plan, checked before it is built: each -p, -n, -m, -b and
 * interval list multiplies it, and 16 sweeps of 64 values would be 64^16
 * points. A point takes about 1.7 KB and a repetition's result about 0.6 KB;
 * 100000 repetitions of even 20 ms are over half an hour. */
#define PT_MAX_POINTS 10000
#define PT_MAX_RUNS 100000

/* What one repetition costs the driver beyond the workload: a fork of the
 * point's process, its setup and reaping (a few ms, measured on the
 * development machine), rounded up. */
#define PT_REP_OVERHEAD_S 0.02

static int push_point(struct pt_plan *plan, int *cap, const struct pt_point *pt)
{
	if (plan->npts == *cap) {
		int ncap = *cap ? 2 * *cap : 64;
		struct pt_point *p = realloc(plan->pts, (size_t)ncap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		plan->pts = p;
		*cap = ncap;
	}
	plan->pts[plan->npts++] = *pt;
	return 0;
}

/* How many points model @m makes: one per GIL interval under its GIL, one
 * per start method under procs, one per --shared and --container value
 * under ft; none where the default suite leaves the model out. */
static int model_variants(const struct pt_wl_spec *ws, enum pt_model m)
{
	if (ws->model_off[m])
		return 0;
	if (m == PT_MODEL_FT)
		return (ws->nshared ? ws->nshared : 1) * (ws->ncontainers ? ws->ncontainers : 1);
	if (m == PT_MODEL_GIL && ws->intervals.n)
		return ws->intervals.n;
	if (m == PT_MODEL_GIL_OLD && ws->checks.n)
		return ws->checks.n;
	if (m == PT_MODEL_PROCS && ws->nstarts)
		return ws->nstarts;
	return 1;
}

/* Variant @v of model @m: its GIL interval or start method. */
static void model_variant(const struct pt_wl_spec *ws, enum pt_model m, int v,
			  struct pt_point *pt)
{
	pt->model = m;
	pt->switch_interval_us = 0;
	pt->check_interval = 0;
	if (m == PT_MODEL_GIL)
		pt->switch_interval_us =
			ws->intervals.n ? ws->intervals.v[v] : PT_GIL_DEFAULT_INTERVAL_US;
	if (m == PT_MODEL_GIL_OLD)
		pt->check_interval = ws->checks.n ? ws->checks.v[v] : PT_GIL_DEFAULT_CHECK;
	pt->start = m != PT_MODEL_PROCS ? NULL : ws->nstarts ? ws->starts[v] : &pt_start_fork;
	memset(&pt->ft, 0, sizeof(pt->ft));
	if (m == PT_MODEL_FT) {
		int nsh = ws->nshared ? ws->nshared : 1;

		pt->ft.shared = ws->nshared ? ws->shared[v % nsh] : 0;
		pt->ft.container = ws->ncontainers && ws->containers[v / nsh];
		pt->ft.tax_pct = ws->ft_tax_pct;
	}
}

/* The parameters of combination @idx of the sweeps, checked. */
static int point_params(const struct pt_spec *spec, const struct pt_wl_spec *ws,
			const int *idx, struct pt_params *params, char *err, size_t errlen)
{
	const struct pt_workload *wl = ws->wl;
	char why[256];

	if (pt_params_defaults(params, wl->params, spec->quick, why, sizeof(why)))
		return snprintf(err, errlen, "%s: bad default: %s", wl->name, why), -EINVAL;
	for (int k = 0; k < ws->npsets; k++)
		if (pt_params_set(params, ws->pset[k]->key, ws->pset[k]->vals[idx[k]], why,
				  sizeof(why)))
			return snprintf(err, errlen, "-p: %s: %s", wl->name, why), -EINVAL;
	if (wl->validate && wl->validate(params, why, sizeof(why)))
		return snprintf(err, errlen, "-p: %s: %s", wl->name, why), -EINVAL;
	return 0;
}

/* The points of one parameter combination: workers x placements x models
 * x GIL intervals. */
static int plan_combination(struct pt_plan *plan, int *cap, const struct pt_spec *spec,
			    const struct pt_wl_spec *ws, const struct pt_point *base)
{
	struct pt_point pt = *base;

	for (int wi = 0; wi < ws->nworkers; wi++)
		for (int bi = 0; bi < ws->nbinds; bi++)
			for (int mi = 0; mi < spec->nmodels; mi++)
				for (int v = 0; v < model_variants(ws, spec->models[mi]); v++) {
					pt.nworkers = ws->workers[wi];
					pt.bind = ws->binds[bi];
					model_variant(ws, spec->models[mi], v, &pt);
					if (push_point(plan, cap, &pt))
						return -ENOMEM;
				}
	return 0;
}

/* Points one parameter combination of @ws makes. */
static int combination_points(const struct pt_spec *spec, const struct pt_wl_spec *ws)
{
	int models = 0;

	for (int mi = 0; mi < spec->nmodels; mi++)
		models += model_variants(ws, spec->models[mi]);
	return ws->nworkers * ws->nbinds * models;
}

/* Whether the combinations planned from @first on hold @params already:
 * a value given twice, or twice in two spellings (64M and 67108864). */
static bool planned(const struct pt_plan *plan, int first, int stride,
		    const struct pt_params *params)
{
	for (int i = first; stride > 0 && i < plan->npts; i += stride)
		if (pt_params_equal(&plan->pts[i].params, params))
			return true;
	return false;
}

/* Every combination of the workload's sweeps: the odometer @idx runs over
 * each -p list. */
static int plan_workload(struct pt_plan *plan, int *cap, const struct pt_spec *spec,
			 const struct pt_wl_spec *ws, char *err, size_t errlen)
{
	int idx[2 * PT_MAX_PSETS] = { 0 }, k, ret, first = plan->npts;
	int stride = combination_points(spec, ws);

	do {
		struct pt_point pt = { .wl = ws->wl, .quick = spec->quick,
				       .neighbours = spec->neighbours };

		ret = point_params(spec, ws, idx, &pt.params, err, errlen);
		if (!ret && !planned(plan, first, stride, &pt.params) &&
		    (ret = plan_combination(plan, cap, spec, ws, &pt)) != 0)
			snprintf(err, errlen, "out of memory");
		if (ret)
			return ret;
		for (k = 0; k < ws->npsets; k++) {
			if (++idx[k] < ws->pset[k]->nvals)
				break;
			idx[k] = 0;
		}
	} while (k < ws->npsets);
	return 0;
}

/* Points @ws makes at most (as a double: the product may be
 * astronomical). */
static double count_points(const struct pt_spec *spec, const struct pt_wl_spec *ws)
{
	double n = combination_points(spec, ws);

	for (int k = 0; k < ws->npsets; k++)
		n *= ws->pset[k]->nvals;
	return n;
}

static int check_size(const struct pt_spec *spec, char *err, size_t errlen)
{
	double npts = 0;
	int reps = spec->reps[0].repeat + spec->reps[0].warmup;

	for (int i = 0; i < spec->nwl; i++)
		npts += count_points(spec, &spec->wl[i]);
	if (npts > PT_MAX_POINTS)
		return snprintf(err, errlen,
				"the plan has %.0f points, more than %d: narrow -w, -m, -n, -b, "
				"-p or the intervals", npts, PT_MAX_POINTS), -EINVAL;
	if (npts * reps > PT_MAX_RUNS)
		return snprintf(err, errlen,
				"the plan has %.0f points x %d repetitions = %.0f runs, more than "
				"%d: lower -r/--warmup or narrow the plan",
				npts, reps, npts * reps, PT_MAX_RUNS), -EINVAL;
	return 0;
}

/* The most workers any point spawns (its CPU neighbours are threads too),
 * and the most forked ones. */
static int check_limits(const struct pt_plan *plan, char *err, size_t errlen)
{
	int maxn = 0, maxprocs = 0;

	for (int i = 0; i < plan->npts; i++) {
		const struct pt_point *pt = &plan->pts[i];

		if (pt->model == PT_MODEL_SERIAL ||
		    pt_workload_skip_reason(pt->wl, pt->model, pt->nworkers))
			continue;
		if (pt->nworkers + pt->neighbours > maxn)
			maxn = pt->nworkers + pt->neighbours;
		if (pt->model == PT_MODEL_PROCS && pt->nworkers > maxprocs)
			maxprocs = pt->nworkers;
	}
	return pt_limits_check(maxn, maxprocs, err, errlen);
}

/* Seconds one repetition of every point takes, by the workloads' own
 * estimates, plus the driver's overhead. */
static double estimate_round_s(const struct pt_plan *plan, int npus)
{
	double total = 0;

	for (int i = 0; i < plan->npts; i++) {
		const struct pt_point *pt = &plan->pts[i];

		if (pt_workload_skip_reason(pt->wl, pt->model, pt->nworkers))
			continue;
		total += PT_REP_OVERHEAD_S +
			 pt_point_ft_factor(pt) *
				 (pt->wl->estimate_s ? pt->wl->estimate_s(&pt->params, pt->model,
									  pt->nworkers, npus)
						     : PT_DEFAULT_ESTIMATE_S);
	}
	return total;
}

/* The first of the spec's repetitions that fits its budget, or the last. */
static void pick_reps(struct pt_plan *plan, const struct pt_spec *spec)
{
	double round = estimate_round_s(plan, spec->npus);
	int i = 0;

	while (i + 1 < spec->nreps &&
	       round * (spec->reps[i].repeat + spec->reps[i].warmup) > spec->budget_s)
		i++;
	plan->repeat = spec->reps[i].repeat;
	plan->warmup = spec->reps[i].warmup;
	plan->estimate_s = round * (plan->repeat + plan->warmup);
	plan->budget_s = spec->budget_s;
}

bool pt_point_same_group(const struct pt_point *a, const struct pt_point *b)
{
	return a->wl == b->wl && a->nworkers == b->nworkers && a->bind == b->bind &&
	       pt_params_equal(&a->params, &b->params);
}

/* Points that will be compared (the models of one workload, worker count,
 * placement and parameters) are consecutive: interleave their repetitions,
 * A B C A B C, warmups first. */
static int order_jobs(struct pt_plan *plan)
{
	int j = 0;

	plan->jobs = calloc((size_t)plan->npts * (size_t)(plan->repeat + plan->warmup) + 1,
			    sizeof(*plan->jobs));
	if (!plan->jobs)
		return -ENOMEM;
	for (int g = 0; g < plan->npts;) {
		int end = g + 1;

		while (end < plan->npts && pt_point_same_group(&plan->pts[g], &plan->pts[end]))
			end++;
		for (int rep = -plan->warmup; rep < plan->repeat; rep++)
			for (int p = g; p < end; p++)
				plan->jobs[j++] = (struct pt_job){ .point = p, .rep = rep };
		g = end;
	}
	plan->njobs = j;
	return 0;
}

int pt_plan_build(struct pt_plan *plan, const struct pt_spec *spec, char *err, size_t errlen)
{
	int cap = 0, ret;

	memset(plan, 0, sizeof(*plan));
	plan->timeout_s = spec->timeout_s;
	ret = check_size(spec, err, errlen);
	for (int i = 0; i < spec->nwl && !ret; i++)
		ret = plan_workload(plan, &cap, spec, &spec->wl[i], err, errlen);
	if (!ret)
		ret = check_limits(plan, err, errlen);
	if (!ret) {
		pick_reps(plan, spec);
		if ((ret = order_jobs(plan)) != 0)
			snprintf(err, errlen, "out of memory");
	}
	if (ret)
		pt_plan_free(plan);
	return ret;
}

void pt_plan_free(struct pt_plan *plan)
{
	free(plan->pts);
	free(plan->jobs);
	memset(plan, 0, sizeof(*plan));
}

/* The default timeout of a repetition: 30 s, plus 10 times the workload's
 * own estimate of the repetition (its estimate_s hook, as on a machine with
 * a single processing unit, so that every worker is counted as if
 * serialised; without the hook PT_DEFAULT_ESTIMATE_S per worker), at most
 * a day. The estimate scales with the point's size (count, duration, worker
 * count...); the factor covers a machine several times slower than the one
 * the estimates were measured on, or a loaded one, or a sanitizer build;
 * the 30 s cover spawning, setup and the smallest points. Quick points get
 * about 30 s, countdown's default count about 33 s per weak-scaled worker. */
#define PT_TIMEOUT_FLOOR_S 30.0
#define PT_TIMEOUT_FACTOR 10.0
#define PT_TIMEOUT_MAX_S 86400.0

double pt_plan_timeout(const struct pt_plan *plan, const struct pt_point *pt)
{
	double est, t;

	if (plan->timeout_s > 0)
		return plan->timeout_s;
	est = pt->wl->estimate_s ? pt->wl->estimate_s(&pt->params, pt->model, pt->nworkers, 1)
				 : PT_DEFAULT_ESTIMATE_S * pt->nworkers;
	if (!(est >= 0))
		est = PT_DEFAULT_ESTIMATE_S * pt->nworkers; /* NaN or negative: a bug */
	est *= pt_point_ft_factor(pt);
	t = PT_TIMEOUT_FLOOR_S + PT_TIMEOUT_FACTOR * est;
	return t < PT_TIMEOUT_MAX_S ? t : PT_TIMEOUT_MAX_S;
}

const char *pt_ref_model(const char *model)
{
	if (strcmp(model, "serial") == 0)
		return NULL;
	return strcmp(model, "gil") == 0 ? "serial" : "gil";
}

/* The point @i is judged against: its group's point of the reference
 * model (a gil reference at the default switch interval when there is
 * one), or -1. */
int pt_plan_ref(const struct pt_plan *plan, int i)
{
	const struct pt_point *pt = &plan->pts[i];
	const char *ref = pt_ref_model(pt_model_name(pt->model));
	int found = -1;

	for (int j = 0; ref && j < plan->npts; j++) {
		const struct pt_point *q = &plan->pts[j];

		if (j == i || strcmp(pt_model_name(q->model), ref) != 0 ||
		    !pt_point_same_group(pt, q) || q->neighbours != pt->neighbours)
			continue;
		if (found < 0 || (q->model == PT_MODEL_GIL &&
				  q->switch_interval_us == PT_GIL_DEFAULT_INTERVAL_US))
			found = j;
	}
	return found;
}
