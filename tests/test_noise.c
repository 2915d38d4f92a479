// SPDX-License-Identifier: MIT
// Tests of lib/noise: /proc/stat accounting from the fixture snapshots in
// tests/fixtures/noise/ (hand-made: two snapshots 100 ticks apart on cpu0,
// cpu1 and cpu3, no cpu2), the interference share, load and frequency.
#include "noise.h"

#include "near.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define ASSERT_NEAR_ABS(got, want) ASSERT_NEAR((got), (want), 1e-9)

static void fixture(char *buf, size_t n, const char *name)
{
	const char *root = getenv("PTBENCH_ROOT");

	snprintf(buf, n, "%s/tests/fixtures/noise/%s", root ? root : ".", name);
}

static void snapshots(struct pt_cpu_ticks *b, struct pt_cpu_ticks *a, int *nb, int *na)
{
	char path[PATH_MAX];

	fixture(path, sizeof(path), "proc-stat-before");
	cr_assert_eq(pt_procstat_read(path, b, 8, nb), 0, "%s", path);
	fixture(path, sizeof(path), "proc-stat-after");
	cr_assert_eq(pt_procstat_read(path, a, 8, na), 0, "%s", path);
}

Test(noise, procstat_parse, .timeout = 10)
{
	struct pt_cpu_ticks b[8], a[8];
	int nb, na;

	snapshots(b, a, &nb, &na);
	cr_assert_eq(nb, 4); /* cpu3 is the highest */
	cr_assert_eq(na, 4);
	cr_assert(b[0].present && b[1].present && !b[2].present && b[3].present);
	cr_assert_eq(b[0].user, 5187);
	cr_assert_eq(b[0].system, 2869);
	cr_assert_eq(b[0].idle, 28051);
	cr_assert_eq(b[1].iowait, 364);
	cr_assert_eq(b[1].softirq, 110);
	cr_assert_eq(b[1].steal, 18);
	cr_assert_eq(a[0].irq, 5);
}

/* By hand from the fixture, 100 ticks a second. cpu0: user +100, system
 * +20, irq +5, softirq +5, steal +50 (busy 180 ticks); cpu1: user +90,
 * system +10, idle +100, softirq +5, steal +50 (busy 155); cpu3: idle
 * +100. */
Test(noise, steal_from_fixture, .timeout = 10)
{
	struct pt_cpu_ticks b[8], a[8];
	struct pt_cpu_noise n;
	unsigned char set0 = 0x1, set12 = 0x6;
	int nb, na;

	snapshots(b, a, &nb, &na);
	pt_cpu_noise(b, a, na, NULL, 100, &n);
	cr_assert_eq(n.ncpus, 3);
	ASSERT_NEAR_ABS(n.steal_s, 1.0);
	ASSERT_NEAR_ABS(n.irq_s, 0.05);
	ASSERT_NEAR_ABS(n.softirq_s, 0.10);
	ASSERT_NEAR_ABS(n.busy_s, 3.35);

	pt_cpu_noise(b, a, na, &set0, 100, &n);
	cr_assert_eq(n.ncpus, 1);
	ASSERT_NEAR_ABS(n.steal_s, 0.5);
	ASSERT_NEAR_ABS(n.irq_s, 0.05);
	ASSERT_NEAR_ABS(n.softirq_s, 0.05);
	ASSERT_NEAR_ABS(n.busy_s, 1.8);

	/* cpu2 has no line: only cpu1 counts */
	pt_cpu_noise(b, a, na, &set12, 100, &n);
	cr_assert_eq(n.ncpus, 1);
	ASSERT_NEAR_ABS(n.steal_s, 0.5);
	ASSERT_NEAR_ABS(n.busy_s, 1.55);

	/* reversed snapshots (a CPU re-plugged): counters never go negative */
	pt_cpu_noise(a, b, na, NULL, 100, &n);
	ASSERT_NEAR_ABS(n.steal_s, 0);
	ASSERT_NEAR_ABS(n.busy_s, 0);
}

/* cpus 0 and 1 (busy 3.35 s, steal 1.0 s), a repetition of 2 s wall that
 * used 1 s of CPU: others took 3.35 - 1.0 - 1.0 = 1.35 s. With one worker
 * the other CPU (2 s) absorbs that, so only steal counts: 1.0 / 2 = 0.5.
 * With two workers nothing was left idle: (1.0 + 1.35) / (2 * 2) = 0.5875. */
Test(noise, interference, .timeout = 10)
{
	struct pt_cpu_ticks b[8], a[8];
	struct pt_cpu_noise n;
	unsigned char set01 = 0x3;
	int nb, na;

	snapshots(b, a, &nb, &na);
	pt_cpu_noise(b, a, na, &set01, 100, &n);
	cr_assert_eq(n.ncpus, 2);
	ASSERT_NEAR_ABS(pt_interference(&n, 2.0, 1.0, 1), 0.5);
	ASSERT_NEAR_ABS(pt_interference(&n, 2.0, 1.0, 2), 0.5875);
	ASSERT_NEAR_ABS(pt_interference(&n, 2.0, 1.0, 64), 0.5875); /* demand capped */
	cr_assert_gt(pt_interference(&n, 2.0, 1.0, 2), PT_NOISE_THRESHOLD);
	/* a quiet machine: the same snapshot twice */
	pt_cpu_noise(b, b, nb, &set01, 100, &n);
	ASSERT_NEAR_ABS(pt_interference(&n, 2.0, 1.0, 2), 0);
	cr_assert(isnan(pt_interference(&n, 0, 1.0, 2)));
}

/* The margin of the clock's grain: 2 CPUs, 1 worker, 75 ms at 100 Hz:
 * 2 / 7.5; a 1 ms repetition can never be judged (margin above 1). */
