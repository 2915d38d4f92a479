// SPDX-License-Identifier: MIT
// Queue, LifoQueue, PriorityQueue: order, Full/Empty, task_done/join, the
// capacity cap; every item delivered exactly once to consumers stopped by
// sentinels (threads and processes); a GIL worker blocked in get() yields.
#include "clock.h"
#include "model.h"
#include "queue.h"

#include "crew.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* In-test watchdog: far above any need, below the Criterion timeout. Never
 * a performance threshold. */
#define WATCHDOG_NS (20 * PT_NSEC_PER_SEC)
#define TEST_TIMEOUT 90
#define SHORT_NS (50 * PT_NSEC_PER_MSEC)

/* ------------------------------------------------------------------ */
/* Helpers */

/* A queue in its own MAP_SHARED mapping. */
static struct pt_queue *queue_new(enum pt_queue_kind kind, size_t cap, size_t maxsize,
				  size_t item_size, bool pshared, size_t *bytes)
{
	struct pt_queue *q;

	*bytes = pt_queue_size_for(kind, cap, item_size);
	cr_assert_gt(*bytes, 0);
	q = shared_map(*bytes);
	cr_assert_eq(pt_queue_init(q, kind, cap, maxsize, item_size, pshared), 0);
	return q;
}

static void queue_free(struct pt_queue *q, size_t bytes)
{
	pt_queue_destroy(q);
	munmap(q, bytes);
}

/* ------------------------------------------------------------------ */
/* Order, Full, Empty */

Test(queue, sizes_and_validation, .timeout = TEST_TIMEOUT)
{
	struct pt_queue *q;
	size_t bytes;

	cr_assert_eq(pt_queue_size_for(PT_QUEUE_FIFO, 0, 8), 0u);
	cr_assert_eq(pt_queue_size_for(PT_QUEUE_FIFO, 8, 0), 0u);
	cr_assert_eq(pt_queue_size_for(PT_QUEUE_FIFO, SIZE_MAX / 2, 8), 0u, "overflow not caught");
	cr_assert_eq(pt_queue_size_for(PT_QUEUE_FIFO, 10, 4), sizeof(struct pt_queue) + 40);
	cr_assert_gt(pt_queue_size_for(PT_QUEUE_PRIORITY, 10, 4),
		     pt_queue_size_for(PT_QUEUE_FIFO, 10, 4));
	cr_assert_eq(sizeof(struct pt_queue) % PT_CACHELINE, 0u);
	bytes = pt_queue_size_for(PT_QUEUE_FIFO, 4, sizeof(int));
	q = shared_map(bytes);
	cr_assert_eq(pt_queue_init(q, PT_QUEUE_FIFO, 4, 5, sizeof(int), false), -EINVAL);
	cr_assert_eq(pt_queue_init(q, PT_QUEUE_FIFO, 0, 0, sizeof(int), false), -EINVAL);
	cr_assert_eq(pt_queue_init(q, (enum pt_queue_kind)7, 4, 0, sizeof(int), false), -EINVAL);
	munmap(q, bytes);
}

