// SPDX-License-Identifier: MIT
// queue.Queue, LifoQueue and PriorityQueue (CPython Lib/queue.py: one mutex,
// not_empty / not_full / all_tasks_done conditions, unfinished_tasks) on
// fixed-size items kept in the struct's own memory, shareable by processes.
#include "queue.h"

#include <limits.h>
#include <string.h>

/* Heap entries of a priority queue start with their key. PriorityQueue
 * compares (priority, item) tuples; here an insertion counter replaces the
 * item in the comparison, which makes equal priorities come out FIFO (the
 * heapq documentation's "entry count" tie-breaker). */
struct pq_key {
	int64_t prio;
	uint64_t seq;
};

static size_t entry_size_of(enum pt_queue_kind kind, size_t item_size)
{
	if (kind != PT_QUEUE_PRIORITY)
		return item_size;
	if (item_size > SIZE_MAX - sizeof(struct pq_key) - 8)
		return 0;
	return PT_ALIGN_UP(sizeof(struct pq_key) + item_size, 8);
}

size_t pt_queue_size_for(enum pt_queue_kind kind, size_t capacity, size_t item_size)
{
	size_t esz = entry_size_of(kind, item_size);

	if (!capacity || !item_size || !esz || capacity > (SIZE_MAX - sizeof(struct pt_queue)) / esz)
		return 0;
	return sizeof(struct pt_queue) + capacity * esz;
}

static unsigned char *entry(struct pt_queue *q, size_t i)
{
	/* sizeof(struct pt_queue) is a multiple of the cache line, so entries
	 * (multiples of 8 bytes in a priority queue) stay aligned. */
	return (unsigned char *)(q + 1) + i * q->entry_size;
}

static struct pq_key *key_at(struct pt_queue *q, size_t i)
{
	return (struct pq_key *)(void *)entry(q, i);
}

int pt_queue_init(struct pt_queue *q, enum pt_queue_kind kind, size_t capacity,
		  size_t maxsize, size_t item_size, bool pshared)
{
	int ret;

	if ((unsigned)kind > PT_QUEUE_PRIORITY || !pt_queue_size_for(kind, capacity, item_size) ||
	    maxsize > capacity)
		return -EINVAL;
	memset(q, 0, sizeof(*q));
	q->kind = kind;
	q->pshared = pshared;
	q->item_size = item_size;
	q->entry_size = entry_size_of(kind, item_size);
	q->capacity = capacity;
	q->maxsize = maxsize;
	ret = pt_mtx_init(&q->m, pshared);
	if (ret)
		return ret;
	ret = pt_cv_init(&q->not_empty, pshared);
	if (ret)
		goto err_m;
	ret = pt_cv_init(&q->not_full, pshared);
	if (ret)
		goto err_ne;
	ret = pt_cv_init(&q->all_tasks_done, pshared);
	if (ret)
		goto err_nf;
	return 0;
err_nf:
	pt_cv_destroy(&q->not_full);
err_ne:
	pt_cv_destroy(&q->not_empty);
err_m:
	pt_mtx_destroy(&q->m);
	return ret;
}

void pt_queue_destroy(struct pt_queue *q)
{
	pt_cv_destroy(&q->all_tasks_done);
	pt_cv_destroy(&q->not_full);
	pt_cv_destroy(&q->not_empty);
	pt_mtx_destroy(&q->m);
}

static bool key_less(const struct pq_key *a, const struct pq_key *b)
{
	return a->prio < b->prio || (a->prio == b->prio && a->seq < b->seq);
}

