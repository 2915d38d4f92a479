/* SPDX-License-Identifier: MIT */
/* The scheduler of a run's repetitions, inside the run stage: pilots size
 * each group of compared points to a target repetition time, warmups,
 * rounds of the minimum repetitions in a random model order with a canary
 * countdown between rounds, then rounds of extra repetitions to the points
 * whose intervals are widest, all within the time budget; a repetition hit
 * by noise is flagged and re-run a bounded number of times. What it decides
 * comes from lib/budget and lib/stats; the run loop executes and writes. */
#ifndef PT_SCHEDULE_H
#define PT_SCHEDULE_H

#include "budget.h"
#include "noise.h"
#include "plan.h"
#include "rng.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>

/* What the scheduler asks of the run loop. */
struct pt_sched_ops {
	/* Runs one repetition of @pt into @res, for at most @cap_s seconds
	 * (what the budget leaves it; INFINITY without a budget) when that is
	 * shorter than its own timeout; -EINTR when a signal stopped it,
	 * -ECANCELED when the cap cut it (no result: the budget ended it,
	 * not the workload), else 0. */
	int (*exec)(void *ctx, const struct pt_point *pt, double cap_s, struct pt_result *res);
	/* Writes the row of repetition @rep of @pt; 0 or a negative errno
	 * (the run cannot go on). */
	int (*row)(void *ctx, const struct pt_point *pt, int rep, const struct pt_result *res);
	/* Progress, for a terminal: what is running (may be NULL). */
	void (*progress)(void *ctx, const char *phase, const struct pt_point *pt, int rep);
	void *ctx;
};

struct pt_sched_cfg {
	double budget_s;	 /* for pilots and repetitions; INFINITY: none */
	int min_reps, max_reps;	 /* equal: fixed repetitions (-r, or no budget) */
	int warmup;
	struct pt_sizing sizing; /* the target repetition time */
	bool size;		 /* size by pilots (not --quick) */
	double band;		 /* the decision rule's; the target precision */
	uint64_t seed;		 /* of the model order */
	bool canary;		 /* a countdown between rounds */
	int reruns;		 /* of a repetition hit by noise (0 under --quick:
				  * flagged, kept) */
	/* -p keys the user gave: a workload's size among them is not sized. */
	const char *fixed[PT_MAX_PSETS];
	int nfixed;
};

/* One point's repetitions as they were run: its rows in order. */
struct pt_point_runs {
	struct pt_point pt; /* the plan's, with the size its pilots chose */
	struct pt_result *res;
	int n, cap;
	bool closed;  /* no more repetitions: failed, timed out, skipped */
	double rep_s; /* what one repetition costs the run, overhead included */
	uint64_t pilot_amount; /* the amount its own pilots chose (before the group's) */
};

struct pt_sched {
	const struct pt_plan *plan;
	struct pt_sched_cfg cfg;
	struct pt_point_runs *pr; /* plan->npts */
	struct pt_rng rng;
	uint64_t t0, deadline; /* CLOCK_MONOTONIC ns; deadline 0: none */
	bool partial;	       /* stopped by the budget or a signal */
	const char *stop_why;  /* "budget" or "interrupted" */
	int rounds;	       /* measured rounds run */
	double phase_s[4];     /* seconds spent: pilots, warmups, minimum, extra */
	/* The canary: countdown serial of a fixed size between rounds. */
	struct pt_point canary_pt;
	double *canary;	       /* wall_s of each canary run */
	int ncanary;
};

/* 0, or -ENOMEM. */
int pt_sched_init(struct pt_sched *s, const struct pt_plan *plan, const struct pt_sched_cfg *cfg);
/* Runs the plan. 0 when it ran (s->partial says if the budget cut it
 * short), -EINTR when a signal stopped it (partial too), or the negative
 * errno of a row that could not be written. */
int pt_sched_run(struct pt_sched *s, const struct pt_sched_ops *ops);
void pt_sched_free(struct pt_sched *s);

/* Seconds the plan's pilots, warmups and minimum repetitions should take
 * (before the extra repetitions), from the target repetition time (sized
 * points) and the workloads' own estimates. */
double pt_sched_estimate(const struct pt_plan *plan, const struct pt_sched_cfg *cfg);

/* --dry-run: what the plan will cost, phase by phase, from the target
 * repetition time (sized points) or the workloads' own estimates, against
 * the budget. */
void pt_sched_print_budget(FILE *f, const struct pt_plan *plan, const struct pt_sched_cfg *cfg);

/* meta.json's "schedule": seed, budget, repetitions, target time, the
 * seconds of each phase, partial and why, the canary's runs and drift. */
json_t *pt_sched_meta(const struct pt_sched *s);
/* meta.json's run.sized: { workload: its size parameter } for the
 * workloads whose amounts came from pilots (compare leaves them out of a
 * point's identity). */
json_t *pt_sched_sized(const struct pt_sched *s);

/* Whether row @r counts in a point's statistics: ok, and not replaced by
 * a re-run for noise. */
bool pt_result_counts(const struct pt_result *r);

/* The pairs of @pr's and @ref's counted repetitions that ran in the same
 * round (their throughput, or time when @wall), into @a and @b (@pr->n
 * entries each); their count. */
int pt_sched_pairs(const struct pt_point_runs *pr, const struct pt_point_runs *ref, bool wall,
		   double *a, double *b);

/* The run's configuration from the options and the plan: budget, fixed or
 * adaptive repetitions, sizing. */
struct pt_opts;
void pt_sched_config(const struct pt_opts *o, const struct pt_plan *plan,
		     struct pt_sched_cfg *cfg);

#endif
