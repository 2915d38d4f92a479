// SPDX-License-Identifier: MIT
// Shared arena (MAP_SHARED, anonymous or a memfd): survives fork() as shared
// memory, and, as a memfd, exec through its descriptor.
#include "shm.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

int pt_arena_create(struct pt_arena *a, size_t size)
{
	size = PT_ALIGN_UP(size ? size : 1, 4096);
	a->fd = -1;
	a->base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (a->base == MAP_FAILED) {
		a->base = NULL;
		return -errno;
	}
	a->size = size;
	a->used = 0;
	return 0;
}

int pt_arena_create_fd(struct pt_arena *a, size_t size)
{
	int e;

	size = PT_ALIGN_UP(size ? size : 1, 4096);
	a->fd = memfd_create("ptbench-arena", MFD_CLOEXEC);
	if (a->fd < 0)
		return -errno;
	if (ftruncate(a->fd, (off_t)size) < 0)
		goto fail;
	a->base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, a->fd, 0);
	if (a->base == MAP_FAILED)
		goto fail;
	a->size = size;
	a->used = 0;
	return 0;
fail:
	e = errno;
	close(a->fd);
	a->fd = -1;
	a->base = NULL;
	return -e;
}

int pt_arena_attach(struct pt_arena *a, int fd, size_t size, void *base)
{
	void *p = mmap(base, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED_NOREPLACE, fd,
		       0);

	if (p == MAP_FAILED)
		return -errno;
	if (p != base) { /* a kernel before 4.17 takes the flag as a hint */
		munmap(p, size);
		return -EEXIST;
	}
	a->base = p;
	a->size = size;
	a->used = size;
	a->fd = fd;
	return 0;
}

void pt_arena_destroy(struct pt_arena *a)
{
	/* A zeroed arena (never created) has no descriptor to close. */
	if (a->base) {
		munmap(a->base, a->size);
		if (a->fd >= 0)
			close(a->fd);
	}
	a->base = NULL;
	a->fd = -1;
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
