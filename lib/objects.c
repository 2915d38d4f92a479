// SPDX-License-Identifier: MIT
// Objects of the free-threaded interpreter and the ft model's tick: biased
// reference counts, PyMutex, a shared container and the single-thread tax.
#include "objects.h"

#include "futex.h"
#include "work.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

/* ob_ref_shared keeps two flag bits below the count (_Py_REF_SHARED_SHIFT,
 * Include/refcount.h). */
#define REF_SHARED_ONE ((int64_t)1 << 2)

/* PyMutex's bits (_Py_LOCKED, _Py_HAS_PARKED in Include/cpython/lock.h). */
#define M_LOCKED 1u
#define M_PARKED 2u

/* Python/lock.c spins MAX_SPIN_COUNT = 40 times, yielding the processor
 * each time, before it parks (only in the free-threaded build). */
#define MAX_SPIN_COUNT 40

void pt_ft_stats_add(struct pt_ft_stats *sum, const struct pt_ft_stats *s)
{
	sum->atomic_updates += s->atomic_updates;
	sum->lock_acquisitions += s->lock_acquisitions;
	sum->lock_contended += s->lock_contended;
	sum->lock_parks += s->lock_parks;
}

void pt_obj_init(struct pt_obj *o, uintptr_t owner)
{
	memset(o, 0, sizeof(*o));
	o->owner = owner;
	/* One reference, held by its creator for the whole point. */
	atomic_init(&o->ref_local, owner ? 1u : 0u);
	atomic_init(&o->ref_shared, owner ? 0 : REF_SHARED_ONE);
}

void pt_obj_incref(struct pt_obj *o, uintptr_t me, struct pt_ft_stats *st)
{
	if (o->owner == me) {
		uint32_t local = atomic_load_explicit(&o->ref_local, memory_order_relaxed);

		atomic_store_explicit(&o->ref_local, local + 1, memory_order_relaxed);
		return;
	}
	atomic_fetch_add_explicit(&o->ref_shared, REF_SHARED_ONE, memory_order_relaxed);
	st->atomic_updates++;
}

void pt_obj_decref(struct pt_obj *o, uintptr_t me, struct pt_ft_stats *st)
{
	int64_t shared;

	if (o->owner == me) {
		uint32_t local = atomic_load_explicit(&o->ref_local, memory_order_relaxed);

		/* The creator's reference keeps it above zero: no merge or
		 * deallocation (_Py_MergeZeroLocalRefcount) to model. */
		atomic_store_explicit(&o->ref_local, local - 1, memory_order_relaxed);
		return;
	}
	/* A compare-exchange loop, because CPython must see whether the
	 * shared count goes negative (then the owner is asked to merge). */
	shared = atomic_load_explicit(&o->ref_shared, memory_order_relaxed);
	while (!atomic_compare_exchange_weak_explicit(&o->ref_shared, &shared,
						      shared - REF_SHARED_ONE,
						      memory_order_release, memory_order_relaxed))
		;
	st->atomic_updates++;
}

int64_t pt_obj_refcnt(struct pt_obj *o)
{
	return (int64_t)atomic_load(&o->ref_local) + atomic_load(&o->ref_shared) / REF_SHARED_ONE;
}

void pt_ft_mutex_lock(struct pt_ft_mutex *m, struct pt_ft_stats *st)
{
	uint32_t v = 0, taken = M_LOCKED;
	int spins = 0;
	bool parked = false;

	st->lock_acquisitions++;
	if (atomic_compare_exchange_strong_explicit(&m->v, &v, M_LOCKED, memory_order_acquire,
						    memory_order_relaxed))
		return;
	st->lock_contended++;
	for (;;) {
		if (!(v & M_LOCKED)) {
			if (atomic_compare_exchange_weak_explicit(&m->v, &v, v | taken,
								  memory_order_acquire,
								  memory_order_relaxed))
				return;
			continue;
		}
		if (!(v & M_PARKED) && spins < MAX_SPIN_COUNT) {
			/* Spin a little: the holder may be about to let go. */
			sched_yield();
			spins++;
			v = atomic_load_explicit(&m->v, memory_order_relaxed);
			continue;
		}
		if (!(v & M_PARKED) &&
		    !atomic_compare_exchange_weak_explicit(&m->v, &v, v | M_PARKED,
							   memory_order_relaxed,
							   memory_order_relaxed))
			continue;
		/* An acquisition that slept, counted once however often it
		 * was woken only to find the lock taken again. */
		if (!parked)
			st->lock_parks++;
		parked = true;
		pt_futex_wait(&m->v, M_LOCKED | M_PARKED, 0);
		/* CPython's parking lot knows whether other threads still wait;
		 * a futex does not, so a thread that has parked takes the lock
		 * with the parked bit set and its unlock wakes one more
		 * (U. Drepper, "Futexes Are Tricky", mutex3). CPython's hand-off
		 * to a waiter parked over 1 ms (TIME_TO_BE_FAIR_NS) is left out:
		 * critical sections here last tens of nanoseconds. */
		taken = M_LOCKED | M_PARKED;
		v = atomic_load_explicit(&m->v, memory_order_relaxed);
	}
}

