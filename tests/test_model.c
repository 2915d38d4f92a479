// SPDX-License-Identifier: MIT
// The spawn/join core under every model: each worker runs exactly once and
// fills its own slot, the gate holds workers until the clock starts, a
// killed forked worker is reported and reaped, the thread API answers.
#include "model.h"
#include "neighbour.h"
#include "point.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct shared_counts {
	_Atomic int runs[64];
	_Atomic int current_ok[64];
};

static int count_body(struct pt_worker *w)
{
	struct shared_counts *sc = w->team->shared;

	atomic_fetch_add(&sc->runs[w->id], 1);
	/* threading.current_thread() is this worker, under every model. */
	if (pt_current() == w)
		atomic_fetch_add(&sc->current_ok[w->id], 1);
	/* Blocking sections nest and cost nothing without a GIL. */
	pt_block_begin(w);
	pt_block_begin(NULL);
	pt_block_end(NULL);
	pt_block_end(w);
	w->slot->ops = (uint64_t)w->id + 1;
	pt_tick(w);
	return 0;
}

static void run_all_once(enum pt_model m, int n)
{
	struct pt_team_config cfg = {
		.model = m, .nworkers = n, .body = count_body,
		.shared_size = sizeof(struct shared_counts),
	};
	struct pt_team t;
	struct pt_team_stats *st = malloc(sizeof(*st));

	cr_assert_eq(pt_team_init(&t, &cfg), 0);
	cr_assert_eq(pt_team_spawn(&t), 0);
	pt_team_go(&t);
	cr_assert_eq(pt_team_join(&t, 0), 0);
	cr_assert_eq(pt_team_collect(&t, st), 0, "%s n=%d: a worker failed", pt_model_name(m), n);

	struct shared_counts *sc = t.shared;
	for (int i = 0; i < n; i++) {
		cr_assert_eq(atomic_load(&sc->runs[i]), 1, "%s: worker %d ran %d times",
			     pt_model_name(m), i, atomic_load(&sc->runs[i]));
		cr_assert_eq(atomic_load(&sc->current_ok[i]), 1);
		cr_assert_eq(t.slots[i].ops, (uint64_t)i + 1);
		cr_assert_eq(atomic_load(&t.slots[i].done), 1u);
		cr_assert(t.slots[i].t_start_ns >= t.sh->t0_ns, "worker %d started before the gate", i);
		cr_assert(t.slots[i].t_end_ns >= t.slots[i].t_start_ns);
		cr_assert(!pt_worker_is_alive(&t, i));
	}
	cr_assert_eq(st->ops, (uint64_t)n * (n + 1) / 2);
	cr_assert_eq(st->ops_min, 1u);
	cr_assert_eq(st->ops_max, (uint64_t)n);
	cr_assert_eq(pt_active_count(&t), 0);
	cr_assert(st->wall_ns > 0);
	pt_team_destroy(&t);
	free(st);
	/* No forked worker is left behind, not even a zombie. */
	cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1);
	cr_assert_eq(errno, ECHILD);
}

Test(model, every_worker_runs_once_serial, .timeout = 30) { for (int n = 1; n <= 8; n += 3) run_all_once(PT_MODEL_SERIAL, n); }
Test(model, every_worker_runs_once_threads, .timeout = 30) { for (int n = 1; n <= 8; n += 3) run_all_once(PT_MODEL_THREADS, n); }
Test(model, every_worker_runs_once_procs, .timeout = 30) { for (int n = 1; n <= 8; n += 3) run_all_once(PT_MODEL_PROCS, n); }
Test(model, every_worker_runs_once_gil, .timeout = 30) { for (int n = 1; n <= 8; n += 3) run_all_once(PT_MODEL_GIL, n); }
Test(model, every_worker_runs_once_gil_old, .timeout = 30) { for (int n = 1; n <= 8; n += 3) run_all_once(PT_MODEL_GIL_OLD, n); }

/* Workers are held at the gate: none has started before pt_team_go. */
static int gate_body(struct pt_worker *w)
{
	_Atomic int *started = w->team->shared;

	atomic_fetch_add(started, 1);
	return 0;
}

