/* SPDX-License-Identifier: MIT */
/* What the terminal shows: the plan (--dry-run), and the table of results
 * at the end of a run. */
#ifndef PT_TABLE_H
#define PT_TABLE_H

#include "summary.h"

#include <stddef.h>
#include <stdio.h>

/* "key=value ..." of what sets @pt apart: the parameters that differ from
 * their defaults, the GIL intervals, the placement. For labels. */
void pt_point_label(const struct pt_point *pt, char *buf, size_t n);

/* The points and repetitions of @plan, with those that will be skipped. */
void pt_print_plan(FILE *f, const struct pt_plan *plan);
void pt_print_table(FILE *f, const struct pt_plan *plan, const struct pt_point_summary *s);

/* The closing lines: how the decisions came out, and the points decided
 * faster or slower than their reference (no winner is named otherwise). */
void pt_print_verdicts(FILE *f, const struct pt_plan *plan, const struct pt_point_summary *s,
		       double band);

#endif
