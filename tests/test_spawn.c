// SPDX-License-Identifier: MIT
// spawn: every model creates and joins (or forks and reaps) exactly the
// asked number of workers, with a latency each, and leaves no child behind;
// with pycost=on every start pays CPython's modelled work (lib/pystart), done
// by the starter and by the new worker and counted; off removes it.
#include "helpers.h"
#include "point.h"
#include "pystart.h"
#include "runpoint.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static void run_spawn(enum pt_model m, int n, const char *rss, struct pt_result *r)
{
	struct pt_point pt = { .wl = &pt_wl_spawn, .model = m, .nworkers = n,
			       .switch_interval_us = 1000, .check_interval = 100 };
	struct pt_runenv env = { 0 };
	char err[256];

	cr_assert_eq(pt_params_defaults(&pt.params, pt_wl_spawn.params, true, err, sizeof(err)), 0);
	cr_assert_eq(pt_params_set(&pt.params, "rss", rss, err, sizeof(err)), 0);
	pt_point_run_once(&pt, &env, r);
}

Test(spawn, every_model_counts_spawns, .timeout = 60)
{
	struct pt_result r;

	for (enum pt_model m = 0; m < PT_MODEL_COUNT; m++) {
		for (int n = 1; n <= 2; n++) {
			run_spawn(m, n, n == 2 ? "4M" : "0", &r);
			cr_assert_eq(r.status, PT_ST_OK, "%s n=%d: %s", pt_model_name(m), n, r.msg);
			/* --quick: 20 spawns a worker. */
			cr_assert_eq(r.ops, 20u * (uint64_t)n, "%s: %llu", pt_model_name(m),
				     (unsigned long long)r.ops);
			cr_assert(isfinite(r.lat_p50_us) && r.lat_p50_us > 0);
			cr_assert(r.lat_p99_us >= r.lat_p50_us);
		}
	}
	/* Every forked child and worker was reaped. */
	cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1);
	cr_assert_eq(errno, ECHILD);
}

/* Under a GIL the new thread must take the GIL to run; the parent's join is
 * a blocking section that gives it up. Several spawning workers contend. */
Test(spawn, gil_children_take_the_gil, .timeout = 60)
{
	struct pt_result r;

	run_spawn(PT_MODEL_GIL, 3, "0", &r);
	cr_assert_eq(r.status, PT_ST_OK, "%s", r.msg);
	/* Each worker re-takes the GIL after every join. */
	cr_assert_geq(r.gil.acquisitions, r.ops);
}

Test(spawn, bad_rss_is_refused, .timeout = 10)
{
	struct pt_pval v;
	char err[256];
	const struct pt_param_def *d = pt_param_def_find(pt_wl_spawn.params, "rss");

	cr_assert_eq(pt_param_parse(d, "256M", &v, err, sizeof(err)), 0);
	cr_assert_eq(v.i, 256 << 20);
	cr_assert_neq(pt_param_parse(d, "lots", &v, err, sizeof(err)), 0);
	cr_assert(strstr(err, "lots"));
	cr_assert_neq(pt_param_parse(d, "-1M", &v, err, sizeof(err)), 0);
}

/* bench/floors: a spawn that fails is an error, never a free spawn. Under
 * a process limit (an unprivileged user with RLIMIT_NPROC 1), `floors
 * spawn` must fail naming the call, not print a figure. */
Test(spawn, floors_fails_on_a_failed_spawn, .timeout = 60)
{
	const char *bin = getenv("PTBENCH_BIN");
	char floors[600], out[1024];
	int pfd[2], st;
	ssize_t k, n = 0;
	pid_t pid;

	if (!bin)
		cr_skip_test("PTBENCH_BIN not set");
	snprintf(floors, sizeof(floors), "%s", bin);
	*strrchr(floors, '/') = '\0';
	strcat(floors, "/floors");
	/* `make` builds it beside ptbench; `make test` alone does not. */
	if (access(floors, X_OK) != 0)
		cr_skip_test("%s not built", floors);
	cr_assert_eq(pipe(pfd), 0);
	fflush(NULL);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		struct rlimit one = { 1, 1 };

		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(77);
		if (setrlimit(RLIMIT_NPROC, &one) != 0)
			_exit(77);
		execl(floors, floors, "spawn", (char *)NULL);
		_exit(78);
	}
	close(pfd[1]);
	while (n < (ssize_t)sizeof(out) - 1 && (k = read(pfd[0], out + n, sizeof(out) - 1 - (size_t)n)) > 0)
		n += k;
	out[n] = '\0';
	close(pfd[0]);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
		cr_skip_test("cannot drop to an unprivileged user to test RLIMIT_NPROC");
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "floors exited %d: %s", st, out);
	cr_assert(strstr(out, "floors: pthread_create: "), "%s", out);
	cr_assert_null(strstr(out, "pthread_create_join "), "a figure was printed: %s", out);
}

