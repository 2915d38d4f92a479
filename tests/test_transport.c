// SPDX-License-Identifier: MIT
// The transport between workers (ipc=auto|pipe|shm) and the workloads that
// use it: every item and every pool task arrives exactly once and intact
// under every model and transport at several payloads; damage is caught;
// bad ipc values are usage errors.
#include "helpers.h"
#include "point.h"
#include "runpoint.h"
#include "transport.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static enum pt_status run_kv(const struct pt_workload *wl, enum pt_model m, int n,
			     const char *const kv[], struct pt_result *r)
{
	struct pt_point pt = { .wl = wl, .model = m, .nworkers = n,
			       .switch_interval_us = 1000, .check_interval = 100 };

	return pt_test_run_kv(&pt, kv, r);
}

static const char *const ipcs[] = { "ipc=auto", "ipc=pipe", "ipc=shm" };
/* Empty, odd (a tail shorter than a word), more than a pipe's buffer. */
static const char *const payloads[] = { "payload=0", "payload=13", "payload=70000" };

Test(transport, resolve)
{
	enum pt_ipc ipc;

	cr_assert_eq(pt_ipc_parse("auto", &ipc), 0);
	cr_assert_eq(ipc, PT_IPC_AUTO);
	cr_assert_eq(pt_ipc_parse("shm", &ipc), 0);
	cr_assert_eq(ipc, PT_IPC_SHM);
	cr_assert_eq(pt_ipc_parse("tcp", &ipc), -EINVAL);
	cr_assert_eq(pt_ipc_resolve(PT_IPC_AUTO, PT_MODEL_PROCS), PT_XPORT_PIPE);
	cr_assert_eq(pt_ipc_resolve(PT_IPC_AUTO, PT_MODEL_GIL), PT_XPORT_REF);
	cr_assert_eq(pt_ipc_resolve(PT_IPC_AUTO, PT_MODEL_THREADS), PT_XPORT_REF);
	cr_assert_eq(pt_ipc_resolve(PT_IPC_PIPE, PT_MODEL_GIL_OLD), PT_XPORT_PIPE);
	cr_assert_eq(pt_ipc_resolve(PT_IPC_SHM, PT_MODEL_PROCS), PT_XPORT_SHM);
	cr_assert_eq(pt_ipc_resolve(PT_IPC_PIPE, PT_MODEL_SERIAL), PT_XPORT_DIRECT);
	/* pickle's cost grows with the size, and jumps past 128 KiB. */
	cr_assert_lt(pt_pickle_dumps_ns(64), pt_pickle_dumps_ns(65536));
	cr_assert_gt(pt_pickle_dumps_ns(1 << 20), 100 * pt_pickle_dumps_ns(64));
	cr_assert_lt(pt_pickle_loads_ns(1 << 20), pt_pickle_dumps_ns(1 << 20));
}

Test(transport, payload_check_finds_the_bad_byte)
{
	size_t lens[] = { 1, 8, 13, 4096 }, bad = 0;

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		unsigned char *b = malloc(lens[i]);

		cr_assert(b);
		pt_payload_fill(b, lens[i]);
		cr_assert_eq(pt_payload_check(b, lens[i], &bad), 0);
		b[lens[i] - 1] ^= 0x40;
		cr_assert_eq(pt_payload_check(b, lens[i], &bad), -EBADMSG, "len %zu", lens[i]);
		cr_assert_eq(bad, lens[i] - 1);
		b[lens[i] - 1] ^= 0x40;
		b[0] ^= 1;
		cr_assert_eq(pt_payload_check(b, lens[i], &bad), -EBADMSG);
		cr_assert_eq(bad, 0);
		free(b);
	}
}

/* A channel used by one thread of this process: what goes in comes out, in
 * order, intact; a torn item written behind the channel's back is refused. */
