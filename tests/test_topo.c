// SPDX-License-Identifier: MIT
// Topology: counts, compact/scatter plans and auto worker counts on synthetic
// hwloc topologies, plan printing, the JSON summary, and binding.
#include <criterion/criterion.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "topo.h"

#define DUAL "pack:2 core:8 pu:2"

/* Criterion runs every test in its own process, so setenv() stays local. */
static void load(struct pt_topo *t, const char *desc)
{
	int ret;

	if (desc)
		cr_assert_eq(setenv("HWLOC_SYNTHETIC", desc, 1), 0);
	else
		cr_assert_eq(unsetenv("HWLOC_SYNTHETIC"), 0);
	ret = pt_topo_init(t);
	cr_assert_eq(ret, 0, "pt_topo_init(%s): %s", desc ? desc : "machine", strerror(-ret));
}

static void plan(const struct pt_topo *t, enum pt_bind b, int n, struct pt_place *p)
{
	int ret = pt_topo_plan(t, b, n, p);

	cr_assert_eq(ret, 0, "plan %s x%d: %s", pt_bind_name(b), n, strerror(-ret));
	for (int i = 0; i < n; i++)
		cr_assert_eq(p[i].worker, i);
}

/* The first @n places use @n different cores. */
static void assert_distinct_cores(const struct pt_place *p, int n)
{
	for (int i = 0; i < n; i++) {
		cr_assert_geq(p[i].core, 0);
		for (int k = 0; k < i; k++)
			cr_assert_neq(p[i].core, p[k].core, "workers %d and %d share core %d", k, i,
				      p[i].core);
	}
}

/* The first @n places use @n different PUs. */
static void assert_distinct_pus(const struct pt_place *p, int n)
{
	for (int i = 0; i < n; i++)
		for (int k = 0; k < i; k++)
			cr_assert_neq(p[i].pu_os, p[k].pu_os, "workers %d and %d share PU %d", k, i,
				      p[i].pu_os);
}

Test(topo, synthetic_counts, .timeout = 10)
{
	struct pt_topo t;

	load(&t, DUAL);
	cr_expect_eq(t.npus, 32);
	cr_expect_eq(t.ncores, 16);
	cr_expect_eq(t.npackages, 2);
	cr_expect_geq(t.nnuma, 1);
	cr_expect(t.synthetic);
	cr_expect_str_eq(t.synthetic_desc, DUAL);
	pt_topo_destroy(&t);
	cr_expect_null(t.topo);
}

Test(topo, compact_fills_cores_in_order, .timeout = 10)
{
	struct pt_topo t;
	struct pt_place p[16];

	load(&t, DUAL);
	plan(&t, PT_BIND_COMPACT, 16, p);
	for (int i = 0; i < 16; i++) {
		cr_expect_eq(p[i].package, i < 8 ? 0 : 1, "worker %d on package %d", i, p[i].package);
		cr_expect_eq(p[i].core, i, "worker %d on core %d", i, p[i].core);
	}
	assert_distinct_cores(p, 16);
	pt_topo_destroy(&t);
}

Test(topo, compact_siblings_last, .timeout = 10)
{
	struct pt_topo t;
	struct pt_place p[32];

	load(&t, DUAL);
	plan(&t, PT_BIND_COMPACT, 32, p);
	assert_distinct_cores(p, 16);
	assert_distinct_pus(p, 32);
	/* The second round reuses the cores in the same order. */
	for (int i = 16; i < 32; i++)
		cr_expect_eq(p[i].core, p[i - 16].core);
	pt_topo_destroy(&t);
}

Test(topo, scatter_alternates_packages, .timeout = 10)
{
	struct pt_topo t;
	struct pt_place p[32];

	load(&t, DUAL);
	plan(&t, PT_BIND_SCATTER, 32, p);
	for (int i = 0; i < 32; i++)
		cr_expect_eq(p[i].package, i % 2, "worker %d on package %d", i, p[i].package);
	/* Cores cycle inside each package: 0 8 1 9 2 10 ... */
	for (int i = 0; i < 16; i++)
		cr_expect_eq(p[i].core, (i % 2) * 8 + i / 2, "worker %d on core %d", i, p[i].core);
	assert_distinct_cores(p, 16);
	assert_distinct_pus(p, 32);
	pt_topo_destroy(&t);
}

