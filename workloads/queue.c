// SPDX-License-Identifier: MIT
// queue: producers and consumers through a queue.Queue (or PriorityQueue),
// stopped by one sentinel per consumer (the source material's shutdown).
// Items per second and put-to-get latency; every item must come out exactly
// once. The shared region begins with one delivery counter (a byte) per
// item, in item order, which finish() checks (the tests tamper with it).
#include "queue.h"
#include "workload.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* A wait that lasts this long means a peer has failed. */
#define STALL_NS (10 * PT_NSEC_PER_SEC)

enum { K_FIFO, K_PRIORITY };

static const struct pt_param_def params[] = {
	{ .name = "kind", .type = PT_PARAM_ENUM, .def = "fifo", .choices = "fifo|priority",
	  .help = "fifo: queue.Queue; priority: queue.PriorityQueue, priorities 0-7 spread over "
		  "the items" },
	/* Bounded by default: with an unbounded queue the producers run ahead
	 * and the latency is the backlog, which grows with items. */
	{ .name = "maxsize", .type = PT_PARAM_INT, .def = "16",
	  .help = "the queue's maxsize; 0: unbounded (Python's default; up to items)", .min = 0,
	  .max = 1 << 24 },
	{ .name = "items", .type = PT_PARAM_INT, .def = "100000", .quick = "2000",
	  .help = "items put in all, split among the producers", .min = 1, .max = 1 << 24 },
	{ .name = "producers", .type = PT_PARAM_INT, .def = "0",
	  .help = "workers that put (the first ones); the rest get; 0: half of them",
	  .min = 0, .max = PT_MAX_WORKERS },
	{ 0 },
};

#define SENTINEL UINT64_MAX

struct qitem {
	uint64_t id; /* 0 .. items-1, or SENTINEL */
	uint64_t put_ns;
};

/* After the delivery counters: */
struct qctl {
	_Atomic uint32_t producers_done;
	_Atomic uint64_t strays; /* items with an id out of range */
};

struct qlayout {
	uint64_t items;
	int producers, consumers;
	size_t ctl_off, queue_off, capacity, maxsize;
	enum pt_queue_kind kind;
};

static void layout(const struct pt_ctx *ctx, struct qlayout *l)
{
	int p = (int)pt_param_int(ctx->params, "producers");

	l->items = (uint64_t)pt_param_int(ctx->params, "items");
	l->producers = p ? p : (ctx->nworkers / 2 ? ctx->nworkers / 2 : 1);
	l->consumers = ctx->nworkers - l->producers;
	l->kind = pt_param_int(ctx->params, "kind") == K_PRIORITY ? PT_QUEUE_PRIORITY : PT_QUEUE_FIFO;
	l->maxsize = (size_t)pt_param_int(ctx->params, "maxsize");
	/* Unbounded in fixed memory: room for every item and sentinel, so a
	 * put never meets the capacity (pt_queue_put's -ENOSPC). */
	l->capacity = l->maxsize ? l->maxsize
				 : (size_t)l->items + (size_t)(l->consumers > 0 ? l->consumers : 0);
	l->ctl_off = PT_ALIGN_UP((size_t)l->items, PT_CACHELINE);
	l->queue_off = l->ctl_off + PT_ALIGN_UP(sizeof(struct qctl), PT_CACHELINE);
}

static size_t q_shared_size(const struct pt_ctx *ctx)
{
	struct qlayout l;

	layout(ctx, &l);
	return l.queue_off + pt_queue_size_for(l.kind, l.capacity, sizeof(struct qitem));
}

static _Atomic uint8_t *deliveries(const struct pt_ctx *ctx)
{
	return ctx->shared;
}

static struct qctl *ctl_of(const struct pt_ctx *ctx, const struct qlayout *l)
{
	return (struct qctl *)(void *)((char *)ctx->shared + l->ctl_off);
}

static struct pt_queue *queue_of(const struct pt_ctx *ctx, const struct qlayout *l)
{
	return (struct pt_queue *)(void *)((char *)ctx->shared + l->queue_off);
}

