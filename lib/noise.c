// SPDX-License-Identifier: MIT
// Noise accounting: /proc/stat per-CPU ticks, load average, CPU frequency
// and a perf migration counter. Parsers take text so that fixtures test them.
#include "noise.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Reads a whole small file (/proc files report size 0, so read to EOF)
 * into a NUL-terminated heap buffer. */
static int slurp(const char *path, char **out)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	int fd, err;

	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		free(buf);
		return err;
	}
	for (;;) {
		ssize_t r;

		if (len + 1 >= cap) {
			char *nb = cap > (1u << 26) ? NULL : realloc(buf, cap * 2);

			if (!nb) {
				err = -ENOMEM;
				goto fail;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			goto fail;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	return 0;
fail:
	close(fd);
	free(buf);
	return err;
}

/* A decimal u64 at *p, skipping blanks first; advances *p. -EINVAL when
 * there is none before the line ends, 1 at the end of the line. */
static int next_u64(const char **p, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\n' || *s == '\0') {
		*p = s;
		return 1;
	}
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	while (isdigit((unsigned char)*s)) {
		unsigned d = (unsigned)(*s - '0');

		if (x > (UINT64_MAX - d) / 10)
			return -EINVAL;
		x = x * 10 + d;
		s++;
	}
	if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\0')
		return -EINVAL;
	*p = s;
	*v = x;
	return 0;
}

int pt_procstat_parse(const char *text, struct pt_cpu_ticks *cpu, int max, int *ncpu)
{
	const char *line = text;
	int seen = 0, top = 0;

	if (!text || !cpu || max <= 0 || !ncpu)
		return -EINVAL;
	memset(cpu, 0, (size_t)max * sizeof(*cpu));
	while (*line) {
		const char *eol = strchr(line, '\n'), *p = line + 3;
		uint64_t f[8] = { 0 };
		unsigned long idx;
		int nf = 0;
		char *end;

		if (strncmp(line, "cpu", 3) == 0 && isdigit((unsigned char)line[3])) {
			errno = 0;
			idx = strtoul(p, &end, 10);
			if (errno || (*end != ' ' && *end != '\t'))
				return -EINVAL;
			p = end;
			for (; nf < 8; nf++) {
				int r = next_u64(&p, &f[nf]);

				if (r < 0)
					return r;
				if (r > 0)
					break;
			}
			/* user nice system idle at least (Linux 2.4) */
			if (nf < 4)
				return -EINVAL;
			if (idx < (unsigned long)max) {
				struct pt_cpu_ticks *c = &cpu[idx];

				*c = (struct pt_cpu_ticks){ f[0], f[1], f[2], f[3],
							    f[4], f[5], f[6], f[7], true };
				if ((int)idx + 1 > top)
					top = (int)idx + 1;
			}
			seen++;
		}
		if (!eol)
			break;
		line = eol + 1;
	}
	if (!seen)
		return -EINVAL;
	*ncpu = top;
	return 0;
}

int pt_procstat_read(const char *path, struct pt_cpu_ticks *cpu, int max, int *ncpu)
{
	char *text;
	int ret = slurp(path ? path : "/proc/stat", &text);

	if (ret < 0)
		return ret;
	ret = pt_procstat_parse(text, cpu, max, ncpu);
	free(text);
	return ret;
}

static bool in_set(const unsigned char *set, int i)
{
	return !set || (set[i / 8] >> (i % 8)) & 1;
}

/* b - a, or 0 when the counter went backwards */
static uint64_t tick_delta(uint64_t a, uint64_t b)
{
	return b >= a ? b - a : 0;
}

void pt_cpu_noise(const struct pt_cpu_ticks *before, const struct pt_cpu_ticks *after,
		  int ncpu, const unsigned char *set, long hz, struct pt_cpu_noise *out)
{
	uint64_t steal = 0, irq = 0, softirq = 0, busy = 0;
	double tick = hz > 0 ? 1.0 / (double)hz : 0.01;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < ncpu; i++) {
		const struct pt_cpu_ticks *a = &before[i], *b = &after[i];

		if (!a->present || !b->present || !in_set(set, i))
			continue;
		out->ncpus++;
		steal += tick_delta(a->steal, b->steal);
		irq += tick_delta(a->irq, b->irq);
		softirq += tick_delta(a->softirq, b->softirq);
		busy += tick_delta(a->user, b->user) + tick_delta(a->nice, b->nice) +
			tick_delta(a->system, b->system) + tick_delta(a->irq, b->irq) +
			tick_delta(a->softirq, b->softirq) + tick_delta(a->steal, b->steal);
	}
	out->steal_s = (double)steal * tick;
	out->irq_s = (double)irq * tick;
	out->softirq_s = (double)softirq * tick;
	out->busy_s = (double)busy * tick;
}

