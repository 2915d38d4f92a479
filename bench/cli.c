// SPDX-License-Identifier: MIT
// The ptbench program: `list`, `run` (the run loop: plan, containment of
// each repetition, results written as they come, clean stop on signals) and
// `topo` (the machine and placement plans).
#include "cli.h"

#include "error.h"
#include "output.h"
#include "plan.h"
#include "report.h"
#include "suite.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "gitrev.h"

#define PT_VERSION "0.1.0"

void pt_run_usage(void);
void pt_print_version(void);

void pt_print_version(void)
{
	printf("ptbench %s (%s)\n", PT_VERSION, PT_GIT_REV);
}

static void usage(FILE *f)
{
	fputs("usage: ptbench list\n"
	      "       ptbench run [options]\n"
	      "       ptbench topo [-n LIST] [-b POLICY]\n"
	      "       ptbench report [DIR]      draw DIR's report (default results/latest)\n"
	      "       ptbench --help | --version\n"
	      "\n"
	      "Runs the same workloads under serial, threads, fork()ed processes and\n"
	      "threads under a simulated GIL, and writes what they cost.\n"
	      "\n"
	      "run options:\n"
	      "  -w, --workload LIST       workloads (default: all but self-tests; see list)\n"
	      "  -m, --model LIST          serial,threads,procs,gil,gil-old (default: all)\n"
	      "  -n, --workers LIST        e.g. 1,2,4, ranges 1-8, or auto (default)\n"
	      "  -r, --repeat N            measured repetitions per point (default 5)\n"
	      "      --warmup N            discarded repetitions first (default 1)\n"
	      "  -b, --bind LIST           none,compact,scatter (default none)\n"
	      "  -p, --param KEY=VALUE     workload parameter; a comma list sweeps it\n"
	      "      --switch-interval LIST  gil switch interval(s), us (default 5000)\n"
	      "      --check-interval LIST   gil-old check interval(s), ticks (default 100)\n"
	      "      --start LIST            procs start method(s): fork, forkserver, spawn\n"
	      "                              (default fork)\n"
	      "      --cpu-neighbours N    N extra CPU-bound workers run beside each point\n"
	      "                            (its figures exclude them; not under serial; under\n"
	      "                            a GIL each handoff may wait a switch interval:\n"
	      "                            use smaller sizes or a longer --timeout)\n"
	      "  -o, --out DIR             output directory (default results/<stamp>-<host>)\n"
	      "      --force               write into a DIR that already holds results\n"
	      "      --quick               small sizes, for tests\n"
	      "      --timeout SEC         per repetition (default: 30 s + 10 x its estimate)\n"
	      "      --dry-run             print the plan, run nothing\n"
	      "  -q, --quiet               no progress or table\n"
	      "  -h, --help, --version\n"
	      "\n"
	      "exit status: 0 all points ok, 1 some point failed, 2 bad usage,\n"
	      "130 interrupted (143 terminated, 129 hung up)\n",
	      f);
}

void pt_run_usage(void)
{
	usage(stdout);
}

/* --- list --- */

static int cmd_list(void)
{
	printf("workloads:\n");
	pt_for_each_workload(pp) {
		const struct pt_workload *wl = *pp;

		printf("  %-10s %-9s %s\n", wl->name, pt_kind_name(wl->kind), wl->summary);
		for (const struct pt_param_def *d = wl->params; d && d->name; d++) {
			char spec[160];

			if (d->type == PT_PARAM_ENUM)
				snprintf(spec, sizeof(spec), "%s=%s (%s)", d->name, d->def, d->choices);
			else
				snprintf(spec, sizeof(spec), "%s=%s", d->name, d->def);
			printf("      -p %-28s %s%s%s\n", spec, d->help, d->quick ? "; --quick: " : "",
			       d->quick ? d->quick : "");
		}
	}
	printf("models:\n");
	for (int m = 0; m < PT_MODEL_COUNT; m++)
		printf("  %-10s %s\n", pt_model_name((enum pt_model)m),
		       pt_model_summary((enum pt_model)m));
	return PT_EXIT_OK;
}

/* --- topo --- */

