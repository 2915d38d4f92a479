// SPDX-License-Identifier: MIT
// The CPython calibration (scripts/calibrate.sh, scripts/calibrate.py, the
// twins in scripts/twins/, scripts/fidelity.py): every twin runs at a tiny
// size and writes well-formed rows; fidelity comes out right from a
// fixture; a missing free-threaded interpreter is a notice, a stand-in one
// is found and used; bad options exit 2; SIGINT and SIGTERM end it at once
// with nothing left behind. The checks on the files are in
// tests/fixtures/calibrate/check.py (csv and json modules).
#include "helpers.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FIX "tests/fixtures/calibrate"

static const char *root(void)
{
	const char *r = getenv("PTBENCH_ROOT");

	return r && *r ? r : ".";
}

static bool python_present(void)
{
	return system("command -v python3 >/dev/null 2>&1") == 0;
}

static struct pt_cmd_out *cmd_out(void)
{
	struct pt_cmd_out *o = malloc(sizeof(*o));

	cr_assert_not_null(o);
	return o;
}

/* Runs bash @argv (argv[0] "bash") from the repository root. */
static void run_bash(const char *const argv[], const char *const env[], double timeout_s,
		     struct pt_cmd_out *o)
{
	pt_test_run("bash", root(), argv, env, timeout_s, o);
}

/* check.py MODE ARGS...: every check must hold. */
static void check_py(const char *mode, const char *a, const char *b, const char *c)
{
	char script[4096];
	const char *argv[] = { "python3", script, mode, a, b, c, NULL };
	struct pt_cmd_out *o = cmd_out();

	snprintf(script, sizeof(script), "%s/" FIX "/check.py", root());
	pt_test_run("python3", NULL, argv, NULL, 60, o);
	cr_assert_eq(o->status, 0, "check.py %s %s:\n%s%s", mode, a, o->out, o->err);
	free(o);
}

static void copy_tree(const char *from, const char *to)
{
	char cmd[12288];

	snprintf(cmd, sizeof(cmd), "cp -R '%s/.' '%s/'", from, to);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static void fixture_into(const char *name, const char *dir)
{
	char src[4096];

	snprintf(src, sizeof(src), "%s/" FIX "/%s", root(), name);
	copy_tree(src, dir);
}

static char *sub(const char *dir, const char *name)
{
	char *p = malloc(4096);

	cr_assert_not_null(p);
	snprintf(p, 4096, "%s/%s", dir, name);
	return p;
}

static char *env_kv(const char *k, const char *v)
{
	char *p = malloc(8192);

	cr_assert_not_null(p);
	snprintf(p, 8192, "%s=%s", k, v);
	return p;
}

/* @wrapper: a script that runs the interpreter @real with @dir/site on its
 * PYTHONPATH, where a sitecustomize.py holds @site_py. */
static void python_wrapper(const char *dir, const char *site_py, const char *wrapper,
			   const char *real)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/site", dir);
	cr_assert_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/site/sitecustomize.py", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(site_py, f);
	cr_assert_eq(fclose(f), 0);
	f = fopen(wrapper, "w");
	cr_assert_not_null(f);
	fprintf(f, "#!/bin/sh\nPYTHONPATH='%s/site' exec '%s' \"$@\"\n", dir, real);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(chmod(wrapper, 0755), 0);
}

/* A directory for PATH holding only bash, dirname and python3 (and, with
 * @standin, a python3.13t that wraps python3 and says it has no GIL). */