double pt_interference(const struct pt_cpu_noise *n, double wall_s, double own_cpu_s,
		       int demand)
{
	double others, left_idle, taken, share;

	if (!n || !(wall_s > 0) || n->ncpus <= 0)
		return NAN;
	if (demand > n->ncpus)
		demand = n->ncpus;
	if (demand < 1)
		demand = 1;
	if (!(own_cpu_s >= 0))
		own_cpu_s = 0;
	/* Steal is in busy_s but is nobody's process time: count it once. */
	others = n->busy_s - n->steal_s - own_cpu_s;
	if (others < 0)
		others = 0;
	left_idle = (double)(n->ncpus - demand) * wall_s;
	taken = n->steal_s + (others > left_idle ? others - left_idle : 0);
	share = taken / ((double)demand * wall_s);
	return share > 1 ? 1 : share;
}

double pt_interference_margin(int ncpus, int demand, double wall_s, long hz)
{
	if (ncpus <= 0 || !(wall_s > 0) || hz <= 0)
		return INFINITY;
	if (demand > ncpus)
		demand = ncpus;
	if (demand < 1)
		demand = 1;
	return (double)ncpus / ((double)hz * demand * wall_s);
}

bool pt_noise_hit(const struct pt_noise_figures *f)
{
	return isfinite(f->interference) && isfinite(f->margin) &&
	       f->interference - f->margin > PT_NOISE_THRESHOLD;
}

int pt_loadavg_parse(const char *text, double *load1)
{
	char *end;
	double v;

	if (!text || !load1)
		return -EINVAL;
	errno = 0;
	v = strtod(text, &end);
	/* /proc/loadavg is written by the kernel in the C locale's format;
	 * strtod here runs in the C locale too (ptbench never sets one). */
	if (errno || end == text || (*end != ' ' && *end != '\n') || !(v >= 0) || !isfinite(v))
		return -EINVAL;
	*load1 = v;
	return 0;
}

int pt_loadavg_read(const char *path, double *load1)
{
	char *text;
	int ret = slurp(path ? path : "/proc/loadavg", &text);

	if (ret < 0)
		return ret;
	ret = pt_loadavg_parse(text, load1);
	free(text);
	return ret;
}

int pt_cpuinfo_mhz_parse(const char *text, double *mhz, int max)
{
	const char *line = text;
	int n = 0;

	if (!text || !mhz || max <= 0)
		return -EINVAL;
	while (*line && n < max) {
		const char *eol = strchr(line, '\n');

		if (strncmp(line, "cpu MHz", 7) == 0) {
			const char *colon = strchr(line, ':');
			char *end;
			double v;

			if (colon && (!eol || colon < eol)) {
				errno = 0;
				v = strtod(colon + 1, &end);
				if (!errno && end != colon + 1 && v > 0 && isfinite(v))
					mhz[n++] = v;
			}
		}
		if (!eol)
			break;
		line = eol + 1;
	}
	return n ? n : -EINVAL;
}

#define PT_FREQ_MAX_CPUS 4096

int pt_cpu_freq_mhz(const char *sysfs_cpu, const char *cpuinfo, const unsigned char *set,
		    int ncpu, double *mhz)
{
	double sum = 0, *v;
	int count = 0, n;

	if (!mhz || ncpu < 0)
		return -EINVAL;
	if (ncpu > PT_FREQ_MAX_CPUS)
		ncpu = PT_FREQ_MAX_CPUS;
	for (int i = 0; i < ncpu; i++) {
		char path[512], *text, *end;
		unsigned long long khz;

		if (!in_set(set, i))
			continue;
		snprintf(path, sizeof(path), "%s/cpu%d/cpufreq/scaling_cur_freq",
			 sysfs_cpu ? sysfs_cpu : "/sys/devices/system/cpu", i);
		if (slurp(path, &text) < 0)
			continue;
		errno = 0;
		khz = strtoull(text, &end, 10);
		if (!errno && end != text && khz > 0) {
			sum += (double)khz / 1000;
			count++;
		}
		free(text);
	}
	if (count) {
		*mhz = sum / count;
		return 0;
	}
	/* No cpufreq (most VMs): /proc/cpuinfo's figure, static there. */
	{
		char *text;

		if (slurp(cpuinfo ? cpuinfo : "/proc/cpuinfo", &text) < 0)
			return -ENOENT;
		v = malloc(PT_FREQ_MAX_CPUS * sizeof(*v));
		if (!v) {
			free(text);
			return -ENOMEM;
		}
		n = pt_cpuinfo_mhz_parse(text, v, PT_FREQ_MAX_CPUS);
		free(text);
		for (int i = 0; i < n; i++)
			if (i < ncpu && in_set(set, i)) {
				sum += v[i];
				count++;
			}
		free(v);
	}
	if (!count)
		return -ENOENT;
	*mhz = sum / count;
	return 0;
}

