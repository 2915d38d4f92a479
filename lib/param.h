/* SPDX-License-Identifier: MIT */
/* Typed key=value parameters of a workload: declared with a default, a
 * --quick value and a help line; parsed and validated before anything runs. */
#ifndef PT_PARAM_H
#define PT_PARAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pt_param_type {
	PT_PARAM_INT,  /* decimal integer within [min, max] */
	PT_PARAM_SIZE, /* bytes, with an optional K, M or G suffix (powers of 1024) */
	PT_PARAM_ENUM, /* one of choices, "a|b|c" */
	PT_PARAM_STR,  /* free text, checked by the workload's validate hook */
};

struct pt_param_def {
	const char *name;
	enum pt_param_type type;
	const char *def;   /* default */
	const char *quick; /* value under --quick, or NULL for the default */
	const char *help;
	const char *choices; /* PT_PARAM_ENUM */
	int64_t min, max;    /* PT_PARAM_INT, PT_PARAM_SIZE */
};

#define PT_MAX_PARAMS 12
#define PT_PARAM_STR_LEN 120

struct pt_pval {
	const struct pt_param_def *def;
	char str[PT_PARAM_STR_LEN]; /* as given */
	int64_t i;		   /* INT, SIZE: the value; ENUM: the choice's index */
};

/* A workload's parameter values; plain data, copied into every point. */
struct pt_params {
	int n;
	struct pt_pval v[PT_MAX_PARAMS];
};

/* Parses @s for @d into @out. Returns 0, or -EINVAL with a message naming
 * the parameter and the bad value in @err. */
int pt_param_parse(const struct pt_param_def *d, const char *s, struct pt_pval *out,
		   char *err, size_t errlen);
/* Fills @p with the defaults (or the --quick values) of @defs. */
int pt_params_defaults(struct pt_params *p, const struct pt_param_def *defs, bool quick,
		       char *err, size_t errlen);
/* Sets @key to @val; -ENOENT when @p has no such parameter. */
int pt_params_set(struct pt_params *p, const char *key, const char *val, char *err,
		  size_t errlen);
const struct pt_pval *pt_params_find(const struct pt_params *p, const char *name);
/* Whether @a and @b hold the same values, compared as parsed (64M is
 * 67108864; an enum by its choice; free text as text). */
bool pt_params_equal(const struct pt_params *a, const struct pt_params *b);
/* The value of a declared parameter (aborts on an undeclared name: a bug). */
int64_t pt_param_int(const struct pt_params *p, const char *name);
const char *pt_param_str(const struct pt_params *p, const char *name);
/* Looks for @name in the NULL-terminated @defs. */
const struct pt_param_def *pt_param_def_find(const struct pt_param_def *defs,
					     const char *name);

#endif
