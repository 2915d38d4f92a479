// SPDX-License-Identifier: MIT
// Reliability: crashes, hangs, failures and exit() in a worker are contained
// under every model; signals stop a run cleanly; results stay whole when the
// driver is killed; exhausted process limits fail a point cleanly; no process
// or temporary file outlives a run.
#include "helpers.h"
#include "plan.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ARGV(...) ((const char *const[]){ "ptbench", __VA_ARGS__, NULL })
#define NOBODY 65534

/* --- a run of the binary, observed from outside --- */

struct run {
	char dir[256];	  /* scratch: out/, tmp/ (the run's TMPDIR), stdout, stderr */
	char out[300];	  /* -o */
	char tmp[300];	  /* TMPDIR of the run */
	char tag[64];	  /* PT_REL_TAG=<tag> in the environment of every process of it */
	pid_t pid;
	int status;	  /* exit status, 128 + signal, or -1: did not end in time */
	double exit_ms;	  /* from the signal sent by signal_run() to the exit */
};

static void run_init(struct run *r, const char *name)
{
	static int seq;
	char *d = pt_test_tmpdir();

	cr_assert(d, "mkdtemp: %s", strerror(errno));
	memset(r, 0, sizeof(*r));
	snprintf(r->dir, sizeof(r->dir), "%s", d);
	free(d);
	snprintf(r->out, sizeof(r->out), "%s/out", r->dir);
	snprintf(r->tmp, sizeof(r->tmp), "%s/tmp", r->dir);
	cr_assert_eq(mkdir(r->tmp, 0700), 0);
	snprintf(r->tag, sizeof(r->tag), "%s-%d-%d", name, (int)getpid(), seq++);
}

static void run_free(struct run *r)
{
	pt_test_rmdir(r->dir);
}

/* Starts the binary with @argv (argv[0] ignored), stdout and stderr into
 * files of the scratch directory (or stdout closed / a broken pipe). */
enum out_mode { OUT_FILE, OUT_CLOSED, OUT_BROKEN_PIPE };

static bool unsymbolized; /* sanitizer reports without symbols */