void pt_ft_mutex_unlock(struct pt_ft_mutex *m)
{
	if (atomic_exchange_explicit(&m->v, 0, memory_order_release) & M_PARKED)
		pt_futex_wake(&m->v, 1);
}

void pt_ft_container_op(struct pt_ft_container *c, uintptr_t me, unsigned k,
			struct pt_ft_stats *st)
{
	/* The reference the call holds on the container, then the critical
	 * section around the operation. */
	pt_obj_incref(&c->ob, me, st);
	pt_ft_mutex_lock(&c->ob.mutex, st);
	if (c->holder)
		c->overlaps++;
	c->holder = me;
	c->item[k % PT_FT_ITEMS]++;
	c->ops++;
	if (c->holder != me)
		c->overlaps++;
	c->holder = 0;
	pt_ft_mutex_unlock(&c->ob.mutex);
	pt_obj_decref(&c->ob, me, st);
}

int pt_ft_init(struct pt_ft *ft, const struct pt_ft_config *cfg, int nworkers)
{
	size_t size;
	char *p;

	memset(ft, 0, sizeof(*ft));
	if (!(cfg->shared >= 0 && cfg->shared <= 1) ||
	    !(cfg->tax_pct >= 0 && cfg->tax_pct <= PT_FT_MAX_TAX_PCT) || nworkers < 1)
		return -EINVAL;
	size = sizeof(struct pt_obj) + sizeof(struct pt_ft_container) +
	       (size_t)nworkers * sizeof(struct pt_obj);
	p = aligned_alloc(PT_CACHELINE, PT_ALIGN_UP(size, PT_CACHELINE));
	if (!p)
		return -ENOMEM;
	ft->cfg = *cfg;
	ft->mem = p;
	ft->shared = (struct pt_obj *)(void *)p;
	ft->box = (struct pt_ft_container *)(void *)(p + sizeof(struct pt_obj));
	ft->own = (struct pt_obj *)(void *)(p + sizeof(struct pt_obj) +
					    sizeof(struct pt_ft_container));
	ft->nown = nworkers;
	pt_obj_init(ft->shared, 0);
	memset(ft->box, 0, sizeof(*ft->box));
	pt_obj_init(&ft->box->ob, 0);
	for (int i = 0; i < nworkers; i++)
		pt_obj_init(&ft->own[i], (uintptr_t)i + 1);
	ft->shared_step = (uint32_t)lround(cfg->shared * 65536.0);
	ft->tax_milli = (uint32_t)lround(cfg->tax_pct * 10.0);
	return 0;
}

void pt_ft_destroy(struct pt_ft *ft)
{
	free(ft->mem);
	memset(ft, 0, sizeof(*ft));
}

/* Ticks from an accumulator at @acc to the one that reaches a whole
 * shared touch, at @step per tick; at most PT_FT_BATCH. */
static int next_period(uint32_t acc, uint32_t step)
{
	uint32_t d;

	if (!step)
		return PT_FT_BATCH;
	d = (65536u - acc + step - 1) / step;
	return d < 1 ? 1 : d > PT_FT_BATCH ? PT_FT_BATCH : (int)d;
}

void pt_ft_thread_init(struct pt_ft_thread *th, struct pt_ft *ft, int index, bool neighbour)
{
	memset(th, 0, sizeof(*th));
	th->ft = ft;
	th->own = &ft->own[index];
	th->me = (uintptr_t)index + 1;
	th->step = neighbour ? 0 : ft->shared_step;
	th->period = next_period(0, th->step);
}

int pt_ft_ticks(struct pt_ft_thread *th)
{
	struct pt_ft *ft = th->ft;
	uint32_t n = (uint32_t)th->period, pad;

	/* The single-thread tax: the owner-side cost of biased reference
	 * counting and of the interpreter's other free-threading changes,
	 * paid in whole ticks of countdown (a tick's loop, exit included, so
	 * that at one worker ft/threads is 1 + tax whatever a tick costs on
	 * the machine), with one touch of the thread's own object standing
	 * for the plain counts it makes. */
	pt_obj_incref(th->own, th->me, &th->st);
	pt_obj_decref(th->own, th->me, &th->st);
	th->pad_acc += n * ft->tax_milli;
	for (pad = th->pad_acc / 1000; pad > 0; pad--)
		pt_count_down(PT_TICK_ITERS);
	th->pad_acc %= 1000;

	/* The batch ends at the tick that touches a shared object: take and
	 * drop a reference to it (a bytecode reading a global or a shared
	 * instance's attribute), or operate on the shared container. */
	th->acc += n * th->step;
	while (th->acc >= 65536) {
		th->acc -= 65536;
		if (ft->cfg.container) {
			pt_ft_container_op(ft->box, th->me, th->key++, &th->st);
		} else {
			pt_obj_incref(ft->shared, th->me, &th->st);
			pt_obj_decref(ft->shared, th->me, &th->st);
		}
	}
	th->period = next_period(th->acc, th->step);
	return th->period;
}
