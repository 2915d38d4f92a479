/* SPDX-License-Identifier: MIT */
/* A shared arena: anonymous MAP_SHARED memory that forked workers see, so
 * the same result slots and primitives work between threads and processes. */
#ifndef PT_SHM_H
#define PT_SHM_H

#include <stddef.h>

#define PT_CACHELINE 64
#define PT_ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((size_t)(a) - 1))

struct pt_arena {
	void *base;
	size_t size;
	size_t used;
};

/* Maps @size bytes (zeroed). Returns 0 or a negative errno. */
int pt_arena_create(struct pt_arena *a, size_t size);
void pt_arena_destroy(struct pt_arena *a);
/* Carves @size bytes aligned to a cache line; NULL when the arena is full. */
void *pt_arena_alloc(struct pt_arena *a, size_t size);

#endif