static void run_start(struct run *r, const char *const argv[], enum out_mode mode)
{
	char path[400];
	int pfd[2] = { -1, -1 };

	if (mode == OUT_BROKEN_PIPE)
		cr_assert_eq(pipe(pfd), 0);
	fflush(NULL);
	r->pid = fork();
	cr_assert(r->pid >= 0);
	if (r->pid == 0) {
		int fd;

		snprintf(path, sizeof(path), "%s/stderr", r->dir);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 2);
		close(fd);
		if (mode == OUT_CLOSED) {
			close(1);
		} else if (mode == OUT_BROKEN_PIPE) {
			dup2(pfd[1], 1);
			close(pfd[0]); /* no reader: a write raises SIGPIPE / EPIPE */
			close(pfd[1]);
		} else {
			snprintf(path, sizeof(path), "%s/stdout", r->dir);
			fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			dup2(fd, 1);
			close(fd);
		}
		if (unsymbolized) {
			/* A sanitizer's report of an injected fault: its stack
			 * symbolized costs seconds and tells nothing here. */
			static const char *const vars[] = { "ASAN_OPTIONS", "TSAN_OPTIONS",
							    "UBSAN_OPTIONS" };

			for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
				const char *old = getenv(vars[i]);
				char v[1024];

				snprintf(v, sizeof(v), "%s%ssymbolize=0", old ? old : "",
					 old && *old ? ":" : "");
				setenv(vars[i], v, 1);
			}
		}
		setenv("PT_REL_TAG", r->tag, 1);
		setenv("TMPDIR", r->tmp, 1);
		execv(pt_test_bin(), (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	if (mode == OUT_BROKEN_PIPE) {
		close(pfd[0]);
		close(pfd[1]);
	}
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Waits at most @timeout_s for the run to end (a watchdog, not a
 * threshold); kills it if it does not. */
static void run_wait(struct run *r, double timeout_s)
{
	int pidfd = (int)syscall(SYS_pidfd_open, r->pid, 0), st = 0;
	double deadline = now_ms() + timeout_s * 1e3;

	r->status = -1;
	for (;;) {
		pid_t w = waitpid(r->pid, &st, WNOHANG);

		if (w == r->pid) {
			r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			break;
		}
		if (now_ms() >= deadline) {
			kill(r->pid, SIGKILL);
			waitpid(r->pid, &st, 0);
			break;
		}
		if (pidfd >= 0) {
			struct pollfd p = { .fd = pidfd, .events = POLLIN };

			poll(&p, 1, 100);
		} else {
			usleep(1000);
		}
	}
	if (pidfd >= 0)
		close(pidfd);
}

static void run_bin(struct run *r, const char *const argv[], double timeout_s)
{
	run_start(r, argv, OUT_FILE);
	run_wait(r, timeout_s);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t cap = 4096, n = 0, k;

	if (!f)
		return NULL;
	buf = malloc(cap + 1);
	while ((k = fread(buf + n, 1, cap - n, f)) > 0) {
		n += k;
		if (n == cap)
			buf = realloc(buf, (cap *= 2) + 1);
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static char *run_stderr(const struct run *r)
{
	char path[400];
	char *s;

	snprintf(path, sizeof(path), "%s/stderr", r->dir);
	s = slurp(path, NULL);
	return s ? s : strdup("");
}

/* --- the process list: nothing of a run may outlive it --- */

/* Live (not zombie) processes whose environment holds PT_REL_TAG=@tag:
 * every process of the run inherits it, forked workers included. */
static int tagged_procs(const char *tag, bool verbose)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char want[96], path[300], buf[300];
	size_t wlen;
	int n = 0;

	wlen = (size_t)snprintf(want, sizeof(want), "PT_REL_TAG=%s", tag) + 1; /* with the NUL */
	cr_assert(d);
	while ((e = readdir(d))) {
		char *env, *p, *stat, *rp;
		size_t len;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/environ", e->d_name);
		env = slurp(path, &len);
		if (!env)
			continue;
		for (p = env; p < env + len; p += strlen(p) + 1)
			if ((size_t)(env + len - p) >= wlen && memcmp(p, want, wlen) == 0)
				break;
		if (p < env + len) {
			/* State is the field after the ")" of the command name. */
			snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
			stat = slurp(path, NULL);
			rp = stat ? strrchr(stat, ')') : NULL;
			if (rp && rp[1] == ' ' && rp[2] != 'Z' && rp[2] != 'X') {
				snprintf(buf, sizeof(buf), "%s", stat);
				if (verbose)
					fprintf(stderr, "left behind: %s\n", buf);
				n++;
			}
			free(stat);
		}
		free(env);
	}
	closedir(d);
	return n;
}

/* Processes killed by the run may take a moment to be gone: wait for them
 * (a generous watchdog), then count what is left. */
static int leftover_procs(const char *tag)
{
	double deadline = now_ms() + 10e3;
	int n;

	while ((n = tagged_procs(tag, false)) > 0 && now_ms() < deadline)
		usleep(20000);
	return n ? tagged_procs(tag, true) : 0;
}

static int dir_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* The children of @pid (first found), or 0. */
static pid_t child_of(pid_t pid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;

	cr_assert(d);
	while (!found && (e = readdir(d))) {
		char path[300], *stat, *rp;
		int ppid;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		stat = slurp(path, NULL);
		rp = stat ? strrchr(stat, ')') : NULL;
		if (rp && sscanf(rp + 2, "%*c %d", &ppid) == 1 && ppid == pid)
			found = (pid_t)atoi(e->d_name);
		free(stat);
	}
	closedir(d);
	return found;
}

/* --- results files --- */

#define MAX_ROWS 64
#define MAX_FIELDS 192

struct csv {
	int nrows;	/* data rows */
	int nfields;	/* of the header */
	char *field[MAX_ROWS + 1][MAX_FIELDS];
	char *buf;
};

/* Reads @path as RFC 4180 CSV. Every record must end with a newline and
 * have as many fields as the header: a torn row fails. */
static struct csv *csv_load(const char *path)
{
	struct csv *c = calloc(1, sizeof(*c));
	size_t len;
	char *s, *w;
	int row = 0, f = 0;
	bool inq = false;

	cr_assert(c);
	c->buf = slurp(path, &len);
	cr_assert(c->buf, "%s missing", path);
	cr_assert(len > 0 && c->buf[len - 1] == '\n', "%s: last record not whole", path);
	s = w = c->buf;
	c->field[0][0] = w;
	for (; *s; s++) {
		if (inq) {
			if (*s == '"' && s[1] == '"')
				*w++ = *s++;
			else if (*s == '"')
				inq = false;
			else
				*w++ = *s;
			continue;
		}
		if (*s == '"') {
			inq = true;
		} else if (*s == ',' || *s == '\n') {
			bool eol = *s == '\n';

			*w++ = '\0';
			f++;
			if (eol) {
				if (row == 0)
					c->nfields = f;
				cr_assert_eq(f, c->nfields, "%s: record %d has %d fields, header %d",
					     path, row, f, c->nfields);
				row++;
				f = 0;
				cr_assert(row <= MAX_ROWS, "%s: too many rows", path);
			}
			cr_assert(f < MAX_FIELDS);
			c->field[row][f] = w;
		} else {
			*w++ = *s;
		}
	}
	cr_assert_not(inq, "%s: open quote at the end", path);
	c->nrows = row - 1;
	return c;
}

static int csv_col(const struct csv *c, const char *name)
{
	for (int i = 0; i < c->nfields; i++)
		if (strcmp(c->field[0][i], name) == 0)
			return i;
	cr_assert(false, "no column %s", name);
	return -1;
}

static const char *csv_get(const struct csv *c, int row, const char *name)
{
	return c->field[row + 1][csv_col(c, name)];
}

static void csv_free(struct csv *c)
{
	free(c->buf);
	free(c);
}

/* summary.csv and meta.json are absent or whole, never torn. */
static void check_side_files(const char *out, bool summary_required)
{
	char path[400];
	json_error_t jerr;
	json_t *j;
	struct stat sb;

	snprintf(path, sizeof(path), "%s/summary.csv", out);
	if (stat(path, &sb) == 0) {
		csv_free(csv_load(path));
	} else {
		cr_assert_not(summary_required, "%s missing", path);
	}
	snprintf(path, sizeof(path), "%s/meta.json", out);
	if (stat(path, &sb) == 0) {
		j = json_load_file(path, 0, &jerr);
		cr_assert(j, "%s: %s", path, jerr.text);
		json_decref(j);
	}
}

/* The binary was built with a sanitizer (meta.json's build.cflags). Under
 * one, a segfault is caught and turned into an exit status or an abort. */
static bool sanitized(const char *out)
{
	char path[400];
	json_error_t jerr;
	json_t *j;
	const char *cf;
	bool san;

	snprintf(path, sizeof(path), "%s/meta.json", out);
	j = json_load_file(path, 0, &jerr);
	cr_assert(j, "%s: %s", path, jerr.text);
	cf = json_string_value(json_object_get(json_object_get(j, "build"), "cflags"));
	san = cf && strstr(cf, "-fsanitize");
	json_decref(j);
	return san;
}

/* --- faults under every model --- */

/* One run of the fault workload under every model: @modes swept. */
static void run_faults(struct run *r, const char *modes, const char *timeout, bool san_known,
		       bool *san, int seen[4])
{
	char path[400], mode_arg[64];
	char *err;
	struct csv *c;
	int nmodes = 1;

	for (const char *p = modes; *p; p++)
		nmodes += *p == ',';
	snprintf(mode_arg, sizeof(mode_arg), "mode=%s", modes);
	run_init(r, "faults");
	unsymbolized = true;
	/* The victim a worker other than the first. */
	run_bin(r, ARGV("run", "-w", "fault", "-p", mode_arg, "-p", "victim=1", "-n", "2", "-r",
			"1", "--warmup", "0", "--timeout", timeout, "-q", "-o", r->out),
		100);
	unsymbolized = false;
	err = run_stderr(r);
	cr_assert_eq(r->status, 1, "exit %d: %s", r->status, err);
	snprintf(path, sizeof(path), "%s/results.csv", r->out);
	c = csv_load(path);
	cr_assert_eq(c->nrows, PT_MODEL_COUNT * nmodes, "%d rows", c->nrows);
	if (!san_known)
		*san = sanitized(r->out);
	for (int i = 0; i < c->nrows; i++) {
		const char *mode = csv_get(c, i, "mode"), *st = csv_get(c, i, "status");
		const char *model = csv_get(c, i, "model"), *msg = csv_get(c, i, "message");

		fprintf(stderr, "fault %-5s %-8s -> %-7s %s\n", mode, model, st, msg);
		if (*san && strcmp(mode, "fail") != 0) {
			/* Sanitizers catch the segfault, report it, then abort
			 * or exit with a status of their own; at exit() they
			 * report leaks (which may take long): not ok, in any
			 * case, and the run went on. */
			cr_assert(strcmp(st, "ok") && strcmp(st, "skipped"), "%s %s: %s", mode,
				  model, st);
		} else if (strcmp(mode, "crash") == 0) {
			/* A thread's segfault included. */
			cr_assert(strcmp(st, "crashed") == 0 && strstr(msg, "Segmentation"),
				  "%s: %s %s", model, st, msg);
		} else if (strcmp(mode, "hang") == 0) {
			cr_assert_str_eq(st, "timeout", "%s: %s", model, msg);
		} else if (strcmp(mode, "fail") == 0) {
			cr_assert_str_eq(st, "failed", "%s", model);
			cr_assert(strstr(msg, "Worker-2: injected failure"), "%s: %s", model, msg);
		} else {
			cr_assert_str_eq(mode, "exit");
			cr_assert(strcmp(st, "failed") == 0 && strstr(msg, "status 3"), "%s: %s %s",
				  model, st, msg);
		}
		seen[strcmp(mode, "crash") == 0 ? 0 : strcmp(mode, "hang") == 0 ? 1
					      : strcmp(mode, "fail") == 0 ? 2 : 3]++;
	}
	check_side_files(r->out, true);
	/* Nothing outlives the run: no process, no temporary file (the fault
	 * workload leaves one behind in every point that does not reach its
	 * teardown). */
	cr_assert_eq(leftover_procs(r->tag), 0);
	cr_assert_eq(dir_entries(r->tmp), 0, "TMPDIR not empty");
	csv_free(c);
	free(err);
	run_free(r);
}

Test(reliability, faults_contained_every_model, .timeout = 150)
{
	struct run r;
	bool san = false;
	int seen[4] = { 0 };

	/* A generous timeout where none is expected (a sanitizer's report
	 * takes its time), a short one for the hangs. */
	run_faults(&r, "crash,fail,exit", "30", false, &san, seen);
	run_faults(&r, "hang", "0.5", true, &san, seen);
	for (int m = 0; m < 4; m++)
		cr_assert_eq(seen[m], PT_MODEL_COUNT, "mode %d ran under %d models", m, seen[m]);
}

/* The victim must be one of the workers: a point that cannot hold it fails
 * in setup, with a message saying why. */
Test(reliability, fault_victim_out_of_range, .timeout = 30)
{
	struct pt_point pt = { .wl = &pt_wl_fault, .model = PT_MODEL_THREADS, .nworkers = 2 };
	struct pt_runenv env = { 0 };
	struct pt_result r;
	char err[256];

	cr_assert_eq(pt_params_defaults(&pt.params, pt_wl_fault.params, true, err, sizeof(err)), 0);
	cr_assert_eq(pt_params_set(&pt.params, "victim", "2", err, sizeof(err)), 0);
	cr_assert_eq(pt_point_run_once(&pt, &env, &r), PT_ST_FAILED);
	cr_assert(strstr(r.msg, "victim=2 but only 2 workers"), "%s", r.msg);
	/* mode=fail in process, under every model: failed, the rest reaped. */
	cr_assert_eq(pt_params_set(&pt.params, "victim", "0", err, sizeof(err)), 0);
	cr_assert_eq(pt_params_set(&pt.params, "mode", "fail", err, sizeof(err)), 0);
	for (enum pt_model m = 0; m < PT_MODEL_COUNT; m++) {
		pt.model = m;
		cr_assert_eq(pt_point_run_once(&pt, &env, &r), PT_ST_FAILED, "%s", pt_model_name(m));
		cr_assert(strstr(r.msg, "Worker-1: injected failure"), "%s", r.msg);
	}
	cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "a child is left");
}

/* A forked worker dies of a signal while its siblings wait for it (for a
 * flag it would have set, as at a barrier): under threads the crash would
 * take them along; under procs they are killed after a grace of a second,
 * and the point ends as crashed then, not at the driver's timeout, naming
 * the signal of the worker that crashed. */
static int wait_for_victim_body(struct pt_worker *w)
{
	_Atomic int *flag = w->team->shared;

	if (w->id == 1)
		raise(SIGUSR1); /* not caught by sanitizers, no core file */
	while (!atomic_load(flag))
		usleep(1000);
	return 0;
}

Test(reliability, procs_crash_ends_blocked_siblings, .timeout = 30)
{
	struct pt_team_config cfg = { .model = PT_MODEL_PROCS, .nworkers = 3,
				      .body = wait_for_victim_body, .shared_size = 64 };
	struct pt_team t;
	struct pt_team_stats *st = malloc(sizeof(*st));

	cr_assert_eq(pt_team_init(&t, &cfg), 0);
	cr_assert_eq(pt_team_spawn(&t), 0);
	pt_team_go(&t);
	cr_assert_eq(pt_team_join(&t, 0), 0);
	cr_assert_neq(pt_team_collect(&t, st), 0);
	cr_assert_eq(st->crashed, 3);
	cr_assert(st->first_msg && strcmp(st->first_msg, strsignal(SIGUSR1)) == 0, "%s",
		  st->first_msg ? st->first_msg : "(none)");
	pt_team_destroy(&t);
	free(st);
	cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "a child is left");
}

/* --- signals --- */

/* Starts a run whose second point is very long (countdown of 10^11 under
 * procs, 2 workers) and returns once that point's workers run: 2 rows of the
 * first point are on disk. */
static void start_long_run(struct run *r, const char *model)
{
	char path[400];
	double deadline = now_ms() + 60e3;
	pid_t point = 0;

	run_start(r,
		  ARGV("run", "-w", "countdown", "-p", "count=200000,100000000000", "-m", model,
		       "-n", "2", "-r", "2", "--warmup", "0", "-q", "-o", r->out),
		  OUT_FILE);
	snprintf(path, sizeof(path), "%s/results.csv", r->out);
	for (;;) {
		int lines = pt_test_csv_shape(path, NULL);

		cr_assert(now_ms() < deadline, "the long point never started");
		cr_assert_eq(waitpid(r->pid, NULL, WNOHANG), 0, "the run ended early");
		if (lines >= 3 && (point = child_of(r->pid)) != 0 &&
		    (strcmp(model, "procs") != 0 || child_of(point) != 0))
			break;
		usleep(5000);
	}
}

static void signal_run(struct run *r, int sig)
{
	int pidfd = (int)syscall(SYS_pidfd_open, r->pid, 0);
	double t0 = now_ms();

	cr_assert_eq(kill(r->pid, sig), 0);
	if (pidfd >= 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };

		poll(&p, 1, 30000);
		close(pidfd);
	}
	r->exit_ms = now_ms() - t0;
	run_wait(r, 30);
}

