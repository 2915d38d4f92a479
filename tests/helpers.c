// SPDX-License-Identifier: MIT
// Test helpers.
#include "helpers.h"

#include "clock.h"
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

const char *pt_test_bin(void)
{
	const char *b = getenv("PTBENCH_BIN");

	return b && *b ? b : "build/ptbench";
}

static void drain(int fd, char *buf, size_t cap, size_t *len)
{
	ssize_t n;

	while (*len + 1 < cap && (n = read(fd, buf + *len, cap - 1 - *len)) > 0)
		*len += (size_t)n;
	buf[*len] = '\0';
}

void pt_test_exec(const char *const argv[], const char *const env[], double timeout_s,
		  struct pt_cmd_out *o)
{
	pt_test_run(pt_test_bin(), NULL, argv, env, timeout_s, o);
}

void pt_test_run(const char *file, const char *dir, const char *const argv[],
		 const char *const env[], double timeout_s, struct pt_cmd_out *o)
{
	int out[2], err[2], st = 0;
	size_t lo = 0, le = 0;
	uint64_t deadline = pt_now_ns() + (uint64_t)(timeout_s * 1e9);
	pid_t pid;

	memset(o, 0, sizeof(*o));
	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
		o->status = -1;
		return;
	}
	pid = fork();
	if (pid == 0) {
		/* Its own group, so that a timeout kills what it started too. */
		setpgid(0, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		if (dir && chdir(dir) != 0)
			_exit(126);
		for (int i = 0; env && env[i]; i++) {
			char kv[4096], *eq;

			snprintf(kv, sizeof(kv), "%s", env[i]);
			eq = strchr(kv, '=');
			if (eq) {
				*eq = '\0';
				setenv(kv, eq + 1, 1);
			}
		}
		/* execvp's prototype predates const; it does not write argv. */
		execvp(file, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(err[0], F_SETFL, O_NONBLOCK);
	for (;;) {
		struct pollfd p[2] = { { out[0], POLLIN, 0 }, { err[0], POLLIN, 0 } };
		uint64_t now = pt_now_ns();

		if (now >= deadline) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			o->status = -1;
			break;
		}
		poll(p, 2, 50);
		drain(out[0], o->out, sizeof(o->out), &lo);
		drain(err[0], o->err, sizeof(o->err), &le);
		if (waitpid(pid, &st, WNOHANG) == pid) {
			drain(out[0], o->out, sizeof(o->out), &lo);
			drain(err[0], o->err, sizeof(o->err), &le);
			o->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			break;
		}
	}
	close(out[0]);
	close(err[0]);
}

char *pt_test_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *d = malloc(4096);

	snprintf(d, 4096, "%s/pttest.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(d)) {
		free(d);
		return NULL;
	}
	return d;
}

void pt_test_rmdir(const char *dir)
{
	pt_rm_tree(dir);
}

int pt_test_plan(struct pt_test_plan *tp, const struct pt_topo *topo, int argc,
		 const char *const *argv, char *err, size_t errlen)
{
	enum pt_parse res;
	int ret;

	memset(tp, 0, sizeof(*tp));
	pt_opts_defaults(&tp->o);
	/* getopt's prototype predates const; it only permutes the pointers. */
	res = pt_opts_parse(&tp->o, argc, (char **)(uintptr_t)argv, topo, err, errlen);
	if (res != PT_PARSE_RUN)
		return res == PT_PARSE_ERROR ? -EINVAL : (int)res;
	ret = pt_suite_resolve(&tp->o, topo, &tp->spec, err, errlen);
	if (!ret)
		ret = pt_plan_build(&tp->plan, &tp->spec, err, errlen);
	return ret;
}

void pt_test_plan_free(struct pt_test_plan *tp)
{
	pt_plan_free(&tp->plan);
	pt_spec_free(&tp->spec);
	pt_opts_free(&tp->o);
}

int pt_test_csv_shape(const char *path, int *nfields)
{
	FILE *f = fopen(path, "r");
	char line[8192];
	int lines = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (lines == 0 && nfields) {
			*nfields = 1;
			for (char *p = line; *p; p++)
				*nfields += *p == ',';
		}
		lines++;
	}
	fclose(f);
	return lines;
}
