// SPDX-License-Identifier: MIT
// One repetition of one point: in the calling process (pt_point_run_once),
// or contained in a child process with a timeout (pt_point_exec).
#include "point.h"

#include "clock.h"
#include "files.h"
#include "neighbour.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *pt_status_name(enum pt_status s)
{
	static const char *const names[] = {
		[PT_ST_OK] = "ok",	     [PT_ST_FAILED] = "failed",
		[PT_ST_CRASHED] = "crashed", [PT_ST_TIMEOUT] = "timeout",
		[PT_ST_SKIPPED] = "skipped", [PT_ST_NOT_RUN] = "not run",
	};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static int bind_cb(void *ctx, int pu_os, bool whole_process)
{
	return pt_topo_bind(ctx, pu_os, whole_process ? PT_BIND_PROCESS : PT_BIND_THREAD);
}

static void result_clear(struct pt_result *res)
{
	memset(res, 0, sizeof(*res));
	res->wall_s = res->user_s = res->sys_s = NAN;
	res->ops_per_s = res->lat_p50_us = res->lat_p99_us = NAN;
	for (int i = 0; i < PT_MAX_METRICS; i++)
		res->metric[i] = NAN;
	res->noise = (struct pt_noise_figures){ .steal_s = NAN, .irq_s = NAN, .softirq_s = NAN,
						.interference = NAN, .margin = NAN,
						.load1 = NAN,
						.freq_mhz = NAN };
}

static enum pt_status fail(struct pt_result *res, enum pt_status st, const char *what,
			   const char *why)
{
	res->status = st;
	snprintf(res->msg, sizeof(res->msg), "%s%s%s", what, why && *why ? ": " : "",
		 why ? why : "");
	return st;
}

static void fill_result(struct pt_result *res, const struct pt_ctx *ctx,
			const struct pt_team_stats *st)
{
	res->wall_s = (double)st->wall_ns / 1e9;
	res->user_s = (double)st->usage.user_ns / 1e9;
	res->sys_s = (double)st->usage.sys_ns / 1e9;
	res->nvcsw = st->usage.nvcsw;
	res->nivcsw = st->usage.nivcsw;
	res->ops = ctx->ops_override ? ctx->ops : st->ops;
	res->ops_min = st->ops_min;
	res->ops_max = st->ops_max;
	res->ops_per_s = st->wall_ns ? (double)res->ops / res->wall_s : NAN;
	if (st->lat.count) {
		res->lat_p50_us = pt_hist_percentile(&st->lat, 50) / 1e3;
		res->lat_p99_us = pt_hist_percentile(&st->lat, 99) / 1e3;
	}
	res->gil = st->gil;
	res->ft = st->ft;
	res->bind_failed = st->bind_failed;
	memcpy(res->metric, ctx->metric, sizeof(res->metric));
}

/* The placement of the point's workers and neighbours, when it binds. */
static int plan_binding(const struct pt_point *pt, const struct pt_runenv *env,
			struct pt_team_config *cfg, struct pt_place **places, int **pus)
{
	int nall = cfg->nworkers + cfg->neighbours;

	if (pt->bind == PT_BIND_NONE || !env->topo)
		return 0;
	*places = calloc((size_t)nall, sizeof(**places));
	*pus = calloc((size_t)nall, sizeof(**pus));
	if (!*places || !*pus || pt_topo_plan(env->topo, pt->bind, nall, *places))
		return -ENOMEM;
	for (int i = 0; i < nall; i++)
		(*pus)[i] = (*places)[i].pu_os;
	cfg->bind_pus = *pus;
	cfg->bind = bind_cb;
	cfg->bind_ctx = (void *)env->topo;
	return 0;
}

/* What the workers' stats say about the repetition. */
static void judge(struct pt_ctx *ctx, struct pt_team *team, struct pt_team_stats *st,
		  struct pt_result *res)
{
	const struct pt_workload *wl = ctx->wl;
	int ret = pt_team_collect(team, st);

	fill_result(res, ctx, st);
	if (st->crashed) {
		fail(res, PT_ST_CRASHED, "worker killed by a signal", st->first_msg);
	} else if (ret) {
		fail(res, PT_ST_FAILED, st->first_msg ? st->first_msg : "a worker failed", NULL);
	} else if (wl->finish && (ret = wl->finish(ctx, st)) != 0) {
		fill_result(res, ctx, st);
		fail(res, PT_ST_FAILED, "check", ctx->msg[0] ? ctx->msg : strerror(-ret));
	} else {
		fill_result(res, ctx, st);
		res->status = PT_ST_OK;
		if (st->bind_failed)
			snprintf(res->msg, sizeof(res->msg),
				 "warning: binding failed for %d worker(s)", st->bind_failed);
	}
}

/* The start method of a procs point (--start): 0, or why the point cannot
 * run so (skipped or failed, in @res). @buf holds what a spawned worker
 * needs to rebuild the point. */
static int point_start(const struct pt_point *pt, const struct pt_runenv *env,
		       struct pt_team_config *cfg, char *buf, size_t n, struct pt_result *res)
{
	if (pt->model != PT_MODEL_PROCS || !pt->start)
		return 0;
	cfg->start = pt->start;
	if (pt->start != &pt_start_spawn)
		return 0;
	cfg->spawn_args = pt_point_spawn_args(pt, env, buf, n);
	if (!cfg->spawn_args)
		return fail(res, PT_ST_FAILED, "spawn",
			    "the point's parameters are too long to pass"), -1;
	return 0;
}

/* Spawns the team set up for @ctx, runs it from the gate to the join, and
 * judges it. */
static void run_team(struct pt_ctx *ctx, struct pt_team *team, struct pt_team_stats *st,
		     struct pt_result *res)
{
	const struct pt_start_method *sm = team->cfg.start;
	bool other = ctx->model == PT_MODEL_PROCS && sm && sm != &pt_start_fork;
	struct pt_noise_probe probe;
	int ret, demand;

	/* The migration counter before the workers exist, so they inherit it. */
	pt_noise_begin(&probe, team->cfg.bind_pus, team->cfg.bind_pus ? team->nall : 0);
	ret = pt_team_spawn(team);
	if (ret) {
		const char *more = other ? pt_start_last_error() : "";
		char why[200];

		pt_noise_end(&probe, NAN, 0, 1, &res->noise);
		snprintf(why, sizeof(why), "%s after %d of %d workers%s%s", strerror(-ret),
			 team->nspawned, ctx->nworkers, *more ? ": " : "", more);
		fail(res, PT_ST_FAILED,
		     ctx->model != PT_MODEL_PROCS ? "pthread_create failed"
		     : other			  ? "process start failed"
						  : "fork failed",
		     why);
		return;
	}
	if (ctx->wl->start && (ret = ctx->wl->start(ctx)) != 0) {
		fail(res, PT_ST_FAILED, "start", ctx->msg[0] ? ctx->msg : strerror(-ret));
		pt_team_abort(team);
		pt_noise_end(&probe, NAN, 0, 1, &res->noise);
		return;
	}
	pt_noise_mark(&probe);
	pt_team_go(team);
	if (pt_team_join(team, 0) != 0) {
		/* Workers still run: their figures and the workload's state are
		 * not final, so neither is read. */
		fail(res, PT_ST_TIMEOUT, "join", "workers still running");
		pt_noise_end(&probe, NAN, 0, 1, &res->noise);
		return;
	}
	judge(ctx, team, st, res);
	/* How many CPUs it could use at once: a CPU-bound team all of them;
	 * a team that mostly waits (I/O, sync, spawning) those it did use. */
	demand = ctx->model == PT_MODEL_SERIAL ? 1 : team->nall;
	if (ctx->wl->kind != PT_KIND_CPU && ctx->wl->kind != PT_KIND_MIXED && res->wall_s > 0)
		demand = (int)ceil((res->user_s + res->sys_s) / res->wall_s);
	pt_noise_end(&probe, res->wall_s, res->user_s + res->sys_s, demand, &res->noise);
}

/* The workload's teardown, once nothing of the team runs: what is left is
 * stopped first. When a thread of the team still runs (the team is
 * abandoned), the teardown would free or close what it uses, so it is
 * skipped and that is left to the point process's exit (the driver removes
 * the directories it made, whatever happens); the point says so. True when
 * the team was abandoned. */
static bool teardown_unless_abandoned(struct pt_ctx *ctx, struct pt_team *team,
				      struct pt_result *res)
{
	const char *warn = "warning: a worker still ran after the join; the workload's "
			   "teardown was skipped, its resources left to the process's exit";

	pt_team_stop(team);
	if (!pt_team_abandoned(team)) {
		if (ctx->wl->teardown)
			ctx->wl->teardown(ctx);
		return false;
	}
	if (!res->msg[0])
		snprintf(res->msg, sizeof(res->msg), "%s", warn);
	else if (res->status == PT_ST_OK)
		snprintf(res->msg + strlen(res->msg), sizeof(res->msg) - strlen(res->msg), "; %s",
			 warn);
	return true;
}

/* What the workers of a repetition may reach: heap memory, which an
 * abandoned team's threads keep using after pt_point_run_once() returned. */
struct point_state {
	struct pt_ctx ctx;
	struct pt_team team;
};

static struct point_state *point_state_new(const struct pt_point *pt,
					   const struct pt_runenv *env)
{
	struct point_state *ps = calloc(1, sizeof(*ps));

	if (!ps)
		return NULL;
	ps->ctx = (struct pt_ctx){ .wl = pt->wl, .model = pt->model, .nworkers = pt->nworkers,
				   .params = &pt->params, .quick = pt->quick,
				   .tmpdir = env->tmpdir, .make_dir = env->make_dir };
	for (int i = 0; i < PT_MAX_METRICS; i++)
		ps->ctx.metric[i] = NAN;
	return ps;
}

enum pt_status pt_point_run_once(const struct pt_point *pt, const struct pt_runenv *env,
				 struct pt_result *res)
{
	const struct pt_workload *wl = pt->wl;
	struct pt_team_config cfg = {
		.model = pt->model,
		.nworkers = pt->nworkers,
		.body = wl->run,
		.gil = { .switch_interval_us = pt->switch_interval_us,
			 .check_interval = pt->check_interval },
		/* Serial runs its bodies one after another: no neighbour can
		 * run beside them. */
		.neighbours = pt->model == PT_MODEL_SERIAL ? 0 : pt->neighbours,
		.ft = pt->ft,
		.neighbour_body = pt_neighbour_body,
	};
	struct point_state *ps = NULL;
	struct pt_ctx *ctx;
	struct pt_team *team;
	struct pt_team_stats *st = NULL;
	struct pt_place *places = NULL;
	int *pus = NULL, ret;
	char spawn_args[4096];
	const char *why;
	bool abandoned = false;

	result_clear(res);
	why = pt_workload_skip_reason(wl, pt->model, pt->nworkers);
	if (why)
		return fail(res, PT_ST_SKIPPED, why, NULL);
	if (point_start(pt, env, &cfg, spawn_args, sizeof(spawn_args), res))
		return res->status;
	if (plan_binding(pt, env, &cfg, &places, &pus)) {
		fail(res, PT_ST_FAILED, "placement plan", strerror(ENOMEM));
		goto out_free;
	}
	st = malloc(sizeof(*st));
	ps = point_state_new(pt, env);
	if (!st || !ps) {
		fail(res, PT_ST_FAILED, "out of memory", NULL);
		goto out_free;
	}
	ctx = &ps->ctx;
	team = &ps->team;
	cfg.arg = ctx;
	cfg.shared_size = wl->shared_size ? wl->shared_size(ctx) : 0;
	if ((ret = pt_team_init(team, &cfg)) != 0) {
		fail(res, PT_ST_FAILED, "team", strerror(-ret));
		goto out_free;
	}
	ctx->team = team;
	ctx->shared = team->shared;
	ret = pt_team_prepare(team);
	if (ret) {
		const char *more = pt_start_last_error();

		fail(res, PT_ST_FAILED, "start method", *more ? more : strerror(-ret));
		goto out_team;
	}
	if (wl->setup && (ret = wl->setup(ctx)) != 0) {
		fail(res, PT_ST_FAILED, "setup", ctx->msg[0] ? ctx->msg : strerror(-ret));
		goto out_team;
	}
	team->cfg.duration_ns = ctx->duration_ns;
	pt_team_set_daemons(team, ctx->ndaemons);
	run_team(ctx, team, st, res);
	abandoned = teardown_unless_abandoned(ctx, team, res);
out_team:
	pt_team_destroy(team);
out_free:
	free(st);
	free(places);
	free(pus);
	/* The threads of an abandoned team still use ps (their team and the
	 * workload's context): left to the process's exit. */
	if (!abandoned)
		free(ps);
	return res->status;
}

/* --- containment in a child process --- */

/* The point's process (and process group) being waited for, or 0: what a
 * second interrupt kills from the signal handler. */
static volatile sig_atomic_t point_pid;

/* Directories the point's process made outside the run's private one (a
 * workload's -p dir), in memory shared with the driver, which removes them
 * after the point whatever happened to it. A slot holds the mkdtemp
 * template from before the directory exists: the driver may find a name
 * never made (harmless), never miss one made. */
#define PT_SCRATCH_DIRS 4
struct scratch {
	char dir[PT_SCRATCH_DIRS][PATH_MAX];
	_Atomic int n;
};
static struct scratch *scratch; /* mapped once, before the first point */

/* pt_ctx.make_dir, in the point's process. */
static int scratch_make_dir(char *tmpl)
{
	int k = atomic_fetch_add(&scratch->n, 1);
	char *slot;

	if (k >= PT_SCRATCH_DIRS)
		return -EMFILE;
	if (strlen(tmpl) >= PATH_MAX)
		return -ENAMETOOLONG;
	slot = scratch->dir[k];
	memcpy(slot, tmpl, strlen(tmpl) + 1);
	if (!mkdtemp(slot)) {
		int e = errno;

		slot[0] = '\0';
		return -e;
	}
	memcpy(tmpl, slot, strlen(slot) + 1);
	return 0;
}

/* Removes what the last point recorded. Async-signal-safe. */
static void scratch_clean(void)
{
	int n;

	if (!scratch)
		return;
	n = atomic_load(&scratch->n);
	for (int i = 0; i < n && i < PT_SCRATCH_DIRS; i++) {
		if (scratch->dir[i][0])
			pt_rm_tree(scratch->dir[i]);
		scratch->dir[i][0] = '\0';
	}
	atomic_store(&scratch->n, 0);
}

/* Waits until @pid has exited, without reaping it (WNOWAIT): while it is a
 * zombie its pid cannot be reused, so killing its process group afterwards
 * cannot hit another process. The termination signals are blocked except
 * inside ppoll(), so one that arrives between the check of @stop and the
 * wait still cuts the wait short instead of being noticed at the deadline.
 * Returns 0 (exited), -ETIMEDOUT or -EINTR (@stop became non-zero). */
static int child_wait(pid_t pid, double timeout_s, volatile sig_atomic_t *stop)
{
	uint64_t deadline = pt_now_ns() + (uint64_t)(timeout_s * 1e9);
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), ret;
	sigset_t block, old;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	for (;;) {
		siginfo_t si;
		struct pollfd p = { .fd = pidfd, .events = POLLIN };
		struct timespec ts;
		uint64_t now, left;

		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0) {
			if (si.si_pid == pid) {
				ret = 0;
				break;
			}
		} else if (errno != EINTR) {
			ret = 0; /* not our child any more: nothing to wait for */
			break;
		}
		if (stop && *stop) {
			ret = -EINTR;
			break;
		}
		now = pt_now_ns();
		if (now >= deadline) {
			ret = -ETIMEDOUT;
			break;
		}
		left = deadline - now;
		/* Without a pidfd (kernels before 5.3), look again every 5 ms. */
		if (pidfd < 0 && left > 5 * PT_NSEC_PER_MSEC)
			left = 5 * PT_NSEC_PER_MSEC;
		ts.tv_sec = (time_t)(left / PT_NSEC_PER_SEC);
		ts.tv_nsec = (long)(left % PT_NSEC_PER_SEC);
		ppoll(pidfd >= 0 ? &p : NULL, pidfd >= 0 ? 1 : 0, &ts, &old);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pidfd >= 0)
		close(pidfd);
	return ret;
}