/* The rows measured before the signal are on disk and whole; the run left
 * nothing behind. */
static void check_stopped_run(struct run *r, int want_status)
{
	char path[400];
	char *err = run_stderr(r);
	struct csv *c;
	json_error_t jerr;
	json_t *meta;

	cr_assert_eq(r->status, want_status, "exit %d: %s", r->status, err);
	snprintf(path, sizeof(path), "%s/results.csv", r->out);
	c = csv_load(path);
	cr_assert_eq(c->nrows, 2, "%d rows", c->nrows);
	for (int i = 0; i < c->nrows; i++)
		cr_assert_str_eq(csv_get(c, i, "status"), "ok");
	csv_free(c);
	check_side_files(r->out, true);
	snprintf(path, sizeof(path), "%s/meta.json", r->out);
	meta = json_load_file(path, 0, &jerr);
	cr_assert(meta);
	cr_assert(json_is_false(json_object_get(meta, "finished")), "meta.json: finished");
	json_decref(meta);
	cr_assert_eq(leftover_procs(r->tag), 0);
	cr_assert_eq(dir_entries(r->tmp), 0, "TMPDIR not empty");
	free(err);
}

Test(reliability, sigint_stops_a_long_point, .timeout = 120)
{
	struct run r;

	run_init(&r, "sigint");
	start_long_run(&r, "procs");
	signal_run(&r, SIGINT);
	/* A figure for the record, not a threshold. */
	fprintf(stderr, "SIGINT during a long procs point: exit after %.1f ms\n", r.exit_ms);
	check_stopped_run(&r, 130);
	run_free(&r);
}