Test(model, gate_holds_workers, .timeout = 30)
{
	for (enum pt_model m = PT_MODEL_THREADS; m < PT_MODEL_COUNT; m++) {
		struct pt_team_config cfg = { .model = m, .nworkers = 4, .body = gate_body,
					      .shared_size = sizeof(_Atomic int) };
		struct pt_team t;

		cr_assert_eq(pt_team_init(&t, &cfg), 0);
		cr_assert_eq(pt_team_spawn(&t), 0);
		/* Every worker reaches the gate... */
		while (atomic_load(&t.sh->ready) < 4)
			usleep(1000);
		usleep(20000);
		/* ...and none passes it before it opens. */
		cr_assert_eq(atomic_load((_Atomic int *)t.shared), 0, "%s", pt_model_name(m));
		pt_team_go(&t);
		cr_assert_eq(pt_team_join(&t, 0), 0);
		cr_assert_eq(atomic_load((_Atomic int *)t.shared), 4);
		pt_team_destroy(&t);
	}
}

static int kill_one_body(struct pt_worker *w)
{
	if (w->id == 1)
		raise(SIGKILL);
	w->slot->ops = 1;
	return 0;
}

Test(model, killed_child_is_crashed_and_reaped, .timeout = 30)
{
	struct pt_team_config cfg = { .model = PT_MODEL_PROCS, .nworkers = 3, .body = kill_one_body };
	struct pt_team t;
	struct pt_team_stats *st = malloc(sizeof(*st));

	cr_assert_eq(pt_team_init(&t, &cfg), 0);
	cr_assert_eq(pt_team_spawn(&t), 0);
	pt_team_go(&t);
	cr_assert_eq(pt_team_join(&t, 0), 0);
	cr_assert_eq(pt_team_collect(&t, st), -ECHILD);
	cr_assert_eq(st->crashed, 1);
	cr_assert_eq(st->ops, 2u);
	pt_team_destroy(&t);
	free(st);
	cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "a zombie or a child is left");
}

static int failing_body(struct pt_worker *w)
{
	return w->id == 0 ? -EIO : 0;
}

Test(model, failing_worker_is_reported, .timeout = 30)
{
	for (enum pt_model m = 0; m < PT_MODEL_COUNT; m++) {
		struct pt_team_config cfg = { .model = m, .nworkers = 2, .body = failing_body };
		struct pt_team t;
		struct pt_team_stats *st = malloc(sizeof(*st));

		cr_assert_eq(pt_team_init(&t, &cfg), 0);
		cr_assert_eq(pt_team_spawn(&t), 0);
		pt_team_go(&t);
		cr_assert_eq(pt_team_join(&t, 0), 0);
		/* A negative errno, the failing worker's own. */
		cr_assert_eq(pt_team_collect(&t, st), -EIO, "%s", pt_model_name(m));
		cr_assert_eq(st->failed, 1, "%s", pt_model_name(m));
		cr_assert(st->first_msg && strstr(st->first_msg, "Worker-1"), "%s: %s",
			  pt_model_name(m), st->first_msg ? st->first_msg : "(none)");
		pt_team_destroy(&t);
		free(st);
	}
}

/* Thread API: names, join with a timeout, is_alive, daemons not waited for. */
static int slow_daemon_body(struct pt_worker *w)
{
	if (w->daemon) {
		/* Polls the termination flag, like the source's run loops. */
		while (pt_running(w))
			usleep(1000);
		return 0;
	}
	usleep(30000);
	return 0;
}

Test(model, thread_api, .timeout = 30)
{
	for (enum pt_model m = PT_MODEL_THREADS; m <= PT_MODEL_PROCS; m++) {
		struct pt_team_config cfg = { .model = m, .nworkers = 3, .ndaemons = 1,
					      .body = slow_daemon_body };
		struct pt_team t;

		cr_assert_eq(pt_team_init(&t, &cfg), 0);
		cr_assert_str_eq(t.workers[0].name, "Worker-1");
		cr_assert_str_eq(t.workers[2].name, "Worker-3");
		cr_assert(t.workers[2].daemon && !t.workers[0].daemon);
		cr_assert_eq(pt_team_spawn(&t), 0);
		pt_team_go(&t);
		/* A join that times out leaves the worker alive. */
		cr_assert_not(pt_worker_join(&t, 2, 5 * PT_NSEC_PER_MSEC));
		cr_assert(pt_worker_is_alive(&t, 2));
		cr_assert(pt_active_count(&t) >= 1);
		/* threading.enumerate(): the daemon is among the living, in id
		 * order, and the list agrees with is_alive. */
		const struct pt_worker *alive[3];
		int na = pt_enumerate(&t, alive, 3);

		cr_assert(na >= 1 && na <= 3);
		cr_assert_eq(alive[na - 1], &t.workers[2]);
		for (int k = 1; k < na; k++)
			cr_assert_lt(alive[k - 1]->id, alive[k]->id);
		/* The join returns with the daemon still running: it is stopped. */
		cr_assert_eq(pt_team_join(&t, 0), 0);
		cr_assert(!pt_worker_is_alive(&t, 0));
		cr_assert_eq(pt_enumerate(&t, alive, 3), 0, "nobody left after the join");
		pt_team_destroy(&t);
	}
}

