// SPDX-License-Identifier: MIT
// What the terminal shows a user: the table within 80 and 160 columns,
// the closing lines' wording from a fixture summary, did you mean, each
// command's own help, `list WORKLOAD`, and absolute paths.
#include "helpers.h"

#include "csv.h"
#include "figure.h"
#include "suggest.h"
#include "table.h"
#include "term.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define ARGV(...) ((const char *const[]){ "ptbench", __VA_ARGS__, NULL })

/* The longest line of @text in display columns (UTF-8), but for the last
 * two (the results directory and the report command: a path is as long as
 * it is, and stays whole so that it can be pasted). */
static int widest_line(const char *text, char *which, size_t n)
{
	int widest = 0;

	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n");
		char line[4096];
		int w;

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		w = strncmp(line, "results: /", 10) && strncmp(line, "next:    /", 10) ?
			    pt_text_cols(line) : 0;
		if (w > widest) {
			widest = w;
			snprintf(which, n, "%s", line);
		}
		p += len + (p[len] == '\n');
	}
	return widest;
}

/* A quick run at @columns: no line of its table wider than that. */
static void table_fits(const char *columns, int width)
{
	struct pt_cmd_out *o = malloc(sizeof(*o));
	char *dir = pt_test_tmpdir(), out[512], env0[32], which[4096];
	const char *env[] = { env0, NULL };

	snprintf(out, sizeof(out), "%s/run", dir);
	snprintf(env0, sizeof(env0), "COLUMNS=%s", columns);
	pt_test_exec(ARGV("run", "-w", "countdown,sleep", "-m", "serial,gil,procs", "-n", "2",
			  "--quick", "-r", "3", "--warmup", "0", "--cpu-neighbours", "1", "-p",
			  "count=100000,200000", "-p", "ms=1", "-o", out),
		     env, 240, o);
	cr_assert_eq(o->status, 0, "exit %d: %s", o->status, o->err);
	cr_assert(strstr(o->out, "median") && strstr(o->out, "±ci"), "%s", o->out);
	cr_assert(strstr(o->out, "ns/op") && strstr(o->out, "ms/sleep"),
		  "no natural figures with units: %s", o->out);
	cr_assert(strstr(o->out, "cpu-neighbours=1"), "neighbours not shown: %s", o->out);
	cr_assert(strstr(o->out, "gil = threads under the"), "Python's terms: %s", o->out);
	cr_assert(strstr(o->out, "one op = one decrement"), "what an op is: %s", o->out);
	cr_assert_leq(widest_line(o->out, which, sizeof(which)), width,
		      "at %s columns this line is wider: '%s'", columns, which);
	free(o);
	pt_test_rmdir(dir);
}

Test(terminal, table_fits_80_columns, .timeout = 300)
{
	table_fits("80", 80);
}

Test(terminal, table_fits_160_columns, .timeout = 300)
{
	table_fits("160", 160);
}

Test(terminal, width_from_columns_else_80)
{
	FILE *f = tmpfile();

	cr_assert(f);
	setenv("COLUMNS", "132", 1);
	cr_assert_eq(pt_term_width(f), 132);
	setenv("COLUMNS", "wide", 1);
	cr_assert_eq(pt_term_width(f), 80, "not a number, not a terminal: 80");
	unsetenv("COLUMNS");
	cr_assert_eq(pt_term_width(f), 80, "not a terminal: 80");
	fclose(f);
}

Test(terminal, wrap_within_width)
{
	const char *s = "count=100000 interval=5000us cpu-neighbours=1 bind=scatter", *next;
	int lines = 0;

	for (size_t len; (len = pt_wrap_line(s, 16, &next)) > 0; s = next, lines++) {
		cr_assert_leq(len, 16, "'%.*s'", (int)len, s);
		cr_assert(s[0] != ' ' && s[len - 1] != ' ');
	}
	cr_assert_eq(lines, 4);
	cr_assert_eq(pt_wrap_line("averyveryverylongword", 5, &next), 5, "a long word is cut");
}

/* A message keeps a word wider than the line whole (a path to paste) and
 * indents its continuation lines. */
Test(terminal, message_wraps_but_keeps_words, .timeout = 10)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	int lines = 0;

	cr_assert_not_null(f);
	pt_put_message(f, "ptbench: warning: cannot write /a/very/long/path/to/somewhere/else.csv "
			  "and more words after it", 24, 2);
	cr_assert_eq(fclose(f), 0);
	cr_assert(strstr(buf, "/a/very/long/path/to/somewhere/else.csv\n"), "%s", buf);
	for (const char *p = buf; *p; p += strcspn(p, "\n") + 1, lines++) {
		size_t len = strcspn(p, "\n");

		cr_assert(len <= 24 || memchr(p, '/', len), "'%.*s'", (int)len, p);
		if (lines)
			cr_assert(p[0] == ' ' && p[1] == ' ' && p[2] != ' ', "'%.*s'", (int)len, p);
	}
	cr_assert_geq(lines, 4);
	free(buf);
}

