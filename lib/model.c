// SPDX-License-Identifier: MIT
// The execution models behind one spawn/join API. Workers are threads
// (threads, gil, gil-old, ft), fork()ed children (procs) or bodies called one
// after another (serial); all meet at a futex start gate in the shared
// arena and leave their figures in their own slot there.
#include "model.h"

#include "pystart.h"
#include "futex.h"
#include "work.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* Gate states. ABORT lets workers already at the gate leave without running
 * their body when a later spawn fails. */
enum { GATE_CLOSED = 0, GATE_OPEN = 1, GATE_ABORT = 2 };

static const struct {
	const char *name, *summary;
} models[PT_MODEL_COUNT] = {
	[PT_MODEL_SERIAL] = { "serial", "the worker bodies one after another in one thread" },
	[PT_MODEL_THREADS] = { "threads", "free-running POSIX threads (free threading)" },
	[PT_MODEL_PROCS] = { "procs", "fork()ed processes sharing a MAP_SHARED arena (multiprocessing)" },
	[PT_MODEL_GIL] = { "gil", "threads under a simulated GIL, CPython 3.2+ policy" },
	[PT_MODEL_GIL_OLD] = { "gil-old", "threads under a simulated GIL, CPython 2 policy" },
	[PT_MODEL_FT] = { "ft", "threads paying free-threaded CPython's costs (3.13t/3.14t): biased "
				"refcounts, per-object locks, a single-thread tax" },
};

static _Thread_local struct pt_worker *current;

/* The tick flag of workers that have no GIL: never set. */
static _Atomic int no_tick_flag;

const char *pt_model_name(enum pt_model m)
{
	return (unsigned)m < PT_MODEL_COUNT ? models[m].name : "?";
}

const char *pt_model_summary(enum pt_model m)
{
	return (unsigned)m < PT_MODEL_COUNT ? models[m].summary : "?";
}

int pt_model_parse(const char *name, enum pt_model *out)
{
	for (int m = 0; m < PT_MODEL_COUNT; m++) {
		if (strcmp(name, models[m].name) == 0) {
			*out = (enum pt_model)m;
			return 0;
		}
	}
	return -EINVAL;
}

struct pt_worker *pt_current(void)
{
	return current;
}

/* Worker @id of @t, or (id < 0) a child task's worker. */
static void worker_init(struct pt_team *t, struct pt_worker *w, int id)
{
	const struct pt_team_config *cfg = &t->cfg;

	w->id = id;
	w->nworkers = cfg->nworkers; /* what the workload sees */
	w->model = cfg->model;
	w->neighbour = id >= cfg->nworkers;
	w->daemon = w->neighbour || id >= cfg->nworkers - cfg->ndaemons;
	snprintf(w->name, sizeof(w->name), "Worker-%d", id + 1);
	w->team = t;
	w->slot = id >= 0 ? &t->slots[id] : NULL;
	w->arg = cfg->arg;
	w->bind_pu = id >= 0 && cfg->bind_pus ? cfg->bind_pus[id] : -1;
	w->tick_flag = &no_tick_flag;
	w->own_ticks = INT_MAX;
	w->tick_count = &w->own_ticks;
	if (t->gil_inited) {
		pt_gil_thread_init(&w->gil_state, &t->gil);
		w->gt = &w->gil_state;
		if (t->gil.cfg.policy == PT_GIL_NEW)
			w->tick_flag = &t->gil.drop_request;
		else
			w->tick_count = &w->gil_state.ticks_left;
	}
	/* Extra threads (id < 0) pay no ft costs: they have no object of
	 * their own, and their ticks are not the point's figures. */
	if (t->ft_inited && id >= 0) {
		pt_ft_thread_init(&w->ft_state, &t->ft, id, w->neighbour);
		w->ft = &w->ft_state;
		w->own_ticks = w->ft->period;
	}
}

/* The arena's layout: the header, the slots, the workload's region. */
static int carve(struct pt_team *t)
{
	t->sh = pt_arena_alloc(&t->arena, sizeof(struct pt_shared));
	t->slots = pt_arena_alloc(&t->arena, (size_t)t->nall * sizeof(struct pt_slot));
	t->shared = t->cfg.shared_size ? pt_arena_alloc(&t->arena, t->cfg.shared_size) : NULL;
	return t->sh && t->slots && (t->shared || !t->cfg.shared_size) ? 0 : -EINVAL;
}