Test(reliability, sigterm_and_sighup_stop_the_run, .timeout = 120)
{
	static const struct {
		int sig, status;
		const char *model;
	} cases[] = { { SIGTERM, 143, "threads" }, { SIGHUP, 129, "gil" } };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run r;

		run_init(&r, "sigterm");
		start_long_run(&r, cases[i].model);
		signal_run(&r, cases[i].sig);
		fprintf(stderr, "%s during a long %s point: exit after %.1f ms\n",
			strsignal(cases[i].sig), cases[i].model, r.exit_ms);
		check_stopped_run(&r, cases[i].status);
		run_free(&r);
	}
}

/* Two termination signals at once (both pending while the driver is
 * stopped): the second handled exits at once, yet kills and reaps the
 * point's process group and removes the temporary directory. */
Test(reliability, second_signal_exits_at_once, .timeout = 120)
{
	struct run r;
	char path[400], *err;
	struct csv *c;

	run_init(&r, "second");
	start_long_run(&r, "procs");
	cr_assert_eq(kill(r.pid, SIGSTOP), 0);
	cr_assert_eq(kill(r.pid, SIGINT), 0);
	cr_assert_eq(kill(r.pid, SIGTERM), 0);
	cr_assert_eq(kill(r.pid, SIGCONT), 0);
	run_wait(&r, 30);
	err = run_stderr(&r);
	cr_assert(r.status == 130 || r.status == 143, "exit %d: %s", r.status, err);
	cr_assert(strstr(err, "second signal"), "%s", err);
	snprintf(path, sizeof(path), "%s/results.csv", r.out);
	c = csv_load(path);
	cr_assert_eq(c->nrows, 2);
	csv_free(c);
	check_side_files(r.out, false);
	cr_assert_eq(leftover_procs(r.tag), 0);
	cr_assert_eq(dir_entries(r.tmp), 0, "TMPDIR not empty");
	free(err);
	run_free(&r);
}

/* kill -9 of the driver: the point's process dies with it
 * (PR_SET_PDEATHSIG), and its forked workers with it in turn. */
Test(reliability, killed_driver_takes_its_point_along, .timeout = 120)
{
	struct run r;
	char path[400];
	struct csv *c;

	run_init(&r, "kill9");
	start_long_run(&r, "procs");
	cr_assert_eq(kill(r.pid, SIGKILL), 0);
	run_wait(&r, 30);
	cr_assert_eq(r.status, 128 + SIGKILL);
	cr_assert_eq(leftover_procs(r.tag), 0);
	snprintf(path, sizeof(path), "%s/results.csv", r.out);
	c = csv_load(path);
	cr_assert_eq(c->nrows, 2);
	csv_free(c);
	check_side_files(r.out, false);
	run_free(&r);
}

/* kill -9 at moments spread over a run of short points: results.csv holds
 * only whole rows, summary.csv and meta.json are absent or whole. */
Test(reliability, killed_driver_leaves_whole_files, .timeout = 120)
{
	for (int k = 0; k < 5; k++) {
		struct run r;
		char path[400];
		struct csv *c;

		run_init(&r, "kill9-files");
		run_start(&r,
			  ARGV("run", "-w", "countdown", "-p", "count=20000", "-m", "serial,threads",
			       "-n", "1,2", "-r", "4", "--warmup", "0", "-q", "-o", r.out),
			  OUT_FILE);
		usleep((useconds_t)(30000 + 60000 * k));
		kill(r.pid, SIGKILL);
		run_wait(&r, 30);
		cr_assert(r.status == 128 + SIGKILL || r.status == 0, "exit %d", r.status);
		snprintf(path, sizeof(path), "%s/results.csv", r.out);
		if (access(path, F_OK) == 0) {
			c = csv_load(path);
			for (int i = 0; i < c->nrows; i++)
				cr_assert_str_eq(csv_get(c, i, "status"), "ok");
			csv_free(c);
		}
		check_side_files(r.out, r.status == 0);
		cr_assert_eq(leftover_procs(r.tag), 0);
		run_free(&r);
	}
}

/* A closed stdout, or one whose reader is gone (SIGPIPE), neither kills the
 * run nor lets the table into results.csv. */
Test(reliability, stdout_closed_or_broken, .timeout = 60)
{
	for (enum out_mode mode = OUT_CLOSED; mode <= OUT_BROKEN_PIPE; mode++) {
		struct run r;
		struct csv *c;
		char path[400], *err;

		run_init(&r, "stdout");
		run_start(&r,
			  ARGV("run", "-w", "countdown", "--quick", "-m", "serial,procs", "-n", "1",
			       "-r", "2", "--warmup", "0", "-o", r.out),
			  mode);
		run_wait(&r, 50);
		err = run_stderr(&r);
		cr_assert_eq(r.status, 0, "mode %d: exit %d: %s", mode, r.status, err);
		snprintf(path, sizeof(path), "%s/results.csv", r.out);
		c = csv_load(path);
		cr_assert_eq(c->nrows, 4);
		cr_assert_str_eq(c->field[0][0], "workload");
		csv_free(c);
		check_side_files(r.out, true);
		cr_assert_eq(dir_entries(r.tmp), 0);
		free(err);
		run_free(&r);
	}
}

/* A file system that fills up (here a file size limit, ulimit -f: EFBIG)
 * while results.csv grows: the run fails, and results.csv keeps only whole
 * rows. */
