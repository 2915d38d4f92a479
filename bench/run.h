/* SPDX-License-Identifier: MIT */
/* The run loop: the output directory, a private temporary directory, each
 * repetition contained in a child process, rows written as they come, a
 * clean stop on SIGINT/SIGTERM/SIGHUP (a second signal leaves at once,
 * leaving nothing behind), then the summary, meta.json and the table. The
 * fourth stage of options -> suite -> plan -> run -> results. */
#ifndef PT_RUN_H
#define PT_RUN_H

#include "options.h"
#include "plan.h"

/* Runs @plan as @o says; @argc/@argv, the whole command line, go into
 * meta.json. Returns the exit status (PT_EXIT_*), after saying why when it
 * is not 0. */
int pt_run(const struct pt_opts *o, const struct pt_plan *plan, const struct pt_topo *topo,
	   int argc, char **argv);

#endif