static char *make_bin(const char *dir, bool standin)
{
	char *bin = sub(dir, "bin"), path[4096], real[4096];
	static const char *const tools[] = { "bash", "dirname", "python3" };

	cr_assert_eq(mkdir(bin, 0755), 0);
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		char cmd[8192];

		/* The interpreter itself, not a wrapper such as pyenv's shim
		 * that needs the rest of PATH. */
		if (strcmp(tools[i], "python3") == 0)
			snprintf(cmd, sizeof(cmd),
				 "ln -s \"$(python3 -c 'import sys; print(sys.executable)')\" '%s/%s'",
				 bin, tools[i]);
		else
			snprintf(cmd, sizeof(cmd), "ln -s \"$(command -v %s)\" '%s/%s'", tools[i],
				 bin, tools[i]);
		cr_assert_eq(system(cmd), 0, "%s", cmd);
	}
	if (!standin)
		return bin;
	/* sys._is_gil_enabled() is false in it: what a free-threaded build says. */
	snprintf(path, sizeof(path), "%s/python3.13t", bin);
	snprintf(real, sizeof(real), "%s/python3", bin);
	python_wrapper(dir, "import sys\nsys._is_gil_enabled = lambda: False\n", path, real);
	return bin;
}

/* In @dir: a private TMPDIR (@tmp, and "TMPDIR=..." in @tmpenv) and the
 * run with every workload (@res). */
static void all_run(const char *dir, char **tmp, char **res, char **tmpenv)
{
	*tmp = sub(dir, "tmp");
	*res = sub(dir, "run");
	cr_assert_eq(mkdir(*tmp, 0700), 0);
	cr_assert_eq(mkdir(*res, 0755), 0);
	fixture_into("all", *res);
	*tmpenv = env_kv("TMPDIR", *tmp);
}

/* Every twin at its quick size, at every point of a run that has all the
 * workloads, start methods, a payload, a pool grid and a neighbour:
 * well-formed rows, a row for each point, nothing left behind. */
Test(calibrate, every_twin_quick, .timeout = 400)
{
	char *dir, *tmp, *res, *tmpenv;
	struct pt_cmd_out *o = cmd_out();

	if (!python_present())
		cr_skip_test("no python3 on this machine");
	dir = pt_test_tmpdir();
	cr_assert_not_null(dir);
	all_run(dir, &tmp, &res, &tmpenv);
	{
		const char *const argv[] = { "bash", "scripts/calibrate.sh", "--quick", "-q",
					     "--no-rerun", res, NULL };
		const char *const env[] = { tmpenv, NULL };

		run_bash(argv, env, 380, o);
	}
	cr_assert_eq(o->status, 0, "calibrate.sh exit %d:\n%s", o->status, o->err);
	{
		char *run = sub(res, "results.csv");

		check_py("rows", res, run, NULL);
		free(run);
	}
	check_py("clean", res, tmp, NULL);
	pt_test_rmdir(dir);
	free(o);
	free(dir);
	free(tmp);
	free(res);
	free(tmpenv);
}

/* fidelity.py on a hand-made fixture (tests/fixtures/calibrate/gen-fid.py):
 * per-round ratios of paired rounds, their median, the median's 90%
 * interval (8 rounds: the 2nd to the 7th), the three states (agree,
 * undecided, disagree), an unpaired comparison and one with too few rounds,
 * worked out by hand; rows that must not count (failed, bound, ipc=shm,
 * --shared outside countdown, gil-old, an older calibration's paired row);
 * 64K and 65536 as one payload; markup in a parameter escaped. Under a
 * comma-decimal locale, which must change nothing. And the interval itself
 * at 4, 5, 8 and 10 rounds. */
Test(calibrate, fidelity_from_fixture, .timeout = 60)
{
	char *dir = pt_test_tmpdir();
	struct pt_cmd_out *o = cmd_out();

	if (!python_present())
		cr_skip_test("no python3 on this machine");
	cr_assert_not_null(dir);
	fixture_into("fid", dir);
	{
		const char *const argv[] = { "python3", "scripts/fidelity.py", "-q", dir, NULL };
		const char *const env[] = { "LC_ALL=de_DE.UTF-8", "LANG=de_DE.UTF-8", NULL };

		pt_test_run("python3", root(), argv, env, 50, o);
	}
	cr_assert_eq(o->status, 0, "fidelity.py exit %d: %s", o->status, o->err);
	check_py("fid", dir, NULL, NULL);
	check_py("interval", NULL, NULL, NULL);
	pt_test_rmdir(dir);
	free(dir);
	free(o);
}