static int cmd_topo(int argc, char **argv, const struct pt_topo *topo)
{
	const char *nlist = "auto";
	enum pt_bind bind = PT_BIND_COMPACT;
	int workers[PT_MAX_LIST], n = 0, c;
	char err[256];

	optind = 1;
	opterr = 0;
	while ((c = getopt(argc, argv, ":n:b:h")) != -1) {
		switch (c) {
		case 'n':
			nlist = optarg;
			break;
		case 'b':
			if (pt_bind_parse(optarg, &bind))
				pt_usage_error("-b: unknown placement '%s' (none, compact, scatter)",
					       optarg);
			break;
		case 'h':
			usage(stdout);
			return PT_EXIT_OK;
		case ':':
			pt_usage_error("option '-%c' needs a value", optopt);
		default:
			pt_usage_error("unknown option '-%c'", optopt);
		}
	}
	if (optind < argc)
		pt_usage_error("unexpected argument '%s'", argv[optind]);
	if (pt_parse_workers(nlist, topo, workers, PT_MAX_LIST, &n, err, sizeof(err)))
		pt_usage_error("-n: %s", err);
	pt_topo_describe(topo, stdout);
	for (int i = 0; i < n; i++) {
		printf("# %d worker%s, %s\n", workers[i], workers[i] > 1 ? "s" : "",
		       pt_bind_name(bind));
		pt_topo_print_plan(topo, bind, workers[i], stdout);
	}
	return PT_EXIT_OK;
}

/* --- run --- */

static volatile sig_atomic_t stop_signal;
static volatile int stop_flag;
/* The run's private temporary directory, for the cleanups that cannot go
 * through the normal end of cmd_run (a second signal, pt_fatal()); the
 * handler reads it only once tmp_set says it is whole. */
static char tmp_path[PATH_MAX];
static volatile sig_atomic_t tmp_set;
static pid_t driver_pid;

/* Declared here, defined in point.c: kills and reaps the point running now;
 * async-signal-safe. */
void pt_point_kill_current(void);

/* Removes the tree under @name (relative to @dirfd) with system calls only,
 * so that a signal handler may call it; depth-limited, best effort. */
static void rm_tree_now(int dirfd, const char *name, int depth)
{
	struct linux_dirent64 {
		uint64_t d_ino;
		int64_t d_off;
		unsigned short d_reclen;
		unsigned char d_type;
		char d_name[];
	};
	_Alignas(8) char buf[1024];
	long n;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(void *)(buf + off);

			off += d->d_reclen;
			if (d->d_name[0] == '.' &&
			    (!d->d_name[1] || (d->d_name[1] == '.' && !d->d_name[2])))
				continue;
			if (unlinkat(fd, d->d_name, 0) != 0 && errno == EISDIR && depth < 8) {
				rm_tree_now(fd, d->d_name, depth + 1);
				unlinkat(fd, d->d_name, AT_REMOVEDIR);
			}
		}
	}
	close(fd);
}

static void on_signal(int sig)
{
	if (stop_flag) {
		/* A second signal: out at once, leaving nothing behind: the
		 * point's process group is killed and reaped (were we killed
		 * instead, PR_SET_PDEATHSIG would take it down), the temporary
		 * directory removed. */
		static const char msg[] = "ptbench: second signal: exiting at once\n";

		pt_point_kill_current();
		for (int i = 0; i < 3 && tmp_set; i++) {
			rm_tree_now(AT_FDCWD, tmp_path, 0);
			if (rmdir(tmp_path) == 0 || errno == ENOENT)
				break;
		}
		if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
			/* nothing to do: we are leaving */
		}
		_exit(sig == SIGINT ? PT_EXIT_INT : 128 + sig);
	}
	stop_signal = sig;
	stop_flag = 1;
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking wait returns EINTR and sees the flag. A
	 * hang-up ends the run like SIGTERM (exit 129). */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* A closed stdout must not kill the run: writes fail with EPIPE. Nor
	 * must a file size limit (ulimit -f): writes fail with EFBIG, which
	 * the driver and the workloads (points inherit this) report. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void rm_tree(const char *dir)
{
	if (dir && *dir)
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* pt_fatal() exits from anywhere: the temporary directory goes too. Not in
 * a point's process, which inherits the handler and may call exit(). */
static void cleanup_at_exit(void)
{
	if (getpid() == driver_pid && tmp_set) {
		rm_tree(tmp_path);
		tmp_set = 0;
	}
}

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/* results/<YYYYmmdd-HHMMSS>-<host>[-k]: never another run's directory. */
static void default_outdir(char *out, size_t n, char *name, size_t nn)
{
	char host[64] = "host", stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	gethostname(host, sizeof(host) - 1);
	for (char *p = host; *p; p++)
		if (*p == '/' || *p == ' ' || *p == '.')
			*p = *p == '.' ? '\0' : '-';
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	if (mkdir("results", 0755) && errno != EEXIST)
		pt_fatal("cannot create results/: %s", strerror(errno));
	for (int k = 1;; k++) {
		if (k == 1)
			snprintf(name, nn, "%s-%s", stamp, host);
		else
			snprintf(name, nn, "%s-%s-%d", stamp, host, k);
		snprintf(out, n, "results/%s", name);
		if (mkdir(out, 0755) == 0)
			return;
		if (errno != EEXIST)
			pt_fatal("cannot create %s: %s", out, strerror(errno));
	}
}

/* results/latest -> <name>, replaced atomically. */
static void point_latest(const char *name)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "results/.latest.%ld", (long)getpid());
	unlink(tmp);
	if (symlink(name, tmp) == 0 && rename(tmp, "results/latest") != 0)
		unlink(tmp);
}