/* A whole point contained in a child process: a thread's segfault kills
 * the point's process, and the driver reports it as crashed. */
static int segv_body(struct pt_worker *w)
{
	if (w->id == 0)
		raise(SIGKILL); /* stands for any fatal signal; SIGKILL is not caught by sanitizers */
	return 0;
}

static const struct pt_param_def no_params[] = { { 0 } };

static const struct pt_workload crash_wl = {
	.name = "test-crash", .kind = PT_KIND_SELFTEST, .summary = "crashes",
	.params = no_params, .models = PT_MODELS_ALL, .min_workers = 1, .run = segv_body,
};

Test(model, point_exec_contains_a_crash, .timeout = 60)
{
	struct pt_runenv env = { 0 };
	struct pt_result r;

	for (enum pt_model m = 0; m < PT_MODEL_COUNT; m++) {
		struct pt_point pt = { .wl = &crash_wl, .model = m, .nworkers = 2 };

		pt_point_exec(&pt, &env, 30, NULL, &r);
		cr_assert_eq(r.status, PT_ST_CRASHED, "%s: status %s (%s)", pt_model_name(m),
			     pt_status_name(r.status), r.msg);
	}
	cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "a child is left");
}

static int hang_body(struct pt_worker *w)
{
	(void)w;
	for (;;)
		pause();
	return 0;
}

static const struct pt_workload hang_wl = {
	.name = "test-hang", .kind = PT_KIND_SELFTEST, .summary = "hangs",
	.params = no_params, .models = PT_MODELS_ALL, .min_workers = 1, .run = hang_body,
};

Test(model, point_exec_times_out, .timeout = 60)
{
	struct pt_runenv env = { 0 };
	struct pt_result r;

	for (enum pt_model m = 0; m < PT_MODEL_COUNT; m++) {
		struct pt_point pt = { .wl = &hang_wl, .model = m, .nworkers = 2 };

		pt_point_exec(&pt, &env, 0.3, NULL, &r);
		cr_assert_eq(r.status, PT_ST_TIMEOUT, "%s: %s", pt_model_name(m), pt_status_name(r.status));
	}
	/* The point's whole process group, forked workers included, is gone. */
	cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "a child is left");
}

Test(model, names_parse_round_trip, .timeout = 10)
{
	enum pt_model m;

	for (int i = 0; i < PT_MODEL_COUNT; i++) {
		cr_assert_eq(pt_model_parse(pt_model_name((enum pt_model)i), &m), 0);
		cr_assert_eq(m, (enum pt_model)i);
	}
	cr_assert_eq(pt_model_parse("fibers", &m), -EINVAL);
}

/* Placement: each worker binds itself before the gate (a forked worker its
 * whole process, a thread itself); a failed binding is counted and the
 * point still succeeds. */
struct bind_log {
	_Atomic int pu[8];
	_Atomic int whole[8];
	_Atomic int calls;
};

static int fake_bind(void *ctx, int pu_os, bool whole_process)
{
	(void)ctx;
	struct pt_worker *w = pt_current();
	struct bind_log *log = w->team->shared;

	atomic_store(&log->pu[w->id], pu_os);
	atomic_store(&log->whole[w->id], whole_process);
	atomic_fetch_add(&log->calls, 1);
	return w->id == 1 ? -EPERM : 0;
}

static int nop_body(struct pt_worker *w)
{
	(void)w;
	return 0;
}