/* Warnings and errors on stderr wrap at the terminal's width, as the table
 * does (they ran on as one line); written into a pipe they stay one line a
 * message (for grep and logs). Checked on a pseudo-terminal 60 columns
 * wide, with an error whose list of workloads is longer than that. */
Test(terminal, stderr_wrapped_on_a_terminal, .timeout = 60)
{
	const char *bin = getenv("PTBENCH_BIN");
	struct winsize ws = { .ws_row = 30, .ws_col = 60 };
	char buf[8192], *name;
	size_t got = 0;
	int master, st, lines = 0;
	pid_t pid;

	cr_assert_not_null(bin, "PTBENCH_BIN");
	master = posix_openpt(O_RDWR | O_NOCTTY);
	cr_assert_geq(master, 0);
	cr_assert_eq(grantpt(master), 0);
	cr_assert_eq(unlockpt(master), 0);
	name = ptsname(master);
	cr_assert_not_null(name);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int slave = open(name, O_RDWR);

		if (slave < 0 || ioctl(slave, TIOCSWINSZ, &ws) != 0 || dup2(slave, 2) < 0)
			_exit(99);
		unsetenv("COLUMNS");
		execl(bin, "ptbench", "run", "-w", "countdwn", (char *)NULL);
		_exit(98);
	}
	for (;;) {
		struct pollfd p = { .fd = master, .events = POLLIN };
		ssize_t k;

		if (poll(&p, 1, 30000) <= 0)
			break;
		k = read(master, buf + got, sizeof(buf) - 1 - got);
		if (k <= 0)
			break; /* EIO: the child closed its side */
		got += (size_t)k;
	}
	buf[got] = '\0';
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	close(master);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2, "status %d: %s", st, buf);
	cr_assert(strstr(buf, "countdwn") && strstr(buf, "fault"), "%s", buf);
	for (char *p = buf, *save = NULL, *l; (l = strtok_r(p, "\r\n", &save)); p = NULL) {
		cr_assert_leq(pt_text_cols(l), 60, "wider than the terminal: '%s'", l);
		lines++;
	}
	cr_assert_geq(lines, 3, "%s", buf);
}

/* The verdicts of the fixture summary, and each one's closing line. */
struct fixture {
	struct pt_csv csv;
	struct pt_verdict v[16];
	char what[16][64];
	int n;
};

static void read_fixture(struct fixture *fx)
{
	const char *root = getenv("PTBENCH_ROOT");
	char path[1024], err[256];
	int c_wl, c_n, c_m, c_ref, c_r, c_lo, c_hi, c_dec;

	snprintf(path, sizeof(path), "%s/tests/fixtures/closing/summary.csv", root ? root : ".");
	cr_assert_eq(pt_csv_read(path, &fx->csv, err, sizeof(err)), 0, "%s", err);
	c_wl = pt_csv_col(&fx->csv, "workload");
	c_n = pt_csv_col(&fx->csv, "workers");
	c_m = pt_csv_col(&fx->csv, "model");
	c_ref = pt_csv_col(&fx->csv, "ref_model");
	c_r = pt_csv_col(&fx->csv, "ratio");
	c_lo = pt_csv_col(&fx->csv, "ratio_lo");
	c_hi = pt_csv_col(&fx->csv, "ratio_hi");
	c_dec = pt_csv_col(&fx->csv, "decision");
	cr_assert(c_wl >= 0 && c_n >= 0 && c_m >= 0 && c_ref >= 0 && c_r >= 0 && c_lo >= 0 &&
		  c_hi >= 0 && c_dec >= 0);
	fx->n = 0;
	for (size_t i = 0; i < fx->csv.nrows && fx->n < 16; i++) {
		char **r = fx->csv.rows[i];
		struct pt_verdict *v = &fx->v[fx->n];

		if (!*r[c_ref])
			continue; /* no reference: no closing line */
		snprintf(fx->what[fx->n], sizeof(fx->what[0]), "%s n=%s", r[c_wl], r[c_n]);
		*v = (struct pt_verdict){ fx->what[fx->n], r[c_m], r[c_ref], atof(r[c_r]),
					  atof(r[c_lo]), atof(r[c_hi]), PT_DEC_UNDECIDED };
		cr_assert_eq(pt_decision_parse(r[c_dec], &v->decision), 0, "%s", r[c_dec]);
		fx->n++;
	}
}

