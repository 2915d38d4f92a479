/* SPDX-License-Identifier: MIT */
/* What a run writes: results.csv (one row a repetition, flushed as each
 * completes), summary.csv (one row a point), meta.json (the machine and the
 * run), and the terminal table. Whole files are written to a temporary name
 * and renamed, so an interrupted run never leaves a half-written one. */
#ifndef PT_OUTPUT_H
#define PT_OUTPUT_H

#include "plan.h"

#include <jansson.h>
#include <stdio.h>

/* The results.csv columns, fixed for a given build: the contract's first,
 * then GIL figures, then every registered workload's parameters and
 * metrics (empty where they do not apply). */
struct pt_columns {
	const char *param[PT_MAX_LIST];
	int nparam;
	const char *metric[PT_MAX_LIST];
	int nmetric;
};
void pt_columns_init(struct pt_columns *c);

void pt_csv_header(FILE *f, const struct pt_columns *c);
void pt_csv_row(FILE *f, const struct pt_columns *c, const struct pt_point *pt, int rep,
		const struct pt_result *r);
/* Writes @s as one CSV field, quoted when it must be. */
void pt_csv_field(FILE *f, const char *s);

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

/* Summaries of every point from @res[point * repeat + rep]. */
void pt_summaries(const struct pt_plan *plan, int repeat, const struct pt_result *res,
		  const bool *done, struct pt_point_summary *out);
int pt_write_summary(const char *dir, const struct pt_columns *c, const struct pt_plan *plan,
		     const struct pt_point_summary *s);
void pt_print_table(FILE *f, const struct pt_plan *plan,
		    const struct pt_point_summary *s);

/* meta.json: machine, build, run. @extra (may be NULL) is merged in. */
json_t *pt_meta_build(const struct pt_topo *topo, const struct pt_opts *o, int argc,
		      char **argv);
/* Conditions that distort results, printed as warnings and recorded. */
void pt_meta_warnings(json_t *meta, bool quiet);
int pt_write_json_atomic(const char *dir, const char *name, json_t *j);

/* "key=value ..." of what sets @pt apart: the parameters that differ from
 * their defaults, the GIL intervals, the placement. For labels. */
void pt_point_label(const struct pt_point *pt, char *buf, size_t n);

#endif
