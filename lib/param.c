// SPDX-License-Identifier: MIT
// Typed workload parameters.
#include "param.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	/* strtoll would take leading blanks and a '+'; a value is digits. */
	if (!((*s >= '0' && *s <= '9') || (*s == '-' && s[1] >= '0' && s[1] <= '9')))
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_size(const char *s, int64_t *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	if (!(*s >= '0' && *s <= '9'))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	default: return -EINVAL;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || v > (unsigned long long)(INT64_MAX >> shift))
		return -EINVAL;
	*out = (int64_t)(v << shift);
	return 0;
}

static int enum_index(const char *choices, const char *s)
{
	size_t len = strlen(s);
	int idx = 0;

	for (const char *p = choices; *p; idx++) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);

		if (n == len && strncmp(p, s, n) == 0)
			return idx;
		if (!bar)
			break;
		p = bar + 1;
	}
	return -1;
}

int pt_param_parse(const struct pt_param_def *d, const char *s, struct pt_pval *out,
		   char *err, size_t errlen)
{
	int64_t v = 0;

	if (strlen(s) >= sizeof(out->str)) {
		snprintf(err, errlen, "parameter %s: value too long", d->name);
		return -EINVAL;
	}
	switch (d->type) {
	case PT_PARAM_INT:
	case PT_PARAM_SIZE:
		if ((d->type == PT_PARAM_INT ? parse_i64(s, &v) : parse_size(s, &v)) != 0) {
			snprintf(err, errlen, "parameter %s: '%s' is not %s", d->name, s,
				 d->type == PT_PARAM_INT ? "an integer"
							 : "a size (e.g. 4096, 64K, 256M)");
			return -EINVAL;
		}
		if (v < d->min || v > d->max) {
			snprintf(err, errlen,
				 "parameter %s: %s is out of range [%" PRId64 ", %" PRId64 "]",
				 d->name, s, d->min, d->max);
			return -EINVAL;
		}
		break;
	case PT_PARAM_ENUM:
		v = enum_index(d->choices, s);
		if (v < 0) {
			snprintf(err, errlen, "parameter %s: '%s' is not one of %s", d->name,
				 s, d->choices);
			return -EINVAL;
		}
		break;
	case PT_PARAM_STR:
		break;
	}
	out->def = d;
	out->i = v;
	snprintf(out->str, sizeof(out->str), "%s", s);
	return 0;
}

int pt_params_defaults(struct pt_params *p, const struct pt_param_def *defs, bool quick,
		       char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	for (const struct pt_param_def *d = defs; d && d->name; d++) {
		const char *val = quick && d->quick ? d->quick : d->def;

		if (p->n >= PT_MAX_PARAMS) {
			snprintf(err, errlen, "too many parameters (a bug)");
			return -E2BIG;
		}
		if (pt_param_parse(d, val, &p->v[p->n], err, errlen))
			return -EINVAL;
		p->n++;
	}
	return 0;
}

const struct pt_pval *pt_params_find(const struct pt_params *p, const char *name)
{
	for (int i = 0; i < p->n; i++)
		if (strcmp(p->v[i].def->name, name) == 0)
			return &p->v[i];
	return NULL;
}

bool pt_params_equal(const struct pt_params *a, const struct pt_params *b)
{
	if (a->n != b->n)
		return false;
	for (int i = 0; i < a->n; i++) {
		const struct pt_pval *x = &a->v[i], *y = &b->v[i];

		if (x->def != y->def)
			return false;
		if (x->def->type == PT_PARAM_STR ? strcmp(x->str, y->str) != 0 : x->i != y->i)
			return false;
	}
	return true;
}

int pt_params_set(struct pt_params *p, const char *key, const char *val, char *err,
		  size_t errlen)
{
	for (int i = 0; i < p->n; i++)
		if (strcmp(p->v[i].def->name, key) == 0)
			return pt_param_parse(p->v[i].def, val, &p->v[i], err, errlen);
	snprintf(err, errlen, "unknown parameter '%s'", key);
	return -ENOENT;
}

static const struct pt_pval *must_find(const struct pt_params *p, const char *name)
{
	const struct pt_pval *v = pt_params_find(p, name);

	if (!v) {
		fprintf(stderr, "ptbench: bug: undeclared parameter '%s'\n", name);
		abort();
	}
	return v;
}

int64_t pt_param_int(const struct pt_params *p, const char *name)
{
	return must_find(p, name)->i;
}

const char *pt_param_str(const struct pt_params *p, const char *name)
{
	return must_find(p, name)->str;
}

const struct pt_param_def *pt_param_def_find(const struct pt_param_def *defs,
					     const char *name)
{
	for (const struct pt_param_def *d = defs; d && d->name; d++)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}