Test(queue, fifo_full_and_empty, .timeout = TEST_TIMEOUT)
{
	size_t bytes;
	struct pt_queue *q = queue_new(PT_QUEUE_FIFO, 3, 3, sizeof(int), false, &bytes);
	uint64_t t0;
	int v, next_in = 0, next_out = 0;

	cr_assert(pt_queue_empty(q));
	cr_assert_not(pt_queue_full(q));
	cr_assert_eq(pt_queue_get(q, &v, false, PT_FOREVER), -EAGAIN);
	cr_assert_eq(pt_queue_get(q, &v, true, 0), -ETIMEDOUT);
	t0 = pt_now_ns();
	cr_assert_eq(pt_queue_get(q, &v, true, SHORT_NS), -ETIMEDOUT);
	cr_assert_geq(pt_now_ns() - t0, SHORT_NS);
	for (int i = 0; i < 3; i++, next_in++)
		cr_assert_eq(pt_queue_put(q, &next_in, true, PT_FOREVER), 0);
	cr_assert(pt_queue_full(q));
	cr_assert_eq(pt_queue_qsize(q), 3u);
	cr_assert_eq(pt_queue_put(q, &next_in, false, PT_FOREVER), -EAGAIN);
	cr_assert_eq(pt_queue_put(q, &next_in, false, SHORT_NS), -EAGAIN); /* timeout ignored */
	t0 = pt_now_ns();
	cr_assert_eq(pt_queue_put(q, &next_in, true, SHORT_NS), -ETIMEDOUT);
	cr_assert_geq(pt_now_ns() - t0, SHORT_NS);
	cr_assert_eq(pt_queue_qsize(q), 3u, "a failed put changed the queue");
	/* Round and round the ring: FIFO across the wrap. */
	for (int r = 0; r < 20; r++) {
		cr_assert_eq(pt_queue_get(q, &v, true, PT_FOREVER), 0);
		cr_assert_eq(v, next_out++);
		cr_assert_eq(pt_queue_put(q, &next_in, false, PT_FOREVER), 0);
		next_in++;
	}
	while (pt_queue_get(q, &v, false, PT_FOREVER) == 0)
		cr_assert_eq(v, next_out++);
	cr_assert_eq(next_out, next_in);
	cr_assert(pt_queue_empty(q));
	queue_free(q, bytes);
}

Test(queue, lifo_order, .timeout = TEST_TIMEOUT)
{
	size_t bytes;
	struct pt_queue *q = queue_new(PT_QUEUE_LIFO, 8, 0, sizeof(int), false, &bytes);
	int v;

	for (int i = 0; i < 5; i++)
		cr_assert_eq(pt_queue_put(q, &i, true, PT_FOREVER), 0);
	for (int i = 4; i >= 0; i--) {
		cr_assert_eq(pt_queue_get(q, &v, false, PT_FOREVER), 0);
		cr_assert_eq(v, i);
	}
	cr_assert_eq(pt_queue_get(q, &v, false, PT_FOREVER), -EAGAIN);
	queue_free(q, bytes);
}