int pt_team_init(struct pt_team *t, const struct pt_team_config *cfg)
{
	size_t size;
	int n, ret;

	memset(t, 0, sizeof(*t));
	if (cfg->nworkers < 1 || cfg->neighbours < 0 ||
	    cfg->nworkers + cfg->neighbours > PT_MAX_WORKERS || cfg->ndaemons < 0 ||
	    cfg->ndaemons >= cfg->nworkers || !cfg->body ||
	    (unsigned)cfg->model >= PT_MODEL_COUNT ||
	    (cfg->neighbours && (cfg->model == PT_MODEL_SERIAL || !cfg->neighbour_body)))
		return -EINVAL;
	t->cfg = *cfg;
	t->spawner = getpid();
	if (!t->cfg.start)
		t->cfg.start = &pt_start_fork;
	n = t->nall = cfg->nworkers + cfg->neighbours;

	size = PT_ALIGN_UP(sizeof(struct pt_shared), PT_CACHELINE) +
	       (size_t)n * sizeof(struct pt_slot) + PT_CACHELINE +
	       PT_ALIGN_UP(cfg->shared_size, PT_CACHELINE) + PT_CACHELINE;
	ret = cfg->model == PT_MODEL_PROCS && t->cfg.start->arena_fd
		      ? pt_arena_create_fd(&t->arena, size)
		      : pt_arena_create(&t->arena, size);
	if (ret)
		return ret;
	carve(t);

	t->workers = calloc((size_t)n, sizeof(*t->workers));
	if (!t->workers) {
		pt_arena_destroy(&t->arena);
		return -ENOMEM;
	}
	if (pt_model_has_gil(cfg->model)) {
		struct pt_gil_config g = cfg->gil;

		g.policy = cfg->model == PT_MODEL_GIL ? PT_GIL_NEW : PT_GIL_OLD;
		if (!g.switch_interval_us)
			g.switch_interval_us = PT_GIL_DEFAULT_INTERVAL_US;
		if (!g.check_interval)
			g.check_interval = PT_GIL_DEFAULT_CHECK;
		t->cfg.gil = g;
		ret = pt_gil_init(&t->gil, &g);
		if (ret) {
			free(t->workers);
			pt_arena_destroy(&t->arena);
			return ret;
		}
		t->gil_inited = true;
	}
	if (cfg->model == PT_MODEL_FT) {
		ret = pt_ft_init(&t->ft, &cfg->ft, n);
		if (ret) {
			free(t->workers);
			pt_arena_destroy(&t->arena);
			return ret;
		}
		t->ft_inited = true;
	}
	for (int i = 0; i < n; i++)
		worker_init(t, &t->workers[i], i);
	return 0;
}

/* The team's futex words (gate, done) are waited on from several
 * processes only under procs; elsewhere they are private. */
static bool words_shared(const struct pt_team *t)
{
	return t->cfg.model == PT_MODEL_PROCS;
}

/* Waits at the start gate; false when the run was aborted before it opened. */
static bool gate_wait(struct pt_worker *w)
{
	struct pt_shared *sh = w->team->sh;
	uint32_t g;

	atomic_store_explicit(&w->slot->at_gate, 1, memory_order_release);
	atomic_fetch_add_explicit(&sh->ready, 1, memory_order_acq_rel);
	pt_futex_wake_as(&sh->ready, 1, words_shared(w->team));
	while ((g = atomic_load_explicit(&sh->go, memory_order_acquire)) == GATE_CLOSED)
		pt_futex_wait_as(&sh->go, GATE_CLOSED, 0, words_shared(w->team));
	return g == GATE_OPEN;
}

static void worker_done(struct pt_worker *w)
{
	atomic_store_explicit(&w->slot->live, 0, memory_order_release);
	atomic_store_explicit(&w->slot->done, 1, memory_order_release);
	pt_futex_wake_as(&w->slot->done, INT32_MAX, words_shared(w->team));
}

/* The part of a worker's life common to every model. */
static void worker_main(struct pt_worker *w, enum pt_usage_who who, bool gate)
{
	struct pt_team *t = w->team;
	struct pt_slot *s = w->slot;
	struct pt_usage u0, u1;
	int rc;

	current = w;
	s->pid = pt_self_pid();
	if (w->bind_pu >= 0 && t->cfg.bind) {
		rc = t->cfg.bind(t->cfg.bind_ctx, w->bind_pu, who == PT_USAGE_SELF);
		s->bind_err = rc < 0 ? -rc : 0;
	}
	pt_usage_get(&u0, who);
	if (gate && !gate_wait(w)) {
		worker_done(w);
		current = NULL;
		return;
	}
	s->t_start_ns = pt_now_ns();
	if (w->gt)
		pt_gil_acquire(w->gt);
	rc = w->neighbour ? t->cfg.neighbour_body(w) : t->cfg.body(w);
	if (w->gt) {
		if (w->gt->held)
			pt_gil_release(w->gt);
		s->gil = w->gt->st;
	}
	if (w->ft)
		s->ft = w->ft->st;
	s->t_end_ns = pt_now_ns();
	pt_usage_get(&u1, who);
	pt_usage_sub(&s->usage, &u1, &u0);
	s->status = rc;
	if (rc && !s->msg[0])
		snprintf(s->msg, sizeof(s->msg), "%s: %s", w->name, strerror(-rc));
	worker_done(w);
	current = NULL;
}