static void round_trip(enum pt_xport kind)
{
	struct pt_chan_config cfg = { .kind = kind, .maxsize = 0, .max_items = 8,
				      .max_len = 5000 };
	size_t size = pt_chan_size(&cfg);
	struct pt_chan *c = aligned_alloc(PT_CACHELINE, PT_ALIGN_UP(size, PT_CACHELINE));
	unsigned char *data = malloc(cfg.max_len);
	struct pt_tx tx;
	struct pt_rx rx;
	struct pt_msg h;
	const void *got;

	cr_assert(size && c && data);
	pt_payload_fill(data, cfg.max_len);
	cr_assert_eq(pt_chan_init(c, &cfg), 0);
	cr_assert_eq(pt_tx_open(&tx, c, NULL, false), 0);
	cr_assert_eq(pt_rx_open(&rx, c, NULL), 0);
	for (uint64_t i = 0; i < 5; i++) {
		struct pt_msg m = { .id = i, .aux = 100 + i, .len = (uint32_t)(i * 1000) };

		cr_assert_eq(pt_tx_put(&tx, &m, data, PT_FOREVER), 0);
	}
	for (uint64_t i = 0; i < 5; i++) {
		cr_assert_eq(pt_rx_get(&rx, &h, &got, PT_FOREVER), 0);
		cr_assert_eq(h.id, i);
		cr_assert_eq(h.aux, 100 + i);
		cr_assert_eq(h.len, i * 1000);
		cr_assert_eq(pt_payload_check(got, h.len, NULL), 0);
	}
	cr_assert_eq(pt_chan_leftover(c), 0);
	cr_assert_eq(pt_rx_get(&rx, &h, &got, 1000000), -ETIMEDOUT);
	if (kind == PT_XPORT_PIPE) {
		struct pt_msg torn = { .id = 7, .len = 10, .check = 12345 };

		cr_assert_eq(write(c->wfd, &torn, sizeof(torn)), (ssize_t)sizeof(torn));
		cr_assert_eq(pt_rx_get(&rx, &h, &got, PT_FOREVER), -EBADMSG);
	}
	pt_rx_close(&rx);
	cr_assert_eq(pt_tx_close(&tx, PT_FOREVER), 0);
	pt_chan_destroy(c, true);
	free(data);
	free(c);
}

Test(transport, channel_round_trip, .timeout = 30)
{
	round_trip(PT_XPORT_REF);
	round_trip(PT_XPORT_SHM);
	round_trip(PT_XPORT_PIPE);
}

struct big_writer {
	struct pt_chan *c;
	const unsigned char *data;
	const uint32_t *lens;
	int n;
	int ret;
};

static void *write_big(void *arg)
{
	struct big_writer *b = arg;
	struct pt_tx tx;

	b->ret = pt_tx_open(&tx, b->c, NULL, false);
	for (int i = 0; !b->ret && i < b->n; i++) {
		struct pt_msg m = { .id = (uint64_t)i, .len = b->lens[i] };

		b->ret = pt_tx_put(&tx, &m, b->data, PT_FOREVER);
	}
	if (!b->ret)
		b->ret = pt_tx_close(&tx, PT_FOREVER);
	return NULL;
}

/* Items from 128 KiB on come out of the pipe in memory of their own, as
 * CPython's recv_bytes and loads make it (fresh pages each time): intact,
 * each still valid until the next get, mixed with small ones. */
Test(transport, big_pipe_items_intact, .timeout = 60)
{
	static const uint32_t lens[] = { 200000, 13, 1 << 20, 131072, 131071, 1 << 20 };
	struct pt_chan_config cfg = { .kind = PT_XPORT_PIPE, .max_items = 8, .max_len = 1 << 20 };
	size_t size = pt_chan_size(&cfg);
	struct pt_chan *c = aligned_alloc(PT_CACHELINE, PT_ALIGN_UP(size, PT_CACHELINE));
	unsigned char *data = malloc(cfg.max_len);
	struct big_writer b = { .c = c, .lens = lens, .n = 6 };
	const void *got, *prev = NULL;
	struct pt_rx rx;
	struct pt_msg h;
	pthread_t th;

	cr_assert(size && c && data);
	pt_payload_fill(data, cfg.max_len);
	b.data = data;
	cr_assert_eq(pt_chan_init(c, &cfg), 0);
	cr_assert_eq(pt_rx_open(&rx, c, NULL), 0);
	cr_assert_eq(pthread_create(&th, NULL, write_big, &b), 0);
	for (int i = 0; i < 6; i++) {
		cr_assert_eq(pt_rx_get(&rx, &h, &got, PT_FOREVER), 0, "item %d", i);
		cr_assert_eq(h.id, (uint64_t)i);
		cr_assert_eq(h.len, lens[i]);
		cr_assert_eq(pt_payload_check(got, h.len, NULL), 0, "item %d damaged", i);
		if (h.len >= 131072 && prev)
			cr_assert_neq(got, prev, "item %d reused the last big item's memory", i);
		if (h.len >= 131072)
			prev = got;
	}
	cr_assert_eq(pthread_join(th, NULL), 0);
	cr_assert_eq(b.ret, 0);
	cr_assert_eq(pt_chan_leftover(c), 0);
	pt_rx_close(&rx);
	pt_chan_destroy(c, true);
	free(data);
	free(c);
}

Test(transport, channel_refuses_impossible_shapes)
{
	struct pt_chan_config prio_pipe = { .kind = PT_XPORT_PIPE, .order = PT_QUEUE_PRIORITY,
					    .max_items = 4, .max_len = 8 };
	struct pt_chan_config none = { .kind = PT_XPORT_DIRECT, .max_items = 4 };
	struct pt_chan_config huge = { .kind = PT_XPORT_SHM, .max_items = 4,
				       .max_len = (size_t)UINT32_MAX + 1 };

	cr_assert_eq(pt_chan_size(&prio_pipe), 0);
	cr_assert_eq(pt_chan_size(&none), 0);
	cr_assert_eq(pt_chan_size(&huge), 0);
}

