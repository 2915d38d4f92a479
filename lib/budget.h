/* SPDX-License-Identifier: MIT */
/* The arithmetic of a time budget: how much work one repetition of a point
 * gets (pilot sizing), how a job's budget is split between the suite, the
 * calibration and the report, and which points get the repetitions left
 * after every point has its minimum (the widest confidence intervals
 * first). Pure functions of their inputs: the driver measures, this
 * decides, and tests feed it synthetic figures. */
#ifndef PT_BUDGET_H
#define PT_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Pilot sizing ---- */

/* One repetition should last between 50 and 100 ms by default (a run
 * option): long enough for the clock and the harness to resolve it well
 * (hyperfine warns under 5 ms, pyperf calibrates to 100 ms), short enough
 * for many repetitions within a budget. */
#define PT_TARGET_LO_S 0.05
#define PT_TARGET_HI_S 0.10
/* Shorter than this, a repetition is not resolved well: warn, naming a
 * larger size. */
#define PT_REP_WARN_S 0.010

struct pt_sizing {
	double target_lo_s, target_hi_s; /* 0 < lo <= hi */
	uint64_t min_amount, max_amount; /* 1 <= min <= max */
};

/* The default sizing: 50-100 ms, amounts 1 .. 2^40. */
void pt_sizing_default(struct pt_sizing *z);

/*
 * One step of pilot sizing. A pilot did @amount of work in @secs seconds
 * (its timed region). A pilot shorter than a tenth of the target's lower
 * end (5 ms by default) is too short to extrapolate from: returns 1 with
 * *@next the amount of the next pilot (grown by the ratio that would reach
 * the target, at most 10x a step, as Google Benchmark grows its
 * iterations). Otherwise returns 0 with *@next the amount whose repetition
 * should last the middle of the target range, by proportion (the timed
 * region holds no fixed cost: spawning is outside it). Amounts are clamped
 * to [min_amount, max_amount]; a pilot already at max_amount returns 0.
 * -EINVAL on a bad sizing, amount 0, or @secs negative or not finite.
 */
int pt_pilot_next(const struct pt_sizing *z, uint64_t amount, double secs, uint64_t *next);

/* ---- The job's budget ---- */

struct pt_budget_split {
	double total_s;
	double calibration_s; /* the CPython twins (0 when not run) */
	double report_s;      /* report and plots */
	double slack_s;	      /* held back for what estimates miss */
	double suite_s;	      /* pilots and repetitions: the rest */
};

/* Splits @total_s: calibration a fifth when it runs, the report 5% (at
 * least 5 s), 5% slack; the suite the rest. -EINVAL when @total_s is not
 * positive or leaves the suite nothing. */
int pt_budget_split(double total_s, bool calibration, struct pt_budget_split *out);

/* ---- Repetitions ---- */

/* The minimum repetitions of a point: what the decision rule needs for a
 * 95% interval of a ratio (4; see pt_ratio_min_reps()). */
#define PT_MIN_REPS 4
/* A point stops getting repetitions here, whatever its interval. */
#define PT_MAX_REPS 30

/* One point as the scheduler sees it. */
struct pt_budget_item {
	double rep_s;	/* seconds one repetition costs the job, overhead included */
	int reps;	/* measured so far */
	int min_reps, max_reps;
	double width;	/* relative width of its interval, (hi - lo) / median;
			 * NAN while unknown */
	bool open;	/* may get more (not failed, skipped or stopped) */
};

/* Seconds still needed to bring every open item to its minimum. */
double pt_budget_min_cost(const struct pt_budget_item *it, size_t n);

/* The largest number of repetitions r (between 1 and @want) such that every
 * open item measured r times fits @budget_s, or 0 when not even one does.
 * For planning the minimum when the budget is tight. */
int pt_budget_fit_reps(const struct pt_budget_item *it, size_t n, double budget_s, int want);

/*
 * The next round of extra repetitions, after the minimum: the open items
 * below max_reps whose width is above @target (or unknown), widest first,
 * each taken while its repetition still fits in what is left of
 * @remaining_s. Marks them in @pick (n entries) and returns how many.
 * Zero means done: every interval reached the target, or the budget is
 * spent.
 */
size_t pt_budget_round(const struct pt_budget_item *it, size_t n, double remaining_s,
		       double target, bool *pick);

#endif
