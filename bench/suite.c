// SPDX-License-Identifier: MIT
// The default suite: per-workload plans, a time estimate, a budget.
#include "suite.h"

#include "error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* What one repetition costs the driver beyond the workload: a fork of the
 * point's process, its setup and reaping (a few ms, measured on the
 * development machine), rounded up. */
#define PT_REP_OVERHEAD_S 0.02

static bool placements_differ(const struct pt_topo *topo)
{
	return topo && (topo->npackages > 1 || topo->nnuma > 1 || topo->npus > topo->ncores);
}

void pt_suite_opts(const struct pt_opts *o, const struct pt_workload *wl,
		   const struct pt_topo *topo, struct pt_opts *out)
{
	const struct pt_suite *s = &wl->suite;
	char err[256];

	*out = *o;
	out->first_owned_pset = o->npsets;
	if (!o->suite)
		return;
	if (s->workers && !o->workers_given &&
	    pt_parse_workers(s->workers, topo, out->workers, PT_MAX_LIST, &out->nworkers, err,
			     sizeof(err)))
		pt_fatal("%s: bad suite workers '%s': %s", wl->name, s->workers, err);
	if (s->intervals && !o->nintervals) {
		char *copy = strdup(s->intervals), *p, *save = NULL;

		if (!copy)
			pt_fatal("out of memory");
		out->nintervals = 0;
		for (p = strtok_r(copy, ",", &save); p && out->nintervals < PT_MAX_LIST;
		     p = strtok_r(NULL, ",", &save))
			out->intervals[out->nintervals++] = (unsigned)strtoul(p, NULL, 10);
		free(copy);
	}
	if (s->starts && !o->nstarts) {
		char *copy = strdup(s->starts), *p, *save = NULL;

		if (!copy)
			pt_fatal("out of memory");
		for (p = strtok_r(copy, ",", &save); p && out->nstarts < 3;
		     p = strtok_r(NULL, ",", &save))
			if (!(out->starts[out->nstarts++] = pt_start_find(p)))
				pt_fatal("%s: bad suite start method '%s'", wl->name, p);
		free(copy);
	}
	if (s->placements && !o->binds_given && placements_differ(topo)) {
		out->nbinds = 0;
		for (int b = 0; b < PT_BIND_COUNT; b++)
			out->binds[out->nbinds++] = (enum pt_bind)b;
	}
	for (const char *sw = s->sweep; sw && *sw;) {
		const char *end = strchr(sw, ';'), *eq = strchr(sw, '=');
		size_t klen = eq ? (size_t)(eq - sw) : 0;
		bool user = false;
		char *copy, *p, *save = NULL;
		int k = out->npsets;

		if (!end)
			end = sw + strlen(sw);
		if (!eq || eq > end || klen >= sizeof(out->pset[0].key) || k >= PT_MAX_PSETS)
			pt_fatal("%s: bad suite sweep '%s'", wl->name, s->sweep);
		for (int i = 0; i < o->npsets; i++)
			user |= strncmp(o->pset[i].key, sw, klen) == 0 && !o->pset[i].key[klen];
		if (!user) {
			memcpy(out->pset[k].key, sw, klen);
			out->pset[k].key[klen] = '\0';
			out->pset[k].nvals = 0;
			copy = strndup(eq + 1, (size_t)(end - eq - 1));
			if (!copy)
				pt_fatal("out of memory");
			for (p = strtok_r(copy, ",", &save); p && out->pset[k].nvals < PT_MAX_LIST;
			     p = strtok_r(NULL, ",", &save))
				if (!(out->pset[k].vals[out->pset[k].nvals++] = strdup(p)))
					pt_fatal("out of memory");
			free(copy);
			out->npsets++;
		}
		sw = *end ? end + 1 : end;
	}
}

void pt_suite_opts_free(struct pt_opts *out)
{
	for (int i = out->first_owned_pset; i < out->npsets; i++)
		for (int j = 0; j < out->pset[i].nvals; j++)
			free(out->pset[i].vals[j]);
	out->npsets = out->first_owned_pset;
}

double pt_plan_estimate_s(const struct pt_plan *plan, int npus)
{
	double total = 0;

	for (int j = 0; j < plan->njobs; j++) {
		const struct pt_point *pt = &plan->pts[plan->jobs[j].point];

		if (pt_workload_skip_reason(pt->wl, pt->model, pt->nworkers))
			continue;
		total += PT_REP_OVERHEAD_S +
			 (pt->wl->estimate_s ? pt->wl->estimate_s(&pt->params, pt->model,
								  pt->nworkers, npus)
					     : PT_DEFAULT_ESTIMATE_S);
	}
	return total;
}

double pt_suite_budget_s(int npus)
{
	double doublings = npus > 2 ? log2((double)npus / 2.0) : 0.0;

	/* 3 minutes on a 2-PU machine; each doubling of the machine adds a
	 * little over half of that: log2 growth, 12.9 minutes at 128 PUs. */
	return 180.0 * (1.0 + 0.55 * doublings);
}

double pt_suite_fit(struct pt_plan *plan, struct pt_opts *o, const struct pt_topo *topo)
{
	static const int tries[][2] = { { 5, 1 }, { 4, 1 }, { 3, 1 }, { 3, 0 } };
	int npus = topo ? topo->npus : 1;
	double budget = pt_suite_budget_s(npus), est = pt_plan_estimate_s(plan, npus);

	if (!o->suite || o->repeat_given || o->warmup_given)
		return est;
	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]) && est > budget; i++) {
		o->repeat = tries[i][0];
		o->warmup = tries[i][1];
		pt_plan_free(plan);
		pt_plan_build(plan, o, topo);
		est = pt_plan_estimate_s(plan, npus);
	}
	return est;
}