/* A malformed results.csv is bad input: exit 2, named. */
Test(calibrate, malformed_results, .timeout = 60)
{
	char *dir = pt_test_tmpdir(), *p;
	struct pt_cmd_out *o = cmd_out();
	FILE *f;

	if (!python_present())
		cr_skip_test("no python3 on this machine");
	p = sub(dir, "results.csv");
	f = fopen(p, "w");
	cr_assert_not_null(f);
	fputs("foo,bar\n1,2\n", f);
	cr_assert_eq(fclose(f), 0);
	{
		const char *const argv[] = { "bash", "scripts/calibrate.sh", "--quick", dir, NULL };

		run_bash(argv, NULL, 50, o);
	}
	cr_assert_eq(o->status, 2, "exit %d: %s", o->status, o->err);
	cr_assert(strstr(o->err, "results.csv") && !strstr(o->err, "Traceback"), "%s", o->err);
	pt_test_rmdir(dir);
	free(dir);
	free(p);
	free(o);
}

/* Bad options: exit 2, the bad value named, no traceback, nothing run. */
Test(calibrate, bad_options, .timeout = 120)
{
	static const char *const bad[][3] = {
		{ "-n", "100000", "100000" }, { "-n", "0", "'0'" },   { "--duration", "nan", "nan" },
		{ "--duration", "inf", "inf" }, { "--duration", "-1", "-1" },
		{ "--budget", "nan", "nan" }, { "--budget", "0", "'0'" }, { "-r", "0", "'0'" },
		{ "-w", "nosuch", "nosuch" },
	};
	char *dir = pt_test_tmpdir();
	struct pt_cmd_out *o = cmd_out();

	if (!python_present())
		cr_skip_test("no python3 on this machine");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *const argv[] = { "bash", "scripts/calibrate.sh", bad[i][0], bad[i][1],
					     dir, NULL };
		char *cal = sub(dir, "calibration.csv");
		struct stat sb;

		run_bash(argv, NULL, 30, o);
		cr_expect_eq(o->status, 2, "%s %s: exit %d: %s", bad[i][0], bad[i][1], o->status,
			     o->err);
		cr_expect(strstr(o->err, bad[i][2]) != NULL, "%s %s: message does not name it: %s",
			  bad[i][0], bad[i][1], o->err);
		cr_expect(strstr(o->err, "Traceback") == NULL, "%s", o->err);
		cr_expect(stat(cal, &sb) != 0, "%s %s: a calibration ran", bad[i][0], bad[i][1]);
		free(cal);
	}
	pt_test_rmdir(dir);
	free(dir);
	free(o);
}

/* No python3 at all: a notice, exit 0, and no file. */
Test(calibrate, no_python_is_skipped, .timeout = 60)
{
	char *dir = pt_test_tmpdir(), *cal;
	const char *const env[] = { "PYTHON=/nonexistent/python3", NULL };
	struct pt_cmd_out *o = cmd_out();
	struct stat sb;

	cr_assert_not_null(dir);
	{
		const char *const argv[] = { "bash", "scripts/calibrate.sh", "--quick", dir, NULL };

		run_bash(argv, env, 50, o);
	}
	cr_assert_eq(o->status, 0, "exit %d: %s", o->status, o->err);
	cr_assert(strstr(o->err, "skipped"), "no notice: %s", o->err);
	cal = sub(dir, "calibration.csv");
	cr_assert(stat(cal, &sb) != 0, "calibration.csv written without an interpreter");
	free(cal);
	pt_test_rmdir(dir);
	free(dir);
	free(o);
}

