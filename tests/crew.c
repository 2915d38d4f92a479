// SPDX-License-Identifier: MIT
// Test helpers for the primitives' tests: shared memory and crews.
#include "crew.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

void *shared_map(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	cr_assert_neq(p, MAP_FAILED, "mmap: %s", strerror(errno));
	return p;
}

void shared_unmap(void *p, size_t size)
{
	munmap(p, size);
}


const char *mode_name(enum mode m)
{
	return m == PROCS ? "procs" : "threads";
}

static void *party_main(void *p)
{
	struct party *pa = p;

	pa->ret = pa->fn(pa->arg, pa->i);
	return NULL;
}

void crew_start(struct crew *c, enum mode mode, int n, party_fn fn, void *arg)
{
	cr_assert(n <= MAX_PARTIES);
	c->mode = mode;
	c->n = n;
	for (int i = 0; i < n; i++) {
		struct party *pa = &c->pa[i];

		*pa = (struct party){ .fn = fn, .arg = arg, .i = i };
		if (mode == THREADS) {
			int ret = pthread_create(&pa->th, NULL, party_main, pa);

			cr_assert_eq(ret, 0, "pthread_create: %s", strerror(ret));
			continue;
		}
		pa->pid = fork();
		cr_assert_neq(pa->pid, -1, "fork: %s", strerror(errno));
		if (pa->pid == 0) {
			int ret;

			/* Never outlive the test, even when it is killed. */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			ret = fn(arg, i);
			_exit(ret < 0 ? (-ret & 0x7f) | 0x80 : ret ? 1 : 0);
		}
	}
}

int crew_join(struct crew *c)
{
	int failed = 0;

	for (int i = 0; i < c->n; i++) {
		struct party *pa = &c->pa[i];
		int st;

		if (c->mode == THREADS) {
			pthread_join(pa->th, NULL);
		} else {
			while (waitpid(pa->pid, &st, 0) < 0 && errno == EINTR)
				;
			if (!WIFEXITED(st))
				pa->ret = -EFAULT;
			else if (WEXITSTATUS(st) & 0x80)
				pa->ret = -(WEXITSTATUS(st) & 0x7f);
			else
				pa->ret = WEXITSTATUS(st) ? -EPROTO : 0;
		}
		if (pa->ret) {
			if (!failed)
				cr_expect_eq(pa->ret, 0, "%s party %d: %s", mode_name(c->mode), i,
					     strerror(-pa->ret));
			failed++;
		}
	}
	return failed;
}

void spawn(pthread_t *th, void *(*fn)(void *), void *arg)
{
	int ret = pthread_create(th, NULL, fn, arg);

	cr_assert_eq(ret, 0, "pthread_create: %s", strerror(ret));
}

int gil_probe_tick(struct pt_worker *w, struct gil_probe *p, int (*release)(void *arg),
		   void *arg)
{
	/* Worker 0 holds the GIL from its store of waiting until it blocks
	 * (it has no tick in between), so these loops run while it is
	 * blocked. */
	while (!atomic_load(&p->waiting))
		pt_tick(w);
	for (int i = 0; i < GIL_TICKS; i++) {
		pt_tick(w);
		atomic_fetch_add_explicit(&p->progress, 1, memory_order_relaxed);
	}
	if (atomic_fetch_add(&p->finished, 1) + 1 == w->nworkers - 1) {
		atomic_store(&p->released, 1);
		return release(arg);
	}
	return 0;
}

bool gil_probe_complete(struct gil_probe *p)
{
	return atomic_load(&p->released) &&
	       atomic_load(&p->progress) == (uint64_t)GIL_TICKS * (GIL_WORKERS - 1);
}