Test(reliability, full_disk_keeps_whole_rows, .timeout = 60)
{
	struct run r;
	struct csv *c;
	char path[400], *err;

	run_init(&r, "fsize");
	fflush(NULL);
	r.pid = fork();
	cr_assert(r.pid >= 0);
	if (r.pid == 0) {
		/* Room for meta.json and some rows, not for all 200 (a row
		 * is well over 30 bytes, whatever columns the build has). */
		struct rlimit rl = { 6000, 6000 };
		const char *const argv[] = { "ptbench", "run", "-w", "countdown", "--quick", "-m",
					     "serial,threads", "-n", "1,2", "-r", "50", "--warmup",
					     "0", "-q", "-o", r.out, NULL };
		int fd;

		snprintf(path, sizeof(path), "%s/stderr", r.dir);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 2);
		close(fd);
		setenv("PT_REL_TAG", r.tag, 1);
		setenv("TMPDIR", r.tmp, 1);
		setrlimit(RLIMIT_FSIZE, &rl);
		execv(pt_test_bin(), (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	run_wait(&r, 50);
	err = run_stderr(&r);
	cr_assert_eq(r.status, 1, "exit %d: %s", r.status, err);
	cr_assert(strstr(err, "results.csv") && strstr(err, strerror(EFBIG)), "%s", err);
	snprintf(path, sizeof(path), "%s/results.csv", r.out);
	c = csv_load(path);
	cr_assert(c->nrows > 0 && c->nrows < 200, "%d rows", c->nrows);
	for (int i = 0; i < c->nrows; i++)
		cr_assert_str_eq(csv_get(c, i, "status"), "ok");
	csv_free(c);
	check_side_files(r.out, false);
	cr_assert_eq(leftover_procs(r.tag), 0);
	cr_assert_eq(dir_entries(r.tmp), 0, "TMPDIR not empty");
	free(err);
	run_free(&r);
}

/* -o into a directory that holds results: refused (exit 2) and untouched,
 * unless --force; -o naming a file: refused. */
Test(reliability, out_dir_never_overwritten, .timeout = 60)
{
	struct run r;
	char path[400], *before, *after, *err;
	const char *const again[] = { "ptbench", "run", "-w", "countdown", "--quick", "-m", "serial",
				      "-n", "1", "-r", "1", "--warmup", "0", "-q", "-o", NULL, NULL,
				      NULL };
	const char *args[20];

	run_init(&r, "outdir");
	memcpy(args, again, sizeof(again));
	args[15] = r.out;
	run_bin(&r, args, 50);
	cr_assert_eq(r.status, 0);
	snprintf(path, sizeof(path), "%s/results.csv", r.out);
	before = slurp(path, NULL);
	run_bin(&r, args, 50);
	err = run_stderr(&r);
	cr_assert_eq(r.status, 2, "exit %d", r.status);
	cr_assert(strstr(err, "--force") && strstr(err, r.out), "%s", err);
	free(err);
	after = slurp(path, NULL);
	cr_assert_str_eq(before, after, "results.csv changed");
	free(after);
	args[16] = "--force";
	run_bin(&r, args, 50);
	cr_assert_eq(r.status, 0);
	check_side_files(r.out, true);
	cr_assert_eq(dir_entries(r.tmp), 0);

	/* A file where the directory should be. */
	args[15] = path;
	args[16] = NULL;
	run_bin(&r, args, 50);
	err = run_stderr(&r);
	cr_assert_eq(r.status, 2, "exit %d: %s", r.status, err);
	cr_assert(strstr(err, "not a directory"), "%s", err);
	free(err);
	free(before);
	run_free(&r);
}

/* --- exhausted resources --- */

/* Tasks (processes and threads) of @uid now, from /proc. */
static int tasks_of(uid_t uid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char path[300], *st, *u, *t;
		unsigned ruid;
		int threads;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
		st = slurp(path, NULL);
		u = st ? strstr(st, "\nUid:") : NULL;
		t = st ? strstr(st, "\nThreads:") : NULL;
		if (u && t && sscanf(u, "\nUid: %u", &ruid) == 1 &&
		    sscanf(t, "\nThreads: %d", &threads) == 1 && ruid == uid)
			n += threads;
		free(st);
	}
	closedir(d);
	return n;
}

static void *idle(void *arg)
{
	return arg;
}

static int self_threads(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task", (int)getpid());
	return dir_entries(path);
}

/* In a child dropped to an unprivileged user (RLIMIT_NPROC binds no root),
 * with room for 3 more tasks than it has: a point of 12 workers fails part
 * way, with a message saying so, and leaves no worker behind. Exit status
 * 0: checked; 77: cannot drop privileges; else what failed, in @msg. */
static int spawn_under_nproc_limit(char *msg, size_t n)
{
	struct rlimit rl;
	struct pt_runenv env = { 0 };
	struct pt_result *r = malloc(sizeof(*r));
	char err[256];
	pthread_t t;
	int base;

	if (geteuid() == 0 &&
	    (setgroups(0, NULL) != 0 || setgid(NOBODY) != 0 || setuid(NOBODY) != 0))
		return 77;
	/* A thread first: a sanitizer starts its own background thread at
	 * the first pthread_create, which must not count as a leftover. */
	if (pthread_create(&t, NULL, idle, NULL) != 0 || pthread_join(t, NULL) != 0)
		return snprintf(msg, n, "pthread_create: %s", strerror(errno)), 1;
	base = tasks_of(getuid());
	if (base < 1)
		return snprintf(msg, n, "cannot count tasks"), 1;
	rl.rlim_cur = rl.rlim_max = (rlim_t)base + 3;
	if (setrlimit(RLIMIT_NPROC, &rl) != 0)
		return snprintf(msg, n, "setrlimit: %s", strerror(errno)), 1;
	for (enum pt_model m = PT_MODEL_THREADS; m <= PT_MODEL_GIL; m++) {
		struct pt_point pt = { .wl = &pt_wl_countdown, .model = m, .nworkers = 12 };
		int threads0 = self_threads();

		if (pt_params_defaults(&pt.params, pt_wl_countdown.params, true, err, sizeof(err)))
			return snprintf(msg, n, "%s", err), 1;
		pt_point_run_once(&pt, &env, r);
		fprintf(stderr, "%s, 12 workers, %d tasks allowed: %s: %s\n", pt_model_name(m),
			(int)rl.rlim_cur, pt_status_name(r->status), r->msg);
		if (r->status != PT_ST_FAILED ||
		    !strstr(r->msg, m == PT_MODEL_PROCS ? "fork failed" : "pthread_create failed") ||
		    !strstr(r->msg, strerror(EAGAIN)) || !strstr(r->msg, " of 12 workers"))
			return snprintf(msg, n, "%s: %s: %s", pt_model_name(m),
					pt_status_name(r->status), r->msg), 1;
		if (waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD)
			return snprintf(msg, n, "%s: a worker process is left", pt_model_name(m)), 1;
		/* A joined thread leaves the task list a moment after its
		 * join returned: give it time. */
		for (int k = 0; k < 5000 && self_threads() != threads0; k++)
			usleep(1000);
		if (self_threads() != threads0)
			return snprintf(msg, n, "%s: %d threads left, %d before", pt_model_name(m),
					self_threads(), threads0), 1;
	}
	free(r);
	return 0;
}

Test(reliability, exhausted_process_limit, .timeout = 60)
{
	int pfd[2], st;
	char msg[512] = "";
	ssize_t k;
	pid_t pid;

	cr_assert_eq(pipe(pfd), 0);
	fflush(NULL);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		int ret;

		close(pfd[0]);
		ret = spawn_under_nproc_limit(msg, sizeof(msg));
		if (write(pfd[1], msg, strlen(msg)) < 0)
			ret = 1;
		_exit(ret);
	}
	close(pfd[1]);
	k = read(pfd[0], msg, sizeof(msg) - 1);
	msg[k > 0 ? k : 0] = '\0';
	close(pfd[0]);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
		cr_skip_test("cannot drop to an unprivileged user to test RLIMIT_NPROC");
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d: %s", st, msg);
}

/* More workers than the process limit allows is bad input: exit 2 before
 * anything runs, naming the count; serial spawns nothing and passes. */
Test(reliability, worker_count_beyond_limit_is_bad_input, .timeout = 60)
{
	static const struct {
		const char *model;
		int status;
	} cases[] = { { "threads", 2 }, { "procs", 2 }, { "serial", 0 } };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run r;
		char *err;
		const char *const argv[] = { "ptbench", "run", "--dry-run", "-w", "countdown", "-m",
					     cases[i].model, "-n", "40", NULL };
		int st;

		run_init(&r, "nproc");
		fflush(NULL);
		r.pid = fork();
		cr_assert(r.pid >= 0);
		if (r.pid == 0) {
			struct rlimit rl = { 20, 20 };
			char path[400];
			int fd;

			snprintf(path, sizeof(path), "%s/stderr", r.dir);
			fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
			dup2(fd, 2);
			close(fd);
			fd = open("/dev/null", O_WRONLY);
			dup2(fd, 1);
			close(fd);
			if (geteuid() == 0 &&
			    (setgroups(0, NULL) != 0 || setgid(NOBODY) != 0 || setuid(NOBODY) != 0))
				_exit(77);
			if (setrlimit(RLIMIT_NPROC, &rl) != 0)
				_exit(78);
			execv(pt_test_bin(), (char *const *)(uintptr_t)argv);
			_exit(79); /* the binary is out of an unprivileged user's reach */
		}
		cr_assert_eq(waitpid(r.pid, &st, 0), r.pid);
		st = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (st == 77 || st == 79) {
			run_free(&r);
			cr_skip_test("cannot run the binary as an unprivileged user (%d)", st);
		}
		err = run_stderr(&r);
		cr_assert_eq(st, cases[i].status, "%s: exit %d: %s", cases[i].model, st, err);
		if (cases[i].status == 2)
			cr_assert(strstr(err, "40 workers") && strstr(err, "RLIMIT_NPROC"), "%s", err);
		free(err);
		run_free(&r);
	}
}

