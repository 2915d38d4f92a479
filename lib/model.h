/* SPDX-License-Identifier: MIT */
/* One spawn/join API over the execution models: serial, threads, procs
 * (fork()ed children), gil and gil-old (threads under a simulated GIL), ft
 * (threads paying free-threaded CPython's costs, lib/objects.h).
 * Workers meet at a start gate, run the same body under every model, and
 * leave their figures in their own cache-line-aligned slot of a shared
 * arena. Workloads see only struct pt_worker and the hooks below. */
#ifndef PT_MODEL_H
#define PT_MODEL_H

#include "clock.h"
#include "gil.h"
#include "hist.h"
#include "objects.h"
#include "shm.h"
#include "work.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum pt_model {
	PT_MODEL_SERIAL,
	PT_MODEL_THREADS,
	PT_MODEL_PROCS,
	PT_MODEL_GIL,
	PT_MODEL_GIL_OLD,
	PT_MODEL_FT,
	PT_MODEL_COUNT
};

#define PT_MODEL_BIT(m) (1u << (m))
#define PT_MODELS_ALL ((1u << PT_MODEL_COUNT) - 1)
#define PT_MODELS_CONCURRENT (PT_MODELS_ALL & ~PT_MODEL_BIT(PT_MODEL_SERIAL))

const char *pt_model_name(enum pt_model m);
/* Returns 0 and sets *@out, or -EINVAL for an unknown name. */
int pt_model_parse(const char *name, enum pt_model *out);
const char *pt_model_summary(enum pt_model m);
static inline bool pt_model_has_gil(enum pt_model m)
{
	return m == PT_MODEL_GIL || m == PT_MODEL_GIL_OLD;
}

#define PT_MAX_WORKERS 4096
#define PT_MAX_METRICS 8
#define PT_MSG_LEN 160

/* One worker's figures. Lives in the shared arena so that a forked worker's
 * writes reach the parent. */
struct pt_slot {
	_Alignas(PT_CACHELINE) _Atomic uint32_t done; /* futex word: body returned */
	/* is_alive, as every process of the team sees it: set by the spawner
	 * before the start, cleared when the body returns or the worker's
	 * process is reaped. */
	_Atomic uint32_t live;
	_Atomic uint32_t at_gate;	/* the worker reached the start gate */
	int status;		/* body's return: 0 or a negative errno */
	char msg[PT_MSG_LEN];	/* why it failed, when it did */
	uint64_t ops;
	uint64_t t_start_ns, t_end_ns;
	struct pt_usage usage;	/* this worker's own CPU time and switches */
	struct pt_gil_stats gil;
	struct pt_ft_stats ft;	/* the ft model's own counters */
	int bind_err;		/* 0, or the errno of a failed binding */
	pid_t pid;		/* the worker's process (names a dead one) */
	double metric[PT_MAX_METRICS]; /* workload-defined, per worker */
	struct pt_hist lat;	/* latency samples, when the workload has them */
};

/* Arena header shared by every worker of a team. */
struct pt_shared {
	_Alignas(PT_CACHELINE) _Atomic uint32_t ready; /* workers at the gate */
	_Alignas(PT_CACHELINE) _Atomic uint32_t go;    /* 1: gate open */
	_Alignas(PT_CACHELINE) _Atomic uint32_t stop;  /* cooperative termination */
	_Atomic uint32_t helpers_stop;
	uint64_t t0_ns;	  /* gate opened */
	uint64_t stop_ns; /* stop flag raised (fixed-time runs) */
};

struct pt_team;
struct pt_worker;

/* A worker's body: 0 or a negative errno. */
typedef int (*pt_body_fn)(struct pt_worker *w);

/* A thread or process the core started, as its spawner sees it
 * (process-local). */
struct pt_task {
	pthread_t thread;
	pid_t pid;		/* a process; 0 for a thread */
	int wstatus;		/* a reaped process's wait status */
	bool running;		/* started, not yet joined or reaped */
	bool reaped;		/* a process: wstatus holds its wait status */
	/* A child task's target (pt_task_start). */
	pt_body_fn fn;
	void *arg;
	struct pt_worker *parent;
	int status;		/* a child thread's fn result */
};