Test(topo, scatter_spreads_numa_nodes, .timeout = 10)
{
	struct pt_topo t;
	struct pt_place p[16];

	load(&t, "pack:2 numa:2 core:4 pu:2");
	cr_assert_eq(t.nnuma, 4);
	plan(&t, PT_BIND_SCATTER, 16, p);
	for (int i = 0; i < 16; i++)
		cr_expect_eq(p[i].package, i % 2);
	/* The first four workers take one NUMA node each. */
	for (int i = 0; i < 4; i++) {
		cr_assert_geq(p[i].numa, 0);
		for (int k = 0; k < i; k++)
			cr_expect_neq(p[i].numa, p[k].numa, "workers %d and %d share node %d", k, i,
				      p[i].numa);
	}
	assert_distinct_cores(p, 16);
	pt_topo_destroy(&t);
}

Test(topo, plan_wraps_around, .timeout = 10)
{
	struct pt_topo t;
	struct pt_place p[33];

	load(&t, DUAL);
	for (int b = PT_BIND_COMPACT; b <= PT_BIND_SCATTER; b++) {
		plan(&t, (enum pt_bind)b, 33, p);
		assert_distinct_pus(p, 32);
		cr_expect_eq(p[32].pu_os, p[0].pu_os);
		cr_expect_eq(p[32].core, p[0].core);
		cr_expect_eq(p[32].package, p[0].package);
	}
	pt_topo_destroy(&t);
}

Test(topo, plan_none_and_bad_args, .timeout = 10)
{
	struct pt_topo t;
	struct pt_place p[3];

	load(&t, DUAL);
	plan(&t, PT_BIND_NONE, 3, p);
	for (int i = 0; i < 3; i++) {
		cr_expect_eq(p[i].pu_os, -1);
		cr_expect_eq(p[i].pu, -1);
		cr_expect_eq(p[i].core, -1);
		cr_expect_eq(p[i].package, -1);
		cr_expect_eq(p[i].numa, -1);
	}
	cr_expect_eq(pt_topo_plan(&t, PT_BIND_COMPACT, -1, p), -EINVAL);
	cr_expect_eq(pt_topo_plan(&t, PT_BIND_COUNT, 3, p), -EINVAL);
	cr_expect_eq(pt_topo_plan(&t, PT_BIND_COMPACT, 0, p), 0);
	pt_topo_destroy(&t);
}

Test(topo, auto_workers, .timeout = 10)
{
	struct pt_topo t;
	int w[16];
	static const int dual[] = { 1, 2, 4, 8, 16, 32 }, six[] = { 1, 2, 4, 6 };

	load(&t, DUAL);
	cr_assert_eq(pt_topo_auto_workers(&t, w, 16), 6);
	cr_expect_arr_eq(w, dual, sizeof(dual));
	cr_expect_eq(pt_topo_auto_workers(&t, w, 2), 2, "output is capped at max");
	pt_topo_destroy(&t);

	load(&t, "pack:1 core:6 pu:1");
	cr_assert_eq(t.npus, 6);
	cr_assert_eq(pt_topo_auto_workers(&t, w, 16), 4);
	cr_expect_arr_eq(w, six, sizeof(six));
	pt_topo_destroy(&t);

	load(&t, "pack:1 core:2 pu:1");
	cr_assert_eq(pt_topo_auto_workers(&t, w, 16), 2);
	cr_expect(w[0] == 1 && w[1] == 2);
	pt_topo_destroy(&t);

	load(&t, "pack:1 core:1 pu:1");
	cr_assert_eq(pt_topo_auto_workers(&t, w, 16), 1);
	cr_expect_eq(w[0], 1);
	pt_topo_destroy(&t);
}

Test(topo, bad_synthetic_fails_cleanly, .timeout = 10)
{
	struct pt_topo t;

	cr_assert_eq(setenv("HWLOC_SYNTHETIC", "pack:2 bogus:x", 1), 0);
	cr_expect_eq(pt_topo_init(&t), -EINVAL);
	cr_expect_null(t.topo);
	cr_assert_eq(setenv("HWLOC_SYNTHETIC", "pack:", 1), 0);
	cr_expect_lt(pt_topo_init(&t), 0);
}

Test(topo, empty_synthetic_means_machine, .timeout = 10)
{
	struct pt_topo t;

	cr_assert_eq(setenv("HWLOC_SYNTHETIC", "", 1), 0);
	cr_assert_eq(pt_topo_init(&t), 0);
	cr_expect_not(t.synthetic);
	cr_expect_geq(t.npus, 1);
	pt_topo_destroy(&t);
}

