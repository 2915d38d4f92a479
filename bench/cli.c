// SPDX-License-Identifier: MIT
// The ptbench program: `list`, `run` (options -> suite -> plan -> run ->
// results) and `topo` (the machine and placement plans).
#include "cli.h"

#include "budget.h"
#include "compare.h"
#include "figure.h"
#include "error.h"
#include "meta.h"
#include "options.h"
#include "plan.h"
#include "report.h"
#include "run.h"
#include "schedule.h"
#include "suggest.h"
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
	fputs("usage: ptbench COMMAND [options]    ('ptbench COMMAND --help': its own help)\n"
	      "\n"
	      "Runs the same workloads under serial, free threads, fork()ed processes and\n"
	      "threads under a simulated GIL (standard CPython's), and writes what they cost.\n"
	      "\n"
	      "commands:\n"
	      "  list [WORKLOAD]         workloads and models; a workload's parameters,\n"
	      "                          defaults and what one op is\n"
	      "  run [options]           run points, write results/<stamp>-<host>/\n"
	      "  report [DIR]            draw DIR's report (default results/latest)\n"
	      "  compare A B [C ...]     compare runs point by point (decision rule)\n"
	      "  topo [-n LIST] [-b P]   the machine and placement plans\n"
	      "  budget [SEC]            how make bench splits its time budget\n"
	      "  --help, --version\n"
	      "\n"
	      "a 30-second question: CPU-bound work, processes or threads under the GIL?\n"
	      "  ptbench run -w countdown -m gil,procs -n 2 --budget 30\n"
	      "  ptbench report\n",
	      f);
}

static void run_usage(FILE *f)
{
	fputs("usage: ptbench run [options]\n"
	      "\n"
	      "Runs each point (workload x model x workers x placement x parameters) in a\n"
	      "child process, writes results.csv, summary.csv and meta.json, and prints a\n"
	      "table and closing lines.\n"
	      "\n",
	      f);
	pt_opts_usage(f);
	fputs("\n"
	      "the table (one row a point, within the terminal's width):\n"
	      "  median       the figure a point is judged by, with its unit: time per op\n"
	      "               (ns/op, us/trip, ...) or ops per second where throughput is\n"
	      "               the point (msg/s, ...); wall time for a workload counting no\n"
	      "               ops. 'ptbench list WORKLOAD' says what one op is\n"
	      "  ±ci          half the 95% confidence interval of that median, in % of it\n"
	      "  cv           the coefficient of variation of the same figure across the\n"
	      "               repetitions, in % (both spreads are of the median's figure)\n"
	      "  vs ref       this model's speed over its reference's, same workload,\n"
	      "               workers and parameters (gil against serial, others against\n"
	      "               gil); >1: faster\n"
	      "  lat p50/p99  latency percentiles, for workloads whose point they are\n"
	      "  noisy        cv above 5%\n"
	      "closing lines, by the decision rule: 'X is N× faster than Y [lo–hi]' only\n"
	      "when the 95% interval of the speed ratio lies outside the band (--band),\n"
	      "'tie' when inside it, 'undecided' otherwise.\n"
	      "\n"
	      "exit status: 0 all points ok, 1 some point failed, 2 bad usage,\n"
	      "130 interrupted (143 terminated, 129 hung up)\n",
	      f);
}

static void list_usage(FILE *f)
{
	fputs("usage: ptbench list [WORKLOAD]\n"
	      "\n"
	      "Without WORKLOAD: every workload (name, kind, summary, parameters with\n"
	      "defaults) and every model. With it: that workload's parameters and\n"
	      "defaults, what one op is, the figure the table shows, the models it runs\n"
	      "under and how the default suite runs it.\n",
	      f);
}

static void topo_usage(FILE *f)
{
	fputs("usage: ptbench topo [-n LIST] [-b none|compact|scatter]\n"
	      "\n"
	      "The machine's topology (hwloc; HWLOC_SYNTHETIC for a made-up one) and where\n"
	      "each worker count of -n (default auto) would be placed under -b (default\n"
	      "compact).\n",
	      f);
}

static void budget_usage(FILE *f)
{
	fputs("usage: ptbench budget [--no-calibration] [SEC]\n"
	      "\n"
	      "How make bench splits its time budget of SEC seconds (default: this\n"
	      "machine's, 180 s on 2 processing units, growing with log2 of them) between\n"
	      "the suite, the CPython calibration, the report and some slack, as\n"
	      "key=value lines (make bench BUDGET=SEC uses it). --no-calibration: none.\n",
	      f);
}

/* --- list --- */

static void list_param(const struct pt_param_def *d)
{
	char spec[160];

	if (d->type == PT_PARAM_ENUM)
		snprintf(spec, sizeof(spec), "%s=%s (%s)", d->name, d->def, d->choices);
	else
		snprintf(spec, sizeof(spec), "%s=%s", d->name, d->def);
	printf("      -p %-28s %s%s%s\n", spec, d->help, d->quick ? "; --quick: " : "",
	       d->quick ? d->quick : "");
}

