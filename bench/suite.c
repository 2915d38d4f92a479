// SPDX-License-Identifier: MIT
// The suite: each workload's options, with its suite spec's defaults.
#include "suite.h"

#include "budget.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool placements_differ(const struct pt_topo *topo)
{
	return topo && (topo->npackages > 1 || topo->nnuma > 1 || topo->npus > topo->ncores);
}

static int add_interval(const char *item, void *arg, char *err, size_t errlen)
{
	struct pt_ulist *l = arg;
	char *end;
	unsigned long v = strtoul(item, &end, 10);

	if (*end || !v || v > 10000000 || l->n >= PT_MAX_LIST) {
		snprintf(err, errlen, "bad interval '%s'", item);
		return -EINVAL;
	}
	l->v[l->n++] = (unsigned)v;
	return 0;
}

static int add_sweep_value(const char *item, void *arg, char *err, size_t errlen)
{
	struct pt_pset *ps = arg;

	if (ps->nvals >= PT_MAX_LIST) {
		snprintf(err, errlen, "too many values");
		return -EINVAL;
	}
	if (!(ps->vals[ps->nvals] = strdup(item))) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ps->nvals++;
	return 0;
}

/* One "key=v1,v2" sweep of the spec (@len bytes at @sw), unless the user
 * set that key. */
static int suite_sweep(const struct pt_opts *o, struct pt_wl_spec *ws, const char *sw,
		       size_t len, char *err, size_t errlen)
{
	const char *eq = memchr(sw, '=', len);
	size_t klen = eq ? (size_t)(eq - sw) : 0;
	struct pt_pset *ps = &ws->sweep[ws->nsweeps];
	char what[160], *vals;
	int ret;

	if (!eq || !klen || klen >= sizeof(ps->key) || ws->nsweeps >= PT_MAX_PSETS) {
		snprintf(err, errlen, "%s: bad suite sweep '%s'", ws->wl->name, ws->wl->suite.sweep);
		return -EINVAL;
	}
	for (int i = 0; i < o->npsets; i++)
		if (strncmp(o->pset[i].key, sw, klen) == 0 && !o->pset[i].key[klen])
			return 0;
	memcpy(ps->key, sw, klen);
	ps->key[klen] = '\0';
	ws->nsweeps++; /* owns its values from here on */
	if (!(vals = strndup(eq + 1, len - klen - 1)))
		return snprintf(err, errlen, "out of memory"), -ENOMEM;
	snprintf(what, sizeof(what), "%s: suite sweep", ws->wl->name);
	ret = pt_for_each_item(what, vals, add_sweep_value, ps, err, errlen);
	free(vals);
	if (!ret)
		ws->pset[ws->npsets++] = ps;
	return ret;
}

/* The spec's sweeps, ';' between them ("a=1,2;b=x,y"). */
static int suite_sweeps(const struct pt_opts *o, struct pt_wl_spec *ws, char *err,
			size_t errlen)
{
	for (const char *sw = ws->wl->suite.sweep; *sw;) {
		size_t len = strcspn(sw, ";");
		int ret = suite_sweep(o, ws, sw, len, err, errlen);

		if (ret)
			return ret;
		sw += len + (sw[len] == ';');
	}
	return 0;
}

static int add_start(const char *item, void *arg, char *err, size_t errlen)
{
	struct pt_wl_spec *ws = arg;
	const struct pt_start_method *sm = pt_start_find(item);

	if (!sm || ws->nstarts >= PT_MAX_STARTS) {
		snprintf(err, errlen, "bad start method '%s'", item);
		return -EINVAL;
	}
	ws->starts[ws->nstarts++] = sm;
	return 0;
}

static int add_suite_fraction(const char *item, void *arg, char *err, size_t errlen)
{
	struct pt_wl_spec *ws = arg;
	char *end;
	double v = strtod(item, &end);

	if (*end || !(v >= 0 && v <= 1) || ws->nshared >= PT_MAX_LIST) {
		snprintf(err, errlen, "bad suite ft_shared value '%s'", item);
		return -EINVAL;
	}
	ws->shared[ws->nshared++] = v;
	return 0;
}

/* The suite spec's models: the others are off. */
static int add_suite_model(const char *item, void *arg, char *err, size_t errlen)
{
	bool *on = arg;
	enum pt_model m;

	if (pt_model_parse(item, &m)) {
		snprintf(err, errlen, "bad suite model '%s'", item);
		return -EINVAL;
	}
	on[m] = true;
	return 0;
}

static int suite_models(const struct pt_suite *s, struct pt_wl_spec *ws, char *err,
			size_t errlen)
{
	bool on[PT_MODEL_COUNT] = { false };

	if (s->models && pt_for_each_item(ws->wl->name, s->models, add_suite_model, on, err,
					  errlen))
		return -EINVAL;
	for (int m = 0; m < PT_MODEL_COUNT; m++)
		ws->model_off[m] = s->models && !on[m];
	/* ft runs where the suite compares it with free threads and the GIL:
	 * countdown at several --shared, the primitives, pool. */
	if (!s->ft_shared)
		ws->model_off[PT_MODEL_FT] = true;
	return 0;
}

/* @o as it applies to @ws->wl: what the user gave, else (in suite mode)
 * the workload's suite spec. */
