// SPDX-License-Identifier: MIT
// Options of `ptbench run`, and the plan of points and repetitions.
#include "plan.h"

#include "error.h"
#include "suite.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pt_opts_defaults(struct pt_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->repeat = 5;
	o->warmup = 1;
}

void pt_opts_free(struct pt_opts *o)
{
	for (int i = 0; i < o->npsets; i++)
		for (int j = 0; j < o->pset[i].nvals; j++)
			free(o->pset[i].vals[j]);
}

/* Splits @s at commas into @item callbacks; an empty list or item is an
 * error naming @what. */
typedef int (*item_fn)(const char *item, void *arg, char *err, size_t errlen);

static void for_each_item(const char *what, const char *s, item_fn fn, void *arg)
{
	char err[256] = "", *copy, *p, *save = NULL;

	if (!*s)
		pt_usage_error("%s: empty list", what);
	if (s[0] == ',' || s[strlen(s) - 1] == ',' || strstr(s, ",,"))
		pt_usage_error("%s: empty item in '%s'", what, s);
	copy = strdup(s);
	if (!copy)
		pt_fatal("out of memory");
	for (p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		if (fn(p, arg, err, sizeof(err))) {
			free(copy);
			pt_usage_error("%s: %s", what, err);
		}
	}
	free(copy);
}

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int add_workload(const char *item, void *arg, char *err, size_t errlen)
{
	struct pt_opts *o = arg;
	const struct pt_workload *wl = pt_workload_find(item);

	if (!wl) {
		snprintf(err, errlen, "unknown workload '%s' (see 'ptbench list')", item);
		return -EINVAL;
	}
	for (int i = 0; i < o->nwl; i++)
		if (o->wl[i] == wl)
			return 0;
	if (o->nwl >= PT_MAX_LIST) {
		snprintf(err, errlen, "too many workloads");
		return -EINVAL;
	}
	o->wl[o->nwl++] = wl;
	return 0;
}

static int add_model(const char *item, void *arg, char *err, size_t errlen)
{
	struct pt_opts *o = arg;
	enum pt_model m;

	if (pt_model_parse(item, &m)) {
		snprintf(err, errlen, "unknown model '%s' (serial, threads, procs, gil, gil-old)",
			 item);
		return -EINVAL;
	}
	for (int i = 0; i < o->nmodels; i++)
		if (o->models[i] == m)
			return 0;
	o->models[o->nmodels++] = m;
	return 0;
}

static int add_bind(const char *item, void *arg, char *err, size_t errlen)
{
	struct pt_opts *o = arg;
	enum pt_bind b;

	if (pt_bind_parse(item, &b)) {
		snprintf(err, errlen, "unknown placement '%s' (none, compact, scatter)", item);
		return -EINVAL;
	}
	for (int i = 0; i < o->nbinds; i++)
		if (o->binds[i] == b)
			return 0;
	o->binds[o->nbinds++] = b;
	return 0;
}

struct ulist {
	unsigned *v;
	int *n;
	long min, max;
	const char *unit;
};

static int add_unsigned(const char *item, void *arg, char *err, size_t errlen)
{
	struct ulist *l = arg;
	long v;

	if (parse_long(item, l->min, l->max, &v)) {
		snprintf(err, errlen, "'%s' is not a whole number of %s in [%ld, %ld]", item,
			 l->unit, l->min, l->max);
		return -EINVAL;
	}
	if (*l->n >= PT_MAX_LIST) {
		snprintf(err, errlen, "too many values");
		return -EINVAL;
	}
	l->v[(*l->n)++] = (unsigned)v;
	return 0;
}

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