Test(model, binding_per_worker, .timeout = 30)
{
	static const int pus[3] = { 5, 7, -1 };

	for (enum pt_model m = PT_MODEL_THREADS; m < PT_MODEL_COUNT; m++) {
		struct pt_team_config cfg = { .model = m, .nworkers = 3, .body = nop_body,
					      .bind_pus = pus, .bind = fake_bind,
					      .shared_size = sizeof(struct bind_log) };
		struct pt_team t;
		struct pt_team_stats *st = malloc(sizeof(*st));
		struct bind_log *log;

		cr_assert_eq(pt_team_init(&t, &cfg), 0);
		cr_assert_eq(pt_team_spawn(&t), 0);
		pt_team_go(&t);
		cr_assert_eq(pt_team_join(&t, 0), 0);
		cr_assert_eq(pt_team_collect(&t, st), 0, "a failed binding is not a failure");
		log = t.shared;
		cr_assert_eq(atomic_load(&log->calls), 2, "worker 2 has no PU: not bound");
		cr_assert_eq(atomic_load(&log->pu[0]), 5);
		cr_assert_eq(atomic_load(&log->pu[1]), 7);
		cr_assert_eq(atomic_load(&log->whole[0]), m == PT_MODEL_PROCS, "%s", pt_model_name(m));
		cr_assert_eq(st->bind_failed, 1);
		pt_team_destroy(&t);
		free(st);
	}
}

/* CPU-bound neighbours run beside the workload's workers under the same
 * model, are not counted in its figures, and stop with the point. */
Test(model, cpu_neighbours, .timeout = 60)
{
	for (enum pt_model m = PT_MODEL_THREADS; m < PT_MODEL_COUNT; m++) {
		struct pt_team_config cfg = { .model = m, .nworkers = 2, .neighbours = 2,
					      .neighbour_body = pt_neighbour_body,
					      .body = count_body,
					      .shared_size = sizeof(struct shared_counts) };
		struct pt_team t;
		struct pt_team_stats *st = malloc(sizeof(*st));
		struct shared_counts *sc;

		cr_assert_eq(pt_team_init(&t, &cfg), 0);
		cr_assert_eq(t.nall, 4);
		cr_assert(t.workers[2].neighbour && t.workers[2].daemon);
		cr_assert_eq(t.workers[3].nworkers, 2, "workers see the workload's count");
		cr_assert_eq(pt_team_spawn(&t), 0);
		pt_team_go(&t);
		cr_assert_eq(pt_team_join(&t, 0), 0);
		cr_assert_eq(pt_team_collect(&t, st), 0, "%s", pt_model_name(m));
		sc = t.shared;
		cr_assert_eq(atomic_load(&sc->runs[0]) + atomic_load(&sc->runs[1]), 2);
		cr_assert_eq(atomic_load(&sc->runs[2]) + atomic_load(&sc->runs[3]), 0,
			     "neighbours do not run the workload's body");
		cr_assert_eq(st->ops, 3u, "only the workload's workers count");
		pt_team_destroy(&t);
		free(st);
	}
	struct pt_team_config bad = { .model = PT_MODEL_SERIAL, .nworkers = 1, .neighbours = 1,
				      .neighbour_body = pt_neighbour_body, .body = count_body };
	struct pt_team t;

	cr_assert_eq(pt_team_init(&t, &bad), -EINVAL, "no neighbour beside serial bodies");
	bad.model = PT_MODEL_THREADS;
	bad.neighbour_body = NULL;
	cr_assert_eq(pt_team_init(&t, &bad), -EINVAL, "neighbours need the driver's body");
}

/* The core's "spawn one worker" hook (perf's create_worker()): a child
 * task runs under the parent's model, as a thread (holding the GIL under
 * the GIL models) or as a process of the team's start method, and its
 * result comes back through the join. */
struct task_log {
	_Atomic int ran;
	_Atomic int held_gil;
	_Atomic int other_pid;
	_Atomic int named;
	_Atomic int starts;
};

static int child_target(struct pt_worker *c)
{
	struct task_log *log = c->team->shared;

	atomic_fetch_add(&log->ran, 1);
	if (c->gt && c->gt->held)
		atomic_fetch_add(&log->held_gil, 1);
	if (c->arg && getpid() != (pid_t)(intptr_t)c->arg)
		atomic_fetch_add(&log->other_pid, 1);
	if (pt_current() == c && strstr(c->name, "-child") && !c->slot)
		atomic_fetch_add(&log->named, 1);
	return c->arg ? 0 : -EIO;
}

