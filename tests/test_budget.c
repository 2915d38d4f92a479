// SPDX-License-Identifier: MIT
// Tests of lib/budget: pilot sizing, the job's budget split and the
// scheduler of repetitions, on synthetic figures (no timing).
#include "budget.h"
#include "stats.h"

#include "near.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>

#define ASSERT_NEAR_ABS(got, want) ASSERT_NEAR((got), (want), 1e-9)

Test(budget, pilot_step, .timeout = 10)
{
	struct pt_sizing z;
	uint64_t next = 0;

	pt_sizing_default(&z);
	ASSERT_NEAR_ABS(z.target_lo_s, 0.05);
	ASSERT_NEAR_ABS(z.target_hi_s, 0.10);
	/* 1 ms is under a tenth of 50 ms: grow, by at most 10x */
	cr_assert_eq(pt_pilot_next(&z, 1000, 0.001, &next), 1);
	cr_assert_eq(next, 10000);
	/* 3 ms: grow by 75 / 3 = 25, capped at 10 */
	cr_assert_eq(pt_pilot_next(&z, 1000, 0.003, &next), 1);
	cr_assert_eq(next, 10000);
	/* 0 s (below the clock): the most */
	cr_assert_eq(pt_pilot_next(&z, 7, 0, &next), 1);
	cr_assert_eq(next, 70);
	/* 10 ms is enough: scale to the middle, 75 ms */
	cr_assert_eq(pt_pilot_next(&z, 10000, 0.010, &next), 0);
	cr_assert_eq(next, 75000);
	/* a pilot too long shrinks the amount */
	cr_assert_eq(pt_pilot_next(&z, 1000, 0.3, &next), 0);
	cr_assert_eq(next, 250);
	/* never below the minimum amount */
	cr_assert_eq(pt_pilot_next(&z, 1, 10.0, &next), 0);
	cr_assert_eq(next, 1);
	/* the maximum caps growth, and a pilot at it is final */
	z.max_amount = 5000;
	cr_assert_eq(pt_pilot_next(&z, 1000, 0.001, &next), 1);
	cr_assert_eq(next, 5000);
	cr_assert_eq(pt_pilot_next(&z, 5000, 0.001, &next), 0);
	cr_assert_eq(next, 5000);
	cr_assert_eq(pt_pilot_next(&z, 5000, 0, &next), 0);
	cr_assert_eq(next, 5000);
}

Test(budget, pilot_bad_input, .timeout = 10)
{
	struct pt_sizing z;
	uint64_t next;

	pt_sizing_default(&z);
	cr_assert_eq(pt_pilot_next(&z, 0, 0.01, &next), -EINVAL);
	cr_assert_eq(pt_pilot_next(&z, 10, -1, &next), -EINVAL);
	cr_assert_eq(pt_pilot_next(&z, 10, NAN, &next), -EINVAL);
	cr_assert_eq(pt_pilot_next(&z, 10, INFINITY, &next), -EINVAL);
	z.target_lo_s = 0;
	cr_assert_eq(pt_pilot_next(&z, 10, 0.01, &next), -EINVAL);
	pt_sizing_default(&z);
	z.target_hi_s = 0.01; /* below lo */
	cr_assert_eq(pt_pilot_next(&z, 10, 0.01, &next), -EINVAL);
	pt_sizing_default(&z);
	z.min_amount = 10;
	z.max_amount = 5;
	cr_assert_eq(pt_pilot_next(&z, 10, 0.01, &next), -EINVAL);
}

/* A synthetic workload of 2 us a unit plus 0.5 ms of fixed cost per
 * repetition: pilots from 1 unit converge to an amount whose repetition
 * lands in the 50-100 ms target, in a handful of steps. */
Test(budget, pilot_converges, .timeout = 10)
{
	struct pt_sizing z;
	uint64_t amount = 1, next;
	int steps = 0, ret;

	pt_sizing_default(&z);
	while ((ret = pt_pilot_next(&z, amount, 0.0005 + 2e-6 * (double)amount, &next)) == 1) {
		cr_assert_gt(next, amount);
		amount = next;
		cr_assert_lt(++steps, 12);
	}
	cr_assert_eq(ret, 0);
	{
		double rep = 0.0005 + 2e-6 * (double)next;

		cr_assert(rep >= z.target_lo_s && rep <= z.target_hi_s, "rep %.4f s", rep);
	}
}

/* 180 s with calibration: a fifth (36 s), report 5% (9 s), slack 5%
 * (9 s), suite 126 s. 60 s without: report at least 5 s, slack 3 s, suite
 * 52 s. */
Test(budget, split, .timeout = 10)
{
	struct pt_budget_split s;

	cr_assert_eq(pt_budget_split(180, true, &s), 0);
	ASSERT_NEAR_ABS(s.calibration_s, 36);
	ASSERT_NEAR_ABS(s.report_s, 9);
	ASSERT_NEAR_ABS(s.slack_s, 9);
	ASSERT_NEAR_ABS(s.suite_s, 126);
	ASSERT_NEAR_ABS(s.calibration_s + s.report_s + s.slack_s + s.suite_s, s.total_s);
	cr_assert_eq(pt_budget_split(60, false, &s), 0);
	ASSERT_NEAR_ABS(s.calibration_s, 0);
	ASSERT_NEAR_ABS(s.report_s, 5);
	ASSERT_NEAR_ABS(s.slack_s, 3);
	ASSERT_NEAR_ABS(s.suite_s, 52);
	cr_assert_eq(pt_budget_split(5, true, &s), -EINVAL); /* nothing left */
	cr_assert_eq(pt_budget_split(0, true, &s), -EINVAL);
	cr_assert_eq(pt_budget_split(NAN, true, &s), -EINVAL);
	cr_assert_eq(pt_budget_split(INFINITY, true, &s), -EINVAL);
}

