// SPDX-License-Identifier: MIT
// queue: producers and consumers through a queue.Queue (or PriorityQueue),
// stopped by one sentinel per consumer (the source material's shutdown).
// Items per second and put-to-get latency; every item must come out exactly
// once and intact. Items carry `payload` bytes through the transport `ipc`
// (references, multiprocessing.Queue's pipe, or shared memory). The shared
// region begins with one delivery counter (a byte) per item, in item order,
// which finish() checks (the tests tamper with it).
#include "transport.h"
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
	{ .name = "payload", .type = PT_PARAM_SIZE, .def = "64",
	  .help = "bytes each item carries (K, M suffixes); the receiver checks every byte",
	  .min = 0, .max = (int64_t)64 << 20 },
	{ .name = "ipc", .type = PT_PARAM_ENUM, .def = "auto", .choices = PT_IPC_CHOICES,
	  .help = "auto: what Python uses (queue.Queue references for threads, "
		  "multiprocessing.Queue's pipe for procs); pipe; shm: copies in shared memory" },
	{ 0 },
};

#define SENTINEL UINT64_MAX

/* After the delivery counters: */
struct qctl {
	_Atomic uint32_t producers_done;
	_Atomic uint64_t strays; /* items with an id out of range */
};

struct qlayout {
	uint64_t items;
	int producers, consumers;
	size_t ctl_off, payload_off, chan_off;
	struct pt_chan_config chan;
};

/* The transport of a point: multiprocessing has no PriorityQueue, so a
 * priority queue between processes stays in shared memory. */
static enum pt_xport q_xport(const struct pt_params *p, enum pt_model m)
{
	enum pt_xport x = pt_ipc_resolve((enum pt_ipc)pt_param_int(p, "ipc"), m);

	if (x == PT_XPORT_PIPE && pt_param_int(p, "kind") == K_PRIORITY &&
	    pt_param_int(p, "ipc") == PT_IPC_AUTO)
		x = PT_XPORT_SHM;
	return x;
}

static void layout(const struct pt_ctx *ctx, struct qlayout *l)
{
	int p = (int)pt_param_int(ctx->params, "producers");

	l->items = (uint64_t)pt_param_int(ctx->params, "items");
	l->producers = p ? p : (ctx->nworkers / 2 ? ctx->nworkers / 2 : 1);
	l->consumers = ctx->nworkers - l->producers;
	l->chan = (struct pt_chan_config){
		.kind = q_xport(ctx->params, ctx->model),
		.order = pt_param_int(ctx->params, "kind") == K_PRIORITY ? PT_QUEUE_PRIORITY
									 : PT_QUEUE_FIFO,
		.maxsize = (size_t)pt_param_int(ctx->params, "maxsize"),
		/* Unbounded in fixed memory: room for every item and sentinel,
		 * so a put never meets the capacity. */
		.max_items = (size_t)l->items + (size_t)(l->consumers > 0 ? l->consumers : 0),
		.max_len = (size_t)pt_param_int(ctx->params, "payload"),
	};
	l->ctl_off = PT_ALIGN_UP((size_t)l->items, PT_CACHELINE);
	l->payload_off = l->ctl_off + PT_ALIGN_UP(sizeof(struct qctl), PT_CACHELINE);
	l->chan_off = l->payload_off + PT_ALIGN_UP(l->chan.max_len, PT_CACHELINE);
}

static size_t q_shared_size(const struct pt_ctx *ctx)
{
	struct qlayout l;

	layout(ctx, &l);
	return l.chan_off + pt_chan_size(&l.chan);
}

static int q_validate(const struct pt_params *p, char *err, size_t errlen)
{
	if (pt_param_int(p, "kind") == K_PRIORITY && pt_param_int(p, "ipc") == PT_IPC_PIPE) {
		snprintf(err, errlen, "kind=priority has no pipe transport (multiprocessing has "
			 "no PriorityQueue): use ipc=auto or ipc=shm");
		return -EINVAL;
	}
	return 0;
}

static _Atomic uint8_t *deliveries(const struct pt_ctx *ctx)
{
	return ctx->shared;
}

static struct qctl *ctl_of(const struct pt_ctx *ctx, const struct qlayout *l)
{
	return (struct qctl *)(void *)((char *)ctx->shared + l->ctl_off);
}

