// SPDX-License-Identifier: MIT
// Channels between workers: references through a queue.Queue, a pipe with
// serialization and an optional feeder thread (multiprocessing.Queue,
// SimpleQueue), or copies into a queue in shared memory.
#include "transport.h"

#include "clock.h"
#include "work.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

/* How long a wait inside a message (the rest of a header or a payload, the
 * write lock) may last before the peer is taken for dead. */
#define STALL_NS (10 * PT_NSEC_PER_SEC)

/* Nanoseconds per tick (lib/work.h: CPython 3.11's countdown iteration on
 * the development machine). */
#define TICK_NS 28.3

/* An SHM channel with no bound keeps at most this many bytes of items. */
#define SHM_UNBOUNDED_BYTES ((size_t)256 << 20)

static const char *const xport_names[] = {
	[PT_XPORT_DIRECT] = "direct",
	[PT_XPORT_REF] = "ref",
	[PT_XPORT_PIPE] = "pipe",
	[PT_XPORT_SHM] = "shm",
};

const char *pt_xport_name(enum pt_xport x)
{
	return (unsigned)x < sizeof(xport_names) / sizeof(xport_names[0]) ? xport_names[x] : "?";
}

int pt_ipc_parse(const char *name, enum pt_ipc *out)
{
	static const char *const names[] = { "auto", "pipe", "shm" };

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i]) == 0) {
			*out = (enum pt_ipc)i;
			return 0;
		}
	}
	return -EINVAL;
}

enum pt_xport pt_ipc_resolve(enum pt_ipc ipc, enum pt_model model)
{
	if (model == PT_MODEL_SERIAL)
		return PT_XPORT_DIRECT;
	switch (ipc) {
	case PT_IPC_PIPE:
		return PT_XPORT_PIPE;
	case PT_IPC_SHM:
		return PT_XPORT_SHM;
	default:
		/* Threads of one process pass references; any model whose
		 * workers are processes needs bytes. */
		return model == PT_MODEL_PROCS ? PT_XPORT_PIPE : PT_XPORT_REF;
	}
}

/* --- pickle's cost ---
 *
 * CPython 3.11.7 on the 2-core development machine (loaded: load average
 * 1.3), `python3 -m timeit -s "import pickle; b=bytes(N)" "pickle.dumps(b)"`
 * and `-s "import pickle; s=pickle.dumps(bytes(N))" "pickle.loads(s)"`,
 * best of 5:
 *
 *   N        64     4K     64K    128K   256K   512K   1M     4M
 *   dumps    144ns  151ns  954ns  75us   144us  264us  449us  1.83ms
 *   loads    108ns  152ns  731ns  1.7us  2.7us  7.0us  20us   75us
 *
 * Up to 64 KiB both copy a cached buffer (about 13 and 10 ns per KiB). From
 * 128 KiB (glibc's default M_MMAP_THRESHOLD) dumps' output buffer is fresh
 * mmap'ed memory whose every page faults in: about 440 ns per KiB, the whole
 * size; loads' copy runs from memory, about 19 ns per KiB. */
#define PICKLE_BIG ((size_t)128 << 10)

double pt_pickle_dumps_ns(size_t len)
{
	double kib = (double)len / 1024;

	return 140 + kib * (len < PICKLE_BIG ? 12.7 : 440);
}

double pt_pickle_loads_ns(size_t len)
{
	double kib = (double)len / 1024;

	return 105 + kib * (len < PICKLE_BIG ? 9.7 : 19);
}

void pt_spend_ns(struct pt_worker *w, double ns)
{
	uint64_t iters = ns > 0 ? (uint64_t)(ns * PT_TICK_ITERS / TICK_NS) : 0;

	if (!w)
		w = pt_current();
	if (w)
		pt_count_down_ticking(w, iters, PT_TICK_ITERS);
	else
		pt_count_down(iters); /* outside any team: no GIL to hold */
}

/* --- payload --- */

/* Word k of the pattern: a multiplicative hash of k (Knuth's constant), so
 * a shifted or repeated block never matches. */
static inline uint64_t pattern_word(uint64_t k)
{
	return (k + 1) * 0x9E3779B97F4A7C15ull ^ (k >> 7);
}

