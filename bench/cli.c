// SPDX-License-Identifier: MIT
// The ptbench program: `list`, `run` (options -> suite -> plan -> run ->
// results) and `topo` (the machine and placement plans).
#include "cli.h"

#include "budget.h"
#include "compare.h"
#include "error.h"
#include "meta.h"
#include "options.h"
#include "plan.h"
#include "report.h"
#include "run.h"
#include "schedule.h"
#include "suite.h"
#include "table.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gitrev.h"

static void print_version(void)
{
	printf("ptbench %s (%s)\n", PT_VERSION, PT_GIT_REV);
}

static void usage(FILE *f)
{
	fputs("usage: ptbench list\n"
	      "       ptbench run [options]\n"
	      "       ptbench topo [-n LIST] [-b POLICY]\n"
	      "       ptbench report [DIR]      draw DIR's report (default results/latest)\n"
	      "       ptbench compare [-o DIR] [--band PCT] A B [C ...]\n"
	      "       ptbench budget [--no-calibration] [SEC]\n"
	      "       ptbench --help | --version\n"
	      "\n"
	      "Runs the same workloads under serial, threads, fork()ed processes and\n"
	      "threads under a simulated GIL, and writes what they cost.\n"
	      "\n",
	      f);
	pt_opts_usage(f);
	fputs("\n"
	      "exit status: 0 all points ok, 1 some point failed, 2 bad usage,\n"
	      "130 interrupted (143 terminated, 129 hung up)\n",
	      f);
}

/* --- list --- */

static int cmd_list(void)
{
	printf("workloads:\n");
	pt_for_each_workload(pp) {
		const struct pt_workload *wl = *pp;

		printf("  %-10s %-9s %s\n", wl->name, pt_kind_name(wl->kind), wl->summary);
		for (const struct pt_param_def *d = wl->params; d && d->name; d++) {
			char spec[160];

			if (d->type == PT_PARAM_ENUM)
				snprintf(spec, sizeof(spec), "%s=%s (%s)", d->name, d->def, d->choices);
			else
				snprintf(spec, sizeof(spec), "%s=%s", d->name, d->def);
			printf("      -p %-28s %s%s%s\n", spec, d->help, d->quick ? "; --quick: " : "",
			       d->quick ? d->quick : "");
		}
	}
	printf("models:\n");
	for (int m = 0; m < PT_MODEL_COUNT; m++)
		printf("  %-10s %s\n", pt_model_name((enum pt_model)m),
		       pt_model_summary((enum pt_model)m));
	return PT_EXIT_OK;
}

/* --- topo --- */

static int cmd_topo(int argc, char **argv, const struct pt_topo *topo)
{
	const char *nlist = "auto";
	enum pt_bind bind = PT_BIND_COMPACT;
	int workers[PT_MAX_LIST], n = 0, c;
	char err[256];

	optind = 1;
	opterr = 0;
	while ((c = getopt(argc, argv, ":n:b:h")) != -1) {
		switch (c) {
		case 'n':
			nlist = optarg;
			break;
		case 'b':
			if (pt_bind_parse(optarg, &bind))
				return pt_usage_error("-b: unknown placement '%s' (none, compact, "
						      "scatter)", optarg);
			break;
		case 'h':
			usage(stdout);
			return PT_EXIT_OK;
		case ':':
			return pt_usage_error("option '-%c' needs a value", optopt);
		default:
			return pt_usage_error("unknown option '-%c'", optopt);
		}
	}
	if (optind < argc)
		return pt_usage_error("unexpected argument '%s'", argv[optind]);
	if (pt_parse_workers(nlist, topo, workers, PT_MAX_LIST, &n, err, sizeof(err)))
		return pt_usage_error("-n: %s", err);
	pt_topo_describe(topo, stdout);
	for (int i = 0; i < n; i++) {
		printf("# %d worker%s, %s\n", workers[i], workers[i] > 1 ? "s" : "",
		       pt_bind_name(bind));
		pt_topo_print_plan(topo, bind, workers[i], stdout);
	}
	return PT_EXIT_OK;
}

/* --- run --- */

static int dry_run(const struct pt_opts *o, const struct pt_plan *plan,
		   const struct pt_topo *topo)
{
	struct pt_sched_cfg cfg;
	struct pt_budget_split split;

	pt_print_plan(stdout, plan);
	pt_sched_config(o, plan, &cfg);
	pt_sched_print_budget(stdout, plan, &cfg);
	if (o->suite && !(o->budget_s > 0) &&
	    pt_budget_split(pt_suite_budget_s(topo->npus), true, &split) == 0)
		printf("make bench on %d PUs: %.0f s in all: this suite %.0f s, calibration "
		       "%.0f s, report %.0f s, slack %.0f s\n",
		       topo->npus, split.total_s, split.suite_s, split.calibration_s,
		       split.report_s, split.slack_s);
	return PT_EXIT_OK;
}

/* `ptbench budget [--no-calibration] [SEC]`: how make bench splits its
 * budget (default: this machine's), as key=value lines for scripts. */
static int cmd_budget(int argc, char **argv, const struct pt_topo *topo)
{
	struct pt_budget_split split;
	bool calibration = true;
	double total = pt_suite_budget_s(topo->npus);
	char *end;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-calibration") == 0) {
			calibration = false;
			continue;
		}
		errno = 0;
		total = argv[i][0] >= '0' && argv[i][0] <= '9' ? strtod(argv[i], &end) : NAN;
		if (errno || !isfinite(total) || *end || total <= 0 || total > 30 * 86400.0)
			return pt_usage_error("budget: '%s' is not a number of seconds", argv[i]);
	}
	if (pt_budget_split(total, calibration, &split))
		return pt_usage_error("budget: %.0f s leaves nothing for the suite", total);
	printf("total_s=%.0f\nsuite_s=%.0f\ncalibration_s=%.0f\nreport_s=%.0f\nslack_s=%.0f\n",
	       split.total_s, split.suite_s, split.calibration_s, split.report_s, split.slack_s);
	return PT_EXIT_OK;
}

