// SPDX-License-Identifier: MIT
// pool: the concurrent.futures pattern. A pool of N workers, started before
// the clock, runs `tasks` tasks that each carry `payload` bytes in, count down
// `work` ticks and return `result` bytes, `chunksize` at a time as
// Executor.map batches them. A submitter feeds the call channel and a
// collector drains the result channel (threads of the pool's owner, under
// its GIL where there is one): references for the thread models
// (ThreadPoolExecutor), the transport for procs (ProcessPoolExecutor's call
// queue and result queue); serial calls the task function in a loop.
// Figures: tasks/s, and the time per task beyond the ideal work/workers,
// which locates the task size from which a process pool beats threads under
// a GIL.
#include "transport.h"
#include "workload.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A wait that lasts this long means a peer has failed. */
#define STALL_NS (10 * PT_NSEC_PER_SEC)
/* Helpers wait in slices this long, to notice the point ending. */
#define SLICE_NS (50 * PT_NSEC_PER_MSEC)

/* tasks=0: enough tasks for about this much ideal wall time... */
#define AUTO_TARGET_S 0.02
/* ...within these bounds, and at most this many bytes moved in all. */
#define AUTO_MIN_TASKS 10
#define AUTO_MAX_TASKS 4000
#define AUTO_MAX_BYTES ((double)(32 << 20))

/* ProcessPoolExecutor's call queue holds max_workers + EXTRA_QUEUED_CALLS
 * items (CPython Lib/concurrent/futures/process.py: EXTRA_QUEUED_CALLS = 1). */
#define EXTRA_QUEUED_CALLS 1

static const struct pt_param_def params[] = {
	{ .name = "tasks", .type = PT_PARAM_INT, .def = "0", .quick = "40",
	  .help = "tasks submitted in all; 0: about 20 ms of ideal work (10 to 4000 tasks, "
		  "at most 32 MiB moved)",
	  .min = 0, .max = 1 << 24 },
	{ .name = "work", .type = PT_PARAM_INT, .def = "3500", .quick = "100",
	  .help = "countdown ticks per task (a tick is about 28 ns: 35 ~ 1 us, 350000 ~ 10 ms)",
	  .min = 0, .max = 1000000000 },
	{ .name = "payload", .type = PT_PARAM_SIZE, .def = "64",
	  .help = "bytes each task carries in (K, M suffixes)", .min = 0, .max = (int64_t)16 << 20 },
	{ .name = "result", .type = PT_PARAM_SIZE, .def = "64",
	  .help = "bytes each task returns", .min = 0, .max = (int64_t)16 << 20 },
	{ .name = "chunksize", .type = PT_PARAM_INT, .def = "1",
	  .help = "tasks per call item, as Executor.map(chunksize=)", .min = 1, .max = 1 << 16 },
	{ .name = "ipc", .type = PT_PARAM_ENUM, .def = "auto", .choices = PT_IPC_CHOICES,
	  .help = "auto: references for thread models, the pipe for procs; pipe; shm" },
	{ .name = "pycost", .type = PT_PARAM_ENUM, .def = "on", .choices = "on|off",
	  .help = "on: each call item also pays the executor's Python work (Future, work "
		  "item, queues, manager thread) in ticks; off: bare C" },
	{ 0 },
};

/* The executor's own Python work per call item, in ticks (a tick stands for
 * one countdown turn of CPython): `python3 scripts/poolcost.py` (CPython
 * 3.11.7, the 2-core development VM at load 17, a turn then 70.9 ns; CPU
 * per task of Executor.map over tasks of 35 turns returning 64 bytes, less
 * the 55 ticks the same call takes in a plain loop).
 *   ThreadPoolExecutor: 200-220 ticks a task in all (the pool's threads
 *     share the process's CPU time): 155 beyond the call. Split as the code
 *     runs (Lib/concurrent/futures/thread.py): submit() makes the Future and
 *     the _WorkItem and puts it (70); the worker's get, run and set_result
 *     under the Future's Condition (50); map's iterator taking result() (35).
 *   ProcessPoolExecutor: the owner 1060-1500 ticks a task (submit, the
 *     executor manager thread moving work ids into the call queue and
 *     results into Futures, the feeder), 1200: 700 on the submitting side,
 *     500 on the collecting side; a worker 350-370 ticks, 310 beyond the
 *     call and the pickles ptbench already spends (process.py's
 *     _process_worker: call_queue.get, _CallItem, _ResultItem, put). */
