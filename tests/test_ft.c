// SPDX-License-Identifier: MIT
// The ft model and its objects: shared counts add up under contention, the
// shared container's mutex excludes and parks, every shared touch is an
// atomic update the model counts (and --shared 0 makes none), the options
// and columns, and the default suite's ft points. Run under TSan too: no
// race report is part of what they check.
#include "csv.h"
#include "helpers.h"
#include "neighbour.h"
#include "objects.h"
#include "plan.h"
#include "point.h"

#include <criterion/criterion.h>
#include <sched.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARGV(...) ((const char *const[]){ "ptbench", __VA_ARGS__, NULL })

/* --- objects, directly from threads --- */

#define NTHREADS 4
#define NREFS 20000

struct obj_run {
	struct pt_obj *o;
	struct pt_ft_container *box;
	pthread_barrier_t *bar;
	uintptr_t me;
	int64_t mid;		/* the count seen between the two phases */
	struct pt_ft_stats st;
};

static void *take_then_drop(void *arg)
{
	struct obj_run *r = arg;

	for (int i = 0; i < NREFS; i++)
		pt_obj_incref(r->o, r->me, &r->st);
	pthread_barrier_wait(r->bar);
	if (r->me == 1)
		r->mid = pt_obj_refcnt(r->o);
	pthread_barrier_wait(r->bar);
	for (int i = 0; i < NREFS; i++)
		pt_obj_decref(r->o, r->me, &r->st);
	return NULL;
}

/* Threads that do not own the object take NREFS references each, then
 * drop them: no update is lost, and each is one atomic update. The owner
 * (thread 1 for the owned object) counts with plain stores and makes none. */