/* The pipeline: options -> suite -> plan -> run (-> results). */
static int cmd_run(int argc, char **argv, const struct pt_topo *topo, int full_argc,
		   char **full_argv)
{
	struct pt_opts o;
	struct pt_spec spec = { 0 };
	struct pt_plan plan = { 0 };
	char err[1024];
	int ret, status;

	pt_opts_defaults(&o);
	switch (pt_opts_parse(&o, argc, argv, topo, err, sizeof(err))) {
	case PT_PARSE_HELP:
		usage(stdout);
		status = PT_EXIT_OK;
		goto out;
	case PT_PARSE_VERSION:
		print_version();
		status = PT_EXIT_OK;
		goto out;
	case PT_PARSE_ERROR:
		status = pt_usage_error("%s", err);
		goto out;
	case PT_PARSE_RUN:
		break;
	}
	if ((ret = pt_suite_resolve(&o, topo, &spec, err, sizeof(err))) != 0 ||
	    (ret = pt_plan_build(&plan, &spec, err, sizeof(err))) != 0) {
		status = ret == -EINVAL ? pt_usage_error("%s", err) : (pt_err("%s", err), 1);
		goto out;
	}
	status = o.dry_run ? dry_run(&o, &plan, topo) : pt_run(&o, &plan, topo, full_argc, full_argv);
out:
	pt_plan_free(&plan);
	pt_spec_free(&spec);
	pt_opts_free(&o);
	return status;
}

/* --- the program --- */

/* Longest argument accepted: a path (PATH_MAX) is the longest sensible one. */
#define PT_MAX_ARG_LEN (PATH_MAX - 1)

/* Every argument is text that results.csv and meta.json can hold: UTF-8
 * (JSON strings are), no control characters, not absurdly long. */
static int check_args(int argc, char **argv)
{
	char buf[320];

	for (int i = 1; i < argc; i++) {
		const unsigned char *p = (const unsigned char *)argv[i];
		size_t len = strlen(argv[i]), k;

		if (len > PT_MAX_ARG_LEN)
			return pt_usage_error("argument %d ('%s') is too long: %zu bytes (at most "
					      "%d)", i, pt_shown(argv[i], 60, buf, sizeof(buf)),
					      len, PT_MAX_ARG_LEN);
		for (; *p; p += k) {
			k = pt_utf8_len(p);
			if (k == 0)
				return pt_usage_error("argument %d ('%s') is not valid UTF-8", i,
						      pt_shown(argv[i], 60, buf, sizeof(buf)));
			if (*p < 0x20 || *p == 0x7f)
				return pt_usage_error("argument %d ('%s') holds a control character",
						      i, pt_shown(argv[i], 60, buf, sizeof(buf)));
		}
	}
	return 0;
}

/* A closed standard descriptor would be reused by the next open(): results
 * would then be written to it, and the table and warnings into results.csv. */
static void std_fds_open(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
			int nfd = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);

			if (nfd >= 0 && nfd != fd) {
				dup2(nfd, fd);
				close(nfd);
			}
		}
	}
}

/* The commands that need no topology (help, version, list, report,
 * compare): their exit status; -1 for `run`, `topo` and `budget`. */
static int simple_command(int argc, char **argv)
{
	const char *cmd = argv[1];

	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return PT_EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		print_version();
		return PT_EXIT_OK;
	}
	if (strcmp(cmd, "list") == 0)
		return argc > 2 ? pt_usage_error("list: unexpected argument '%s'", argv[2])
				: cmd_list();
	if (strcmp(cmd, "report") == 0)
		return pt_cmd_report(argc - 1, argv + 1);
	if (strcmp(cmd, "compare") == 0)
		return pt_compare_main(argc - 1, argv + 1);
	if (strcmp(cmd, "run") != 0 && strcmp(cmd, "topo") != 0 && strcmp(cmd, "budget") != 0)
		return pt_usage_error("unknown command '%s' (list, run, topo, report, compare, "
				      "budget)", cmd);
	return -1;
}

int pt_main(int argc, char **argv)
{
	struct pt_topo topo;
	int ret, status;

	std_fds_open();
	if ((status = check_args(argc, argv)) != 0)
		return status;
	if (argc < 2) {
		usage(stderr);
		return PT_EXIT_USAGE;
	}
	if ((status = simple_command(argc, argv)) >= 0)
		return status;
	ret = pt_topo_init(&topo);
	if (ret == -EINVAL)
		return pt_usage_error("HWLOC_SYNTHETIC: bad topology description '%s'",
				      getenv("HWLOC_SYNTHETIC"));
	if (ret) {
		pt_err("cannot read the machine's topology: %s", strerror(-ret));
		return PT_EXIT_FAILED;
	}
	if (strcmp(argv[1], "topo") == 0)
		status = cmd_topo(argc - 1, argv + 1, &topo);
	else if (strcmp(argv[1], "budget") == 0)
		status = cmd_budget(argc - 1, argv + 1, &topo);
	else
		status = cmd_run(argc - 1, argv + 1, &topo, argc, argv);
	pt_topo_destroy(&topo);
	return status;
}