static int task_body(struct pt_worker *w)
{
	struct pt_task k;
	int ret;

	for (int i = 0; i < 3; i++) {
		ret = pt_task_start(w, &k, child_target, (void *)(intptr_t)getpid());
		if (ret)
			return ret;
		ret = pt_task_join(w, &k);
		if (ret)
			return ret;
	}
	/* A failing target: its error comes back (a process's as -EIO). */
	ret = pt_task_start(w, &k, child_target, NULL);
	if (ret)
		return ret;
	ret = pt_task_join(w, &k);
	w->slot->ops = (uint64_t)-ret;
	return ret == -EIO ? 0 : -EPROTO;
}

static int counting_start(struct pt_team *t, struct pt_worker *w, struct pt_task *k,
			  pt_proc_main_fn main, void *arg)
{
	struct task_log *log = t->shared;

	atomic_fetch_add(&log->starts, 1);
	return pt_start_fork.start(t, w, k, main, arg);
}

static const struct pt_start_method counting_method = {
	.name = "counting", .start = counting_start, .reap = NULL,
};

Test(model, task_hook_every_model, .timeout = 60)
{
	struct pt_start_method method = counting_method;

	method.reap = pt_start_fork.reap;
	for (enum pt_model m = 0; m < PT_MODEL_COUNT; m++) {
		struct pt_team_config cfg = { .model = m, .nworkers = 2, .body = task_body,
					      .shared_size = sizeof(struct task_log),
					      .start = &method };
		struct pt_team t;
		struct pt_team_stats *st = malloc(sizeof(*st));
		struct task_log *log;

		cr_assert_eq(pt_team_init(&t, &cfg), 0);
		cr_assert_eq(pt_team_spawn(&t), 0);
		pt_team_go(&t);
		cr_assert_eq(pt_team_join(&t, 0), 0);
		cr_assert_eq(pt_team_collect(&t, st), 0, "%s: %s", pt_model_name(m),
			     st->first_msg ? st->first_msg : "");
		log = t.shared;
		cr_assert_eq(atomic_load(&log->ran), 8, "%s", pt_model_name(m));
		cr_assert_eq(atomic_load(&log->named), 8);
		cr_assert_eq(st->ops, 2u * EIO, "%s: the failing target's error", pt_model_name(m));
		cr_assert_eq(atomic_load(&log->held_gil), pt_model_has_gil(m) ? 8 : 0, "%s",
			     pt_model_name(m));
		cr_assert_eq(atomic_load(&log->other_pid), m == PT_MODEL_PROCS ? 6 : 0, "%s",
			     pt_model_name(m));
		/* Every process, the 2 workers and their 8 children, came from
		 * the team's start method. */
		cr_assert_eq(atomic_load(&log->starts), m == PT_MODEL_PROCS ? 10 : 0);
		pt_team_destroy(&t);
		free(st);
	}
	cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "a child is left");
}

/* --- Bug: pt_team_destroy freed memory under running threads --- */

/* Ignores the stop flag until released, then touches its slot, the team's
 * shared header and (under a GIL) the GIL, as a real body would. */
static _Atomic int stubborn_hold;

static int stubborn_body(struct pt_worker *w)
{
	while (atomic_load(&stubborn_hold)) {
		w->slot->ops++;
		pt_tick(w);
		pt_block_begin(w);
		usleep(1000);
		pt_block_end(w);
	}
	w->slot->ops += pt_running(w) ? 1 : 2;
	return 0;
}

/* A join that timed out leaves both workers running. */
static void abandon_case(struct pt_team *t, enum pt_model m)
{
	struct pt_team_config cfg = { .model = m, .nworkers = 2, .body = stubborn_body };

	atomic_store(&stubborn_hold, 1);
	cr_assert_eq(pt_team_init(t, &cfg), 0);
	cr_assert_eq(pt_team_spawn(t), 0);
	pt_team_go(t);
	cr_assert_eq(pt_team_join(t, 20 * PT_NSEC_PER_MSEC), -ETIMEDOUT);
	pt_team_destroy(t);
	cr_assert(pt_team_abandoned(t), "%s: a thread still runs", pt_model_name(m));
	/* The threads go on in the team's memory: none of it may be gone. */
	atomic_store(&stubborn_hold, 0);
	for (int i = 0; i < 2; i++)
		while (!atomic_load(&t->slots[i].done))
			usleep(1000);
}