static void expect_ok(const struct pt_workload *wl, enum pt_model m, int n,
		      const char *const kv[], uint64_t ops)
{
	struct pt_result r;
	enum pt_status st = run_kv(wl, m, n, kv, &r);

	cr_assert_eq(st, PT_ST_OK, "%s %s n=%d %s %s: %s: %s", wl->name, pt_model_name(m), n,
		     kv[0], kv[1], pt_status_name(st), r.msg);
	cr_assert_eq(r.ops, ops, "%s %s n=%d %s %s: ops %llu", wl->name, pt_model_name(m), n,
		     kv[0], kv[1], (unsigned long long)r.ops);
}

/* queue checks every byte of every item and that each id came once. */
Test(transport, queue_every_model_transport_payload, .timeout = 600)
{
	for (size_t i = 0; i < 3; i++)
		for (size_t p = 0; p < 3; p++)
			for (enum pt_model m = 0; m < PT_MODEL_COUNT; m++) {
				const char *kv[] = { ipcs[i], payloads[p], "items=300", NULL };

				if (m == PT_MODEL_SERIAL)
					continue; /* queue needs its workers at once */
				expect_ok(&pt_wl_queue, m, p == 1 ? 4 : 2, kv, 300);
			}
}

/* pool: every call and every result once, intact, with chunks that do not
 * divide the tasks. */
Test(transport, pool_every_model_transport_payload, .timeout = 600)
{
	for (size_t i = 0; i < 3; i++)
		for (size_t p = 0; p < 3; p++)
			for (enum pt_model m = 0; m < PT_MODEL_COUNT; m++) {
				const char *kv[] = { ipcs[i], payloads[p], "tasks=23",
						     p == 2 ? "chunksize=4" : "result=70000", NULL };

				expect_ok(&pt_wl_pool, m, 3, kv, 23);
			}
}

/* pycost=off takes the executor's modelled work away, not the checks:
 * every task still arrives once, intact, under every model. */
Test(transport, pool_without_executor_costs, .timeout = 120)
{
	for (enum pt_model m = 0; m < PT_MODEL_COUNT; m++) {
		const char *kv[] = { "pycost=off", "payload=200000", "tasks=9", "chunksize=2", NULL };

		expect_ok(&pt_wl_pool, m, 2, kv, 9);
	}
}

Test(transport, pool_metrics, .timeout = 60)
{
	const char *kv[] = { "ipc=auto", "work=1000", "tasks=20", NULL };
	struct pt_result r;
	int mo = pt_workload_metric(&pt_wl_pool, "overhead_us");
	int mw = pt_workload_metric(&pt_wl_pool, "work_us");

	cr_assert_eq(run_kv(&pt_wl_pool, PT_MODEL_PROCS, 2, kv, &r), PT_ST_OK, "%s", r.msg);
	cr_assert_geq(mo, 0);
	cr_assert_geq(mw, 0);
	/* A task of 1000 ticks is some microseconds; the overhead is finite. */
	cr_assert_gt(r.metric[mw], 0);
	cr_assert(r.metric[mo] == r.metric[mo], "overhead is NaN");
}

Test(transport, bad_ipc_is_a_usage_error, .timeout = 60)
{
	static const char *const cases[][2] = {
		{ "queue", "ipc=tcp" }, { "pool", "ipc=Pipe" }, { "queue", "payload=12Q" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pt_cmd_out *o = malloc(sizeof(*o));
		const char *const argv[] = { "ptbench", "run", "-w", cases[i][0], "-m", "threads",
					     "-n", "2", "-p", cases[i][1], "--dry-run", NULL };
		const char *bad = strchr(cases[i][1], '=') + 1;

		cr_assert(o);
		pt_test_exec(argv, NULL, 30, o);
		cr_assert_eq(o->status, 2, "%s: status %d", cases[i][1], o->status);
		cr_assert(strstr(o->err, bad), "%s: stderr does not name it: %s", cases[i][1],
			  o->err);
		free(o);
	}
}

Test(transport, priority_over_a_pipe_is_a_usage_error, .timeout = 60)
{
	struct pt_cmd_out *o = malloc(sizeof(*o));
	const char *const argv[] = { "ptbench", "run", "-w", "queue", "-m", "procs", "-n", "2",
				     "-p", "kind=priority", "-p", "ipc=pipe", "--dry-run", NULL };

	cr_assert(o);
	pt_test_exec(argv, NULL, 30, o);
	cr_assert_eq(o->status, 2);
	cr_assert(strstr(o->err, "priority"), "%s", o->err);
	free(o);
}
