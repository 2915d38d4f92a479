// SPDX-License-Identifier: MIT
// sockrecv: each worker receives messages on its own socket with a timeout
// and loops while a running flag holds, the source material's IOTask
// (sock.settimeout(5); recv until terminate()); reports messages/s, send to
// receive latency, and how long the workers take to notice the stop.
#include "workload.h"

#include "futex.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static const struct pt_param_def params[] = {
	{ .name = "transport", .type = PT_PARAM_ENUM, .def = "unix", .choices = "unix|tcp",
	  .help = "unix: a socketpair(); tcp: a connection on 127.0.0.1" },
	{ .name = "rate", .type = PT_PARAM_INT, .def = "0",
	  .help = "messages per worker per second from the feeder; 0: as fast as possible",
	  .min = 0, .max = 10 * 1000 * 1000 },
	{ .name = "timeout_ms", .type = PT_PARAM_INT, .def = "100",
	  .help = "receive timeout, after which a worker checks its running flag again",
	  .min = 1, .max = 600 * 1000 },
	{ .name = "timeout_via", .type = PT_PARAM_ENUM, .def = "poll", .choices = "poll|rcvtimeo",
	  .help = "how the timeout is applied: poll() then recv(), or recv() with SO_RCVTIMEO" },
	{ .name = "msg_size", .type = PT_PARAM_SIZE, .def = "64",
	  .help = "bytes per message (a 16-byte header: send time, sequence, destination)",
	  .min = 16, .max = 65536 },
	{ .name = "duration_ms", .type = PT_PARAM_INT, .def = "200", .quick = "100",
	  .help = "how long the workers receive before the running flag is cleared",
	  .min = 1, .max = 3600 * 1000 },
	{ 0 },
};

enum { M_STOP_MS, M_RECV_TIMEOUTS };

static const struct pt_metric_def metrics[] = {
	[M_STOP_MS] = { "stop_ms", "running flag cleared to the last worker's exit (ms): "
				   "about timeout_ms at most" },
	[M_RECV_TIMEOUTS] = { "recv_timeouts", "receives that timed out, all workers together" },
	{ 0 },
};

enum { T_UNIX, T_TCP };
enum { WAIT_POLL, WAIT_RCVTIMEO };
enum { W_TIMEOUTS }; /* per-worker slot->metric[] */

/* A message on the wire; the rest of msg_size is filler. Same host, so
 * native byte order; CLOCK_MONOTONIC is one clock for every process. */
struct sr_hdr {
	uint64_t send_ns;
	uint32_t seq;	/* per destination, from 0 (wraps) */
	uint32_t tag;	/* TAG_MAGIC | destination worker id */
};
_Static_assert(sizeof(struct sr_hdr) == 16, "the header is 16 bytes");
#define TAG_MAGIC 0x5e0c0000u
_Static_assert(PT_MAX_WORKERS <= 0x10000, "worker ids fit the tag's low half");

/* The feeder's queue to one worker: a batch being sent. */
struct sr_feed {
	char *buf;
	size_t off, len;
	uint64_t built;		/* messages put into batches so far */
	uint64_t phase_ns;	/* rate: message j is due at t0 + phase + j * interval */
	bool dead;		/* sending failed: see sr.feed_err */
};

/* What the workers read: in the arena (ctx->shared), so that a worker
 * started by forkserver or spawn finds it too; the descriptors are passed
 * to it at their numbers. */
struct sr_workers {
	size_t msg_size;
	int timeout_ms;
	int wait;
	int wfd[];		/* each worker's end */
};

/* The feeder's side, in the point's process (ctx->priv). */
struct sr {
	int n;
	int *wfd, *ffd;		/* worker's end, feeder's end */
	size_t msg_size;
	size_t batch;		/* messages per send at most */
	uint64_t interval_ns;	/* 0: as fast as possible */
	int timeout_ms;
	int wait;
	struct sr_feed *feed;	/* the feeder thread's (finish reads it after the join) */
	struct pollfd *pfd;
	int feed_err, feed_err_worker;
};