static char *capture_plan(const struct pt_topo *t, enum pt_bind b, int n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	pt_topo_print_plan(t, b, n, f);
	cr_assert_eq(fclose(f), 0);
	return buf;
}

Test(topo, print_plan_format, .timeout = 10)
{
	struct pt_topo t;
	char *s;

	load(&t, DUAL);
	/* Synthetic OS indexes follow the logical ones: PU P#2k on core k. */
	s = capture_plan(&t, PT_BIND_COMPACT, 3);
	cr_expect_str_eq(s, "worker=0 pu=0 core=0 package=0\n"
			    "worker=1 pu=2 core=1 package=0\n"
			    "worker=2 pu=4 core=2 package=0\n");
	free(s);
	s = capture_plan(&t, PT_BIND_SCATTER, 3);
	cr_expect_str_eq(s, "worker=0 pu=0 core=0 package=0\n"
			    "worker=1 pu=16 core=8 package=1\n"
			    "worker=2 pu=2 core=1 package=0\n");
	free(s);
	s = capture_plan(&t, PT_BIND_NONE, 2);
	cr_expect_str_eq(s, "worker=0 pu=- core=- package=-\n"
			    "worker=1 pu=- core=- package=-\n");
	free(s);
	pt_topo_destroy(&t);
}

Test(topo, describe_synthetic, .timeout = 10)
{
	struct pt_topo t;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	load(&t, DUAL);
	f = open_memstream(&buf, &len);
	cr_assert_not_null(f);
	pt_topo_describe(&t, f);
	cr_assert_eq(fclose(f), 0);
	cr_expect(strstr(buf, "2 packages, ") == buf, "got: %s", buf);
	cr_expect_not_null(strstr(buf, "16 cores, 32 PUs (SMT on)"), "got: %s", buf);
	cr_expect_eq(buf[len - 1], '\n');
	free(buf);
	pt_topo_destroy(&t);
}

Test(topo, json_summary, .timeout = 10)
{
	struct pt_topo t;
	json_t *j;
	char *dump;
	static const char *const keys[] = { "packages", "numa_nodes", "cores", "pus", "smt",
					    "caches", "synthetic", "synthetic_desc", "cpu_model" };

	load(&t, DUAL);
	j = pt_topo_json(&t);
	cr_assert_not_null(j);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		cr_expect_not_null(json_object_get(j, keys[i]), "missing %s", keys[i]);
	cr_expect_eq(json_integer_value(json_object_get(j, "packages")), 2);
	cr_expect_eq(json_integer_value(json_object_get(j, "cores")), 16);
	cr_expect_eq(json_integer_value(json_object_get(j, "pus")), 32);
	cr_expect(json_is_true(json_object_get(j, "smt")));
	cr_expect(json_is_object(json_object_get(j, "caches")));
	cr_expect(json_is_true(json_object_get(j, "synthetic")));
	cr_expect_str_eq(json_string_value(json_object_get(j, "synthetic_desc")), DUAL);
	dump = json_dumps(j, JSON_COMPACT);
	cr_expect_not_null(dump);
	free(dump);
	json_decref(j);
	pt_topo_destroy(&t);
}

Test(topo, json_machine_has_l1d, .timeout = 10)
{
	struct pt_topo t;
	json_t *j, *c;

	load(&t, NULL);
	j = pt_topo_json(&t);
	cr_assert_not_null(j);
	cr_expect(json_is_false(json_object_get(j, "synthetic")));
	cr_expect(json_is_null(json_object_get(j, "synthetic_desc")));
	c = json_object_get(j, "caches");
	cr_assert(json_is_object(c));
	/* Some VMs hide caches; only check sizes that are there. */
	if (json_object_get(c, "L1d"))
		cr_expect_gt(json_integer_value(json_object_get(c, "L1d")), 0);
	json_decref(j);
	pt_topo_destroy(&t);
}

/* Errors a restricted machine or container may give instead of binding. */
static bool bind_forbidden(int ret)
{
	return ret == -EPERM || ret == -ENOSYS || ret == -EXDEV || ret == -ENOTSUP ||
	       ret == -EACCES;
}

struct bind_arg {
	const struct pt_topo *t;
	int pu_os, ret;
	cpu_set_t after;
};

static void *bind_thread(void *p)
{
	struct bind_arg *a = p;

	a->ret = pt_topo_bind(a->t, a->pu_os, PT_BIND_THREAD);
	CPU_ZERO(&a->after);
	if (sched_getaffinity(0, sizeof(a->after), &a->after) < 0)
		a->ret = -errno;
	return NULL;
}

