/* SPDX-License-Identifier: MIT */
/* The plan, built once from the suite's spec: the points (workload x model
 * x workers x placement x parameters x GIL intervals), the repetitions of
 * each, and their order, interleaved so that drift hits compared points
 * alike. The third stage of options -> suite -> plan -> run -> results. */
#ifndef PT_PLAN_H
#define PT_PLAN_H

#include "point.h"
#include "suite.h"

/* One repetition to run: plan.pts[point], repetition rep (< 0: warmup). */
struct pt_job {
	int point;
	int rep;
};

struct pt_plan {
	struct pt_point *pts;
	int npts;
	struct pt_job *jobs;
	int njobs;
	int repeat, warmup; /* of every point */
	double estimate_s;  /* of all the jobs, the driver's overhead included */
	double budget_s;    /* what the estimate had to fit; INFINITY: none */
	double timeout_s;   /* --timeout; 0: from each point's estimate */
};

/* Builds the points, picks the repetitions (the first of the spec's that
 * fits its budget) and orders the jobs. 0, or -EINVAL for bad input (a bad
 * parameter value, a plan too large, more workers than the system allows)
 * or -ENOMEM, with a message in @err. */
int pt_plan_build(struct pt_plan *plan, const struct pt_spec *spec, char *err, size_t errlen);
void pt_plan_free(struct pt_plan *plan);

/* Whether @a and @b are compared with each other: the same workload,
 * workers, placement and parameters (the models differ). */
bool pt_point_same_group(const struct pt_point *a, const struct pt_point *b);

/* Timeout of one repetition of @pt: --timeout, or derived from its size. */
double pt_plan_timeout(const struct pt_plan *plan, const struct pt_point *pt);

/* The model a point of @model is judged against: gil against serial, the
 * others against gil, serial against none (NULL). */
const char *pt_ref_model(const char *model);
/* The point @i of @plan is judged against: its group's point of the
 * reference model (a gil reference at the default switch interval when
 * there is one), or -1. */
int pt_plan_ref(const struct pt_plan *plan, int i);

#endif