struct exec_cost {
	uint64_t submit, worker, collect;
};
static const struct exec_cost thread_executor = { 70, 50, 35 };
static const struct exec_cost process_executor = { 700, 310, 500 };

static const struct pt_metric_def metrics[] = {
	{ "overhead_us", "wall time per task beyond the ideal work/workers, us" },
	{ "work_us", "one task's work alone, us (measured before the run)" },
	{ 0 },
};
enum { M_OVERHEAD, M_WORK };

/* Process-shared state after the delivery counters. */
struct pctl {
	_Atomic uint64_t strays;
	_Atomic int helper_err;
	char helper_msg[PT_MSG_LEN];
};

struct playout {
	uint64_t tasks, chunks, chunksize;
	uint64_t work_iters;
	size_t payload, result;
	size_t ctl_off, bytes_off, call_off, res_off, bytes_len;
	struct pt_chan_config call, res;
	struct exec_cost py;	/* per call item, ticks: 0 when pycost=off or serial */
};

/* The point process's own state: the pool owner's two threads. */
struct ppriv {
	struct pt_worker sub, col;
	double work_ns;
};

static uint64_t auto_tasks(const struct pt_params *p, int nworkers)
{
	double work_s = (double)pt_param_int(p, "work") * 28.3e-9, t;
	double bytes = (double)pt_param_int(p, "payload") + (double)pt_param_int(p, "result");
	int64_t given = pt_param_int(p, "tasks");

	if (given)
		return (uint64_t)given;
	t = work_s > 0 ? AUTO_TARGET_S * nworkers / work_s : AUTO_MAX_TASKS;
	if (bytes > 0 && t > AUTO_MAX_BYTES / bytes)
		t = AUTO_MAX_BYTES / bytes;
	if (t > AUTO_MAX_TASKS)
		t = AUTO_MAX_TASKS;
	if (t < AUTO_MIN_TASKS)
		t = AUTO_MIN_TASKS;
	return (uint64_t)t;
}

static void layout_of(const struct pt_params *p, enum pt_model m, int nworkers,
		      struct playout *l)
{
	enum pt_xport x = pt_ipc_resolve((enum pt_ipc)pt_param_int(p, "ipc"), m);

	l->tasks = auto_tasks(p, nworkers);
	l->chunksize = (uint64_t)pt_param_int(p, "chunksize");
	l->chunks = (l->tasks + l->chunksize - 1) / l->chunksize;
	l->work_iters = (uint64_t)pt_param_int(p, "work") * PT_TICK_ITERS;
	l->payload = (size_t)pt_param_int(p, "payload");
	l->result = (size_t)pt_param_int(p, "result");
	l->bytes_len = (size_t)l->chunksize * (l->payload > l->result ? l->payload : l->result);
	l->call = (struct pt_chan_config){
		.kind = x,
		/* ThreadPoolExecutor's work queue is an unbounded SimpleQueue. */
		.maxsize = x == PT_XPORT_REF ? 0 : (size_t)nworkers + EXTRA_QUEUED_CALLS,
		.max_items = (size_t)l->chunks + (size_t)nworkers,
		.max_len = (size_t)l->chunksize * l->payload,
	};
	/* A process pool moves bytes (pipe, shm); a thread pool references. */
	l->py = (struct exec_cost){ 0 };
	if (pt_param_int(p, "pycost") == 0 && x != PT_XPORT_DIRECT)
		l->py = x == PT_XPORT_REF ? thread_executor : process_executor;
	l->res = (struct pt_chan_config){
		.kind = x,
		.max_items = (size_t)l->chunks,
		.max_len = (size_t)l->chunksize * l->result,
	};
	/* Two delivery counters per task: its call, its result. */
	l->ctl_off = PT_ALIGN_UP(2 * (size_t)l->tasks, PT_CACHELINE);
	l->bytes_off = l->ctl_off + PT_ALIGN_UP(sizeof(struct pctl), PT_CACHELINE);
	l->call_off = l->bytes_off + PT_ALIGN_UP(l->bytes_len, PT_CACHELINE);
	l->res_off = l->call_off + (x == PT_XPORT_DIRECT ? 0 : pt_chan_size(&l->call));
}