/* The modelled work of a Python start, counted where it is done: the
 * starter's ticks and the new worker's (a forked, forkserver-forked or
 * exec'd process counts into the arena), and the pages a new process
 * writes to take CPython's page faults. Exact counts, not timings. */
Test(spawn, python_start_work_is_done_and_counted, .timeout = 240)
{
	static const struct {
		enum pt_model m;
		const struct pt_start_method *s;
		enum pt_py_kind k;
	} cases[] = {
		{ PT_MODEL_GIL, NULL, PT_PY_THREAD },
		{ PT_MODEL_THREADS, NULL, PT_PY_THREAD },
		{ PT_MODEL_PROCS, &pt_start_fork, PT_PY_FORK },
		{ PT_MODEL_PROCS, &pt_start_forkserver, PT_PY_FORKSERVER },
		{ PT_MODEL_PROCS, &pt_start_spawn, PT_PY_SPAWN },
	};
	static const char *const on[] = { "spawns=3", "pycost=on", NULL };
	static const char *const off[] = { "spawns=3", "pycost=off", NULL };
	int ticks = pt_workload_metric(&pt_wl_spawn, "py_ticks");
	int pages = pt_workload_metric(&pt_wl_spawn, "py_pages");

	cr_assert(ticks >= 0 && pages >= 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct pt_py_cost *c = pt_py_cost(cases[i].k);
		struct pt_point pt = { .wl = &pt_wl_spawn, .model = cases[i].m, .nworkers = 2,
				       .start = cases[i].s, .switch_interval_us = 1000,
				       .check_interval = 100 };
		struct pt_point pt2 = pt;
		struct pt_result r;

		cr_assert_eq(pt_test_run_kv(&pt, on, &r), PT_ST_OK, "%s: %s", c->name, r.msg);
		cr_assert_eq(r.ops, 6);
		cr_assert(fabs(r.metric[ticks] - (double)(c->parent_ticks + c->child_ticks)) < 1e-6,
			  "%s: %g ticks a start", c->name, r.metric[ticks]);
		if (cases[i].m == PT_MODEL_PROCS) {
			/* ptbench's own process takes fewer faults than
			 * CPython's: the child tops them up, and says so
			 * (but an exec'd sanitizer build has taken more by
			 * itself already). */
			if (cases[i].k != PT_PY_SPAWN || !strstr(pt_test_bin(), "/san-"))
				cr_assert_gt(r.metric[pages], 0, "%s", c->name);
			cr_assert_leq(r.metric[pages], (double)c->child_faults, "%s", c->name);
		} else {
			cr_assert_eq(r.metric[pages], 0, "%s", c->name);
		}
		cr_assert_eq(pt_test_run_kv(&pt2, off, &r), PT_ST_OK, "%s: %s", c->name, r.msg);
		cr_assert_eq(r.ops, 6);
		cr_assert(isnan(r.metric[ticks]) && isnan(r.metric[pages]), "%s: off counted work",
			  c->name);
		cr_assert_not(pt_py_on(), "%s: left on after the point", c->name);
	}
	cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1);
}

/* The costs are CPython's per kind of start, in the order CPython's are: a
 * thread cheapest, then fork, forkserver, spawn (a fresh interpreter). */
Test(spawn, python_costs_in_cpythons_order)
{
	uint64_t prev = 0;

	for (enum pt_py_kind k = 0; k < PT_PY_KINDS; k++) {
		const struct pt_py_cost *c = pt_py_cost(k);
		uint64_t all = c->parent_ticks + c->child_ticks + 50 * (uint64_t)c->child_faults;

		cr_assert_gt(all, prev, "%s", c->name);
		prev = all;
	}
	cr_assert_gt(pt_py_cost(PT_PY_FORK)->image_kib, 0);
	cr_assert_gt(pt_py_cost(PT_PY_FORKSERVER)->image_kib, 0);
}
