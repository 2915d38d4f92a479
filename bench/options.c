// SPDX-License-Identifier: MIT
// Options of `ptbench run`: the table, its typed setters, the parser.
#include "options.h"

#include "budget.h"
#include "stats.h"
#include "suggest.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FIELD(o, d, type) ((type *)(void *)((char *)(o) + (d)->field))

void pt_opts_defaults(struct pt_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->repeat = 6; /* the paired rule's 6 rounds for a 95% interval (lib/stats.h) */
	o->warmup = 1;
	o->rep_lo_s = PT_TARGET_LO_S;
	o->rep_hi_s = PT_TARGET_HI_S;
	o->band = PT_BAND_DEFAULT;
	o->ft_tax_pct = PT_FT_DEFAULT_TAX_PCT;
}

void pt_opts_free(struct pt_opts *o)
{
	for (int i = 0; i < o->npsets; i++)
		for (int j = 0; j < o->pset[i].nvals; j++)
			free(o->pset[i].vals[j]);
	o->npsets = 0;
}

const char *pt_opt_what(const struct pt_optdef *d, char *buf, size_t n)
{
	if (d->key < 256)
		snprintf(buf, n, "-%c/--%s", d->key, d->name);
	else
		snprintf(buf, n, "--%s", d->name);
	return buf;
}

int pt_for_each_item(const char *what, const char *s, pt_item_fn fn, void *arg, char *err,
		     size_t errlen)
{
	char item_err[256] = "", *copy, *p, *save = NULL;
	int ret = 0;

	if (!*s) {
		snprintf(err, errlen, "%s: empty list", what);
		return -EINVAL;
	}
	if (s[0] == ',' || s[strlen(s) - 1] == ',' || strstr(s, ",,")) {
		snprintf(err, errlen, "%s: empty item in '%s'", what, s);
		return -EINVAL;
	}
	copy = strdup(s);
	if (!copy) {
		snprintf(err, errlen, "%s: out of memory", what);
		return -ENOMEM;
	}
	for (p = strtok_r(copy, ",", &save); p && !ret; p = strtok_r(NULL, ",", &save))
		ret = fn(p, arg, item_err, sizeof(item_err));
	if (ret)
		snprintf(err, errlen, "%s: %s", what, item_err);
	free(copy);
	return ret;
}

/* A decimal number as a whole: no leading space or sign games. */
static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!((*s >= '0' && *s <= '9') || (*s == '-' && s[1] >= '0' && s[1] <= '9')))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* --- typed setters --- */

/* Appends the @size bytes at @v to the @*n items of @arr (room for @max)
 * unless one of them equals it: a list names each value once. */
static int push_once(void *arr, size_t size, int *n, int max, const void *v, char *err,
		     size_t errlen)
{
	for (int i = 0; i < *n; i++)
		if (memcmp((char *)arr + (size_t)i * size, v, size) == 0)
			return 0;
	if (*n >= max) {
		snprintf(err, errlen, "too many values (at most %d)", max);
		return -EINVAL;
	}
	memcpy((char *)arr + (size_t)(*n)++ * size, v, size);
	return 0;
}

#define PUSH_ONCE(a, n, v, err, errlen) \
	push_once((a), sizeof((a)[0]), (n), (int)(sizeof(a) / sizeof((a)[0])), (v), (err), (errlen))

/* What an item setter of a list option gets: the options and the option. */
struct list_ctx {
	struct pt_opts *o;
	const struct pt_optdef *d;
};

/* Every list option: its comma list, item by item through the table's
 * @d->item. */
static int set_list(struct pt_opts *o, const struct pt_optdef *d, const char *arg, char *err,
		    size_t errlen)
{
	struct list_ctx c = { o, d };
	char what[64];

	return pt_for_each_item(pt_opt_what(d, what, sizeof(what)), arg, d->item, &c, err,
				errlen);
}

static int set_count(struct pt_opts *o, const struct pt_optdef *d, const char *arg, char *err,
		     size_t errlen)
{
	char what[64];
	long v;

	if (parse_long(arg, (long)d->min, (long)d->max, &v)) {
		snprintf(err, errlen, "%s: '%s' is not a count in [%.0f, %.0f]",
			 pt_opt_what(d, what, sizeof(what)), arg, d->min, d->max);
		return -EINVAL;
	}
	*FIELD(o, d, int) = (int)v;
	return 0;
}

