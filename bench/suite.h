/* SPDX-License-Identifier: MIT */
/* The default suite (`ptbench run` without -w): each workload's own worker
 * counts, sweeps, GIL intervals and placements, and repetitions sized so the
 * whole run fits a time budget that grows with log2 of the machine. */
#ifndef PT_SUITE_H
#define PT_SUITE_H

#include "plan.h"

/* @o as it applies to @wl: what the user gave, else the workload's suite
 * spec (in suite mode). Free with pt_suite_opts_free(). Bad specs exit. */
void pt_suite_opts(const struct pt_opts *o, const struct pt_workload *wl,
		   const struct pt_topo *topo, struct pt_opts *out);
void pt_suite_opts_free(struct pt_opts *out);

/* Estimated seconds for the plan's repetitions, the driver's per-repetition
 * overhead included. */
double pt_plan_estimate_s(const struct pt_plan *plan, int npus);

/* Seconds the default suite may take on @npus processing units: 3 minutes
 * on 2, growing with log2(npus) (12.9 minutes on 128). */
double pt_suite_budget_s(int npus);

/* In suite mode without -r/--warmup: the most repetitions (5 down to 3,
 * then no warmup) whose estimate fits the budget; rebuilds @plan.
 * Returns the estimate. */
double pt_suite_fit(struct pt_plan *plan, struct pt_opts *o, const struct pt_topo *topo);

#endif
