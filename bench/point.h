/* SPDX-License-Identifier: MIT */
/* A point of the plan (workload x model x workers x placement x parameters)
 * and the figures of one repetition of it. pt_point_exec() runs a
 * repetition in a child process of the driver, so a crash or hang under any
 * model is contained. */
#ifndef PT_POINT_H
#define PT_POINT_H

#include "noise.h"
#include "param.h"
#include "start.h"
#include "topo.h"
#include "workload.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

/* PT_ST_NOT_RUN is a point's, never a repetition's: a run cut short (a
 * signal, the budget) before the point ran at all. */
enum pt_status { PT_ST_OK, PT_ST_FAILED, PT_ST_CRASHED, PT_ST_TIMEOUT, PT_ST_SKIPPED,
		 PT_ST_NOT_RUN };
const char *pt_status_name(enum pt_status s);

struct pt_point {
	const struct pt_workload *wl;
	enum pt_model model;
	int nworkers;
	enum pt_bind bind;
	struct pt_params params;
	unsigned switch_interval_us; /* GIL models only, else 0 */
	unsigned check_interval;     /* gil-old only, else 0 */
	int neighbours;		     /* CPU-bound neighbours (--cpu-neighbours) */
	const struct pt_start_method *start; /* procs: --start (fork, forkserver,
					      * spawn); NULL for other models */
	struct pt_ft_config ft;	     /* ft only (--shared, --container, --ft-tax), else 0 */
	bool quick;
	uint64_t size; /* the amount its pilots chose (wl->size param); 0: not sized */
};

struct pt_result {
	enum pt_status status;
	char msg[2 * PT_MSG_LEN];
	double wall_s, user_s, sys_s;
	uint64_t ops;
	double ops_per_s;
	double lat_p50_us, lat_p99_us; /* NAN: no latencies */
	uint64_t nvcsw, nivcsw;
	uint64_t ops_min, ops_max;     /* across workers: fairness */
	struct pt_gil_stats gil;
	struct pt_ft_stats ft;
	int bind_failed;
	double metric[PT_MAX_METRICS]; /* NAN: empty */
	struct pt_noise_figures noise; /* what others did meanwhile */
	/* Set by the driver: 0 clean; 1 hit by noise and re-run (this row does
	 * not count); 2 hit by noise, kept (its re-runs were used up). */
	int noise_flag;
	/* Set by the driver: the measured round it ran in (1, 2, ...; its
	 * reference's repetition of the same round is its pair), 0 outside
	 * the rounds (pilots, warmups, skipped points). */
	int round;
	_Atomic int written;	       /* the child finished writing */
};

/* How much longer than under threads a point under ft is expected to take
 * (plan estimates, timeouts): its tax, and for shared ticks a contended
 * atomic update of about 100 ns against a 28 ns tick, uncontended 10 ns. */
static inline double pt_point_ft_factor(const struct pt_point *pt)
{
	if (pt->model != PT_MODEL_FT)
		return 1.0;
	return (1.0 + pt->ft.tax_pct / 100.0) *
	       (1.0 + pt->ft.shared * (pt->nworkers > 1 ? 3.5 : 0.4));
}

/* What every repetition of a run shares. */
struct pt_runenv {
	const struct pt_topo *topo; /* NULL: no binding */
	const char *tmpdir;	    /* private directory, removed by the driver */
	/* mkdtemp() recorded for the driver to remove (pt_ctx.make_dir);
	 * pt_point_exec() sets its own. */
	int (*make_dir)(char *tmpl);
};

/* Runs one repetition in the calling process. Returns the status. */
enum pt_status pt_point_run_once(const struct pt_point *pt, const struct pt_runenv *env,
				 struct pt_result *res);

/* Runs one repetition in a child process (its own process group) and waits
 * at most @timeout_s; crash -> CRASHED, timeout -> TIMEOUT (the group is
 * killed). Whatever happened, the directories the point made through
 * pt_ctx.make_dir are removed. Returns the status, also in @res. -EINTR when @stop became
 * non-zero while waiting (the child is killed and reaped). */
int pt_point_exec(const struct pt_point *pt, const struct pt_runenv *env, double timeout_s,
		  volatile sig_atomic_t *stop, struct pt_result *res);

/* Kills and reaps the point being waited for by pt_point_exec(), if any,
 * and removes the directories it made outside the run's own.
 * Async-signal-safe: for a signal handler that leaves at once. */
void pt_point_kill_current(void);

/* The spawn start method's string for a point (bench/spawnworker.c): what a
 * worker started by exec needs to rebuild the point. NULL when it does not
 * fit in @buf. */
const char *pt_point_spawn_args(const struct pt_point *pt, const struct pt_runenv *env,
				char *buf, size_t n);

/* Reaps any orphaned grandchild (the driver is their subreaper). */
void pt_reap_orphans(void);

#endif