static void *thread_entry(void *arg)
{
	worker_main(arg, PT_USAGE_THREAD, true);
	return NULL;
}

static int proc_entry(void *arg)
{
	struct pt_worker *w = arg;

	worker_main(w, PT_USAGE_SELF, true);
	return w->slot->status ? 1 : 0;
}

/* The fork start method: the child runs @main at once. */
static int fork_start(struct pt_team *t, struct pt_worker *w, struct pt_task *k,
		      pt_proc_main_fn main, void *arg)
{
	pid_t parent = getpid(), pid;

	(void)t;
	(void)w;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* A forked worker never outlives the process that spawned it
		 * (if the parent died before the prctl, it has changed). */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
			_exit(127);
		/* _exit: no stdio flush or atexit handler of the parent runs twice. */
		_exit(main(arg));
	}
	k->pid = pid;
	return 0;
}

static pid_t fork_reap(struct pt_team *t, struct pt_task *k, int flags)
{
	pid_t r;

	(void)t;
	while ((r = waitpid(k->pid, &k->wstatus, flags)) < 0 && errno == EINTR)
		;
	return r < 0 ? -errno : r;
}

const struct pt_start_method pt_start_fork = {
	.name = "fork",
	.start = fork_start,
	.reap = fork_reap,
};

/* Reaps process task @k (@block: waits for it); true once it is reaped. */
static bool proc_reap(struct pt_team *t, struct pt_task *k, bool block)
{
	pid_t r = t->cfg.start->reap(t, k, block ? 0 : WNOHANG);

	if (r == 0)
		return false;
	/* An error (ECHILD) means there is nothing left to wait for. */
	if (r < 0)
		k->wstatus = 0;
	k->running = false;
	k->reaped = true;
	return true;
}

/* Reaps the team's worker process @w if it has ended; true once reaped. */
static bool proc_worker_gone(struct pt_team *t, struct pt_worker *w)
{
	if (!proc_reap(t, &w->task, false))
		return false;
	atomic_store_explicit(&w->slot->live, 0, memory_order_release);
	return true;
}

/* perf's create_worker(): the team's worker @w as a process (procs) or a
 * thread (every other concurrent model). */
static int start_worker(struct pt_team *t, struct pt_worker *w)
{
	int ret;

	/* Alive from the start on, for every process of the team
	 * (threading's is_alive() after start()). */
	atomic_store_explicit(&w->slot->live, 1, memory_order_release);
	if (t->cfg.model == PT_MODEL_PROCS)
		ret = t->cfg.start->start(t, w, &w->task, proc_entry, w);
	else
		ret = -pthread_create(&w->task.thread, NULL, thread_entry, w);
	if (ret)
		atomic_store_explicit(&w->slot->live, 0, memory_order_release);
	else
		w->task.running = true;
	return ret;
}

/* Waits for the team's worker @w to end and reaps it. */
static void reap_worker(struct pt_team *t, struct pt_worker *w)
{
	if (t->cfg.model == PT_MODEL_PROCS)
		proc_reap(t, &w->task, true);
	else
		pt_thread_join(w->task.thread);
	w->task.running = false;
	atomic_store_explicit(&w->slot->live, 0, memory_order_release);
}

int pt_team_spawn(struct pt_team *t)
{
	int ret = 0;

	for (int i = 0; i < t->nall; i++) {
		/* Serial bodies run in pt_team_go(), in the calling thread:
		 * there is no thread or process to join. */
		if (t->cfg.model != PT_MODEL_SERIAL) {
			ret = start_worker(t, &t->workers[i]);
			if (ret) {
				t->spawn_err = -ret;
				break;
			}
		}
		t->nspawned++;
	}
	if (!ret)
		return 0;

	pt_team_abort(t);
	return ret;
}

