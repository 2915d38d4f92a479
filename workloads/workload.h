/* SPDX-License-Identifier: MIT */
/* The workload interface. A workload is one file in workloads/ defining one
 * const struct pt_workload, declared below so the compiler checks every
 * signature, and listed once in registry.c. Its code never asks which model
 * it runs under: it calls the core's hooks (pt_tick, pt_block_begin/end). */
#ifndef PT_WORKLOAD_H
#define PT_WORKLOAD_H

#include "model.h"
#include "param.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

enum pt_kind { PT_KIND_CPU, PT_KIND_IO, PT_KIND_COST, PT_KIND_SYNC, PT_KIND_MIXED,
	       PT_KIND_SELFTEST };

const char *pt_kind_name(enum pt_kind k);

/* How a workload's figure follows the host's CPU speed, for `ptbench
 * compare` of runs taken at different moments (bench/compare.c). */
enum pt_host_dep {
	PT_HOST_PARTLY, /* partly: wakeups, the kernel, other tenants (the default) */
	PT_HOST_CPU,	/* in proportion: pure computation, like the canary countdown */
	PT_HOST_NONE,	/* not at all: wall-clock bound (sleeps, timers) */
};

/* A point-level figure of a workload, a column of results.csv. */
struct pt_metric_def {
	const char *name;
	const char *help;
};

struct pt_workload;

/* How the default suite (`ptbench run` without -w) runs a workload; what a
 * user gives on the command line overrides it. */
struct pt_suite {
	const char *workers;   /* -n syntax; NULL: auto */
	const char *sweep;     /* "key=v1,v2,..." parameter sweeps, ';' between
				* several ("a=1,2;b=x,y"), or NULL */
	const char *intervals; /* GIL switch intervals (us), or NULL: the default */
	bool placements;       /* also compact and scatter where they differ */
	const char *starts;    /* procs start methods (--start syntax), or NULL: fork */
	/* The models it runs under (-m syntax), or NULL: all of them (ft
	 * only with ft_shared). The suite keeps its time for what the report
	 * asks of each workload. */
	const char *models;
	/* The --shared fractions the ft model runs at, beside threads and
	 * gil (the free-threading comparison); NULL: not under ft. */
	const char *ft_shared;
};

/* One repetition of one point, inside the point's own process. */
struct pt_ctx {
	const struct pt_workload *wl;
	enum pt_model model;
	int nworkers;
	const struct pt_params *params;
	bool quick;
	const char *tmpdir;	/* private directory of this repetition */
	struct pt_team *team;
	void *shared;		/* wl->shared_size(ctx) bytes of the arena, zeroed */
	/* Process-local state, the workload's own: the point's process sees
	 * it, a worker started by forkserver or spawn does not (what workers
	 * read goes in shared, descriptors through pt_ctx_pass_fd()). */
	void *priv;
	uint64_t duration_ns;	/* setup sets it for a fixed-time workload */
	int ndaemons;		/* setup may ask for daemon workers */
	/* Filled by finish(): */
	double metric[PT_MAX_METRICS]; /* NAN: empty; indexes follow wl->metrics */
	bool ops_override;	/* ops below replace the sum over workers */
	uint64_t ops;
	char msg[PT_MSG_LEN];	/* why the point failed */
	/* Set by the driver: mkdtemp() of a directory it removes after the
	 * point whatever happens to it (crash, timeout, signal). NULL: none. */
	int (*make_dir)(char *tmpl);
};

/* mkdtemp(@tmpl) for a directory outside ctx->tmpdir (the user's -p dir),
 * through the driver's hook when there is one. 0 or a negative errno. */
static inline int pt_ctx_mkdtemp(const struct pt_ctx *ctx, char *tmpl)
{
	if (ctx->make_dir)
		return ctx->make_dir(tmpl);
	return mkdtemp(tmpl) ? 0 : -errno;
}

