// SPDX-License-Identifier: MIT
// The scheduler: pilots, warmups, rounds of the minimum repetitions in a
// random model order with a canary between rounds, then extra repetitions
// to the widest intervals, within the budget; noisy repetitions re-run.
#include "schedule.h"

#include "clock.h"
#include "options.h"
#include "stats.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* What a repetition costs the run beyond its timed region before one has
 * been measured: a fork of the point's process, setup and reaping. */
#define PT_REP_OVERHEAD_S 0.02
/* The canary's target time: short, so that it costs little per round. */
#define PT_CANARY_LO_S 0.01
#define PT_CANARY_HI_S 0.02
/* A pilot chain gives up after this many pilots (10x growth each: 10^8). */
#define PT_MAX_PILOTS 8
/* A repetition may outlast the budget by this much, or by two of its
 * expected length if more: one that started with time for it is not cut
 * for running a little long on a loaded machine, and a hang overruns the
 * budget by about a second, not by its 30 s timeout. */
#define PT_CUT_FLOOR_S 1.0

enum phase { PH_PILOT, PH_WARMUP, PH_MIN, PH_EXTRA };

static void fit_target(struct pt_sched *s, bool target, bool warmup);

bool pt_result_counts(const struct pt_result *r)
{
	return r->status == PT_ST_OK && r->noise_flag != 1;
}

/* The figure of a counted repetition, or 0. */
static double figure(const struct pt_result *r, bool wall)
{
	double v = wall ? r->wall_s : r->ops_per_s;

	return pt_result_counts(r) && isfinite(v) && v > 0 ? v : 0;
}

int pt_sched_pairs(const struct pt_point_runs *pr, const struct pt_point_runs *ref, bool wall,
		   double *a, double *b)
{
	int n = 0;

	for (int k = 0; k < pr->n; k++) {
		double va = figure(&pr->res[k], wall);

		for (int j = 0; va > 0 && pr->res[k].round > 0 && j < ref->n; j++)
			if (ref->res[j].round == pr->res[k].round && figure(&ref->res[j], wall) > 0) {
				a[n] = va;
				b[n++] = figure(&ref->res[j], wall);
				break;
			}
	}
	return n;
}

void pt_sched_config(const struct pt_opts *o, const struct pt_plan *plan,
		     struct pt_sched_cfg *cfg)
{
	bool budget = isfinite(plan->budget_s);

	memset(cfg, 0, sizeof(*cfg));
	cfg->budget_s = plan->budget_s;
	/* -r fixes the repetitions; without a budget there is nothing to
	 * adapt to, so the default count is fixed too. */
	if (o->repeat_given || !budget) {
		cfg->min_reps = cfg->max_reps = o->repeat;
	} else {
		cfg->min_reps = PT_MIN_REPS;
		cfg->max_reps = PT_MAX_REPS;
	}
	cfg->warmup = o->warmup;
	pt_sizing_default(&cfg->sizing);
	cfg->sizing.target_lo_s = o->rep_lo_s;
	cfg->sizing.target_hi_s = o->rep_hi_s;
	cfg->size = !o->quick;
	cfg->band = o->band;
	cfg->seed = o->seed_given ? (uint64_t)o->seed : (uint64_t)time(NULL);
	cfg->canary = !o->quick;
	/* --quick (for tests) and -r N ask for so many rows: noise is only
	 * flagged then; the budgeted runs re-run what it hit */
	cfg->reruns = o->quick || o->repeat_given ? 0 : PT_NOISE_RERUNS;
	for (int k = 0; k < o->npsets && k < PT_MAX_PSETS; k++)
		cfg->fixed[cfg->nfixed++] = o->pset[k].key;
	if (!o->rep_time_given || !o->warmup_given) {
		struct pt_sched s = { .plan = plan, .cfg = *cfg };

		fit_target(&s, !o->rep_time_given, !o->warmup_given);
		cfg->sizing = s.cfg.sizing;
		cfg->warmup = s.cfg.warmup;
	}
}