static void layout(const struct pt_ctx *ctx, struct playout *l)
{
	layout_of(ctx->params, ctx->model, ctx->nworkers, l);
}

static size_t pool_shared_size(const struct pt_ctx *ctx)
{
	struct playout l;

	layout(ctx, &l);
	return l.res_off + (l.call.kind == PT_XPORT_DIRECT ? 0 : pt_chan_size(&l.res));
}

static int pool_validate(const struct pt_params *p, char *err, size_t errlen)
{
	int64_t cs = pt_param_int(p, "chunksize");
	int64_t big = pt_param_int(p, "payload") > pt_param_int(p, "result")
			      ? pt_param_int(p, "payload")
			      : pt_param_int(p, "result");

	if (cs * big > (int64_t)256 << 20) {
		snprintf(err, errlen, "chunksize=%lld x %lld bytes makes call items over 256 MiB",
			 (long long)cs, (long long)big);
		return -EINVAL;
	}
	return 0;
}

static _Atomic uint8_t *calls_seen(const struct pt_ctx *ctx)
{
	return ctx->shared;
}

static _Atomic uint8_t *results_seen(const struct pt_ctx *ctx, const struct playout *l)
{
	return (_Atomic uint8_t *)ctx->shared + l->tasks;
}

static struct pctl *ctl_of(const struct pt_ctx *ctx, const struct playout *l)
{
	return (struct pctl *)(void *)((char *)ctx->shared + l->ctl_off);
}

static const void *bytes_of(const struct pt_ctx *ctx, const struct playout *l)
{
	return (const char *)ctx->shared + l->bytes_off;
}

static struct pt_chan *call_of(const struct pt_ctx *ctx, const struct playout *l)
{
	return (struct pt_chan *)(void *)((char *)ctx->shared + l->call_off);
}

static struct pt_chan *res_of(const struct pt_ctx *ctx, const struct playout *l)
{
	return (struct pt_chan *)(void *)((char *)ctx->shared + l->res_off);
}

/* Tasks [first, first + count) of chunk @chunk. */
static uint64_t chunk_first(const struct playout *l, uint64_t chunk)
{
	return chunk * l->chunksize;
}

static uint64_t chunk_count(const struct playout *l, uint64_t chunk)
{
	uint64_t first = chunk_first(l, chunk);

	return l->tasks - first < l->chunksize ? l->tasks - first : l->chunksize;
}

/* Marks tasks [first, first + count) in @seen; false for a range out of
 * bounds (counted as a stray). */
static bool mark(_Atomic uint8_t *seen, const struct playout *l, uint64_t first, uint64_t count)
{
	if (first >= l->tasks || count > l->tasks - first)
		return false;
	for (uint64_t t = first; t < first + count; t++)
		atomic_fetch_add_explicit(&seen[t], 1, memory_order_relaxed);
	return true;
}

/* Records the first failure of a pool owner's thread, for finish(). */
__attribute__((format(printf, 4, 5))) static void
helper_fail(const struct pt_ctx *ctx, const struct playout *l, int err, const char *fmt, ...)
{
	struct pctl *c = ctl_of(ctx, l);
	int zero = 0;

	if (atomic_compare_exchange_strong(&c->helper_err, &zero, err)) {
		char what[96];
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(what, sizeof(what), fmt, ap);
		va_end(ap);
		snprintf(c->helper_msg, sizeof(c->helper_msg), "%s: %s", what,
			 err == -ETIMEDOUT ? "stalled for 10 s" : strerror(-err));
	}
}

/* Bytes a reference is checked on: no copy was made, so no byte can have
 * been skipped; Python reads none of them either. */
#define REF_CHECK 64

/* Checks @len bytes of an item at @data: every byte of a copy (pipe, shm);
 * of a reference (serial, the thread models), that it is the submitter's
 * own object and its first bytes. 0 or -EBADMSG. */