/* A quick calibration of countdown with PATH holding bash, dirname and
 * python3 only, and with @standin a stand-in python3.13t: exit 0, the
 * notice or the interpreter named in its output (@said), and check.py
 * @mode on what it wrote. */
static void ft_case(bool standin, const char *said, const char *mode)
{
	char *dir = pt_test_tmpdir(), *bin, *res, *path;
	struct pt_cmd_out *o = cmd_out();

	if (!python_present())
		cr_skip_test("no python3 on this machine");
	bin = make_bin(dir, standin);
	res = sub(dir, "run");
	cr_assert_eq(mkdir(res, 0755), 0);
	fixture_into("all", res);
	path = env_kv("PATH", bin);
	{
		const char *const argv[] = { "bash", "scripts/calibrate.sh", "--quick", "--no-rerun",
					     "-w", "countdown", res, NULL };
		const char *const env[] = { path, NULL };

		run_bash(argv, env, 200, o);
	}
	cr_assert_eq(o->status, 0, "exit %d: %s", o->status, o->err);
	cr_assert(strstr(o->err, said), "'%s' not said: %s", said, o->err);
	check_py(mode, res, NULL, NULL);
	pt_test_rmdir(dir);
	free(dir);
	free(bin);
	free(res);
	free(path);
	free(o);
}

/* No free-threaded interpreter on PATH: said plainly, not a failure. */
Test(calibrate, no_free_threaded_is_a_notice, .timeout = 240)
{
	ft_case(false, "no free-threaded interpreter", "noft");
}

/* A stand-in python3.13t (python3 saying it has no GIL) is found and runs
 * the threads: free/gil rows appear. */
Test(calibrate, standin_free_threaded_is_used, .timeout = 240)
{
	ft_case(true, "/python3.13t (", "ft");
}

/* True when a process other than us has @needle in its command line or
 * environment. */
static bool process_mentions(const char *needle)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	bool found = false;

	cr_assert_not_null(d);
	while (!found && (e = readdir(d))) {
		char path[300], buf[65536];
		const char *const files[] = { "cmdline", "environ" };

		if (e->d_name[0] < '0' || e->d_name[0] > '9' || atoi(e->d_name) == getpid())
			continue;
		for (int i = 0; i < 2 && !found; i++) {
			int fd;
			ssize_t n;

			snprintf(path, sizeof(path), "/proc/%s/%s", e->d_name, files[i]);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			for (ssize_t k = 0; k < n; k++)
				if (buf[k] == '\0')
					buf[k] = '\n';
			if (n > 0) {
				buf[n] = '\0';
				found = strstr(buf, needle) != NULL;
			}
		}
	}
	closedir(d);
	return found;
}

