/* SPDX-License-Identifier: MIT */
/* Data between workers: one channel API over the three ways a Python program
 * moves items. ref: references through a queue.Queue (threads); pipe: a
 * pipe with serialization, as multiprocessing.Queue (a feeder thread) and
 * SimpleQueue (none) do; shm: items copied into shared memory. */
#ifndef PT_TRANSPORT_H
#define PT_TRANSPORT_H

#include "model.h"
#include "queue.h"
#include "sync.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The `ipc` parameter of the workloads that move data. */
enum pt_ipc { PT_IPC_AUTO, PT_IPC_PIPE, PT_IPC_SHM };
/* Its choices, in enum order, for a PT_PARAM_ENUM ("auto|pipe|shm"). */
#define PT_IPC_CHOICES "auto|pipe|shm"

/* What a channel is made of. */
enum pt_xport {
	PT_XPORT_DIRECT, /* no channel: serial calls the function (pool) */
	PT_XPORT_REF,	 /* pointers through a queue.Queue, no copy */
	PT_XPORT_PIPE,	 /* bytes through a pipe, serialized */
	PT_XPORT_SHM,	 /* items copied into a queue in shared memory */
};
const char *pt_xport_name(enum pt_xport x);

/* Returns 0 and sets *@out, or -EINVAL for a name other than auto, pipe, shm. */
int pt_ipc_parse(const char *name, enum pt_ipc *out);
/* What @ipc means under @model: auto is references for the models whose
 * workers are threads of one process (serial: direct calls), the pipe for
 * procs; pipe and shm force their transport (serial still calls directly). */
enum pt_xport pt_ipc_resolve(enum pt_ipc ipc, enum pt_model model);

/* --- Serialization cost (pickle) --- */

/* Nanoseconds CPython spends in pickle.dumps / pickle.loads of a bytes
 * object of @len bytes (plus its small envelope); see transport.c for the
 * measurements. */
double pt_pickle_dumps_ns(size_t len);
double pt_pickle_loads_ns(size_t len);
/* Spends @ns of CPU as countdown ticks of @w (NULL: the calling thread's
 * worker, if any) (so under a GIL it holds the
 * GIL and yields it on a drop request, as pickle's C code does between
 * bytecodes... at its calls back into the eval loop). */
void pt_spend_ns(struct pt_worker *w, double ns);

/* --- Payload bytes --- */

/* Fills @buf with the payload pattern (a function of the offset only, so
 * a shared buffer can stand for an immutable bytes object). */
void pt_payload_fill(void *buf, size_t len);
/* Checks every byte of @buf against the pattern: 0, or -EBADMSG with the
 * first bad offset in *@bad_off. */
int pt_payload_check(const void *buf, size_t len, size_t *bad_off);

/* --- Channels --- */

/* The header every item carries. */
struct pt_msg {
	uint64_t id;  /* item number, or PT_MSG_SENTINEL */
	uint64_t aux; /* the workload's: a timestamp, a count */
	uint32_t len; /* payload bytes */
	uint32_t check; /* of the fields above: a torn or misframed item fails */
};
#define PT_MSG_SENTINEL UINT64_MAX

struct pt_chan_config {
	enum pt_xport kind;	/* REF, PIPE or SHM */
	enum pt_queue_kind order; /* FIFO or PRIORITY (REF and SHM only) */
	size_t maxsize;		/* 0: unbounded */
	size_t max_items;	/* most items ever queued at once, when unbounded */
	size_t max_len;		/* largest payload */
};

/* The shared part of a channel: place it in the arena (pshared). */
struct pt_chan {
	_Alignas(PT_CACHELINE) struct pt_chan_config cfg;
	int rfd, wfd;		/* PIPE: the pipe, inherited by every worker */
	struct pt_sem wlock;	/* PIPE: multiprocessing's _wlock */
	struct pt_sem rlock;	/* PIPE: its _rlock */
	struct pt_sem slots;	/* PIPE, bounded: its _sem (maxsize) */
	size_t q_off;		/* REF, SHM: offset of the queue from this struct */
};

