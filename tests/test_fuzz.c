// SPDX-License-Identifier: MIT
// Fuzzing the command line: thousands of random and mutated argument vectors
// fed to the binary (the sanitizer build under `make test SAN=...`). Never a
// signal, never an exit status but 0, 1 or 2, never a hang; a dry run writes
// nothing. Deterministic: a fixed seed (PT_FUZZ_SEED, PT_FUZZ_CASES override).
#include "helpers.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FUZZ_SEED 0x9e3779b97f4a7c15ull
#define FUZZ_CASES 2000
#define MAX_TOKENS 24
#define TOKEN_LEN 5200
/* Per execution: a watchdog against hangs, generous for sanitizer builds. */
#define EXEC_TIMEOUT_MS 30000
/* Executions in flight at once. */
#define PARALLEL 2

/* splitmix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014): small, seedable, good enough to pick tokens. */
static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned pick(unsigned n)
{
	return (unsigned)(rnd() % n);
}

#define PICK(arr) ((arr)[pick(sizeof(arr) / sizeof((arr)[0]))])

static const char *const commands[] = {
	"run", "run", "run", "run", "run", "run", "run", "topo", "list", "help", "--help", "-h",
	"--version", "version", "", "frobnicate", "RUN", "run ", "-", "--",
};

static const char *const options[] = {
	"-w", "--workload", "-m", "--model", "-n", "--workers", "-r", "--repeat", "--warmup",
	"-b", "--bind", "-p", "--param", "--switch-interval", "--check-interval", "-o", "--out",
	"--force", "--quick", "--timeout", "--dry-run", "-q", "--quiet", "-h", "--help",
	"--version", "-V", "--", "-", "--work", "--mod", "--q", "--qu", "--dry", "--time",
	"--quick=1", "--quiet=yes", "--help=x", "--dry-run=no", "--workload=countdown",
	"--repeat=2", "--timeout=", "-qz", "-zq", "-nw", "-r1", "-n1-4", "-wcountdown",
	"-pcount=1", "-x", "--bogus", "---", "-\xff", "--\xc3\x28",
};

static const char *const values[] = {
	/* workloads */
	"countdown", "fault", "convoy", "spawn", "countdown,fault", "countdown,countdown",
	"nope", "countdown,", ",countdown", "countdown,,fault", ",", "", "COUNTDOWN",
	/* models */
	"serial", "threads", "procs", "gil", "gil-old", "serial,threads,procs,gil,gil-old",
	"fibers", "gil,gil", "threads,", "gil-old,serial",
	/* worker counts */
	"1", "2", "1-4", "1-64", "1-65", "64", "4096", "4097", "0", "-1", "1-", "-4", "8-2",
	"auto", "1,2,auto", "auto,auto", "99999999999999999999", "1-4096", "2-2", "1--3",
	"1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20",
	/* numbers */
	"1000", "1001", "100", "101", "1e3", "nan", "inf", "-inf", "0x10", "1e-300", "86400",
	"86401", " 5", "5 ", "+5", "9223372036854775807", "9223372036854775808",
	"-9223372036854775809", "0.0001", "0.5", "3.", ".5", "5ms", "10000000", "10000001",
	"1000000000", "1000000001",
	/* placements */
	"none", "compact", "scatter", "none,compact,scatter", "diagonal", "compact,compact",
	/* parameters */
	"count=1", "count=0", "count=abc", "count=1,2,3", "count=", "=1", "count", "count==1",
	"scaling=weak", "scaling=sideways", "scaling=strong,weak", "tick=1", "tick=0",
	"mode=crash", "mode=hang", "mode=crash,hang,fail,exit", "mode=explode", "victim=4095",
	"victim=4096", "victim=-1", "bogus=1", "count=1,,2", "rss=64M", "rss=1G",
	"rss=99999999999G", "rss=-1", "rss=12Q", "spawns=1", "duration_ms=1",
	"count=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,"
	"31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,"
	"59,60,61,62,63,64,65",
	"tick=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30",
	"count=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30",
	/* paths: a dry run creates none of them */
	"/nonexistent/dir/x", "/dev/null", "/proc/self", "out", "a/b/c", ".", "..",
	/* text */
	"\xc3\xa9t\xc3\xa9", "\xff\xfe", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\t",
	"a\nb", "\x1b[2J", "%s%s%n", "'", "\"", "\\", "$HOME", "*",
};

static const char *const topologies[] = {
	"pack:1 core:2 pu:1", "pack:2 core:4 pu:2", "numa:2 core:8 pu:1", "pack:1 core:1 pu:1",
	"pack:2 numa:2 core:4 pu:2", "pack:banana", "core:0", "",
};