static bool file_has(const char *path, const char *needle)
{
	char buf[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A stand-in python3 for the front of PATH: the machine's interpreter, with
 * a sitecustomize that makes the twins' runner (run.py --plan, which
 * calibrate.py starts with the interpreter it runs in) create the file
 * named by $PT_TEST_BLOCKED and then block for good. A calibration under
 * it never finishes by itself. Returns the directory for PATH. */
static char *blocking_python(const char *dir)
{
	char *bin = sub(dir, "bin"), path[4096], real[4096] = "";
	FILE *f = popen("python3 -c 'import sys; print(sys.executable)'", "r");

	cr_assert_not_null(f);
	cr_assert_not_null(fgets(real, sizeof(real), f));
	cr_assert_eq(pclose(f), 0);
	real[strcspn(real, "\n")] = '\0';
	cr_assert_eq(mkdir(bin, 0755), 0);
	snprintf(path, sizeof(path), "%s/python3", bin);
	python_wrapper(dir,
		       "import os, sys, time\n"
		       "if '--plan' in sys.argv and os.environ.get('PT_TEST_BLOCKED'):\n"
		       "    open(os.environ['PT_TEST_BLOCKED'], 'w').close()\n"
		       "    while True:\n"
		       "        time.sleep(3600)\n",
		       path, real);
	return bin;
}

static bool exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/* A long calibration, signalled once it is under way: it must end soon
 * (it used to run on to the end of its interpreter, 53-61 s), with the
 * signal's status, its interpreters and their children gone, and its
 * temporary files removed. @via_timeout: under `timeout 20` rather than
 * signalled by us, with a twin that blocks (blocking_python), so that the
 * timeout fires whatever the machine's speed. */
static void interrupt_case(int sig, bool via_timeout)
{
	char *dir = pt_test_tmpdir(), *tmp, *res, *tmpenv, *out, *blocked, *pathenv = NULL,
	     *blockenv;
	int st = 0, fd;
	pid_t pid;
	double t0;

	if (!python_present())
		cr_skip_test("no python3 on this machine");
	all_run(dir, &tmp, &res, &tmpenv);
	out = sub(dir, "out.txt");
	blocked = sub(dir, "blocked");
	blockenv = env_kv("PT_TEST_BLOCKED", blocked);
	if (via_timeout) {
		char *bin = blocking_python(dir), *p = malloc(16384);

		cr_assert_not_null(p);
		snprintf(p, 16384, "%s:%s", bin, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
		pathenv = env_kv("PATH", p);
		free(p);
		free(bin);
	}
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	cr_assert_geq(fd, 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		/* Only options the old calibrate.sh knew too: 100 repetitions of
		 * countdown keep it busy for minutes. */
		const char *const argv[] = { "timeout", "20", "bash", "scripts/calibrate.sh",
					     "-r", "100", "-w", "countdown", "-n", "2", res, NULL };

		setpgid(0, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		putenv(tmpenv);
		if (pathenv) {
			putenv(pathenv);
			putenv(blockenv);
		}
		if (chdir(root()) != 0)
			_exit(126);
		/* execvp's prototype predates const; it does not write argv. */
		execvp(argv[via_timeout ? 0 : 2], (char *const *)(uintptr_t)(argv + (via_timeout ? 0 : 2)));
		_exit(127);
	}
	close(fd);
	/* Under way: the interpreter counts down (its progress says so), or
	 * the blocking twin has started. */
	t0 = now_s();
	while (!(via_timeout ? exists(blocked) : file_has(out, "countdown")) &&
	       waitpid(pid, &st, WNOHANG) == 0 && now_s() - t0 < 60)
		poll(NULL, 0, 100);
	cr_assert(via_timeout ? exists(blocked) : file_has(out, "countdown"),
		  "the calibration never got under way: %s", out);
	if (!via_timeout) {
		sleep(1);
		kill(pid, sig);
	}
	t0 = now_s();
	while (waitpid(pid, &st, WNOHANG) == 0 && now_s() - t0 < 60)
		poll(NULL, 0, 50);
	if (now_s() - t0 >= 60) {
		kill(-pid, SIGKILL);
		waitpid(pid, &st, 0);
		cr_assert(false, "still running 60 s after the signal: %s", out);
	}
	if (via_timeout)
		cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 124, "status %#x", st);
	else
		cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 128 + sig, "status %#x", st);
	/* Its children, in their own process groups, are gone too. */
	for (int i = 0; i < 50 && process_mentions(tmp); i++)
		poll(NULL, 0, 100);
	cr_expect(!process_mentions(tmp), "a process of the calibration outlived it");
	check_py("clean", res, tmp, NULL);
	pt_test_rmdir(dir);
	free(dir);
	free(tmp);
	free(res);
	free(out);
	free(tmpenv);
	free(blocked);
	free(blockenv);
	free(pathenv);
}

Test(calibrate, sigterm_ends_it, .timeout = 180)
{
	interrupt_case(SIGTERM, false);
}

Test(calibrate, sigint_ends_it, .timeout = 180)
{
	interrupt_case(SIGINT, false);
}

Test(calibrate, under_timeout_ends_it, .timeout = 180)
{
	interrupt_case(SIGTERM, true);
}
