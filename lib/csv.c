// SPDX-License-Identifier: MIT
// Strict RFC 4180 reader: the whole file in memory, fields unquoted.
#include "csv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PT_CSV_MAX_BYTES ((size_t)256 << 20)

/* A growing array of pointers. */
struct vec {
	void **v;
	size_t n, cap;
};

static int vec_push(struct vec *a, void *p)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 16;
		void **nv;

		if (cap > SIZE_MAX / sizeof(*nv))
			return -ENOMEM;
		nv = realloc(a->v, cap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		a->v = nv;
		a->cap = cap;
	}
	a->v[a->n++] = p;
	return 0;
}

static void fields_free(char **f, size_t n)
{
	for (size_t i = 0; f && i < n; i++)
		free(f[i]);
	free(f);
}

/* Reads one record at *pos; its fields into @out. *line counts lines. */
static int record(const char *t, size_t len, size_t *pos, size_t *line, struct vec *out,
		  char *err, size_t errlen)
{
	size_t i = *pos;

	for (;;) {
		size_t cap = 16, n = 0;
		char *f = malloc(cap);
		bool quoted = false;

		if (!f)
			return -ENOMEM;
		if (i < len && t[i] == '"') {
			quoted = true;
			i++;
		}
		for (;;) {
			char c;

			if (i >= len) {
				if (quoted) {
					free(f);
					snprintf(err, errlen, "line %zu: unterminated quoted field",
						 *line);
					return -EINVAL;
				}
				break;
			}
			c = t[i];
			if (c == '\0') {
				free(f);
				snprintf(err, errlen, "line %zu: NUL byte", *line);
				return -EINVAL;
			}
			if (quoted && c == '"') {
				if (i + 1 < len && t[i + 1] == '"') {
					i++; /* a doubled quote is one quote */
				} else {
					i++;
					if (i < len && t[i] != ',' && t[i] != '\n' &&
					    !(t[i] == '\r' && i + 1 < len && t[i + 1] == '\n')) {
						free(f);
						snprintf(err, errlen,
							 "line %zu: text after a closing quote", *line);
						return -EINVAL;
					}
					break;
				}
			} else if (!quoted && (c == ',' || c == '\n' ||
					       (c == '\r' && i + 1 < len && t[i + 1] == '\n'))) {
				break;
			} else if (!quoted && c == '"') {
				free(f);
				snprintf(err, errlen, "line %zu: quote inside an unquoted field",
					 *line);
				return -EINVAL;
			}
			if (c == '\n')
				(*line)++;
			if (n + 2 > cap) {
				char *nf = realloc(f, cap * 2);

				if (!nf) {
					free(f);
					return -ENOMEM;
				}
				f = nf;
				cap *= 2;
			}
			f[n++] = t[i++];
		}
		f[n] = '\0';
		if (vec_push(out, f)) {
			free(f);
			return -ENOMEM;
		}
		if (i < len && t[i] == ',') {
			i++;
			continue;
		}
		if (i < len && t[i] == '\r')
			i++;
		if (i < len && t[i] == '\n') {
			i++;
			(*line)++;
		}
		*pos = i;
		return 0;
	}
}

int pt_csv_parse(const char *text, size_t len, struct pt_csv *csv, char *err, size_t errlen)
{
	struct vec rows = { 0 }, lines = { 0 };
	size_t pos = 0, line = 1;
	int ret = 0;

	memset(csv, 0, sizeof(*csv));
	if (!text || len == 0) {
		snprintf(err, errlen, "empty file (no header)");
		return -EINVAL;
	}
	while (pos < len) {
		struct vec f = { 0 };
		size_t start = line;

		ret = record(text, len, &pos, &line, &f, err, errlen);
		if (ret < 0) {
			fields_free((char **)f.v, f.n);
			goto fail;
		}
		if (!csv->hdr) {
			csv->hdr = (char **)f.v;
			csv->ncols = f.n;
			continue;
		}
		if (f.n != csv->ncols) {
			snprintf(err, errlen, "line %zu: %zu fields, the header has %zu", start, f.n,
				 csv->ncols);
			fields_free((char **)f.v, f.n);
			ret = -EINVAL;
			goto fail;
		}
		if (vec_push(&lines, (void *)(uintptr_t)start) || vec_push(&rows, f.v)) {
			fields_free((char **)f.v, f.n);
			ret = -ENOMEM;
			goto fail;
		}
	}
	csv->rows = (char ***)rows.v;
	csv->nrows = rows.n;
	csv->lines = malloc((lines.n ? lines.n : 1) * sizeof(*csv->lines));
	if (!csv->lines) {
		ret = -ENOMEM;
		goto fail_set;
	}
	for (size_t i = 0; i < lines.n; i++)
		csv->lines[i] = (size_t)(uintptr_t)lines.v[i];
	free(lines.v);
	return 0;
fail:
	csv->rows = (char ***)rows.v;
	csv->nrows = rows.n;
fail_set:
	free(lines.v);
	pt_csv_free(csv);
	if (ret == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	return ret;
}

int pt_csv_read(const char *path, struct pt_csv *csv, char *err, size_t errlen)
{
	struct stat st;
	size_t len = 0, cap;
	char *buf;
	int fd, ret;

	memset(csv, 0, sizeof(*csv));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s", strerror(errno));
		return ret;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		ret = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		snprintf(err, errlen, "not a regular file");
		close(fd);
		return ret;
	}
	cap = (size_t)st.st_size + 1;
	if (cap > PT_CSV_MAX_BYTES) {
		snprintf(err, errlen, "larger than %zu MiB", PT_CSV_MAX_BYTES >> 20);
		close(fd);
		return -EFBIG;
	}
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (;;) {
		ssize_t r = read(fd, buf + len, cap - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			snprintf(err, errlen, "%s", strerror(errno));
			free(buf);
			close(fd);
			return ret;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len == cap) { /* grew while read: refuse rather than chase it */
			snprintf(err, errlen, "changed while being read");
			free(buf);
			close(fd);
			return -EINVAL;
		}
	}
	close(fd);
	ret = pt_csv_parse(buf, len, csv, err, errlen);
	free(buf);
	return ret;
}

void pt_csv_free(struct pt_csv *csv)
{
	if (!csv)
		return;
	fields_free(csv->hdr, csv->ncols);
	for (size_t i = 0; csv->rows && i < csv->nrows; i++)
		fields_free(csv->rows[i], csv->ncols);
	free(csv->rows);
	free(csv->lines);
	memset(csv, 0, sizeof(*csv));
}

int pt_csv_col(const struct pt_csv *csv, const char *name)
{
	for (size_t j = 0; j < csv->ncols; j++)
		if (strcmp(csv->hdr[j], name) == 0)
			return (int)j;
	return -1;
}