static int check_item(const struct pt_ctx *ctx, const struct playout *l, const void *data,
		      size_t len)
{
	if (l->call.kind != PT_XPORT_REF && l->call.kind != PT_XPORT_DIRECT)
		return pt_payload_check(data, len, NULL);
	if (len && data != bytes_of(ctx, l))
		return -EBADMSG;
	return pt_payload_check(data, len < REF_CHECK ? len : REF_CHECK, NULL);
}

/* The executor's Python work of one call item (struct exec_cost). */
static void executor_work(struct pt_worker *w, uint64_t ticks)
{
	pt_count_down_ticking(w, ticks * PT_TICK_ITERS, PT_TICK_ITERS);
}

/* A ThreadPoolExecutor's map() ignores chunksize: its costs come per task;
 * a ProcessPoolExecutor's per chunk. */
static uint64_t per_item(const struct playout *l, uint64_t ticks, uint64_t count)
{
	return l->call.kind == PT_XPORT_REF ? ticks * count : ticks;
}

/* serial: `for x in tasks: f(x)`. Each body takes every nworkers-th task. */
static int serial_run(struct pt_worker *w, const struct playout *l)
{
	const struct pt_ctx *ctx = pt_ctx_of(w);
	const void *bytes = bytes_of(ctx, l);
	uint64_t n = 0;

	for (uint64_t t = (uint64_t)w->id; t < l->tasks; t += (uint64_t)w->nworkers) {
		if (check_item(ctx, l, bytes, l->payload))
			return -EBADMSG;
		mark(calls_seen(ctx), l, t, 1);
		pt_count_down_ticking(w, l->work_iters, PT_TICK_ITERS);
		if (check_item(ctx, l, bytes, l->result))
			return -EBADMSG;
		mark(results_seen(ctx, l), l, t, 1);
		n++;
	}
	w->slot->ops = n;
	return 0;
}

/* A pool worker: `while (call := call_queue.get()) is not None:
 * result_queue.put(run(call))` (process.py's _process_worker; a
 * ThreadPoolExecutor's _worker likewise). */
static int pool_run(struct pt_worker *w)
{
	const struct pt_ctx *ctx = pt_ctx_of(w);
	struct playout l;
	struct pt_rx rx;
	struct pt_tx tx;
	const void *data;
	struct pt_msg m;
	uint64_t n = 0;
	int ret, r2;

	layout(ctx, &l);
	if (l.call.kind == PT_XPORT_DIRECT)
		return serial_run(w, &l);
	ret = pt_rx_open(&rx, call_of(ctx, &l), w);
	if (ret)
		return ret;
	/* The result queue is a SimpleQueue: no feeder, put writes. */
	ret = pt_tx_open(&tx, res_of(ctx, &l), w, false);
	if (ret) {
		pt_rx_close(&rx);
		return ret;
	}
	for (;;) {
		uint64_t first, count;

		ret = pt_rx_get(&rx, &m, &data, STALL_NS);
		if (ret) {
			snprintf(w->slot->msg, sizeof(w->slot->msg), "%s: get after %llu tasks: %s",
				 w->name, (unsigned long long)n,
				 ret == -ETIMEDOUT ? "no call for 10 s" : strerror(-ret));
			break;
		}
		if (m.id == PT_MSG_SENTINEL)
			break;
		first = chunk_first(&l, m.id);
		count = m.aux;
		if (m.len != count * l.payload || check_item(ctx, &l, data, m.len)) {
			snprintf(w->slot->msg, sizeof(w->slot->msg),
				 "%s: call %llu arrived damaged (%u bytes)", w->name,
				 (unsigned long long)m.id, m.len);
			ret = -EBADMSG;
			break;
		}
		if (!mark(calls_seen(ctx), &l, first, count))
			atomic_fetch_add(&ctl_of(ctx, &l)->strays, 1);
		executor_work(w, per_item(&l, l.py.worker, count));
		for (uint64_t i = 0; i < count; i++)
			pt_count_down_ticking(w, l.work_iters, PT_TICK_ITERS);
		m.len = (uint32_t)(count * l.result);
		ret = pt_tx_put(&tx, &m, bytes_of(ctx, &l), STALL_NS);
		if (ret) {
			snprintf(w->slot->msg, sizeof(w->slot->msg), "%s: result of call %llu: %s",
				 w->name, (unsigned long long)m.id, strerror(-ret));
			break;
		}
		n += count;
	}
	r2 = pt_tx_close(&tx, STALL_NS);
	pt_rx_close(&rx);
	w->slot->ops = n;
	return ret ? ret : r2;
}