static void check_refs(uintptr_t owner)
{
	struct pt_obj *o = aligned_alloc(PT_CACHELINE, sizeof(*o));
	struct obj_run r[NTHREADS];
	pthread_t th[NTHREADS];
	pthread_barrier_t bar;
	int64_t base;

	cr_assert_not_null(o);
	pt_obj_init(o, owner);
	base = pt_obj_refcnt(o);
	cr_assert_eq(base, 1);
	pthread_barrier_init(&bar, NULL, NTHREADS);
	for (int i = 0; i < NTHREADS; i++) {
		r[i] = (struct obj_run){ .o = o, .bar = &bar, .me = (uintptr_t)i + 1 };
		cr_assert_eq(pthread_create(&th[i], NULL, take_then_drop, &r[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&bar);
	cr_assert_eq(r[0].mid, base + (int64_t)NTHREADS * NREFS, "owner %lu: %lld references",
		     (unsigned long)owner, (long long)r[0].mid);
	cr_assert_eq(pt_obj_refcnt(o), base);
	for (int i = 0; i < NTHREADS; i++) {
		uint64_t want = r[i].me == owner ? 0 : 2u * NREFS;

		cr_assert_eq(r[i].st.atomic_updates, want, "thread %d: %llu atomic updates", i,
			     (unsigned long long)r[i].st.atomic_updates);
	}
	free(o);
}

Test(ft, shared_counts_add_up_under_contention, .timeout = 60)
{
	check_refs(0); /* made by the main thread: every worker is a non-owner */
	check_refs(1); /* owned by thread 1: its counts stay plain */
}

#define NOPS 100000

static void *container_ops(void *arg)
{
	struct obj_run *r = arg;

	pthread_barrier_wait(r->bar);
	for (unsigned i = 0; i < NOPS; i++)
		pt_ft_container_op(r->box, r->me, i, &r->st);
	return NULL;
}

Test(ft, container_invariants_under_contention, .timeout = 60)
{
	struct pt_ft ft;
	struct pt_ft_config cfg = { .shared = 1, .container = true };
	struct obj_run r[NTHREADS];
	pthread_t th[NTHREADS];
	pthread_barrier_t bar;
	uint64_t items = 0, acq = 0, atomics = 0;

	cr_assert_eq(pt_ft_init(&ft, &cfg, NTHREADS), 0);
	pthread_barrier_init(&bar, NULL, NTHREADS);
	for (int i = 0; i < NTHREADS; i++) {
		r[i] = (struct obj_run){ .box = ft.box, .bar = &bar, .me = (uintptr_t)i + 1 };
		cr_assert_eq(pthread_create(&th[i], NULL, container_ops, &r[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		acq += r[i].st.lock_acquisitions;
		atomics += r[i].st.atomic_updates;
		cr_assert_leq(r[i].st.lock_parks, r[i].st.lock_contended);
		cr_assert_leq(r[i].st.lock_contended, r[i].st.lock_acquisitions);
	}
	pthread_barrier_destroy(&bar);
	for (int k = 0; k < PT_FT_ITEMS; k++)
		items += ft.box->item[k];
	/* Every operation counted once, inside the lock, one at a time. */
	cr_assert_eq(ft.box->ops, (uint64_t)NTHREADS * NOPS);
	cr_assert_eq(items, ft.box->ops);
	cr_assert_eq(acq, ft.box->ops);
	cr_assert_eq(ft.box->overlaps, 0u);
	cr_assert_eq(ft.box->holder, 0u);
	cr_assert_eq(atomic_load(&ft.box->ob.mutex.v), 0u, "left locked or flagged");
	/* The reference each operation took on the container is dropped. */
	cr_assert_eq(atomics, 2u * NTHREADS * NOPS);
	cr_assert_eq(pt_obj_refcnt(&ft.box->ob), 1);
	pt_ft_destroy(&ft);
}

struct parker {
	struct pt_ft_mutex *m;
	struct pt_ft_stats st;
	_Atomic int inside;
};

static void *lock_once(void *arg)
{
	struct parker *p = arg;

	pt_ft_mutex_lock(p->m, &p->st);
	atomic_store(&p->inside, 1);
	pt_ft_mutex_unlock(p->m);
	return NULL;
}

/* A thread that finds the mutex held spins a little, then parks (sets the
 * parked bit and sleeps) until the holder lets go, as PyMutex does. */
Test(ft, mutex_parks_until_unlocked, .timeout = 60)
{
	struct pt_ft_mutex m = { 0 };
	struct pt_ft_stats st = { 0 };
	struct parker p = { .m = &m };
	pthread_t th;

	pt_ft_mutex_lock(&m, &st);
	cr_assert_eq(st.lock_contended, 0u);
	cr_assert_eq(pthread_create(&th, NULL, lock_once, &p), 0);
	/* Bounded, so that a mutex that never parks fails instead of hanging. */
	for (int ms = 0; atomic_load(&m.v) != 3u && ms < 30000; ms++)
		usleep(1000);
	cr_assert_eq(atomic_load(&m.v), 3u, "the waiter never parked");
	cr_assert_eq(atomic_load(&p.inside), 0, "entered a held mutex");
	pt_ft_mutex_unlock(&m);
	pthread_join(th, NULL);
	cr_assert_eq(atomic_load(&p.inside), 1);
	cr_assert_eq(p.st.lock_acquisitions, 1u);
	cr_assert_eq(p.st.lock_contended, 1u);
	cr_assert_geq(p.st.lock_parks, 1u);
	cr_assert_eq(atomic_load(&m.v), 0u);
}

/* A waiter woken only to find the lock taken again parks again; its one
 * acquisition still slept once: lock_parks counts acquisitions that slept,
 * never more than the contended ones. The old count added each park
 * (container_invariants_under_contention once saw parks > contended). */
Test(ft, a_waiter_parked_twice_counts_one_park, .timeout = 60)
{
	struct pt_ft_mutex m;
	struct pt_ft_stats mine = { 0 };
	struct parker p = { .m = &m };
	pthread_t th;

	memset(&m, 0, sizeof(m));
	pt_ft_mutex_lock(&m, &mine);
	cr_assert_eq(pthread_create(&th, NULL, lock_once, &p), 0);
	while (!(atomic_load(&m.v) & 2u)) /* the waiter has set the parked bit */
		sched_yield();
	/* Let go and take it back at once, 200 times: the woken waiter finds
	 * it held again, and parks again. */
	for (int i = 0; i < 200; i++) {
		pt_ft_mutex_unlock(&m);
		pt_ft_mutex_lock(&m, &mine);
		usleep(200);
	}
	pt_ft_mutex_unlock(&m);
	cr_assert_eq(pthread_join(th, NULL), 0);
	cr_assert_eq(p.st.lock_acquisitions, 1);
	cr_assert_eq(p.st.lock_contended, 1);
	cr_assert_eq(p.st.lock_parks, 1, "%llu parks", (unsigned long long)p.st.lock_parks);
}

Test(ft, bad_config_refused, .timeout = 30)
{
	struct pt_ft ft;
	const struct pt_ft_config bad[] = {
		{ .shared = -0.1 }, { .shared = 1.5 }, { .tax_pct = -1 },
		{ .tax_pct = PT_FT_MAX_TAX_PCT + 1 }, { .shared = 0.0 / 0.0 },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(pt_ft_init(&ft, &bad[i], 2), -EINVAL, "config %zu", i);
	cr_assert_eq(pt_ft_init(&ft, &(struct pt_ft_config){ .shared = 1 }, 0), -EINVAL);
}

/* --- the model, through a team --- */

/* Ticks worker @id of @n makes counting down @count strongly split in
 * ticks of @tick iterations (as countdown does). */
static uint64_t ticks_of(uint64_t count, int n, int id, uint64_t tick)
{
	uint64_t share = count / (uint64_t)n + ((uint64_t)id < count % (uint64_t)n ? 1 : 0);

	return (share + tick - 1) / tick;
}

#define COUNT 3000007u
#define TICK 7u

static int tick_body(struct pt_worker *w)
{
	uint64_t share = COUNT / (uint64_t)w->nworkers +
			 ((uint64_t)w->id < COUNT % (uint64_t)w->nworkers ? 1 : 0);

	pt_count_down_ticking(w, share, TICK);
	w->slot->ops = share;
	return 0;
}

/* Runs the ticking body under ft with @n workers (and @neighbours) and
 * checks that the shared touches are exactly those --shared asks for:
 * every tick at 1, every second at 0.5, none at 0. */
static void check_team(int n, int neighbours, double shared, bool container)
{
	struct pt_team_config cfg = {
		.model = PT_MODEL_FT, .nworkers = n, .neighbours = neighbours, .body = tick_body,
		.neighbour_body = pt_neighbour_body,
		.ft = { .shared = shared, .container = container, .tax_pct = 8 },
	};
	struct pt_team t;
	struct pt_team_stats *st = malloc(sizeof(*st));
	uint64_t touches = 0, items = 0;
	int every = shared == 1 ? 1 : shared == 0.5 ? 2 : 0;

	cr_assert_not_null(st);
	cr_assert_eq(pt_team_init(&t, &cfg), 0);
	cr_assert_eq(pt_team_spawn(&t), 0);
	pt_team_go(&t);
	cr_assert_eq(pt_team_join(&t, 0), 0);
	cr_assert_eq(pt_team_collect(&t, st), 0);
	cr_assert_eq(st->ops, COUNT);
	for (int i = 0; i < n && every; i++)
		touches += ticks_of(COUNT, n, i, TICK) / (uint64_t)every;
	cr_assert_eq(st->ft.atomic_updates, 2 * touches,
		     "n=%d shared=%g container=%d: %llu atomic updates, want %llu", n, shared,
		     container, (unsigned long long)st->ft.atomic_updates,
		     (unsigned long long)(2 * touches));
	cr_assert_eq(st->ft.lock_acquisitions, container ? touches : 0u);
	/* Shared objects end as they began: every reference taken was dropped,
	 * every container operation counted once. */
	cr_assert_eq(pt_obj_refcnt(t.ft.shared), 1);
	cr_assert_eq(pt_obj_refcnt(&t.ft.box->ob), 1);
	for (int k = 0; k < PT_FT_ITEMS; k++)
		items += t.ft.box->item[k];
	cr_assert_eq(t.ft.box->ops, container ? touches : 0u);
	cr_assert_eq(items, t.ft.box->ops);
	cr_assert_eq(t.ft.box->overlaps, 0u);
	/* Owned objects stay plain: the owner's count is back where it was. */
	for (int i = 0; i < t.nall; i++)
		cr_assert_eq(pt_obj_refcnt(&t.ft.own[i]), 1);
	pt_team_destroy(&t);
	free(st);
}

Test(ft, shared_touches_counted_exactly, .timeout = 120)
{
	for (int n = 1; n <= 3; n++) {
		check_team(n, 0, 1, false);
		check_team(n, 0, 0.5, false);
		check_team(n, 0, 1, true);
	}
}

/* With --shared 0 no shared count is ever updated atomically: the model's
 * own counter says so, neighbours (counting on their locals) included. */
Test(ft, shared_zero_makes_no_atomic_update, .timeout = 60)
{
	check_team(1, 0, 0, false);
	check_team(2, 1, 0, false);
	check_team(3, 0, 0, true);
}

/* Neighbours never touch the shared objects, whatever --shared says. */
Test(ft, neighbours_touch_no_shared_object, .timeout = 60)
{
	check_team(2, 2, 1, true);
}

/* Every workload runs unchanged under ft: a quick countdown point gives
 * the exact count and the ft figures. */
Test(ft, countdown_point_under_ft, .timeout = 60)
{
	struct pt_point pt = { .wl = &pt_wl_countdown, .model = PT_MODEL_FT, .nworkers = 2,
			       .ft = { .shared = 1, .tax_pct = PT_FT_DEFAULT_TAX_PCT } };
	struct pt_runenv env = { 0 };
	struct pt_result r;
	char err[256];

	cr_assert_eq(pt_params_defaults(&pt.params, pt_wl_countdown.params, true, err,
					sizeof(err)), 0);
	cr_assert_eq(pt_point_run_once(&pt, &env, &r), PT_ST_OK, "%s", r.msg);
	cr_assert_eq(r.ops, 2000000u);
	/* 2000000 iterations in ticks of PT_TICK_ITERS, one touch a tick. */
	cr_assert_eq(r.ft.atomic_updates, 2u * (1000000u / PT_TICK_ITERS) * 2u);
}

/* --- options, plan, columns --- */

Test(ft, options_checked, .timeout = 60)
{
	struct pt_cmd_out *o = malloc(sizeof(*o));
	const char *bad[][2] = {
		{ "--shared", "1.5" }, { "--shared", "-0.5" }, { "--shared", "nan" },
		{ "--shared", "half" }, { "--container", "2" }, { "--container", "yes" },
		{ "--ft-tax", "-1" }, { "--ft-tax", "1e9" }, { "--ft-tax", "8%" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pt_test_exec(ARGV("run", "--dry-run", "-w", "countdown", bad[i][0], bad[i][1]),
			     NULL, 30, o);
		cr_assert_eq(o->status, 2, "%s %s: exit %d", bad[i][0], bad[i][1], o->status);
		cr_assert(strstr(o->err, bad[i][0]) && strstr(o->err, bad[i][1]),
			  "message names neither option nor value: %s", o->err);
	}
	pt_test_exec(ARGV("list"), NULL, 30, o);
	cr_assert_eq(o->status, 0);
	cr_assert(strstr(o->out, "\n  ft "), "list lacks the ft model: %s", o->out);
	free(o);
}

/* --shared and --container sweep ft's points only, as the GIL intervals
 * sweep the GIL models'. */
Test(ft, sweeps_multiply_ft_points_only, .timeout = 30)
{
	struct pt_test_plan tp;
	int nft = 0, nthreads = 0;
	char err[512];
	const char *argv[] = { "run", "-w", "countdown", "-m", "threads,ft", "-n", "1,2",
			       "--shared", "0,0.5,1", "--container", "0,1", "--ft-tax", "12.5",
			       NULL };

	cr_assert_eq(pt_test_plan(&tp, NULL, 13, argv, err, sizeof(err)), 0, "%s", err);
	for (int i = 0; i < tp.plan.npts; i++) {
		const struct pt_point *pt = &tp.plan.pts[i];

		if (pt->model == PT_MODEL_FT) {
			nft++;
			cr_assert_eq(pt->ft.tax_pct, 12.5);
		} else {
			nthreads++;
			cr_assert_eq(pt->ft.shared, 0);
			cr_assert_eq(pt->ft.container, false);
		}
	}
	cr_assert_eq(nft, 2 * 3 * 2);
	cr_assert_eq(nthreads, 2);
	pt_test_plan_free(&tp);
}

/* The default suite runs ft beside threads and gil on countdown (shared 0
 * and high) and two primitives (event, queue), and nowhere else unless -m
 * asks. */
Test(ft, default_suite_places_ft, .timeout = 60)
{
	struct pt_cmd_out *o = malloc(sizeof(*o));
	static const char *const with_ft[] = { "countdown", "event", "queue" };
	bool countdown_high = false;
	char *line, *save = NULL;

	pt_test_exec(ARGV("run", "--dry-run"), NULL, 60, o);
	cr_assert_eq(o->status, 0, "%s", o->err);
	for (line = strtok_r(o->out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char wl[32], model[32];
		bool listed = false;

		if (sscanf(line, " %31s %31s n=", wl, model) != 2 || strcmp(model, "ft") != 0)
			continue;
		for (size_t i = 0; i < sizeof(with_ft) / sizeof(with_ft[0]); i++)
			listed |= strcmp(wl, with_ft[i]) == 0;
		cr_assert(listed, "ft point outside the comparison: %s", line);
		countdown_high |= strcmp(wl, "countdown") == 0 && strstr(line, "shared=1");
	}
	cr_assert(countdown_high, "no countdown point at a high --shared");
	free(o);
}

/* Column @name of @csv, which must have it. */
static int col_of(const struct pt_csv *csv, const char *name, const char *path)
{
	int k = pt_csv_col(csv, name);

	cr_assert_geq(k, 0, "%s: no column '%s'", path, name);
	return k;
}

/* results.csv: shared, container, the tax and the model's own counters on
 * ft rows, empty on the others; summary.csv keeps the ft points apart. */
Test(ft, columns_in_results, .timeout = 120)
{
	char *dir = pt_test_tmpdir(), out[4200], path[4300], err[256];
	struct pt_cmd_out *o = malloc(sizeof(*o));
	struct pt_csv res, sum;
	int c_model, c_shared, c_cont, c_tax, c_atomic, c_locks;

	snprintf(out, sizeof(out), "%s/run", dir);
	pt_test_exec(ARGV("run", "--quick", "-q", "-w", "countdown", "-m", "threads,ft", "-n",
			  "2", "--shared", "0,1", "--container", "0,1", "-r", "1", "--warmup", "0",
			  "-o", out),
		     NULL, 110, o);
	cr_assert_eq(o->status, 0, "exit %d: %s", o->status, o->err);
	snprintf(path, sizeof(path), "%s/results.csv", out);
	cr_assert_eq(pt_csv_read(path, &res, err, sizeof(err)), 0, "%s: %s", path, err);
	c_model = col_of(&res, "model", path);
	c_shared = col_of(&res, "shared", path);
	c_cont = col_of(&res, "container", path);
	c_tax = col_of(&res, "ft_tax_pct", path);
	c_atomic = col_of(&res, "ft_atomic_updates", path);
	c_locks = col_of(&res, "ft_lock_acquisitions", path);
	col_of(&res, "ft_lock_contended", path);
	col_of(&res, "ft_lock_parks", path);
	for (size_t i = 0; i < res.nrows; i++) {
		char *const *row = res.rows[i];
		const char *shared = row[c_shared], *cont = row[c_cont], *tax = row[c_tax],
			   *atomics = row[c_atomic], *locks = row[c_locks];

		if (strcmp(row[c_model], "threads") == 0) {
			cr_assert(!*shared && !*cont && !*tax && !*atomics && !*locks,
				  "threads row %zu has ft figures", i + 1);
			continue;
		}
		cr_assert_str_eq(tax, "8");
		if (strcmp(shared, "0") == 0) {
			cr_assert_str_eq(atomics, "0", "row %zu", i + 1);
			cr_assert_str_eq(locks, "0", "row %zu", i + 1);
		} else {
			cr_assert_str_eq(shared, "1", "row %zu", i + 1);
			cr_assert_gt(strtoull(atomics, NULL, 10), 0u, "row %zu", i + 1);
			cr_assert_eq(strtoull(locks, NULL, 10) > 0, strcmp(cont, "1") == 0,
				     "row %zu", i + 1);
		}
	}
	cr_assert_eq(res.nrows, 1 + 2 * 2);
	pt_csv_free(&res);
	snprintf(path, sizeof(path), "%s/summary.csv", out);
	cr_assert_eq(pt_test_csv_shape(path, NULL), 1 + 1 + 2 * 2);
	cr_assert_eq(pt_csv_read(path, &sum, err, sizeof(err)), 0, "%s: %s", path, err);
	col_of(&sum, "shared", path);
	col_of(&sum, "container", path);
	col_of(&sum, "ft_tax_pct", path);
	pt_csv_free(&sum);
	pt_test_rmdir(dir);
	free(o);
}