static int set_flag(struct pt_opts *o, const struct pt_optdef *d, const char *arg, char *err,
		    size_t errlen)
{
	(void)arg;
	(void)err;
	(void)errlen;
	*FIELD(o, d, bool) = true;
	return 0;
}

/* Seconds in (min, max]. */
static int set_seconds(struct pt_opts *o, const struct pt_optdef *d, const char *arg, char *err,
		       size_t errlen)
{
	char what[64], *end;
	double t;

	errno = 0;
	t = (*arg >= '0' && *arg <= '9') || *arg == '.' ? strtod(arg, &end) : NAN;
	if (errno || !isfinite(t) || *end || !(t > d->min) || t > d->max) {
		snprintf(err, errlen, "%s: '%s' is not a number of seconds in (%g, %g]",
			 pt_opt_what(d, what, sizeof(what)), arg, d->min, d->max);
		return -EINVAL;
	}
	*FIELD(o, d, double) = t;
	return 0;
}

/* A decimal number as a whole: 0 or -EINVAL (nan and inf are no numbers). */
static int parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (!((*s >= '0' && *s <= '9') || *s == '.'))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v))
		return -EINVAL;
	*out = v;
	return 0;
}

/* A percentage in [min, max]. */
static int set_percent(struct pt_opts *o, const struct pt_optdef *d, const char *arg, char *err,
		       size_t errlen)
{
	char what[64];
	double v;

	if (parse_double(arg, &v) || v < d->min || v > d->max) {
		snprintf(err, errlen, "%s: '%s' is not a percentage in [%g, %g]",
			 pt_opt_what(d, what, sizeof(what)), arg, d->min, d->max);
		return -EINVAL;
	}
	*FIELD(o, d, double) = v;
	return 0;
}

/* A fraction in [0, 1], once each. */
static int add_fraction(const char *item, void *arg, char *err, size_t errlen)
{
	struct pt_opts *o = ((struct list_ctx *)arg)->o;
	double v;

	if (parse_double(item, &v) || v > 1) {
		snprintf(err, errlen, "'%s' is not a fraction in [0, 1]", item);
		return -EINVAL;
	}
	return PUSH_ONCE(o->shared, &o->nshared, &v, err, errlen);
}

static int add_container(const char *item, void *arg, char *err, size_t errlen)
{
	struct pt_opts *o = ((struct list_ctx *)arg)->o;
	unsigned v;

	if (strcmp(item, "0") != 0 && strcmp(item, "1") != 0) {
		snprintf(err, errlen, "'%s' is not 0 (a shared object) or 1 (a shared container)",
			 item);
		return -EINVAL;
	}
	v = item[0] == '1';
	return PUSH_ONCE(o->containers, &o->ncontainers, &v, err, errlen);
}

static int set_text(struct pt_opts *o, const struct pt_optdef *d, const char *arg, char *err,
		    size_t errlen)
{
	char what[64];

	if (!*arg) {
		snprintf(err, errlen, "%s: empty value", pt_opt_what(d, what, sizeof(what)));
		return -EINVAL;
	}
	*FIELD(o, d, const char *) = arg;
	return 0;
}