/* A child task's worker, in the task's own thread or process. */
static int task_run(struct pt_task *k)
{
	struct pt_worker c;
	char name[sizeof(c.name)];
	int rc;

	snprintf(name, sizeof(name), "%.17s-child", k->parent->name);
	pt_extra_init(&c, k->parent->team, name);
	c.daemon = false;
	c.arg = k->arg;
	pt_extra_enter(&c);
	/* Python's Thread/Process bootstrap, when modelled (lib/pystart.h). */
	pt_py_child(&c);
	rc = k->fn(&c);
	pt_extra_leave(&c);
	return rc;
}

static void *task_thread_entry(void *arg)
{
	struct pt_task *k = arg;

	k->status = task_run(k);
	return NULL;
}

static int task_proc_entry(void *arg)
{
	return task_run(arg) ? 1 : 0;
}

int pt_task_start(struct pt_worker *w, struct pt_task *k, pt_body_fn fn, void *arg)
{
	struct pt_team *t = w->team;
	int ret;

	memset(k, 0, sizeof(*k));
	k->fn = fn;
	k->arg = arg;
	k->parent = w;
	/* Thread()/Process() objects, start() and join(), when modelled. */
	pt_py_parent(w);
	if (t->cfg.model == PT_MODEL_PROCS)
		ret = t->cfg.start->start(t, NULL, k, task_proc_entry, k);
	else
		ret = -pthread_create(&k->thread, NULL, task_thread_entry, k);
	if (!ret)
		k->running = true;
	return ret;
}

int pt_task_join(struct pt_worker *w, struct pt_task *k)
{
	struct pt_team *t = w->team;
	int ret;

	if (!k->running)
		return -EINVAL;
	/* Joining waits outside the GIL, so a new thread can take it. */
	pt_block_begin(w);
	if (k->pid) {
		proc_reap(t, k, true);
		ret = 0;
	} else {
		ret = -pthread_join(k->thread, NULL);
		k->running = false;
	}
	pt_block_end(w);
	if (ret)
		return ret;
	if (!k->pid)
		return k->status;
	if (WIFEXITED(k->wstatus) && WEXITSTATUS(k->wstatus) <= 1)
		return WEXITSTATUS(k->wstatus) ? -EIO : 0;
	return -ECHILD;
}

int pt_team_prepare(struct pt_team *t)
{
	if (t->cfg.model != PT_MODEL_PROCS || !t->cfg.start->prepare)
		return 0;
	return t->cfg.start->prepare(t);
}

int pt_team_attach(struct pt_team *t, const struct pt_team_config *cfg, struct pt_arena *arena)
{
	memset(t, 0, sizeof(*t));
	if (cfg->model != PT_MODEL_PROCS || cfg->nworkers < 1 || cfg->neighbours < 0 ||
	    cfg->nworkers + cfg->neighbours > PT_MAX_WORKERS || cfg->ndaemons < 0 ||
	    cfg->ndaemons >= cfg->nworkers || !cfg->body ||
	    (cfg->neighbours && !cfg->neighbour_body))
		return -EINVAL;
	t->cfg = *cfg;
	if (!t->cfg.start)
		t->cfg.start = &pt_start_fork;
	t->nall = cfg->nworkers + cfg->neighbours;
	t->arena = *arena;
	t->arena.used = 0;
	if (carve(t))
		return -EINVAL;
	t->workers = calloc((size_t)t->nall, sizeof(*t->workers));
	if (!t->workers)
		return -ENOMEM;
	for (int i = 0; i < t->nall; i++)
		worker_init(t, &t->workers[i], i);
	return 0;
}

int pt_team_run_attached(struct pt_team *t, int id, pt_body_fn fn, void *arg)
{
	struct pt_task k = { .fn = fn, .arg = arg };

	if (id < 0 || id >= t->nall)
		return 127;
	if (!fn)
		return proc_entry(&t->workers[id]);
	k.parent = &t->workers[id];
	return task_proc_entry(&k);
}

void pt_team_set_daemons(struct pt_team *t, int n)
{
	if (n < 0 || n >= t->cfg.nworkers)
		n = 0;
	t->cfg.ndaemons = n;
	for (int i = 0; i < t->cfg.nworkers; i++)
		t->workers[i].daemon = i >= t->cfg.nworkers - n;
}


/* Lets the workers at the gate leave without running their bodies. */
static void abort_gate(struct pt_team *t)
{
	atomic_store_explicit(&t->sh->go, GATE_ABORT, memory_order_release);
	pt_futex_wake_as(&t->sh->go, INT32_MAX, words_shared(t));
}

void pt_team_abort(struct pt_team *t)
{
	/* Let the started workers leave the gate, then reap them. */
	abort_gate(t);
	for (int i = 0; i < t->nall; i++) {
		struct pt_worker *w = &t->workers[i];

		if (w->task.running)
			reap_worker(t, w);
	}
}