static void sr_free(struct sr *sr)
{
	if (!sr)
		return;
	for (int i = 0; i < sr->n; i++) {
		if (sr->wfd && sr->wfd[i] >= 0)
			close(sr->wfd[i]);
		if (sr->ffd && sr->ffd[i] >= 0)
			close(sr->ffd[i]);
		if (sr->feed)
			free(sr->feed[i].buf);
	}
	free(sr->wfd);
	free(sr->ffd);
	free(sr->feed);
	free(sr->pfd);
	free(sr);
}

/* One loopback connection: the worker gets the accepted end. */
static int tcp_pair(int lfd, const struct sockaddr_in *addr, int *wfd, int *ffd)
{
	struct sockaddr_in me, peer;
	socklen_t len;
	int c, a = -1, one = 1, e;

	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0)
		return -errno;
	if (connect(c, (const struct sockaddr *)addr, sizeof(*addr)) != 0)
		goto fail;
	len = sizeof(me);
	if (getsockname(c, (struct sockaddr *)&me, &len) != 0)
		goto fail;
	/* Another program may connect to our ephemeral port meanwhile: take
	 * only our own connection (connect() returned, so it is queued). */
	for (int tries = 0; tries < 16 && a < 0; tries++) {
		a = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (a < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			goto fail;
		}
		len = sizeof(peer);
		if (getpeername(a, (struct sockaddr *)&peer, &len) != 0 ||
		    peer.sin_port != me.sin_port) {
			close(a);
			a = -1;
		}
	}
	if (a < 0) {
		errno = ECONNREFUSED;
		goto fail;
	}
	/* Small messages leave at once: no Nagle delay in the latency. */
	if (setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0)
		goto fail;
	*wfd = a;
	*ffd = c;
	return 0;
fail:
	e = errno;
	if (a >= 0)
		close(a);
	close(c);
	return -e;
}

static int make_pairs(struct sr *sr, int transport, char *msg, size_t msglen)
{
	struct sockaddr_in addr = { .sin_family = AF_INET,
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(addr);
	int lfd = -1, ret = 0;

	if (transport == T_TCP) {
		lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
		    listen(lfd, 16) != 0 ||
		    getsockname(lfd, (struct sockaddr *)&addr, &len) != 0) {
			ret = -errno;
			snprintf(msg, msglen, "listening on 127.0.0.1: %s", strerror(-ret));
			goto out;
		}
	}
	for (int i = 0; i < sr->n; i++) {
		int sv[2];

		if (transport == T_TCP) {
			ret = tcp_pair(lfd, &addr, &sv[0], &sv[1]);
		} else {
			ret = socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) ? -errno : 0;
		}
		if (ret) {
			snprintf(msg, msglen, "%s for worker %d of %d: %s%s",
				 transport == T_TCP ? "loopback connection" : "socketpair", i + 1,
				 sr->n, strerror(-ret),
				 ret == -EMFILE ? " (2 descriptors a worker: raise ulimit -n)"
						: "");
			goto out;
		}
		sr->wfd[i] = sv[0];
		sr->ffd[i] = sv[1];
		/* The worker's end reaches a worker started by spawn too. */
		ret = pt_ctx_pass_fd(sv[0]);
		if (ret) {
			snprintf(msg, msglen, "fcntl: %s", strerror(-ret));
			goto out;
		}
	}
out:
	if (lfd >= 0)
		close(lfd);
	return ret;
}

static size_t sr_shared_size(const struct pt_ctx *ctx)
{
	return sizeof(struct sr_workers) + (size_t)ctx->nworkers * sizeof(int);
}

/* What the workers need, where every worker finds it. */
static void publish(const struct sr *sr, struct sr_workers *sw)
{
	sw->msg_size = sr->msg_size;
	sw->timeout_ms = sr->timeout_ms;
	sw->wait = sr->wait;
	for (int i = 0; i < sr->n; i++)
		sw->wfd[i] = sr->wfd[i];
}