struct vec {
	char tok[MAX_TOKENS][TOKEN_LEN];
	int n;
	const char *topology; /* HWLOC_SYNTHETIC, or NULL: the machine */
};

static void random_bytes(char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned c;

		do
			c = pick(4) == 0 ? 1 + pick(255) : 0x20 + pick(0x5f);
		while (c == 0);
		s[i] = (char)c;
	}
	s[len] = '\0';
}

/* A token: from the dictionaries, random bytes, or very long. */
static void random_token(char *s)
{
	unsigned r = pick(100);

	if (r < 35)
		snprintf(s, TOKEN_LEN, "%s", PICK(options));
	else if (r < 85)
		snprintf(s, TOKEN_LEN, "%s", PICK(values));
	else if (r < 95)
		random_bytes(s, pick(24));
	else if (r < 98)
		memset(s, 'a', TOKEN_LEN - 1), s[TOKEN_LEN - 1 - pick(2000)] = '\0';
	else
		snprintf(s, TOKEN_LEN, "%s", PICK(commands));
}

/* Changes a token in place: a byte flipped, cut short, extended, doubled. */
static void mutate_token(char *s)
{
	static const char *const tails[] = { ",", "-", "=", "0", "\xff", "9" };
	static const char bytes[] = { ',', '-', '=', '\0', ' ', '1' };
	size_t len = strlen(s);

	switch (pick(6)) {
	case 0:
		if (len)
			s[pick((unsigned)len)] ^= (char)(1u << pick(8));
		break;
	case 1:
		s[pick((unsigned)len + 1)] = '\0';
		break;
	case 2:
		if (len + 2 < TOKEN_LEN)
			strcat(s, PICK(tails));
		break;
	case 3:
		if (2 * len + 1 < TOKEN_LEN)
			memmove(s + len, s, len + 1);
		break;
	case 4:
		if (len) {
			unsigned i = pick((unsigned)len);

			s[i] = PICK(bytes);
		}
		break;
	default:
		if (len)
			memmove(s, s + 1, len);
		break;
	}
}

/* A valid vector to start from. */
static void seed_vector(struct vec *v)
{
	static const char *const seeds[][12] = {
		{ "run", "-w", "countdown", "-m", "threads", "-n", "1,2", NULL },
		{ "run", "--quick", "-w", "countdown", "-p", "count=1000,2000", "-r", "2", NULL },
		{ "run", "-w", "fault", "-p", "mode=hang", "--timeout", "0.5", "-n", "2", NULL },
		{ "run", "-m", "gil", "--switch-interval", "5000,100", "-n", "1-3", NULL },
		{ "run", "-m", "gil-old", "--check-interval", "100", "-b", "compact", NULL },
		{ "run", "-w", "spawn", "-p", "rss=4M", "-o", "out", "--force", "-q", NULL },
		{ "run", "-w", "convoy", "-p", "duration_ms=100", "--warmup", "0", NULL },
		{ "run", NULL },
		{ "topo", "-n", "1-4", "-b", "scatter", NULL },
		{ "list", NULL },
	};
	const char *const *s = seeds[pick(sizeof(seeds) / sizeof(seeds[0]))];

	v->n = 0;
	for (; *s && v->n < MAX_TOKENS; s++)
		snprintf(v->tok[v->n++], TOKEN_LEN, "%s", *s);
}

/* Options with values that are valid for run: added to a valid vector, it
 * most likely stays valid and reaches the plan. */
static const char *const good_pairs[][2] = {
	{ "-r", "2" }, { "--warmup", "0" }, { "-q", NULL }, { "--quick", NULL },
	{ "-b", "compact" }, { "-b", "none,scatter" }, { "-n", "auto" }, { "-n", "1-3" },
	{ "--timeout", "5" }, { "-m", "threads,procs" }, { "-m", "gil" },
	{ "--switch-interval", "100,5000" }, { "--check-interval", "10" }, { "-o", "out" },
	{ "--force", NULL }, { "-w", "countdown" }, { "-w", "countdown,fault" },
	{ "-p", "count=1000" }, { "-p", "scaling=weak" }, { "-p", "mode=fail" },
	{ "-p", "tick=1,100" }, { "-r", "1000" }, { "--warmup", "100" }, { "-n", "4096" },
	{ "-n", "1-64" }, { "--", NULL },
};