static void *helper_entry(void *arg)
{
	struct pt_helper_start *h = arg;

	h->fn(h->team, h->arg);
	return NULL;
}

bool pt_helper_wait_go(struct pt_team *t)
{
	uint32_t g;

	/* Short slices: the helpers' stop flag is not a futex word. */
	while ((g = atomic_load_explicit(&t->sh->go, memory_order_acquire)) == GATE_CLOSED &&
	       pt_helper_running(t))
		pt_futex_wait_as(&t->sh->go, GATE_CLOSED, 10 * PT_NSEC_PER_MSEC, words_shared(t));
	return g == GATE_OPEN;
}

int pt_team_helper(struct pt_team *t, pt_helper_fn fn, void *arg)
{
	struct pt_helper_start *h;
	int ret;

	if (t->nhelpers >= PT_MAX_HELPERS)
		return -ENOSPC;
	h = &t->helper_args[t->nhelpers];
	*h = (struct pt_helper_start){ .team = t, .fn = fn, .arg = arg };
	ret = pthread_create(&t->helpers[t->nhelpers], NULL, helper_entry, h);
	if (ret)
		return -ret;
	t->nhelpers++;
	return 0;
}

/* Waits until every forked worker is at the gate, watching them as the join
 * does: false when one died before it got there, which would otherwise
 * hold the gate shut until the driver's timeout. */
static bool procs_at_gate(struct pt_team *t)
{
	for (;;) {
		uint32_t r = atomic_load_explicit(&t->sh->ready, memory_order_acquire);
		int at = 0;

		for (int i = 0; i < t->nall; i++) {
			struct pt_worker *w = &t->workers[i];

			if (atomic_load_explicit(&w->slot->at_gate, memory_order_acquire))
				at++;
			else if (!w->task.running || proc_worker_gone(t, w))
				return false;
		}
		if (at >= t->nspawned)
			return true;
		/* Woken by each arrival; a death is seen within 2 ms. */
		pt_futex_wait_as(&t->sh->ready, r, 2 * PT_NSEC_PER_MSEC, words_shared(t));
	}
}

void pt_team_go(struct pt_team *t)
{
	struct pt_shared *sh = t->sh;
	uint32_t r;

	if (t->cfg.model == PT_MODEL_SERIAL) {
		sh->t0_ns = pt_now_ns();
		atomic_store_explicit(&sh->go, GATE_OPEN, memory_order_release);
		for (int i = 0; i < t->nall; i++)
			worker_main(&t->workers[i], PT_USAGE_THREAD, false);
		return;
	}
	/* Every worker reports ready, then the clock starts and the gate opens
	 * (perf sched-messaging's ready(); userspace-rcu's go flag). */
	if (t->cfg.model == PT_MODEL_PROCS) {
		if (!procs_at_gate(t)) {
			abort_gate(t);
			return;
		}
	} else {
		while ((r = atomic_load_explicit(&sh->ready, memory_order_acquire)) <
		       (uint32_t)t->nspawned)
			pt_futex_wait_as(&sh->ready, r, 0, words_shared(t));
	}
	sh->t0_ns = pt_now_ns();
	atomic_store_explicit(&sh->go, GATE_OPEN, memory_order_release);
	pt_futex_wake_as(&sh->go, INT32_MAX, words_shared(t));
}

bool pt_worker_is_alive(const struct pt_team *t, int i)
{
	/* The shared slot, not the spawner's bookkeeping: in a forked worker
	 * that is a copy taken when it was forked. */
	return atomic_load_explicit(&t->slots[i].live, memory_order_acquire);
}

bool pt_worker_join(struct pt_team *t, int i, uint64_t timeout_ns)
{
	_Atomic uint32_t *done = &t->slots[i].done;
	uint64_t deadline = timeout_ns ? pt_now_ns() + timeout_ns : 0, now;

	while (!atomic_load_explicit(done, memory_order_acquire)) {
		if (t->cfg.model == PT_MODEL_PROCS) {
			/* A crashed child never sets done. Its spawner asks the
			 * kernel; another process of the team (a worker, whose
			 * copy of the spawner's bookkeeping names processes
			 * that are not its children) sees the spawner clear
			 * live once it has reaped the child. */
			if (t->spawner == getpid() ? !t->workers[i].task.running ||
							     proc_worker_gone(t, &t->workers[i])
						   : !pt_worker_is_alive(t, i))
				return true;
			if (deadline && pt_now_ns() >= deadline)
				return false;
			pt_futex_wait_as(done, 0, 2 * PT_NSEC_PER_MSEC, words_shared(t));
			continue;
		}
		if (!deadline) {
			pt_futex_wait_as(done, 0, 0, words_shared(t));
			continue;
		}
		now = pt_now_ns();
		if (now >= deadline)
			return false;
		pt_futex_wait_as(done, 0, deadline - now, words_shared(t));
	}
	return true;
}