/* _put(): with the mutex held and room for one more entry. */
static void store(struct pt_queue *q, int64_t prio, const void *item)
{
	size_t i = q->count, p;
	struct pq_key k;

	switch (q->kind) {
	case PT_QUEUE_FIFO:
		memcpy(entry(q, (q->head + q->count) % q->capacity), item, q->item_size);
		break;
	case PT_QUEUE_LIFO:
		memcpy(entry(q, q->count), item, q->item_size);
		break;
	case PT_QUEUE_PRIORITY:
		/* heappush: sift the hole at the end up, then fill it. */
		k.prio = prio;
		k.seq = q->seq++;
		while (i > 0) {
			p = (i - 1) / 2;
			if (!key_less(&k, key_at(q, p)))
				break;
			memcpy(entry(q, i), entry(q, p), q->entry_size);
			i = p;
		}
		memcpy(entry(q, i), &k, sizeof(k));
		memcpy(entry(q, i) + sizeof(k), item, q->item_size);
		break;
	}
	q->count++;
}

/* _get(): with the mutex held and at least one entry. */
static void take(struct pt_queue *q, void *out, int64_t *prio)
{
	size_t n, i, c;
	struct pq_key *last;

	switch (q->kind) {
	case PT_QUEUE_FIFO:
		memcpy(out, entry(q, q->head), q->item_size);
		q->head = (q->head + 1) % q->capacity;
		q->count--;
		if (prio)
			*prio = 0;
		return;
	case PT_QUEUE_LIFO:
		q->count--;
		memcpy(out, entry(q, q->count), q->item_size);
		if (prio)
			*prio = 0;
		return;
	case PT_QUEUE_PRIORITY:
		break;
	}
	/* heappop: take the root, then sift the last entry down from the root.
	 * The last entry stays in place (index n) while the hole moves among
	 * indices below n, so it needs no scratch copy. */
	memcpy(out, entry(q, 0) + sizeof(struct pq_key), q->item_size);
	if (prio)
		*prio = key_at(q, 0)->prio;
	n = --q->count;
	if (!n)
		return;
	last = key_at(q, n);
	i = 0;
	while ((c = 2 * i + 1) < n) {
		if (c + 1 < n && key_less(key_at(q, c + 1), key_at(q, c)))
			c++;
		if (!key_less(key_at(q, c), last))
			break;
		memcpy(entry(q, i), entry(q, c), q->entry_size);
		i = c;
	}
	if (i != n)
		memcpy(entry(q, i), entry(q, n), q->entry_size);
}

static bool is_full(const struct pt_queue *q)
{
	return q->maxsize && q->count >= q->maxsize;
}

int pt_queue_put_prio(struct pt_queue *q, int64_t prio, const void *item, bool block,
		      uint64_t timeout_ns)
{
	uint64_t deadline;
	bool blocked = false;
	int ret = 0, r;

	if ((ret = pt_mtx_lock_checked(&q->m, "Queue")) != 0)
		return ret;
	if (is_full(q)) {
		if (!block || timeout_ns == 0) {
			pt_mtx_unlock(&q->m);
			return block ? -ETIMEDOUT : -EAGAIN;
		}
		deadline = pt_deadline_after(timeout_ns);
		r = pt_mtx_enter_blocking(&q->m, &blocked);
		q->putters++;
		for (;;) {
			if (r == PT_BROKEN) {
				ret = r;
				break;
			}
			if (!is_full(q))
				break;
			if (r) {
				ret = -ETIMEDOUT;
				break;
			}
			r = pt_cv_wait_step(&q->not_full, &q->m, deadline);
		}
		q->putters--;
		if (ret)
			goto out;
	}
	if (q->count >= q->capacity) {
		ret = -ENOSPC; /* unbounded queue at its fixed capacity */
		goto out;
	}
	store(q, prio, item);
	q->unfinished++;
	if (q->getters)
		pt_cv_signal(&q->not_empty);
out:
	pt_mtx_unlock_leave(&q->m, blocked);
	return ret == PT_BROKEN ? pt_broken(&q->m, "Queue") : ret;
}

int pt_queue_put(struct pt_queue *q, const void *item, bool block, uint64_t timeout_ns)
{
	return pt_queue_put_prio(q, 0, item, block, timeout_ns);
}