/* --- the default timeout --- */

static double timeout_of(const char *const *args, int argc)
{
	struct pt_topo topo;
	struct pt_test_plan tp;
	char err[512];
	double t;

	cr_assert_eq(pt_topo_init(&topo), 0);
	cr_assert_eq(pt_test_plan(&tp, &topo, argc, args, err, sizeof(err)), 0, "%s", err);
	cr_assert(tp.plan.npts >= 1);
	t = pt_plan_timeout(&tp.plan, &tp.plan.pts[tp.plan.npts - 1]);
	pt_test_plan_free(&tp);
	pt_topo_destroy(&topo);
	return t;
}

#define TIMEOUT_OF(...) timeout_of((const char *const[]){ "run", __VA_ARGS__, NULL }, \
				   (int)(sizeof((const char *[]){ "run", __VA_ARGS__ }) /  \
					 sizeof(const char *)))

Test(reliability, default_timeout_follows_the_point, .timeout = 30)
{
	double quick = TIMEOUT_OF("-w", "countdown", "--quick", "-m", "threads", "-n", "1");
	double def = TIMEOUT_OF("-w", "countdown", "-m", "threads", "-n", "1");
	double big = TIMEOUT_OF("-w", "countdown", "-p", "count=80000000000", "-m", "threads", "-n", "1");
	double weak = TIMEOUT_OF("-w", "countdown", "-p", "scaling=weak", "-m", "threads", "-n", "8");
	double huge = TIMEOUT_OF("-w", "countdown", "-p", "count=4000000000000000000", "-n", "1");
	double given = TIMEOUT_OF("-w", "countdown", "--timeout", "2.5", "-n", "1");

	fprintf(stderr, "timeouts: quick %.1f s, default %.1f s, 100x count %.1f s, weak n=8 %.1f s\n",
		quick, def, big, weak);
	/* A floor for small points; growing with the size and, for weak
	 * scaling, with the workers; bounded; --timeout wins. */
	cr_assert(quick >= 30 && def > quick && big > def);
	cr_assert(weak > def);
	cr_assert(huge <= 86400);
	cr_assert(given == 2.5);
}

/* --- bad input --- */

static void expect_refused(const char *const argv[], const char *named, const char *why)
{
	struct pt_cmd_out *o = malloc(sizeof(*o));

	pt_test_exec(argv, NULL, 60, o);
	cr_assert_eq(o->status, 2, "'%s': exit %d, stderr: %s", named, o->status, o->err);
	cr_assert(strstr(o->err, named), "message does not name '%s': %s", named, o->err);
	cr_assert(strstr(o->err, why), "message does not say '%s': %s", why, o->err);
	free(o);
}

Test(reliability, bad_input_named_exit_2, .timeout = 60)
{
	static char longarg[5000];
	char points[64], runs[64];

	memset(longarg, '7', sizeof(longarg) - 1);
	/* Text that results.csv and meta.json (JSON: UTF-8) cannot hold, shown
	 * escaped. */
	expect_refused(ARGV("run", "-w", "count\xff" "down"), "count\\xffdown", "UTF-8");
	expect_refused(ARGV("run", "-o", "\xc0\xaf"), "\\xc0\\xaf", "UTF-8");
	expect_refused(ARGV("run", "-p", "mode=a\tb"), "mode=a\\x09b", "control character");
	expect_refused(ARGV("run", "-o", longarg), "777777", "too long");
	/* Plans too large to hold or to run. */
	/* 64 worker counts x 40 counts x every model. */
	snprintf(points, sizeof(points), "%d points", 64 * 40 * PT_MODEL_COUNT);
	expect_refused(ARGV("run", "--dry-run", "-w", "countdown", "-n", "1-64", "-p",
			    "count=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,"
			    "21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40"),
		       points, "narrow");
	snprintf(runs, sizeof(runs), "%d points x 1001 repetitions", 64 * PT_MODEL_COUNT);
	expect_refused(ARGV("run", "--dry-run", "-w", "countdown", "-n", "1-64", "-r", "1000"),
		       runs, "runs");
	/* Options given values they do not take; "--" ends the options. */
	expect_refused(ARGV("run", "--quick=1"), "--quick", "takes no value");
	expect_refused(ARGV("run", "--quiet=yes"), "--quiet", "takes no value");
	expect_refused(ARGV("run", "--", "-w", "countdown"), "'-w'", "unexpected argument");
	/* The fault workload's parameters. */
	expect_refused(ARGV("run", "-w", "fault", "-p", "mode=explode"), "explode", "crash|hang");
	expect_refused(ARGV("run", "-w", "fault", "-p", "victim=4096"), "victim", "range");
	expect_refused(ARGV("run", "-w", "fault", "-p", "victim=-1"), "victim", "range");
	expect_refused(ARGV("run", "--timeout", "0"), "'0'", "seconds");
}

/* --- issue 13: nothing left behind --- */

/* Waits (a watchdog, not a threshold) until directory @path has an entry
 * and the run still runs. */
static void wait_for_entry(struct run *r, const char *path)
{
	double deadline = now_ms() + 60e3;

	while (dir_entries(path) < 1) {
		cr_assert(now_ms() < deadline, "%s stayed empty", path);
		cr_assert_eq(waitpid(r->pid, NULL, WNOHANG), 0, "the run ended early");
		usleep(5000);
	}
}

/* A filewrite run into -p dir=@dir that writes for a long time (one byte a
 * write(2), so that it fills nothing up meanwhile). */
static void start_filewrite(struct run *r, const char *dir, const char *timeout)
{
	static char pdir[420];

	snprintf(pdir, sizeof(pdir), "dir=%s", dir);
	run_start(r,
		  ARGV("run", "-w", "filewrite", "-m", "threads", "-n", "2", "-p",
		       "lines=1000000000", "-p", "io=write", "-p", "block=1", "-p", pdir,
		       "--timeout", timeout, "-r", "1", "--warmup", "0", "-q", "-o", r->out),
		  OUT_FILE);
}

/* Issue 13 item 8: a filewrite point killed (SIGINT, a second signal, its
 * timeout, its process crashing) never ran its teardown, and left its
 * directory inside -p dir behind. The driver removes every directory a
 * point made, whatever happened to it. */