void pt_payload_fill(void *buf, size_t len)
{
	unsigned char *p = buf;
	size_t words = len / 8, k;

	for (k = 0; k < words; k++) {
		uint64_t v = pattern_word(k);

		memcpy(p + 8 * k, &v, 8);
	}
	if (len % 8) {
		uint64_t v = pattern_word(k);

		memcpy(p + 8 * k, &v, len % 8);
	}
}

int pt_payload_check(const void *buf, size_t len, size_t *bad_off)
{
	const unsigned char *p = buf;
	size_t words = len / 8, k;
	uint64_t diff = 0, v, want;

	/* Branch-free over the words; locate the first bad one only on failure. */
	for (k = 0; k < words; k++) {
		memcpy(&v, p + 8 * k, 8);
		diff |= v ^ pattern_word(k);
	}
	if (len % 8) {
		v = 0;
		want = pattern_word(k);
		memcpy(&v, p + 8 * k, len % 8);
		memset((unsigned char *)&want + len % 8, 0, 8 - len % 8);
		diff |= v ^ want;
	}
	if (!diff)
		return 0;
	for (size_t i = 0; i < len; i++) {
		uint64_t w = pattern_word(i / 8);

		if (p[i] != ((const unsigned char *)&w)[i % 8]) {
			if (bad_off)
				*bad_off = i;
			break;
		}
	}
	return -EBADMSG;
}

static uint32_t msg_check(const struct pt_msg *h)
{
	uint64_t x = h->id * 0x9E3779B97F4A7C15ull ^ h->aux * 0xC2B2AE3D27D4EB4Full ^
		     (uint64_t)h->len * 0x165667B19E3779F9ull;

	return (uint32_t)(x ^ x >> 32) ^ 0x50544d31u; /* "PTM1" */
}

/* --- channels --- */

struct ref_item {
	struct pt_msg h;
	const void *data;
};

static size_t shm_item_size(const struct pt_chan_config *cfg)
{
	return PT_ALIGN_UP(sizeof(struct pt_msg) + cfg->max_len, 8);
}

/* The queue of a REF or SHM channel: its item size, capacity and bound. */
static int queue_shape(const struct pt_chan_config *cfg, size_t *item, size_t *cap,
		       size_t *maxsize)
{
	*maxsize = cfg->maxsize;
	if (cfg->kind == PT_XPORT_REF) {
		*item = sizeof(struct ref_item);
		*cap = cfg->maxsize ? cfg->maxsize : cfg->max_items;
	} else {
		*item = shm_item_size(cfg);
		*cap = cfg->maxsize ? cfg->maxsize : cfg->max_items;
		if (!cfg->maxsize && *cap > SHM_UNBOUNDED_BYTES / *item) {
			/* Fixed memory: past this many items put blocks. */
			*cap = SHM_UNBOUNDED_BYTES / *item ? SHM_UNBOUNDED_BYTES / *item : 1;
			*maxsize = *cap;
		}
	}
	return *cap ? 0 : -EINVAL;
}

size_t pt_chan_size(const struct pt_chan_config *cfg)
{
	size_t item, cap, maxsize, qs;

	if (cfg->max_len > UINT32_MAX || (cfg->kind != PT_XPORT_REF && cfg->kind != PT_XPORT_PIPE &&
					  cfg->kind != PT_XPORT_SHM))
		return 0;
	if (cfg->kind == PT_XPORT_PIPE)
		return cfg->order == PT_QUEUE_FIFO ? PT_ALIGN_UP(sizeof(struct pt_chan), PT_CACHELINE)
						   : 0;
	if (queue_shape(cfg, &item, &cap, &maxsize))
		return 0;
	qs = pt_queue_size_for(cfg->order, cap, item);
	if (!qs)
		return 0;
	return PT_ALIGN_UP(sizeof(struct pt_chan), PT_CACHELINE) + PT_ALIGN_UP(qs, PT_CACHELINE);
}

static struct pt_queue *chan_queue(struct pt_chan *c)
{
	return (struct pt_queue *)(void *)((char *)c + c->q_off);
}