Test(budget, minimum, .timeout = 10)
{
	struct pt_budget_item it[] = {
		{ .rep_s = 0.1, .reps = 0, .min_reps = 4, .max_reps = 30, .open = true },
		{ .rep_s = 0.2, .reps = 2, .min_reps = 4, .max_reps = 30, .open = true },
		{ .rep_s = 0.5, .reps = 0, .min_reps = 4, .max_reps = 30, .open = false },
		{ .rep_s = 0.3, .reps = 5, .min_reps = 4, .max_reps = 30, .open = true },
	};

	cr_assert_eq(PT_MIN_REPS, pt_ratio_min_reps(PT_DECISION_LEVEL));
	/* 4 x 0.1 + 2 x 0.2; the closed one and the one past its minimum cost
	 * nothing */
	ASSERT_NEAR_ABS(pt_budget_min_cost(it, 4), 0.8);
	/* every open item once costs 0.6 s */
	cr_assert_eq(pt_budget_fit_reps(it, 4, 2.0, 4), 3);
	cr_assert_eq(pt_budget_fit_reps(it, 4, 100, 4), 4);
	cr_assert_eq(pt_budget_fit_reps(it, 4, 0.5, 4), 0);
}

Test(budget, round_widest_first, .timeout = 10)
{
	struct pt_budget_item it[] = {
		{ .rep_s = 1, .reps = 4, .min_reps = 4, .max_reps = 30, .width = 0.2, .open = true },
		{ .rep_s = 1, .reps = 4, .min_reps = 4, .max_reps = 30, .width = 0.01, .open = true },
		{ .rep_s = 1, .reps = 4, .min_reps = 4, .max_reps = 30, .width = NAN, .open = true },
		{ .rep_s = 1, .reps = 4, .min_reps = 4, .max_reps = 30, .width = 0.1, .open = true },
		{ .rep_s = 1, .reps = 4, .min_reps = 4, .max_reps = 30, .width = 0.3, .open = false },
		{ .rep_s = 1, .reps = 30, .min_reps = 4, .max_reps = 30, .width = 0.5, .open = true },
		{ .rep_s = 1, .reps = 2, .min_reps = 4, .max_reps = 30, .width = 0.9, .open = true },
	};
	bool pick[7];

	/* 2.5 s: the unknown width first, then 0.2; 0.1 no longer fits */
	cr_assert_eq(pt_budget_round(it, 7, 2.5, 0.05, pick), 2);
	cr_assert(pick[2] && pick[0]);
	cr_assert(!pick[1] && !pick[3] && !pick[4] && !pick[5] && !pick[6]);
	/* plenty: every open item above the target, below its maximum and
	 * past its minimum */
	cr_assert_eq(pt_budget_round(it, 7, 100, 0.05, pick), 3);
	cr_assert(pick[0] && pick[2] && pick[3]);
	/* a looser target leaves only the unknown one */
	cr_assert_eq(pt_budget_round(it, 7, 100, 0.25, pick), 1);
	cr_assert(pick[2]);
	/* nothing left */
	cr_assert_eq(pt_budget_round(it, 7, 0.5, 0.05, pick), 0);
}

Test(budget, round_cheap_fits_after_dear, .timeout = 10)
{
	struct pt_budget_item it[] = {
		{ .rep_s = 5, .reps = 4, .min_reps = 4, .max_reps = 30, .width = 0.3, .open = true },
		{ .rep_s = 1, .reps = 4, .min_reps = 4, .max_reps = 30, .width = 0.2, .open = true },
	};
	bool pick[2];

	cr_assert_eq(pt_budget_round(it, 2, 2, 0.05, pick), 1);
	cr_assert(!pick[0] && pick[1]);
}

/* The whole adaptive loop on synthetic points whose interval narrows as
 * 1 / sqrt(reps): it never spends more than the budget, stops when every
 * interval reached the target or nothing more fits, and the noisiest point
 * gets the most repetitions. */
Test(budget, adaptive_loop, .timeout = 10)
{
	const double spread[] = { 0.02, 0.10, 0.30, 0.05 };
	struct pt_budget_item it[4];
	double budget = 20, spent = 0;
	bool pick[4];
	size_t k;

	for (int i = 0; i < 4; i++)
		it[i] = (struct pt_budget_item){ .rep_s = 0.1 * (i + 1), .reps = 0,
						 .min_reps = PT_MIN_REPS,
						 .max_reps = PT_MAX_REPS, .width = NAN,
						 .open = true };
	spent = pt_budget_min_cost(it, 4);
	for (int i = 0; i < 4; i++) {
		it[i].reps = it[i].min_reps;
		it[i].width = spread[i] / sqrt(it[i].reps);
	}
	while ((k = pt_budget_round(it, 4, budget - spent, 0.02, pick)) > 0) {
		for (int i = 0; i < 4; i++) {
			if (!pick[i])
				continue;
			spent += it[i].rep_s;
			it[i].reps++;
			it[i].width = spread[i] / sqrt(it[i].reps);
		}
		cr_assert_leq(spent, budget + 1e-9);
	}
	cr_assert_eq(it[0].reps, PT_MIN_REPS); /* 0.02 / 2 already under 0.02 */
	cr_assert_leq(it[1].width, 0.02 + 1e-12); /* 0.10: 25 reps */
	cr_assert_eq(it[1].reps, 25);
	cr_assert_eq(it[2].reps, PT_MAX_REPS); /* would need 225 */
	cr_assert_leq(it[3].width, 0.02 + 1e-12);
	for (int i = 0; i < 4; i++)
		cr_assert_leq(it[i].reps, PT_MAX_REPS);
}