Test(reliability, workload_dir_removed_whatever_happens, .timeout = 240)
{
	static const char *const how[] = { "sigint", "second", "timeout", "crash" };

	for (size_t i = 0; i < sizeof(how) / sizeof(how[0]); i++) {
		struct run r;
		char dir[400], *err;
		bool timeout = strcmp(how[i], "timeout") == 0;

		run_init(&r, "fwdir");
		snprintf(dir, sizeof(dir), "%s/data", r.dir);
		cr_assert_eq(mkdir(dir, 0755), 0);
		start_filewrite(&r, dir, timeout ? "2" : "600");
		wait_for_entry(&r, dir);
		if (strcmp(how[i], "sigint") == 0) {
			signal_run(&r, SIGINT);
		} else if (strcmp(how[i], "second") == 0) {
			cr_assert_eq(kill(r.pid, SIGSTOP), 0);
			cr_assert_eq(kill(r.pid, SIGINT), 0);
			cr_assert_eq(kill(r.pid, SIGTERM), 0);
			cr_assert_eq(kill(r.pid, SIGCONT), 0);
			run_wait(&r, 30);
		} else if (strcmp(how[i], "crash") == 0) {
			pid_t point = child_of(r.pid);

			cr_assert(point > 0);
			cr_assert_eq(kill(point, SIGSEGV), 0);
			run_wait(&r, 60);
		} else {
			run_wait(&r, 120);
		}
		err = run_stderr(&r);
		cr_assert(r.status == 1 || r.status == 130 || r.status == 143, "%s: exit %d: %s",
			  how[i], r.status, err);
		cr_assert_eq(dir_entries(dir), 0, "%s: the workload's directory is left in %s",
			     how[i], dir);
		cr_assert_eq(leftover_procs(r.tag), 0);
		cr_assert_eq(dir_entries(r.tmp), 0, "%s: TMPDIR not empty", how[i]);
		free(err);
		run_free(&r);
	}
}

/* Entries of @path whose name starts with a dot: temporary files. */
static int hidden_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			fprintf(stderr, "left in %s: %s\n", path, e->d_name);
			n++;
		}
	closedir(d);
	return n;
}

/* Issue 13 item 9: a second signal soon after the first (while the driver
 * writes summary.csv and meta.json) left hidden temporary files in the
 * results folder. Every temporary name in flight is known to the second
 * signal's exit. Spread over delays of 0 to 3 ms. */
Test(reliability, second_signal_leaves_no_temp_files, .timeout = 240)
{
	for (int k = 0; k < 12; k++) {
		struct run r;
		char *err;

		run_init(&r, "second-tmp");
		start_long_run(&r, "procs");
		cr_assert_eq(kill(r.pid, SIGINT), 0);
		usleep((useconds_t)(250 * k));
		kill(r.pid, SIGINT); /* it may be gone already */
		run_wait(&r, 30);
		err = run_stderr(&r);
		cr_assert(r.status == 130, "exit %d: %s", r.status, err);
		cr_assert_eq(hidden_entries(r.out), 0, "delay %d us: temporary files left",
			     250 * k);
		check_side_files(r.out, false);
		cr_assert_eq(leftover_procs(r.tag), 0);
		cr_assert_eq(dir_entries(r.tmp), 0, "TMPDIR not empty");
		free(err);
		run_free(&r);
	}
}

/* Issue 13 item 10: a summary.csv (or final meta.json) that cannot be
 * written fails the run (exit 1), naming it; it exited 0. Here summary.csv
 * cannot replace what holds its name: a directory with a file in it. */
Test(reliability, unwritten_summary_fails_the_run, .timeout = 60)
{
	struct run r;
	char path[420], *err;

	run_init(&r, "nosummary");
	cr_assert_eq(mkdir(r.out, 0755), 0);
	snprintf(path, sizeof(path), "%s/summary.csv", r.out);
	cr_assert_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/summary.csv/keep", r.out);
	close(open(path, O_WRONLY | O_CREAT, 0644));
	run_bin(&r, ARGV("run", "-w", "countdown", "--quick", "-m", "serial", "-n", "1", "-r", "1",
			 "--warmup", "0", "-q", "-o", r.out), 60);
	err = run_stderr(&r);
	cr_assert_eq(r.status, 1, "exit %d: %s", r.status, err);
	cr_assert(strstr(err, "summary.csv"), "%s", err);
	cr_assert_eq(hidden_entries(r.out), 0);
	cr_assert_eq(dir_entries(r.tmp), 0, "TMPDIR not empty");
	free(err);
	run_free(&r);
}

/* Issue 13 item 11: --force replaced results.csv but kept what was derived
 * from the old run (calibration, fidelity, report, plots), which then went
 * into the new report; and two --force runs into one directory mixed their
 * files. --force clears the derived files, and a run takes its directory
 * for itself. */
