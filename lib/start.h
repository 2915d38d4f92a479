/* SPDX-License-Identifier: MIT */
/* Process start methods beyond fork (multiprocessing's forkserver and
 * spawn), plugged into the core's struct pt_start_method. forkserver: a
 * small server process, forked once per team before its first worker,
 * forks each process on request and reports its end. spawn: fork and exec
 * of a fresh copy of the running binary, which attaches to the team's arena
 * through an inherited descriptor and runs the same body by name. */
#ifndef PT_START_H
#define PT_START_H

#include "model.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

extern const struct pt_start_method pt_start_forkserver;
extern const struct pt_start_method pt_start_spawn;

/* The methods by name ("fork", "forkserver", "spawn"), for --start. */
#define PT_START_CHOICES "fork, forkserver, spawn"
const struct pt_start_method *pt_start_find(const char *name);

/* The binary the spawn method executes: /proc/self/exe unless set (tests
 * set another to check the failure). Not copied: keep @path alive. */
void pt_start_set_exe(const char *path);
/* Why the last start in this process failed, when the method knows more
 * than an errno ("cannot exec '/x': Permission denied"), else "". */
const char *pt_start_last_error(void);

/* Models CPython's costs of starting a Thread or Process (lib/pystart.h)
 * in @t's child tasks, or stops: for this process, the processes it forks,
 * and the forkserver's server, which then holds an interpreter image too.
 * Call it from the workload's setup (before the clock). @counts (NULL, or
 * in the arena) adds up the work done. 0 or a negative errno. */
struct pt_py_counts;
int pt_start_python(struct pt_team *t, bool on, struct pt_py_counts *counts);

/* For tests: the resident size (KiB) of the last forkserver this process
 * stopped, read just before it was stopped; -1 if none. */
long pt_start_forkserver_rss_kib(void);

/* --- The spawned process's side --- */

/* What a process started by the spawn method is to run. */
struct pt_spawn_req {
	int fd;			/* the arena's descriptor */
	void *base;		/* its address in the spawner */
	size_t size;
	int id;			/* the worker, or the parent of a child task */
	int bind_pu;		/* OS index of the worker's PU, or -1 */
	int nworkers, neighbours, ndaemons;
	uint64_t duration_ns;
	pt_body_fn fn;		/* a child task's target, or NULL: worker id */
	void *arg;		/* its argument: NULL or a pointer into the arena */
	const char *args;	/* the team's cfg.spawn_args */
	bool python;		/* the spawner models Python's start costs... */
	struct pt_py_counts *py_counts; /* ...counting them here (in the arena) */
};

/* True, with @r filled, when the calling process was started by the spawn
 * method (its environment says so; the variables are then removed). A
 * malformed request is reported on stderr and exits 127. */
bool pt_spawn_request(struct pt_spawn_req *r);

#endif