static int list_all(void)
{
	printf("workloads:\n");
	pt_for_each_workload(pp) {
		const struct pt_workload *wl = *pp;

		printf("  %-10s %-9s %s\n", wl->name, pt_kind_name(wl->kind), wl->summary);
		for (const struct pt_param_def *d = wl->params; d && d->name; d++)
			list_param(d);
	}
	printf("models:\n");
	for (int m = 0; m < PT_MODEL_COUNT; m++) {
		const char *name = pt_model_name((enum pt_model)m);

		printf("  %-10s %s: %s\n", name, pt_model_long(name),
		       pt_model_summary((enum pt_model)m));
	}
	printf("'ptbench list WORKLOAD': its parameters and what one op is.\n");
	return PT_EXIT_OK;
}

static const char *const fig_names[] = {
	[PT_FIG_PER_OP] = "time per op",
	[PT_FIG_RATE] = "ops per second",
	[PT_FIG_LATENCY] = "time per op, with the latency p50/p99",
};

static void list_models(const struct pt_workload *wl)
{
	printf("models:    ");
	for (int m = 0, k = 0; m < PT_MODEL_COUNT; m++)
		if (wl->models & PT_MODEL_BIT(m))
			printf("%s%s", k++ ? ", " : "", pt_model_name((enum pt_model)m));
	if (wl->min_workers > 1)
		printf("; at least %d workers", wl->min_workers);
	printf("\n");
	if (wl->skip_why)
		printf("           (%s)\n", wl->skip_why);
}

static int list_one(const char *name)
{
	const struct pt_workload *wl = pt_workload_find(name);
	const struct pt_figure *fig;
	const char *names[PT_MAX_LIST];
	char err[1024];
	int n = 0, pad;

	if (!wl) {
		pt_for_each_workload(pp)
			if (n < PT_MAX_LIST)
				names[n++] = (*pp)->name;
		snprintf(err, sizeof(err), "list: unknown workload '%s'", name);
		pt_suggest_append(err, sizeof(err), name, names, n);
		return pt_usage_error("%s", err);
	}
	fig = pt_figure_of(wl);
	printf("%s (%s): %s\n", wl->name, pt_kind_name(wl->kind), wl->summary);
	pad = 6 - (int)strlen(fig->unit);
	printf("one %s:%*s%s\n", fig->unit, pad > 1 ? pad : 1, "", fig->op);
	printf("figure:    %s (the table's median)%s\n", fig_names[fig->kind],
	       wl->fixed_time ? "; runs for a fixed time" : "");
	list_models(wl);
	if (wl->size)
		printf("size:      -p %s is sized by pilots to the repetition's target time "
		       "unless given\n", wl->size);
	printf("parameters:\n");
	for (const struct pt_param_def *d = wl->params; d && d->name; d++)
		list_param(d);
	for (const struct pt_metric_def *m = wl->metrics; m && m->name; m++)
		printf("%s  %-12s %s\n", m == wl->metrics ? "columns:\n" : "", m->name, m->help);
	printf("default suite: -n %s%s%s%s%s\n", wl->suite.workers ? wl->suite.workers : "auto",
	       wl->suite.sweep ? ", sweeps " : "", wl->suite.sweep ? wl->suite.sweep : "",
	       wl->suite.models ? ", models " : "", wl->suite.models ? wl->suite.models : "");
	printf("example:   ptbench run -w %s -m gil,procs -n 2\n", wl->name);
	return PT_EXIT_OK;
}

static int cmd_list(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		list_usage(stdout);
		return PT_EXIT_OK;
	}
	if (argc > 2)
		return pt_usage_error("list: at most one workload, got '%s' too", argv[2]);
	return argc == 2 ? list_one(argv[1]) : list_all();
}

/* --- topo --- */

static int cmd_topo(int argc, char **argv, const struct pt_topo *topo)
{
	const char *nlist = "auto";
	enum pt_bind bind = PT_BIND_COMPACT;
	int workers[PT_MAX_LIST], n = 0, c;
	char err[256];

	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		topo_usage(stdout);
		return PT_EXIT_OK;
	}
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
			topo_usage(stdout);
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
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			budget_usage(stdout);
			return PT_EXIT_OK;
		}
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
		return pt_usage_error("budget: %g s leaves nothing for the suite (the report alone "
				      "takes 5 s)", total);
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
		run_usage(stdout);
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
	/* A bad option's hint names this command's own --help. */
	pt_usage_command = cmd;
	if (strcmp(cmd, "list") == 0)
		return cmd_list(argc - 1, argv + 1);
	if (strcmp(cmd, "report") == 0)
		return pt_cmd_report(argc - 1, argv + 1);
	if (strcmp(cmd, "compare") == 0)
		return pt_compare_main(argc - 1, argv + 1);
	if (strcmp(cmd, "run") != 0 && strcmp(cmd, "topo") != 0 && strcmp(cmd, "budget") != 0) {
		static const char *const cmds[] = { "list",    "run",	 "topo",
						    "report", "compare", "budget" };
		char err[512];

		snprintf(err, sizeof(err), "unknown command '%s'", cmd);
		pt_suggest_append(err, sizeof(err), cmd, cmds, 6);
		pt_usage_command = NULL;
		return pt_usage_error("%s", err);
	}
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