Test(reliability, force_takes_the_directory, .timeout = 180)
{
	static const char *const derived[] = { "calibration.csv", "fidelity.csv", "fidelity.md",
					       "report.html", "report.md", "plot-x.svg",
					       "topology.svg" };
	struct run r, r2;
	char path[420], *err;
	struct csv *c;

	run_init(&r, "force");
	run_bin(&r, ARGV("run", "-w", "countdown", "--quick", "-m", "serial", "-n", "1", "-r", "1",
			 "--warmup", "0", "-q", "-o", r.out), 60);
	cr_assert_eq(r.status, 0);
	for (size_t i = 0; i < sizeof(derived) / sizeof(derived[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", r.out, derived[i]);
		close(open(path, O_WRONLY | O_CREAT, 0644));
	}
	snprintf(path, sizeof(path), "%s/notes.txt", r.out);
	close(open(path, O_WRONLY | O_CREAT, 0644));
	run_bin(&r, ARGV("run", "-w", "countdown", "--quick", "-m", "threads", "-n", "1", "-r", "1",
			 "--warmup", "0", "-q", "--force", "-o", r.out), 60);
	cr_assert_eq(r.status, 0);
	for (size_t i = 0; i < sizeof(derived) / sizeof(derived[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", r.out, derived[i]);
		cr_assert_neq(access(path, F_OK), 0, "%s survived --force", derived[i]);
	}
	snprintf(path, sizeof(path), "%s/notes.txt", r.out);
	cr_assert_eq(access(path, F_OK), 0, "a file not derived from the run was removed");

	/* A --force run into the directory of a run in progress is refused;
	 * the run in progress keeps its rows. */
	run_start(&r, ARGV("run", "-w", "countdown", "-p", "count=200000,100000000000", "-m",
			   "procs", "-n", "2", "-r", "2", "--warmup", "0", "-q", "--force", "-o",
			   r.out), OUT_FILE);
	snprintf(path, sizeof(path), "%s/results.csv", r.out);
	for (double deadline = now_ms() + 60e3; pt_test_csv_shape(path, NULL) < 3;) {
		cr_assert(now_ms() < deadline, "the first point never ended");
		usleep(5000);
	}
	run_init(&r2, "force2");
	snprintf(r2.out, sizeof(r2.out), "%s", r.out);
	run_bin(&r2, ARGV("run", "-w", "countdown", "--quick", "-m", "serial", "-n", "1", "-r",
			  "1", "--warmup", "0", "-q", "--force", "-o", r2.out), 60);
	err = run_stderr(&r2);
	cr_assert_eq(r2.status, 2, "second --force run: exit %d: %s", r2.status, err);
	cr_assert(strstr(err, "another run"), "%s", err);
	free(err);
	run_free(&r2);
	signal_run(&r, SIGINT);
	cr_assert_eq(r.status, 130);
	c = csv_load(path);
	cr_assert_eq(c->nrows, 2, "%d rows", c->nrows);
	for (int i = 0; i < c->nrows; i++)
		cr_assert_str_eq(csv_get(c, i, "model"), "procs");
	csv_free(c);
	run_free(&r);
}

/* Issue 13 item 12: worker counts no point can run (more than the core's
 * PT_MAX_WORKERS with the CPU neighbours, or -n auto on a machine with
 * more processing units than that) are bad input, refused before the
 * plan. */
Test(reliability, impossible_worker_counts_refused, .timeout = 60)
{
	struct pt_cmd_out *o = malloc(sizeof(*o));
	const char *const big[] = { "HWLOC_SYNTHETIC=pack:2 core:2048 pu:2", NULL };

	pt_test_exec(ARGV("run", "-w", "countdown", "-n", "4096", "--cpu-neighbours", "64",
			  "--dry-run"), NULL, 50, o);
	cr_assert_eq(o->status, 2, "exit %d: %s", o->status, o->err);
	cr_assert(strstr(o->err, "4096") && strstr(o->err, "neighbours"), "%s", o->err);
	pt_test_exec(ARGV("run", "-w", "countdown", "--dry-run"), big, 50, o);
	cr_assert_eq(o->status, 2, "exit %d: %s", o->status, o->err);
	cr_assert(strstr(o->err, "auto") && strstr(o->err, "8192"), "%s", o->err);
	/* Within the bound, planned. */
	pt_test_exec(ARGV("run", "-w", "countdown", "-m", "threads", "-n", "4032",
			  "--cpu-neighbours", "64", "--dry-run"), NULL, 50, o);
	cr_assert(o->status == 0 || (o->status == 2 && strstr(o->err, "limit")), "exit %d: %s",
		  o->status, o->err);
	free(o);
}

/* Issue 13 item 13: under extreme limits (few descriptors, little address
 * space) a run fails as it may, but leaves no temporary file or directory
 * behind: a failed fdopen() no longer leaks its mkstemp() file, and the
 * cleanup has a descriptor. Limits swept, since where a run fails depends
 * on the build. Not under a sanitizer, whose runtime needs both. */
Test(reliability, extreme_limits_leave_nothing, .timeout = 240)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	cr_skip_test("a sanitizer's runtime needs the descriptors and memory taken away here");
#else
	for (int k = 0; k < 14; k++) {
		int resource = k < 6 ? RLIMIT_NOFILE : RLIMIT_AS;
		rlim_t lim = k < 6 ? (rlim_t)(3 + k) : (rlim_t)(3800 + 200 * (k - 6)) * 1024;
		struct run r;
		char path[420];
		int fd;

		run_init(&r, "limits");
		fflush(NULL);
		r.pid = fork();
		cr_assert(r.pid >= 0);
		if (r.pid == 0) {
			struct rlimit rl = { lim, lim };
			const char *const argv[] = { "ptbench", "run", "-w", "countdown", "--quick",
						     "-m", "serial", "-n", "1", "-r", "1",
						     "--warmup", "0", "-q", "-o", r.out, NULL };

			snprintf(path, sizeof(path), "%s/stderr", r.dir);
			fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			dup2(fd, 2);
			close(fd);
			setenv("TMPDIR", r.tmp, 1);
			setenv("PT_REL_TAG", r.tag, 1);
			setrlimit(resource, &rl);
			execv(pt_test_bin(), (char *const *)(uintptr_t)argv);
			_exit(127);
		}
		run_wait(&r, 60);
		fprintf(stderr, "%s %llu: exit %d\n", k < 6 ? "nofile" : "as KiB",
			(unsigned long long)(k < 6 ? lim : lim / 1024), r.status);
		cr_assert(r.status == 0 || r.status == 1 || r.status == 2 || r.status == 127,
			  "limit %d: exit %d", k, r.status);
		cr_assert_eq(hidden_entries(r.out), 0, "limit %d: temporary files left", k);
		cr_assert_eq(dir_entries(r.tmp), 0, "limit %d: TMPDIR not empty", k);
		cr_assert_eq(leftover_procs(r.tag), 0);
		run_free(&r);
	}
#endif
}

/* Issue 13 item 14: results/latest that is a real directory is left alone,
 * and the run says so (it was silently not updated); an unknown option in
 * a cluster is blamed on its own argument, not the one before; bytes that
 * are not UTF-8 are never echoed raw; numbers with leading blanks are
 * refused. */
Test(reliability, small_driver_edges, .timeout = 120)
{
	struct pt_cmd_out *o = malloc(sizeof(*o));
	const char *const bad_env[] = { "HWLOC_SYNTHETIC=pack:\xff\x01", NULL };
	char *cwd = pt_test_tmpdir(), path[4200];

	/* results/latest a directory. */
	snprintf(path, sizeof(path), "%s/results", cwd);
	cr_assert_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/results/latest", cwd);
	cr_assert_eq(mkdir(path, 0755), 0);
	pt_test_run(pt_test_bin(), cwd,
		    ARGV("run", "-w", "countdown", "--quick", "-m", "serial", "-n", "1", "-r", "1",
			 "--warmup", "0", "-q"), NULL, 60, o);
	cr_assert_eq(o->status, 0, "exit %d: %s", o->status, o->err);
	cr_assert(strstr(o->err, "results/latest"), "not said: %s", o->err);

	pt_test_exec(ARGV("run", "-w", "countdown", "-q\xc3\xa9"), NULL, 30, o);
	cr_assert_eq(o->status, 2, "exit %d: %s", o->status, o->err);
	cr_assert_null(strstr(o->err, "'countdown'"), "blamed on countdown: %s", o->err);
	cr_assert(strstr(o->err, "-q\xc3\xa9"), "%s", o->err);

	pt_test_exec(ARGV("topo"), bad_env, 30, o);
	cr_assert_eq(o->status, 2, "exit %d: %s", o->status, o->err);
	cr_assert_null(strchr(o->err, '\xff'), "raw byte echoed: %s", o->err);
	cr_assert_null(strchr(o->err, '\x01'), "raw byte echoed: %s", o->err);
	cr_assert(strstr(o->err, "\\xff"), "%s", o->err);

	for (const char *const *a = (const char *const[]){ "-r", " 5", "-n", " 2", "--timeout",
							    " 5", "-p", "count= 5", "-p",
							    "count=+5", "--switch-interval",
							    " 100", NULL };
	     *a; a += 2) {
		pt_test_exec(ARGV("run", "-w", "countdown", "--dry-run", a[0], a[1]), NULL, 30, o);
		cr_assert_eq(o->status, 2, "%s '%s': exit %d: %s", a[0], a[1], o->status, o->err);
	}
	pt_test_rmdir(cwd);
	free(cwd);
	free(o);
}