static int q_setup(struct pt_ctx *ctx)
{
	struct qlayout l;
	int ret;

	layout(ctx, &l);
	if (l.consumers < 1) {
		snprintf(ctx->msg, sizeof(ctx->msg),
			 "producers=%d leaves no consumer among %d workers", l.producers,
			 ctx->nworkers);
		return -EINVAL;
	}
	ret = pt_queue_init(queue_of(ctx, &l), l.kind, l.capacity, l.maxsize, sizeof(struct qitem),
			    true);
	if (ret)
		snprintf(ctx->msg, sizeof(ctx->msg), "queue init: %s", strerror(-ret));
	return ret;
}

/* A spread of priorities that mixes low and high along the item ids
 * (Fibonacci hashing, Knuth TAOCP vol. 3, 6.4). */
static int64_t priority_of(uint64_t id)
{
	return (int64_t)((id * 0x9E3779B97F4A7C15ull) >> 61);
}

/* Producer p of P puts items [first, first + count): `for i in ...: q.put(item)`.
 * The last producer to finish puts one sentinel per consumer: every real item
 * is in the queue before them, and they come out last (FIFO, or priority
 * INT64_MAX). */
static int producer_run(struct pt_worker *w, const struct qlayout *l)
{
	const struct pt_ctx *ctx = pt_ctx_of(w);
	struct pt_queue *q = queue_of(ctx, l);
	uint64_t each = l->items / (uint64_t)l->producers, extra = l->items % (uint64_t)l->producers;
	uint64_t me = (uint64_t)w->id;
	uint64_t first = me * each + (me < extra ? me : extra), count = each + (me < extra);
	struct qitem it;
	uint64_t i;
	int ret = 0;

	for (i = 0; i < count; i++) {
		it.id = first + i;
		it.put_ns = pt_now_ns();
		ret = pt_queue_put_prio(q, priority_of(it.id), &it, true, STALL_NS);
		if (ret) {
			snprintf(w->slot->msg, sizeof(w->slot->msg), "%s: put of item %llu: %s",
				 w->name, (unsigned long long)it.id,
				 ret == -ETIMEDOUT ? "queue full for 10 s" : strerror(-ret));
			break;
		}
		pt_tick(w);
	}
	w->slot->ops = i; /* puts; the point's ops are the gets */
	if (atomic_fetch_add(&ctl_of(ctx, l)->producers_done, 1) + 1 == (uint32_t)l->producers) {
		struct qitem s = { .id = SENTINEL };
		int r2 = pt_queue_put_sentinels(q, &s, (unsigned)l->consumers);

		if (r2 && !ret) {
			snprintf(w->slot->msg, sizeof(w->slot->msg), "%s: sentinels: %s", w->name,
				 strerror(-r2));
			ret = r2;
		}
	}
	return ret;
}

/* Each consumer: `while (item := q.get()) is not SENTINEL: ...; q.task_done()`
 * (task_done for the sentinel too). Latency: get's return - the stamp taken
 * just before put. */
static int consumer_run(struct pt_worker *w, const struct qlayout *l)
{
	const struct pt_ctx *ctx = pt_ctx_of(w);
	struct pt_queue *q = queue_of(ctx, l);
	_Atomic uint8_t *seen = deliveries(ctx);
	struct qitem it;
	uint64_t got = 0, now;
	int ret;

	for (;;) {
		ret = pt_queue_get(q, &it, true, STALL_NS);
		now = pt_now_ns();
		if (ret) {
			snprintf(w->slot->msg, sizeof(w->slot->msg), "%s: get after %llu items: %s",
				 w->name, (unsigned long long)got,
				 ret == -ETIMEDOUT ? "queue empty for 10 s" : strerror(-ret));
			break;
		}
		if (it.id != SENTINEL) {
			pt_hist_add(&w->slot->lat, now - it.put_ns);
			if (it.id < l->items)
				atomic_fetch_add_explicit(&seen[it.id], 1, memory_order_relaxed);
			else
				atomic_fetch_add(&ctl_of(ctx, l)->strays, 1);
			got++;
		}
		pt_queue_task_done(q);
		if (it.id == SENTINEL)
			break;
		pt_tick(w);
	}
	w->slot->ops = got;
	return ret;
}