Test(terminal, closing_lines_wording, .timeout = 30)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char line[1024];

	read_fixture(fx);
	cr_assert_eq(fx->n, 4);
	pt_closing_line(line, sizeof(line), &fx->v[0], 0.05);
	cr_assert(strstr(line, "gil (GIL threads) against serial undecided: 0.97× "
			       "[0.91–1.03]"), "%s", line);
	cr_assert(!strstr(line, "faster"), "undecided names no winner: %s", line);
	pt_closing_line(line, sizeof(line), &fx->v[1], 0.05);
	cr_assert_str_eq(line, "countdown n=2: procs (processes) is 2.00× faster than gil "
			       "(GIL threads) [1.88–2.12]");
	/* Slower is said the other way round: the faster model first. */
	pt_closing_line(line, sizeof(line), &fx->v[2], 0.05);
	cr_assert(strstr(line, "gil (GIL threads) is 2.00× faster than gil-old (Py2 GIL "
			       "threads) [1.60–2.50]"), "%s", line);
	pt_closing_line(line, sizeof(line), &fx->v[3], 0.05);
	cr_assert(strstr(line, "threads (free threads) and gil (GIL threads) tie: 1.01× "
			       "[0.98–1.03], within ±5%"), "%s", line);
	cr_assert(!strstr(line, "faster"), "a tie names no winner: %s", line);
	pt_csv_free(&fx->csv);
	free(fx);
}

Test(terminal, closing_lines_order_and_width, .timeout = 30)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char *text = NULL, which[4096];
	size_t len = 0;
	FILE *f;

	read_fixture(fx);
	f = open_memstream(&text, &len);
	cr_assert(f);
	pt_print_closing(f, fx->v, fx->n, 0.05, 80);
	fclose(f);
	cr_assert(strstr(text, "2 faster or slower, 1 tie, 1 undecided"), "%s", text);
	/* Decided first, then the tie, then the undecided. */
	cr_assert(strstr(text, "procs (processes) is") < strstr(text, " tie: ") &&
		  strstr(text, " tie: ") < strstr(text, "undecided:"), "%s", text);
	cr_assert_leq(widest_line(text, which, sizeof(which)), 80, "'%s'", which);
	free(text);
	pt_csv_free(&fx->csv);
	free(fx);
}

static void did_you_mean(const char *const argv[], const char *bad, const char *meant,
			 const char *also_valid)
{
	struct pt_cmd_out *o = malloc(sizeof(*o));
	char want[128];

	pt_test_exec(argv, NULL, 30, o);
	cr_assert_eq(o->status, 2, "'%s': exit %d: %s", bad, o->status, o->err);
	cr_assert(strstr(o->err, bad), "does not name '%s': %s", bad, o->err);
	snprintf(want, sizeof(want), "did you mean '%s'?", meant);
	cr_assert(strstr(o->err, want), "no \"%s\": %s", want, o->err);
	cr_assert(strstr(o->err, "valid: ") && strstr(o->err, also_valid),
		  "no list of valid names with '%s': %s", also_valid, o->err);
	free(o);
}

/* The gil label shows the switch interval used, and none at CPython's
 * default (it showed interval=5000us on every gil row), as gil-old's
 * check interval and the start method do. */
Test(terminal, gil_label_shows_the_interval_used, .timeout = 10)
{
	struct pt_point pt;
	char label[256];

	memset(&pt, 0, sizeof(pt));
	pt.wl = &pt_wl_countdown;
	pt.model = PT_MODEL_GIL;
	pt.switch_interval_us = PT_GIL_DEFAULT_INTERVAL_US;
	pt_point_label(&pt, label, sizeof(label));
	cr_assert_null(strstr(label, "interval"), "at the default: '%s'", label);
	pt.switch_interval_us = 1000;
	pt_point_label(&pt, label, sizeof(label));
	cr_assert(strstr(label, "interval=1000us"), "'%s'", label);
	pt.switch_interval_us = 100;
	pt_point_label(&pt, label, sizeof(label));
	cr_assert(strstr(label, "interval=100us") && !strstr(label, "5000"), "'%s'", label);
	pt.model = PT_MODEL_GIL_OLD;
	pt.check_interval = PT_GIL_DEFAULT_CHECK;
	pt_point_label(&pt, label, sizeof(label));
	cr_assert_null(strstr(label, "interval"), "gil-old: '%s'", label);
}

Test(terminal, did_you_mean, .timeout = 60)
{
	did_you_mean(ARGV("run", "-w", "countdwn"), "countdwn", "countdown", "pool");
	did_you_mean(ARGV("run", "-m", "procss"), "procss", "procs", "gil-old");
	did_you_mean(ARGV("run", "-w", "countdown", "-p", "cont=5"), "cont", "count", "scaling");
	did_you_mean(ARGV("list", "semaphor"), "semaphor", "semaphore", "barrier");
	did_you_mean(ARGV("lsit"), "lsit", "list", "compare");
}

