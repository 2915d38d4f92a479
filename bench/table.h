/* SPDX-License-Identifier: MIT */
/* What the terminal shows: the plan (--dry-run), and at the end of a run
 * the table of results within the terminal's width and the closing lines
 * of the decision rule. */
#ifndef PT_TABLE_H
#define PT_TABLE_H

#include "summary.h"

#include <stddef.h>
#include <stdio.h>

/* "key=value ..." of what sets @pt apart: the parameters that differ from
 * their defaults, the GIL intervals, --cpu-neighbours, the placement. */
void pt_point_label(const struct pt_point *pt, char *buf, size_t n);

/* The points and repetitions of @plan, with those that will be skipped. */
void pt_print_plan(FILE *f, const struct pt_plan *plan);

/* Seconds as "12.3 us" (3 digits and an SI unit); "-" when not finite. */
void pt_fmt_time(char *buf, size_t n, double t);

/* The table of @plan's points, no line wider than @width columns (from 80
 * on; narrower as far as the fixed columns allow), then what its words
 * mean. */
void pt_print_table(FILE *f, const struct pt_plan *plan, const struct pt_point_summary *s,
		    int width);

/* One decision: @model against @ref, the interval [@lo, @hi] of the speed
 * ratio @ratio (>1: @model faster), for the point @what names. */
struct pt_verdict {
	const char *what;
	const char *model, *ref;
	double ratio, lo, hi;
	enum pt_decision decision;
};
#define PT_CLOSING_LINES 8

/* "X (..) is N× faster than Y (..) [lo–hi]", "... tie ...", or "...
 * undecided ..." for @v, into @buf; a slower point is said the other way
 * round, so no line names a winner the rule did not decide. */
void pt_closing_line(char *buf, size_t n, const struct pt_verdict *v, double band);
/* The counts of each decision, then at most PT_CLOSING_LINES closing lines
 * (decided first, then ties, then undecided), wrapped to @width. */
void pt_print_closing(FILE *f, const struct pt_verdict *v, int n, double band, int width);
/* The closing lines of @plan's points that have a reference. */
void pt_print_verdicts(FILE *f, const struct pt_plan *plan, const struct pt_point_summary *s,
		       double band, int width);

/* The results directory @outdir (absolute) and the command that draws its
 * report, as this program's absolute path, ready to paste. */
void pt_print_next(FILE *f, const char *outdir);

#endif
