/* SPDX-License-Identifier: MIT */
/* summary.csv: one row a point, with the statistics of its measured
 * repetitions (medians, 95% confidence intervals, CV, speedups), computed
 * once here. */
#ifndef PT_SUMMARY_H
#define PT_SUMMARY_H

#include "plan.h"
#include "results.h"

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
};
#define PT_NOISY_CV 0.05

/* Summaries of every point from @res[point * plan->repeat + rep], of the
 * repetitions @done says ran. 0 or -ENOMEM. */
int pt_summaries(const struct pt_plan *plan, const struct pt_result *res, const bool *done,
		 struct pt_point_summary *out);
/* Writes @dir/summary.csv. 0 or a negative errno. */
int pt_write_summary(const char *dir, const struct pt_columns *c, const struct pt_plan *plan,
		     const struct pt_point_summary *s);

#endif