struct pt_worker {
	int id;
	int nworkers;
	enum pt_model model;
	bool daemon;
	bool neighbour;		/* a CPU-bound neighbour, not the workload's */
	char name[24];		/* "Worker-1", like threading's "Thread-1" */
	struct pt_team *team;
	struct pt_slot *slot;
	struct pt_gil_thread *gt; /* NULL when the model has no GIL */
	_Atomic int *tick_flag;	  /* pt_tick(): the drop request, or a 0 */
	int *tick_count;	  /* pt_tick(): ticks to the next slow path */
	int own_ticks;
	int block_depth;	  /* nesting of blocking sections */
	bool block_released;	  /* the outermost section released the GIL */
	void *arg;		  /* the team's config arg (a workload context) */
	int bind_pu;		  /* OS index of the PU to bind to, or -1 */
	struct pt_task task;	  /* the spawner's bookkeeping */
	struct pt_gil_thread gil_state;
	struct pt_ft_thread *ft;  /* NULL unless the model is ft */
	struct pt_ft_thread ft_state;
};

/* What a started process runs; its return is the process's exit status. */
typedef int (*pt_proc_main_fn)(void *arg);

/* How the core starts a process: multiprocessing's start methods. The core
 * has `fork` (pt_start_fork); others (forkserver, spawn) plug in here and
 * are chosen per team (cfg.start). Every process a team starts, its workers
 * and pt_task_start()'s children alike, goes through these two calls. */
struct pt_start_method {
	const char *name;
	/* Starts a process that runs @main(@arg) and exits with its return;
	 * @w is the team worker it runs, or NULL for a child task. Sets
	 * @k->pid. Returns 0 or a negative errno. */
	int (*start)(struct pt_team *t, struct pt_worker *w, struct pt_task *k,
		     pt_proc_main_fn main, void *arg);
	/* waitpid(@k->pid, &@k->wstatus, @flags), retried on EINTR: @k->pid
	 * once reaped, 0 (WNOHANG: still running), or a negative errno. */
	pid_t (*reap)(struct pt_team *t, struct pt_task *k, int flags);
	/* Optional: the team is being destroyed, its processes are reaped:
	 * release what the method keeps for it (a server process). */
	void (*stop)(struct pt_team *t);
	/* Its processes exec: the arena must be reachable by a descriptor. */
	bool arena_fd;
	/* Optional, from pt_team_prepare(): before the workload's setup. */
	int (*prepare)(struct pt_team *t);
};

extern const struct pt_start_method pt_start_fork;
/* Binds the calling thread (or, for a forked worker, its whole process) to
 * the PU with OS index @pu_os; 0 or a negative errno. */
typedef int (*pt_bind_fn)(void *ctx, int pu_os, bool whole_process);
typedef void (*pt_helper_fn)(struct pt_team *t, void *arg);

struct pt_team_config {
	enum pt_model model;
	int nworkers;
	int ndaemons;		/* the last ndaemons workers are daemons */
	pt_body_fn body;
	void *arg;
	struct pt_gil_config gil;
	const int *bind_pus;	/* NULL, or one OS PU index (or -1) per worker */
	pt_bind_fn bind;	/* called by each worker with its bind_pus entry */
	void *bind_ctx;
	size_t shared_size;	/* extra arena bytes for the workload (zeroed) */
	uint64_t duration_ns;	/* fixed-time run: raise stop after this long */
	int neighbours;		/* extra daemon workers beside the workload's (not
				 * serial), left out of its figures... */
	pt_body_fn neighbour_body; /* ...running this (the driver's CPU-bound
				    * --cpu-neighbours body) */
	const struct pt_start_method *start; /* procs; NULL: pt_start_fork */
	/* What a process started by exec (the spawn start method) needs to
	 * rebuild the workload's side of the point: an opaque string from the
	 * caller, handed to the new process (see lib/start.h). */
	const char *spawn_args;
	struct pt_ft_config ft;	/* the ft model's objects and tax */
};

