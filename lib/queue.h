/* SPDX-License-Identifier: MIT */
/* queue.Queue, LifoQueue and PriorityQueue of fixed-size items kept in the
 * struct's own memory (ring buffer or binary heap), so a whole queue can live
 * in a MAP_SHARED arena. Blocking, timeouts, GIL: as in sync.h. */
#ifndef PT_QUEUE_H
#define PT_QUEUE_H

#include "sync.h"

#include <stddef.h>

enum pt_queue_kind {
	PT_QUEUE_FIFO,	   /* queue.Queue */
	PT_QUEUE_LIFO,	   /* queue.LifoQueue */
	PT_QUEUE_PRIORITY, /* queue.PriorityQueue: lowest priority first, FIFO
			    * among equal priorities (an insertion sequence
			    * number breaks ties) */
};

/* A capacity for "unbounded" queues (maxsize 0) that must live in fixed
 * memory: 65536 items. An unbounded queue accepts items up to its capacity
 * and then fails put() with -ENOSPC (never blocks on it). Any capacity may
 * be chosen instead; untouched pages of a fresh mmap cost nothing. */
#define PT_QUEUE_UNBOUNDED_CAP 65536u

/* The header; the items follow it in the same allocation. */
struct pt_queue {
	_Alignas(PT_CACHELINE) struct pt_mutex m; /* Queue.mutex */
	pthread_cond_t not_empty, not_full, all_tasks_done;
	enum pt_queue_kind kind;
	bool pshared;
	size_t item_size;
	size_t entry_size; /* bytes per stored entry (priority: key + item) */
	size_t capacity;   /* entries that fit */
	size_t maxsize;	   /* 0: unbounded (up to capacity) */
	size_t head;	   /* FIFO: index of the oldest entry */
	size_t count;	   /* entries stored */
	uint64_t seq;	   /* PRIORITY: insertion counter, the tie-break */
	uint64_t unfinished; /* Queue.unfinished_tasks */
	unsigned getters, putters, joiners; /* threads waiting on each cv */
};

/* Bytes to allocate for a queue of @kind holding @capacity items of
 * @item_size bytes; 0 when a size is 0 or the total overflows. */
size_t pt_queue_size_for(enum pt_queue_kind kind, size_t capacity, size_t item_size);
/* Initialises a queue in caller-provided memory of at least
 * pt_queue_size_for(@kind, @capacity, @item_size) bytes, aligned to a cache
 * line (mmap, pt_arena_alloc, aligned_alloc). @maxsize 0 means unbounded (up
 * to @capacity); otherwise @maxsize <= @capacity. Returns 0 or -EINVAL. */
int pt_queue_init(struct pt_queue *q, enum pt_queue_kind kind, size_t capacity,
		  size_t maxsize, size_t item_size, bool pshared);
void pt_queue_destroy(struct pt_queue *q);

/* Every call may also return PT_BROKEN (sync.h): a process died in it.
 *
 * put(item, block, timeout): copies @item_size bytes from @item.
 * -EAGAIN: full and !@block (queue.Full); -ETIMEDOUT: still full at the
 * timeout (queue.Full); -ENOSPC: an unbounded queue at its capacity. With
 * !@block the timeout is ignored, as in Python. On a priority queue the
 * priority is 0. */
int pt_queue_put(struct pt_queue *q, const void *item, bool block, uint64_t timeout_ns);
/* put((priority, item)) on a priority queue (on others, @prio is ignored). */
int pt_queue_put_prio(struct pt_queue *q, int64_t prio, const void *item, bool block,
		      uint64_t timeout_ns);
/* get(block, timeout): copies the item to @out. -EAGAIN: empty and !@block
 * (queue.Empty); -ETIMEDOUT: still empty at the timeout (queue.Empty). */
int pt_queue_get(struct pt_queue *q, void *out, bool block, uint64_t timeout_ns);
/* get() that also returns the item's priority in @prio (may be NULL). */
int pt_queue_get_prio(struct pt_queue *q, void *out, int64_t *prio, bool block,
		      uint64_t timeout_ns);

/* Approximate, as in Python: true when sampled, maybe not a moment later. */
size_t pt_queue_qsize(struct pt_queue *q);
bool pt_queue_empty(struct pt_queue *q);
bool pt_queue_full(struct pt_queue *q); /* 0 < maxsize <= qsize */
/* Queue.unfinished_tasks. */
uint64_t pt_queue_unfinished(struct pt_queue *q);

/* task_done(): one item fetched earlier is processed. -EINVAL when called
 * more times than items were put (Python's ValueError). */
int pt_queue_task_done(struct pt_queue *q);
/* join(): waits until every item put has been task_done()'d. The timeout is
 * an extension (Python's join has none): -ETIMEDOUT. */
int pt_queue_join(struct pt_queue *q, uint64_t timeout_ns);

/* Shutdown by sentinel (the source material's pattern): once every producer
 * is done, put one sentinel per consumer; a consumer that gets an item equal
 * to the sentinel (memcmp) calls task_done() and exits, so every real item is
 * consumed exactly once. The sentinels come out after every item put before
 * them: FIFO order, or, in a priority queue, priority INT64_MAX with FIFO
 * among equals. A LIFO queue would hand them out first: join() it before
 * putting sentinels. Blocking puts; returns 0 or the first error. */
int pt_queue_put_sentinels(struct pt_queue *q, const void *sentinel, unsigned n);

#endif
