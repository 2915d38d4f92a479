// SPDX-License-Identifier: MIT
// Start methods of processes (--start fork,forkserver,spawn): the data
// workloads deliver everything under each; workers that crash, hang, fail or
// exit are contained and no process is left; a worker binary that cannot be
// exec'd fails the point clearly; bad --start values are usage errors; the
// start column is empty for every model but procs.
#include "helpers.h"
#include "point.h"
#include "runpoint.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct pt_start_method *const methods[] = { &pt_start_fork, &pt_start_forkserver,
							 &pt_start_spawn };

static enum pt_status run_start(const struct pt_workload *wl, const struct pt_start_method *s,
				int n, const char *const kv[], struct pt_result *r)
{
	struct pt_point pt = { .wl = wl, .model = PT_MODEL_PROCS, .nworkers = n, .start = s };

	return pt_test_run_kv(&pt, kv, r);
}

/* Children of this process still unreaped (zombies included). */
static int my_children(void)
{
	char path[300], line[512];
	int n = 0;
	DIR *d = opendir("/proc");
	struct dirent *e;

	cr_assert(d);
	while ((e = readdir(d))) {
		FILE *f;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (strncmp(line, "PPid:", 5) == 0 && atoi(line + 5) == (int)getpid())
				n++;
		fclose(f);
	}
	closedir(d);
	return n;
}

Test(start, names)
{
	cr_assert_eq(pt_start_find("fork"), &pt_start_fork);
	cr_assert_eq(pt_start_find("forkserver"), &pt_start_forkserver);
	cr_assert_eq(pt_start_find("spawn"), &pt_start_spawn);
	cr_assert_null(pt_start_find("vfork"));
	cr_assert_null(pt_start_find("Spawn"));
}

/* Every item and every task, exactly once and intact, whichever method
 * started the workers; child tasks (the spawn workload) too. Nothing is left
 * behind: the forkserver is stopped with its team. */
Test(start, workloads_under_every_method, .timeout = 300)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		static const char *const q[] = { "items=500", "payload=3000", NULL };
		static const char *const p[] = { "tasks=17", "chunksize=2", "payload=70000", NULL };
		static const char *const s[] = { "spawns=5", NULL };
		struct pt_result r;

		cr_assert_eq(run_start(&pt_wl_queue, methods[i], 2, q, &r), PT_ST_OK, "%s: %s",
			     methods[i]->name, r.msg);
		cr_assert_eq(r.ops, 500);
		cr_assert_eq(run_start(&pt_wl_pool, methods[i], 3, p, &r), PT_ST_OK, "%s: %s",
			     methods[i]->name, r.msg);
		cr_assert_eq(r.ops, 17);
		cr_assert_eq(run_start(&pt_wl_spawn, methods[i], 2, s, &r), PT_ST_OK, "%s: %s",
			     methods[i]->name, r.msg);
		cr_assert_eq(r.ops, 10);
		cr_assert_eq(my_children(), 0, "%s left a process", methods[i]->name);
	}
}

/* Entries in @dir but . and .. */
static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	cr_assert(d, "%s", dir);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* The workloads whose workers use what the setup prepared in the point's
 * process (files, sockets) run under every start method, with their
 * invariants: every byte written is verified and removed after, every
 * message received is one that was sent, in order, and round trips are
 * counted. */
