// SPDX-License-Identifier: MIT
// barrier: the horse race of the source material: n horses (workers) each
// advance a random-ish step and wait at a Barrier whose action, run by the
// last to arrive, looks for a winner and starts a new race. One generation
// is one cycle; the action times the cycles.
#include "sync.h"
#include "workload.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* A wait that lasts this long means a horse has failed. */
#define STALL_NS (10 * PT_NSEC_PER_SEC)

static const struct pt_param_def params[] = {
	{ .name = "cycles", .type = PT_PARAM_INT, .def = "20000", .quick = "200",
	  .help = "barrier generations: steps every horse takes", .min = 1, .max = 1000000000 },
	{ .name = "track", .type = PT_PARAM_INT, .def = "40",
	  .help = "length of a race (a step is 1 to 3)", .min = 1, .max = 1000000000 },
	{ 0 },
};

enum { M_RACES };
static const struct pt_metric_def metrics[] = {
	[M_RACES] = { "races", "races won: generations whose action found a horse past the line" },
	{ 0 },
};

struct race {
	struct pt_barrier b;
	/* Written by the action alone, read by the party that ran it: */
	uint64_t last_ns;   /* when the previous generation's action ran */
	uint64_t cycle_ns;  /* this generation's cycle; 0 for the first */
	uint64_t races;
	uint64_t track;
	/* Each horse writes its own position between two waits; the action
	 * reads them all and puts them back to 0 at the end of a race. */
	uint64_t pos[];
};

static size_t bar_shared_size(const struct pt_ctx *ctx)
{
	return sizeof(struct race) + (size_t)ctx->nworkers * sizeof(uint64_t);
}

/* The action, with every horse at the barrier and none released yet: the
 * positions are stable. Python: `def action(): if max(pos) >= track: ...` */
static int finish_line(void *arg)
{
	struct race *r = arg;
	unsigned n = pt_barrier_parties(&r->b);
	uint64_t now = pt_now_ns();
	bool won = false;

	r->cycle_ns = r->last_ns ? now - r->last_ns : 0;
	r->last_ns = now;
	for (unsigned i = 0; i < n; i++)
		won |= r->pos[i] >= r->track;
	if (won) {
		r->races++;
		for (unsigned i = 0; i < n; i++)
			r->pos[i] = 0;
	}
	return 0;
}

static int bar_setup(struct pt_ctx *ctx)
{
	struct race *r = ctx->shared;
	int ret;

	r->track = (uint64_t)pt_param_int(ctx->params, "track");
	/* A fork()ed party runs the action through the same pointers: the
	 * code and the arena are at the same addresses in every process. */
	ret = pt_barrier_init(&r->b, (unsigned)ctx->nworkers, finish_line, r, PT_FOREVER, true);
	if (ret)
		snprintf(ctx->msg, sizeof(ctx->msg), "barrier init: %s", strerror(-ret));
	return ret;
}

/* xorshift32 (G. Marsaglia, "Xorshift RNGs", J. Stat. Softw. 8(14), 2003):
 * each horse its own sequence, the same in every run. */
static uint32_t xorshift32(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* Each horse: `for _ in range(cycles): pos[me] += randint(1, 3); barrier.wait()`.
 * The party that ran the action (wait() returns parties - 1) records the
 * cycle it timed: one latency a generation, from the previous generation's
 * action to this one's. */
static int bar_run(struct pt_worker *w)
{
	struct pt_ctx *ctx = pt_ctx_of(w);
	struct race *r = ctx->shared;
	uint64_t cycles = (uint64_t)pt_param_int(ctx->params, "cycles"), c;
	uint32_t rng = 2654435761u * (uint32_t)(w->id + 1);
	int last = w->nworkers - 1, ret = 0;

	for (c = 0; c < cycles; c++) {
		r->pos[w->id] += 1 + xorshift32(&rng) % 3;
		pt_tick(w);
		ret = pt_barrier_wait(&r->b, STALL_NS);
		if (ret < 0) {
			snprintf(w->slot->msg, sizeof(w->slot->msg), "%s: barrier, cycle %llu: %s",
				 w->name, (unsigned long long)c,
				 ret == -ETIMEDOUT ? "nobody came for 10 s" :
				 ret == PT_BARRIER_BROKEN ? "broken" : strerror(-ret));
			break;
		}
		if (ret == last && r->cycle_ns)
			pt_hist_add(&w->slot->lat, r->cycle_ns);
		ret = 0;
	}
	w->slot->ops = c;
	return ret;
}

static int bar_finish(struct pt_ctx *ctx, const struct pt_team_stats *st)
{
	struct race *r = ctx->shared;
	uint64_t cycles = (uint64_t)pt_param_int(ctx->params, "cycles");
	uint64_t gens = pt_barrier_generation(&r->b);

	(void)st;
	/* ops: generations, each one cycle of every horse. */
	ctx->ops_override = true;
	ctx->ops = gens;
	ctx->metric[M_RACES] = (double)r->races;
	if (gens != cycles || pt_barrier_broken(&r->b)) {
		snprintf(ctx->msg, sizeof(ctx->msg), "%llu generations for %llu cycles%s",
			 (unsigned long long)gens, (unsigned long long)cycles,
			 pt_barrier_broken(&r->b) ? ", barrier broken" : "");
		return -EPROTO;
	}
	return 0;
}

static void bar_teardown(struct pt_ctx *ctx)
{
	struct race *r = ctx->shared;

	if (pt_team_intact(ctx->team))
		pt_barrier_destroy(&r->b);
}

/* Measured with build/ptbench on the 2-core development machine (loaded): a
 * cycle 5-7 us at 2 parties, 12-20 us at 4, about the same under every
 * model. */
static double bar_estimate(const struct pt_params *p, enum pt_model m, int n, int npus)
{
	(void)m;
	(void)npus;
	return (double)pt_param_int(p, "cycles") * 4e-6 * n;
}

const struct pt_workload pt_wl_barrier = {
	.name = "barrier",
	.kind = PT_KIND_SYNC,
	.summary = "n horses cycling through a Barrier whose action checks for a winner; cycle time",
	.params = params,
	.metrics = metrics,
	.models = PT_MODELS_CONCURRENT,
	.min_workers = 2,
	.skip_why = "barrier needs its parties waiting at once",
	.size = "cycles",
	.suite = { .workers = "2,4", .models = "threads,procs,gil" },
	.estimate_s = bar_estimate,
	.shared_size = bar_shared_size,
	.setup = bar_setup,
	.run = bar_run,
	.finish = bar_finish,
	.teardown = bar_teardown,
};
