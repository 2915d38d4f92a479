// SPDX-License-Identifier: MIT
// Shared arena (MAP_SHARED | MAP_ANONYMOUS): survives fork() as shared memory.
#include "shm.h"

#include <errno.h>
#include <sys/mman.h>

int pt_arena_create(struct pt_arena *a, size_t size)
{
	size = PT_ALIGN_UP(size ? size : 1, 4096);
	a->base = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (a->base == MAP_FAILED) {
		a->base = NULL;
		return -errno;
	}
	a->size = size;
	a->used = 0;
	return 0;
}

void pt_arena_destroy(struct pt_arena *a)
{
	if (a->base)
		munmap(a->base, a->size);
	a->base = NULL;
	a->size = a->used = 0;
}

void *pt_arena_alloc(struct pt_arena *a, size_t size)
{
	size_t off = PT_ALIGN_UP(a->used, PT_CACHELINE);

	if (off > a->size || size > a->size - off)
		return NULL;
	a->used = off + size;
	return (char *)a->base + off;
}
