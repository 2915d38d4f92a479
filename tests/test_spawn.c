// SPDX-License-Identifier: MIT
// spawn: every model creates and joins (or forks and reaps) exactly the
// asked number of workers, with a latency each, and leaves no child behind.
#include "point.h"

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