/* Lets a worker started by exec (the spawn start method) inherit @fd at
 * its number, as multiprocessing hands a spawned child its handles (CPython
 * Lib/multiprocessing/popen_spawn_posix.py: the descriptors that
 * duplicate_for_child() collects go to spawnv_passfds()); fork and
 * forkserver pass every descriptor anyway. The workload keeps the number
 * in ctx->shared, which every worker sees. 0 or a negative errno. */
static inline int pt_ctx_pass_fd(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl < 0 || fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC) < 0)
		return -errno;
	return 0;
}

static inline struct pt_ctx *pt_ctx_of(const struct pt_worker *w)
{
	return w->arg;
}

struct pt_workload {
	const char *name;
	enum pt_kind kind;
	const char *summary;
	const struct pt_param_def *params;   /* terminated by { 0 } */
	const struct pt_metric_def *metrics; /* terminated by { 0 }, or NULL */
	unsigned models;	/* PT_MODEL_BIT()s it runs under; others are skipped */
	int min_workers;	/* fewer are skipped */
	const char *skip_why;	/* why a model is not meaningful, for the log */
	bool fixed_time;	/* runs for a duration instead of a fixed amount of work */
	enum pt_host_dep host;	/* how its figure follows the host's CPU speed */
	/* The parameter that sets the amount of work, which the driver sizes
	 * from pilots so that a repetition lasts its target time, unless -p
	 * gives it (or --quick); NULL: not sized (fixed-time workloads, and
	 * those whose amount is a duration, keep it). */
	const char *size;
	struct pt_suite suite;
	/* Seconds one repetition takes with these parameters (for the plan's
	 * time estimate); NULL: PT_DEFAULT_ESTIMATE_S. */
	double (*estimate_s)(const struct pt_params *p, enum pt_model m, int nworkers,
			     int npus);
	/* All optional but run. Each returns 0 or a negative errno, with a
	 * message in ctx->msg. */
	int (*validate)(const struct pt_params *p, char *err, size_t errlen);
	size_t (*shared_size)(const struct pt_ctx *ctx);
	int (*setup)(struct pt_ctx *ctx);	/* before the workers exist */
	int (*start)(struct pt_ctx *ctx);	/* workers at the gate: start helpers */
	int (*run)(struct pt_worker *w);	/* each worker's body */
	int (*finish)(struct pt_ctx *ctx, const struct pt_team_stats *st); /* verify, metrics */
	void (*teardown)(struct pt_ctx *ctx);	/* always, after setup succeeded */
};

#define PT_DEFAULT_ESTIMATE_S 0.5

/* The registry: one NULL-terminated table. */
extern const struct pt_workload *const pt_workloads[];
#define pt_for_each_workload(pp) \
	for (const struct pt_workload *const *pp = pt_workloads; *pp; pp++)

const struct pt_workload *pt_workload_find(const char *name);
/* Index of metric @name in @wl->metrics, or -1. */
int pt_workload_metric(const struct pt_workload *wl, const char *name);
/* NULL when @wl can run @model with @n workers, else why not. */
const char *pt_workload_skip_reason(const struct pt_workload *wl, enum pt_model model, int n);

extern const struct pt_workload pt_wl_countdown;
extern const struct pt_workload pt_wl_filewrite;
extern const struct pt_workload pt_wl_sockrecv;
extern const struct pt_workload pt_wl_sleep;
extern const struct pt_workload pt_wl_spawn;
extern const struct pt_workload pt_wl_event;
extern const struct pt_workload pt_wl_condition;
extern const struct pt_workload pt_wl_semaphore;
extern const struct pt_workload pt_wl_barrier;
extern const struct pt_workload pt_wl_queue;
extern const struct pt_workload pt_wl_timer;
extern const struct pt_workload pt_wl_convoy;
extern const struct pt_workload pt_wl_pool;
extern const struct pt_workload pt_wl_fault;

#endif