static struct pt_chan *chan_of(const struct pt_ctx *ctx, const struct qlayout *l)
{
	return (struct pt_chan *)(void *)((char *)ctx->shared + l->chan_off);
}

/* The bytes every item carries: one immutable buffer in the arena, as a
 * Python producer would put the same bytes object. */
static const void *payload_of(const struct pt_ctx *ctx, const struct qlayout *l)
{
	return (const char *)ctx->shared + l->payload_off;
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
	pt_payload_fill((char *)ctx->shared + l.payload_off, l.chan.max_len);
	ret = pt_chan_init(chan_of(ctx, &l), &l.chan);
	if (ret)
		snprintf(ctx->msg, sizeof(ctx->msg), "%s channel init: %s",
			 pt_xport_name(l.chan.kind), strerror(-ret));
	return ret;
}

/* A spread of priorities that mixes low and high along the item ids
 * (Fibonacci hashing, Knuth TAOCP vol. 3, 6.4). */
static int64_t priority_of(uint64_t id)
{
	return (int64_t)((id * 0x9E3779B97F4A7C15ull) >> 61);
}

/* Producer p of P puts items [first, first + count): `for i in ...: q.put(item)`.
 * Each producer flushes what it put (multiprocessing's feeder) before it
 * counts itself done; the last one then puts one sentinel per consumer:
 * every real item is in the queue before them, and they come out last
 * (FIFO, or priority INT64_MAX). */
static int producer_run(struct pt_worker *w, const struct qlayout *l)
{
	const struct pt_ctx *ctx = pt_ctx_of(w);
	struct pt_chan *c = chan_of(ctx, l);
	const void *payload = payload_of(ctx, l);
	uint64_t each = l->items / (uint64_t)l->producers, extra = l->items % (uint64_t)l->producers;
	uint64_t me = (uint64_t)w->id;
	uint64_t first = me * each + (me < extra ? me : extra), count = each + (me < extra);
	struct pt_msg it = { .len = (uint32_t)l->chan.max_len };
	struct pt_tx tx;
	uint64_t i = 0;
	int ret, r2;

	ret = pt_tx_open(&tx, c, w, true);
	if (ret) {
		snprintf(w->slot->msg, sizeof(w->slot->msg), "%s: %s", w->name, strerror(-ret));
		return ret;
	}
	for (; i < count; i++) {
		it.id = first + i;
		it.aux = pt_now_ns();
		ret = pt_tx_put_prio(&tx, priority_of(it.id), &it, payload, STALL_NS);
		if (ret) {
			snprintf(w->slot->msg, sizeof(w->slot->msg), "%s: put of item %llu: %s",
				 w->name, (unsigned long long)it.id,
				 ret == -ETIMEDOUT ? "queue full for 10 s" : strerror(-ret));
			break;
		}
		pt_tick(w);
	}
	w->slot->ops = i; /* puts; the point's ops are the gets */
	r2 = pt_tx_flush(&tx, STALL_NS);
	if (r2 && !ret) {
		snprintf(w->slot->msg, sizeof(w->slot->msg), "%s: flush: %s", w->name,
			 strerror(-r2));
		ret = r2;
	}
	if (atomic_fetch_add(&ctl_of(ctx, l)->producers_done, 1) + 1 == (uint32_t)l->producers) {
		struct pt_msg s = { .id = SENTINEL };

		for (int k = 0; k < l->consumers && !r2; k++)
			r2 = pt_tx_put_prio(&tx, INT64_MAX, &s, NULL, STALL_NS);
		if (r2 && !ret) {
			snprintf(w->slot->msg, sizeof(w->slot->msg), "%s: sentinels: %s", w->name,
				 strerror(-r2));
			ret = r2;
		}
	}
	r2 = pt_tx_close(&tx, STALL_NS);
	if (r2 && !ret) {
		snprintf(w->slot->msg, sizeof(w->slot->msg), "%s: feeder: %s", w->name,
			 strerror(-r2));
		ret = r2;
	}
	return ret;
}

/* Each consumer: `while (item := q.get()) is not SENTINEL: ...`, checking
 * every byte of each item. Latency: get's return - the stamp taken just
 * before put. */
