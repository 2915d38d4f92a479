/* SPDX-License-Identifier: MIT */
/* summary.csv: one row a point, with the statistics of its measured
 * repetitions (medians, 95% confidence intervals, CV, speedups), computed
 * once here. */
#ifndef PT_SUMMARY_H
#define PT_SUMMARY_H

#include "plan.h"
#include "results.h"
#include "schedule.h"
#include "stats.h"

/* Per-point figures over its measured repetitions. */
struct pt_point_summary {
	int n, n_ok;
	enum pt_status status; /* worst */
	double wall_med, wall_lo, wall_hi, wall_cv;
	double ops_med, ops_lo, ops_hi, ops_cv; /* ops per second */
	double lat50_med, lat99_med;
	double user_med, sys_med;
	double speedup_serial, speedup_1, efficiency; /* NAN when no reference */
	double metric_med[PT_MAX_METRICS];
	double gil_wait_us_med, gil_switches_med, gil_drops_med;
	size_t outliers;
	bool noisy; /* CV above PT_NOISY_CV */
	const char *msg; /* the first failure message */
	/* The decision against its reference (contract 3 of the briefing):
	 * the figure compared (ops per second, else wall time), its median,
	 * interval and CV; the point it is judged against (-1: none); the
	 * interval of the speed ratio and the decision rule's verdict. */
	bool q_wall;
	double q_med, q_lo, q_hi, q_cv;
	int ref;
	double ratio, ratio_lo, ratio_hi;
	enum pt_decision decision;
	/* Which rule decided: paired by round (pairs repetitions of the same
	 * round, enough for an interval), else the unpaired one. */
	bool paired;
	int pairs;
	int noise_flagged; /* repetitions hit by noise (re-run or kept) */
};
#define PT_NOISY_CV 0.05

/* Summaries of every point from the repetitions the scheduler ran (@pr,
 * one per point), with decisions against the band @band. 0 or -ENOMEM. */
int pt_summaries(const struct pt_plan *plan, const struct pt_point_runs *pr, double band,
		 struct pt_point_summary *out);
/* Writes @dir/summary.csv; @partial marks every row of a run cut short.
 * 0 or a negative errno. */
int pt_write_summary(const char *dir, const struct pt_columns *c, const struct pt_plan *plan,
		     const struct pt_point_runs *pr, const struct pt_point_summary *s,
		     double band, bool partial);
/* Warns about each point whose repetitions took under PT_REP_WARN_S (the
 * clock and the harness do not resolve them well), naming a larger size. */
void pt_warn_short_reps(const struct pt_plan *plan, const struct pt_point_runs *pr,
			const struct pt_point_summary *s);


#endif