static void progress(const struct pt_plan *plan, int k, uint64_t t0, const struct pt_job *job,
		     int repeat)
{
	const struct pt_point *pt = &plan->pts[job->point];
	double el = (double)(pt_now_ns() - t0) / 1e9;
	double eta = k ? el / k * (plan->njobs - k) : 0;

	fprintf(stderr, "\r\033[K[%d/%d] %s %s n=%d %s %d/%d  %.0fs elapsed, eta %.0fs", k + 1,
		plan->njobs, pt->wl->name, pt_model_name(pt->model), pt->nworkers,
		job->rep < 0 ? "warmup" : "rep", job->rep < 0 ? -job->rep : job->rep + 1,
		job->rep < 0 ? 0 : repeat, el, eta);
}

static void print_plan(const struct pt_opts *o, const struct pt_plan *plan)
{
	printf("%d points, %d repetitions (%d measured + %d warmup each)\n", plan->npts,
	       plan->njobs, o->repeat, o->warmup);
	for (int i = 0; i < plan->npts; i++) {
		const struct pt_point *pt = &plan->pts[i];
		const char *skip = pt_workload_skip_reason(pt->wl, pt->model, pt->nworkers);
		char label[128];

		pt_point_label(pt, label, sizeof(label));
		printf("  %-10s %-8s n=%-4d bind=%-8s %s%s%s\n", pt->wl->name,
		       pt_model_name(pt->model), pt->nworkers, pt_bind_name(pt->bind), label,
		       skip ? "  skipped: " : "", skip ? skip : "");
	}
}