/* Puts with a slice timeout until it succeeds, the point ends or STALL_NS
 * pass. */
static int helper_put(struct pt_team *t, struct pt_tx *tx, const struct pt_msg *m,
		      const void *data)
{
	uint64_t give_up = pt_now_ns() + STALL_NS;
	int ret;

	while ((ret = pt_tx_put(tx, m, data, SLICE_NS)) == -ETIMEDOUT && pt_helper_running(t) &&
	       pt_now_ns() < give_up)
		;
	return ret;
}

/* The submitter: `executor.map(f, tasks, chunksize=)` puts every chunk into
 * the call queue (through its feeder). */
static void submitter(struct pt_team *t, void *arg)
{
	struct pt_ctx *ctx = arg;
	struct ppriv *pp = ctx->priv;
	struct playout l;
	struct pt_tx tx;
	int ret;

	layout(ctx, &l);
	if (!pt_helper_wait_go(t))
		return;
	pt_extra_enter(&pp->sub);
	ret = pt_tx_open(&tx, call_of(ctx, &l), &pp->sub, true);
	if (ret) {
		helper_fail(ctx, &l, ret, "submitter: open");
		goto out;
	}
	for (uint64_t c = 0; c < l.chunks; c++) {
		struct pt_msg m = { .id = c, .aux = chunk_count(&l, c) };

		m.len = (uint32_t)(m.aux * l.payload);
		executor_work(&pp->sub, per_item(&l, l.py.submit, m.aux));
		ret = helper_put(t, &tx, &m, bytes_of(ctx, &l));
		if (ret) {
			helper_fail(ctx, &l, ret, "submitter: put of call %llu",
				    (unsigned long long)c);
			break;
		}
	}
	ret = pt_tx_close(&tx, STALL_NS);
	if (ret)
		helper_fail(ctx, &l, ret, "submitter: feeder");
out:
	pt_extra_leave(&pp->sub);
}

/* The collector: takes every result (map's iterator over the futures), then
 * shuts the pool down with one sentinel per worker (shutdown(wait=True)). */
static void collector(struct pt_team *t, void *arg)
{
	struct pt_ctx *ctx = arg;
	struct ppriv *pp = ctx->priv;
	struct playout l;
	struct pt_rx rx;
	struct pt_tx tx;
	struct pt_msg m;
	const void *data;
	uint64_t got = 0, give_up;
	int ret;

	layout(ctx, &l);
	if (!pt_helper_wait_go(t))
		return;
	pt_extra_enter(&pp->col);
	ret = pt_rx_open(&rx, res_of(ctx, &l), &pp->col);
	if (ret) {
		helper_fail(ctx, &l, ret, "collector: open");
		goto shutdown;
	}
	give_up = pt_now_ns() + STALL_NS;
	while (got < l.tasks) {
		ret = pt_rx_get(&rx, &m, &data, SLICE_NS);
		if (ret == -ETIMEDOUT && pt_helper_running(t) && pt_now_ns() < give_up)
			continue;
		if (ret) {
			helper_fail(ctx, &l, ret, "collector: get after %llu results",
				    (unsigned long long)got);
			break;
		}
		give_up = pt_now_ns() + STALL_NS;
		executor_work(&pp->col, per_item(&l, l.py.collect, m.aux));
		if (m.len != m.aux * l.result || check_item(ctx, &l, data, m.len)) {
			helper_fail(ctx, &l, -EBADMSG, "collector: result of call %llu",
				    (unsigned long long)m.id);
			break;
		}
		if (m.id >= l.chunks || !mark(results_seen(ctx, &l), &l, chunk_first(&l, m.id), m.aux))
			atomic_fetch_add(&ctl_of(ctx, &l)->strays, 1);
		got += m.aux;
	}
	pt_rx_close(&rx);
shutdown:
	/* Even after a failure: the workers must leave. */
	ret = pt_tx_open(&tx, call_of(ctx, &l), &pp->col, true);
	for (int i = 0; !ret && i < ctx->nworkers; i++) {
		struct pt_msg s = { .id = PT_MSG_SENTINEL };

		ret = helper_put(t, &tx, &s, NULL);
	}
	if (!ret)
		ret = pt_tx_close(&tx, STALL_NS);
	else
		pt_tx_close(&tx, SLICE_NS);
	if (ret)
		helper_fail(ctx, &l, ret, "collector: shutdown");
	pt_extra_leave(&pp->col);
}