static int consumer_run(struct pt_worker *w, const struct qlayout *l)
{
	const struct pt_ctx *ctx = pt_ctx_of(w);
	_Atomic uint8_t *seen = deliveries(ctx);
	struct pt_msg it;
	const void *data;
	struct pt_rx rx;
	uint64_t got = 0, now;
	size_t bad;
	int ret;

	ret = pt_rx_open(&rx, chan_of(ctx, l), w);
	if (ret) {
		snprintf(w->slot->msg, sizeof(w->slot->msg), "%s: %s", w->name, strerror(-ret));
		return ret;
	}
	for (;;) {
		ret = pt_rx_get(&rx, &it, &data, STALL_NS);
		now = pt_now_ns();
		if (!ret && it.id != SENTINEL &&
		    (it.len != l->chan.max_len || pt_payload_check(data, it.len, &bad))) {
			snprintf(w->slot->msg, sizeof(w->slot->msg),
				 "%s: item %llu arrived damaged (%u bytes, wanted %zu)", w->name,
				 (unsigned long long)it.id, it.len, l->chan.max_len);
			ret = -EBADMSG;
			break;
		}
		if (ret) {
			snprintf(w->slot->msg, sizeof(w->slot->msg), "%s: get after %llu items: %s",
				 w->name, (unsigned long long)got,
				 ret == -ETIMEDOUT ? "queue empty for 10 s" : strerror(-ret));
			break;
		}
		if (it.id == SENTINEL)
			break;
		pt_hist_add(&w->slot->lat, now - it.aux);
		if (it.id < l->items)
			atomic_fetch_add_explicit(&seen[it.id], 1, memory_order_relaxed);
		else
			atomic_fetch_add(&ctl_of(ctx, l)->strays, 1);
		got++;
		pt_tick(w);
	}
	pt_rx_close(&rx);
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
	size_t left;

	layout(ctx, &l);
	/* ops: items consumed; the workers' ops (min, max) count puts and gets. */
	ctx->ops_override = true;
	ctx->ops = 0;
	for (int i = l.producers; i < ctx->nworkers; i++)
		ctx->ops += st->worker[i].ops;
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
	left = pt_chan_leftover(chan_of(ctx, &l));
	if (missing || dups || strays || left) {
		if (first_bad != SENTINEL)
			snprintf(ctx->msg, sizeof(ctx->msg),
				 "%llu of %llu items never delivered, %llu more than once "
				 "(item %llu: %u times)",
				 (unsigned long long)missing, (unsigned long long)l.items,
				 (unsigned long long)dups, (unsigned long long)first_bad, first_count);
		else
			snprintf(ctx->msg, sizeof(ctx->msg),
				 "%llu stray items, %zu left in the queue",
				 (unsigned long long)strays, left);
		return -EPROTO;
	}
	return 0;
}

static void q_teardown(struct pt_ctx *ctx)
{
	struct qlayout l;

	layout(ctx, &l);
	pt_chan_destroy(chan_of(ctx, &l), pt_team_intact(ctx->team));
}

/* Measured with build/ptbench on the 2-core development machine (loaded), 2
 * and 4 workers: an item 0.5-1 us at maxsize=16, 0.15 us unbounded, 4-10 us
 * at maxsize=1 (every item a wake-up), about the same under every model;
 * the pipe adds about 10 us an item, and every transport a few GB/s of
 * payload (the check, and the copies of pipe and shm), plus pickle. */
static double q_estimate(const struct pt_params *p, enum pt_model m, int n, int npus)
{
	int64_t maxsize = pt_param_int(p, "maxsize");
	double per = maxsize ? 0.4e-6 + 6e-6 / (double)maxsize : 0.3e-6;
	size_t len = (size_t)pt_param_int(p, "payload");
	enum pt_xport x = q_xport(p, m);

	(void)n;
	(void)npus;
	per += (double)len / 2e9;
	if (x == PT_XPORT_PIPE)
		per += 10e-6 + (pt_pickle_dumps_ns(len) + pt_pickle_loads_ns(len)) / 1e9;
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
	.size = "items",
	.suite = { .workers = "2,4", .sweep = "kind=fifo,priority", .ft_shared = "0",
		   .models = "threads,procs,gil,ft" },
	.estimate_s = q_estimate,
	.validate = q_validate,
	.shared_size = q_shared_size,
	.setup = q_setup,
	.run = q_run,
	.finish = q_finish,
	.teardown = q_teardown,
};