#define PT_MAX_HELPERS 4

struct pt_team {
	struct pt_team_config cfg;
	struct pt_arena arena;
	struct pt_shared *sh;
	struct pt_slot *slots;
	void *shared;		/* cfg.shared_size bytes in the arena */
	struct pt_worker *workers;
	int nall;		/* nworkers + neighbours */
	struct pt_gil gil;
	bool gil_inited;
	struct pt_ft ft;
	bool ft_inited;
	int nspawned;
	pthread_t helpers[PT_MAX_HELPERS];
	struct pt_helper_start {
		struct pt_team *team;
		pt_helper_fn fn;
		void *arg;
	} helper_args[PT_MAX_HELPERS];
	int nhelpers;
	int spawn_err;		/* errno of a failed spawn */
	/* A thread may still run (a join timed out, a daemon ignored the stop
	 * flag): pt_team_destroy() leaves its memory alone. */
	bool abandoned;
	bool stopped;		/* pt_team_stop() has run */
	pid_t spawner;		/* the process that spawns (and reaps) the workers */
};

/* Maps the arena and prepares the slots. Returns 0 or a negative errno. */
int pt_team_init(struct pt_team *t, const struct pt_team_config *cfg);
/* Once what the workers reach through cfg.arg is in place, before the
 * workload's setup makes its process-local state: lets a procs team's start
 * method start what must not inherit that state (forkserver's server, as
 * small as Python's). 0 or a negative errno. */
int pt_team_prepare(struct pt_team *t);
/* Starts every worker; they wait at the gate. On failure part way, the
 * workers already started are stopped and reaped; returns a negative errno. */
int pt_team_spawn(struct pt_team *t);
/* Runs @fn(t, @arg) in a helper thread of the spawning process, outside any
 * model and GIL, until pt_helper_running() turns false after the join. */
int pt_team_helper(struct pt_team *t, pt_helper_fn fn, void *arg);
static inline bool pt_helper_running(const struct pt_team *t)
{
	return !atomic_load_explicit(&t->sh->helpers_stop, memory_order_acquire);
}
/* Makes the last @n workers daemons (before pt_team_spawn). */
void pt_team_set_daemons(struct pt_team *t, int n);
/* After a successful spawn, when the run cannot go on: the workers leave the
 * gate without running their bodies and are reaped. */
void pt_team_abort(struct pt_team *t);
/* For a helper: waits until the gate opened (true), or the run was
 * aborted or the helpers stopped before it did (false). */
bool pt_helper_wait_go(struct pt_team *t);
/* Opens the gate once every worker is at it (the clock starts here); the
 * serial model runs its bodies here, one after another. A forked worker
 * that dies before it reaches the gate is seen while waiting (as the join
 * sees one): the gate is then aborted, its siblings leave without running,
 * and the join and collect report the point as crashed at once. */
void pt_team_go(struct pt_team *t);
/* Waits until every non-daemon worker returned (procs: reaped), at most
 * @timeout_ns (0: no limit); then stops daemons and helpers.
 * Returns 0, or -ETIMEDOUT. */
int pt_team_join(struct pt_team *t, uint64_t timeout_ns);
/* Stops what is left of the team and frees nothing: its helpers and
 * daemons are stopped, worker processes still running are killed and
 * reaped, the start method's server is stopped, and a thread still running
 * (a join that timed out, a daemon that ignored the stop flag) is detached:
 * the team is then abandoned. Afterwards nothing of the team runs but
 * abandoned threads, so a workload's teardown may release what its workers
 * used unless pt_team_abandoned(). Idempotent. */
void pt_team_stop(struct pt_team *t);
/* pt_team_stop(), then frees the team, except memory a thread that could
 * not be joined may still touch (the workers, the arena, the GIL): then the
 * team is abandoned, its memory left for the process's exit, and @t must
 * stay valid and not be reused. */