Test(start, io_workloads_under_every_method, .timeout = 300)
{
	char *dir = pt_test_tmpdir(), dirkv[PATH_MAX + 8];

	snprintf(dirkv, sizeof(dirkv), "dir=%s", dir);
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		const char *name = methods[i]->name;
		const char *const fw[] = { "lines=3000", dirkv, NULL };
		static const char *const fww[] = { "lines=700", "io=write", "block=100", NULL };
		static const char *const sr[] = { "duration_ms=300", NULL };
		static const char *const srt[] = { "duration_ms=300", "transport=tcp", NULL };
		static const char *const cv[] = { "duration_ms=300", NULL };
		struct pt_result r;

		/* filewrite: -p dir, and the run's own directory. */
		cr_assert_eq(run_start(&pt_wl_filewrite, methods[i], 3, fw, &r), PT_ST_OK, "%s: %s",
			     name, r.msg);
		cr_assert_eq(r.ops, 3 * 3000, "%s", name);
		cr_assert_eq(entries(dir), 0, "%s: filewrite left files in -p dir", name);
		cr_assert_eq(run_start(&pt_wl_filewrite, methods[i], 2, fww, &r), PT_ST_OK, "%s: %s",
			     name, r.msg);
		cr_assert_eq(r.ops, 2 * 700, "%s", name);
		/* sockrecv over a socketpair and over loopback TCP: every
		 * worker received (its messages are checked in order). */
		cr_assert_eq(run_start(&pt_wl_sockrecv, methods[i], 2, sr, &r), PT_ST_OK, "%s: %s",
			     name, r.msg);
		cr_assert_gt(r.ops_min, 0, "%s: a worker received nothing", name);
		cr_assert_eq(run_start(&pt_wl_sockrecv, methods[i], 2, srt, &r), PT_ST_OK, "%s: %s",
			     name, r.msg);
		cr_assert_gt(r.ops_min, 0, "%s: a worker received nothing over tcp", name);
		/* convoy: worker 0's round trips beside a CPU-bound worker. */
		cr_assert_eq(run_start(&pt_wl_convoy, methods[i], 2, cv, &r), PT_ST_OK, "%s: %s",
			     name, r.msg);
		cr_assert_gt(r.ops, 0, "%s", name);
		cr_assert_gt(r.metric[pt_workload_metric(&pt_wl_convoy, "cpu_ops_per_s")], 0, "%s",
			     name);
		cr_assert_eq(my_children(), 0, "%s left a process", name);
	}
	pt_test_rmdir(dir);
}

/* The forkserver is small, as Python's: forked before the workload's setup,
 * it does not carry the memory setup touched (the spawn workload's rss), so
 * the processes it forks do not pay for it. Checked on the server's
 * resident size, not on timings. */
Test(start, forkserver_is_forked_before_setup, .timeout = 120)
{
	static const char *const s[] = { "spawns=3", "rss=64M", NULL };
	struct pt_result r;

	cr_assert_eq(run_start(&pt_wl_spawn, &pt_start_forkserver, 1, s, &r), PT_ST_OK, "%s",
		     r.msg);
	cr_assert_gt(pt_start_forkserver_rss_kib(), 0);
	cr_assert_lt(pt_start_forkserver_rss_kib(), 48 * 1024, "server RSS %ld KiB",
		     pt_start_forkserver_rss_kib());
}

Test(start, unexecutable_worker_binary_fails_clearly, .timeout = 60)
{
	static const char *const s[] = { "spawns=2", NULL };
	char *dir = pt_test_tmpdir(), path[300];
	struct pt_result r;
	int fd;

	cr_assert(dir);
	/* A file without execute permission. */
	snprintf(path, sizeof(path), "%s/ptbench", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	cr_assert(fd >= 0);
	close(fd);
	pt_start_set_exe(path);
	cr_assert_eq(run_start(&pt_wl_spawn, &pt_start_spawn, 2, s, &r), PT_ST_FAILED);
	pt_start_set_exe(NULL);
	cr_assert(strstr(r.msg, "cannot exec") && strstr(r.msg, path) &&
			  strstr(r.msg, strerror(EACCES)),
		  "%s", r.msg);
	cr_assert_eq(my_children(), 0);
	pt_test_rmdir(dir);
}

/* --- the binary --- */

/* The value of column @col in data row @row (0-based) of the CSV @path,
 * into @out; quoted fields understood. false when missing. */
static bool csv_cell(const char *path, int row, const char *col, char *out, size_t n)
{
	FILE *f = fopen(path, "r");
	char line[8192];
	int want = -1, r = -1;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *p = line;
		int k = 0;

		line[strcspn(line, "\n")] = '\0';
		for (;;) {
			char cell[1024];
			size_t m = 0;
			bool q = *p == '"';

			if (q)
				p++;
			while (*p && (q ? !(*p == '"' && p[1] != '"') : *p != ',')) {
				if (q && *p == '"')
					p++;
				if (m + 1 < sizeof(cell))
					cell[m++] = *p;
				p++;
			}
			if (q && *p == '"')
				p++;
			cell[m] = '\0';
			if (r < 0 && strcmp(cell, col) == 0)
				want = k;
			if (r == row && k == want) {
				memcpy(out, cell, m + 1 < n ? m + 1 : n);
				out[n - 1] = '\0';
				fclose(f);
				return true;
			}
			if (*p != ',')
				break;
			p++;
			k++;
		}
		r++;
	}
	fclose(f);
	return false;
}