/* Reaps the members of process group @pgid that are our children (with the
 * driver a subreaper, the point's orphaned workers are), after they were sent
 * SIGKILL. Bounded, in case one hangs in the kernel. */
static void reap_group(pid_t pgid)
{
	uint64_t give_up = pt_now_ns() + 10 * PT_NSEC_PER_SEC;
	int st;

	for (;;) {
		pid_t r = waitpid(-pgid, &st, WNOHANG);

		if (r > 0 || (r < 0 && errno == EINTR))
			continue;
		if (r < 0 || pt_now_ns() >= give_up)
			return; /* ECHILD: none left */
		pt_sleep_ns(PT_NSEC_PER_MSEC);
	}
}

/* Kills the point's whole process group, forked workers included, and reaps
 * it. The group is killed before its leader is reaped: until then the
 * leader's pid, which is the group's id, cannot be reused. */
static void kill_point(pid_t pid, int *wstatus)
{
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL); /* in case it is not its group's leader yet */
	point_pid = 0;
	while (waitpid(pid, wstatus, 0) < 0 && errno == EINTR)
		;
	reap_group(pid);
}

void pt_point_kill_current(void)
{
	pid_t pid = point_pid;
	int st;

	/* Async-signal-safe: kill(), waitpid() and pt_rm_tree() only. */
	if (pid <= 0)
		return;
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	while (waitpid(-pid, &st, 0) > 0 || errno == EINTR)
		;
	scratch_clean();
}