void pt_team_destroy(struct pt_team *t);
/* After pt_team_stop(): a thread of the team may still run, so the memory
 * it may touch (the workload's state too, and @t itself) must not be freed
 * nor the descriptors it uses closed; the point's process should just
 * exit. */
static inline bool pt_team_abandoned(const struct pt_team *t)
{
	return t->abandoned;
}
/* After the join: false when a worker is still running or a forked one was
 * killed by a signal. Then process-shared objects in the arena must not be
 * destroyed: glibc's pthread_cond_destroy() waits for every thread that
 * entered the condition variable to leave it (nptl/pthread_cond_destroy.c),
 * which a killed waiter never does. The arena goes with the team anyway. */
bool pt_team_intact(const struct pt_team *t);

/* One of the workload's workers, as its finish() sees it. */
struct pt_worker_figures {
	const char *name;
	uint64_t ops;
	double metric[PT_MAX_METRICS];
};

/* Point-level figures built from the slots: what a workload's finish()
 * reads, so that it never reads the slots itself. */
struct pt_team_stats {
	uint64_t wall_ns;	/* gate to last worker's end (or to stop) */
	struct pt_usage usage;	/* summed over workers */
	uint64_t ops, ops_min, ops_max;
	struct pt_gil_stats gil; /* summed; wait_max_ns is the max */
	struct pt_ft_stats ft;	/* summed */
	struct pt_hist lat;	/* merged */
	int failed;		/* workers whose body failed */
	int crashed;		/* procs: workers killed by a signal */
	int exited;		/* procs: workers that exited without returning */
	int bind_failed;	/* workers whose binding failed */
	const char *first_msg;	/* the first failing worker's message */
	/* Over every worker of the workload (daemons too, neighbours not): */
	double metric_sum[PT_MAX_METRICS];
	uint64_t stop_lag_ns;	/* fixed-time: stop flag to the last one's end */
	int nworkers;
	struct pt_worker_figures worker[PT_MAX_WORKERS]; /* by id, nworkers of them */
};
/* Fills @st; returns 0 when every worker succeeded, else a negative errno:
 * -ECHILD when a worker process died of a signal or exited without
 * returning, or the first failing worker's error. @st->lat is large:
 * callers keep it off small stacks. */
int pt_team_collect(struct pt_team *t, struct pt_team_stats *st);

/* --- Thread API of the source material, on the core's workers --- */

/* The worker running the calling thread, or NULL (threading.current_thread). */
struct pt_worker *pt_current(void);
/* The workload's workers alive (threading.active_count(); the same count as
 * pt_enumerate, so neighbours are not in it). */
int pt_active_count(const struct pt_team *t);
/* Waits for worker @i at most @timeout_ns (0: forever); returns true when it
 * has finished (Thread.join(timeout) followed by not is_alive()). */
bool pt_worker_join(struct pt_team *t, int i, uint64_t timeout_ns);
bool pt_worker_is_alive(const struct pt_team *t, int i);
/* The workload's workers still alive, in id order, at most @max of them
 * into @out (threading.enumerate); returns how many there are. */
int pt_enumerate(const struct pt_team *t, const struct pt_worker **out, int max);

/* --- Spawning one worker (perf's create_worker()) --- */

/* Starts @fn under @w's model, as threading.Thread(target=fn).start() or
 * multiprocessing.Process(target=fn).start() would: a process by the team's
 * start method under procs, a thread otherwise. @fn runs as a worker of its
 * own ("<parent>-child": no slot, the parent's arg replaced by @arg); under a
 * GIL it takes the GIL to run and gives it back as it ends, as a Python
 * thread's bootstrap does. The one place, with the team's own spawn, that
 * knows a thread from a process. 0 or a negative errno. */
int pt_task_start(struct pt_worker *w, struct pt_task *k, pt_body_fn fn, void *arg);
/* Thread.join() / Process.join(), a blocking section: @fn's result for a
 * thread or a process that exited 0 or 1 (a failing process exits 1:
 * -EIO), -ECHILD for a process killed by a signal or exiting otherwise. */
