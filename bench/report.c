// SPDX-License-Identifier: MIT
// `ptbench report [DIR]`: draws a run's report from any directory. The
// report layer is Python (scripts/ptreport); it is found from this
// binary's location (build/ptbench, or a build directory below it), or
// from $PTBENCH_SCRIPTS, and prints absolute paths itself.
#include "report.h"

#include "error.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PT_REPORT_MAIN "ptreport/__main__.py"

static int is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The report layer's entry point into @out: $PTBENCH_SCRIPTS/ptreport, else
 * the scripts/ folder of the first of the binary's 4 nearest ancestors that
 * has one (build/ptbench, build/san-thread/ptbench, ...). */
static int find_main(char *out, size_t len)
{
	const char *env = getenv("PTBENCH_SCRIPTS");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		if ((size_t)snprintf(out, len, "%s/%s", env, PT_REPORT_MAIN) < len && is_file(out))
			return 0;
		pt_err("PTBENCH_SCRIPTS: no %s in '%s'", PT_REPORT_MAIN, env);
		return -ENOENT;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0) {
		pt_err("cannot find this program's location: %s", strerror(errno));
		return -errno;
	}
	exe[n] = '\0';
	for (int up = 0; up < 4; up++) {
		char *slash = strrchr(exe, '/');

		if (!slash || slash == exe)
			break;
		*slash = '\0';
		if ((size_t)snprintf(out, len, "%s/scripts/%s", exe, PT_REPORT_MAIN) < len &&
		    is_file(out))
			return 0;
	}
	pt_err("cannot find scripts/%s above this program; set PTBENCH_SCRIPTS", PT_REPORT_MAIN);
	return -ENOENT;
}

int pt_cmd_report(int argc, char **argv)
{
	char main_py[PATH_MAX];
	char *args[4];

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		fputs("usage: ptbench report [DIR]\n"
		      "\n"
		      "Draws the report of the run in DIR (default: results/latest of the\n"
		      "current directory, else of the ptbench checkout): DIR/report.html,\n"
		      "report.md and the plot-*.svg, and prints their absolute paths. Works\n"
		      "from any directory (the report layer is scripts/ptreport, found from\n"
		      "this program's location or $PTBENCH_SCRIPTS). Needs python3 and gnuplot.\n",
		      stdout);
		return PT_EXIT_OK;
	}
	if (argc > 2)
		return pt_usage_error("report: at most one directory, got '%s' too", argv[2]);
	if (find_main(main_py, sizeof(main_py)))
		return PT_EXIT_USAGE;
	args[0] = (char *)"python3";
	args[1] = main_py;
	args[2] = (char *)"report";
	args[3] = NULL;
	if (argc == 2) {
		char *full[5] = { args[0], args[1], args[2], argv[1], NULL };

		execvp("python3", full);
	} else {
		execvp("python3", args);
	}
	pt_err("cannot run python3: %s", strerror(errno));
	return PT_EXIT_USAGE;
}