/* Processes whose environment holds @tag (the run's, inherited by all). */
static int tagged_procs(const char *tag)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	cr_assert(d);
	while ((e = readdir(d))) {
		char path[300], buf[65536];
		ssize_t k;
		int fd;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/environ", e->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		k = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (k <= 0)
			continue;
		for (ssize_t i = 0; i < k; i += (ssize_t)strlen(buf + i) + 1) {
			buf[k] = '\0';
			if (strcmp(buf + i, tag) == 0)
				n++;
		}
	}
	closedir(d);
	return n;
}

/* A victim that crashes, fails, exits or hangs under forkserver and spawn:
 * crashed, failed, failed, timeout; the run goes on; no process outlives
 * it. (Under a sanitizer a segfault becomes the sanitizer's exit: not ok.) */
Test(start, faults_contained, .timeout = 200)
{
	static const char *const modes[] = { "crash", "fail", "exit", "hang" };
	static const char *const want[] = { "crashed", "failed", "failed", "timeout" };
	char *dir = pt_test_tmpdir(), out[300], csv[340], tag[80], st[64], msg[400], start[32];
	const char *env[] = { tag, NULL };

	cr_assert(dir);
	snprintf(tag, sizeof(tag), "PT_START_TAG=%d", (int)getpid());
	for (size_t m = 0; m < 4; m++) {
		char mode[32];
		struct pt_cmd_out *o = malloc(sizeof(*o));
		const char *const argv[] = { "ptbench", "run", "-w", "fault", "-m", "procs",
					     "--start", "forkserver,spawn", "-n", "2", "-p", mode,
					     "-p", "victim=1", "-r", "1", "--warmup", "0",
					     "--timeout", m == 3 ? "0.5" : "30", "-q", "--force",
					     "-o", out, NULL };

		cr_assert(o);
		snprintf(mode, sizeof(mode), "mode=%s", modes[m]);
		snprintf(out, sizeof(out), "%s/%s", dir, modes[m]);
		pt_test_exec(argv, env, 120, o);
		cr_assert_eq(o->status, 1, "%s: exit %d: %s", modes[m], o->status, o->err);
		snprintf(csv, sizeof(csv), "%s/results.csv", out);
		for (int row = 0; row < 2; row++) {
			cr_assert(csv_cell(csv, row, "status", st, sizeof(st)));
			cr_assert(csv_cell(csv, row, "start", start, sizeof(start)));
			cr_assert(csv_cell(csv, row, "message", msg, sizeof(msg)));
			fprintf(stderr, "fault %-5s %-10s -> %-7s %s\n", modes[m], start, st, msg);
			if (strstr(pt_test_bin(), "/san-") && m != 1 && m != 3)
				cr_assert(strcmp(st, "ok") != 0, "%s: ok under a sanitizer", modes[m]);
			else
				cr_assert_str_eq(st, want[m], "%s %s: %s", modes[m], start, msg);
		}
		free(o);
		cr_assert_eq(tagged_procs(tag), 0, "%s: a process outlived the run", modes[m]);
	}
	pt_test_rmdir(dir);
}

Test(start, bad_start_is_a_usage_error, .timeout = 60)
{
	static const char *const cases[][4] = {
		{ "-m", "procs", "--start", "vfork" },
		{ "-m", "procs", "--start", "fork,,spawn" },
		{ "-m", "threads,gil", "--start", "spawn" },
	};
	static const char *const names[] = { "vfork", "empty item", "--start" };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pt_cmd_out *o = malloc(sizeof(*o));
		const char *const argv[] = { "ptbench", "run", "-w", "queue", cases[i][0],
					     cases[i][1], cases[i][2], cases[i][3], "-n", "2",
					     "--dry-run", NULL };

		cr_assert(o);
		pt_test_exec(argv, NULL, 30, o);
		cr_assert_eq(o->status, 2, "%s: status %d", cases[i][3], o->status);
		cr_assert(strstr(o->err, names[i]), "stderr does not name '%s': %s", names[i],
			  o->err);
		free(o);
	}
}