int pt_queue_get_prio(struct pt_queue *q, void *out, int64_t *prio, bool block,
		      uint64_t timeout_ns)
{
	uint64_t deadline;
	bool blocked = false;
	int ret = 0, r;

	if ((ret = pt_mtx_lock_checked(&q->m, "Queue")) != 0)
		return ret;
	if (!q->count) {
		if (!block || timeout_ns == 0) {
			pt_mtx_unlock(&q->m);
			return block ? -ETIMEDOUT : -EAGAIN;
		}
		deadline = pt_deadline_after(timeout_ns);
		r = pt_mtx_enter_blocking(&q->m, &blocked);
		q->getters++;
		for (;;) {
			if (r == PT_BROKEN) {
				ret = r;
				break;
			}
			if (q->count)
				break;
			if (r) {
				ret = -ETIMEDOUT;
				break;
			}
			r = pt_cv_wait_step(&q->not_empty, &q->m, deadline);
		}
		q->getters--;
		if (ret)
			goto out;
	}
	take(q, out, prio);
	if (q->putters)
		pt_cv_signal(&q->not_full);
out:
	pt_mtx_unlock_leave(&q->m, blocked);
	return ret == PT_BROKEN ? pt_broken(&q->m, "Queue") : ret;
}

int pt_queue_get(struct pt_queue *q, void *out, bool block, uint64_t timeout_ns)
{
	return pt_queue_get_prio(q, out, NULL, block, timeout_ns);
}

size_t pt_queue_qsize(struct pt_queue *q)
{
	size_t n;

	pt_mtx_lock(&q->m);
	n = q->count;
	pt_mtx_unlock(&q->m);
	return n;
}

bool pt_queue_empty(struct pt_queue *q)
{
	return pt_queue_qsize(q) == 0;
}

bool pt_queue_full(struct pt_queue *q)
{
	bool full;

	pt_mtx_lock(&q->m);
	full = is_full(q);
	pt_mtx_unlock(&q->m);
	return full;
}

uint64_t pt_queue_unfinished(struct pt_queue *q)
{
	uint64_t n;

	pt_mtx_lock(&q->m);
	n = q->unfinished;
	pt_mtx_unlock(&q->m);
	return n;
}

int pt_queue_task_done(struct pt_queue *q)
{
	int ret = 0;

	if ((ret = pt_mtx_lock_checked(&q->m, "Queue")) != 0)
		return ret;
	if (!q->unfinished)
		ret = -EINVAL; /* "task_done() called too many times" */
	else if (--q->unfinished == 0 && q->joiners)
		pt_cv_broadcast(&q->all_tasks_done);
	pt_mtx_unlock(&q->m);
	return ret;
}

int pt_queue_join(struct pt_queue *q, uint64_t timeout_ns)
{
	uint64_t deadline;
	bool blocked = false;
	int ret = 0, r;

	if ((ret = pt_mtx_lock_checked(&q->m, "Queue")) != 0)
		return ret;
	if (q->unfinished) {
		if (timeout_ns == 0) {
			pt_mtx_unlock(&q->m);
			return -ETIMEDOUT;
		}
		deadline = pt_deadline_after(timeout_ns);
		r = pt_mtx_enter_blocking(&q->m, &blocked);
		q->joiners++;
		for (;;) {
			if (r == PT_BROKEN) {
				ret = r;
				break;
			}
			if (!q->unfinished)
				break;
			if (r) {
				ret = -ETIMEDOUT;
				break;
			}
			r = pt_cv_wait_step(&q->all_tasks_done, &q->m, deadline);
		}
		q->joiners--;
	}
	pt_mtx_unlock_leave(&q->m, blocked);
	return ret == PT_BROKEN ? pt_broken(&q->m, "Queue") : ret;
}

int pt_queue_put_sentinels(struct pt_queue *q, const void *sentinel, unsigned n)
{
	int ret;

	for (unsigned i = 0; i < n; i++) {
		ret = pt_queue_put_prio(q, INT64_MAX, sentinel, true, PT_FOREVER);
		if (ret)
			return ret;
	}
	return 0;
}