Test(terminal, suggest_only_what_is_close)
{
	static const char *const names[] = { "serial", "threads", "procs", "gil", "gil-old" };

	cr_assert_eq(pt_edit_distance("countdown", "countdwon"), 1, "a swap is one edit");
	cr_assert_eq(pt_edit_distance("", "abc"), 3);
	cr_assert_str_eq(pt_suggest("thread", names, 5), "threads");
	cr_assert_str_eq(pt_suggest("gil_old", names, 5), "gil-old");
	cr_assert_null(pt_suggest("fibers", names, 5), "nothing close: no suggestion");
}

/* `ptbench CMD --help`: exit 0, CMD's own usage, not the program's. */
static void own_help(const char *cmd, const char *usage_line, const char *also)
{
	struct pt_cmd_out *o = malloc(sizeof(*o));

	pt_test_exec(ARGV(cmd, "--help"), NULL, 30, o);
	cr_assert_eq(o->status, 0, "%s --help: exit %d: %s", cmd, o->status, o->err);
	cr_assert(strstr(o->out, usage_line), "%s --help: %s", cmd, o->out);
	cr_assert(strstr(o->out, also), "%s --help lacks '%s': %s", cmd, also, o->out);
	cr_assert(!strstr(o->out, "commands:"), "%s --help is the program's help", cmd);
	free(o);
}

Test(terminal, subcommand_help, .timeout = 60)
{
	struct pt_cmd_out *o = malloc(sizeof(*o));

	own_help("run", "usage: ptbench run [options]", "±ci");
	own_help("list", "usage: ptbench list [WORKLOAD]", "one op");
	own_help("compare", "usage: ptbench compare", "--band");
	own_help("report", "usage: ptbench report [DIR]", "any directory");
	own_help("topo", "usage: ptbench topo", "-b");
	own_help("budget", "usage: ptbench budget", "--no-calibration");
	/* The spreads are defined in run --help, on the same figure. */
	pt_test_exec(ARGV("run", "--help"), NULL, 30, o);
	cr_assert(strstr(o->out, "95% confidence interval") &&
		  strstr(o->out, "coefficient of variation"), "%s", o->out);
	/* A bad option points at its command's help. */
	pt_test_exec(ARGV("run", "-r", "lots"), NULL, 30, o);
	cr_assert_eq(o->status, 2);
	cr_assert(strstr(o->err, "Try 'ptbench run --help'"), "%s", o->err);
	free(o);
}

Test(terminal, list_workload, .timeout = 60)
{
	struct pt_cmd_out *o = malloc(sizeof(*o));

	pt_test_exec(ARGV("list", "countdown"), NULL, 30, o);
	cr_assert_eq(o->status, 0, "%s", o->err);
	cr_assert(strstr(o->out, "-p count=") && strstr(o->out, "scaling=strong") &&
		  strstr(o->out, "one op:") && strstr(o->out, "decrement"), "%s", o->out);
	cr_assert(!strstr(o->out, "filewrite"), "only countdown: %s", o->out);
	/* Every workload says what its op is. */
	pt_for_each_workload(pp) {
		char want[64];

		pt_test_exec(ARGV("list", (*pp)->name), NULL, 30, o);
		cr_assert_eq(o->status, 0, "%s: %s", (*pp)->name, o->err);
		snprintf(want, sizeof(want), "one %s:", pt_figure_of(*pp)->unit);
		cr_assert(strstr(o->out, want), "%s: %s", (*pp)->name, o->out);
	}
	free(o);
}

/* Run from a directory with a relative -o: the paths printed are absolute. */
Test(terminal, paths_printed_absolute, .timeout = 240)
{
	struct pt_cmd_out *o = malloc(sizeof(*o));
	char *dir = pt_test_tmpdir(), want[1024];
	const char *argv[] = { pt_test_bin(), "run", "-w", "countdown", "-m", "gil,procs",
			       "-n", "2", "--quick", "-r", "2", "--warmup", "0", "-o", "rel/run",
			       NULL };

	pt_test_run(pt_test_bin(), dir, argv, NULL, 200, o);
	cr_assert_eq(o->status, 0, "exit %d: %s", o->status, o->err);
	snprintf(want, sizeof(want), "results: %s/rel/run\n", dir);
	cr_assert(strstr(o->out, want), "no '%s' in: %s", want, o->out);
	snprintf(want, sizeof(want), " report %s/rel/run\n", dir);
	cr_assert(strstr(o->out, want), "no '%s' in: %s", want, o->out);
	cr_assert(strstr(o->out, "next:    /"), "the command is absolute: %s", o->out);
	free(o);
	pt_test_rmdir(dir);
}
