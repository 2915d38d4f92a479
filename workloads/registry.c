// SPDX-License-Identifier: MIT
// The one table of workloads.
#include "workload.h"

#include <stdio.h>
#include <string.h>

const struct pt_workload *const pt_workloads[] = {
	&pt_wl_countdown,
	&pt_wl_filewrite,
	&pt_wl_sockrecv,
	&pt_wl_sleep,
	&pt_wl_spawn,
	&pt_wl_event,
	&pt_wl_condition,
	&pt_wl_semaphore,
	&pt_wl_barrier,
	&pt_wl_queue,
	&pt_wl_timer,
	&pt_wl_convoy,
	&pt_wl_pool,
	&pt_wl_fault,
	NULL,
};

const char *pt_kind_name(enum pt_kind k)
{
	static const char *const names[] = {
		[PT_KIND_CPU] = "cpu",	   [PT_KIND_IO] = "io",
		[PT_KIND_COST] = "cost",   [PT_KIND_SYNC] = "sync",
		[PT_KIND_MIXED] = "mixed", [PT_KIND_SELFTEST] = "self-test",
	};
	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

const struct pt_workload *pt_workload_find(const char *name)
{
	pt_for_each_workload(pp)
		if (strcmp((*pp)->name, name) == 0)
			return *pp;
	return NULL;
}

int pt_workload_metric(const struct pt_workload *wl, const char *name)
{
	for (int i = 0; wl->metrics && wl->metrics[i].name; i++)
		if (strcmp(wl->metrics[i].name, name) == 0)
			return i;
	return -1;
}

const char *pt_workload_skip_reason(const struct pt_workload *wl, enum pt_model model, int n)
{
	static _Thread_local char why[96];

	if (!(wl->models & PT_MODEL_BIT(model))) {
		if (wl->skip_why)
			return wl->skip_why;
		snprintf(why, sizeof(why), "%s does not run under %s", wl->name,
			 pt_model_name(model));
		return why;
	}
	if (n < wl->min_workers) {
		snprintf(why, sizeof(why), "%s needs at least %d workers", wl->name,
			 wl->min_workers);
		return why;
	}
	return NULL;
}