int pt_chan_init(struct pt_chan *c, const struct pt_chan_config *cfg)
{
	int fds[2], ret;

	if (!pt_chan_size(cfg))
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	c->cfg = *cfg;
	c->rfd = c->wfd = -1;
	if (cfg->kind != PT_XPORT_PIPE) {
		size_t item, cap, maxsize;

		queue_shape(cfg, &item, &cap, &maxsize);
		c->q_off = PT_ALIGN_UP(sizeof(struct pt_chan), PT_CACHELINE);
		return pt_queue_init(chan_queue(c), cfg->order, cap, maxsize, item, true);
	}
	/* No O_CLOEXEC: a worker started by fork and exec (spawn) inherits
	 * the pipe, as multiprocessing passes its handles to the child. */
	if (pipe(fds) < 0)
		return -errno;
	c->rfd = fds[0];
	c->wfd = fds[1];
	ret = pt_bsem_init(&c->wlock, 1, true);
	if (!ret)
		ret = pt_bsem_init(&c->rlock, 1, true);
	if (!ret && cfg->maxsize)
		ret = pt_bsem_init(&c->slots, cfg->maxsize > UINT_MAX ? UINT_MAX : (unsigned)cfg->maxsize,
				   true);
	if (ret) {
		close(c->rfd);
		close(c->wfd);
		c->rfd = c->wfd = -1;
	}
	return ret;
}

size_t pt_chan_leftover(struct pt_chan *c)
{
	int n = 0;

	if (c->cfg.kind != PT_XPORT_PIPE)
		return c->q_off ? pt_queue_qsize(chan_queue(c)) : 0;
	if (c->rfd < 0 || ioctl(c->rfd, FIONREAD, &n) < 0)
		return 0;
	return n > 0 ? (size_t)n : 0;
}

void pt_chan_destroy(struct pt_chan *c, bool intact)
{
	if (c->cfg.kind != PT_XPORT_PIPE) {
		if (intact && c->q_off)
			pt_queue_destroy(chan_queue(c));
		return;
	}
	if (c->rfd >= 0)
		close(c->rfd);
	if (c->wfd >= 0)
		close(c->wfd);
	c->rfd = c->wfd = -1;
	if (intact) {
		pt_sem_destroy(&c->wlock);
		pt_sem_destroy(&c->rlock);
		if (c->cfg.maxsize)
			pt_sem_destroy(&c->slots);
	}
}

/* --- the pipe --- */

/* Writes all of @iov (short writes and EINTR resumed); a blocking section. */
static int write_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t k = writev(fd, iov, n);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		while (n > 0 && (size_t)k >= iov->iov_len) {
			k -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + k;
			iov->iov_len -= (size_t)k;
		}
	}
	return 0;
}

/* Reads exactly @len bytes. Waits at most @first_ns for the first byte
 * (-ETIMEDOUT, nothing read), then STALL_NS for each later one. */
static int read_all(int fd, void *buf, size_t len, uint64_t first_ns)
{
	char *p = buf;
	size_t got = 0;
	uint64_t deadline = pt_deadline_after(first_ns);

	while (got < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint64_t left = pt_remaining(deadline);
		int ms = left == PT_FOREVER ? -1 : (int)((left + 999999) / 1000000);
		ssize_t k;
		int r;

		if (left != PT_FOREVER && left > (uint64_t)INT_MAX * 1000000)
			ms = INT_MAX;
		r = poll(&pfd, 1, ms);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0) {
			if (pt_remaining(deadline) == 0)
				return got ? -EPIPE : -ETIMEDOUT;
			continue;
		}
		k = read(fd, p + got, len - got);
		if (k < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		if (k == 0)
			return -EPIPE;
		if (!got)
			deadline = pt_deadline_after(STALL_NS);
		got += (size_t)k;
	}
	return 0;
}

/* Serializes and writes one item under the write lock, in the calling
 * thread (@w: its worker): SimpleQueue.put, or the feeder's loop body. */
static int pipe_send(struct pt_chan *c, struct pt_worker *w, const struct pt_msg *h,
		     const void *data)
{
	struct iovec iov[2] = {
		{ .iov_base = (void *)h, .iov_len = sizeof(*h) },
		{ .iov_base = (void *)data, .iov_len = h->len },
	};
	int ret;

	/* _ForkingPickler.dumps(obj), holding the GIL. */
	pt_spend_ns(w, pt_pickle_dumps_ns(h->len));
	ret = pt_sem_acquire(&c->wlock, true, STALL_NS);
	if (ret)
		return ret;
	pt_block_begin(w);
	ret = write_all(c->wfd, iov, h->len ? 2 : 1);
	pt_sem_release(&c->wlock, 1);
	pt_block_end(w);
	return ret;
}