static int q_run(struct pt_worker *w)
{
	struct qlayout l;

	layout(pt_ctx_of(w), &l);
	return w->id < l.producers ? producer_run(w, &l) : consumer_run(w, &l);
}

/* Every item delivered exactly once, nothing else, nothing left. */
static int q_finish(struct pt_ctx *ctx, const struct pt_team_stats *st)
{
	struct qlayout l;
	_Atomic uint8_t *seen = deliveries(ctx);
	uint64_t missing = 0, dups = 0, first_bad = SENTINEL, strays;
	unsigned first_count = 0;
	struct pt_queue *q;
	size_t left;

	layout(ctx, &l);
	q = queue_of(ctx, &l);
	/* ops: items consumed; the workers' ops (min, max) count puts and gets. */
	ctx->ops_override = true;
	ctx->ops = 0;
	for (int i = l.producers; i < ctx->nworkers; i++)
		ctx->ops += ctx->team->slots[i].ops;
	(void)st;
	for (uint64_t i = 0; i < l.items; i++) {
		unsigned c = atomic_load_explicit(&seen[i], memory_order_relaxed);

		if (c == 1)
			continue;
		if (c == 0)
			missing++;
		else
			dups++;
		if (first_bad == SENTINEL) {
			first_bad = i;
			first_count = c;
		}
	}
	strays = atomic_load(&ctl_of(ctx, &l)->strays);
	left = pt_queue_qsize(q);
	if (missing || dups || strays || left || pt_queue_unfinished(q)) {
		if (first_bad != SENTINEL)
			snprintf(ctx->msg, sizeof(ctx->msg),
				 "%llu of %llu items never delivered, %llu more than once "
				 "(item %llu: %u times)",
				 (unsigned long long)missing, (unsigned long long)l.items,
				 (unsigned long long)dups, (unsigned long long)first_bad, first_count);
		else
			snprintf(ctx->msg, sizeof(ctx->msg),
				 "%llu stray items, %zu left in the queue, %llu tasks not done",
				 (unsigned long long)strays, left,
				 (unsigned long long)pt_queue_unfinished(q));
		return -EPROTO;
	}
	return 0;
}

static void q_teardown(struct pt_ctx *ctx)
{
	struct qlayout l;

	layout(ctx, &l);
	if (pt_team_intact(ctx->team))
		pt_queue_destroy(queue_of(ctx, &l));
}

/* Measured with build/ptbench on the 2-core development machine (loaded), 2
 * and 4 workers: an item 0.5-1 us at maxsize=16, 0.15 us unbounded, 4-10 us
 * at maxsize=1 (every item a wake-up), about the same under every model. */
static double q_estimate(const struct pt_params *p, enum pt_model m, int n, int npus)
{
	int64_t maxsize = pt_param_int(p, "maxsize");
	double per = maxsize ? 0.4e-6 + 6e-6 / (double)maxsize : 0.3e-6;

	(void)m;
	(void)n;
	(void)npus;
	return (double)pt_param_int(p, "items") * per;
}

const struct pt_workload pt_wl_queue = {
	.name = "queue",
	.kind = PT_KIND_SYNC,
	.summary = "producers and consumers through a Queue, stopped by sentinels; put-to-get latency",
	.params = params,
	.models = PT_MODELS_CONCURRENT,
	.min_workers = 2,
	.skip_why = "queue's producers and consumers must run at once",
	.suite = { .workers = "2,4", .sweep = "kind=fifo,priority" },
	.estimate_s = q_estimate,
	.shared_size = q_shared_size,
	.setup = q_setup,
	.run = q_run,
	.finish = q_finish,
	.teardown = q_teardown,
};
