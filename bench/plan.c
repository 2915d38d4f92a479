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
#include <sys/resource.h>
#include <unistd.h>

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

static int add_start(const char *item, void *arg, char *err, size_t errlen)
{
	struct pt_opts *o = arg;
	const struct pt_start_method *s = pt_start_find(item);

	if (!s) {
		snprintf(err, errlen, "unknown start method '%s' (%s)", item, PT_START_CHOICES);
		return -EINVAL;
	}
	for (int i = 0; i < o->nstarts; i++)
		if (o->starts[i] == s)
			return 0;
	o->starts[o->nstarts++] = s;
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

enum { OPT_WARMUP = 256, OPT_NEIGHBOURS, OPT_SWITCH, OPT_CHECK, OPT_QUICK, OPT_TIMEOUT, OPT_FORCE,
       OPT_DRY_RUN, OPT_START };

static const struct option long_opts[] = {
	{ "workload", required_argument, NULL, 'w' },
	{ "model", required_argument, NULL, 'm' },
	{ "workers", required_argument, NULL, 'n' },
	{ "repeat", required_argument, NULL, 'r' },
	{ "warmup", required_argument, NULL, OPT_WARMUP },
	{ "bind", required_argument, NULL, 'b' },
	{ "param", required_argument, NULL, 'p' },
	{ "switch-interval", required_argument, NULL, OPT_SWITCH },
	{ "cpu-neighbours", required_argument, NULL, OPT_NEIGHBOURS },
	{ "check-interval", required_argument, NULL, OPT_CHECK },
	{ "start", required_argument, NULL, OPT_START },
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

static const char short_opts[] = ":w:m:n:r:b:p:o:qhV";

/* getopt_long's '?': @arg is the argument it was looking at. optopt is 0 for
 * an unknown or ambiguous long option, the option's value for a long option
 * given a value it does not take (--quick=1: OPT_QUICK; --quiet=1: 'q', a
 * valid short option), else an unknown short option's character. */
static _Noreturn void bad_option(const char *arg)
{
	bool long_opt = strncmp(arg, "--", 2) == 0;

	if (optopt == 0 && long_opt)
		pt_usage_error("unknown or ambiguous option '%s'", arg);
	if (long_opt && (optopt >= 256 || strchr(short_opts + 1, optopt))) {
		const char *eq = strchr(arg, '=');

		pt_usage_error("option '%.*s' takes no value (in '%s')",
			       eq ? (int)(eq - arg) : (int)strlen(arg), arg, arg);
	}
	if (optopt > 0x20 && optopt < 0x7f)
		pt_usage_error("unknown option '-%c'", optopt);
	pt_usage_error("unknown option in '%s'", arg);
}

void pt_opts_parse(struct pt_opts *o, int argc, char **argv, const struct pt_topo *topo)
{
	const char *workers = NULL;
	int c;
	long v;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
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
		case OPT_NEIGHBOURS:
			if (parse_long(optarg, 0, 64, &v))
				pt_usage_error("--cpu-neighbours: '%s' is not a count in [0, 64]",
					       optarg);
			o->neighbours = (int)v;
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
		case OPT_START:
			for_each_item("--start", optarg, add_start, o);
			break;
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
			bad_option(argv[optind - 1]);
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
	if (o->nstarts) {
		bool procs = false;

		for (int i = 0; i < o->nmodels; i++)
			procs |= o->models[i] == PT_MODEL_PROCS;
		if (!procs)
			pt_usage_error("--start: start methods apply to processes, and -m selects no "
				       "procs point");
	}
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
		struct pt_point pt = { .wl = wl, .quick = o->quick, .neighbours = o->neighbours };
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
					int nst = m == PT_MODEL_PROCS && o->nstarts ? o->nstarts : 1;

					pt.nworkers = o->workers[wi];
					pt.bind = o->binds[bi];
					pt.model = m;
					for (int si = 0; si < nsi * nst; si++)
						for (int ci = 0; ci < nci; ci++) {
							pt.start = m != PT_MODEL_PROCS ? NULL
								   : o->nstarts ? o->starts[si % nst]
										: &pt_start_fork;
							pt.switch_interval_us = 0;
							pt.check_interval = 0;
							if (m == PT_MODEL_GIL)
								pt.switch_interval_us = o->nintervals ? o->intervals[si / nst] : PT_GIL_DEFAULT_INTERVAL_US;
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

/* Bounds on the plan, checked before it is built: each -p, -n, -m, -b and
 * interval list multiplies it, and 16 sweeps of 64 values would be 64^16
 * points. A point takes about 1.7 KB and a repetition's result about 0.6 KB;
 * 100000 repetitions of even 20 ms are over half an hour. */
#define PT_MAX_POINTS 10000
#define PT_MAX_RUNS 100000

/* Points @wo makes for @wl, as plan_workload() would (as a double: the
 * product may be astronomical). */
static double count_points(const struct pt_opts *wo, const struct pt_workload *wl)
{
	double n = (double)wo->nworkers * wo->nbinds, models = 0;

	for (int k = 0; k < wo->npsets; k++)
		if (pt_param_def_find(wl->params, wo->pset[k].key))
			n *= wo->pset[k].nvals;
	for (int mi = 0; mi < wo->nmodels; mi++) {
		enum pt_model m = wo->models[mi];

		models += m == PT_MODEL_GIL && wo->nintervals	 ? wo->nintervals
			  : m == PT_MODEL_GIL_OLD && wo->nchecks ? wo->nchecks
			  : m == PT_MODEL_PROCS && wo->nstarts	 ? wo->nstarts
								 : 1;
	}
	return n * models;
}

static long read_long_file(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* Bytes this process may use, by its memory cgroup (v2) and the machine. */
static double memory_limit(void)
{
	double phys = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
	char line[512], path[700];
	FILE *f = fopen("/proc/self/cgroup", "r");

	if (phys <= 0)
		phys = INFINITY;
	if (!f)
		return phys;
	while (fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');
		long v;

		/* "0::/path" (v2) or "N:memory:/path" (v1), cgroups(7). */
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "0::", 3) == 0)
			snprintf(path, sizeof(path), "/sys/fs/cgroup%s/memory.max", line + 3);
		else if (c && strncmp(c, ":memory:", 8) == 0)
			snprintf(path, sizeof(path), "/sys/fs/cgroup/memory%s/memory.limit_in_bytes",
				 c + 8);
		else
			continue;
		v = read_long_file(path); /* "max" reads as no number: -1 */
		if (v > 0 && (double)v < phys)
			phys = (double)v;
	}
	fclose(f);
	return phys;
}

/* Spawning more workers than the system lets us is bad input, not a failed
 * point: checked against the process limit (RLIMIT_NPROC counts threads too
 * on Linux, and does not apply to root: kernel/fork.c copy_process()), the
 * kernel's threads-max and pid_max, and memory (a forked worker's page
 * tables, kernel stack and copied pages, a thread's stack under RLIMIT_AS).
 * The point's process and the driver count as two more. */
static void check_worker_limits(const struct pt_plan *plan)
{
	/* Rough floors of what a worker costs: enough to refuse absurd counts,
	 * not to predict. */
	const double proc_bytes = 512 * 1024.0, thread_bytes = 64 * 1024.0;
	int maxn = 0, maxprocs = 0;
	struct rlimit rl;
	long lim;
	double mem;

	for (int i = 0; i < plan->npts; i++) {
		const struct pt_point *pt = &plan->pts[i];

		if (pt->model == PT_MODEL_SERIAL ||
		    pt_workload_skip_reason(pt->wl, pt->model, pt->nworkers))
			continue;
		if (pt->nworkers > maxn)
			maxn = pt->nworkers;
		if (pt->model == PT_MODEL_PROCS && pt->nworkers > maxprocs)
			maxprocs = pt->nworkers;
	}
	if (!maxn)
		return;
	if (getuid() != 0 && getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    (double)maxn + 2 > (double)rl.rlim_cur)
		pt_usage_error("-n/--workers: %d workers exceed the process limit "
			       "(RLIMIT_NPROC, ulimit -u: %llu processes and threads)",
			       maxn, (unsigned long long)rl.rlim_cur);
	lim = read_long_file("/proc/sys/kernel/threads-max");
	if (lim > 0 && maxn + 2 > lim)
		pt_usage_error("-n/--workers: %d workers exceed the kernel's threads-max (%ld)",
			       maxn, lim);
	lim = read_long_file("/proc/sys/kernel/pid_max");
	if (lim > 0 && maxn + 2 > lim)
		pt_usage_error("-n/--workers: %d workers exceed the kernel's pid_max (%ld)", maxn,
			       lim);
	mem = memory_limit();
	if ((double)maxprocs * proc_bytes > mem || (double)maxn * thread_bytes > mem)
		pt_usage_error("-n/--workers: %d workers need more memory than the %.0f MiB "
			       "available", maxprocs > 0 ? maxprocs : maxn, mem / (1 << 20));
	if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		struct rlimit st;
		double stack = 8 << 20;

		if (getrlimit(RLIMIT_STACK, &st) == 0 && st.rlim_cur != RLIM_INFINITY)
			stack = (double)st.rlim_cur; /* glibc's default thread stack size */
		if ((double)maxn * stack > (double)rl.rlim_cur)
			pt_usage_error("-n/--workers: %d thread stacks of %.0f KiB exceed the "
				       "address-space limit (RLIMIT_AS, ulimit -v: %llu KiB)",
				       maxn, stack / 1024, (unsigned long long)rl.rlim_cur / 1024);
	}
}

void pt_plan_build(struct pt_plan *plan, const struct pt_opts *o, const struct pt_topo *topo)
{
	int cap = 0, j = 0;
	double npts = 0;

	memset(plan, 0, sizeof(*plan));
	for (int i = 0; i < o->nwl; i++) {
		struct pt_opts wo;

		pt_suite_opts(o, o->wl[i], topo, &wo);
		npts += count_points(&wo, o->wl[i]);
		pt_suite_opts_free(&wo);
	}
	if (npts > PT_MAX_POINTS)
		pt_usage_error("the plan has %.0f points, more than %d: narrow -w, -m, -n, -b, -p "
			       "or the intervals", npts, PT_MAX_POINTS);
	if (npts * (o->repeat + o->warmup) > PT_MAX_RUNS)
		pt_usage_error("the plan has %.0f points x %d repetitions = %.0f runs, more than "
			       "%d: lower -r/--warmup or narrow the plan",
			       npts, o->repeat + o->warmup, npts * (o->repeat + o->warmup),
			       PT_MAX_RUNS);
	for (int i = 0; i < o->nwl; i++) {
		struct pt_opts wo;

		pt_suite_opts(o, o->wl[i], topo, &wo);
		plan_workload(plan, &cap, &wo, o->wl[i]);
		pt_suite_opts_free(&wo);
	}
	check_worker_limits(plan);

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

/* The default timeout of a repetition: 30 s, plus 10 times the workload's
 * own estimate of the repetition (its estimate_s hook, as on a machine with
 * a single processing unit, so that every worker is counted as if
 * serialised; without the hook PT_DEFAULT_ESTIMATE_S per worker), at most
 * a day. The estimate scales with the point's size (count, duration, worker
 * count...); the factor covers a machine several times slower than the one
 * the estimates were measured on, or a loaded one, or a sanitizer build;
 * the 30 s cover spawning, setup and the smallest points. Quick points get
 * about 30 s, countdown's default count about 33 s per weak-scaled worker. */
#define PT_TIMEOUT_FLOOR_S 30.0
#define PT_TIMEOUT_FACTOR 10.0
#define PT_TIMEOUT_MAX_S 86400.0

double pt_plan_timeout(const struct pt_opts *o, const struct pt_point *pt)
{
	double est, t;

	if (o->timeout_s > 0)
		return o->timeout_s;
	est = pt->wl->estimate_s ? pt->wl->estimate_s(&pt->params, pt->model, pt->nworkers, 1)
				 : PT_DEFAULT_ESTIMATE_S * pt->nworkers;
	if (!(est >= 0))
		est = PT_DEFAULT_ESTIMATE_S * pt->nworkers; /* NaN or negative: a bug */
	t = PT_TIMEOUT_FLOOR_S + PT_TIMEOUT_FACTOR * est;
	return t < PT_TIMEOUT_MAX_S ? t : PT_TIMEOUT_MAX_S;
}