Test(topo, bind_thread_on_machine, .timeout = 10)
{
	struct pt_topo t;
	struct bind_arg a = { .ret = 0 };
	cpu_set_t before, after;
	pthread_t th;
	int ret;

	load(&t, NULL);
	a.t = &t;
	/* PU 0 when the machine lets us have it; else the first allowed one. */
	a.pu_os = (int)hwloc_get_obj_by_type(t.topo, HWLOC_OBJ_PU, 0)->os_index;
	cr_assert_eq(sched_getaffinity(0, sizeof(before), &before), 0);
	ret = pthread_create(&th, NULL, bind_thread, &a);
	cr_assert_eq(ret, 0, "pthread_create: %s", strerror(ret));
	cr_assert_eq(pthread_join(th, NULL), 0);
	if (bind_forbidden(a.ret)) {
		pt_topo_destroy(&t);
		cr_skip_test("binding forbidden here: %s", strerror(-a.ret));
	}
	cr_assert_eq(a.ret, 0, "bind: %s", strerror(-a.ret));
	cr_expect_eq(CPU_COUNT(&a.after), 1);
	cr_expect(CPU_ISSET(a.pu_os, &a.after));
	/* Thread scope leaves the rest of the process alone. */
	cr_assert_eq(sched_getaffinity(0, sizeof(after), &after), 0);
	cr_expect(CPU_EQUAL(&before, &after));
	pt_topo_destroy(&t);
}

Test(topo, bind_process_in_forked_child, .timeout = 10)
{
	struct pt_topo t;
	int pu_os, status;
	pid_t pid;

	load(&t, NULL);
	pu_os = (int)hwloc_get_obj_by_type(t.topo, HWLOC_OBJ_PU, t.npus - 1)->os_index;
	pid = fork();
	cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		/* The parent's topology, used after fork(). */
		int ret = pt_topo_bind(&t, pu_os, PT_BIND_PROCESS);
		cpu_set_t s;

		if (bind_forbidden(ret))
			_exit(77);
		if (ret < 0 || sched_getaffinity(0, sizeof(s), &s) < 0)
			_exit(1);
		_exit(CPU_COUNT(&s) == 1 && CPU_ISSET(pu_os, &s) ? 0 : 2);
	}
	while (waitpid(pid, &status, 0) < 0)
		cr_assert_eq(errno, EINTR, "waitpid: %s", strerror(errno));
	pt_topo_destroy(&t);
	cr_assert(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		cr_skip_test("binding forbidden here");
	cr_expect_eq(WEXITSTATUS(status), 0);
}

Test(topo, bind_refused_on_synthetic, .timeout = 10)
{
	struct pt_topo t;

	load(&t, DUAL);
	cr_expect_eq(pt_topo_bind(&t, 0, PT_BIND_THREAD), -ENOTSUP);
	cr_expect_eq(pt_topo_bind(&t, 0, PT_BIND_PROCESS), -ENOTSUP);
	pt_topo_destroy(&t);
}

Test(topo, bind_unknown_pu, .timeout = 10)
{
	struct pt_topo t;

	load(&t, NULL);
	cr_expect_eq(pt_topo_bind(&t, -1, PT_BIND_THREAD), -EINVAL);
	cr_expect_eq(pt_topo_bind(&t, 1 << 20, PT_BIND_THREAD), -EINVAL);
	pt_topo_destroy(&t);
}

Test(topo, bind_names_round_trip, .timeout = 10)
{
	enum pt_bind b;

	for (int i = 0; i < PT_BIND_COUNT; i++) {
		cr_assert_eq(pt_bind_parse(pt_bind_name((enum pt_bind)i), &b), 0);
		cr_expect_eq((int)b, i);
	}
	cr_expect_str_eq(pt_bind_name(PT_BIND_COMPACT), "compact");
	b = PT_BIND_SCATTER;
	cr_expect_eq(pt_bind_parse("spread", &b), -EINVAL);
	cr_expect_eq(b, PT_BIND_SCATTER, "untouched on error");
	cr_expect_eq(pt_bind_parse("", &b), -EINVAL);
	cr_expect_eq(pt_bind_parse(NULL, &b), -EINVAL);
	cr_expect_str_eq(pt_bind_name(PT_BIND_COUNT), "unknown");
}