static int add_workers(const char *item, void *arg, char *err, size_t errlen)
{
	struct wlist *l = arg;
	const char *dash;
	long a, b;

	if (strcmp(item, "auto") == 0) {
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
	dash = strchr(item, '-');
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

static void add_pset(struct pt_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *copy, *p, *save = NULL;
	size_t klen;
	int k;

	if (!eq || eq == arg)
		pt_usage_error("-p: '%s' is not KEY=VALUE", arg);
	klen = (size_t)(eq - arg);
	if (klen >= sizeof(o->pset[0].key))
		pt_usage_error("-p: parameter name too long in '%s'", arg);
	for (k = 0; k < o->npsets; k++)
		if (strncmp(o->pset[k].key, arg, klen) == 0 && !o->pset[k].key[klen])
			pt_usage_error("-p: parameter '%.*s' given twice", (int)klen, arg);
	if (o->npsets >= PT_MAX_PSETS)
		pt_usage_error("-p: too many parameters");
	if (!eq[1] || eq[1] == ',' || eq[strlen(eq) - 1] == ',' || strstr(eq, ",,"))
		pt_usage_error("-p %.*s: empty value in '%s'", (int)klen, arg, arg);
	memcpy(o->pset[k].key, arg, klen);
	o->pset[k].key[klen] = '\0';
	copy = strdup(eq + 1);
	if (!copy)
		pt_fatal("out of memory");
	for (p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		if (o->pset[k].nvals >= PT_MAX_LIST)
			pt_usage_error("-p %s: too many values", o->pset[k].key);
		o->pset[k].vals[o->pset[k].nvals] = strdup(p);
		if (!o->pset[k].vals[o->pset[k].nvals++])
			pt_fatal("out of memory");
	}
	free(copy);
	o->npsets++;
}

enum { OPT_WARMUP = 256, OPT_SWITCH, OPT_CHECK, OPT_QUICK, OPT_TIMEOUT, OPT_FORCE,
       OPT_DRY_RUN };

static const struct option long_opts[] = {
	{ "workload", required_argument, NULL, 'w' },
	{ "model", required_argument, NULL, 'm' },
	{ "workers", required_argument, NULL, 'n' },
	{ "repeat", required_argument, NULL, 'r' },
	{ "warmup", required_argument, NULL, OPT_WARMUP },
	{ "bind", required_argument, NULL, 'b' },
	{ "param", required_argument, NULL, 'p' },
	{ "switch-interval", required_argument, NULL, OPT_SWITCH },
	{ "check-interval", required_argument, NULL, OPT_CHECK },
	{ "out", required_argument, NULL, 'o' },
	{ "quick", no_argument, NULL, OPT_QUICK },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ 0 },
};

void pt_run_usage(void);
void pt_print_version(void);

void pt_opts_parse(struct pt_opts *o, int argc, char **argv, const struct pt_topo *topo)
{
	const char *workers = NULL;
	int c;
	long v;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":w:m:n:r:b:p:o:qhV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'w':
			for_each_item("-w/--workload", optarg, add_workload, o);
			break;
		case 'm':
			for_each_item("-m/--model", optarg, add_model, o);
			break;
		case 'n':
			workers = optarg;
			o->workers_given = true;
			break;
		case 'r':
			if (parse_long(optarg, 1, 1000, &v))
				pt_usage_error("-r/--repeat: '%s' is not a count in [1, 1000]",
					       optarg);
			o->repeat = (int)v;
			o->repeat_given = true;
			break;
		case OPT_WARMUP:
			if (parse_long(optarg, 0, 100, &v))
				pt_usage_error("--warmup: '%s' is not a count in [0, 100]", optarg);
			o->warmup = (int)v;
			o->warmup_given = true;
			break;
		case 'b':
			for_each_item("-b/--bind", optarg, add_bind, o);
			o->binds_given = true;
			break;
		case 'p':
			add_pset(o, optarg);
			break;
		case OPT_SWITCH: {
			struct ulist l = { o->intervals, &o->nintervals, 1, 10000000, "microseconds" };

			for_each_item("--switch-interval", optarg, add_unsigned, &l);
			break;
		}
		case OPT_CHECK: {
			struct ulist l = { o->checks, &o->nchecks, 1, 1000000000, "ticks" };

			for_each_item("--check-interval", optarg, add_unsigned, &l);
			break;
		}
		case 'o':
			if (!*optarg)
				pt_usage_error("-o/--out: empty directory name");
			o->out = optarg;
			break;
		case OPT_QUICK:
			o->quick = true;
			break;
		case OPT_TIMEOUT: {
			char *end;
			double t;

			errno = 0;
			t = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(t > 0) || t > 86400)
				pt_usage_error("--timeout: '%s' is not a number of seconds in (0, 86400]",
					       optarg);
			o->timeout_s = t;
			break;
		}
		case OPT_FORCE:
			o->force = true;
			break;
		case OPT_DRY_RUN:
			o->dry_run = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			pt_run_usage();
			exit(PT_EXIT_OK);
		case 'V':
			pt_print_version();
			exit(PT_EXIT_OK);
		case ':':
			pt_usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt)
				pt_usage_error("unknown option '-%c'", optopt);
			pt_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		pt_usage_error("unexpected argument '%s'", argv[optind]);

	if (!o->nwl) {
		o->suite = true;
		pt_for_each_workload(pp)
			if ((*pp)->kind != PT_KIND_SELFTEST)
				o->wl[o->nwl++] = *pp;
	}
	if (!o->nmodels)
		for (int m = 0; m < PT_MODEL_COUNT; m++)
			o->models[o->nmodels++] = (enum pt_model)m;
	if (!o->nbinds)
		o->binds[o->nbinds++] = PT_BIND_NONE;
	{
		char err[256];

		if (pt_parse_workers(workers ? workers : "auto", topo, o->workers, PT_MAX_LIST,
				     &o->nworkers, err, sizeof(err)))
			pt_usage_error("-n/--workers: %s", err);
	}
	/* A -p key must belong to at least one selected workload. */
	for (int k = 0; k < o->npsets; k++) {
		bool known = false;

		for (int i = 0; i < o->nwl && !known; i++)
			known = pt_param_def_find(o->wl[i]->params, o->pset[k].key) != NULL;
		if (!known)
			pt_usage_error("-p: unknown parameter '%s' for the selected workload(s)",
				       o->pset[k].key);
	}
}

