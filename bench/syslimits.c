// SPDX-License-Identifier: MIT
// Worker counts against the system's limits.
#include "syslimits.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static long read_long_file(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* Bytes this process may use, by its memory cgroup (v2) and the machine. */
static double memory_limit(void)
{
	double phys = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
	char line[512], path[700];
	FILE *f = fopen("/proc/self/cgroup", "r");

	if (phys <= 0)
		phys = INFINITY;
	if (!f)
		return phys;
	while (fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');
		long v;

		/* "0::/path" (v2) or "N:memory:/path" (v1), cgroups(7). */
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "0::", 3) == 0)
			snprintf(path, sizeof(path), "/sys/fs/cgroup%s/memory.max", line + 3);
		else if (c && strncmp(c, ":memory:", 8) == 0)
			snprintf(path, sizeof(path), "/sys/fs/cgroup/memory%s/memory.limit_in_bytes",
				 c + 8);
		else
			continue;
		v = read_long_file(path); /* "max" reads as no number: -1 */
		if (v > 0 && (double)v < phys)
			phys = (double)v;
	}
	fclose(f);
	return phys;
}

/* Memory: rough floors of what a worker costs (a forked worker's page
 * tables, kernel stack and copied pages; a thread's stack under RLIMIT_AS),
 * enough to refuse absurd counts, not to predict. */
static int check_memory(int maxn, int maxprocs, char *err, size_t errlen)
{
	const double proc_bytes = 512 * 1024.0, thread_bytes = 64 * 1024.0;
	double mem = memory_limit();
	struct rlimit rl, st;

	if ((double)maxprocs * proc_bytes > mem || (double)maxn * thread_bytes > mem)
		return snprintf(err, errlen,
				"-n/--workers: %d workers need more memory than the %.0f MiB "
				"available", maxprocs > 0 ? maxprocs : maxn, mem / (1 << 20)),
		       -EINVAL;
	if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		double stack = 8 << 20;

		if (getrlimit(RLIMIT_STACK, &st) == 0 && st.rlim_cur != RLIM_INFINITY)
			stack = (double)st.rlim_cur; /* glibc's default thread stack size */
		if ((double)maxn * stack > (double)rl.rlim_cur)
			return snprintf(err, errlen,
					"-n/--workers: %d thread stacks of %.0f KiB exceed the "
					"address-space limit (RLIMIT_AS, ulimit -v: %llu KiB)",
					maxn, stack / 1024, (unsigned long long)rl.rlim_cur / 1024),
			       -EINVAL;
	}
	return 0;
}

/* RLIMIT_NPROC counts threads too on Linux, and does not apply to root
 * (kernel/fork.c copy_process()). The point's process and the driver count
 * as two more. */
int pt_limits_check(int maxn, int maxprocs, char *err, size_t errlen)
{
	struct rlimit rl;
	long lim;

	if (maxn <= 0)
		return 0;
	if (getuid() != 0 && getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    (double)maxn + 2 > (double)rl.rlim_cur)
		return snprintf(err, errlen,
				"-n/--workers: %d workers exceed the process limit "
				"(RLIMIT_NPROC, ulimit -u: %llu processes and threads)",
				maxn, (unsigned long long)rl.rlim_cur), -EINVAL;
	lim = read_long_file("/proc/sys/kernel/threads-max");
	if (lim > 0 && maxn + 2 > lim)
		return snprintf(err, errlen,
				"-n/--workers: %d workers exceed the kernel's threads-max (%ld)",
				maxn, lim), -EINVAL;
	lim = read_long_file("/proc/sys/kernel/pid_max");
	if (lim > 0 && maxn + 2 > lim)
		return snprintf(err, errlen,
				"-n/--workers: %d workers exceed the kernel's pid_max (%ld)", maxn,
				lim), -EINVAL;
	return check_memory(maxn, maxprocs, err, errlen);
}
