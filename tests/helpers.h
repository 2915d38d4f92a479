/* SPDX-License-Identifier: MIT */
/* Test helpers: run the ptbench binary of this build and capture what it
 * says; make and remove scratch directories. */
#ifndef PT_TEST_HELPERS_H
#define PT_TEST_HELPERS_H

#include "plan.h"

#include <stddef.h>

/* The binary under test (PTBENCH_BIN, set by `make test`). */
const char *pt_test_bin(void);

struct pt_cmd_out {
	int status;	/* exit status, or 128 + signal */
	char out[65536];
	char err[65536];
};

/* Runs @file (searched on PATH when it has no slash) with @argv
 * (NULL-terminated) in directory @dir (NULL: this one), capturing its
 * output; waits at most @timeout_s, then kills its process group and
 * reports status -1. Extra environment entries "K=V" in @env
 * (NULL-terminated, may be NULL). */
void pt_test_run(const char *file, const char *dir, const char *const argv[],
		 const char *const env[], double timeout_s, struct pt_cmd_out *out);
/* pt_test_run() of the binary under test (argv[0] is ignored). */
void pt_test_exec(const char *const argv[], const char *const env[], double timeout_s,
		  struct pt_cmd_out *out);

/* mkdtemp under TMPDIR; removed by pt_test_rmdir. */
char *pt_test_tmpdir(void);
void pt_test_rmdir(const char *dir);

/* The driver's pipeline up to the plan: options (@argv[0] is "run") ->
 * suite -> plan. 0, or what failed (the parse's result or a negative errno)
 * with its message in @err. Free with pt_test_plan_free(). */
struct pt_test_plan {
	struct pt_opts o;
	struct pt_spec spec;
	struct pt_plan plan;
};
int pt_test_plan(struct pt_test_plan *tp, const struct pt_topo *topo, int argc,
		 const char *const *argv, char *err, size_t errlen);
void pt_test_plan_free(struct pt_test_plan *tp);

/* Number of lines in @path and of fields in its first line; -1 if missing. */
int pt_test_csv_shape(const char *path, int *nfields);

#endif
