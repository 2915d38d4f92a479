// SPDX-License-Identifier: MIT
// Robust process-shared primitives: a forked worker killed inside a
// primitive's critical section, or holding a Condition's lock, leaves the
// primitive broken (like threading.BrokenBarrierError): its siblings fail
// fast with PT_BROKEN and a message naming the dead worker, instead of
// waiting until the join's crash grace or the driver's timeout.
#include "model.h"
#include "queue.h"
#include "sync.h"
#include "timer.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum prim { P_SEM, P_COND_LOCK, P_COND_INSIDE, P_BARRIER, P_QUEUE, P_TIMER, P_COUNT };
static const char *const prim_names[P_COUNT] = { "sem", "cond-lock", "cond-inside",
						 "barrier", "queue", "timer" };

struct arena {
	_Atomic int kind;
	_Atomic int holding; /* the victim is inside */
	_Atomic int result[4];
	struct pt_sem sem;
	struct pt_cond cond;
	struct pt_barrier barrier;
	struct pt_timer timer;
	_Alignas(PT_CACHELINE) unsigned char queue[4096];
};

static struct pt_queue *queue_of(struct arena *a)
{
	return (struct pt_queue *)(void *)a->queue;
}

/* The lock the victim dies holding: the primitive's own internal mutex
 * (dying inside its critical section), or the Condition's RLock. */
static void victim(struct arena *a, int kind)
{
	switch (kind) {
	case P_SEM:
		pt_mtx_lock(&a->sem.m);
		break;
	case P_COND_LOCK:
		pt_cond_acquire(&a->cond, true, PT_FOREVER);
		break;
	case P_COND_INSIDE:
		pt_mtx_lock(&a->cond.m);
		break;
	case P_BARRIER:
		pt_mtx_lock(&a->barrier.m);
		break;
	case P_QUEUE:
		pt_mtx_lock(&queue_of(a)->m);
		break;
	case P_TIMER:
		pt_mtx_lock(&a->timer.m);
		break;
	}
	atomic_store(&a->holding, 1);
	raise(SIGKILL);
}

/* What a sibling does next: a call that needs the lock the victim holds. */
static int sibling(struct arena *a, int kind)
{
	char item[8];

	switch (kind) {
	case P_SEM:
		return pt_sem_acquire(&a->sem, true, PT_FOREVER);
	case P_COND_LOCK:
	case P_COND_INSIDE:
		return pt_cond_acquire(&a->cond, true, PT_FOREVER);
	case P_BARRIER:
		return pt_barrier_wait(&a->barrier, PT_FOREVER);
	case P_QUEUE:
		return pt_queue_get(queue_of(a), item, true, PT_FOREVER);
	case P_TIMER:
		return pt_timer_join(&a->timer, PT_FOREVER);
	}
	return -EINVAL;
}

static int robust_body(struct pt_worker *w)
{
	struct arena *a = w->team->shared;
	int kind = atomic_load(&a->kind);

	if (w->id == 1)
		victim(a, kind);
	while (!atomic_load(&a->holding))
		usleep(500);
	atomic_store(&a->result[w->id], sibling(a, kind));
	return 0;
}

static void never(void *arg)
{
	(void)arg;
	abort();
}

static void run_kill_inside(int kind)
{
	struct pt_team_config cfg = { .model = PT_MODEL_PROCS, .nworkers = 3,
				      .body = robust_body, .shared_size = sizeof(struct arena) };
	struct pt_team t;
	struct pt_team_stats *st = malloc(sizeof(*st));
	struct arena *a;
	const char *name = prim_names[kind];

	cr_assert_eq(pt_team_init(&t, &cfg), 0);
	a = t.shared;
	atomic_store(&a->kind, kind);
	cr_assert_eq(pt_sem_init(&a->sem, 0, true), 0);
	cr_assert_eq(pt_cond_init(&a->cond, true), 0);
	cr_assert_eq(pt_barrier_init(&a->barrier, 3, NULL, NULL, PT_FOREVER, true), 0);
	cr_assert_eq(pt_queue_init(queue_of(a), PT_QUEUE_FIFO, 16, 0, 8, true), 0);
	cr_assert_eq(pt_timer_init(&a->timer, true), 0);
	if (kind == P_TIMER) /* started, far from due: join waits */
		cr_assert_eq(pt_timer_start(&a->timer, 3600 * PT_NSEC_PER_SEC, never, NULL), 0);
	for (int i = 0; i < 4; i++)
		atomic_store(&a->result[i], 1);
	cr_assert_eq(pt_team_spawn(&t), 0);
	pt_team_go(&t);
	cr_assert_eq(pt_team_join(&t, 0), 0);
	pt_team_collect(&t, st);
	cr_assert_eq(st->crashed, 1, "%s: %d crashed: the siblings were killed, not broken out",
		     name, st->crashed);
	for (int i = 0; i < 3; i += 2) {
		cr_assert_eq(atomic_load(&a->result[i]), PT_BROKEN, "%s: worker %d got %d", name, i,
			     atomic_load(&a->result[i]));
		cr_assert(strstr(t.slots[i].msg, "Worker-2") && strstr(t.slots[i].msg, "broken"),
			  "%s: worker %d: '%s'", name, i, t.slots[i].msg);
	}
	if (kind == P_TIMER) {
		/* The helper thread is this process's: it saw the timer broken
		 * and ended without firing. */
		cr_assert_eq(pthread_join(a->timer.thread, NULL), 0);
		cr_assert_eq(a->timer.fired_ns, 0u);
	}
	/* Broken for good: a later call fails at once too. */
	if (kind == P_SEM)
		cr_assert_eq(pt_sem_release(&a->sem, 1), PT_BROKEN);
	if (kind == P_QUEUE)
		cr_assert_eq(pt_queue_put(queue_of(a), "x", false, 0), PT_BROKEN);
	/* Not destroyed: a killed waiter may be counted in a condvar
	 * (pt_team_intact). */
	pt_team_destroy(&t);
	free(st);
	cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "a child is left");
}

Test(robust, semaphore, .timeout = 60) { run_kill_inside(P_SEM); }
Test(robust, condition_lock_holder, .timeout = 60) { run_kill_inside(P_COND_LOCK); }
Test(robust, condition_inside, .timeout = 60) { run_kill_inside(P_COND_INSIDE); }
Test(robust, barrier, .timeout = 60) { run_kill_inside(P_BARRIER); }
Test(robust, queue, .timeout = 60) { run_kill_inside(P_QUEUE); }
Test(robust, timer, .timeout = 60) { run_kill_inside(P_TIMER); }

/* Not process-shared: no robustness, no polling, nothing changes. */
Test(robust, private_mutex_is_plain, .timeout = 10)
{
	struct pt_mutex m;

	cr_assert_eq(pt_mtx_init(&m, false), 0);
	cr_assert_eq(pt_mtx_lock(&m), 0);
	cr_assert_eq(atomic_load(&m.holder), 0);
	pt_mtx_unlock(&m);
	cr_assert_eq(pt_mtx_dead(&m), 0);
	pt_mtx_destroy(&m);
}