int pt_enumerate(const struct pt_team *t, const struct pt_worker **out, int max)
{
	int n = 0;

	for (int i = 0; i < t->cfg.nworkers; i++) {
		if (!pt_worker_is_alive(t, i))
			continue;
		if (n < max)
			out[n] = &t->workers[i];
		n++;
	}
	return n;
}

int pt_active_count(const struct pt_team *t)
{
	return pt_enumerate(t, NULL, 0);
}

static void stop_daemons_and_helpers(struct pt_team *t)
{
	atomic_store_explicit(&t->sh->stop, 1, memory_order_release);
	for (int i = 0; i < t->nall; i++) {
		struct pt_worker *w = &t->workers[i];

		if (!w->daemon || !w->task.running)
			continue;
		if (t->cfg.model == PT_MODEL_PROCS) {
			/* Daemon processes are stopped, like multiprocessing's
			 * daemonic children at exit. */
			kill(w->task.pid, SIGKILL);
			reap_worker(t, w);
		} else if (pt_worker_join(t, i, 100 * PT_NSEC_PER_MSEC)) {
			reap_worker(t, w);
		} else {
			/* A daemon thread that ignores the stop flag dies with
			 * the point's process, as Python's do at exit. Until
			 * then it may touch the team. */
			pt_thread_detach(w->task.thread);
			w->task.running = false;
			t->abandoned = true;
		}
	}
	atomic_store_explicit(&t->sh->helpers_stop, 1, memory_order_release);
	for (int i = 0; i < t->nhelpers; i++)
		pt_thread_join(t->helpers[i]);
	t->nhelpers = 0;
}

/* How long the siblings of a forked worker that died of a signal may take to
 * finish on their own, before they are taken to be waiting for it. */
#define PT_CRASH_GRACE_NS (1000 * PT_NSEC_PER_MSEC)

/* Waits for the forked non-daemon workers, watching them all: when one dies
 * of a signal, its siblings may wait for it forever (at a barrier, on an
 * event), where a thread's segfault would have taken them along. Those not
 * done within PT_CRASH_GRACE_NS are killed too, so the point ends as crashed
 * at once instead of at the driver's timeout. 0 or -ETIMEDOUT. */
static int join_procs(struct pt_team *t, uint64_t deadline)
{
	uint64_t crash_ns = 0;

	for (;;) {
		_Atomic uint32_t *wait_on = NULL;

		for (int i = 0; i < t->nall; i++) {
			struct pt_worker *w = &t->workers[i];

			if (w->daemon || !w->task.running)
				continue;
			if (atomic_load_explicit(&t->slots[i].done, memory_order_acquire)) {
				reap_worker(t, w); /* returned: exiting now */
			} else if (!proc_worker_gone(t, w)) {
				if (!wait_on)
					wait_on = &t->slots[i].done;
				continue;
			}
			if (WIFSIGNALED(w->task.wstatus) && !crash_ns)
				crash_ns = pt_now_ns();
		}
		if (!wait_on)
			return 0;
		if (crash_ns && pt_now_ns() - crash_ns >= PT_CRASH_GRACE_NS) {
			for (int i = 0; i < t->nall; i++) {
				struct pt_worker *w = &t->workers[i];

				if (!w->daemon && w->task.running) {
					kill(w->task.pid, SIGKILL);
					reap_worker(t, w);
				}
			}
			return 0;
		}
		if (deadline && pt_now_ns() >= deadline)
			return -ETIMEDOUT;
		/* Woken when that worker returns; a crash is seen within 2 ms. */
		pt_futex_wait_as(wait_on, 0, 2 * PT_NSEC_PER_MSEC, words_shared(t));
	}
}