int pt_migrations_open(struct pt_migrations *m)
{
	struct perf_event_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_SOFTWARE;
	a.size = sizeof(a);
	a.config = PERF_COUNT_SW_CPU_MIGRATIONS;
	a.inherit = 1; /* the workers created afterwards, threads or processes */
	a.exclude_hv = 1;
	m->fd = -1;
	fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return -errno;
	m->fd = fd;
	return 0;
}

int pt_migrations_read(const struct pt_migrations *m, uint64_t *count)
{
	uint64_t v;
	ssize_t r;

	if (!m || m->fd < 0)
		return -ENODEV;
	do
		r = read(m->fd, &v, sizeof(v));
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r != (ssize_t)sizeof(v))
		return -EIO;
	*count = v;
	return 0;
}

void pt_migrations_close(struct pt_migrations *m)
{
	if (m && m->fd >= 0) {
		close(m->fd);
		m->fd = -1;
	}
}

void pt_noise_begin(struct pt_noise_probe *p, const int *pus, int npus)
{
	memset(p, 0, sizeof(*p));
	p->mig.fd = -1;
	if (pus) {
		for (int i = 0; i < npus; i++)
			if (pus[i] >= 0 && pus[i] < PT_NOISE_MAX_CPUS)
				p->set[pus[i] / 8] |= (unsigned char)(1u << (pus[i] % 8));
	} else {
		cpu_set_t cs;

		CPU_ZERO(&cs);
		if (sched_getaffinity(0, sizeof(cs), &cs) == 0) {
			for (int i = 0; i < PT_NOISE_MAX_CPUS && i < CPU_SETSIZE; i++)
				if (CPU_ISSET(i, &cs))
					p->set[i / 8] |= (unsigned char)(1u << (i % 8));
		} else {
			memset(p->set, 0xff, sizeof(p->set));
		}
	}
	if (pt_migrations_open(&p->mig) == 0 && pt_migrations_read(&p->mig, &p->mig0) == 0)
		p->have_mig0 = true;
}

void pt_noise_mark(struct pt_noise_probe *p)
{
	p->before = malloc(PT_NOISE_MAX_CPUS * sizeof(*p->before));
	if (p->before && pt_procstat_read(NULL, p->before, PT_NOISE_MAX_CPUS, &p->ncpu) < 0) {
		free(p->before);
		p->before = NULL;
	}
}

void pt_noise_end(struct pt_noise_probe *p, double wall_s, double own_cpu_s, int demand,
		  struct pt_noise_figures *out)
{
	struct pt_cpu_ticks *after = p->before ? malloc(PT_NOISE_MAX_CPUS * sizeof(*after)) : NULL;
	uint64_t m;
	int n;

	*out = (struct pt_noise_figures){ .steal_s = NAN, .irq_s = NAN, .softirq_s = NAN,
					  .interference = NAN, .margin = NAN, .load1 = NAN,
					  .freq_mhz = NAN };
	if (after && pt_procstat_read(NULL, after, PT_NOISE_MAX_CPUS, &n) == 0) {
		struct pt_cpu_noise cn;

		pt_cpu_noise(p->before, after, n < p->ncpu ? n : p->ncpu, p->set,
			     sysconf(_SC_CLK_TCK), &cn);
		if (cn.ncpus > 0) {
			out->steal_s = cn.steal_s;
			out->irq_s = cn.irq_s;
			out->softirq_s = cn.softirq_s;
			out->interference = pt_interference(&cn, wall_s, own_cpu_s, demand);
			out->margin = pt_interference_margin(cn.ncpus, demand, wall_s,
							     sysconf(_SC_CLK_TCK));
		}
	}
	free(after);
	free(p->before);
	p->before = NULL;
	if (p->have_mig0 && pt_migrations_read(&p->mig, &m) == 0 && m >= p->mig0) {
		out->migrations = m - p->mig0;
		out->have_migrations = true;
	}
	pt_migrations_close(&p->mig);
	if (pt_loadavg_read(NULL, &out->load1) < 0)
		out->load1 = NAN;
	if (pt_cpu_freq_mhz(NULL, NULL, p->set, PT_NOISE_MAX_CPUS, &out->freq_mhz) < 0)
		out->freq_mhz = NAN;
}
