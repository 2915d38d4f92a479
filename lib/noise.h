/* SPDX-License-Identifier: MIT */
/* What else happened on the machine while a repetition ran: the steal, irq
 * and softirq time of its CPUs and the time other processes took on them
 * (from /proc/stat), its CPU migrations (a perf software counter), the load
 * average and the CPU frequency where readable. The parsers take text, so
 * tests feed them fixtures; the readers only add the reading. */
#ifndef PT_NOISE_H
#define PT_NOISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One CPU's line of /proc/stat, in clock ticks (USER_HZ). Guest time is
 * already inside user and nice (proc(5)), so it is not kept apart. */
struct pt_cpu_ticks {
	uint64_t user, nice, system, idle, iowait, irq, softirq, steal;
	bool present; /* the line exists (an offline CPU has none) */
};

/* Parses the per-CPU lines ("cpuN ...") of /proc/stat text into
 * @cpu[0..max): cpu[N] for line cpuN; *@ncpu = highest N + 1. Older kernels
 * lack the later fields (steal came in 2.6.11): missing fields are 0. Lines
 * of CPUs >= @max are ignored. -EINVAL when no cpuN line parses or a field
 * is not a number. */
int pt_procstat_parse(const char *text, struct pt_cpu_ticks *cpu, int max, int *ncpu);
/* The same from a file (@path NULL: /proc/stat); -errno when unreadable. */
int pt_procstat_read(const char *path, struct pt_cpu_ticks *cpu, int max, int *ncpu);

/* Time on a set of CPUs between two snapshots, in seconds. */
struct pt_cpu_noise {
	double steal_s, irq_s, softirq_s;
	double busy_s; /* everything but idle and iowait, steal included */
	int ncpus;     /* CPUs counted (present in both snapshots and in the set) */
};

/* @after - @before over the CPUs whose bit is set in @set (a bitmap of
 * @ncpu bits, bit i in byte i / 8; NULL: all), at @hz ticks a second. A
 * counter that went backwards (a CPU hot-plugged in between) counts 0. */
void pt_cpu_noise(const struct pt_cpu_ticks *before, const struct pt_cpu_ticks *after,
		  int ncpu, const unsigned char *set, long hz, struct pt_cpu_noise *out);

/*
 * The share of a repetition's CPU demand that others took from it:
 *   (steal + the busy time of others beyond the CPUs it left idle)
 *   / (demand * wall)
 * where the others' busy time is busy_s - @own_cpu_s (its user + system
 * time) and it left (ncpus - demand) CPUs idle. @demand is how many CPUs it
 * could use at once (its workers and neighbours, at most ncpus). 0 when
 * nothing competed; clamped to [0, 1]; NAN when @wall_s is not positive.
 */
double pt_interference(const struct pt_cpu_noise *n, double wall_s, double own_cpu_s,
		       int demand);

/* /proc/stat counts whole ticks (USER_HZ, 100 a second), so each CPU's
 * figures are off by up to a tick: the share above can be off by
 * ncpus / (hz * demand * wall). A repetition is judged on its share minus
 * that margin, so that a short one is not flagged for the clock's grain. */
double pt_interference_margin(int ncpus, int demand, double wall_s, long hz);

/* A repetition is flagged, and re-run a bounded number of times, when
 * others surely took more than this share of what it needed. */
#define PT_NOISE_THRESHOLD 0.10
#define PT_NOISE_RERUNS 2

/* The 1-minute load average from /proc/loadavg text; -EINVAL. */
int pt_loadavg_parse(const char *text, double *load1);
/* The same from a file (@path NULL: /proc/loadavg). */
int pt_loadavg_read(const char *path, double *load1);

/* The mean current frequency in MHz of the CPUs in @set (as above; NULL:
 * all): cpufreq's scaling_cur_freq under @sysfs_cpu (NULL:
 * /sys/devices/system/cpu), else the "cpu MHz" lines of @cpuinfo (NULL:
 * /proc/cpuinfo). -ENOENT when neither is readable (many VMs). */
int pt_cpu_freq_mhz(const char *sysfs_cpu, const char *cpuinfo, const unsigned char *set,
		    int ncpu, double *mhz);
/* The "cpu MHz" lines of /proc/cpuinfo text, in processor order, into
 * @mhz[0..max); returns how many, or -EINVAL when there are none. */
int pt_cpuinfo_mhz_parse(const char *text, double *mhz, int max);

/* A count of this process's CPU migrations, inherited by the threads and
 * processes it creates afterwards (a perf software counter). */
struct pt_migrations {
	int fd; /* -1: not available (perf_event_open refused, or no kernel support) */
};
/* Opens the counter; 0, or -errno (the counter is then unavailable, and
 * that is not an error for a benchmark: the column stays empty). */
int pt_migrations_open(struct pt_migrations *m);
/* The count so far: itself and its exited children. -errno when unavailable. */
int pt_migrations_read(const struct pt_migrations *m, uint64_t *count);
void pt_migrations_close(struct pt_migrations *m);

/* ---- One repetition's noise, begin to end ---- */

#define PT_NOISE_MAX_CPUS 1024

struct pt_noise_probe {
	struct pt_cpu_ticks *before; /* PT_NOISE_MAX_CPUS entries; NULL: no /proc/stat */
	int ncpu;
	unsigned char set[PT_NOISE_MAX_CPUS / 8]; /* the CPUs it may run on */
	struct pt_migrations mig;
	uint64_t mig0;
	bool have_mig0;
};

/* What other things did to one repetition. NAN (or have_migrations false)
 * where it could not be read. */
struct pt_noise_figures {
	double steal_s, irq_s, softirq_s;
	double interference; /* pt_interference() of the repetition */
	double margin;	     /* pt_interference_margin() of it */
	double load1, freq_mhz;
	uint64_t migrations;
	bool have_migrations;
};

/* Whether @f says the repetition was hit: interference above the
 * threshold by more than the margin. */
bool pt_noise_hit(const struct pt_noise_figures *f);

/* Before the workers exist (the migration counter follows the threads and
 * processes created afterwards): the CPUs of @pus[0..npus) (NULL: those the
 * process may run on). Never fails: what cannot be read stays empty. */
void pt_noise_begin(struct pt_noise_probe *p, const int *pus, int npus);
/* Just before the clock starts: the /proc/stat snapshot. */
void pt_noise_mark(struct pt_noise_probe *p);
/* After the join: the figures of the repetition that lasted @wall_s and
 * used @own_cpu_s of CPU with @demand workers able to run at once. Frees
 * what begin took. */
void pt_noise_end(struct pt_noise_probe *p, double wall_s, double own_cpu_s, int demand,
		  struct pt_noise_figures *out);

#endif