/* One task's work alone, best of 3 (outside the timed region). */
static double measure_work_ns(uint64_t iters)
{
	double best = INFINITY;

	for (int i = 0; i < 3; i++) {
		uint64_t t0 = pt_now_ns();

		pt_count_down(iters);
		if ((double)(pt_now_ns() - t0) < best)
			best = (double)(pt_now_ns() - t0);
	}
	return best;
}

static int pool_setup(struct pt_ctx *ctx)
{
	struct ppriv *pp = calloc(1, sizeof(*pp));
	struct playout l;
	int ret = 0;

	if (!pp)
		return -ENOMEM;
	layout(ctx, &l);
	pp->work_ns = measure_work_ns(l.work_iters);
	pt_payload_fill((char *)ctx->shared + l.bytes_off, l.bytes_len);
	if (l.call.kind != PT_XPORT_DIRECT) {
		ret = pt_chan_init(call_of(ctx, &l), &l.call);
		if (ret) {
			snprintf(ctx->msg, sizeof(ctx->msg), "call channel (%s): %s",
				 pt_xport_name(l.call.kind), strerror(-ret));
			goto fail;
		}
		ret = pt_chan_init(res_of(ctx, &l), &l.res);
		if (ret) {
			pt_chan_destroy(call_of(ctx, &l), true);
			snprintf(ctx->msg, sizeof(ctx->msg), "result channel (%s): %s",
				 pt_xport_name(l.res.kind), strerror(-ret));
			goto fail;
		}
	}
	ctx->priv = pp;
	return 0;
fail:
	free(pp); /* teardown does not run after a failed setup */
	return ret;
}

/* The pool is up (the workers wait at the gate): its owner's threads. */
static int pool_start(struct pt_ctx *ctx)
{
	struct ppriv *pp = ctx->priv;
	struct playout l;
	int ret;

	layout(ctx, &l);
	if (l.call.kind == PT_XPORT_DIRECT)
		return 0;
	pt_extra_init(&pp->sub, ctx->team, "submitter");
	pt_extra_init(&pp->col, ctx->team, "collector");
	ret = pt_team_helper(ctx->team, submitter, ctx);
	if (!ret)
		ret = pt_team_helper(ctx->team, collector, ctx);
	if (ret)
		snprintf(ctx->msg, sizeof(ctx->msg), "pool owner threads: %s", strerror(-ret));
	return ret;
}

