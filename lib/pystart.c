// SPDX-License-Identifier: MIT
// CPython's costs of starting a Thread or a Process, per start method: ticks
// in the starting thread and in the new worker, an interpreter image in the
// forking process, and page faults in the new process.
#include "pystart.h"

#include "work.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

/* The figures: `python3 scripts/startcost.py 100` (CPython 3.11.7, the
 * 2-core development VM, under load: load average 1.3 to 8.7 over six runs;
 * CPU times, not wall times, converted to ticks by the countdown turn timed
 * in the same run, so the load cancels out of the ratio as far as it can).
 * Medians of the runs:
 *
 *   thread: Thread(target).start(); join() takes 2.1x the CPU of
 *     _thread.start_new_thread and a lock handshake (what ptbench's
 *     pthread_create and join pay): about 750 ticks more, the Thread and
 *     its Event, Condition and locks, started.wait(), _bootstrap_inner and
 *     join's tstate lock. Split 450 in the starter, 300 in the new thread.
 *   fork: the starter's CPU beyond a bare os.fork() + waitpid: about 6000
 *     ticks (Process, Popen, the sentinel pipe, Finalize, join). The child
 *     takes 395 page faults in all (a bare os.fork() child that _exits:
 *     240); its CPU beyond those faults is within the noise, so 0 ticks:
 *     what Process._bootstrap costs is the copy-on-write of the pages it
 *     writes (refcounts), which the faults pay here.
 *   forkserver: the starter about 15000 ticks (no fork in it: pickling the
 *     preparation data and the Process, the socket round trips with the
 *     server, fds passed); the child (counted by the server's cminflt and
 *     cutime) 1100 faults and about 80000 ticks beyond them (unpickling,
 *     spawn.prepare, importing what the server had not: pkgutil).
 *   spawn: the starter about 15000 ticks; the child, a fresh interpreter,
 *     2430 faults and about 1.5 million ticks beyond them (Py_Initialize,
 *     site, importing multiprocessing and the main module, unpickling).
 *     Part of it is this VM's own: a .pth file in its site-packages
 *     imports certifi at every start, about 17 ms of a 47 ms start
 *     (`python3 -X importtime -c pass`); without it the child's figure
 *     would be about 0.9 million ticks. A user's interpreter pays its own
 *     .pth files too, so the figure is kept as measured.
 *
 * Page faults are charged at the cost measured in the same runs (a child
 * writing 256 pre-touched pages or 256 fresh ones: 56 to 85 ticks a
 * fault) before the rest becomes ticks, since ptbench pays the faults
 * themselves. The interpreter image: Anonymous in /proc/self/smaps_rollup
 * after `import multiprocessing`, 8596 KiB; the forkserver's server
 * 8232 KiB (startcost.py prints both). */
static const struct pt_py_cost costs[PT_PY_KINDS] = {
	[PT_PY_THREAD] = { "thread", 450, 300, 0, 8596 },
	[PT_PY_FORK] = { "fork", 6000, 0, 395, 8596 },
	[PT_PY_FORKSERVER] = { "forkserver", 15000, 80000, 1100, 8232 },
	[PT_PY_SPAWN] = { "spawn", 15000, 1500000, 2430, 0 },
};

static struct {
	bool on;
	struct pt_py_counts *counts;
	unsigned char *image;
	size_t image_len;
} py;

const struct pt_py_cost *pt_py_cost(enum pt_py_kind k)
{
	return (unsigned)k < PT_PY_KINDS ? &costs[k] : &costs[PT_PY_THREAD];
}

enum pt_py_kind pt_py_kind_of(const struct pt_team *t)
{
	const char *m;

	if (t->cfg.model != PT_MODEL_PROCS)
		return PT_PY_THREAD;
	m = t->cfg.start ? t->cfg.start->name : "fork";
	if (strcmp(m, "forkserver") == 0)
		return PT_PY_FORKSERVER;
	if (strcmp(m, "spawn") == 0)
		return PT_PY_SPAWN;
	return PT_PY_FORK;
}

void pt_py_set(bool on, struct pt_py_counts *counts)
{
	py.on = on;
	py.counts = counts;
}

bool pt_py_on(void)
{
	return py.on;
}

struct pt_py_counts *pt_py_counts(void)
{
	return py.counts;
}

static size_t page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);

	return p > 0 ? (size_t)p : 4096;
}

/* Writes one byte in each of @n pages of @mem. */
static void dirty(unsigned char *mem, size_t n)
{
	size_t pg = page_size();

	for (size_t i = 0; i < n; i++)
		((volatile unsigned char *)mem)[i * pg]++;
}

int pt_py_image(size_t kib)
{
	size_t len = kib << 10;
	void *m;

	if (py.image || !len)
		return 0;
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -errno;
	py.image = m;
	py.image_len = len;
	dirty(py.image, len / page_size());
	return 0;
}

static void spend(struct pt_worker *w, uint64_t ticks)
{
	pt_count_down_ticking(w, ticks * PT_TICK_ITERS, PT_TICK_ITERS);
}

void pt_py_parent(struct pt_worker *w)
{
	const struct pt_py_cost *c;

	if (!py.on)
		return;
	c = pt_py_cost(pt_py_kind_of(w->team));
	spend(w, c->parent_ticks);
	if (py.counts)
		atomic_fetch_add(&py.counts->parent_ticks, c->parent_ticks);
}

/* Takes page faults until this process has taken @target in all: first by
 * writing the inherited image (copy on write), then fresh memory. Returns
 * the pages written. */
static uint64_t fault_up_to(long target)
{
	struct rusage ru;
	size_t pg = page_size(), need, cow;
	unsigned char *fresh;

	if (target <= 0 || getrusage(RUSAGE_SELF, &ru) != 0 || ru.ru_minflt >= target)
		return 0;
	need = (size_t)(target - ru.ru_minflt);
	cow = py.image_len / pg < need ? py.image_len / pg : need;
	dirty(py.image, cow);
	if (need == cow)
		return cow;
	/* Left mapped: the process exits soon, as the interpreter's heap. */
	fresh = mmap(NULL, (need - cow) * pg, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fresh == MAP_FAILED)
		return cow;
	dirty(fresh, need - cow);
	return need;
}

void pt_py_child(struct pt_worker *c)
{
	const struct pt_py_cost *k;
	uint64_t pages = 0;

	if (!py.on)
		return;
	k = pt_py_cost(pt_py_kind_of(c->team));
	if (k != &costs[PT_PY_THREAD])
		pages = fault_up_to(k->child_faults);
	spend(c, k->child_ticks);
	if (py.counts) {
		atomic_fetch_add(&py.counts->children, 1);
		atomic_fetch_add(&py.counts->child_ticks, k->child_ticks);
		atomic_fetch_add(&py.counts->child_pages, pages);
	}
}