/* The feeder: takes the items put, one at a time, and sends them
 * (multiprocessing.queues.Queue._feed). */
static void *feeder_main(void *arg)
{
	struct pt_tx *tx = arg;

	pt_extra_enter(&tx->fw);
	for (;;) {
		struct pt_tx_pending it;
		int ret;

		pt_mtx_lock(&tx->m);
		if (!tx->count && !tx->closing) {
			/* Waiting on _notempty releases the GIL. */
			pt_mtx_unlock(&tx->m);
			pt_block_begin(&tx->fw);
			pt_mtx_lock(&tx->m);
			while (!tx->count && !tx->closing)
				pt_cv_wait_until(&tx->cv, &tx->m, PT_FOREVER);
			pt_mtx_unlock(&tx->m);
			pt_block_end(&tx->fw);
			pt_mtx_lock(&tx->m);
		}
		if (!tx->count) {
			pt_mtx_unlock(&tx->m);
			break;
		}
		it = tx->buf[tx->head];
		tx->head = (tx->head + 1) % tx->cap;
		tx->count--;
		tx->busy = true;
		pt_mtx_unlock(&tx->m);

		ret = tx->err ? 0 : pipe_send(tx->c, &tx->fw, &it.h, it.data);

		pt_mtx_lock(&tx->m);
		if (ret && !tx->err)
			tx->err = ret;
		tx->busy = false;
		if (!tx->count)
			pt_cv_broadcast(&tx->idle_cv);
		pt_mtx_unlock(&tx->m);
	}
	pt_extra_leave(&tx->fw);
	return NULL;
}

int pt_tx_open(struct pt_tx *tx, struct pt_chan *c, struct pt_worker *w, bool feeder)
{
	int ret;

	memset(tx, 0, sizeof(*tx));
	tx->c = c;
	tx->w = w;
	if (c->cfg.kind == PT_XPORT_SHM) {
		tx->stage = calloc(1, shm_item_size(&c->cfg));
		if (!tx->stage)
			return -ENOMEM;
	}
	if (c->cfg.kind != PT_XPORT_PIPE || !feeder)
		return 0;
	if (!w)
		tx->w = w = pt_current();
	if (!w)
		return -EINVAL; /* a feeder belongs to some worker's process */
	tx->feeder = true;
	ret = pt_mtx_init(&tx->m, false);
	if (ret)
		return ret;
	ret = pt_cv_init(&tx->cv, false);
	if (!ret) {
		ret = pt_cv_init(&tx->idle_cv, false);
		if (ret)
			pt_cv_destroy(&tx->cv);
	}
	if (ret) {
		pt_mtx_destroy(&tx->m);
		tx->feeder = false;
		return ret;
	}
	pt_extra_init(&tx->fw, w->team, "QueueFeederThread");
	return 0;
}

/* Appends to the feeder's buffer, starting the feeder at the first put
 * (Queue._start_thread). */
static int feeder_put(struct pt_tx *tx, const struct pt_msg *h, const void *data)
{
	int ret = 0;

	pt_mtx_lock(&tx->m);
	if (tx->count == tx->cap) {
		size_t ncap = tx->cap ? 2 * tx->cap : 64;
		struct pt_tx_pending *nb = malloc(ncap * sizeof(*nb));

		if (!nb) {
			pt_mtx_unlock(&tx->m);
			return -ENOMEM;
		}
		for (size_t i = 0; i < tx->count; i++)
			nb[i] = tx->buf[(tx->head + i) % tx->cap];
		free(tx->buf);
		tx->buf = nb;
		tx->head = 0;
		tx->cap = ncap;
	}
	tx->buf[(tx->head + tx->count) % tx->cap] = (struct pt_tx_pending){ *h, data };
	tx->count++;
	if (!tx->started) {
		ret = -pthread_create(&tx->thread, NULL, feeder_main, tx);
		if (ret)
			tx->count--;
		else
			tx->started = true;
	}
	pt_cv_signal(&tx->cv);
	if (!ret)
		ret = tx->err;
	pt_mtx_unlock(&tx->m);
	return ret;
}