/* --- the plan --- */

static void push_point(struct pt_plan *plan, int *cap, const struct pt_point *pt)
{
	if (plan->npts == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		plan->pts = realloc(plan->pts, (size_t)*cap * sizeof(*plan->pts));
		if (!plan->pts)
			pt_fatal("out of memory");
	}
	plan->pts[plan->npts++] = *pt;
}

/* Every combination of the swept parameters of one workload: the odometer
 * @idx runs over each applicable -p list. */
static void plan_workload(struct pt_plan *plan, int *cap, const struct pt_opts *o,
			  const struct pt_workload *wl)
{
	int idx[PT_MAX_PSETS] = { 0 };
	char err[256];

	for (;;) {
		struct pt_point pt = { .wl = wl, .quick = o->quick };
		int k;

		if (pt_params_defaults(&pt.params, wl->params, o->quick, err, sizeof(err)))
			pt_fatal("%s: bad default: %s", wl->name, err);
		for (k = 0; k < o->npsets; k++) {
			if (!pt_param_def_find(wl->params, o->pset[k].key))
				continue;
			if (pt_params_set(&pt.params, o->pset[k].key, o->pset[k].vals[idx[k]], err,
					  sizeof(err)))
				pt_usage_error("-p: %s: %s", wl->name, err);
		}
		if (wl->validate && wl->validate(&pt.params, err, sizeof(err)))
			pt_usage_error("-p: %s: %s", wl->name, err);

		for (int wi = 0; wi < o->nworkers; wi++)
			for (int bi = 0; bi < o->nbinds; bi++)
				for (int mi = 0; mi < o->nmodels; mi++) {
					enum pt_model m = o->models[mi];
					int nsi = m == PT_MODEL_GIL && o->nintervals ? o->nintervals : 1;
					int nci = m == PT_MODEL_GIL_OLD && o->nchecks ? o->nchecks : 1;

					pt.nworkers = o->workers[wi];
					pt.bind = o->binds[bi];
					pt.model = m;
					for (int si = 0; si < nsi; si++)
						for (int ci = 0; ci < nci; ci++) {
							pt.switch_interval_us = 0;
							pt.check_interval = 0;
							if (m == PT_MODEL_GIL)
								pt.switch_interval_us = o->nintervals ? o->intervals[si] : PT_GIL_DEFAULT_INTERVAL_US;
							if (m == PT_MODEL_GIL_OLD)
								pt.check_interval = o->nchecks ? o->checks[ci] : PT_GIL_DEFAULT_CHECK;
							push_point(plan, cap, &pt);
						}
				}

		/* Next combination. */
		for (k = 0; k < o->npsets; k++) {
			if (!pt_param_def_find(wl->params, o->pset[k].key))
				continue;
			if (++idx[k] < o->pset[k].nvals)
				break;
			idx[k] = 0;
		}
		if (k == o->npsets)
			break;
	}
}

static bool same_group(const struct pt_point *a, const struct pt_point *b)
{
	return a->wl == b->wl && a->nworkers == b->nworkers && a->bind == b->bind &&
	       memcmp(&a->params, &b->params, sizeof(a->params)) == 0;
}

void pt_plan_build(struct pt_plan *plan, const struct pt_opts *o, const struct pt_topo *topo)
{
	int cap = 0, j = 0;

	memset(plan, 0, sizeof(*plan));
	for (int i = 0; i < o->nwl; i++) {
		struct pt_opts wo;

		pt_suite_opts(o, o->wl[i], topo, &wo);
		plan_workload(plan, &cap, &wo, o->wl[i]);
		pt_suite_opts_free(&wo);
	}

	plan->jobs = calloc((size_t)plan->npts * (size_t)(o->repeat + o->warmup) + 1,
			    sizeof(*plan->jobs));
	if (!plan->jobs)
		pt_fatal("out of memory");
	/* Points that will be compared (the models of one workload, worker
	 * count, placement and parameters) are consecutive: interleave their
	 * repetitions, A B C A B C, warmups first. */
	for (int g = 0; g < plan->npts;) {
		int end = g + 1;

		while (end < plan->npts && same_group(&plan->pts[g], &plan->pts[end]))
			end++;
		for (int rep = -o->warmup; rep < o->repeat; rep++)
			for (int p = g; p < end; p++)
				plan->jobs[j++] = (struct pt_job){ .point = p, .rep = rep };
		g = end;
	}
	plan->njobs = j;
}

void pt_plan_free(struct pt_plan *plan)
{
	free(plan->pts);
	free(plan->jobs);
	memset(plan, 0, sizeof(*plan));
}

double pt_plan_timeout(const struct pt_opts *o, const struct pt_point *pt)
{
	(void)pt;
	if (o->timeout_s > 0)
		return o->timeout_s;
	/* Default sizes take well under a second per worker; a serial run of
	 * many workers, a slow machine or a loaded one gets ample room. */
	return 60.0 + 2.0 * pt->nworkers;
}
