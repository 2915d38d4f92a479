/* SPDX-License-Identifier: MIT */
/* Objects as free-threaded CPython (3.13t/3.14t) keeps them, and what the
 * `ft` model's ticks pay for them: biased reference counts (a plain count
 * for the owning thread, an atomic one for every other), a per-object
 * mutex that spins briefly and then parks (PyMutex), and the single-thread
 * tax of the free-threaded interpreter. Only the ft model touches them: a
 * tick under any other model costs what it always did. */
#ifndef PT_OBJECTS_H
#define PT_OBJECTS_H

#include "shm.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* The single-thread tax by default, in percent of a tick: the Python 3.14
 * documentation (Doc/howto/free-threading-python.rst, "Single-threaded
 * performance") gives 5-10% on pyperformance for the free-threaded build,
 * about 1% on macOS aarch64 and 8% on x86-64 Linux; PEP 703 measured 8%
 * with several threads (a bytecode is specialised once only when several
 * threads run); the 3.13 docs gave about 40%, with specialisation disabled
 * in that build. 8 is the 3.14t x86-64 Linux figure; calibration replaces
 * it with the machine's own figure when a free-threaded interpreter is on
 * PATH (`ptbench run --ft-tax PCT`). */
#define PT_FT_DEFAULT_TAX_PCT 8.0
#define PT_FT_MAX_TAX_PCT 1000.0

/* What a point under `ft` is configured with. */
struct pt_ft_config {
	double shared;	/* fraction of ticks that touch a shared object, [0, 1] */
	bool container; /* those ticks operate on a shared container, under its lock */
	double tax_pct; /* single-thread tax, % of a tick's work */
};

/* Per-thread figures, summed per point; they go into results.csv. */
struct pt_ft_stats {
	uint64_t atomic_updates;    /* atomic updates of a shared count */
	uint64_t lock_acquisitions; /* container mutex taken */
	uint64_t lock_contended;    /* ... that found it held */
	uint64_t lock_parks;	    /* ... that slept in the kernel for it */
};

void pt_ft_stats_add(struct pt_ft_stats *sum, const struct pt_ft_stats *s);

/* PyMutex (Include/cpython/lock.h, Python/lock.c): a lock word with a
 * LOCKED and a HAS_PARKED bit. Here the word is a futex, so parked threads
 * wait in the kernel instead of CPython's parking lot. */
struct pt_ft_mutex {
	_Atomic uint32_t v;
};

/* A Python object's header as the free-threaded build lays it out
 * (Include/object.h; PEP 703, "Biased reference counting"): the owning
 * thread's id (ob_tid), its mutex (ob_mutex), the owner's count
 * (ob_ref_local) and the count other threads update atomically
 * (ob_ref_shared, shifted left by two flag bits). One cache line each, as
 * objects are apart in the heap. */
struct pt_obj {
	_Alignas(PT_CACHELINE) uintptr_t owner; /* 0: no worker owns it */
	struct pt_ft_mutex mutex;
	_Atomic uint32_t ref_local; /* owner only: relaxed loads and stores */
	_Atomic int64_t ref_shared;
};

/* Owner tokens: a worker's is its index + 1; 0 is the thread that made the
 * point (CPython's main thread), which owns the shared objects. */
void pt_obj_init(struct pt_obj *o, uintptr_t owner);
/* Py_INCREF / Py_DECREF of the free-threaded build (Include/refcount.h):
 * the owner adds to ob_ref_local with a relaxed load and store (no
 * read-modify-write); any other thread adds atomically to ob_ref_shared,
 * and drops its reference with a compare-exchange loop (_Py_DecRefShared
 * in Objects/object.c), counted in @st. */
void pt_obj_incref(struct pt_obj *o, uintptr_t me, struct pt_ft_stats *st);
void pt_obj_decref(struct pt_obj *o, uintptr_t me, struct pt_ft_stats *st);
/* The object's whole count (Py_REFCNT): local plus shared. */
int64_t pt_obj_refcnt(struct pt_obj *o);

void pt_ft_mutex_lock(struct pt_ft_mutex *m, struct pt_ft_stats *st);
void pt_ft_mutex_unlock(struct pt_ft_mutex *m);

/* A shared container: a small dict of counters whose every operation is a
 * critical section on the object's own mutex, as dict and list operations
 * are in the free-threaded build (Py_BEGIN_CRITICAL_SECTION,
 * Include/internal/pycore_critical_section.h). Its items lie on another
 * cache line than its header, as a dict's keys and values do. */
#define PT_FT_ITEMS 8
struct pt_ft_container {
	struct pt_obj ob;
	_Alignas(PT_CACHELINE) uint64_t item[PT_FT_ITEMS]; /* under ob.mutex */
	uint64_t ops;	   /* operations done, under ob.mutex */
	uintptr_t holder;  /* who is inside, under ob.mutex */
	uint64_t overlaps; /* a second thread found inside: never, if the mutex works */
};

/* `d[k] += 1` on the container by thread @me, under its mutex. */
void pt_ft_container_op(struct pt_ft_container *c, uintptr_t me, unsigned k,
			struct pt_ft_stats *st);

/* One team's objects under `ft`: the shared object, the container and
 * one owned object per worker, each on its own cache line. */
struct pt_ft {
	struct pt_ft_config cfg;
	void *mem;
	struct pt_obj *shared;
	struct pt_ft_container *box;
	struct pt_obj *own;	 /* one per worker */
	int nown;
	uint32_t shared_step;	 /* cfg.shared in 1/65536 of a tick */
	uint32_t tax_milli;	 /* the tax, thousandths of a tick per tick */
};

/* 0, -EINVAL for a bad @cfg, or -ENOMEM. */
int pt_ft_init(struct pt_ft *ft, const struct pt_ft_config *cfg, int nworkers);
void pt_ft_destroy(struct pt_ft *ft);

/* The ticks of one ft worker come to pt_ft_ticks() in batches: the model
 * sets the worker's tick counter to the batch's length, so that pt_tick()
 * runs the same instructions as under every other model, and the batch
 * ends at the tick that touches a shared object (or after PT_FT_BATCH). */
#define PT_FT_BATCH 64

struct pt_ft_thread {
	struct pt_ft *ft;
	struct pt_obj *own;
	uintptr_t me;
	uint32_t step;	   /* shared_step, or 0 for a neighbour */
	uint32_t acc;	   /* shared-touch accumulator, 1/65536 of a tick */
	uint32_t pad_acc;  /* tax owed, thousandths of a tick */
	unsigned key;	   /* the container item this thread updates next */
	int period;	   /* ticks in the batch under way */
	struct pt_ft_stats st;
};

/* Worker @index of the team; a neighbour (a CPU-bound thread on its own
 * locals) never touches shared objects. */
void pt_ft_thread_init(struct pt_ft_thread *th, struct pt_ft *ft, int index, bool neighbour);
/* Pays for the batch of ticks that just ended; returns the next batch's
 * length in ticks. */
int pt_ft_ticks(struct pt_ft_thread *th);

#endif