int pt_tx_put_prio(struct pt_tx *tx, int64_t prio, const struct pt_msg *h, const void *data,
		   uint64_t timeout_ns)
{
	struct pt_chan *c = tx->c;
	struct pt_msg m = *h;
	int ret;

	m.check = msg_check(&m);
	switch (c->cfg.kind) {
	case PT_XPORT_REF: {
		struct ref_item it = { m, data };

		return pt_queue_put_prio(chan_queue(c), prio, &it, true, timeout_ns);
	}
	case PT_XPORT_SHM:
		memcpy(tx->stage, &m, sizeof(m));
		if (m.len)
			memcpy(tx->stage + sizeof(m), data, m.len);
		return pt_queue_put_prio(chan_queue(c), prio, tx->stage, true, timeout_ns);
	case PT_XPORT_PIPE:
		break;
	default:
		return -EINVAL;
	}
	if (m.len > c->cfg.max_len)
		return -EMSGSIZE;
	/* Queue.put: a slot of maxsize (_sem), then the feeder; SimpleQueue.put
	 * writes at once. */
	if (c->cfg.maxsize) {
		ret = pt_sem_acquire(&c->slots, true, timeout_ns);
		if (ret)
			return ret;
	}
	ret = tx->feeder ? feeder_put(tx, &m, data) : pipe_send(c, tx->w, &m, data);
	if (ret && c->cfg.maxsize)
		pt_sem_release(&c->slots, 1);
	return ret;
}

int pt_tx_put(struct pt_tx *tx, const struct pt_msg *h, const void *data, uint64_t timeout_ns)
{
	return pt_tx_put_prio(tx, 0, h, data, timeout_ns);
}

int pt_tx_flush(struct pt_tx *tx, uint64_t timeout_ns)
{
	uint64_t deadline = pt_deadline_after(timeout_ns);
	int ret = 0;

	if (!tx->feeder || !tx->started)
		return 0;
	pt_block_begin(tx->w);
	pt_mtx_lock(&tx->m);
	while ((tx->count || tx->busy) && !ret)
		ret = pt_cv_wait_until(&tx->idle_cv, &tx->m, deadline);
	if (!ret)
		ret = tx->err;
	pt_mtx_unlock(&tx->m);
	pt_block_end(tx->w);
	return ret;
}

int pt_tx_close(struct pt_tx *tx, uint64_t timeout_ns)
{
	int ret = 0;

	if (!tx->c)
		return 0;
	if (tx->feeder) {
		if (tx->started) {
			ret = pt_tx_flush(tx, timeout_ns);
			pt_mtx_lock(&tx->m);
			tx->closing = true;
			pt_cv_signal(&tx->cv);
			pt_mtx_unlock(&tx->m);
			if (ret) {
				/* A feeder stuck in a write (a dead reader) dies
				 * with the process. */
				pthread_detach(tx->thread);
			} else {
				pt_block_begin(tx->w);
				pthread_join(tx->thread, NULL);
				pt_block_end(tx->w);
				ret = tx->err;
			}
		}
		if (!tx->started || !ret) {
			pt_cv_destroy(&tx->idle_cv);
			pt_cv_destroy(&tx->cv);
			pt_mtx_destroy(&tx->m);
			free(tx->buf);
		}
	}
	free(tx->stage);
	memset(tx, 0, sizeof(*tx));
	return ret;
}

int pt_rx_open(struct pt_rx *rx, struct pt_chan *c, struct pt_worker *w)
{
	memset(rx, 0, sizeof(*rx));
	rx->c = c;
	rx->w = w;
	if (c->cfg.kind == PT_XPORT_SHM || c->cfg.kind == PT_XPORT_PIPE) {
		rx->cap = c->cfg.kind == PT_XPORT_SHM ? shm_item_size(&c->cfg)
						      : c->cfg.max_len + sizeof(struct pt_msg);
		rx->buf = malloc(rx->cap ? rx->cap : 1);
		if (!rx->buf)
			return -ENOMEM;
	}
	return 0;
}