static int cmd_run(int argc, char **argv, const struct pt_topo *topo, int full_argc,
		   char **full_argv)
{
	struct pt_opts o;
	struct pt_plan plan;
	struct pt_columns cols;
	struct pt_result *res, r;
	struct pt_point_summary *sum;
	bool *done, *timed_out, tty, any_bad = false;
	char outdir[PATH_MAX], name[256], path[PATH_MAX + 32], tmpdir[] = "/tmp/ptbench.XXXXXX";
	const char *tmpbase = getenv("TMPDIR");
	char tmpl[PATH_MAX];
	struct pt_runenv env = { .topo = topo };
	json_t *meta;
	FILE *csv;
	int fd, status = PT_EXIT_OK;
	off_t csv_good; /* results.csv up to its last whole row */
	uint64_t t0;
	double est;

	pt_opts_defaults(&o);
	pt_opts_parse(&o, argc, argv, topo);
	pt_plan_build(&plan, &o, topo);
	est = pt_suite_fit(&plan, &o, topo);
	if (o.dry_run) {
		print_plan(&o, &plan);
		printf("estimated time: %.0f s", est);
		if (o.suite)
			printf(" (default suite budget on %d PUs: %.0f s)", topo->npus,
			       pt_suite_budget_s(topo->npus));
		printf("\n");
		pt_plan_free(&plan);
		pt_opts_free(&o);
		return PT_EXIT_OK;
	}

	/* From here on a signal stops the run cleanly. */
	driver_pid = getpid();
	install_signals();

	if (o.out) {
		int ret = mkdir_p(o.out);
		struct stat sb;

		if (ret)
			pt_usage_error("-o: cannot create '%s': %s", o.out, strerror(-ret));
		if (stat(o.out, &sb) != 0 || !S_ISDIR(sb.st_mode))
			pt_usage_error("-o: '%s' is not a directory", o.out);
		if (access(o.out, W_OK | X_OK) != 0)
			pt_usage_error("-o: cannot write into '%s': %s", o.out, strerror(errno));
		snprintf(outdir, sizeof(outdir), "%s", o.out);
		snprintf(path, sizeof(path), "%s/results.csv", outdir);
		if (!o.force && stat(path, &sb) == 0)
			pt_usage_error("-o: '%s' already holds results (use --force to overwrite)",
				       o.out);
	} else {
		default_outdir(outdir, sizeof(outdir), name, sizeof(name));
		point_latest(name);
	}

	/* results.csv first, with its header, and so that it appears whole
	 * or not at all: written under a temporary name, then linked to its
	 * own (refused if it exists: of two runs started into one directory
	 * at once, one is refused before it has touched anything) or, with
	 * --force, renamed over the old one. */
	pt_columns_init(&cols);
	snprintf(path, sizeof(path), "%s/.results.csv.XXXXXX", outdir);
	fd = mkstemp(path);
	if (fd < 0 || fchmod(fd, 0644) != 0 || !(csv = fdopen(fd, "w")))
		pt_fatal("cannot write into %s: %s", outdir, strerror(errno));
	/* A row goes out in one write(2) on each flush, never in pieces. */
	setvbuf(csv, NULL, _IOFBF, 1 << 16);
	pt_csv_header(csv, &cols);
	if (fflush(csv) != 0) {
		int e = errno;

		unlink(path);
		pt_fatal("cannot write into %s: %s", outdir, strerror(e));
	}
	csv_good = ftello(csv);
	{
		char final[PATH_MAX + 32];
		int ret;

		snprintf(final, sizeof(final), "%s/results.csv", outdir);
		ret = o.force ? rename(path, final) : link(path, final);
		if (ret != 0 && !o.force && errno != EEXIST) {
			/* No hard links here (vfat, some FUSE): claim the name
			 * with an empty file, then rename over it. */
			int claim = open(final, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

			if (claim >= 0) {
				close(claim);
				ret = rename(path, final);
			}
		}
		if (ret != 0) {
			int e = errno;

			unlink(path);
			if (e == EEXIST)
				pt_usage_error("-o: '%s' already holds results (use --force to "
					       "overwrite)", outdir);
			pt_fatal("cannot create %s: %s", final, strerror(e));
		}
		unlink(path); /* the temporary name, when linked */
		memcpy(path, final, sizeof(path));
	}
	if (o.force) {
		/* The summary of the run overwritten would not match. */
		char old[PATH_MAX + 32];

		snprintf(old, sizeof(old), "%s/summary.csv", outdir);
		unlink(old);
	}

	/* A private directory for temporary files; removed at the end, also
	 * on pt_fatal() and on a second signal. */
	snprintf(tmpl, sizeof(tmpl), "%s/ptbench.XXXXXX",
		 tmpbase && *tmpbase ? tmpbase : "/tmp");
	if (!mkdtemp(tmpl)) {
		memcpy(tmpl, tmpdir, sizeof(tmpdir));
		if (!mkdtemp(tmpl))
			pt_fatal("cannot create a temporary directory: %s", strerror(errno));
	}
	memcpy(tmp_path, tmpl, sizeof(tmp_path));
	atomic_signal_fence(memory_order_seq_cst); /* the path before the flag */
	tmp_set = 1;
	atexit(cleanup_at_exit);
	env.tmpdir = tmpl;

	/* Orphaned workers of a crashed point are reparented to us and reaped. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	meta = pt_meta_build(topo, &o, full_argc, full_argv);
	pt_meta_warnings(meta, o.quiet);
	if (pt_write_json_atomic(outdir, "meta.json", meta))
		pt_fatal("cannot write %s/meta.json: %s", outdir, strerror(errno));

	res = calloc((size_t)plan.npts * (size_t)o.repeat, sizeof(*res));
	done = calloc((size_t)plan.npts * (size_t)o.repeat, sizeof(*done));
	timed_out = calloc((size_t)plan.npts, sizeof(*timed_out));
	sum = calloc((size_t)plan.npts, sizeof(*sum));
	if (!res || !done || !timed_out || !sum)
		pt_fatal("out of memory");

	tty = isatty(STDERR_FILENO) && !o.quiet;
	t0 = pt_now_ns();
	for (int k = 0; k < plan.njobs && !stop_flag; k++) {
		const struct pt_job *job = &plan.jobs[k];
		const struct pt_point *pt = &plan.pts[job->point];
		const char *skip = pt_workload_skip_reason(pt->wl, pt->model, pt->nworkers);
		size_t slot = (size_t)job->point * (size_t)o.repeat + (size_t)(job->rep < 0 ? 0 : job->rep);

		if (skip || timed_out[job->point]) {
			/* Not run: one row, on the first measured repetition. */
			if (job->rep != 0 && !(timed_out[job->point] && job->rep > 0))
				continue;
			memset(&r, 0, sizeof(r));
			r.status = PT_ST_SKIPPED;
			r.wall_s = r.user_s = r.sys_s = r.ops_per_s = NAN;
			r.lat_p50_us = r.lat_p99_us = NAN;
			for (int m = 0; m < PT_MAX_METRICS; m++)
				r.metric[m] = NAN;
			snprintf(r.msg, sizeof(r.msg), "%s",
				 skip ? skip : "an earlier repetition timed out");
		} else {
			if (tty)
				progress(&plan, k, t0, job, o.repeat);
			if (pt_point_exec(pt, &env, pt_plan_timeout(&o, pt), &stop_flag, &r) == -EINTR)
				break;
			if (job->rep < 0)
				continue; /* warmup: discarded */
			if (r.status == PT_ST_TIMEOUT)
				timed_out[job->point] = true;
			if (r.status != PT_ST_OK) {
				any_bad = true;
				if (!o.quiet) {
					if (tty)
						fputs("\r\033[K", stderr);
					pt_warn("%s %s n=%d rep %d: %s: %s", pt->wl->name,
						pt_model_name(pt->model), pt->nworkers, job->rep,
						pt_status_name(r.status), r.msg);
				}
			}
		}
		res[slot] = r;
		done[slot] = true;
		pt_csv_row(csv, &cols, pt, job->rep < 0 ? 0 : job->rep, &r);
		/* Each row reaches the disk as its repetition completes. A
		 * failed write (a full disk) may have left part of the row:
		 * cut back to the last whole one, so what stays is valid, and
		 * drop the rest of the buffer, which exit() would flush. */
		if (fflush(csv) != 0 || (fdatasync(fileno(csv)) != 0 && errno != EINVAL)) {
			int e = errno;

			__fpurge(csv);
			if (ftruncate(fileno(csv), csv_good) != 0)
				pt_err("cannot cut %s back to its whole rows: %s", path,
				       strerror(errno));
			pt_fatal("cannot write %s: %s; its rows so far are whole", path,
				 strerror(e));
		}
		csv_good = ftello(csv);
	}
	if (tty)
		fputs("\r\033[K", stderr);
	if (fclose(csv) != 0)
		pt_err("closing %s: %s", path, strerror(errno));

	pt_summaries(&plan, o.repeat, res, done, sum);
	if (pt_write_summary(outdir, &cols, &plan, sum))
		pt_err("cannot write %s/summary.csv: %s", outdir, strerror(errno));
	json_object_set_new(meta, "finished", json_boolean(!stop_flag));
	json_object_set_new(meta, "elapsed_s", json_real((double)(pt_now_ns() - t0) / 1e9));
	json_object_set_new(meta, "points", json_integer(plan.npts));
	pt_write_json_atomic(outdir, "meta.json", meta);
	json_decref(meta);

	if (!o.quiet && !stop_flag) {
		pt_print_table(stdout, &plan, sum);
		printf("results in %s\n", outdir);
	}
	rm_tree(tmpl);
	tmp_set = 0;
	pt_reap_orphans();

	if (stop_flag) {
		pt_err("interrupted by %s; rows measured so far are in %s/results.csv",
		       strsignal(stop_signal), outdir);
		status = stop_signal == SIGINT ? PT_EXIT_INT : 128 + stop_signal;
	} else if (any_bad) {
		status = PT_EXIT_FAILED;
	}
	free(res);
	free(done);
	free(timed_out);
	free(sum);
	pt_plan_free(&plan);
	pt_opts_free(&o);
	return status;
}