int pt_sched_init(struct pt_sched *s, const struct pt_plan *plan, const struct pt_sched_cfg *cfg)
{
	char err[128];

	memset(s, 0, sizeof(*s));
	s->plan = plan;
	s->cfg = *cfg;
	pt_rng_seed(&s->rng, cfg->seed);
	s->pr = calloc((size_t)plan->npts + 1, sizeof(*s->pr));
	if (!s->pr)
		return -ENOMEM;
	for (int i = 0; i < plan->npts; i++) {
		s->pr[i].pt = plan->pts[i];
		s->pr[i].rep_s = NAN;
	}
	/* The canary: countdown under serial, one worker, its quick size to
	 * start with (a pilot sizes it). */
	s->canary_pt = (struct pt_point){ .wl = &pt_wl_countdown, .model = PT_MODEL_SERIAL,
					  .nworkers = 1, .bind = PT_BIND_NONE, .quick = true };
	if (pt_params_defaults(&s->canary_pt.params, pt_wl_countdown.params, true, err,
			       sizeof(err)))
		s->cfg.canary = false;
	return 0;
}

void pt_sched_free(struct pt_sched *s)
{
	for (int i = 0; s->pr && i < s->plan->npts; i++)
		free(s->pr[i].res);
	free(s->pr);
	free(s->canary);
	memset(s, 0, sizeof(*s));
}

/* Whether @cost more seconds still fit the budget; when not, the run is
 * partial from here on. */
static bool fits(struct pt_sched *s, double cost)
{
	if (!s->deadline)
		return true;
	if (pt_now_ns() + (uint64_t)(fmax(cost, 0) * 1e9) <= s->deadline)
		return true;
	s->partial = true;
	s->stop_why = "budget";
	return false;
}

/* Sets the size parameter of @pt to @amount. */
static int set_size(struct pt_point *pt, uint64_t amount)
{
	char val[32], err[128];

	snprintf(val, sizeof(val), "%" PRIu64, amount);
	if (pt_params_set(&pt->params, pt->wl->size, val, err, sizeof(err)))
		return -EINVAL;
	pt->size = amount;
	return 0;
}

/* Runs @pt once, within what the budget leaves (PT_CUT_FLOOR_S at the
 * least); the seconds it cost the run go to phase @ph and, for a point,
 * into its cost estimate. -EAGAIN when the budget's end cut it: the run is
 * partial, and the repetition has no result. */
static int exec_timed(struct pt_sched *s, const struct pt_sched_ops *ops, enum phase ph,
		      const struct pt_point *pt, struct pt_point_runs *pr, struct pt_result *res)
{
	uint64_t t = pt_now_ns();
	double expect = pr && !isnan(pr->rep_s) ? pr->rep_s
						: PT_REP_OVERHEAD_S + s->cfg.sizing.target_hi_s;
	double cap = s->deadline ? fmax(fmax(PT_CUT_FLOOR_S, 2 * expect),
					((double)s->deadline - (double)t) / 1e9)
				 : INFINITY;
	int ret = ops->exec(ops->ctx, pt, cap, res);
	double el = (double)(pt_now_ns() - t) / 1e9;

	res->round = 0; /* measure() says which round */
	s->phase_s[ph] += el;
	if (ret == -ECANCELED) {
		s->partial = true;
		s->stop_why = "budget";
		return -EAGAIN;
	}
	if (pr && ret == 0 && res->status == PT_ST_OK)
		pr->rep_s = isnan(pr->rep_s) ? el : fmax(el, 0.5 * (pr->rep_s + el));
	return ret;
}

