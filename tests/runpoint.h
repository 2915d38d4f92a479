/* SPDX-License-Identifier: MIT */
/* Tests: one repetition of a point in this process, with parameters given as
 * "key=value" strings. */
#ifndef PT_TEST_RUNPOINT_H
#define PT_TEST_RUNPOINT_H

#include "point.h"

/* Runs one repetition of @pt (workload, model, workers, start... as the
 * caller set them) at --quick size, its parameters the --quick defaults
 * with the "key=value" pairs of @kv (NULL-terminated, may be NULL), which
 * must be valid (asserted). Returns the status, the figures in @r. */
enum pt_status pt_test_run_kv(struct pt_point *pt, const char *const kv[], struct pt_result *r);

#endif