int pt_team_join(struct pt_team *t, uint64_t timeout_ns)
{
	uint64_t deadline = timeout_ns ? pt_now_ns() + timeout_ns : 0;

	if (t->cfg.duration_ns && t->cfg.model != PT_MODEL_SERIAL) {
		uint64_t end = t->sh->t0_ns + t->cfg.duration_ns, now = pt_now_ns();

		if (end > now)
			pt_sleep_ns(end - now);
		t->sh->stop_ns = pt_now_ns();
		atomic_store_explicit(&t->sh->stop, 1, memory_order_release);
	}
	if (t->cfg.model == PT_MODEL_PROCS) {
		int ret = join_procs(t, deadline);

		if (ret)
			return ret;
	}
	for (int i = 0; i < t->nall; i++) {
		struct pt_worker *w = &t->workers[i];
		uint64_t left = 0, now;

		if (w->daemon || !w->task.running)
			continue;
		if (deadline) {
			now = pt_now_ns();
			if (now >= deadline)
				return -ETIMEDOUT;
			left = deadline - now;
		}
		if (!pt_worker_join(t, i, left))
			return -ETIMEDOUT;
		if (w->task.running)
			reap_worker(t, w);
	}
	stop_daemons_and_helpers(t);
	return 0;
}

/* The workload's own view of each of its workers. */
static void collect_workers(const struct pt_team *t, struct pt_team_stats *st)
{
	uint64_t stop = t->sh->stop_ns, last = 0;

	st->nworkers = t->cfg.nworkers;
	for (int i = 0; i < t->cfg.nworkers; i++) {
		const struct pt_slot *s = &t->slots[i];
		struct pt_worker_figures *f = &st->worker[i];

		f->name = t->workers[i].name;
		/* A daemon thread still running (abandoned) writes its slot
		 * yet: its figures are not final, and not read. A forked
		 * worker has been reaped by now. */
		if (t->cfg.model != PT_MODEL_PROCS &&
		    !atomic_load_explicit(&s->done, memory_order_acquire))
			continue;
		f->ops = s->ops;
		for (int m = 0; m < PT_MAX_METRICS; m++) {
			f->metric[m] = s->metric[m];
			st->metric_sum[m] += s->metric[m];
		}
		if (s->t_end_ns > last)
			last = s->t_end_ns;
	}
	st->stop_lag_ns = stop && last > stop ? last - stop : 0;
}

/* A reaped worker process that was killed or exited without returning:
 * counted as such (true), or not (false: it returned). */
static bool collect_dead(const struct pt_worker *w, struct pt_slot *s,
			 struct pt_team_stats *st, bool *first_killed)
{
	int ws = w->task.wstatus;

	if (WIFSIGNALED(ws)) {
		/* The worker that crashed, rather than the siblings
		 * join_procs() killed after it. */
		st->crashed++;
		if (!st->first_msg || (*first_killed && WTERMSIG(ws) != SIGKILL)) {
			st->first_msg = strsignal(WTERMSIG(ws));
			*first_killed = WTERMSIG(ws) == SIGKILL;
		}
		return true;
	}
	if (atomic_load_explicit(&s->done, memory_order_acquire))
		return false;
	st->exited++;
	snprintf(s->msg, sizeof(s->msg), "%s exited (status %d) without returning", w->name,
		 WEXITSTATUS(ws));
	if (!st->first_msg)
		st->first_msg = s->msg;
	return true;
}

static void add_gil(struct pt_gil_stats *sum, const struct pt_gil_stats *g)
{
	sum->acquisitions += g->acquisitions;
	sum->switches += g->switches;
	sum->drop_requests += g->drop_requests;
	sum->yields += g->yields;
	sum->wait_ns += g->wait_ns;
	if (g->wait_max_ns > sum->wait_max_ns)
		sum->wait_max_ns = g->wait_max_ns;
}

int pt_team_collect(struct pt_team *t, struct pt_team_stats *st)
{
	uint64_t t_end = 0;
	bool first = true, first_killed = false;
	int first_err = 0;

	memset(st, 0, sizeof(*st));
	for (int i = 0; i < t->nall; i++) {
		struct pt_worker *w = &t->workers[i];
		struct pt_slot *s = &t->slots[i];

		if (t->cfg.model == PT_MODEL_PROCS && w->task.reaped && !w->daemon &&
		    collect_dead(w, s, st, &first_killed))
			continue;
		if (w->daemon)
			continue;
		if (s->status) {
			if (!st->failed)
				first_err = s->status < 0 ? s->status : -EIO;
			st->failed++;
			if (!st->first_msg)
				st->first_msg = s->msg;
		}
		if (s->bind_err)
			st->bind_failed++;
		if (s->t_end_ns > t_end)
			t_end = s->t_end_ns;
		pt_usage_add(&st->usage, &s->usage);
		st->ops += s->ops;
		if (first || s->ops < st->ops_min)
			st->ops_min = s->ops;
		if (first || s->ops > st->ops_max)
			st->ops_max = s->ops;
		first = false;
		add_gil(&st->gil, &s->gil);
		pt_ft_stats_add(&st->ft, &s->ft);
		pt_hist_merge(&st->lat, &s->lat);
	}
	collect_workers(t, st);
	if (t->cfg.duration_ns && t->sh->stop_ns)
		st->wall_ns = t->sh->stop_ns - t->sh->t0_ns;
	else if (t_end > t->sh->t0_ns)
		st->wall_ns = t_end - t->sh->t0_ns;
	if (st->crashed || st->exited)
		return -ECHILD;
	return st->failed ? first_err : 0;
}