/* Every task's call and result delivered exactly once; nothing left over. */
static int pool_finish(struct pt_ctx *ctx, const struct pt_team_stats *st)
{
	struct ppriv *pp = ctx->priv;
	struct playout l;
	struct pctl *c;
	uint64_t missing = 0, dups = 0, first_bad = UINT64_MAX, strays;
	size_t left = 0;
	double wall;

	layout(ctx, &l);
	c = ctl_of(ctx, &l);
	for (uint64_t i = 0; i < 2 * l.tasks; i++) {
		unsigned n = atomic_load_explicit(&calls_seen(ctx)[i], memory_order_relaxed);

		if (n == 1)
			continue;
		if (n)
			dups++;
		else
			missing++;
		if (first_bad == UINT64_MAX)
			first_bad = i;
	}
	strays = atomic_load(&c->strays);
	if (l.call.kind != PT_XPORT_DIRECT)
		left = pt_chan_leftover(call_of(ctx, &l)) + pt_chan_leftover(res_of(ctx, &l));
	if (atomic_load(&c->helper_err)) {
		snprintf(ctx->msg, sizeof(ctx->msg), "%s", c->helper_msg);
		return atomic_load(&c->helper_err);
	}
	if (missing || dups || strays || left) {
		if (first_bad != UINT64_MAX)
			snprintf(ctx->msg, sizeof(ctx->msg),
				 "%llu task %s never delivered, %llu more than once (task %llu)",
				 (unsigned long long)missing,
				 first_bad < l.tasks ? "calls" : "results", (unsigned long long)dups,
				 (unsigned long long)(first_bad % l.tasks));
		else
			snprintf(ctx->msg, sizeof(ctx->msg), "%llu stray items, %zu left over",
				 (unsigned long long)strays, left);
		return -EPROTO;
	}
	ctx->ops_override = true;
	ctx->ops = l.tasks;
	wall = (double)st->wall_ns / 1e9;
	ctx->metric[M_WORK] = pp->work_ns / 1e3;
	if (wall > 0)
		ctx->metric[M_OVERHEAD] = (wall / (double)l.tasks -
					   pp->work_ns / 1e9 / ctx->nworkers) * 1e6;
	return 0;
}

static void pool_teardown(struct pt_ctx *ctx)
{
	struct playout l;

	layout(ctx, &l);
	if (l.call.kind != PT_XPORT_DIRECT && ctx->priv) {
		bool intact = pt_team_intact(ctx->team);

		pt_chan_destroy(call_of(ctx, &l), intact);
		pt_chan_destroy(res_of(ctx, &l), intact);
	}
	free(ctx->priv);
	ctx->priv = NULL;
}

/* Rough costs on the development machine: the work, spread over the
 * workers (one at a time under a GIL or serial), plus per call about 3 us
 * by reference and 25 us through the pipe (two pipes, a feeder, wake-ups),
 * plus pickle and about 1 GB/s of copies and checks. */
static double pool_estimate(const struct pt_params *p, enum pt_model m, int n, int npus)
{
	struct playout l;
	double work = (double)pt_param_int(p, "work") * 28.3e-9, par, per_call;
	size_t in, out;

	layout_of(p, m, n, &l);
	in = (size_t)l.chunksize * l.payload;
	out = (size_t)l.chunksize * l.result;
	par = pt_model_has_gil(m) || m == PT_MODEL_SERIAL ? 1 : (n < npus ? n : npus);
	per_call = l.call.kind == PT_XPORT_PIPE	 ? 25e-6 + (pt_pickle_dumps_ns(in) +
							    pt_pickle_loads_ns(in) +
							    pt_pickle_dumps_ns(out) +
							    pt_pickle_loads_ns(out)) / 1e9
		   : l.call.kind == PT_XPORT_DIRECT ? 0
						    : 3e-6;
	per_call += (double)(in + out) / 1e9;
	return (double)l.tasks * work / (par > 0 ? par : 1) + (double)l.chunks * per_call;
}

const struct pt_workload pt_wl_pool = {
	.name = "pool",
	.kind = PT_KIND_MIXED,
	.summary = "a worker pool (concurrent.futures) running tasks of `work` ticks that carry "
		   "`payload` bytes in and `result` bytes out; tasks/s and per-task overhead",
	.params = params,
	.metrics = metrics,
	.models = PT_MODELS_ALL,
	.min_workers = 1,
	/* From about 10 us to 10 ms of CPython-equivalent work (a tick is
	 * about 28 ns), at 64 B, 64 KiB and 1 MiB, under the models the
	 * report's crossover map shows (procs against gil, threads the bound):
	 * tasks of 1 us (work=35) lose to the GIL as 10 us ones do. */
	.suite = { .workers = "2",
		   .sweep = "work=350,3500,35000,350000;payload=64,64K,1M",
		   .models = "threads,procs,gil" },
	.estimate_s = pool_estimate,
	.validate = pool_validate,
	.shared_size = pool_shared_size,
	.setup = pool_setup,
	.start = pool_start,
	.run = pool_run,
	.finish = pool_finish,
	.teardown = pool_teardown,
};