static int resolve_workload(const struct pt_opts *o, const struct pt_topo *topo,
			    struct pt_wl_spec *ws, char *err, size_t errlen)
{
	const struct pt_suite *s = &ws->wl->suite;
	char why[256];

	memcpy(ws->workers, o->workers, sizeof(ws->workers));
	ws->nworkers = o->nworkers;
	memcpy(ws->binds, o->binds, sizeof(ws->binds));
	ws->nbinds = o->nbinds;
	ws->intervals = o->intervals;
	ws->checks = o->checks;
	memcpy(ws->starts, o->starts, sizeof(ws->starts));
	ws->nstarts = o->nstarts;
	memcpy(ws->shared, o->shared, sizeof(ws->shared));
	ws->nshared = o->nshared;
	memcpy(ws->containers, o->containers, sizeof(ws->containers));
	ws->ncontainers = o->ncontainers;
	ws->ft_tax_pct = o->ft_tax_pct;
	for (int k = 0; k < o->npsets; k++)
		if (pt_param_def_find(ws->wl->params, o->pset[k].key))
			ws->pset[ws->npsets++] = &o->pset[k];
	if (!o->suite)
		return 0;
	if (s->workers && !o->workers_given &&
	    pt_parse_workers(s->workers, topo, ws->workers, PT_MAX_LIST, &ws->nworkers, why,
			     sizeof(why)))
		return snprintf(err, errlen, "%s: bad suite workers '%s': %s", ws->wl->name,
				s->workers, why), -EINVAL;
	if (s->intervals && !o->intervals.n &&
	    pt_for_each_item(ws->wl->name, s->intervals, add_interval, &ws->intervals, err,
			     errlen))
		return -EINVAL;
	if (s->starts && !o->nstarts &&
	    pt_for_each_item(ws->wl->name, s->starts, add_start, ws, err, errlen))
		return -EINVAL;
	if (!o->models_given && suite_models(s, ws, err, errlen))
		return -EINVAL;
	if (s->ft_shared && !o->nshared &&
	    pt_for_each_item(ws->wl->name, s->ft_shared, add_suite_fraction, ws, err, errlen))
		return -EINVAL;
	if (s->placements && !o->binds_given && placements_differ(topo)) {
		ws->nbinds = 0;
		for (int b = 0; b < PT_BIND_COUNT; b++)
			ws->binds[ws->nbinds++] = (enum pt_bind)b;
	}
	return s->sweep ? suite_sweeps(o, ws, err, errlen) : 0;
}

/* The run's budget: --budget, or in the default suite its share of the
 * default job budget (make bench also runs the calibration and the
 * report); none otherwise. With a budget the plan starts from the minimum
 * the decision rule needs (the scheduler adds more where intervals are
 * wide), unless -r fixes the repetitions. */
static void resolve_reps(const struct pt_opts *o, const struct pt_topo *topo,
			 struct pt_spec *spec)
{
	struct pt_budget_split split;

	spec->npus = topo ? topo->npus : 1;
	spec->budget_s = INFINITY;
	if (o->budget_s > 0)
		spec->budget_s = o->budget_s;
	else if (o->suite && pt_budget_split(pt_suite_budget_s(spec->npus), true, &split) == 0)
		spec->budget_s = split.suite_s;
	spec->reps[0] = (struct pt_reps){ o->repeat, o->warmup };
	if (isfinite(spec->budget_s) && !o->repeat_given)
		spec->reps[0].repeat = PT_MIN_REPS;
	spec->nreps = 1;
}

int pt_suite_resolve(const struct pt_opts *o, const struct pt_topo *topo, struct pt_spec *spec,
		     char *err, size_t errlen)
{
	memset(spec, 0, sizeof(*spec));
	spec->wl = calloc((size_t)o->nwl + 1, sizeof(*spec->wl));
	if (!spec->wl)
		return snprintf(err, errlen, "out of memory"), -ENOMEM;
	for (int i = 0; i < o->nwl; i++) {
		int ret;

		spec->wl[i].wl = o->wl[i];
		spec->nwl = i + 1;
		ret = resolve_workload(o, topo, &spec->wl[i], err, errlen);
		if (ret) {
			pt_spec_free(spec);
			return ret;
		}
	}
	memcpy(spec->models, o->models, sizeof(spec->models));
	spec->nmodels = o->nmodels;
	spec->neighbours = o->neighbours;
	spec->quick = o->quick;
	spec->timeout_s = o->timeout_s;
	resolve_reps(o, topo, spec);
	return 0;
}

void pt_spec_free(struct pt_spec *spec)
{
	for (int i = 0; i < spec->nwl; i++)
		for (int k = 0; k < spec->wl[i].nsweeps; k++)
			for (int j = 0; j < spec->wl[i].sweep[k].nvals; j++)
				free(spec->wl[i].sweep[k].vals[j]);
	free(spec->wl);
	memset(spec, 0, sizeof(*spec));
}

double pt_suite_budget_s(int npus)
{
	double doublings = npus > 2 ? log2((double)npus / 2.0) : 0.0;

	/* 3 minutes on a 2-PU machine; each doubling of the machine adds a
	 * little over half of that: log2 growth, 12.9 minutes at 128 PUs. */
	return 180.0 * (1.0 + 0.55 * doublings);
}
