// SPDX-License-Identifier: MIT
// Pilot sizing, the job's budget split, and the scheduler of repetitions:
// arithmetic only, so tests can drive it with synthetic figures.
#include "budget.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

/* A pilot must last this fraction of the target's lower end to extrapolate
 * from; each pilot grows the amount at most this much. */
#define PT_PILOT_MIN_FRACTION 0.1
#define PT_PILOT_MAX_GROWTH 10.0

void pt_sizing_default(struct pt_sizing *z)
{
	z->target_lo_s = PT_TARGET_LO_S;
	z->target_hi_s = PT_TARGET_HI_S;
	z->min_amount = 1;
	z->max_amount = (uint64_t)1 << 40;
}

static uint64_t clamp_amount(const struct pt_sizing *z, double a)
{
	if (!(a >= (double)z->min_amount)) /* NaN too */
		return z->min_amount;
	if (a >= (double)z->max_amount)
		return z->max_amount;
	return (uint64_t)llround(a);
}

int pt_pilot_next(const struct pt_sizing *z, uint64_t amount, double secs, uint64_t *next)
{
	double mid, grow;

	if (!z || !next || amount == 0 || !(secs >= 0) || !isfinite(secs) ||
	    !(z->target_lo_s > 0) || !(z->target_hi_s >= z->target_lo_s) ||
	    !isfinite(z->target_hi_s) || z->min_amount == 0 || z->min_amount > z->max_amount)
		return -EINVAL;
	mid = (z->target_lo_s + z->target_hi_s) / 2;
	if (secs < PT_PILOT_MIN_FRACTION * z->target_lo_s && amount < z->max_amount) {
		/* A pilot of 0 s (below the clock) grows by the most. */
		grow = secs > 0 ? mid / secs : PT_PILOT_MAX_GROWTH;
		if (grow > PT_PILOT_MAX_GROWTH)
			grow = PT_PILOT_MAX_GROWTH;
		if (grow < 2)
			grow = 2;
		*next = clamp_amount(z, (double)amount * grow);
		if (*next <= amount) /* rounding at tiny amounts */
			*next = amount + 1 <= z->max_amount ? amount + 1 : z->max_amount;
		return 1;
	}
	if (secs == 0) { /* at max_amount and still too fast to time */
		*next = z->max_amount;
		return 0;
	}
	*next = clamp_amount(z, (double)amount * mid / secs);
	return 0;
}

int pt_budget_split(double total_s, bool calibration, struct pt_budget_split *out)
{
	struct pt_budget_split s = { .total_s = total_s };

	if (!out || !(total_s > 0) || !isfinite(total_s))
		return -EINVAL;
	s.calibration_s = calibration ? total_s / 5 : 0;
	s.report_s = fmax(5.0, total_s * 0.05);
	s.slack_s = total_s * 0.05;
	s.suite_s = total_s - s.calibration_s - s.report_s - s.slack_s;
	if (!(s.suite_s > 0))
		return -EINVAL;
	*out = s;
	return 0;
}

double pt_budget_min_cost(const struct pt_budget_item *it, size_t n)
{
	double total = 0;

	for (size_t i = 0; i < n; i++)
		if (it[i].open && it[i].reps < it[i].min_reps)
			total += (it[i].min_reps - it[i].reps) * it[i].rep_s;
	return total;
}

int pt_budget_fit_reps(const struct pt_budget_item *it, size_t n, double budget_s, int want)
{
	double one = 0;
	int r;

	for (size_t i = 0; i < n; i++)
		if (it[i].open)
			one += it[i].rep_s;
	if (want < 1 || !(budget_s >= 0))
		return 0;
	if (one <= 0)
		return want;
	r = (int)fmin((double)want, floor(budget_s / one));
	return r < 0 ? 0 : r;
}

/* A candidate of a round: its index and width, sorted without global
 * state (qsort has no context argument in C11). */
struct cand {
	size_t i;
	double width;
};

/* Widest first; an unknown width (NaN) counts as the widest of all; equal
 * widths keep plan order. */
static int by_width_desc(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;

	if (isnan(a->width) != isnan(b->width))
		return isnan(a->width) ? -1 : 1;
	if (!isnan(a->width) && a->width != b->width)
		return a->width > b->width ? -1 : 1;
	return (a->i > b->i) - (a->i < b->i);
}

size_t pt_budget_round(const struct pt_budget_item *it, size_t n, double remaining_s,
		       double target, bool *pick)
{
	struct cand *order;
	size_t m = 0, chosen = 0;

	if (!it || !pick)
		return 0;
	for (size_t i = 0; i < n; i++)
		pick[i] = false;
	order = malloc((n ? n : 1) * sizeof(*order));
	if (!order)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const struct pt_budget_item *p = &it[i];

		if (!p->open || p->reps < p->min_reps || p->reps >= p->max_reps)
			continue;
		if (!isnan(p->width) && p->width <= target)
			continue;
		order[m++] = (struct cand){ i, p->width };
	}
	qsort(order, m, sizeof(*order), by_width_desc);
	for (size_t k = 0; k < m; k++) {
		double c = it[order[k].i].rep_s;

		if (c <= remaining_s) {
			pick[order[k].i] = true;
			remaining_s -= c;
			chosen++;
		}
	}
	free(order);
	return chosen;
}