/* Longest argument accepted: a path (PATH_MAX) is the longest sensible one. */
#define PT_MAX_ARG_LEN (PATH_MAX - 1)

/* Length of the well-formed UTF-8 sequence at @s (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07u;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* @s for a message: at most 60 characters, other bytes than printable
 * ASCII and well-formed UTF-8 as \xHH. */
static const char *shown(const char *s, char *buf, size_t n)
{
	size_t o = 0, k;

	for (const unsigned char *p = (const unsigned char *)s; *p && o + 8 < n; p += k) {
		k = utf8_len(p);
		if (p - (const unsigned char *)s >= 60) {
			o += (size_t)snprintf(buf + o, n - o, "...");
			break;
		}
		if (k == 0 || *p < 0x20 || *p == 0x7f) {
			o += (size_t)snprintf(buf + o, n - o, "\\x%02x", *p);
			k = 1;
		} else {
			memcpy(buf + o, p, k);
			o += k;
		}
	}
	buf[o < n ? o : n - 1] = '\0';
	return buf;
}

/* Every argument is text that results.csv and meta.json can hold: UTF-8
 * (JSON strings are), no control characters, not absurdly long. */
static void check_args(int argc, char **argv)
{
	char buf[320];

	for (int i = 1; i < argc; i++) {
		const unsigned char *p = (const unsigned char *)argv[i];
		size_t len = strlen(argv[i]), k;

		if (len > PT_MAX_ARG_LEN)
			pt_usage_error("argument %d ('%s') is too long: %zu bytes (at most %d)", i,
				       shown(argv[i], buf, sizeof(buf)), len, PT_MAX_ARG_LEN);
		for (; *p; p += k) {
			k = utf8_len(p);
			if (k == 0)
				pt_usage_error("argument %d ('%s') is not valid UTF-8", i,
					       shown(argv[i], buf, sizeof(buf)));
			if (*p < 0x20 || *p == 0x7f)
				pt_usage_error("argument %d ('%s') holds a control character", i,
					       shown(argv[i], buf, sizeof(buf)));
		}
	}
}

