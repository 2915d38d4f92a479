// SPDX-License-Identifier: MIT
// Runner of the Criterion stand-in (ThreadSanitizer build only): each test
// in a fork()ed child with its timeout, as Criterion does; --filter GLOB
// on "suite/name"; a closing "N passed, N failed, N skipped" line.
#include <criterion/criterion.h>

#include <errno.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXIT_EXPECT_FAILED 3
#define EXIT_SKIPPED 77

static struct crshim_test *head, **tail = &head;
static int expect_failures;

void crshim_register(struct crshim_test *t)
{
	*tail = t;
	tail = &t->next;
}

void crshim_fail(bool fatal, const char *file, int line, const char *expr, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: %s failed: %s\n   ", file, line, fatal ? "assertion" : "expectation",
		expr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (fatal)
		_exit(1);
	expect_failures++;
}

void crshim_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	_exit(EXIT_SKIPPED);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *filter = NULL;
	int passed = 0, failed = 0, skipped = 0;

	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--filter=", 9) == 0)
			filter = argv[i] + 9;
		else if (strcmp(argv[i], "--filter") == 0 && i + 1 < argc)
			filter = argv[++i];
		/* Criterion's other options (--jobs N, --verbose) do not apply. */
		else if (strcmp(argv[i], "--jobs") == 0 || strcmp(argv[i], "-j") == 0)
			i++;
	}
	for (struct crshim_test *t = head; t; t = t->next) {
		char full[256];
		double t0 = now_s(), limit = t->timeout > 0 ? t->timeout : 60;
		int st = 0;
		pid_t pid;

		snprintf(full, sizeof(full), "%s/%s", t->suite, t->name);
		if (filter && fnmatch(filter, full, 0) != 0)
			continue;
		if (t->disabled) {
			skipped++;
			continue;
		}
		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			perror("fork");
			return 2;
		}
		if (pid == 0) {
			/* A hung test is killed by its timeout, as under Criterion. */
			alarm((unsigned)limit + 1);
			t->fn();
			_exit(expect_failures ? EXIT_EXPECT_FAILED : 0);
		}
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
			passed++;
			fprintf(stderr, "[PASS] %s::%s (%.2fs)\n", t->suite, t->name, now_s() - t0);
		} else if (WIFEXITED(st) && WEXITSTATUS(st) == EXIT_SKIPPED) {
			skipped++;
			fprintf(stderr, "[SKIP] %s::%s\n", t->suite, t->name);
		} else {
			failed++;
			if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)
				fprintf(stderr, "[FAIL] %s::%s: timed out after %.0fs\n", t->suite,
					t->name, limit);
			else if (WIFSIGNALED(st))
				fprintf(stderr, "[FAIL] %s::%s: crashed (%s)\n", t->suite, t->name,
					strsignal(WTERMSIG(st)));
			else
				fprintf(stderr, "[FAIL] %s::%s (exit %d)\n", t->suite, t->name,
					WEXITSTATUS(st));
		}
	}
	fflush(NULL);
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
