/* SPDX-License-Identifier: MIT */
/* The suite: how each selected workload runs. What the user gave applies to
 * every workload; in the default suite (`ptbench run` without -w) each
 * workload's own spec fills in what the user left out (worker counts,
 * sweeps, GIL intervals, placements), and the repetitions are the most that
 * fit a time budget growing with log2 of the machine. The second stage of
 * options -> suite -> plan -> run -> results. */
#ifndef PT_SUITE_H
#define PT_SUITE_H

#include "options.h"

#include <stdbool.h>

/* One workload's share of the plan. */
struct pt_wl_spec {
	const struct pt_workload *wl;
	int workers[PT_MAX_LIST];
	int nworkers;
	enum pt_bind binds[PT_BIND_COUNT];
	int nbinds;
	struct pt_ulist intervals; /* GIL switch intervals; empty: the default */
	struct pt_ulist checks;	   /* gil-old check intervals; empty: the default */
	const struct pt_start_method *starts[PT_MAX_STARTS]; /* procs; none: fork */
	int nstarts;
	/* ft: --shared fractions (none: 0), --container values (none: 0),
	 * the tax. */
	double shared[PT_MAX_LIST];
	int nshared;
	unsigned containers[2];
	int ncontainers;
	double ft_tax_pct;
	/* Models the default suite leaves out of this workload (its spec's
	 * models; ft without its ft_shared). */
	bool model_off[PT_MODEL_COUNT];
	/* The -p sweeps that apply to this workload (pointers into the
	 * options, or to @sweep). */
	const struct pt_pset *pset[2 * PT_MAX_PSETS];
	int npsets;
	struct pt_pset sweep[PT_MAX_PSETS]; /* the suite spec's own sweeps, owned */
	int nsweeps;
};

/* Repetitions of every point: measured and warmup. */
struct pt_reps {
	int repeat, warmup;
};

#define PT_MAX_REP_TRIES 4

struct pt_spec {
	struct pt_wl_spec *wl;
	int nwl;
	enum pt_model models[PT_MODEL_COUNT];
	int nmodels;
	int neighbours;
	bool quick;
	double timeout_s; /* 0: from each point's estimate */
	/* The plan takes the first of @reps whose estimate fits @budget_s, or
	 * the last. One entry when the user fixed them. */
	struct pt_reps reps[PT_MAX_REP_TRIES];
	int nreps;
	double budget_s; /* INFINITY: no budget */
	int npus;	 /* for the estimate */
};

/* Resolves @o into @spec (which points into @o: keep @o until the plan is
 * built). 0, or a negative errno with a message in @err: -EINVAL for a bad
 * suite spec in the workload table (a bug), -ENOMEM. */
int pt_suite_resolve(const struct pt_opts *o, const struct pt_topo *topo, struct pt_spec *spec,
		     char *err, size_t errlen);
void pt_spec_free(struct pt_spec *spec);

/* Seconds the default suite may take on @npus processing units: 3 minutes
 * on 2, growing with log2(npus) (12.9 minutes on 128). */
double pt_suite_budget_s(int npus);

#endif
