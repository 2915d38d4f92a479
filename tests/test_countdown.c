// SPDX-License-Identifier: MIT
// countdown counts exactly `count` iterations in both scaling modes under
// every model, remainders of the split included.
#include "point.h"

#include <criterion/criterion.h>
#include <stdio.h>

static void check_count(enum pt_model m, int n, const char *scaling, uint64_t count)
{
	struct pt_point pt = { .wl = &pt_wl_countdown, .model = m, .nworkers = n };
	struct pt_runenv env = { 0 };
	struct pt_result r;
	char err[256], cbuf[32];

	cr_assert_eq(pt_params_defaults(&pt.params, pt_wl_countdown.params, true, err, sizeof(err)), 0);
	snprintf(cbuf, sizeof(cbuf), "%llu", (unsigned long long)count);
	cr_assert_eq(pt_params_set(&pt.params, "count", cbuf, err, sizeof(err)), 0);
	cr_assert_eq(pt_params_set(&pt.params, "scaling", scaling, err, sizeof(err)), 0);
	cr_assert_eq(pt_params_set(&pt.params, "tick", "7", err, sizeof(err)), 0);
	cr_assert_eq(pt_point_run_once(&pt, &env, &r), PT_ST_OK, "%s: %s", pt_model_name(m), r.msg);
	uint64_t want = strcmp(scaling, "weak") == 0 ? count * (uint64_t)n : count;
	cr_assert_eq(r.ops, want, "%s n=%d %s: counted %llu, want %llu", pt_model_name(m), n,
		     scaling, (unsigned long long)r.ops, (unsigned long long)want);
	/* The strong split is even to within one iteration. */
	if (strcmp(scaling, "strong") == 0)
		cr_assert(r.ops_max - r.ops_min <= 1);
	cr_assert(r.wall_s > 0);
}

Test(countdown, exact_count_every_model, .timeout = 60)
{
	for (enum pt_model m = 0; m < PT_MODEL_COUNT; m++)
		for (int n = 1; n <= 3; n++) {
			check_count(m, n, "strong", 1000003);
			check_count(m, n, "weak", 100003);
		}
}

Test(countdown, fewer_iterations_than_workers, .timeout = 30)
{
	check_count(PT_MODEL_THREADS, 3, "strong", 2);
	check_count(PT_MODEL_PROCS, 3, "strong", 1);
}
