// SPDX-License-Identifier: MIT
// convoy: worker 0 makes small request/response round trips with an echo
// peer outside the model while the other workers count down: the convoy
// effect of CPython's new GIL (D. Beazley, "Understanding the Python GIL",
// PyCon 2010; V. Skvortsov, "Python behind the scenes #13: the GIL and its
// effects on Python multithreading", 2021). -n 1 is the solo baseline.
#include "work.h"
#include "workload.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MSG 16 /* a small request, echoed back whole */

static const struct pt_param_def params[] = {
	{ .name = "duration_ms", .type = PT_PARAM_INT, .def = "300", .quick = "100",
	  .help = "how long each repetition runs", .min = 10, .max = 3600000 },
	{ .name = "tick", .type = PT_PARAM_INT, .def = "80", /* PT_TICK_ITERS */
	  .help = "countdown iterations per tick of the CPU-bound workers",
	  .min = 1, .max = 1 << 30 },
	{ 0 },
};

enum { M_CPU_RATE };
static const struct pt_metric_def metrics[] = {
	[M_CPU_RATE] = { "cpu_ops_per_s", "countdown iterations per second of the CPU-bound workers" },
	{ 0 },
};

/* In the arena (ctx->shared), so that worker 0 finds its end whichever way
 * its process was started. */
struct convoy {
	int fd[2]; /* fd[0]: worker 0's end; fd[1]: the echo peer's */
	bool open;
};

static size_t convoy_shared_size(const struct pt_ctx *ctx)
{
	(void)ctx;
	return sizeof(struct convoy);
}

static int convoy_setup(struct pt_ctx *ctx)
{
	struct convoy *c = ctx->shared;
	int ret;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, c->fd) != 0) {
		ret = -errno;
		snprintf(ctx->msg, sizeof(ctx->msg), "socketpair: %s", strerror(-ret));
		return ret;
	}
	/* Worker 0's end reaches a worker started by spawn too. */
	ret = pt_ctx_pass_fd(c->fd[0]);
	if (ret) {
		close(c->fd[0]);
		close(c->fd[1]);
		snprintf(ctx->msg, sizeof(ctx->msg), "fcntl: %s", strerror(-ret));
		return ret;
	}
	c->open = true;
	ctx->duration_ns = (uint64_t)pt_param_int(ctx->params, "duration_ms") * PT_NSEC_PER_MSEC;
	return 0;
}

/* Reads or writes all @n bytes, retrying on EINTR and short transfers. */
static int xfer(int fd, char *buf, size_t n, bool wr)
{
	while (n > 0) {
		ssize_t r = wr ? write(fd, buf, n) : read(fd, buf, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EPIPE;
		buf += r;
		n -= (size_t)r;
	}
	return 0;
}

/* The echo peer: a helper thread of the point's process, outside any GIL,
 * answering each request at once. Polls so that it notices the end. */
static void echo_peer(struct pt_team *t, void *arg)
{
	int fd = *(int *)arg;
	char buf[MSG];

	while (pt_helper_running(t)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, 10);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		if (xfer(fd, buf, sizeof(buf), false) || xfer(fd, buf, sizeof(buf), true))
			return;
	}
}

static int convoy_start(struct pt_ctx *ctx)
{
	struct convoy *c = ctx->shared;

	return pt_team_helper(ctx->team, echo_peer, &c->fd[1]);
}

/* Worker 0: send, then receive, each its own blocking call, as a Python
 * client's sock.sendall() and sock.recv() each release the GIL and take it
 * back: under the new GIL each re-take waits for the CPU-bound holder to
 * honour a drop request, up to a switch interval. */
static int io_worker(struct pt_worker *w, int fd)
{
	char buf[MSG] = "ping";
	uint64_t n = 0;
	int ret = 0;

	while (pt_running(w)) {
		uint64_t t0 = pt_now_ns();

		pt_block_begin(w);
		ret = xfer(fd, buf, sizeof(buf), true);
		pt_block_end(w);
		if (ret)
			break;
		pt_block_begin(w);
		ret = xfer(fd, buf, sizeof(buf), false);
		pt_block_end(w);
		if (ret)
			break;
		pt_hist_add(&w->slot->lat, pt_now_ns() - t0);
		n++;
	}
	w->slot->ops = n;
	if (ret)
		snprintf(w->slot->msg, sizeof(w->slot->msg), "%s: round trip: %s", w->name,
			 strerror(-ret));
	return ret;
}

/* The companions: Beazley's countdown, until the run is stopped. */
static int cpu_worker(struct pt_worker *w, uint64_t tick)
{
	w->slot->metric[M_CPU_RATE] = (double)pt_count_down_until_stopped(w, tick);
	return 0;
}

static int convoy_run(struct pt_worker *w)
{
	struct pt_ctx *ctx = pt_ctx_of(w);
	struct convoy *c = ctx->shared;

	if (w->id == 0)
		return io_worker(w, c->fd[0]);
	return cpu_worker(w, (uint64_t)pt_param_int(ctx->params, "tick"));
}

static int convoy_finish(struct pt_ctx *ctx, const struct pt_team_stats *st)
{
	/* ops and ops_per_s are worker 0's round trips alone; the others
	 * counted iterations (worker 0 counts none). */
	ctx->ops_override = true;
	ctx->ops = st->worker[0].ops;
	if (ctx->nworkers > 1 && st->wall_ns)
		ctx->metric[M_CPU_RATE] = st->metric_sum[M_CPU_RATE] / ((double)st->wall_ns / 1e9);
	if (ctx->ops == 0) {
		snprintf(ctx->msg, sizeof(ctx->msg), "worker 0 made no round trip in %.0f ms",
			 (double)st->wall_ns / 1e6);
		return -ETIME;
	}
	return 0;
}

static void convoy_teardown(struct pt_ctx *ctx)
{
	struct convoy *c = ctx->shared;

	if (!c->open)
		return;
	close(c->fd[0]);
	close(c->fd[1]);
	c->open = false;
}

static double convoy_estimate(const struct pt_params *p, enum pt_model m, int n, int npus)
{
	(void)m;
	(void)n;
	(void)npus;
	return (double)pt_param_int(p, "duration_ms") / 1e3;
}

const struct pt_workload pt_wl_convoy = {
	.name = "convoy",
	.kind = PT_KIND_MIXED,
	.summary = "worker 0: echo round trips next to n-1 CPU-bound countdown workers",
	.params = params,
	.metrics = metrics,
	.models = PT_MODELS_CONCURRENT,
	.min_workers = 1,
	.skip_why = "convoy needs its workers to run at once",
	.fixed_time = true,
	/* Worker 0 alone, then next to 1 to 3 CPU-bound companions, at the
	 * intervals whose effect CPython shows (5 ms default, 1 ms, 100 us). */
	.suite = { .workers = "1,2", .intervals = "5000,1000,100", .models = "threads,procs,gil" },
	.estimate_s = convoy_estimate,
	.shared_size = convoy_shared_size,
	.setup = convoy_setup,
	.start = convoy_start,
	.run = convoy_run,
	.finish = convoy_finish,
	.teardown = convoy_teardown,
};