static int sr_setup(struct pt_ctx *ctx)
{
	const struct pt_params *p = ctx->params;
	struct sr *sr = calloc(1, sizeof(*sr));
	int64_t rate = pt_param_int(p, "rate");
	int n = ctx->nworkers, ret;

	if (!sr)
		return -ENOMEM;
	sr->n = n;
	sr->msg_size = (size_t)pt_param_int(p, "msg_size");
	sr->timeout_ms = (int)pt_param_int(p, "timeout_ms");
	sr->wait = (int)pt_param_int(p, "timeout_via");
	sr->interval_ns = rate ? PT_NSEC_PER_SEC / (uint64_t)rate : 0;
	/* About 16 KiB per send(), so that the feeder keeps up with several
	 * receivers as fast as it can. */
	sr->batch = sr->msg_size < 16384 ? 16384 / sr->msg_size : 1;
	sr->wfd = malloc((size_t)n * sizeof(int));
	sr->ffd = malloc((size_t)n * sizeof(int));
	sr->feed = calloc((size_t)n, sizeof(*sr->feed));
	sr->pfd = calloc((size_t)n, sizeof(*sr->pfd));
	if (!sr->wfd || !sr->ffd || !sr->feed || !sr->pfd) {
		ret = -ENOMEM;
		goto fail;
	}
	for (int i = 0; i < n; i++) {
		sr->wfd[i] = sr->ffd[i] = -1;
		sr->feed[i].buf = malloc(sr->batch * sr->msg_size);
		if (!sr->feed[i].buf) {
			ret = -ENOMEM;
			goto fail;
		}
		memset(sr->feed[i].buf, 0xa5, sr->batch * sr->msg_size);
	}
	/* Under procs the workers inherit these descriptors through fork(). */
	ret = make_pairs(sr, (int)pt_param_int(p, "transport"), ctx->msg, sizeof(ctx->msg));
	if (ret)
		goto fail;
	if (sr->wait == WAIT_RCVTIMEO) {
		struct timeval tv = { .tv_sec = sr->timeout_ms / 1000,
				      .tv_usec = (sr->timeout_ms % 1000) * 1000 };

		for (int i = 0; i < n; i++) {
			if (setsockopt(sr->wfd[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
				ret = -errno;
				snprintf(ctx->msg, sizeof(ctx->msg), "SO_RCVTIMEO: %s",
					 strerror(-ret));
				goto fail;
			}
		}
	}
	ctx->duration_ns = (uint64_t)pt_param_int(p, "duration_ms") * PT_NSEC_PER_MSEC;
	ctx->priv = sr;
	publish(sr, ctx->shared);
	return 0;
fail:
	sr_free(sr);
	return ret;
}

/* --- the feeder: a helper thread outside the model --- */

static void fill_batch(struct sr *sr, int i, uint64_t k, uint64_t now)
{
	struct sr_feed *q = &sr->feed[i];

	for (uint64_t j = 0; j < k; j++) {
		struct sr_hdr h = { .send_ns = now,
				    .seq = (uint32_t)(q->built + j),
				    .tag = TAG_MAGIC | (uint32_t)i };

		memcpy(q->buf + j * sr->msg_size, &h, sizeof(h));
	}
	q->off = 0;
	q->len = (size_t)k * sr->msg_size;
	q->built += k;
}

/* Sends each worker its messages with non-blocking sends; waits on full
 * sockets at most 10 ms at a time, so it notices the end of the run even
 * when the workers have stopped reading. */
static void feeder(struct pt_team *t, void *arg)
{
	struct sr *sr = arg;
	const uint64_t slice = 10 * PT_NSEC_PER_MSEC;
	uint64_t t0;

	/* Nothing is sent before the gate opens: the clock starts there. */
	if (!pt_helper_wait_go(t))
		return;
	t0 = pt_now_ns();
	/* Each worker's messages start at a random point of the first
	 * interval, like independent senders: where a receiver is in its
	 * timeout when the flag is cleared is then not locked to the
	 * duration, and stop_ms samples the whole range up to timeout_ms. */
	if (sr->interval_ns) {
		uint64_t x = t0 ^ ((uint64_t)getpid() << 32) ^ 0x9e3779b97f4a7c15u;

		for (int i = 0; i < sr->n; i++) {
			/* xorshift64 (G. Marsaglia, "Xorshift RNGs", JSS 2003). */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			sr->feed[i].phase_ns = x % sr->interval_ns;
		}
	}
	while (pt_helper_running(t)) {
		uint64_t now = pt_now_ns(), wake = now + slice;
		bool progress = false;
		nfds_t nfull = 0;

		for (int i = 0; i < sr->n; i++) {
			struct sr_feed *q = &sr->feed[i];
			ssize_t m;

			if (q->dead)
				continue;
			if (q->off == q->len) {
				uint64_t k = sr->batch;

				if (sr->interval_ns) {
					uint64_t start = t0 + q->phase_ns;
					uint64_t due = now < start ? 0
						       : (now - start) / sr->interval_ns + 1;

					k = due > q->built ? due - q->built : 0;
					if (k > sr->batch)
						k = sr->batch;
				}
				if (!k) {
					uint64_t next = t0 + q->phase_ns +
							q->built * sr->interval_ns;

					if (next < wake)
						wake = next;
					continue;
				}
				fill_batch(sr, i, k, now);
			}
			m = send(sr->ffd[i], q->buf + q->off, q->len - q->off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
			if (m > 0) {
				q->off += (size_t)m;
				progress = true;
			} else if (m < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
				   errno != EINTR) {
				q->dead = true;
				if (!sr->feed_err) {
					sr->feed_err = errno;
					sr->feed_err_worker = i;
				}
				continue;
			}
			if (q->off < q->len)
				sr->pfd[nfull++] = (struct pollfd){ .fd = sr->ffd[i],
								    .events = POLLOUT };
		}
		if (progress)
			continue;
		now = pt_now_ns();
		struct timespec ts = pt_ns_to_ts(wake > now ? wake - now : 0);

		/* A signal only cuts the wait short. */
		ppoll(sr->pfd, nfull, &ts, NULL);
	}
}

static int sr_start(struct pt_ctx *ctx)
{
	int ret = pt_team_helper(ctx->team, feeder, ctx->priv);

	if (ret)
		snprintf(ctx->msg, sizeof(ctx->msg), "feeder thread: %s", strerror(-ret));
	return ret;
}

/* --- the workers --- */

/* Takes the whole messages at the start of @buf; returns the bytes used,
 * or a negative errno with a message when one is not what was sent. */
static ssize_t take_messages(struct pt_worker *w, const struct sr_workers *sr, const char *buf,
			     size_t have, uint32_t *seq, uint64_t now)
{
	size_t used = 0;

	for (; have - used >= sr->msg_size; used += sr->msg_size) {
		struct sr_hdr h;

		memcpy(&h, buf + used, sizeof(h));
		if (h.tag != (TAG_MAGIC | (uint32_t)w->id) || h.seq != *seq) {
			snprintf(w->slot->msg, sizeof(w->slot->msg),
				 "%s: message %llu is not the one sent "
				 "(tag 0x%08x, seq %u, expected seq %u)",
				 w->name, (unsigned long long)w->slot->ops, h.tag, h.seq, *seq);
			return -EPROTO;
		}
		(*seq)++;
		pt_hist_add(&w->slot->lat, now > h.send_ns ? now - h.send_ns : 0);
		w->slot->ops++;
		pt_tick(w);
	}
	return (ssize_t)used;
}

static int sr_run(struct pt_worker *w)
{
	const struct sr_workers *sr = pt_ctx_of(w)->shared;
	int fd = sr->wfd[w->id];
	size_t cap = sr->msg_size < 65536 ? 65536 / sr->msg_size * sr->msg_size : sr->msg_size;
	size_t have = 0;
	char *buf = malloc(cap);
	uint32_t seq = 0;
	uint64_t timeouts = 0;
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	/* The IOTask: while self._running: try: recv() except socket.timeout:
	 * continue. Both the wait and the receive are blocking sections. */
	while (pt_running(w)) {
		bool timed_out = false;
		ssize_t n;
		int e;

		/* errno survives the end of the blocking section. */
		pt_block_begin(w);
		if (sr->wait == WAIT_POLL) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			int r = poll(&p, 1, sr->timeout_ms);

			if (r > 0) {
				n = recv(fd, buf + have, cap - have, MSG_DONTWAIT);
			} else {
				n = -1;
				timed_out = r == 0;
			}
		} else {
			n = recv(fd, buf + have, cap - have, 0);
			timed_out = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
		}
		pt_block_end(w);
		e = errno;

		if (timed_out) {
			timeouts++;
			continue;
		}
		if (n < 0) {
			if (e == EINTR || e == EAGAIN || e == EWOULDBLOCK)
				continue;
			ret = -e;
			snprintf(w->slot->msg, sizeof(w->slot->msg), "%s: %s: %s", w->name,
				 sr->wait == WAIT_POLL ? "poll/recv" : "recv", strerror(e));
			break;
		}
		if (n == 0) {
			ret = -EPIPE;
			snprintf(w->slot->msg, sizeof(w->slot->msg),
				 "%s: the feeder closed the connection", w->name);
			break;
		}
		have += (size_t)n;
		ssize_t used = take_messages(w, sr, buf, have, &seq, pt_now_ns());

		if (used < 0) {
			ret = (int)used;
			break;
		}
		have -= (size_t)used;
		memmove(buf, buf + used, have);
	}
	w->slot->metric[W_TIMEOUTS] = (double)timeouts;
	free(buf);
	return ret;
}

static int sr_finish(struct pt_ctx *ctx, const struct pt_team_stats *st)
{
	const struct sr *sr = ctx->priv;

	if (sr->feed_err) {
		snprintf(ctx->msg, sizeof(ctx->msg), "feeder: send to %s: %s",
			 st->worker[sr->feed_err_worker].name, strerror(sr->feed_err));
		return -sr->feed_err;
	}
	for (int i = 0; i < ctx->nworkers; i++) {
		const struct pt_worker_figures *f = &st->worker[i];

		/* Sequence numbers were checked on receipt; more than was sent
		 * would be a bug of the count. */
		if (f->ops > sr->feed[i].built) {
			snprintf(ctx->msg, sizeof(ctx->msg),
				 "%s received %llu messages of %llu sent", f->name,
				 (unsigned long long)f->ops, (unsigned long long)sr->feed[i].built);
			return -EPROTO;
		}
	}
	ctx->metric[M_STOP_MS] = (double)st->stop_lag_ns / 1e6;
	ctx->metric[M_RECV_TIMEOUTS] = st->metric_sum[W_TIMEOUTS];
	return 0;
}

static double sr_estimate(const struct pt_params *p, enum pt_model m, int n, int npus)
{
	(void)m;
	(void)n;
	(void)npus;
	/* The duration, then at most one receive timeout to stop. */
	return (double)(pt_param_int(p, "duration_ms") + pt_param_int(p, "timeout_ms")) / 1e3;
}

static void sr_teardown(struct pt_ctx *ctx)
{
	sr_free(ctx->priv);
	ctx->priv = NULL;
}

const struct pt_workload pt_wl_sockrecv = {
	.name = "sockrecv",
	.kind = PT_KIND_IO,
	.summary = "each worker receives on its own socket with a timeout while a flag holds",
	.params = params,
	.metrics = metrics,
	/* The core clears the running flag only once the workers run side by
	 * side; one after another, the first receiver would never stop. */
	.models = PT_MODELS_CONCURRENT,
	.skip_why = "sockrecv receives until its running flag is cleared: "
		    "its workers must run side by side",
	.min_workers = 1,
	.fixed_time = true,
	/* rate=0: messages/s; rate=1: receivers idle in their timeouts, so
	 * stop_ms shows how long noticing the cleared flag takes. */
	.suite = { .workers = "1,2", .models = "threads,procs,gil" },
	.estimate_s = sr_estimate,
	.shared_size = sr_shared_size,
	.setup = sr_setup,
	.start = sr_start,
	.run = sr_run,
	.finish = sr_finish,
	.teardown = sr_teardown,
};
