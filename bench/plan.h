/* SPDX-License-Identifier: MIT */
/* Options of `ptbench run` and the plan they make: the points (workload x
 * model x workers x placement x parameters x GIL intervals) and the order of
 * repetitions, interleaved so that drift hits compared points alike. */
#ifndef PT_PLAN_H
#define PT_PLAN_H

#include "point.h"

#include <stdbool.h>

#define PT_MAX_LIST 64
#define PT_MAX_PSETS 16

struct pt_opts {
	const struct pt_workload *wl[PT_MAX_LIST];
	int nwl;
	enum pt_model models[PT_MODEL_COUNT];
	int nmodels;
	int workers[PT_MAX_LIST];
	int nworkers;
	enum pt_bind binds[PT_BIND_COUNT];
	int nbinds;
	unsigned intervals[PT_MAX_LIST]; /* --switch-interval, us */
	int nintervals;
	unsigned checks[PT_MAX_LIST];	 /* --check-interval, ticks */
	int nchecks;
	const struct pt_start_method *starts[3]; /* --start (procs) */
	int nstarts;
	struct {
		char key[PT_PARAM_STR_LEN];
		char *vals[PT_MAX_LIST];
		int nvals;
	} pset[PT_MAX_PSETS];		 /* -p KEY=V1,V2 */
	int npsets;
	int repeat, warmup;
	int neighbours;			 /* --cpu-neighbours */
	double timeout_s;		 /* 0: derived from the plan */
	const char *out;
	bool quick, quiet, force, dry_run;
	/* What the user gave; the default suite fills in the rest. */
	bool suite; /* no -w: every workload, each as its suite spec says */
	bool workers_given, binds_given, repeat_given, warmup_given;
	int first_owned_pset; /* psets from here on belong to this copy */
};

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
};

/* Sets the defaults of every option. */
void pt_opts_defaults(struct pt_opts *o);
/* Parses the options of `run` (argv[0] is "run"); a bad one exits 2 with a
 * message naming it. @topo gives `-n auto`. */
void pt_opts_parse(struct pt_opts *o, int argc, char **argv, const struct pt_topo *topo);
void pt_opts_free(struct pt_opts *o);

/* Builds the points and the job order. Bad parameter values exit 2. */
void pt_plan_build(struct pt_plan *plan, const struct pt_opts *o, const struct pt_topo *topo);
void pt_plan_free(struct pt_plan *plan);
/* Timeout of one repetition of @pt: --timeout, or derived from its size. */
double pt_plan_timeout(const struct pt_opts *o, const struct pt_point *pt);

/* Parses a worker list ("1,2,4", "1-8", "auto"); 0 or -EINVAL with @err. */
int pt_parse_workers(const char *s, const struct pt_topo *topo, int *out, int max, int *n,
		     char *err, size_t errlen);

#endif