int pt_task_join(struct pt_worker *w, struct pt_task *k);

/* A primitive the calling worker uses was broken by the death of process
 * @pid inside it: says so in the worker's message (unless it has one),
 * naming the worker that process ran. */
void pt_note_dead_process(const char *what, pid_t pid);

/* --- Hooks a workload calls; the model gives them meaning --- */

void pt_tick_slow(struct pt_worker *w);

/* Cooperative termination: false once the run is asked to stop. */
static inline bool pt_running(const struct pt_worker *w)
{
	return !atomic_load_explicit(&w->team->sh->stop, memory_order_relaxed);
}

/* One bytecode-sized slice of work done: the eval-loop check at a
 * back-edge. It executes the same instructions under every model (a flag
 * load, a counter decrement, one branch), so that the models' loops differ
 * only in what the slow path does: under the new GIL the flag is the drop
 * request; under the old one the counter is the holder's ticks to its next
 * periodic release; under ft it counts down the batch of ticks whose
 * object touches and tax pt_ft_ticks() pays at its end; elsewhere the flag
 * stays 0 and the counter only wraps. */
static inline void pt_tick(struct pt_worker *w)
{
	int flag = atomic_load_explicit(w->tick_flag, memory_order_relaxed);
	int left = --*w->tick_count;

	if (__builtin_expect(flag | (left <= 0), 0))
		pt_tick_slow(w);
}

/* Counts @n down in slices of @tick iterations with a tick after each:
 * a CPU-bound Python loop reaching its back-edge. */
static inline void pt_count_down_ticking(struct pt_worker *w, uint64_t n, uint64_t tick)
{
	while (n > 0) {
		uint64_t k = n < tick ? n : tick;

		n -= k;
		pt_count_down(k);
		pt_tick(w);
	}
}

/* Counts down in slices of @tick iterations with a tick after each until the
 * run is asked to stop (a fixed-time CPU-bound worker); returns the
 * iterations counted. */
static inline uint64_t pt_count_down_until_stopped(struct pt_worker *w, uint64_t tick)
{
	uint64_t counted = 0;

	while (pt_running(w)) {
		pt_count_down(tick);
		counted += tick;
		pt_tick(w);
	}
	return counted;
}

/* Around every blocking call (I/O, sleep, waiting on a primitive): under a
 * GIL releases it and takes it back afterwards (Py_BEGIN_ALLOW_THREADS /
 * Py_END_ALLOW_THREADS). Nests. @w may be NULL: the calling thread's worker. */
void pt_block_begin(struct pt_worker *w);
void pt_block_end(struct pt_worker *w);

/* --- A team's process started by exec (the spawn start method) --- */

/* Rebuilds in a fresh process the view of a team whose arena is attached
 * already (@arena, at its spawner's address): the slots, the shared region
 * and every worker, as pt_team_init() laid them out for @cfg. Nothing is
 * started. Returns 0 or a negative errno. */
int pt_team_attach(struct pt_team *t, const struct pt_team_config *cfg, struct pt_arena *arena);
/* In that process: the life of worker @id (@fn NULL), or of a child task of
 * worker @id running @fn(@arg) (pt_task_start). Returns the process's exit
 * status, as the fork start method's child would exit. */
int pt_team_run_attached(struct pt_team *t, int id, pt_body_fn fn, void *arg);

/* --- Extra threads of a worker's process --- */

/* A thread that runs Python-level code beside a team's workers without being
 * one of them: multiprocessing.Queue's feeder thread, an executor's
 * submitter. pt_extra_init() gives @x the team's model and a GIL state of its
 * own, so pt_tick() and blocking sections work in it; pt_extra_enter(), in
 * that thread, makes @x its current worker and takes the GIL as a new Python
 * thread does; pt_extra_leave() gives it back. Its figures are not counted. */
void pt_extra_init(struct pt_worker *x, struct pt_team *t, const char *name);
void pt_extra_enter(struct pt_worker *x);
void pt_extra_leave(struct pt_worker *x);

#endif
