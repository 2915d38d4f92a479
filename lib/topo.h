/* SPDX-License-Identifier: MIT */
/* Machine topology through hwloc: a summary for meta.json, worker placement
 * plans (none, compact, scatter) and CPU binding. A plan can be computed and
 * printed on a synthetic topology (HWLOC_SYNTHETIC="pack:2 core:8 pu:2"). */
#ifndef PT_TOPO_H
#define PT_TOPO_H

#include <hwloc.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

enum pt_bind { PT_BIND_NONE, PT_BIND_COMPACT, PT_BIND_SCATTER, PT_BIND_COUNT };

/* "none", "compact", "scatter"; "unknown" for anything else. */
const char *pt_bind_name(enum pt_bind b);
/* Exact (lower-case) name to policy; -EINVAL on an unknown or NULL name. */
int pt_bind_parse(const char *s, enum pt_bind *out);

struct pt_topo {
	hwloc_topology_t topo;
	/* Counts of allowed objects. ncores is npus when hwloc finds no Core
	 * objects (each PU is then its own core); npackages may be 0. */
	int npus, ncores, npackages, nnuma;
	bool synthetic; /* loaded from HWLOC_SYNTHETIC */
	char synthetic_desc[128]; /* truncated copy if longer */
};

/* Loads the machine's topology, or, when the environment variable
 * HWLOC_SYNTHETIC is set and non-empty, that synthetic description.
 * Returns 0, -EINVAL for a bad description, or another negative errno.
 * On failure @t holds nothing to destroy. */
int pt_topo_init(struct pt_topo *t);
void pt_topo_destroy(struct pt_topo *t);

/* pu_os: OS index; pu/core/package/numa: logical indexes (-1 when there is
 * no such object, or everywhere but worker under PT_BIND_NONE). */
struct pt_place {
	int worker, pu_os, pu, core, package, numa;
};

/* Placement of @n workers into @out[n].
 * compact: cores in logical order (package 0 core by core, then package 1).
 * scatter: round robin over packages, inside a package over NUMA nodes,
 *          then cores: worker i lands on package i % npackages.
 * Both take the first PU of every core before any SMT sibling, and wrap
 * around past the number of PUs. Returns 0 or a negative errno. */
int pt_topo_plan(const struct pt_topo *t, enum pt_bind policy, int n, struct pt_place *out);

/* Worker counts 1, 2, 4, ... below npus, then npus (6 PUs: 1 2 4 6).
 * Writes at most @max; returns how many were written or -EINVAL. */
int pt_topo_auto_workers(const struct pt_topo *t, int *out, int max);

enum pt_bind_scope { PT_BIND_THREAD, PT_BIND_PROCESS };

/* Binds the calling thread or the whole calling process to the PU with OS
 * index @pu_os. Safe in a fork()ed child with the parent's topology.
 * -ENOTSUP on a synthetic (or otherwise foreign) topology, -EINVAL for an
 * unknown PU, else what the OS said. */
int pt_topo_bind(const struct pt_topo *t, int pu_os, enum pt_bind_scope scope);

/* One line: "1 package, 1 NUMA node, 2 cores, 2 PUs (SMT off); L1d 48K, ..." */
void pt_topo_describe(const struct pt_topo *t, FILE *out);

/* One line a worker: "worker=I pu=P core=C package=K" (P the OS index, C and
 * K logical indexes); "worker=I pu=- core=- package=-" under none. */
void pt_topo_print_plan(const struct pt_topo *t, enum pt_bind policy, int n, FILE *out);

/* {"packages", "numa_nodes", "cores", "pus", "smt", "caches": {"L1d": bytes,
 * ...}, "synthetic": bool, "synthetic_desc": string|null, "cpu_model":
 * string|null, "hwloc_api_version": "x.y.z" (the API the library
 * implements, not its release)}. New reference; NULL on ENOMEM. */
json_t *pt_topo_json(const struct pt_topo *t);

#endif