/* Bytes a channel of @cfg takes (cache-line aligned), or 0 when @cfg is
 * impossible (a size 0 or too large, a priority pipe). */
size_t pt_chan_size(const struct pt_chan_config *cfg);
/* Initialises a channel in @mem (pt_chan_size bytes, cache-line aligned),
 * before the workers exist. 0 or a negative errno. */
int pt_chan_init(struct pt_chan *c, const struct pt_chan_config *cfg);
/* Items left in the channel after a run: queued items (ref, shm), or bytes
 * unread in the pipe. */
size_t pt_chan_leftover(struct pt_chan *c);
/* @intact: pt_team_intact() (a killed worker may hold a lock inside). */
void pt_chan_destroy(struct pt_chan *c, bool intact);

/* The sending end of one thread. With @feeder (multiprocessing.Queue), put
 * hands the item to a feeder thread, started at the first put, which
 * serializes it and writes it; without (SimpleQueue, and every ref and shm
 * channel), put does it in the calling thread. @w: the calling worker (or
 * extra thread; NULL: the calling thread's, if any), whose GIL the
 * serialization holds. A feeder needs @w. */
struct pt_tx {
	struct pt_chan *c;
	struct pt_worker *w;
	bool feeder;
	unsigned char *stage;	/* SHM: header + payload, copied in at once */
	/* The feeder (PIPE with @feeder). */
	pthread_t thread;
	bool started;
	struct pt_mutex m;
	pthread_cond_t cv, idle_cv;
	struct pt_tx_pending {
		struct pt_msg h;
		const void *data;
	} *buf;			/* ring of items not yet written */
	size_t head, count, cap;
	bool busy, closing;
	int err;		/* the feeder's first error */
	struct pt_worker fw;	/* the feeder as an extra thread of w's team */
};

/* The receiving end of one thread: a buffer for the payload of the last
 * item received. */
struct pt_rx {
	struct pt_chan *c;
	struct pt_worker *w;
	unsigned char *buf;
	size_t cap;
	/* PIPE: the last large item, in memory of its own (see pipe_recv). */
	unsigned char *big;
	size_t big_len;
};

int pt_tx_open(struct pt_tx *tx, struct pt_chan *c, struct pt_worker *w, bool feeder);
/* put(): sends @h (its check is filled in) and @h->len bytes of @data.
 * REF and the feeder keep the pointer: @data must stay unchanged until
 * pt_tx_close(). Waits at most @timeout_ns for room (bounded channels):
 * -ETIMEDOUT; or the feeder's error (it stops at its first). */
int pt_tx_put(struct pt_tx *tx, const struct pt_msg *h, const void *data, uint64_t timeout_ns);
/* put((@prio, item)) on a priority channel (elsewhere @prio is ignored). */
int pt_tx_put_prio(struct pt_tx *tx, int64_t prio, const struct pt_msg *h, const void *data,
		   uint64_t timeout_ns);
/* Waits until every item put so far is written (the feeder's buffer is
 * empty): after it, another thread's items go after these. */
int pt_tx_flush(struct pt_tx *tx, uint64_t timeout_ns);
/* Flushes and stops the feeder (Queue.close() + join_thread()). Returns the
 * feeder's error, if any. Safe on a tx that failed to open or never put. */
int pt_tx_close(struct pt_tx *tx, uint64_t timeout_ns);

int pt_rx_open(struct pt_rx *rx, struct pt_chan *c, struct pt_worker *w);
/* get(): the next item's header in *@h, its payload in *@data (valid until
 * the next get on @rx); deserializes (pipe). -ETIMEDOUT when none came
 * within @timeout_ns; -EBADMSG for a torn or misframed item. */
int pt_rx_get(struct pt_rx *rx, struct pt_msg *h, const void **data, uint64_t timeout_ns);
void pt_rx_close(struct pt_rx *rx);

#endif