/* A closed standard descriptor would be reused by the next open(): results
 * would then be written to it, and the table and warnings into results.csv. */
static void std_fds_open(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
			int nfd = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);

			if (nfd >= 0 && nfd != fd) {
				dup2(nfd, fd);
				close(nfd);
			}
		}
	}
}

int pt_main(int argc, char **argv)
{
	struct pt_topo topo;
	const char *cmd;
	int ret, status;

	std_fds_open();
	check_args(argc, argv);
	if (argc < 2) {
		usage(stderr);
		return PT_EXIT_USAGE;
	}
	cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return PT_EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		pt_print_version();
		return PT_EXIT_OK;
	}
	if (strcmp(cmd, "list") == 0) {
		if (argc > 2)
			pt_usage_error("list: unexpected argument '%s'", argv[2]);
		return cmd_list();
	}
	if (strcmp(cmd, "report") == 0)
		return pt_cmd_report(argc - 1, argv + 1);
	if (strcmp(cmd, "run") != 0 && strcmp(cmd, "topo") != 0)
		pt_usage_error("unknown command '%s' (list, run, topo, report)", cmd);

	ret = pt_topo_init(&topo);
	if (ret == -EINVAL)
		pt_usage_error("HWLOC_SYNTHETIC: bad topology description '%s'",
			       getenv("HWLOC_SYNTHETIC"));
	if (ret)
		pt_fatal("cannot read the machine's topology: %s", strerror(-ret));
	if (strcmp(cmd, "topo") == 0)
		status = cmd_topo(argc - 1, argv + 1, &topo);
	else
		status = cmd_run(argc - 1, argv + 1, &topo, argc, argv);
	pt_topo_destroy(&topo);
	return status;
}
