/* SPDX-License-Identifier: MIT */
/* A shared arena: MAP_SHARED memory that forked workers see, so the same
 * result slots and primitives work between threads and processes. On
 * request it is a memfd, so that a worker started by exec (the spawn start
 * method) can attach to it through an inherited descriptor. */
#ifndef PT_SHM_H
#define PT_SHM_H

#include <stddef.h>

#define PT_CACHELINE 64
#define PT_ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((size_t)(a) - 1))

struct pt_arena {
	void *base;
	size_t size;
	size_t used;
	int fd;		/* the memfd (close-on-exec), or -1 */
};

/* Maps @size bytes (zeroed), anonymous. Returns 0 or a negative errno. */
int pt_arena_create(struct pt_arena *a, size_t size);
/* The same in a memfd (a file on tmpfs: RLIMIT_FSIZE applies, hence not
 * the default). */
int pt_arena_create_fd(struct pt_arena *a, size_t size);
/* In a process started by exec: maps the arena of descriptor @fd, @size
 * bytes, at @base (its address in the spawner, so that pointers into it
 * hold). -EEXIST when something else lives there already. */
int pt_arena_attach(struct pt_arena *a, int fd, size_t size, void *base);
void pt_arena_destroy(struct pt_arena *a);
/* Carves @size bytes aligned to a cache line; NULL when the arena is full. */
void *pt_arena_alloc(struct pt_arena *a, size_t size);

#endif