void pt_reap_orphans(void)
{
	int st;

	while (waitpid(-1, &st, WNOHANG) > 0)
		;
}

/* The point's process: contained, runs the repetition into the shared
 * @res, and leaves. */
static _Noreturn void point_child(const struct pt_point *pt, const struct pt_runenv *penv,
				  struct pt_result *res, pid_t driver)
{
	struct pt_runenv env = *penv;
	sigset_t none;

	/* Its own process group, so a timeout or an interrupt kills the whole
	 * point, forked workers included; and it dies with the driver, even
	 * one killed before the prctl (then the parent changed already). A
	 * point that cannot be contained does not run. */
	if (setpgid(0, 0) != 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
		fail(res, PT_ST_FAILED, "cannot contain the point", strerror(errno));
		atomic_store(&res->written, 1);
		_exit(0);
	}
	if (getppid() != driver)
		_exit(127);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (scratch)
		env.make_dir = scratch_make_dir;
	pt_point_run_once(pt, &env, res);
	atomic_store(&res->written, 1);
	_exit(0);
}

/* What happened to the point's process, from how it ended (@wait_ret of
 * child_wait(), @wstatus) and what it wrote in @res. */
static void verdict(int wait_ret, int wstatus, double timeout_s, const struct pt_result *res,
		    struct pt_result *out)
{
	char why[96];

