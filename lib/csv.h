/* SPDX-License-Identifier: MIT */
/* A strict reader of the CSV files ptbench writes (RFC 4180: comma
 * separated, fields with commas, quotes or line breaks quoted, quotes
 * doubled), for `ptbench compare` and tests. Results made elsewhere are
 * untrusted input: anything malformed is refused with the line it is on. */
#ifndef PT_CSV_H
#define PT_CSV_H

#include <stddef.h>

struct pt_csv {
	char **hdr;	   /* column names */
	size_t ncols;
	char ***rows;	   /* rows[i][j]: field j of row i (NUL-terminated) */
	size_t nrows;
	size_t *lines;	   /* the line each row starts on (1: the header) */
};

/* Parses @text (@len bytes; NUL bytes are refused). Every row must have as
 * many fields as the header; an empty last line is fine. On error returns
 * -EINVAL (or -ENOMEM) and writes why, with the line number, to @err. */
int pt_csv_parse(const char *text, size_t len, struct pt_csv *csv, char *err, size_t errlen);
/* The same from a file (at most 256 MiB); -errno when unreadable. */
int pt_csv_read(const char *path, struct pt_csv *csv, char *err, size_t errlen);
void pt_csv_free(struct pt_csv *csv);
/* Index of column @name, or -1. */
int pt_csv_col(const struct pt_csv *csv, const char *name);

#endif