static int push_result(struct pt_point_runs *pr, const struct pt_result *res)
{
	if (pr->n == pr->cap) {
		int cap = pr->cap ? 2 * pr->cap : 8;
		struct pt_result *n = realloc(pr->res, (size_t)cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		pr->res = n;
		pr->cap = cap;
	}
	pr->res[pr->n++] = *res;
	return 0;
}

/* A row for @pr and its place in the point's repetitions. */
static int record(const struct pt_sched_ops *ops, struct pt_point_runs *pr,
		  const struct pt_result *res)
{
	int ret = ops->row(ops->ctx, &pr->pt, pr->n, res);

	if (ret)
		return ret;
	return push_result(pr, res);
}

/* A point whose pilot or warmup did not go well: that is its result. */
static int close_with(const struct pt_sched_ops *ops, struct pt_point_runs *pr,
		      struct pt_result *res, const char *stage)
{
	char msg[sizeof(res->msg)];

	if (snprintf(msg, sizeof(msg), "%s: %.300s", stage, res->msg) < 0)
		msg[0] = '\0';
	memcpy(res->msg, msg, sizeof(res->msg));
	pr->closed = true;
	return record(ops, pr, res);
}

static bool skipped(const struct pt_point *pt)
{
	return pt_workload_skip_reason(pt->wl, pt->model, pt->nworkers) != NULL;
}

/* The pilots of one point, from @start: the amount for a repetition of the
 * target time into *@amount. 1 when a pilot failed (its result in @res),
 * 0 when sized, -EINTR, or -EAGAIN when the budget ran out. */
static int pilot_point(struct pt_sched *s, const struct pt_sched_ops *ops,
		       struct pt_point_runs *pr, const struct pt_sizing *z, uint64_t start,
		       uint64_t *amount, struct pt_result *res)
{
	struct pt_point pt = pr ? pr->pt : s->canary_pt;
	uint64_t a = start, next;
	double secs;
	int ret = 1;

	for (int k = 0; k < PT_MAX_PILOTS && ret == 1; k++) {
		if (set_size(&pt, a))
			return -EINVAL;
		if (!fits(s, PT_REP_OVERHEAD_S + z->target_hi_s))
			return -EAGAIN;
		if (ops->progress)
			ops->progress(ops->ctx, "pilot", &pt, k);
		if ((ret = exec_timed(s, ops, PH_PILOT, &pt, NULL, res)) < 0)
			return ret;
		if (res->status != PT_ST_OK)
			return 1;
		secs = res->wall_s;
		ret = pt_pilot_next(z, a, secs, &next);
		if (ret == 0) {
			/* The size comes from this pilot of a few ms: once more,
			 * and the faster of the two. On a loaded machine one
			 * stall (tens of ms off the CPU) would size the group
			 * far below the target, as it takes its smallest. */
			if (!fits(s, PT_REP_OVERHEAD_S + z->target_hi_s))
				return -EAGAIN;
			if ((ret = exec_timed(s, ops, PH_PILOT, &pt, NULL, res)) < 0)
				return ret;
			if (res->status != PT_ST_OK)
				return 1;
			ret = pt_pilot_next(z, a, fmin(secs, res->wall_s), &next);
		}
		if (ret < 0)
			return ret;
		a = next;
	}
	*amount = a;
	return 0;
}

/* The amount a point of @wl starts its pilots from: its --quick value
 * (small by design), else its default over 100. */
static uint64_t pilot_start(const struct pt_point *pt)
{
	const struct pt_param_def *d =
		pt->wl->size ? pt_param_def_find(pt->wl->params, pt->wl->size) : NULL;
	const char *v = d ? (d->quick ? d->quick : d->def) : NULL;
	unsigned long long x = v ? strtoull(v, NULL, 10) : 0;

	if (d && !d->quick)
		x /= 100;
	return x ? (uint64_t)x : 1;
}

/* Whether the points of @pt's group are sized by pilots. */
static bool sized(const struct pt_sched *s, const struct pt_point *pt)
{
	const struct pt_param_def *d;

	if (!s->cfg.size || !pt->wl->size || pt->wl->fixed_time)
		return false;
	d = pt_param_def_find(pt->wl->params, pt->wl->size);
	if (!d || (d->type != PT_PARAM_INT && d->type != PT_PARAM_SIZE))
		return false;
	for (int k = 0; k < s->cfg.nfixed; k++)
		if (strcmp(s->cfg.fixed[k], pt->wl->size) == 0)
			return false; /* -p gave it */
	return true;
}

/* Sizes the group of compared points [g, end): each model's pilots, then
 * the group's amount is the smallest, so that every model's repetition
 * stays within the target and all of them do the same work. */
static int size_group(struct pt_sched *s, const struct pt_sched_ops *ops, int g, int end)
{
	const struct pt_plan *plan = s->plan;
	uint64_t group = 0, start;

	if (!sized(s, &plan->pts[g]))
		return 0;
	start = pilot_start(&plan->pts[g]);
	for (int i = g; i < end; i++) {
		struct pt_point_runs *pr = &s->pr[i];
		struct pt_result res;
		uint64_t a = 0;
		int ret;

		if (pr->closed || skipped(&pr->pt))
			continue;
		ret = pilot_point(s, ops, pr, &s->cfg.sizing, start, &a, &res);
		if (ret == -EINTR || ret == -EAGAIN)
			return ret;
		if (ret == 1 && (ret = close_with(ops, pr, &res, "pilot")) != 0)
			return ret;
		if (ret < 0)
			return ret;
		if (a) {
			pr->pilot_amount = a;
			/* the next model starts near this one's size */
			start = a / 10 ? a / 10 : 1;
			group = group ? (a < group ? a : group) : a;
		}
	}
	for (int i = g; i < end && group; i++)
		if (set_size(&s->pr[i].pt, group))
			return -EINVAL;
	return 0;
}

/* The canary's size: one pilot chain, once. */
static int size_canary(struct pt_sched *s, const struct pt_sched_ops *ops)
{
	struct pt_sizing z = s->cfg.sizing;
	struct pt_result res;
	uint64_t a = 0;
	int ret;

	z.target_lo_s = PT_CANARY_LO_S;
	z.target_hi_s = PT_CANARY_HI_S;
	ret = pilot_point(s, ops, NULL, &z, pilot_start(&s->canary_pt), &a, &res);
	if (ret == 0 && set_size(&s->canary_pt, a) == 0)
		return 0;
	s->cfg.canary = false; /* no canary, no drift: not worth failing for */
	return ret == -EINTR || ret == -EAGAIN ? ret : 0;
}

static int run_canary(struct pt_sched *s, const struct pt_sched_ops *ops)
{
	struct pt_result res;
	double *n;
	int ret;

	if (!s->cfg.canary || !fits(s, PT_REP_OVERHEAD_S + PT_CANARY_HI_S))
		return 0;
	if (ops->progress)
		ops->progress(ops->ctx, "canary", &s->canary_pt, s->ncanary);
	if ((ret = exec_timed(s, ops, PH_EXTRA, &s->canary_pt, NULL, &res)) < 0)
		return ret;
	if (res.status != PT_ST_OK || !(res.wall_s > 0))
		return 0;
	n = realloc(s->canary, (size_t)(s->ncanary + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	s->canary = n;
	s->canary[s->ncanary++] = res.wall_s;
	return 0;
}

/* One measured repetition of point @i, re-run while noise hits it (a
 * bounded number of times); every attempt writes its row. */
static int measure(struct pt_sched *s, const struct pt_sched_ops *ops, enum phase ph, int i)
{
	struct pt_point_runs *pr = &s->pr[i];

	for (int attempt = 0;; attempt++) {
		struct pt_result res;
		int ret;

		if (!fits(s, isnan(pr->rep_s) ? PT_REP_OVERHEAD_S + s->cfg.sizing.target_hi_s
					       : pr->rep_s))
			return -EAGAIN;
		if (ops->progress)
			ops->progress(ops->ctx, ph == PH_MIN ? "rep" : "extra rep", &pr->pt, pr->n);
		if ((ret = exec_timed(s, ops, ph, &pr->pt, pr, &res)) < 0)
			return ret;
		res.round = s->rounds + 1; /* run_round() counts it when done */
		if (res.status != PT_ST_OK) {
			/* a point that failed, crashed or timed out is not run again */
			pr->closed = true;
			return record(ops, pr, &res);
		}
		if (pt_noise_hit(&res.noise))
			res.noise_flag = attempt < s->cfg.reruns ? 1 : 2;
		if ((ret = record(ops, pr, &res)) != 0 || res.noise_flag != 1)
			return ret;
	}
}

/* The open points of [g, end) in a random order (Fisher-Yates with the
 * run's seed): the models of a group meet the machine's drift in a
 * different order each round. @want (may be NULL) selects. */
static int round_order(struct pt_sched *s, const bool *want, int g, int end, int *order)
{
	int n = 0;

	for (int i = g; i < end; i++)
		if (!s->pr[i].closed && !skipped(&s->pr[i].pt) && (!want || want[i]))
			order[n++] = i;
	pt_shuffle_int(&s->rng, order, (size_t)n);
	return n;
}

static int run_round(struct pt_sched *s, const struct pt_sched_ops *ops, enum phase ph,
		     const bool *want, int g, int end, int *order)
{
	int n = round_order(s, want, g, end, order), ret = 0;

	for (int k = 0; k < n && !ret; k++)
		ret = measure(s, ops, ph, order[k]);
	s->rounds++;
	return ret;
}

static int warmups(struct pt_sched *s, const struct pt_sched_ops *ops, int g, int end,
		   int *order)
{
	for (int w = 0; w < s->cfg.warmup; w++) {
		int n = round_order(s, NULL, g, end, order);

		for (int k = 0; k < n; k++) {
			struct pt_point_runs *pr = &s->pr[order[k]];
			struct pt_result res;
			int ret;

			/* its pilots, just before, warmed it up */
			if (pr->pilot_amount)
				continue;
			if (!fits(s, isnan(pr->rep_s) ? PT_REP_OVERHEAD_S + s->cfg.sizing.target_hi_s
						       : pr->rep_s))
				return -EAGAIN;
			if (ops->progress)
				ops->progress(ops->ctx, "warmup", &pr->pt, w);
			if ((ret = exec_timed(s, ops, PH_WARMUP, &pr->pt, pr, &res)) < 0)
				return ret;
			/* A failed warmup is the point's result: a row, and no
			 * more repetitions (a hang would only hang again). */
			if (res.status != PT_ST_OK && (ret = close_with(ops, pr, &res, "warmup")))
				return ret;
		}
	}
	return 0;
}

/* Whether every counted repetition of @pr has a throughput (else its
 * time is the figure). */
static bool all_ops(const struct pt_point_runs *pr)
{
	bool ops = true;

	for (int k = 0; k < pr->n; k++)
		ops &= !pt_result_counts(&pr->res[k]) || pr->res[k].ops_per_s > 0;
	return ops;
}

/* The counted figures of @pr into @x; their count. */
static int counted(const struct pt_point_runs *pr, bool wall, double *x)
{
	int n = 0;

	for (int k = 0; k < pr->n; k++)
		if ((x[n] = figure(&pr->res[k], wall)) > 0)
			n++;
	return n;
}

/* The relative width of the interval that point @i's decision against its
 * reference has now (paired by round when there are enough pairs, as the
 * summary decides): 0 when there is nothing to decide (no reference, or
 * one that will have no figures), NAN when too few repetitions. Its width,
 * not whether it is decided yet, so that no verdict stops the sampling
 * (which would bias it). @a, @b: room for the points' repetitions. */
static double decision_width(const struct pt_sched *s, int i, double *a, double *b)
{
	int r = pt_plan_ref(s->plan, i), na, nb, np, ret;
	const struct pt_point_runs *p = &s->pr[i], *q;
	struct pt_ratio rt;
	bool wall;

	if (r < 0)
		return 0;
	q = &s->pr[r];
	wall = !all_ops(p) || !all_ops(q);
	na = counted(p, wall, a);
	nb = counted(q, wall, b);
	if (nb == 0 && (q->closed || skipped(&q->pt)))
		return 0;
	if (na == 0 || nb == 0)
		return NAN;
	np = pt_sched_pairs(p, q, wall, a, b);
	if ((size_t)np >= pt_paired_min_pairs(PT_DECISION_LEVEL)) {
		ret = pt_paired_ratio_ci(a, b, (size_t)np, !wall, PT_DECISION_LEVEL, &rt);
	} else {
		na = counted(p, wall, a);
		nb = counted(q, wall, b);
		ret = pt_ratio_ci(a, (size_t)na, b, (size_t)nb, !wall, PT_DECISION_LEVEL, &rt);
	}
	if (ret || !isfinite(rt.lo) || !isfinite(rt.hi) || !(rt.ratio > 0))
		return NAN;
	return (rt.hi - rt.lo) / rt.ratio;
}

/* The width of each point for the extra rounds: the wider of its own
 * interval's (relative) and its decision's. */
static int widths(const struct pt_sched *s, struct pt_budget_item *it)
{
	int most = 1;
	double *buf;

	for (int i = 0; i < s->plan->npts; i++)
		most = s->pr[i].n > most ? s->pr[i].n : most;
	buf = calloc(3 * ((size_t)most + 1), sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	for (int i = 0; i < s->plan->npts; i++) {
		const struct pt_point_runs *pr = &s->pr[i];
		struct pt_summary sm;
		int n = counted(pr, !all_ops(pr), buf);
		double dw;

		it[i] = (struct pt_budget_item){
			.rep_s = isnan(pr->rep_s) ? PT_REP_OVERHEAD_S + s->cfg.sizing.target_hi_s
						  : pr->rep_s,
			.reps = n, .min_reps = s->cfg.min_reps, .max_reps = s->cfg.max_reps,
			.width = NAN, .open = !pr->closed && !skipped(&pr->pt),
		};
		if (n >= 2 && pt_summarize(buf, (size_t)n, &sm) == 0 && sm.median > 0)
			it[i].width = (sm.ci_hi - sm.ci_lo) / sm.median;
		dw = decision_width(s, i, buf + most + 1, buf + 2 * (most + 1));
		if (isnan(dw) || dw > it[i].width)
			it[i].width = dw;
	}
	free(buf);
	return 0;
}

/* Each picked point's reference (and its reference's, up the chain) is
 * picked too when it is open: a point's extra repetition is paired with its
 * reference's of the same round (the decision, bench/summary.c). */
static void pick_refs(const struct pt_sched *s, bool *pick)
{
	bool more = true;

	while (more) {
		more = false;
		for (int i = 0; i < s->plan->npts; i++) {
			int r = pick[i] ? pt_plan_ref(s->plan, i) : -1;

			if (r >= 0 && !pick[r] && !s->pr[r].closed && !skipped(&s->pr[r].pt)) {
				pick[r] = true;
				more = true;
			}
		}
	}
}

/* One round of extra repetitions of the picked points, a group at a time:
 * the models of a group run close together in time, in a shuffled order,
 * so that a point and its reference meet the same host speed. */
static int extra_round(struct pt_sched *s, const struct pt_sched_ops *ops, const bool *pick,
		       int *order)
{
	const struct pt_plan *plan = s->plan;
	int ret = 0;

	for (int g = 0; g < plan->npts && !ret;) {
		int end = g + 1;
		bool any = pick[g];

		while (end < plan->npts && pt_point_same_group(&plan->pts[g], &plan->pts[end]))
			any |= pick[end++];
		if (any)
			ret = run_round(s, ops, PH_EXTRA, pick, g, end, order);
		g = end;
	}
	return ret;
}

/* Rounds of extra repetitions while intervals are wider than the band
 * and the budget lasts. */
static int extra_rounds(struct pt_sched *s, const struct pt_sched_ops *ops, int *order)
{
	int npts = s->plan->npts, ret = 0;
	struct pt_budget_item *it = calloc((size_t)npts + 1, sizeof(*it));
	bool *pick = calloc((size_t)npts + 1, sizeof(*pick));

	if (!it || !pick)
		ret = -ENOMEM;
	while (!ret && s->deadline) {
		double left = (double)(s->deadline - pt_now_ns()) / 1e9;

		if (pt_now_ns() >= s->deadline)
			break;
		if ((ret = widths(s, it)) != 0)
			break;
		if (pt_budget_round(it, (size_t)npts, left, s->cfg.band, pick) == 0)
			break;
		pick_refs(s, pick);
		ret = extra_round(s, ops, pick, order);
		if (!ret)
			ret = run_canary(s, ops);
	}
	free(it);
	free(pick);
	/* the extra rounds end when the budget does: every point has had its
	 * minimum, so the run is whole */
	if (ret == -EAGAIN) {
		ret = 0;
		s->partial = false;
		s->stop_why = NULL;
	}
	return ret;
}

/* A point that cannot run under its model (serial for a workload whose
 * workers must run at once, too few workers): one row saying why. */
static int skip_rows(struct pt_sched *s, const struct pt_sched_ops *ops)
{
	for (int i = 0; i < s->plan->npts; i++) {
		struct pt_point_runs *pr = &s->pr[i];
		const char *why = pt_workload_skip_reason(pr->pt.wl, pr->pt.model, pr->pt.nworkers);
		struct pt_result res;
		int ret;

		if (!why)
			continue;
		memset(&res, 0, sizeof(res));
		res.status = PT_ST_SKIPPED;
		res.wall_s = res.user_s = res.sys_s = res.ops_per_s = NAN;
		res.lat_p50_us = res.lat_p99_us = NAN;
		for (int m = 0; m < PT_MAX_METRICS; m++)
			res.metric[m] = NAN;
		snprintf(res.msg, sizeof(res.msg), "%s", why);
		pr->closed = true;
		if ((ret = record(ops, pr, &res)) != 0)
			return ret;
	}
	return 0;
}

/* One group of compared points [g, end), as the old job order had it but
 * with the model order shuffled each round: pilots, warmups, the minimum
 * repetitions, then a canary. */
static int run_group(struct pt_sched *s, const struct pt_sched_ops *ops, int g, int end,
		     int *order)
{
	int ret = s->cfg.size ? size_group(s, ops, g, end) : 0;

	if (!ret)
		ret = warmups(s, ops, g, end, order);
	for (int r = 0; r < s->cfg.min_reps && !ret; r++)
		ret = run_round(s, ops, PH_MIN, NULL, g, end, order);
	if (!ret)
		ret = run_canary(s, ops);
	return ret;
}

int pt_sched_run(struct pt_sched *s, const struct pt_sched_ops *ops)
{
	const struct pt_plan *plan = s->plan;
	int *order = calloc((size_t)plan->npts + 1, sizeof(*order)), ret = 0;

	if (!order)
		return -ENOMEM;
	s->t0 = pt_now_ns();
	s->deadline = isfinite(s->cfg.budget_s) && s->cfg.budget_s > 0
			      ? s->t0 + (uint64_t)(s->cfg.budget_s * 1e9)
			      : 0;
	ret = skip_rows(s, ops);
	if (!ret && s->cfg.canary)
		ret = size_canary(s, ops);
	if (!ret)
		ret = run_canary(s, ops);
	for (int g = 0; g < plan->npts && !ret;) {
		int end = g + 1;

		while (end < plan->npts && pt_point_same_group(&plan->pts[g], &plan->pts[end]))
			end++;
		ret = run_group(s, ops, g, end, order);
		g = end;
	}
	if (!ret && s->cfg.max_reps > s->cfg.min_reps)
		ret = extra_rounds(s, ops, order);
	free(order);
	if (ret == -EINTR) {
		s->partial = true;
		s->stop_why = "interrupted";
	}
	if (ret == -EAGAIN) /* the budget ran out before the minimum was done */
		ret = 0;
	return ret;
}

json_t *pt_sched_meta(const struct pt_sched *s)
{
	json_t *walls = json_array();
	double drift = s->ncanary >= 2 ? pt_drift(s->canary, (size_t)s->ncanary) : NAN;

	for (int k = 0; k < s->ncanary; k++)
		json_array_append_new(walls, json_real(s->canary[k]));
	return json_pack(
		"{s:I, s:o, s:i, s:i, s:i, s:[f,f], s:f, s:f, s:i, s:b, s:s?, s:i, "
		"s:{s:f, s:f, s:f, s:f}, s:{s:s, s:I, s:o, s:o}}",
		"seed", (json_int_t)s->cfg.seed, "budget_s",
		isfinite(s->cfg.budget_s) ? json_real(s->cfg.budget_s) : json_null(), "min_reps",
		s->cfg.min_reps, "max_reps", s->cfg.max_reps, "warmup", s->cfg.warmup,
		"rep_time_s", s->cfg.sizing.target_lo_s, s->cfg.sizing.target_hi_s, "band",
		s->cfg.band, "noise_threshold", PT_NOISE_THRESHOLD, "noise_reruns", s->cfg.reruns,
		"partial", s->partial, "stopped_by", s->stop_why, "rounds", s->rounds, "phases_s",
		"pilots", s->phase_s[PH_PILOT], "warmups", s->phase_s[PH_WARMUP], "minimum",
		s->phase_s[PH_MIN], "extra", s->phase_s[PH_EXTRA], "canary", "workload",
		"countdown serial", "count", (json_int_t)s->canary_pt.size, "wall_s", walls,
		"drift", isfinite(drift) ? json_real(drift) : json_null());
}

json_t *pt_sched_sized(const struct pt_sched *s)
{
	json_t *o = json_object();

	for (int i = 0; o && i < s->plan->npts; i++)
		if (s->pr[i].pt.size && s->pr[i].pt.wl->size)
			json_object_set_new(o, s->pr[i].pt.wl->name,
					    json_string(s->pr[i].pt.wl->size));
	return o;
}

/* What the plan costs, before any pilot: pilots, the canaries, and a
 * round (every point once) of the points whose size is their own, plus
 * how many points are sized. */
struct cost {
	double pilots, canary, round_fixed;
	int nsized, nrun;
};

static void plan_cost(const struct pt_sched *s, struct cost *c)
{
	const struct pt_plan *plan = s->plan;
	int groups = 0;

	memset(c, 0, sizeof(*c));
	for (int i = 0; i < plan->npts; i++) {
		const struct pt_point *pt = &plan->pts[i];
		double est;

		if (i == 0 || !pt_point_same_group(&plan->pts[i - 1], pt))
			groups++;
		if (skipped(pt))
			continue;
		c->nrun++;
		if (sized(s, pt)) {
			c->nsized++;
			/* about three pilots (1/10, 1 and 10 times the quick size),
			 * the last twice */
			c->pilots += 4 * PT_REP_OVERHEAD_S + 0.3 * s->cfg.sizing.target_lo_s;
			continue;
		}
		est = pt->wl->estimate_s
			      ? pt->wl->estimate_s(&pt->params, pt->model, pt->nworkers, 1)
			      : PT_DEFAULT_ESTIMATE_S;
		c->round_fixed += PT_REP_OVERHEAD_S + (est >= 0 ? est : PT_DEFAULT_ESTIMATE_S);
	}
	if (s->cfg.canary)
		c->canary = (groups + 2) * (PT_REP_OVERHEAD_S + PT_CANARY_HI_S);
}

/* Seconds the pilots, warmups and minimum take with sized repetitions of
 * @mid seconds (sized points need no warmup: their pilots were one). */
static double cost_need(const struct pt_sched *s, const struct cost *c, double mid)
{
	return c->pilots + c->canary + s->cfg.warmup * c->round_fixed +
	       s->cfg.min_reps * (c->round_fixed + c->nsized * (PT_REP_OVERHEAD_S + mid));
}

double pt_sched_estimate(const struct pt_plan *plan, const struct pt_sched_cfg *cfg)
{
	struct pt_sched s = { .plan = plan, .cfg = *cfg };
	struct cost c;

	plan_cost(&s, &c);
	return cost_need(&s, &c, (cfg->sizing.target_lo_s + cfg->sizing.target_hi_s) / 2);
}

/* With a budget, a plan whose minimum would not fit 85% of it (estimates
 * may be off a little) gets shorter sized repetitions (not below
 * PT_MIN_TARGET_S) unless --rep-time was given, then no warmups unless
 * --warmup was: every point's minimum first, precision second. */
#define PT_MIN_TARGET_S 0.02
static void fit_target(struct pt_sched *s, bool target, bool warmup)
{
	struct cost c;
	double mid = (s->cfg.sizing.target_lo_s + s->cfg.sizing.target_hi_s) / 2, fit;
	double room = 0.85 * s->cfg.budget_s;

	plan_cost(s, &c);
	if (!isfinite(s->cfg.budget_s) || cost_need(s, &c, mid) <= room)
		return;
	if (target && c.nsized) {
		fit = ((room - c.pilots - c.canary - s->cfg.warmup * c.round_fixed) /
			       s->cfg.min_reps -
		       c.round_fixed) / c.nsized -
		      PT_REP_OVERHEAD_S;
		if (fit < mid) {
			mid = fit > PT_MIN_TARGET_S ? fit : PT_MIN_TARGET_S;
			s->cfg.sizing.target_lo_s = mid * 2 / 3;
			s->cfg.sizing.target_hi_s = mid * 4 / 3;
		}
	}
	if (warmup && cost_need(s, &c, mid) > room) {
		s->cfg.warmup = 0;
		if (target)
			fit_target(s, true, false); /* the warmups' time back to the sizes */
	}
}

void pt_sched_print_budget(FILE *f, const struct pt_plan *plan, const struct pt_sched_cfg *cfg)
{
	struct pt_sched s = { .plan = plan, .cfg = *cfg };
	double mid = (cfg->sizing.target_lo_s + cfg->sizing.target_hi_s) / 2, need;
	double round;
	struct cost c;

	plan_cost(&s, &c);
	round = c.round_fixed + c.nsized * (PT_REP_OVERHEAD_S + mid);
	need = cost_need(&s, &c, mid);
	fprintf(f, "time: %d points to run (%d sized by pilots to %.0f-%.0f ms a repetition)\n",
		c.nrun, c.nsized, cfg->sizing.target_lo_s * 1e3, cfg->sizing.target_hi_s * 1e3);
	fprintf(f, "  pilots        %6.1f s\n", c.pilots);
	fprintf(f, "  warmups       %6.1f s  (%d each where no pilot ran)\n",
		c.round_fixed * cfg->warmup, cfg->warmup);
	fprintf(f, "  minimum       %6.1f s  (%d repetitions each)\n", round * cfg->min_reps,
		cfg->min_reps);
	fprintf(f, "  canary        %6.1f s\n", c.canary);
	if (!isfinite(cfg->budget_s)) {
		fprintf(f, "  total         %6.1f s  (no budget: %d repetitions each, fixed)\n",
			need, cfg->min_reps);
		return;
	}
	fprintf(f, "  budget        %6.1f s\n", cfg->budget_s);
	if (need <= cfg->budget_s)
		fprintf(f, "  extra         %6.1f s  to the widest intervals (up to %d "
			"repetitions a point, until each is within +-%g%%)\n",
			cfg->budget_s - need, cfg->max_reps, cfg->band * 50);
	else
		fprintf(f, "  the minimum does not fit the budget by %.1f s: the run will be "
			"partial (a larger --budget, or fewer points)\n",
			need - cfg->budget_s);
}