Test(start, column_empty_but_for_procs, .timeout = 120)
{
	char *dir = pt_test_tmpdir(), out[300], csv[340], model[32], start[32];
	struct pt_cmd_out *o = malloc(sizeof(*o));
	const char *const argv[] = { "ptbench", "run", "-w", "queue", "-m", "threads,procs,gil",
				     "--start", "spawn", "-n", "2", "-r", "1", "--warmup", "0",
				     "--quick", "-q", "-o", out, NULL };
	int procs = 0;

	cr_assert(dir && o);
	snprintf(out, sizeof(out), "%s/out", dir);
	pt_test_exec(argv, NULL, 90, o);
	cr_assert_eq(o->status, 0, "exit %d: %s", o->status, o->err);
	for (const char *f = "results.csv"; f; f = strcmp(f, "results.csv") ? NULL : "summary.csv") {
		snprintf(csv, sizeof(csv), "%s/%s", out, f);
		for (int row = 0; row < 3; row++) {
			cr_assert(csv_cell(csv, row, "model", model, sizeof(model)), "%s", f);
			cr_assert(csv_cell(csv, row, "start", start, sizeof(start)), "%s", f);
			if (strcmp(model, "procs") == 0) {
				cr_assert_str_eq(start, "spawn", "%s", f);
				procs++;
			} else {
				cr_assert(!*start, "%s: %s has start '%s'", f, model, start);
			}
		}
	}
	cr_assert_eq(procs, 2);
	free(o);
	pt_test_rmdir(dir);
}

/* The default suite measures the spawn workload's processes under all three
 * start methods, and no other workload's. */
Test(start, suite_runs_spawn_under_every_method, .timeout = 60)
{
	struct pt_cmd_out *o = malloc(sizeof(*o));
	const char *const argv[] = { "ptbench", "run", "--dry-run", NULL };
	int spawn_fs = 0, spawn_sp = 0, other = 0;

	cr_assert(o);
	pt_test_exec(argv, NULL, 30, o);
	cr_assert_eq(o->status, 0, "%s", o->err);
	for (char *l = strtok(o->out, "\n"); l; l = strtok(NULL, "\n")) {
		bool spawn = strncmp(l, "  spawn ", 8) == 0;

		if (strstr(l, "start=forkserver"))
			spawn ? spawn_fs++ : other++;
		if (strstr(l, "start=spawn"))
			spawn ? spawn_sp++ : other++;
	}
	/* one of each per memory size the suite sweeps */
	cr_assert_geq(spawn_fs, 2, "%d forkserver points", spawn_fs);
	cr_assert_eq(spawn_sp, spawn_fs, "%d spawn points", spawn_sp);
	cr_assert_eq(other, 0);
	free(o);
}

/* A spawned worker is bound where the plan puts it, as a forked one is: on a
 * synthetic topology whose second package does not exist here, scatter puts
 * worker 2 on a PU the machine lacks, and that failed binding is recorded. */
Test(start, spawned_workers_are_bound, .timeout = 120)
{
	char *dir = pt_test_tmpdir(), out[300], csv[340], failed[32];
	struct pt_cmd_out *o = malloc(sizeof(*o));
	const char *env[] = { "HWLOC_SYNTHETIC=pack:2 core:32 pu:1", NULL };
	const char *const argv[] = { "ptbench", "run", "-w", "pool", "-m", "procs", "--start",
				     "spawn", "-n", "2", "-b", "scatter", "-r", "1", "--warmup",
				     "0", "--quick", "-q", "-o", out, NULL };

	cr_assert(dir && o);
	snprintf(out, sizeof(out), "%s/out", dir);
	pt_test_exec(argv, env, 90, o);
	cr_assert_eq(o->status, 0, "exit %d: %s", o->status, o->err);
	snprintf(csv, sizeof(csv), "%s/results.csv", out);
	cr_assert(csv_cell(csv, 0, "bind_failed", failed, sizeof(failed)));
	cr_assert_geq(atoi(failed), 1, "no binding was even tried (bind_failed %s)", failed);
	free(o);
	pt_test_rmdir(dir);
}
