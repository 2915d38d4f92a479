/* SPDX-License-Identifier: MIT */
/* results.csv: one row a repetition, each on disk as its repetition
 * completes; the file appears with its header or not at all, and a failed
 * write is cut back to the last whole row. Also the CSV helpers the other
 * files of a run share. */
#ifndef PT_RESULTS_H
#define PT_RESULTS_H

#include "files.h"
#include "options.h"
#include "point.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

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

/* Writes @s as one CSV field, quoted when it must be. */
void pt_csv_field(FILE *f, const char *s);
/* ",V": a number, or an empty field when @v is not finite. */
void pt_csv_num(FILE *f, double v);
/* ",V", or an empty field when not @present. */
void pt_csv_u64(FILE *f, uint64_t v, bool present);
/* The parameter and metric columns of @pt (metrics from @metric, indexed
 * as its workload's), each after a comma. */
void pt_csv_params_metrics(FILE *f, const struct pt_columns *c, const struct pt_point *pt,
			   const double *metric);

void pt_csv_header(FILE *f, const struct pt_columns *c);
void pt_csv_row(FILE *f, const struct pt_columns *c, const struct pt_point *pt, int rep,
		const struct pt_result *r);

struct pt_rows {
	struct pt_tmp tmp; /* tmp.f the open file, tmp.final its name */
	off_t good;	   /* the file up to its last whole row */
	bool cut_failed;   /* a failed row could not be cut off */
	const struct pt_columns *cols;
};

/* Creates @dir/results.csv with its header. Refused with -EEXIST when it
 * exists, unless @replace. 0 or a negative errno. */
int pt_rows_create(struct pt_rows *r, const char *dir, const struct pt_columns *c,
		   bool replace);
/* Appends a row and puts it on disk. On failure (a full disk) the file is
 * cut back to its whole rows (cut_failed says if that failed too) and the
 * negative errno returned. */
int pt_rows_append(struct pt_rows *r, const struct pt_point *pt, int rep,
		   const struct pt_result *res);
int pt_rows_close(struct pt_rows *r);

#endif