bool pt_team_intact(const struct pt_team *t)
{
	for (int i = 0; i < t->cfg.nworkers; i++) {
		const struct pt_worker *w = &t->workers[i];

		if (w->task.running || (w->task.reaped && WIFSIGNALED(w->task.wstatus)))
			return false;
	}
	return true;
}

void pt_team_stop(struct pt_team *t)
{
	if (t->stopped)
		return;
	t->stopped = true;
	if (t->nhelpers)
		stop_daemons_and_helpers(t);
	for (int i = 0; t->workers && i < t->nall; i++) {
		struct pt_worker *w = &t->workers[i];

		if (!w->task.running)
			continue;
		if (t->cfg.model == PT_MODEL_PROCS) {
			kill(w->task.pid, SIGKILL);
			reap_worker(t, w);
		} else {
			/* A join timed out: the thread runs on, in the team's
			 * memory. */
			pt_thread_detach(w->task.thread);
			w->task.running = false;
			t->abandoned = true;
		}
	}
	if (t->cfg.start && t->cfg.start->stop)
		t->cfg.start->stop(t);
}

void pt_team_destroy(struct pt_team *t)
{
	pt_team_stop(t);
	/* Never free what a running thread may touch: the point's process
	 * exits soon and takes it along. */
	if (t->abandoned)
		return;
	if (t->gil_inited)
		pt_gil_destroy(&t->gil);
	if (t->ft_inited)
		pt_ft_destroy(&t->ft);
	free(t->workers);
	pt_arena_destroy(&t->arena);
	memset(t, 0, sizeof(*t));
}

void pt_note_dead_process(const char *what, pid_t pid)
{
	struct pt_worker *w = current;
	const char *name = "a process";

	if (!w || !w->slot || w->slot->msg[0])
		return;
	for (int i = 0; i < w->team->nall; i++)
		if (pid > 0 && w->team->slots[i].pid == pid)
			name = w->team->workers[i].name;
	snprintf(w->slot->msg, sizeof(w->slot->msg), "%s: %s broken: %s (pid %d) died in it",
		 w->name, what, name, (int)pid);
}

/* Out of line, so that the other models' slow path stays as it was. */
static __attribute__((noinline)) void ft_batch_end(struct pt_worker *w)
{
	w->own_ticks = pt_ft_ticks(w->ft);
}

void pt_tick_slow(struct pt_worker *w)
{
	/* The private counter only counts down to wrap around, except under
	 * ft, where it counts the ticks of a batch (ft has no GIL to check). */
	if (w->own_ticks <= 0) {
		if (w->ft) {
			ft_batch_end(w);
			return;
		}
		w->own_ticks = INT_MAX;
	}
	/* pt_tick() has counted the tick already (under the old policy its
	 * counter is the holder's ticks_left): only the GIL's check is left. */
	if (w->gt && pt_gil_due(w->gt))
		pt_gil_yield(w->gt);
}

void pt_block_begin(struct pt_worker *w)
{
	if (!w)
		w = current;
	if (!w)
		return;
	if (w->block_depth++ == 0 && w->gt && w->gt->held) {
		w->block_released = true;
		pt_gil_release(w->gt);
	}
}

void pt_block_end(struct pt_worker *w)
{
	if (!w)
		w = current;
	if (!w)
		return;
	if (--w->block_depth == 0 && w->block_released) {
		w->block_released = false;
		pt_gil_acquire(w->gt);
	}
}

void pt_extra_init(struct pt_worker *x, struct pt_team *t, const char *name)
{
	memset(x, 0, sizeof(*x));
	worker_init(t, x, -1);
	x->daemon = true;
	snprintf(x->name, sizeof(x->name), "%s", name);
}

void pt_extra_enter(struct pt_worker *x)
{
	current = x;
	if (x->gt)
		pt_gil_acquire(x->gt);
}

void pt_extra_leave(struct pt_worker *x)
{
	if (x->gt && x->gt->held)
		pt_gil_release(x->gt);
	current = NULL;
}