static void add_good_pairs(struct vec *v)
{
	for (int k = 1 + (int)pick(3); k > 0 && v->n < MAX_TOKENS - 2; k--) {
		const char *const *pr = good_pairs[pick(sizeof(good_pairs) / sizeof(good_pairs[0]))];

		snprintf(v->tok[v->n++], TOKEN_LEN, "%s", pr[0]);
		if (pr[1])
			snprintf(v->tok[v->n++], TOKEN_LEN, "%s", pr[1]);
	}
}

static void make_vector(struct vec *v)
{
	unsigned r = pick(100);

	if (r < 30) {
		/* A valid vector with more valid options. */
		seed_vector(v);
		add_good_pairs(v);
	} else if (r < 45) {
		/* Entirely random. */
		v->n = 1 + (int)pick(MAX_TOKENS - 2);
		snprintf(v->tok[0], TOKEN_LEN, "%s", PICK(commands));
		for (int i = 1; i < v->n; i++)
			random_token(v->tok[i]);
	} else {
		/* A valid vector, mutated a few times. */
		seed_vector(v);
		for (int k = 1 + (int)pick(4); k > 0; k--) {
			int i = (int)pick((unsigned)v->n);

			switch (pick(5)) {
			case 0: /* insert */
				if (v->n < MAX_TOKENS - 1) {
					int at = 1 + (int)pick((unsigned)v->n);

					memmove(v->tok[at + 1], v->tok[at],
						(size_t)(v->n - at) * TOKEN_LEN);
					random_token(v->tok[at]);
					v->n++;
				}
				break;
			case 1: /* delete */
				if (v->n > 1 && i > 0) {
					memmove(v->tok[i], v->tok[i + 1],
						(size_t)(v->n - i - 1) * TOKEN_LEN);
					v->n--;
				}
				break;
			case 2: /* replace */
				if (i > 0)
					random_token(v->tok[i]);
				break;
			default: /* mutate */
				mutate_token(v->tok[i]);
				break;
			}
		}
	}
	/* Most cases on a synthetic topology (hwloc reads it at once; the
	 * machine's takes tens of ms), some bad ones among them. */
	v->topology = pick(10) == 0 ? NULL : PICK(topologies);
	if (v->topology && !*v->topology && pick(2))
		v->topology = NULL;
}

/* Printable form of a vector, for a failure report. */
static void show_vector(const struct vec *v, bool dry, char *buf, size_t n)
{
	size_t o = (size_t)snprintf(buf, n, "%s%s%sptbench", v->topology ? "HWLOC_SYNTHETIC='" : "",
				    v->topology ? v->topology : "", v->topology ? "' " : "");

	for (int i = 0; i < v->n && o + 16 < n; i++) {
		o += (size_t)snprintf(buf + o, n - o, " '");
		for (const unsigned char *p = (const unsigned char *)v->tok[i]; *p && o + 16 < n;
		     p++) {
			bool plain = *p >= 0x20 && *p < 0x7f && *p != '\'';

			o += (size_t)snprintf(buf + o, n - o, plain ? "%c" : "\\x%02x", *p);
		}
		o += (size_t)snprintf(buf + o, n - o, "'");
		if (i == 0 && dry)
			o += (size_t)snprintf(buf + o, n - o, " --dry-run");
	}
}

