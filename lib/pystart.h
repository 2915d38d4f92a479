/* SPDX-License-Identifier: MIT */
/* What starting a worker costs a Python program beyond the bare C start:
 * threading.Thread's objects and bootstrap, and multiprocessing.Process's
 * per start method (fork of an interpreter-sized process whose child writes
 * into its copy-on-write heap; forkserver's fork from a server that holds an
 * interpreter; spawn's fresh interpreter). CPU work is spent in ticks
 * measured in CPython (scripts/startcost.py), memory effects are paid
 * mechanically: an interpreter image in the starting process, page faults
 * in the child. Off unless a workload turns it on (pt_start_python()). */
#ifndef PT_PYSTART_H
#define PT_PYSTART_H

#include "model.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pt_py_kind { PT_PY_THREAD, PT_PY_FORK, PT_PY_FORKSERVER, PT_PY_SPAWN, PT_PY_KINDS };

/* CPython's figures for one kind of start (lib/pystart.c names their
 * sources). */
struct pt_py_cost {
	const char *name;
	uint64_t parent_ticks;	/* the starting thread: objects, start(), join() */
	uint64_t child_ticks;	/* the new worker before its target runs */
	long child_faults;	/* page faults the new process takes in all */
	size_t image_kib;	/* the interpreter heap of the forking process */
};
const struct pt_py_cost *pt_py_cost(enum pt_py_kind k);
/* The kind of start a child task of team @t is (its model, start method). */
enum pt_py_kind pt_py_kind_of(const struct pt_team *t);

/* What the modelled work added up to, over every process of a team: place
 * it in the arena so that every started process can count into it. */
struct pt_py_counts {
	_Atomic uint64_t parent_ticks;
	_Atomic uint64_t children;	/* child tasks that paid their start */
	_Atomic uint64_t child_ticks;
	_Atomic uint64_t child_pages;	/* pages written to take the faults */
};

/* This process's setting (inherited by fork; forkserver's server and
 * spawned processes are told, see pt_start_python()). @counts may be NULL. */
void pt_py_set(bool on, struct pt_py_counts *counts);
bool pt_py_on(void);
struct pt_py_counts *pt_py_counts(void);
/* Maps @kib KiB of private memory in this process and dirties every page:
 * the interpreter heap a fork copies the page tables of and its child
 * writes into. Once per process (later calls keep the first). 0 or a
 * negative errno. */
int pt_py_image(size_t kib);

/* Hooks of pt_task_start(), when on: in the starting thread, before the
 * start (@w: the starting worker, whose GIL the work holds)... */
void pt_py_parent(struct pt_worker *w);
/* ...and in the new thread or process before its target runs (@c: its
 * worker): the bootstrap's ticks and, for a process, page faults up to
 * CPython's count (written into the inherited image, copy on write, then
 * into fresh memory). */
void pt_py_child(struct pt_worker *c);

#endif
