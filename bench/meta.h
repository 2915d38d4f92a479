/* SPDX-License-Identifier: MIT */
/* meta.json: the machine (topology, CPU, kernel, governor, SMT), the build
 * (compiler, flags, git revision) and the run (date, command line, every
 * parameter), and the conditions that distort results, as warnings. */
#ifndef PT_META_H
#define PT_META_H

#include "plan.h"

#include <jansson.h>
#include <stdbool.h>

#define PT_VERSION "0.1.0"

/* A new meta.json object; NULL when out of memory. */
json_t *pt_meta_build(const struct pt_topo *topo, const struct pt_opts *o,
		      const struct pt_plan *plan, int argc, char **argv);
/* Conditions that distort results, printed (unless @quiet) and recorded. */
void pt_meta_warnings(json_t *meta, bool quiet);
/* Writes @dir/meta.json whole or not at all. 0 or a negative errno. */
int pt_meta_write(const char *dir, json_t *meta);

#endif