/* A positive number in (lo, hi], strictly parsed (no blanks, no sign). */
static int parse_pos(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	if (!((*s >= '0' && *s <= '9') || *s == '.'))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || !(v > lo) || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

/* --rep-time MS or LO-HI, in milliseconds: 1 ms to 60 s. */
static int set_rep_time(struct pt_opts *o, const struct pt_optdef *d, const char *arg,
			char *err, size_t errlen)
{
	const char *dash = strchr(arg, '-');
	char lo[32];
	double a, b;

	(void)d;
	if (dash && (size_t)(dash - arg) < sizeof(lo)) {
		memcpy(lo, arg, (size_t)(dash - arg));
		lo[dash - arg] = '\0';
	}
	if (dash ? (size_t)(dash - arg) >= sizeof(lo) || parse_pos(lo, 0.999, 60000, &a) ||
			   parse_pos(dash + 1, 0.999, 60000, &b) || b < a
		 : parse_pos(arg, 0.999, 60000, &a)) {
		snprintf(err, errlen,
			 "--rep-time: '%s' is not MS or LO-HI milliseconds in [1, 60000], LO <= HI",
			 arg);
		return -EINVAL;
	}
	o->rep_lo_s = a / 1000;
	o->rep_hi_s = (dash ? b : a) / 1000;
	o->rep_time_given = true;
	return 0;
}

static int set_band(struct pt_opts *o, const struct pt_optdef *d, const char *arg, char *err,
		    size_t errlen)
{
	double v;

	(void)d;
	if (parse_pos(arg, 0, 99.999, &v)) {
		snprintf(err, errlen, "--band: '%s' is not a percentage above 0 and below 100", arg);
		return -EINVAL;
	}
	o->band = v / 100;
	return 0;
}

static int set_seed(struct pt_opts *o, const struct pt_optdef *d, const char *arg, char *err,
		    size_t errlen)
{
	char *end;
	unsigned long long v;

	(void)d;
	errno = 0;
	v = *arg >= '0' && *arg <= '9' ? strtoull(arg, &end, 10) : 0;
	if (!(*arg >= '0' && *arg <= '9') || errno || *end) {
		snprintf(err, errlen, "--seed: '%s' is not a whole number", arg);
		return -EINVAL;
	}
	o->seed = v;
	o->seed_given = true;
	return 0;
}

/* A whole number in [d->min, d->max] into the struct pt_ulist at d->field. */
static int add_unsigned(const char *item, void *arg, char *err, size_t errlen)
{
	const struct list_ctx *c = arg;
	struct pt_ulist *l = FIELD(c->o, c->d, struct pt_ulist);
	unsigned u;
	long v;

	if (parse_long(item, (long)c->d->min, (long)c->d->max, &v)) {
		snprintf(err, errlen, "'%s' is not a whole number of %s in [%.0f, %.0f]", item,
			 c->d->unit, c->d->min, c->d->max);
		return -EINVAL;
	}
	u = (unsigned)v;
	return PUSH_ONCE(l->v, &l->n, &u, err, errlen);
}

static int add_workload(const char *item, void *arg, char *err, size_t errlen)
{
	struct pt_opts *o = ((struct list_ctx *)arg)->o;
	const struct pt_workload *wl = pt_workload_find(item);

	if (!wl) {
		const char *names[PT_MAX_LIST];
		int n = 0;

		pt_for_each_workload(pp)
			if (n < PT_MAX_LIST)
				names[n++] = (*pp)->name;
		snprintf(err, errlen, "unknown workload '%s'", item);
		pt_suggest_append(err, errlen, item, names, n);
		return -EINVAL;
	}
	return PUSH_ONCE(o->wl, &o->nwl, &wl, err, errlen);
}

static int add_model(const char *item, void *arg, char *err, size_t errlen)
{
	struct pt_opts *o = ((struct list_ctx *)arg)->o;
	enum pt_model m;

	if (pt_model_parse(item, &m)) {
		const char *names[PT_MODEL_COUNT];

		for (int k = 0; k < PT_MODEL_COUNT; k++)
			names[k] = pt_model_name((enum pt_model)k);
		snprintf(err, errlen, "unknown model '%s'", item);
		pt_suggest_append(err, errlen, item, names, PT_MODEL_COUNT);
		return -EINVAL;
	}
	return PUSH_ONCE(o->models, &o->nmodels, &m, err, errlen);
}

static int add_start(const char *item, void *arg, char *err, size_t errlen)
{
	struct pt_opts *o = ((struct list_ctx *)arg)->o;
	const struct pt_start_method *sm = pt_start_find(item);

	if (!sm) {
		snprintf(err, errlen, "unknown start method '%s' (%s)", item, PT_START_CHOICES);
		return -EINVAL;
	}
	return PUSH_ONCE(o->starts, &o->nstarts, &sm, err, errlen);
}

static int add_bind(const char *item, void *arg, char *err, size_t errlen)
{
	struct pt_opts *o = ((struct list_ctx *)arg)->o;
	enum pt_bind b;

	if (pt_bind_parse(item, &b)) {
		snprintf(err, errlen, "unknown placement '%s' (none, compact, scatter)", item);
		return -EINVAL;
	}
	return PUSH_ONCE(o->binds, &o->nbinds, &b, err, errlen);
}

/* -p KEY=V1,V2: checked against the workloads once all options are in. */
static int set_param(struct pt_opts *o, const struct pt_optdef *d, const char *arg, char *err,
		     size_t errlen)
{
	const char *eq = strchr(arg, '=');
	struct pt_pset *ps = &o->pset[o->npsets];
	char *copy, *p, *save = NULL;
	size_t klen;

	(void)d;
	if (!eq || eq == arg)
		return snprintf(err, errlen, "-p: '%s' is not KEY=VALUE", arg), -EINVAL;
	klen = (size_t)(eq - arg);
	if (klen >= sizeof(ps->key))
		return snprintf(err, errlen, "-p: parameter name too long in '%s'", arg), -EINVAL;
	for (int k = 0; k < o->npsets; k++)
		if (strncmp(o->pset[k].key, arg, klen) == 0 && !o->pset[k].key[klen])
			return snprintf(err, errlen, "-p: parameter '%.*s' given twice", (int)klen,
					arg), -EINVAL;
	if (o->npsets >= PT_MAX_PSETS)
		return snprintf(err, errlen, "-p: too many parameters"), -EINVAL;
	if (!eq[1] || eq[1] == ',' || eq[strlen(eq) - 1] == ',' || strstr(eq, ",,"))
		return snprintf(err, errlen, "-p %.*s: empty value in '%s'", (int)klen, arg, arg),
		       -EINVAL;
	if (!(copy = strdup(eq + 1)))
		return snprintf(err, errlen, "-p: out of memory"), -ENOMEM;
	memcpy(ps->key, arg, klen);
	ps->key[klen] = '\0';
	o->npsets++; /* owns its values from here on: pt_opts_free() frees them */
	for (p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		if (ps->nvals >= PT_MAX_LIST) {
			free(copy);
			return snprintf(err, errlen, "-p %s: too many values", ps->key), -EINVAL;
		}
		if (!(ps->vals[ps->nvals] = strdup(p))) {
			free(copy);
			return snprintf(err, errlen, "-p: out of memory"), -ENOMEM;
		}
		ps->nvals++;
	}
	free(copy);
	return 0;
}

enum { OPT_WARMUP = 256, OPT_NEIGHBOURS, OPT_SWITCH, OPT_CHECK, OPT_QUICK, OPT_TIMEOUT,
       OPT_FORCE, OPT_DRY_RUN, OPT_START, OPT_BUDGET, OPT_REP_TIME, OPT_BAND, OPT_SEED,
       OPT_SHARED, OPT_CONTAINER, OPT_FT_TAX,
       OPT_HELP = 'h', OPT_VERSION = 'V' };

#define F(name) offsetof(struct pt_opts, name)

/* Adding an option is adding a row (and its field in struct pt_opts). */
const struct pt_optdef pt_run_options[] = {
	{ .name = "workload", .key = 'w', .arg = "LIST", .set = set_list, .item = add_workload,
	  .help = "workloads (default: all but self-tests; see list)" },
	{ .name = "model", .key = 'm', .arg = "LIST", .set = set_list, .item = add_model,
	  .given = F(models_given),
	  .help = "serial,threads,procs,gil,gil-old,ft (default: all;\n"
		  "the default suite: each workload's own, see list)" },
	{ .name = "workers", .key = 'n', .arg = "LIST", .set = set_text, .field = F(workers_arg),
	  .given = F(workers_given), .help = "e.g. 1,2,4, ranges 1-8, or auto (default)" },
	{ .name = "repeat", .key = 'r', .arg = "N", .set = set_count, .field = F(repeat),
	  .given = F(repeat_given), .min = 1, .max = 1000,
	  .help = "measured repetitions per point (default: 6; with a\n"
		  "budget at least 4, more where intervals are wide)" },
	{ .name = "warmup", .key = OPT_WARMUP, .arg = "N", .set = set_count, .field = F(warmup),
	  .given = F(warmup_given), .min = 0, .max = 100,
	  .help = "discarded repetitions first (default 1)" },
	{ .name = "bind", .key = 'b', .arg = "LIST", .set = set_list, .item = add_bind, .given = F(binds_given),
	  .help = "none,compact,scatter (default none)" },
	{ .name = "param", .key = 'p', .arg = "KEY=VALUE", .set = set_param,
	  .help = "workload parameter; a comma list sweeps it" },
	{ .name = "switch-interval", .key = OPT_SWITCH, .arg = "LIST", .set = set_list, .item = add_unsigned,
	  .field = F(intervals), .min = 1, .max = 10000000, .unit = "microseconds",
	  .help = "gil switch interval(s), us (default 5000)" },
	{ .name = "check-interval", .key = OPT_CHECK, .arg = "LIST", .set = set_list, .item = add_unsigned,
	  .field = F(checks), .min = 1, .max = 1000000000, .unit = "ticks",
	  .help = "gil-old check interval(s), ticks (default 100)" },
	{ .name = "start", .key = OPT_START, .arg = "LIST", .set = set_list, .item = add_start,
	  .help = "procs start method(s): fork, forkserver, spawn\n(default fork)" },
	{ .name = "shared", .key = OPT_SHARED, .arg = "LIST", .set = set_list, .item = add_fraction,
	  .help = "ft: fraction(s) of ticks touching a shared object,\n"
		  "0 to 1 (default 0; the other models pay nothing)" },
	{ .name = "container", .key = OPT_CONTAINER, .arg = "LIST", .set = set_list, .item = add_container,
	  .help = "ft: 1 = those ticks operate on a shared container\n"
		  "under its per-object lock, 0 = take a reference\n"
		  "(default 0)" },
	{ .name = "ft-tax", .key = OPT_FT_TAX, .arg = "PCT", .set = set_percent,
	  .field = F(ft_tax_pct), .min = 0, .max = PT_FT_MAX_TAX_PCT,
	  .help = "ft: single-thread tax, % of a tick (default 8, the\n"
		  "Python 3.14 docs' figure for x86-64 Linux)" },
	{ .name = "cpu-neighbours", .key = OPT_NEIGHBOURS, .arg = "N", .set = set_count,
	  .field = F(neighbours), .min = 0, .max = 64,
	  .help = "N extra CPU-bound workers run beside each point\n"
		  "(its figures exclude them; not under serial; under\n"
		  "a GIL each handoff may wait a switch interval:\n"
		  "use smaller sizes or a longer --timeout)" },
	{ .name = "out", .key = 'o', .arg = "DIR", .set = set_text, .field = F(out),
	  .help = "output directory (default results/<stamp>-<host>)" },
	{ .name = "force", .key = OPT_FORCE, .set = set_flag, .field = F(force),
	  .help = "write into a DIR that already holds results" },
	{ .name = "quick", .key = OPT_QUICK, .set = set_flag, .field = F(quick),
	  .help = "small sizes, for tests" },
	{ .name = "timeout", .key = OPT_TIMEOUT, .arg = "SEC", .set = set_seconds,
	  .field = F(timeout_s), .min = 0, .max = 86400,
	  .help = "per repetition (default: 30 s + 10 x its estimate)" },
	{ .name = "budget", .key = OPT_BUDGET, .arg = "SEC", .set = set_seconds,
	  .field = F(budget_s), .min = 0, .max = 30 * 86400.0,
	  .help = "time budget of the run (default suite: its share of\n"
		  "make bench's budget); when it runs out, what was\n"
		  "measured is kept and marked partial" },
	{ .name = "rep-time", .key = OPT_REP_TIME, .arg = "MS[-MS]", .set = set_rep_time,
	  .help = "target time of one repetition, sized by pilots\n"
		  "unless -p fixes the size (default 50-100)" },
	{ .name = "band", .key = OPT_BAND, .arg = "PCT", .set = set_band,
	  .help = "equivalence band of the decision rule (default 5)" },
	{ .name = "seed", .key = OPT_SEED, .arg = "N", .set = set_seed,
	  .help = "seed of the model order within rounds (default: time)" },
	{ .name = "dry-run", .key = OPT_DRY_RUN, .set = set_flag, .field = F(dry_run),
	  .help = "print the plan and how the budget is split, run nothing" },
	{ .name = "quiet", .key = 'q', .set = set_flag, .field = F(quiet),
	  .help = "no progress or table" },
	{ .name = "help", .key = OPT_HELP },
	{ .name = "version", .key = OPT_VERSION },
	{ .name = NULL },
};

#undef F

#define NOPTS (sizeof(pt_run_options) / sizeof(pt_run_options[0]))

void pt_opts_usage(FILE *f)
{
	fputs("run options:\n", f);
	for (const struct pt_optdef *d = pt_run_options; d->name; d++) {
		char left[64];
		const char *h = d->help;

		if (!h)
			continue;
		if (d->key < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", d->key, d->name,
				 d->arg ? " " : "", d->arg ? d->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", d->name, d->arg ? " " : "",
				 d->arg ? d->arg : "");
		/* Continuation lines line up under the first. */
		for (int first = 1; *h; first = 0) {
			size_t len = strcspn(h, "\n");

			fprintf(f, "  %-24s  %.*s\n", first ? left : "", (int)len, h);
			h += len + (h[len] == '\n');
		}
	}
	fputs("  -h, --help, --version\n", f);
}

/* getopt_long's tables, from pt_run_options. */
static void getopt_tables(struct option *lo, char *so, size_t solen)
{
	size_t k = 0, s = 0;

	so[s++] = ':';
	for (const struct pt_optdef *d = pt_run_options; d->name; d++, k++) {
		lo[k] = (struct option){ d->name, d->arg ? required_argument : no_argument, NULL,
					 d->key };
		if (d->key < 256 && s + 3 < solen) {
			so[s++] = (char)d->key;
			if (d->arg)
				so[s++] = ':';
		}
	}
	lo[k] = (struct option){ 0 };
	so[s] = '\0';
}

static const struct pt_optdef *find_opt(int key)
{
	for (const struct pt_optdef *d = pt_run_options; d->name; d++)
		if (d->key == key)
			return d;
	return NULL;
}

/* getopt_long's '?': @arg is the argument it was looking at. optopt is 0 for
 * an unknown or ambiguous long option, the option's value for a long option
 * given a value it does not take (--quick=1: OPT_QUICK; --quiet=1: 'q', a
 * valid short option), else an unknown short option's character. */
static void bad_option(const char *arg, char *err, size_t errlen)
{
	bool long_opt = strncmp(arg, "--", 2) == 0;
	const char *eq = strchr(arg, '=');

	if (optopt == 0 && long_opt) {
		const char *names[NOPTS], *near;
		char word[64];
		size_t used;
		int n = 0, starts = 0;

		snprintf(word, sizeof(word), "%.*s", eq ? (int)(eq - arg - 2) : (int)strlen(arg + 2),
			 arg + 2);
		for (const struct pt_optdef *d = pt_run_options; d->name; d++) {
			names[n++] = d->name;
			starts += strncmp(d->name, word, strlen(word)) == 0;
		}
		if (starts < 2) {
			near = pt_suggest(word, names, n);
			snprintf(err, errlen, "unknown option '%s'%s%s%s", arg,
				 near ? "; did you mean '--" : "", near ? near : "", near ? "'?" : "");
			return;
		}
		/* getopt takes an unambiguous start of a name: this one has several */
		used = (size_t)snprintf(err, errlen, "ambiguous option '%s': ", arg);
		for (int k = 0, m = 0; k < n && used < errlen; k++)
			if (strncmp(names[k], word, strlen(word)) == 0)
				used += (size_t)snprintf(err + used, errlen - used, "%s--%s",
							 m++ ? ", " : "", names[k]);
	} else if (long_opt && find_opt(optopt))
		snprintf(err, errlen, "option '%.*s' takes no value (in '%s')",
			 eq ? (int)(eq - arg) : (int)strlen(arg), arg, arg);
	else if (optopt > 0x20 && optopt < 0x7f)
		snprintf(err, errlen, "unknown option '-%c'", optopt);
	else
		snprintf(err, errlen, "unknown option in '%s'", arg);
}

/* -p KEY for no selected workload: the closest of their parameters, and
 * all of them. */
static int unknown_param(const struct pt_opts *o, const char *key, char *err, size_t errlen)
{
	const char *names[64];
	int n = 0;

	for (int i = 0; i < o->nwl; i++)
		for (const struct pt_param_def *d = o->wl[i]->params; d && d->name; d++) {
			bool dup = false;

			for (int k = 0; k < n && !dup; k++)
				dup = strcmp(names[k], d->name) == 0;
			if (!dup && n < 64)
				names[n++] = d->name;
		}
	snprintf(err, errlen, "-p: unknown parameter '%s' for %s", key,
		 o->nwl == 1 ? o->wl[0]->name : "the selected workloads");
	pt_suggest_append(err, errlen, key, names, n);
	return -EINVAL;
}

/* What the options leave to defaults, and the checks that need all of them:
 * the worker list, and -p keys against the selected workloads. */
static int opts_finish(struct pt_opts *o, const struct pt_topo *topo, char *err, size_t errlen)
{
	char why[256];

	if (!o->nwl) {
		o->suite = true;
		pt_for_each_workload(pp)
			if ((*pp)->kind != PT_KIND_SELFTEST && o->nwl < PT_MAX_LIST)
				o->wl[o->nwl++] = *pp;
	}
	if (!o->nmodels)
		for (int m = 0; m < PT_MODEL_COUNT; m++)
			o->models[o->nmodels++] = (enum pt_model)m;
	if (!o->nbinds)
		o->binds[o->nbinds++] = PT_BIND_NONE;
	if (o->nstarts) {
		bool procs = false;

		for (int i = 0; i < o->nmodels; i++)
			procs |= o->models[i] == PT_MODEL_PROCS;
		if (!procs)
			return snprintf(err, errlen, "--start: start methods apply to processes, and "
					"-m selects no procs point"), -EINVAL;
	}
	if (pt_parse_workers(o->workers_arg ? o->workers_arg : "auto", topo, o->workers,
			     PT_MAX_LIST, &o->nworkers, why, sizeof(why)))
		return snprintf(err, errlen, "-n/--workers: %s", why), -EINVAL;
	/* What the core can spawn for one point, neighbours included (-n auto
	 * on a machine with more processing units than that, too). */
	for (int i = 0; i < o->nworkers; i++)
		if (o->workers[i] + o->neighbours > PT_MAX_WORKERS)
			return snprintf(err, errlen,
					"-n/--workers '%s': %d workers%s%.0d are more than a point "
					"can run (%d)", o->workers_arg ? o->workers_arg : "auto",
					o->workers[i], o->neighbours ? " + --cpu-neighbours " : "",
					o->neighbours, PT_MAX_WORKERS), -EINVAL;
	for (int k = 0; k < o->npsets; k++) {
		bool known = false;

		for (int i = 0; i < o->nwl && !known; i++)
			known = pt_param_def_find(o->wl[i]->params, o->pset[k].key) != NULL;
		if (!known)
			return unknown_param(o, o->pset[k].key, err, errlen);
	}
	return 0;
}

/* The option named by @elem when it is a long option written with one
 * dash ("-budget": getopt reads -b with the value "udget"), else NULL. */
static const struct pt_optdef *single_dash_long(const char *elem)
{
	size_t len;

	if (elem[0] != '-' || elem[1] == '-' || strlen(elem) < 3)
		return NULL;
	len = strcspn(elem + 1, "=");
	for (const struct pt_optdef *d = pt_run_options; d->name; d++)
		if (strlen(d->name) == len && strncmp(elem + 1, d->name, len) == 0)
			return d;
	return NULL;
}

/* The option @val names when it is one (the value of an option was left
 * out, and the next option taken for it: "-w -n 2"), else NULL. A negative
 * number is a value. */
static const char *option_as_value(const char *val)
{
	if (val[0] != '-' || !val[1] || (val[1] >= '0' && val[1] <= '9') || val[1] == '.')
		return NULL;
	if (val[1] != '-')
		return !val[2] && find_opt((unsigned char)val[1]) ? val : NULL;
	for (const struct pt_optdef *d = pt_run_options; d->name; d++)
		if (strncmp(val + 2, d->name, strlen(d->name)) == 0 &&
		    (!val[2 + strlen(d->name)] || val[2 + strlen(d->name)] == '='))
			return val;
	return NULL;
}

enum pt_parse pt_opts_parse(struct pt_opts *o, int argc, char **argv,
			    const struct pt_topo *topo, char *err, size_t errlen)
{
	struct option lo[NOPTS];
	char so[2 * NOPTS + 2];
	const struct pt_optdef *d;
	int c;

	getopt_tables(lo, so, sizeof(so));
	optind = 1;
	opterr = 0;
	for (;;) {
		/* The argument getopt looks at: while it walks a cluster of
		 * short options ("-qz") optind stays on it. */
		int at = optind;
		const char *elem;

		if ((c = getopt_long(argc, argv, so, lo, NULL)) == -1)
			break;
		elem = optind == at && at < argc ? argv[at] : argv[optind - 1];
		if ((d = single_dash_long(elem)) != NULL) {
			snprintf(err, errlen, "'%s': a long option takes two dashes: '-%s'", elem,
				 elem);
			return PT_PARSE_ERROR;
		}
		if (c == OPT_HELP)
			return PT_PARSE_HELP;
		if (c == OPT_VERSION)
			return PT_PARSE_VERSION;
		if (c == ':') {
			snprintf(err, errlen, "option '%s' needs a value", elem);
			return PT_PARSE_ERROR;
		}
		if (c == '?' || !(d = find_opt(c))) {
			bad_option(elem, err, errlen);
			return PT_PARSE_ERROR;
		}
		if (d->arg && option_as_value(optarg)) {
			char what[64];

			snprintf(err, errlen, "%s needs a value, and the next argument is the "
				 "option '%s'", pt_opt_what(d, what, sizeof(what)), optarg);
			return PT_PARSE_ERROR;
		}
		if (d->set(o, d, optarg, err, errlen))
			return PT_PARSE_ERROR;
		if (d->given)
			*(bool *)(void *)((char *)o + d->given) = true;
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return PT_PARSE_ERROR;
	}
	return opts_finish(o, topo, err, errlen) ? PT_PARSE_ERROR : PT_PARSE_RUN;
}

/* --- worker lists --- */

struct wlist {
	const struct pt_topo *topo;
	int *out, max, *n;
};

static int push_worker(struct wlist *l, long v, char *err, size_t errlen)
{
	for (int i = 0; i < *l->n; i++)
		if (l->out[i] == v)
			return 0;
	if (*l->n >= l->max) {
		snprintf(err, errlen, "too many worker counts (at most %d)", l->max);
		return -EINVAL;
	}
	l->out[(*l->n)++] = (int)v;
	return 0;
}

static int add_auto(struct wlist *l, char *err, size_t errlen)
{
	int autos[PT_MAX_LIST], k;

	if (!l->topo) {
		snprintf(err, errlen, "'auto' needs the machine's topology");
		return -EINVAL;
	}
	k = pt_topo_auto_workers(l->topo, autos, PT_MAX_LIST);
	for (int i = 0; i < k; i++)
		if (push_worker(l, autos[i], err, errlen))
			return -EINVAL;
	return 0;
}

static int add_workers(const char *item, void *arg, char *err, size_t errlen)
{
	struct wlist *l = arg;
	const char *dash = strchr(item, '-');
	long a, b;

	if (strcmp(item, "auto") == 0)
		return add_auto(l, err, errlen);
	if (dash && dash != item) {
		char lo[32];
		size_t len = (size_t)(dash - item);

		if (len >= sizeof(lo))
			goto bad;
		memcpy(lo, item, len);
		lo[len] = '\0';
		if (parse_long(lo, 1, PT_MAX_WORKERS, &a) ||
		    parse_long(dash + 1, 1, PT_MAX_WORKERS, &b) || b < a)
			goto bad;
		for (long v = a; v <= b; v++)
			if (push_worker(l, v, err, errlen))
				return -EINVAL;
		return 0;
	}
	if (parse_long(item, 1, PT_MAX_WORKERS, &a))
		goto bad;
	return push_worker(l, a, err, errlen);
bad:
	snprintf(err, errlen,
		 "'%s' is not a worker count in [1, %d], a range like 1-8, or auto", item,
		 PT_MAX_WORKERS);
	return -EINVAL;
}

int pt_parse_workers(const char *s, const struct pt_topo *topo, int *out, int max, int *n,
		     char *err, size_t errlen)
{
	struct wlist l = { .topo = topo, .out = out, .max = max, .n = n };
	char *copy, *p, *save = NULL;
	int ret = 0;

	*n = 0;
	if (!*s || s[0] == ',' || s[strlen(s) - 1] == ',' || strstr(s, ",,")) {
		snprintf(err, errlen, "empty item in '%s'", s);
		return -EINVAL;
	}
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	for (p = strtok_r(copy, ",", &save); p && !ret; p = strtok_r(NULL, ",", &save))
		ret = add_workers(p, &l, err, errlen);
	free(copy);
	return ret;
}