Test(noise, margin_and_hit, .timeout = 10)
{
	struct pt_noise_figures f = { .interference = 0.5 };

	ASSERT_NEAR_ABS(pt_interference_margin(2, 1, 0.075, 100), 2 / 7.5);
	ASSERT_NEAR_ABS(pt_interference_margin(2, 8, 0.075, 100), 1 / 7.5);
	cr_assert_gt(pt_interference_margin(2, 1, 0.001, 100), 1);
	cr_assert(isinf(pt_interference_margin(0, 1, 1, 100)));
	f.margin = pt_interference_margin(2, 1, 0.075, 100);
	cr_assert(pt_noise_hit(&f)); /* 0.5 - 0.267 > 0.1 */
	f.interference = 0.3;
	cr_assert(!pt_noise_hit(&f)); /* 0.3 - 0.267 < 0.1: maybe the grain */
	f.interference = NAN;
	cr_assert(!pt_noise_hit(&f));
}

Test(noise, procstat_bad_and_old, .timeout = 10)
{
	struct pt_cpu_ticks c[4];
	char path[PATH_MAX];
	int n;

	fixture(path, sizeof(path), "proc-stat-2.4");
	cr_assert_eq(pt_procstat_read(path, c, 4, &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_eq(c[1].idle, 8);
	cr_assert_eq(c[1].steal, 0); /* no such field before 2.6.11 */

	cr_assert_eq(pt_procstat_parse("cpu0 1 2 x 4\n", c, 4, &n), -EINVAL);
	cr_assert_eq(pt_procstat_parse("cpu0 1 2\n", c, 4, &n), -EINVAL);
	cr_assert_eq(pt_procstat_parse("cpu  1 2 3 4\nintr 5\n", c, 4, &n), -EINVAL);
	cr_assert_eq(pt_procstat_parse("cpu0 99999999999999999999 2 3 4\n", c, 4, &n), -EINVAL);
	cr_assert_eq(pt_procstat_parse("", c, 4, &n), -EINVAL);
	/* CPUs beyond the array are ignored, not written */
	cr_assert_eq(pt_procstat_parse("cpu0 1 2 3 4\ncpu7 1 2 3 4", c, 1, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(pt_procstat_read("/nonexistent/stat", c, 4, &n), -ENOENT);
	/* the real one, where there is one */
	if (pt_procstat_read(NULL, c, 4, &n) == 0)
		cr_assert_geq(n, 1);
}

Test(noise, loadavg, .timeout = 10)
{
	char path[PATH_MAX];
	double l = -1;

	fixture(path, sizeof(path), "loadavg");
	cr_assert_eq(pt_loadavg_read(path, &l), 0);
	ASSERT_NEAR_ABS(l, 2.68);
	cr_assert_eq(pt_loadavg_parse("x 1 2", &l), -EINVAL);
	cr_assert_eq(pt_loadavg_parse("-1.0 1 2", &l), -EINVAL);
	cr_assert_eq(pt_loadavg_parse("nan 1 2", &l), -EINVAL);
	cr_assert_eq(pt_loadavg_parse("", &l), -EINVAL);
}

Test(noise, frequency, .timeout = 10)
{
	char sys[PATH_MAX], info[PATH_MAX];
	unsigned char set1 = 0x2;
	double v[4], mhz = 0;

	fixture(sys, sizeof(sys), "sys-cpu");
	fixture(info, sizeof(info), "cpuinfo");
	/* cpufreq first: 3000 and 2000 MHz */
	cr_assert_eq(pt_cpu_freq_mhz(sys, info, NULL, 2, &mhz), 0);
	ASSERT_NEAR_ABS(mhz, 2500);
	cr_assert_eq(pt_cpu_freq_mhz(sys, info, &set1, 2, &mhz), 0);
	ASSERT_NEAR_ABS(mhz, 2000);
	/* no cpufreq: /proc/cpuinfo's figures, 2596.124 and 1800 */
	cr_assert_eq(pt_cpu_freq_mhz("/nonexistent", info, NULL, 2, &mhz), 0);
	ASSERT_NEAR_ABS(mhz, (2596.124 + 1800) / 2);
	cr_assert_eq(pt_cpu_freq_mhz("/nonexistent", info, &set1, 2, &mhz), 0);
	ASSERT_NEAR_ABS(mhz, 1800);
	cr_assert_eq(pt_cpu_freq_mhz("/nonexistent", "/nonexistent", NULL, 2, &mhz), -ENOENT);
	cr_assert_eq(pt_cpuinfo_mhz_parse("model name : x\n", v, 4), -EINVAL);
	cr_assert_eq(pt_cpuinfo_mhz_parse("cpu MHz : 1000\ncpu MHz : 2000\ncpu MHz : 3\n", v, 2), 2);
	ASSERT_NEAR_ABS(v[1], 2000);
}

/* The migration counter opens or says why not; when it opens it counts
 * and never goes backwards (no figure asserted: that would be timing). */
Test(noise, migrations, .timeout = 10)
{
	struct pt_migrations m;
	uint64_t c1 = 0, c2 = 0;
	int ret = pt_migrations_open(&m);

	if (ret < 0) {
		cr_assert_eq(m.fd, -1);
		cr_assert_eq(pt_migrations_read(&m, &c1), -ENODEV);
		return;
	}
	cr_assert_eq(pt_migrations_read(&m, &c1), 0);
	cr_assert_eq(pt_migrations_read(&m, &c2), 0);
	cr_assert_geq(c2, c1);
	pt_migrations_close(&m);
	cr_assert_eq(m.fd, -1);
	pt_migrations_close(&m);
}
