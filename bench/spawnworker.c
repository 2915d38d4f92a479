// SPDX-License-Identifier: MIT
// The worker mode of the spawn start method: a process started by fork and
// exec of this binary rebuilds its point (workload by name, parameters),
// attaches to the team's arena through the inherited descriptor and runs
// the same workload body, or a child task, then exits.
#include "neighbour.h"
#include "point.h"
#include "pystart.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Fields of the string, separated by the ASCII unit separator: the
 * workload, quick (0/1), the repetition's directory, then key=value for
 * every parameter. */
#define SEP '\x1f'

const char *pt_point_spawn_args(const struct pt_point *pt, const struct pt_runenv *env,
				char *buf, size_t n)
{
	size_t used = (size_t)snprintf(buf, n, "%s%c%d%c%s", pt->wl->name, SEP, pt->quick ? 1 : 0,
				       SEP, env->tmpdir ? env->tmpdir : "");

	for (int k = 0; k < pt->params.n && used < n; k++)
		used += (size_t)snprintf(buf + used, n - used, "%c%s=%s", SEP,
					 pt->params.v[k].def->name, pt->params.v[k].str);
	return used < n ? buf : NULL;
}

static _Noreturn void die(const char *what, const char *why)
{
	fprintf(stderr, "ptbench: spawned worker: %s: %s\n", what, why);
	_exit(127);
}

/* The spawner's placement, without the topology: @pu_os is an OS index,
 * which is what sched_setaffinity takes. At the worker's start its process
 * has one thread, so the whole process is bound. */
static int bind_pu(void *ctx, int pu_os, bool whole_process)
{
	cpu_set_t set;

	(void)ctx;
	(void)whole_process;
	if (pu_os < 0 || pu_os >= CPU_SETSIZE)
		return -EINVAL;
	CPU_ZERO(&set);
	CPU_SET(pu_os, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/* Runs the request @r; returns the process's exit status. */
static int spawned_main(const struct pt_spawn_req *r)
{
	struct pt_point pt = { .model = PT_MODEL_PROCS, .nworkers = r->nworkers };
	struct pt_ctx ctx = { 0 };
	struct pt_team_config cfg = { 0 };
	struct pt_arena arena;
	struct pt_team team;
	char *copy, *rest, *f, err[256], *tmpdir;
	const char sep[] = { SEP, 0 };
	int ret;

	if (!r->args)
		die("no point description", "PT_SPAWN_ARGS is missing");
	rest = copy = strdup(r->args);
	if (!copy)
		die("point description", strerror(ENOMEM));
	f = strsep(&rest, sep);
	pt.wl = pt_workload_find(f);
	if (!pt.wl)
		die("unknown workload", f);
	f = strsep(&rest, sep);
	pt.quick = f && *f == '1';
	tmpdir = strsep(&rest, sep);
	if (pt_params_defaults(&pt.params, pt.wl->params, pt.quick, err, sizeof(err)))
		die("parameters", err);
	while ((f = strsep(&rest, sep))) {
		char *eq = strchr(f, '=');

		if (!eq)
			die("malformed parameter", f);
		*eq = '\0';
		if (pt_params_set(&pt.params, f, eq + 1, err, sizeof(err)))
			die("parameters", err);
	}
	ctx = (struct pt_ctx){
		.wl = pt.wl,
		.model = PT_MODEL_PROCS,
		.nworkers = r->nworkers,
		.params = &pt.params,
		.quick = pt.quick,
		.tmpdir = tmpdir && *tmpdir ? tmpdir : NULL,
		.duration_ns = r->duration_ns,
		.ndaemons = r->ndaemons,
	};
	cfg = (struct pt_team_config){
		.model = PT_MODEL_PROCS,
		.nworkers = r->nworkers,
		.ndaemons = r->ndaemons,
		.neighbours = r->neighbours,
		.neighbour_body = pt_neighbour_body,
		.body = pt.wl->run,
		.arg = &ctx,
		.shared_size = pt.wl->shared_size ? pt.wl->shared_size(&ctx) : 0,
		.duration_ns = r->duration_ns,
		.start = &pt_start_spawn, /* its child tasks are spawned too */
		.spawn_args = r->args,
	};
	if (r->bind_pu >= 0 && !r->fn && r->id < r->nworkers + r->neighbours) {
		int *pus = malloc((size_t)(r->nworkers + r->neighbours) * sizeof(*pus));

		if (!pus)
			die("placement", strerror(ENOMEM));
		for (int i = 0; i < r->nworkers + r->neighbours; i++)
			pus[i] = i == r->id ? r->bind_pu : -1;
		cfg.bind_pus = pus;
		cfg.bind = bind_pu;
	}
	ret = pt_arena_attach(&arena, r->fd, r->size, r->base);
	if (ret)
		die("cannot map the arena at the spawner's address", strerror(-ret));
	ret = pt_team_attach(&team, &cfg, &arena);
	if (ret)
		die("the team does not fit its arena", strerror(-ret));
	ctx.team = &team;
	ctx.shared = team.shared;
	return pt_team_run_attached(&team, r->id, r->fn, r->arg);
}

/* Before main(): a process started by the spawn method never reaches the
 * program's own main (ptbench's, or the test runner's). */
__attribute__((constructor)) static void spawned_worker_entry(void)
{
	struct pt_spawn_req r;

	if (!pt_spawn_request(&r))
		return;
	/* Python's start costs, as the spawner models them (no image here:
	 * a spawned interpreter builds its own heap, pt_py_child). */
	pt_py_set(r.python, r.py_counts);
	_exit(spawned_main(&r));
}