/* Fresh private memory of @len bytes (every page faults in when touched), or
 * NULL. */
static unsigned char *fresh_map(size_t len)
{
	void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return m == MAP_FAILED ? NULL : m;
}

static void drop_big(struct pt_rx *rx)
{
	if (rx->big)
		munmap(rx->big, rx->big_len);
	rx->big = NULL;
	rx->big_len = 0;
}

/* A large item as CPython receives it: Connection.recv_bytes() reads into a
 * new buffer and pickle.loads() makes a new bytes object of it; from
 * PICKLE_BIG on, each is fresh mmap'ed memory (glibc's mmap threshold)
 * whose pages fault in, so both are made anew for every item here, and
 * loads' copy is the memcpy between them. @wire (h->len bytes, read) is
 * unmapped; the item then lives in rx->big. Returns 0 or a negative errno. */
static int big_item(struct pt_rx *rx, const struct pt_msg *h, unsigned char *wire)
{
	unsigned char *obj = fresh_map(h->len);

	if (!obj) {
		munmap(wire, h->len);
		return -ENOMEM;
	}
	memcpy(obj, wire, h->len);
	munmap(wire, h->len);
	drop_big(rx);
	rx->big = obj;
	rx->big_len = h->len;
	return 0;
}

static int pipe_recv(struct pt_rx *rx, struct pt_msg *h, uint64_t timeout_ns)
{
	struct pt_chan *c = rx->c;
	unsigned char *wire = NULL;
	int ret;

	/* Queue.get: `with self._rlock: res = self._recv_bytes()`, then
	 * self._sem.release(), then loads outside the lock. */
	ret = pt_sem_acquire(&c->rlock, true, timeout_ns);
	if (ret)
		return ret;
	pt_block_begin(rx->w);
	ret = read_all(c->rfd, h, sizeof(*h), timeout_ns);
	if (!ret && (h->check != msg_check(h) || h->len > c->cfg.max_len))
		ret = -EBADMSG;
	if (!ret && h->len >= PICKLE_BIG && !(wire = fresh_map(h->len)))
		ret = -ENOMEM;
	if (!ret && h->len)
		ret = read_all(c->rfd, wire ? wire : rx->buf, h->len, STALL_NS);
	pt_sem_release(&c->rlock, 1);
	pt_block_end(rx->w);
	if (ret) {
		if (wire)
			munmap(wire, h->len);
		return ret == -EPIPE ? -EBADMSG : ret;
	}
	if (c->cfg.maxsize)
		pt_sem_release(&c->slots, 1);
	if (h->len < PICKLE_BIG) {
		pt_spend_ns(rx->w, pt_pickle_loads_ns(h->len));
		return 0;
	}
	/* loads' per-item cost in ticks; its copy and the faults for real. */
	pt_spend_ns(rx->w, pt_pickle_loads_ns(0));
	return big_item(rx, h, wire);
}

int pt_rx_get(struct pt_rx *rx, struct pt_msg *h, const void **data, uint64_t timeout_ns)
{
	struct pt_chan *c = rx->c;
	int ret;

	switch (c->cfg.kind) {
	case PT_XPORT_REF: {
		struct ref_item it;

		ret = pt_queue_get(chan_queue(c), &it, true, timeout_ns);
		if (ret)
			return ret;
		*h = it.h;
		*data = it.data;
		break;
	}
	case PT_XPORT_SHM:
		ret = pt_queue_get(chan_queue(c), rx->buf, true, timeout_ns);
		if (ret)
			return ret;
		memcpy(h, rx->buf, sizeof(*h));
		*data = rx->buf + sizeof(*h);
		break;
	case PT_XPORT_PIPE:
		ret = pipe_recv(rx, h, timeout_ns);
		if (ret)
			return ret;
		*data = h->len >= PICKLE_BIG ? rx->big : rx->buf;
		break;
	default:
		return -EINVAL;
	}
	return h->check == msg_check(h) && h->len <= c->cfg.max_len ? 0 : -EBADMSG;
}

void pt_rx_close(struct pt_rx *rx)
{
	drop_big(rx);
	free(rx->buf);
	memset(rx, 0, sizeof(*rx));
}