static int stubborn_or_quick(struct pt_worker *w)
{
	return w->daemon ? stubborn_body(w) : 0;
}

Test(model, destroy_never_frees_under_a_running_thread, .timeout = 60)
{
	/* Static: the abandoned threads still use the team. */
	static struct pt_team teams[PT_MODEL_COUNT];

	for (enum pt_model m = PT_MODEL_THREADS; m < PT_MODEL_COUNT; m++)
		if (m != PT_MODEL_PROCS)
			abandon_case(&teams[m], m);
	/* A daemon thread that ignores the stop flag for more than 100 ms. */
	struct pt_team_config cfg = { .model = PT_MODEL_GIL, .nworkers = 2, .ndaemons = 1,
				      .body = stubborn_or_quick };
	static struct pt_team dt;

	atomic_store(&stubborn_hold, 1);
	cr_assert_eq(pt_team_init(&dt, &cfg), 0);
	cr_assert_eq(pt_team_spawn(&dt), 0);
	pt_team_go(&dt);
	cr_assert_eq(pt_team_join(&dt, 0), 0);
	pt_team_destroy(&dt);
	cr_assert(pt_team_abandoned(&dt));
	atomic_store(&stubborn_hold, 0);
	while (!atomic_load(&dt.slots[1].done))
		usleep(1000);
}

/* --- Bug: pt_team_go waited forever for a worker that died first --- */

static int die_while_binding(void *ctx, int pu_os, bool whole_process)
{
	(void)ctx;
	(void)pu_os;
	(void)whole_process;
	if (pt_current()->id == 1)
		raise(SIGKILL);
	return 0;
}

Test(model, worker_dead_before_the_gate_is_crashed, .timeout = 30)
{
	static const int pus[3] = { 0, 0, 0 };
	struct pt_team_config cfg = { .model = PT_MODEL_PROCS, .nworkers = 3, .body = nop_body,
				      .bind_pus = pus, .bind = die_while_binding };
	struct pt_team t;
	struct pt_team_stats *st = malloc(sizeof(*st));

	cr_assert_eq(pt_team_init(&t, &cfg), 0);
	cr_assert_eq(pt_team_spawn(&t), 0);
	pt_team_go(&t); /* hung here until the driver's timeout */
	cr_assert_eq(pt_team_join(&t, 0), 0);
	cr_assert_eq(pt_team_collect(&t, st), -ECHILD);
	cr_assert_eq(st->crashed, 1);
	cr_assert(st->first_msg && strcmp(st->first_msg, strsignal(SIGKILL)) == 0);
	pt_team_destroy(&t);
	free(st);
	cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "a child is left");
}

/* --- Bug: errno lost across taking the GIL back --- */

static int errno_body(struct pt_worker *w)
{
	for (int i = 0; i < 200; i++) {
		pt_block_begin(w);
		usleep(100); /* the neighbour takes the GIL meanwhile */
		errno = EXDEV;
		pt_block_end(w);
		if (errno != EXDEV)
			w->slot->ops++;
	}
	return 0;
}

Test(model, errno_survives_the_blocking_section, .timeout = 60)
{
	for (enum pt_model m = PT_MODEL_THREADS; m < PT_MODEL_COUNT; m++) {
		struct pt_team_config cfg = { .model = m, .nworkers = 1, .neighbours = 1,
					      .neighbour_body = pt_neighbour_body,
					      .body = errno_body };
		struct pt_team t;
		struct pt_team_stats *st = malloc(sizeof(*st));

		cr_assert_eq(pt_team_init(&t, &cfg), 0);
		cr_assert_eq(pt_team_spawn(&t), 0);
		pt_team_go(&t);
		cr_assert_eq(pt_team_join(&t, 0), 0);
		cr_assert_eq(pt_team_collect(&t, st), 0);
		cr_assert_eq(st->ops, 0u, "%s: errno changed %llu times of 200", pt_model_name(m),
			     (unsigned long long)st->ops);
		pt_team_destroy(&t);
		free(st);
	}
}

/* --- Bug: thread API inconsistencies --- */

struct api_view {
	_Atomic int w2_running, release;
	_Atomic int w2_alive_seen_by_w0, enumerated_by_w0, active_by_w0;
};