	if (wait_ret == -ETIMEDOUT) {
		snprintf(why, sizeof(why), "killed after %.1f s", timeout_s);
		fail(out, PT_ST_TIMEOUT, "timeout", why);
	} else if (WIFSIGNALED(wstatus)) {
		memcpy(out, res, sizeof(*out));
		fail(out, PT_ST_CRASHED, "point process killed by signal",
		     strsignal(WTERMSIG(wstatus)));
	} else if (!atomic_load(&res->written)) {
		/* exit() called by a worker, or a sanitizer's report (they exit
		 * with a status of their own instead of dying of the signal). */
		snprintf(why, sizeof(why), "exit status %d before it reported",
			 WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
		fail(out, PT_ST_FAILED, "point process exited early", why);
	} else {
		memcpy(out, res, sizeof(*out));
	}
}

int pt_point_exec(const struct pt_point *pt, const struct pt_runenv *env, double timeout_s,
		  volatile sig_atomic_t *stop, struct pt_result *out)
{
	struct pt_result *res;
	int wstatus = 0, ret;
	pid_t pid, driver = getpid();

	result_clear(out);
	if (!scratch) {
		void *p = mmap(NULL, sizeof(*scratch), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return fail(out, PT_ST_FAILED, "mmap", strerror(errno));
		scratch = p;
	}
	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		   -1, 0);
	if (res == MAP_FAILED)
		return fail(out, PT_ST_FAILED, "mmap", strerror(errno));
	result_clear(res);

	fflush(NULL); /* nothing buffered is written twice */
	pid = fork();
	if (pid < 0) {
		fail(out, PT_ST_FAILED, "fork", strerror(errno));
		munmap(res, sizeof(*res));
		return out->status;
	}
	if (pid == 0)
		point_child(pt, env, res, driver);
	/* Also here: no race with the child's own call. EACCES: it has done
	 * so already and moved on; ESRCH: it has exited. */
	ret = setpgid(pid, pid) == 0 || errno == EACCES || errno == ESRCH ? 0 : -errno;
	point_pid = pid;
	if (ret) {
		kill_point(pid, &wstatus);
		scratch_clean();
		fail(out, PT_ST_FAILED, "cannot contain the point: setpgid", strerror(-ret));
		munmap(res, sizeof(*res));
		return out->status;
	}
	ret = child_wait(pid, timeout_s, stop);
	/* Whatever happened, nothing of the point outlives it: workers left
	 * behind by a crashed point process die with it, and the directories
	 * it made go. */
	kill_point(pid, &wstatus);
	scratch_clean();
	if (ret == -EINTR)
		fail(out, PT_ST_FAILED, "interrupted", NULL);
	else
		verdict(ret, wstatus, timeout_s, res, out);
	munmap(res, sizeof(*res));
	return ret == -EINTR ? -EINTR : (int)out->status;
}