Test(queue, unbounded_capacity_cap, .timeout = TEST_TIMEOUT)
{
	size_t bytes;
	struct pt_queue *q = queue_new(PT_QUEUE_FIFO, 4, 0, sizeof(int), false, &bytes);
	int v = 0;

	for (int i = 0; i < 4; i++)
		cr_assert_eq(pt_queue_put(q, &i, true, PT_FOREVER), 0);
	/* Unbounded: never "full", never blocks; past its memory, -ENOSPC. */
	cr_assert_not(pt_queue_full(q));
	cr_assert_eq(pt_queue_put(q, &v, true, PT_FOREVER), -ENOSPC);
	cr_assert_eq(pt_queue_put(q, &v, false, PT_FOREVER), -ENOSPC);
	cr_assert_eq(pt_queue_qsize(q), 4u);
	cr_assert_eq(pt_queue_unfinished(q), 4u, "a failed put counted as a task");
	cr_assert_eq(pt_queue_get(q, &v, false, PT_FOREVER), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(pt_queue_put(q, &v, false, PT_FOREVER), 0);
	queue_free(q, bytes);
	cr_assert_gt(pt_queue_size_for(PT_QUEUE_FIFO, PT_QUEUE_UNBOUNDED_CAP, 8), 0u);
}

struct pitem {
	int64_t prio;
	uint32_t order; /* insertion order */
};

Test(queue, priority_order_fifo_among_equals, .timeout = TEST_TIMEOUT)
{
	enum { N = 2000 };
	size_t bytes;
	struct pt_queue *q = queue_new(PT_QUEUE_PRIORITY, N, 0, sizeof(struct pitem), false, &bytes);
	struct pitem it, prev = { INT64_MIN, 0 };
	uint32_t x = 12345;
	int64_t prio;

	for (uint32_t i = 0; i < N; i++) {
		x = x * 1103515245u + 12345u; /* a fixed pseudo-random sequence */
		it.prio = (int64_t)((x >> 16) % 13) - 6;
		it.order = i;
		cr_assert_eq(pt_queue_put_prio(q, it.prio, &it, false, PT_FOREVER), 0);
		/* Interleave some gets, so the heap is exercised half-full. */
		if (i % 7 == 6) {
			struct pitem out;

			cr_assert_eq(pt_queue_get_prio(q, &out, &prio, false, PT_FOREVER), 0);
			cr_assert_eq(prio, out.prio);
			cr_assert_eq(pt_queue_put_prio(q, out.prio, &out, false, PT_FOREVER), 0);
		}
	}
	/* Lowest priority first. (Items taken out and put back above got a new
	 * sequence number, so FIFO among equals is checked separately below.) */
	cr_assert_eq(pt_queue_qsize(q), (size_t)N);
	for (int i = 0; i < N; i++) {
		cr_assert_eq(pt_queue_get_prio(q, &it, &prio, false, PT_FOREVER), 0);
		cr_assert_eq(prio, it.prio);
		cr_assert_geq(it.prio, prev.prio, "priority %lld after %lld", (long long)it.prio,
			      (long long)prev.prio);
		prev = it;
	}
	cr_assert(pt_queue_empty(q));

	/* Equal priorities, strictly FIFO; a plain put() is priority 0. */
	for (uint32_t i = 0; i < 100; i++) {
		it = (struct pitem){ .prio = i % 2 ? 0 : 5, .order = i };
		if (it.prio == 0)
			cr_assert_eq(pt_queue_put(q, &it, false, PT_FOREVER), 0);
		else
			cr_assert_eq(pt_queue_put_prio(q, 5, &it, false, PT_FOREVER), 0);
	}
	for (uint32_t i = 0; i < 100; i++) {
		cr_assert_eq(pt_queue_get_prio(q, &it, &prio, false, PT_FOREVER), 0);
		cr_assert_eq(prio, i < 50 ? 0 : 5);
		cr_assert_eq(it.order, i < 50 ? 2 * i + 1 : 2 * (i - 50), "FIFO broken among equals");
	}
	queue_free(q, bytes);
}

/* ------------------------------------------------------------------ */
/* task_done, join */

Test(queue, task_done_too_many, .timeout = TEST_TIMEOUT)
{
	size_t bytes;
	struct pt_queue *q = queue_new(PT_QUEUE_FIFO, 8, 0, sizeof(int), false, &bytes);
	uint64_t t0;
	int v = 1;

	cr_assert_eq(pt_queue_task_done(q), -EINVAL);
	cr_assert_eq(pt_queue_join(q, 0), 0);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(pt_queue_put(q, &v, true, PT_FOREVER), 0);
	cr_assert_eq(pt_queue_unfinished(q), 3u);
	t0 = pt_now_ns();
	cr_assert_eq(pt_queue_join(q, SHORT_NS), -ETIMEDOUT);
	cr_assert_geq(pt_now_ns() - t0, SHORT_NS);
	/* task_done counts tasks, not gets. */
	for (int i = 0; i < 3; i++)
		cr_assert_eq(pt_queue_task_done(q), 0);
	cr_assert_eq(pt_queue_task_done(q), -EINVAL);
	cr_assert_eq(pt_queue_unfinished(q), 0u);
	cr_assert_eq(pt_queue_join(q, 0), 0);
	queue_free(q, bytes);
}

struct worker_ctx {
	struct pt_queue *q;
	int n;
	_Atomic int processed;
};

static void *slow_worker(void *arg)
{
	struct worker_ctx *w = arg;
	int v;

	for (int i = 0; i < w->n; i++) {
		if (pt_queue_get(w->q, &v, true, WATCHDOG_NS))
			return NULL;
		usleep(200);
		atomic_fetch_add(&w->processed, 1);
		pt_queue_task_done(w->q);
	}
	return NULL;
}

Test(queue, join_waits_for_every_task, .timeout = TEST_TIMEOUT)
{
	size_t bytes;
	struct worker_ctx w = { .n = 200 };
	pthread_t th;

	w.q = queue_new(PT_QUEUE_FIFO, 16, 4, sizeof(int), false, &bytes);
	spawn(&th, slow_worker, &w);
	for (int i = 0; i < w.n; i++)
		cr_assert_eq(pt_queue_put(w.q, &i, true, WATCHDOG_NS), 0);
	cr_assert_eq(pt_queue_join(w.q, WATCHDOG_NS), 0);
	cr_assert_eq(atomic_load(&w.processed), w.n, "join returned before every task_done");
	pthread_join(th, NULL);
	queue_free(w.q, bytes);
}

/* ------------------------------------------------------------------ */
/* Exactly once, with sentinels, under several producers and consumers */

#define PC_PRODUCERS 3
#define PC_CONSUMERS 3
#define PC_MAX_ITEMS (PC_PRODUCERS * 20000)

struct item {
	uint32_t id;
	uint32_t producer;
	uint64_t check;
};

static uint64_t item_check(uint32_t id)
{
	return (uint64_t)id * 0x9e3779b97f4a7c15ull ^ 0xabcdef;
}

static const struct item SENTINEL = { .id = UINT32_MAX, .producer = UINT32_MAX, .check = 0 };

struct xonce {
	struct pt_queue *q;
	enum pt_queue_kind kind;
	int per_producer;
	_Atomic int producers_done;
	_Atomic int sentinels_seen;
	_Atomic long bad;
	_Atomic uint64_t sum;
	_Atomic uint8_t seen[PC_MAX_ITEMS];
};

static int xonce_party(void *arg, int i)
{
	struct xonce *x = arg;
	struct item it;
	int64_t prio;
	int ret;

	if (i < PC_PRODUCERS) {
		for (int k = 0; k < x->per_producer; k++) {
			it.id = (uint32_t)(i * x->per_producer + k);
			it.producer = (uint32_t)i;
			it.check = item_check(it.id);
			/* Mixed priorities: lower first, whoever put them. */
			ret = pt_queue_put_prio(x->q, (int64_t)(it.id % 5), &it, true, WATCHDOG_NS);
			if (ret)
				return ret;
		}
		/* The last producer out sends one sentinel per consumer. */
		if (atomic_fetch_add(&x->producers_done, 1) + 1 == PC_PRODUCERS)
			return pt_queue_put_sentinels(x->q, &SENTINEL, PC_CONSUMERS);
		return 0;
	}
	for (;;) {
		ret = pt_queue_get_prio(x->q, &it, &prio, true, WATCHDOG_NS);
		if (ret)
			return ret;
		if (memcmp(&it, &SENTINEL, sizeof(it)) == 0) {
			atomic_fetch_add(&x->sentinels_seen, 1);
			return pt_queue_task_done(x->q);
		}
		if (it.id >= (uint32_t)(PC_PRODUCERS * x->per_producer) || it.check != item_check(it.id) ||
		    (x->kind == PT_QUEUE_PRIORITY && prio != (int64_t)(it.id % 5)))
			atomic_fetch_add(&x->bad, 1);
		else
			atomic_fetch_add(&x->seen[it.id], 1);
		atomic_fetch_add(&x->sum, it.id);
		if ((ret = pt_queue_task_done(x->q)))
			return ret;
	}
}

static void exactly_once(enum mode mode, enum pt_queue_kind kind, int per_producer, size_t maxsize)
{
	struct xonce *x = shared_map(sizeof(*x));
	size_t bytes, cap = maxsize ? maxsize : (size_t)PC_PRODUCERS * per_producer + PC_CONSUMERS;
	uint64_t n = (uint64_t)PC_PRODUCERS * per_producer;
	struct crew c;

	cr_assert_leq(n, PC_MAX_ITEMS);
	x->q = queue_new(kind, cap, maxsize, sizeof(struct item), mode == PROCS, &bytes);
	x->kind = kind;
	x->per_producer = per_producer;
	crew_start(&c, mode, PC_PRODUCERS + PC_CONSUMERS, xonce_party, x);
	cr_assert_eq(crew_join(&c), 0);
	cr_assert_eq(atomic_load(&x->bad), 0);
	cr_assert_eq(atomic_load(&x->sentinels_seen), PC_CONSUMERS, "every consumer exits on its sentinel");
	for (uint64_t id = 0; id < n; id++)
		cr_assert_eq(atomic_load(&x->seen[id]), 1, "item %llu delivered %d times",
			     (unsigned long long)id, atomic_load(&x->seen[id]));
	cr_assert_eq(atomic_load(&x->sum), n * (n - 1) / 2);
	cr_assert(pt_queue_empty(x->q));
	cr_assert_eq(pt_queue_unfinished(x->q), 0u);
	cr_assert_eq(pt_queue_join(x->q, 0), 0);
	queue_free(x->q, bytes);
	munmap(x, sizeof(*x));
}

Test(queue, exactly_once_fifo_threads, .timeout = TEST_TIMEOUT) { exactly_once(THREADS, PT_QUEUE_FIFO, 20000, 64); }
Test(queue, exactly_once_fifo_procs, .timeout = TEST_TIMEOUT) { exactly_once(PROCS, PT_QUEUE_FIFO, 10000, 64); }
Test(queue, exactly_once_fifo_unbounded_procs, .timeout = TEST_TIMEOUT) { exactly_once(PROCS, PT_QUEUE_FIFO, 10000, 0); }
Test(queue, exactly_once_priority_threads, .timeout = TEST_TIMEOUT) { exactly_once(THREADS, PT_QUEUE_PRIORITY, 20000, 64); }
Test(queue, exactly_once_priority_procs, .timeout = TEST_TIMEOUT) { exactly_once(PROCS, PT_QUEUE_PRIORITY, 10000, 16); }

/* ------------------------------------------------------------------ */
/* Under a GIL: a worker blocked in get() or join() lets the others run. */

struct gil_q {
	struct pt_queue *q;
	size_t bytes;
	bool join; /* worker 0 joins instead of getting */
	struct gil_probe probe;
};

/* The last ticker releases worker 0: takes the item it joins on and marks
 * it done, or puts the item it waits to get. */
static int release_q(void *arg)
{
	struct gil_q *g = arg;
	int v;

	if (g->join)
		return pt_queue_get(g->q, &v, false, PT_FOREVER) || pt_queue_task_done(g->q)
			       ? -EPROTO
			       : 0;
	v = 42;
	return pt_queue_put(g->q, &v, true, PT_FOREVER);
}

static int gil_q_body(struct pt_worker *w)
{
	struct gil_q *g = w->arg;
	int v = 7, ret;

	if (w->id == 0) {
		atomic_store(&g->probe.waiting, 1);
		ret = g->join ? pt_queue_join(g->q, WATCHDOG_NS) : pt_queue_get(g->q, &v, true, WATCHDOG_NS);
		if (ret) {
			snprintf(w->slot->msg, sizeof(w->slot->msg), "waiter: %s", strerror(-ret));
			return ret;
		}
		if (!gil_probe_complete(&g->probe))
			return -EPROTO;
		return v == 42 || g->join ? 0 : -EPROTO;
	}
	return gil_probe_tick(w, &g->probe, release_q, g);
}

static void gil_queue(bool join)
{
	for (enum pt_model m = PT_MODEL_GIL; m <= PT_MODEL_GIL_OLD; m++) {
		struct gil_q *g = calloc(1, sizeof(*g));
		struct pt_team_stats *st = malloc(sizeof(*st));
		struct pt_team_config cfg = { .model = m, .nworkers = GIL_WORKERS, .body = gil_q_body,
					      .arg = g, .gil = { .switch_interval_us = 500 } };
		struct pt_team t;
		int v = 1;

		cr_assert(g && st);
		g->join = join;
		g->q = queue_new(PT_QUEUE_FIFO, 4, 0, sizeof(int), false, &g->bytes);
		if (join)
			cr_assert_eq(pt_queue_put(g->q, &v, false, PT_FOREVER), 0);
		cr_assert_eq(pt_team_init(&t, &cfg), 0);
		cr_assert_eq(pt_team_spawn(&t), 0);
		pt_team_go(&t);
		cr_assert_eq(pt_team_join(&t, 2 * WATCHDOG_NS), 0);
		cr_assert_eq(pt_team_collect(&t, st), 0, "%s: %s", pt_model_name(m),
			     st->first_msg ? st->first_msg : "a worker failed");
		pt_team_destroy(&t);
		queue_free(g->q, g->bytes);
		free(st);
		free(g);
	}
}

Test(queue, gil_get_lets_others_run, .timeout = TEST_TIMEOUT) { gil_queue(false); }
Test(queue, gil_join_lets_others_run, .timeout = TEST_TIMEOUT) { gil_queue(true); }