/* Waits for @flag in a blocking section (under a GIL the others run). */
static void wait_flag_blocking(struct pt_worker *w, _Atomic int *flag)
{
	pt_block_begin(w);
	while (!atomic_load(flag))
		usleep(1000);
	pt_block_end(w);
}

static int api_body(struct pt_worker *w)
{
	struct api_view *v = w->team->shared;
	const struct pt_worker *list[4];

	if (w->id == 2) {
		atomic_store(&v->w2_running, 1);
		wait_flag_blocking(w, &v->release);
		return 0;
	}
	if (w->id == 0) {
		wait_flag_blocking(w, &v->w2_running);
		/* Worker 2 was started after this one was forked. */
		atomic_store(&v->w2_alive_seen_by_w0, pt_worker_is_alive(w->team, 2));
		atomic_store(&v->enumerated_by_w0, pt_enumerate(w->team, list, 4));
		atomic_store(&v->active_by_w0, pt_active_count(w->team));
		atomic_store(&v->release, 1);
	}
	wait_flag_blocking(w, &v->release);
	return 0;
}

Test(model, thread_api_is_consistent_in_every_process, .timeout = 60)
{
	for (enum pt_model m = PT_MODEL_THREADS; m < PT_MODEL_COUNT; m++) {
		struct pt_team_config cfg = { .model = m, .nworkers = 3, .neighbours = 1,
					      .neighbour_body = pt_neighbour_body, .body = api_body,
					      .shared_size = sizeof(struct api_view) };
		struct pt_team t;
		struct api_view *v;

		cr_assert_eq(pt_team_init(&t, &cfg), 0);
		cr_assert_eq(pt_team_spawn(&t), 0);
		v = t.shared;
		pt_team_go(&t);
		cr_assert_eq(pt_team_join(&t, 0), 0);
		cr_assert(atomic_load(&v->w2_alive_seen_by_w0), "%s: worker 0 sees worker 2 dead",
			  pt_model_name(m));
		cr_assert_eq(atomic_load(&v->enumerated_by_w0), 3, "%s", pt_model_name(m));
		/* threading.active_count() == len(threading.enumerate()): the
		 * neighbour is not the workload's. */
		cr_assert_eq(atomic_load(&v->active_by_w0), 3, "%s: active_count %d",
			     pt_model_name(m), atomic_load(&v->active_by_w0));
		pt_team_destroy(&t);
	}
}

/* --- Bug: a forked worker's Thread.join() of an earlier sibling --- */

struct join_view {
	_Atomic int release;	 /* worker 0 returns once set */
	_Atomic int joined_live; /* worker 2's join said "finished" while 0 ran */
	_Atomic int joined_dead; /* worker 2's join of the crashed worker 1 ended */
};

static int join_body(struct pt_worker *w)
{
	struct join_view *v = w->team->shared;

	if (w->id == 1)
		raise(SIGKILL); /* dies at once, never returning */
	if (w->id == 0) {
		wait_flag_blocking(w, &v->release);
		return 0;
	}
	/* Worker 2, forked after the others: worker 0 is still running, so a
	 * join with a timeout must time out; worker 1 died, so its join ends. */
	atomic_store(&v->joined_live, pt_worker_join(w->team, 0, 50 * PT_NSEC_PER_MSEC));
	atomic_store(&v->joined_dead, pt_worker_join(w->team, 1, 20 * PT_NSEC_PER_SEC));
	atomic_store(&v->release, 1);
	return 0;
}

Test(model, join_of_a_sibling_in_a_forked_worker, .timeout = 60)
{
	struct pt_team_config cfg = { .model = PT_MODEL_PROCS, .nworkers = 3, .body = join_body,
				      .shared_size = sizeof(struct join_view) };
	struct pt_team_stats *st = malloc(sizeof(*st));
	struct pt_team t;
	struct join_view *v;

	cr_assert_eq(pt_team_init(&t, &cfg), 0);
	cr_assert_eq(pt_team_spawn(&t), 0);
	v = t.shared;
	pt_team_go(&t);
	cr_assert_eq(pt_team_join(&t, 0), 0);
	pt_team_collect(&t, st);
	cr_assert_eq(atomic_load(&v->release), 1, "worker 2 did not get through its joins");
	cr_assert_not(atomic_load(&v->joined_live), "join said a running sibling had finished");
	cr_assert(atomic_load(&v->joined_dead), "join of a dead sibling timed out");
	pt_team_destroy(&t);
	free(st);
}