struct job {
	pid_t pid;
	int errfd;
	double deadline;
	char err[2048];
	size_t errlen;
	char shown[4096];
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Starts the binary on @v in @cwd: a vector that would run is forced to a
 * dry run ("--dry-run" right after "run", where no option can take it as
 * its value and before any "--"). */
static void start(struct job *j, const struct vec *v, const char *cwd)
{
	const char *argv[MAX_TOKENS + 3];
	bool dry = strcmp(v->tok[0], "run") == 0;
	int k = 0, efd[2];

	argv[k++] = "ptbench";
	for (int i = 0; i < v->n; i++) {
		argv[k++] = v->tok[i];
		if (i == 0 && dry)
			argv[k++] = "--dry-run";
	}
	argv[k] = NULL;
	show_vector(v, dry, j->shown, sizeof(j->shown));
	cr_assert_eq(pipe2(efd, O_CLOEXEC), 0);
	/* posix_spawn: no copy of this (maybe sanitizer-sized) address space. */
	{
		extern char **environ;
		posix_spawn_file_actions_t fa;
		char *envp[512], topo[256];
		int ne = 0, ret;

		for (char **e = environ; *e && ne < 510; e++)
			if (strncmp(*e, "HWLOC_SYNTHETIC=", 16) != 0)
				envp[ne++] = *e;
		if (v->topology) {
			snprintf(topo, sizeof(topo), "HWLOC_SYNTHETIC=%s", v->topology);
			envp[ne++] = topo;
		}
		envp[ne] = NULL;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_adddup2(&fa, efd[1], 2);
		posix_spawn_file_actions_addchdir_np(&fa, cwd);
		ret = posix_spawn(&j->pid, pt_test_bin(), &fa, NULL, (char *const *)(uintptr_t)argv,
				  envp);
		posix_spawn_file_actions_destroy(&fa);
		cr_assert_eq(ret, 0, "posix_spawn %s: %s", pt_test_bin(), strerror(ret));
	}
	close(efd[1]);
	j->errfd = efd[0];
	fcntl(j->errfd, F_SETFL, O_NONBLOCK);
	j->errlen = 0;
	j->err[0] = '\0';
	j->deadline = now_ms() + EXEC_TIMEOUT_MS;
}

/* Reads what is there of stderr (keeping the start), without blocking. */
static void drain(struct job *j)
{
	char sink[4096];
	ssize_t n;

	for (;;) {
		if (j->errlen + 1 < sizeof(j->err))
			n = read(j->errfd, j->err + j->errlen, sizeof(j->err) - 1 - j->errlen);
		else
			n = read(j->errfd, sink, sizeof(sink));
		if (n <= 0)
			break;
		if (j->errlen + 1 < sizeof(j->err))
			j->errlen += (size_t)n;
	}
	j->err[j->errlen] = '\0';
}

/* Collects job @j if it ended (or hung): true when it is done. */
static bool finish(struct job *j, int *count_by_status)
{
	int st;
	pid_t r;

	drain(j);
	r = waitpid(j->pid, &st, WNOHANG);
	if (r == 0 && now_ms() < j->deadline)
		return false;
	if (r == 0) {
		kill(j->pid, SIGKILL);
		waitpid(j->pid, &st, 0);
		close(j->errfd);
		cr_assert(false, "hang (killed after %d ms): %s", EXEC_TIMEOUT_MS, j->shown);
	}
	drain(j);
	close(j->errfd);
	cr_assert(WIFEXITED(st), "killed by signal %d (%s): %s\nstderr: %s", WTERMSIG(st),
		  strsignal(WTERMSIG(st)), j->shown, j->err);
	st = WEXITSTATUS(st);
	cr_assert(st <= 2, "exit status %d: %s\nstderr: %s", st, j->shown, j->err);
	/* A refusal names what it refuses: there is a message. */
	cr_assert(st == 0 || j->errlen > 0, "exit %d without a message: %s", st, j->shown);
	count_by_status[st]++;
	return true;
}

static long env_long(const char *name, long def)
{
	const char *s = getenv(name);

	return s && *s ? strtol(s, NULL, 0) : def;
}

Test(fuzz, command_line, .timeout = 300)
{
	struct vec *v = malloc(sizeof(*v));
	struct job *jobs = calloc(PARALLEL, sizeof(*jobs));
	bool busy[PARALLEL] = { false };
	char *cwd = pt_test_tmpdir();
	long cases = env_long("PT_FUZZ_CASES", FUZZ_CASES);
	uint64_t seed = (uint64_t)env_long("PT_FUZZ_SEED", (long)(FUZZ_SEED >> 1));
	int by_status[3] = { 0 }, started = 0, done = 0;
	double t0 = now_ms();
	DIR *d;
	struct dirent *e;

	cr_assert(v && jobs && cwd);
	rng_state = seed;
	while (done < cases) {
		for (int i = 0; i < PARALLEL; i++) {
			if (busy[i] && finish(&jobs[i], by_status)) {
				busy[i] = false;
				done++;
			}
			if (!busy[i] && started < cases) {
				make_vector(v);
				start(&jobs[i], v, cwd);
				busy[i] = true;
				started++;
			}
		}
		usleep(200);
	}
	fprintf(stderr,
		"fuzz: %d argument vectors (seed %#llx) in %.1f s: %d exit 0, %d exit 1, %d exit 2\n",
		done, (unsigned long long)seed, (now_ms() - t0) / 1e3, by_status[0], by_status[1],
		by_status[2]);
	/* Every path was exercised: accepted plans and refusals. */
	cr_assert(by_status[0] > 0 && by_status[2] > 0);
	/* A dry run, a refusal, list, topo: none writes a file. */
	d = opendir(cwd);
	cr_assert(d);
	while ((e = readdir(d)))
		cr_assert(strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0,
			  "the fuzzed runs left '%s' behind", e->d_name);
	closedir(d);
	pt_test_rmdir(cwd);
	free(cwd);
	free(jobs);
	free(v);
}
