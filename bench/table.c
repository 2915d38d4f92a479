// SPDX-License-Identifier: MIT
// The plan and the table of results, for the terminal: laid out within its
// width (parameters wrap inside their column), each point's natural figure
// with its unit, the spread of the figure compared, and closing lines from
// the decision rule.
#include "table.h"

#include "figure.h"
#include "term.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Appends @item to the label in @buf, a blank before it unless first. */
static size_t label_add(char *buf, size_t n, size_t used, const char *item)
{
	if (used < n)
		used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? " " : "", item);
	return used;
}

void pt_point_label(const struct pt_point *pt, char *buf, size_t n)
{
	char item[PT_PARAM_STR_LEN + 64];
	size_t used = 0;

	buf[0] = '\0';
	/* The parameters that differ from their default: what was swept or set. */
	for (int k = 0; k < pt->params.n; k++) {
		const struct pt_pval *v = &pt->params.v[k];
		const char *def = pt->quick && v->def->quick ? v->def->quick : v->def->def;

		if (strcmp(v->str, def) != 0) {
			snprintf(item, sizeof(item), "%s=%s", v->def->name, v->str);
			used = label_add(buf, n, used, item);
		}
	}
	/* Like the parameters, the start method and gil-old's check: the
	 * switch interval when it is not CPython's default, the value used. */
	if (pt->model == PT_MODEL_GIL && pt->switch_interval_us != PT_GIL_DEFAULT_INTERVAL_US) {
		snprintf(item, sizeof(item), "interval=%uus", pt->switch_interval_us);
		used = label_add(buf, n, used, item);
	}
	if (pt->model == PT_MODEL_GIL_OLD && pt->check_interval != PT_GIL_DEFAULT_CHECK) {
		snprintf(item, sizeof(item), "check=%u", pt->check_interval);
		used = label_add(buf, n, used, item);
	}
	if (pt->start && pt->start != &pt_start_fork) {
		snprintf(item, sizeof(item), "start=%s", pt->start->name);
		used = label_add(buf, n, used, item);
	}
	if (pt->model == PT_MODEL_FT) {
		snprintf(item, sizeof(item), "shared=%g%s", pt->ft.shared,
			 pt->ft.container ? " container" : "");
		used = label_add(buf, n, used, item);
	}
	if (pt->neighbours > 0) {
		snprintf(item, sizeof(item), "cpu-neighbours=%d", pt->neighbours);
		used = label_add(buf, n, used, item);
	}
	if (pt->bind != PT_BIND_NONE) {
		snprintf(item, sizeof(item), "bind=%s", pt_bind_name(pt->bind));
		label_add(buf, n, used, item);
	}
}

void pt_print_plan(FILE *f, const struct pt_plan *plan)
{
	fprintf(f, "%d points, %d repetitions (%d measured + %d warmup each)\n", plan->npts,
		plan->njobs, plan->repeat, plan->warmup);
	for (int i = 0; i < plan->npts; i++) {
		const struct pt_point *pt = &plan->pts[i];
		const char *skip = pt_workload_skip_reason(pt->wl, pt->model, pt->nworkers);
		char label[256];

		pt_point_label(pt, label, sizeof(label));
		fprintf(f, "  %-10s %-8s n=%-4d bind=%-8s %s%s%s\n", pt->wl->name,
			pt_model_name(pt->model), pt->nworkers, pt_bind_name(pt->bind), label,
			skip ? "  skipped: " : "", skip ? skip : "");
	}
}

/* --- figures --- */

/* @v in [1, 1000) of its SI unit: 3 significant digits or so. */
static void fmt_3(char *buf, size_t n, double v, const char *unit)
{
	snprintf(buf, n, v >= 99.95 ? "%.0f%s" : v >= 9.995 ? "%.1f%s" : "%.2f%s", v, unit);
}

/* Seconds @t as "12.3 us". */
void pt_fmt_time(char *buf, size_t n, double t)
{
	static const struct { double scale; const char *unit; } u[] = {
		{ 1, " s" }, { 1e-3, " ms" }, { 1e-6, " us" }, { 1e-9, " ns" } };
	size_t k = 0;

	if (!isfinite(t) || t < 0) {
		snprintf(buf, n, "-");
		return;
	}
	while (k + 1 < sizeof(u) / sizeof(u[0]) && t < u[k].scale * 0.9995)
		k++;
	fmt_3(buf, n, t / u[k].scale, u[k].unit);
}

/* A rate @v as "45.6k". */
static void fmt_rate(char *buf, size_t n, double v, const char *unit)
{
	static const struct { double scale; const char *prefix; } u[] = {
		{ 1e9, "G" }, { 1e6, "M" }, { 1e3, "k" }, { 1, "" } };
	char suffix[32];
	size_t k = 0;

	while (k + 1 < sizeof(u) / sizeof(u[0]) && v < u[k].scale * 0.9995)
		k++;
	snprintf(suffix, sizeof(suffix), "%s %s/s", u[k].prefix, unit);
	fmt_3(buf, n, v / u[k].scale, suffix);
}

/* The point's natural figure, from the quantity its decision compares. */
static void fmt_figure(char *buf, size_t n, const struct pt_point *pt,
		       const struct pt_point_summary *p)
{
	const struct pt_figure *fig = pt_figure_of(pt->wl);
	char t[32];

	if (!isfinite(p->q_med) || p->q_med <= 0) {
		snprintf(buf, n, "-");
	} else if (p->q_wall) {
		pt_fmt_time(t, sizeof(t), p->q_med);
		snprintf(buf, n, "%s wall", t);
	} else if (fig->kind == PT_FIG_RATE) {
		fmt_rate(buf, n, p->q_med, fig->unit);
	} else {
		pt_fmt_time(t, sizeof(t), 1.0 / p->q_med);
		snprintf(buf, n, "%s/%s", t, fig->unit);
	}
}

/* --- the table --- */

enum col { C_WL, C_MODEL, C_AS, C_N, C_PARAMS, C_FIG, C_CI, C_CV, C_VS, C_LAT, C_NOTE,
	   C_COUNT };

static const struct {
	const char *head;
	bool right;
} cols[C_COUNT] = {
	[C_WL] = { "workload", false }, [C_MODEL] = { "model", false },
	[C_AS] = { "in Python", false }, [C_N] = { "n", true },
	[C_PARAMS] = { "params", false }, [C_FIG] = { "median", true },
	[C_CI] = { "±ci", true }, [C_CV] = { "cv", true },
	[C_VS] = { "vs ref", false }, [C_LAT] = { "lat p50/p99", true },
	[C_NOTE] = { "", false },
};

#define PT_CELL 256

struct row {
	char cell[C_COUNT][PT_CELL];
	bool bad; /* no figures: the status and its reason run from C_FIG on */
};

struct layout {
	int w[C_COUNT];
	bool on[C_COUNT];
	int width;
};

static void fill_row(struct row *r, const struct pt_plan *plan, int i,
		     const struct pt_point_summary *p)
{
	const struct pt_point *pt = &plan->pts[i];
	const char *model = pt_model_name(pt->model);

	memset(r, 0, sizeof(*r));
	snprintf(r->cell[C_WL], PT_CELL, "%s", pt->wl->name);
	snprintf(r->cell[C_MODEL], PT_CELL, "%s", model);
	snprintf(r->cell[C_AS], PT_CELL, "%s", pt_model_short(model));
	snprintf(r->cell[C_N], PT_CELL, "%d", pt->nworkers);
	pt_point_label(pt, r->cell[C_PARAMS], PT_CELL);
	if (p->status == PT_ST_SKIPPED || p->status == PT_ST_NOT_RUN || !p->n_ok) {
		r->bad = true;
		snprintf(r->cell[C_NOTE], PT_CELL, "%s%s%s", pt_status_name(p->status),
			 p->msg ? ": " : "", p->msg ? p->msg : "");
		return;
	}
	fmt_figure(r->cell[C_FIG], PT_CELL, pt, p);
	if (isfinite(p->q_lo) && isfinite(p->q_hi) && p->q_med > 0)
		snprintf(r->cell[C_CI], PT_CELL, "±%.1f%%",
			 100.0 * (p->q_hi - p->q_lo) / 2.0 / p->q_med);
	if (isfinite(p->q_cv))
		snprintf(r->cell[C_CV], PT_CELL, "%.1f%%", 100.0 * p->q_cv);
	if (p->ref >= 0 && isfinite(p->ratio))
		snprintf(r->cell[C_VS], PT_CELL, p->ratio >= 9.995 ? "%.1f× %s" : "%.2f× %s",
			 p->ratio, pt_model_name(plan->pts[p->ref].model));
	if (pt_figure_of(pt->wl)->kind == PT_FIG_LATENCY && isfinite(p->lat50_med) &&
	    isfinite(p->lat99_med)) {
		char a[32], b[32];

		pt_fmt_time(a, sizeof(a), p->lat50_med * 1e-6);
		pt_fmt_time(b, sizeof(b), p->lat99_med * 1e-6);
		snprintf(r->cell[C_LAT], PT_CELL, "%s/%s", a, b);
	}
	snprintf(r->cell[C_NOTE], PT_CELL, "%s%s%s", p->noisy ? "noisy" : "",
		 p->noisy && p->status != PT_ST_OK ? " " : "",
		 p->status != PT_ST_OK ? pt_status_name(p->status) : "");
}

/* Columns before @c that are on: their widths and separators. */
static int cols_before(const struct layout *l, enum col c)
{
	int x = 0;

	for (int k = 0; k < (int)c; k++)
		if (l->on[k])
			x += l->w[k] + 1;
	return x;
}

/* Widths from the cells; the parameters get what is left of the line, and
 * the optional columns (the models' Python names, latency, cv) go first
 * when it is too little. */
static void lay_out(struct layout *l, const struct row *rows, int n, int width)
{
	static const enum col optional[] = { C_AS, C_LAT, C_CV };
	int want_params = pt_text_cols(cols[C_PARAMS].head), rest;

	l->width = width;
	for (int c = 0; c < C_COUNT; c++) {
		l->w[c] = pt_text_cols(cols[c].head);
		l->on[c] = c != C_LAT && c != C_NOTE;
	}
	for (int i = 0; i < n; i++)
		for (int c = 0; c < C_COUNT; c++) {
			int w = pt_text_cols(rows[i].cell[c]);

			if (c == C_PARAMS)
				want_params = w > want_params ? w : want_params;
			else if (!(rows[i].bad && c == C_NOTE) && w > l->w[c])
				l->w[c] = w;
			if (c == C_LAT && w)
				l->on[C_LAT] = true;
			if (c == C_NOTE && w && !rows[i].bad)
				l->on[C_NOTE] = true;
		}
	l->on[C_PARAMS] = false;
	for (size_t k = 0;; k++) {
		rest = width - cols_before(l, C_COUNT) - 1;
		if (rest >= 16 || rest >= want_params || k == sizeof(optional) / sizeof(optional[0]))
			break;
		l->on[optional[k]] = false;
	}
	l->on[C_PARAMS] = true;
	l->w[C_PARAMS] = rest < want_params ? (rest > 6 ? rest : 6) : want_params;
}

/* One line of text built cell by cell, printed without trailing blanks. */
struct line {
	char buf[PT_TERM_MAX * 4 + 8];
	size_t len;
};

static void line_put(struct line *ln, int x, const char *s, size_t len, int w, bool right)
{
	int ncols = 0, pad;

	for (size_t i = 0; i < len; i++)
		ncols += ((unsigned char)s[i] & 0xc0) != 0x80;
	pad = w > ncols ? w - ncols : 0;
	for (int cur = pt_text_cols(ln->buf); cur < x && ln->len + 1 < sizeof(ln->buf); cur++)
		ln->buf[ln->len++] = ' ';
	for (; right && pad > 0 && ln->len + 1 < sizeof(ln->buf); pad--)
		ln->buf[ln->len++] = ' ';
	if (ln->len + len < sizeof(ln->buf)) {
		memcpy(ln->buf + ln->len, s, len);
		ln->len += len;
	}
	ln->buf[ln->len] = '\0';
}

static void line_print(FILE *f, struct line *ln)
{
	while (ln->len && ln->buf[ln->len - 1] == ' ')
		ln->len--;
	fprintf(f, "%.*s\n", (int)ln->len, ln->buf);
	ln->len = 0;
	ln->buf[0] = '\0';
}

/* A row over as many lines as its parameters (and, for a point without
 * figures, its status and reason) need. */
static void print_row(FILE *f, const struct layout *l, const struct row *r)
{
	const char *params = r->cell[C_PARAMS], *tail = r->cell[C_NOTE], *next;
	int tail_x = cols_before(l, r->bad ? C_FIG : C_NOTE);
	int tail_w = l->width - tail_x;
	struct line ln = { .len = 0 };

	for (int first = 1; first || *params || *tail; first = 0) {
		size_t len;

		for (int c = 0; c < C_COUNT; c++) {
			if (c == C_PARAMS) {
				len = pt_wrap_line(params, l->w[C_PARAMS], &next);
				line_put(&ln, cols_before(l, C_PARAMS), params, len, 0, false);
				params = next;
			} else if ((r->bad && c == C_FIG) || (!r->bad && c == C_NOTE && l->on[c])) {
				len = pt_wrap_line(tail, tail_w > 8 ? tail_w : 8, &next);
				line_put(&ln, tail_x, tail, len, 0, false);
				tail = next;
			} else if (first && l->on[c] && !(r->bad && c >= C_FIG) && c != C_NOTE) {
				line_put(&ln, cols_before(l, (enum col)c), r->cell[c],
					 strlen(r->cell[c]), l->w[c], cols[c].right);
			}
		}
		line_print(f, &ln);
	}
}

/* What the table's words mean, for the points it shows: the models in
 * Python's terms and what one op of each workload is. */
static void print_legend(FILE *f, const struct pt_plan *plan, int width)
{
	char text[4096];
	size_t used = 0;

	used += (size_t)snprintf(text, sizeof(text), "models:");
	for (int m = 0; m < PT_MODEL_COUNT && used < sizeof(text); m++)
		for (int i = 0; i < plan->npts; i++)
			if (plan->pts[i].model == (enum pt_model)m) {
				used += (size_t)snprintf(text + used, sizeof(text) - used,
							 " %s = %s;", pt_model_name((enum pt_model)m),
							 pt_model_long(pt_model_name((enum pt_model)m)));
				break;
			}
	if (used < sizeof(text))
		text[used - 1] = '.';
	pt_put_wrapped(f, text, width, 2);
	pt_for_each_workload(pp) {
		for (int i = 0; i < plan->npts; i++)
			if (plan->pts[i].wl == *pp) {
				const struct pt_figure *fig = pt_figure_of(*pp);

				snprintf(text, sizeof(text), "%s: one %s = %s.", (*pp)->name,
					 fig->unit, fig->op);
				pt_put_wrapped(f, text, width, 2);
				break;
			}
	}
}

void pt_print_table(FILE *f, const struct pt_plan *plan, const struct pt_point_summary *s,
		    int width)
{
	struct row *rows = calloc((size_t)plan->npts + 1, sizeof(*rows));
	struct layout l;

	if (!rows)
		return;
	for (int c = 0; c < C_COUNT; c++)
		snprintf(rows[0].cell[c], PT_CELL, "%s", cols[c].head);
	for (int i = 0; i < plan->npts; i++)
		fill_row(&rows[i + 1], plan, i, &s[i]);
	lay_out(&l, rows + 1, plan->npts, width);
	rows[0].cell[C_PARAMS][l.w[C_PARAMS] < 6 ? 0 : 6] = '\0';
	print_row(f, &l, &rows[0]);
	for (int i = 1; i <= plan->npts; i++)
		print_row(f, &l, &rows[i]);
	free(rows);
	print_legend(f, plan, width);
	pt_put_wrapped(f, l.on[C_CV] ?
		       "median: the figure compared (time per op, or ops per second where "
		       "throughput is the point); ±ci: half its 95% confidence interval and cv: "
		       "its coefficient of variation, both in % of the median; vs ref: this "
		       "model's speed over the reference model's (>1: faster)." :
		       "median: the figure compared (time per op, or ops per second where "
		       "throughput is the point); ±ci: half its 95% confidence interval, in % of "
		       "the median; vs ref: this model's speed over the reference model's (>1: "
		       "faster). A wider terminal shows more columns.",
		       width, 2);
}

/* --- closing lines --- */

static void fmt_ratio(char *buf, size_t n, double r)
{
	snprintf(buf, n, r >= 99.5 ? "%.0f" : r >= 9.995 ? "%.1f" : "%.2f", r);
}

/* "procs (processes)"; "serial" alone where the label is the name. */
static void named(char *buf, size_t n, const char *model)
{
	const char *label = pt_model_short(model);

	if (strcmp(label, model) == 0)
		snprintf(buf, n, "%s", model);
	else
		snprintf(buf, n, "%s (%s)", model, label);
}

void pt_closing_line(char *buf, size_t n, const struct pt_verdict *v, double band)
{
	char r[16], lo[16], hi[16], na[64], nb[64];
	const char *a = v->model, *b = v->ref;
	double ratio = v->ratio, rlo = v->lo, rhi = v->hi;

	if (v->decision == PT_DEC_SLOWER) {
		/* Said the other way round: the faster one first. */
		a = v->ref;
		b = v->model;
		ratio = 1 / v->ratio;
		rlo = 1 / v->hi;
		rhi = 1 / v->lo;
	}
	fmt_ratio(r, sizeof(r), ratio);
	named(na, sizeof(na), a);
	named(nb, sizeof(nb), b);
	if (!isfinite(v->lo) || !isfinite(v->hi)) {
		snprintf(buf, n, "%s: %s against %s undecided: %s×, too few repetitions for an "
			 "interval", v->what, na, nb, r);
		return;
	}
	fmt_ratio(lo, sizeof(lo), rlo);
	fmt_ratio(hi, sizeof(hi), rhi);
	if (v->decision == PT_DEC_FASTER || v->decision == PT_DEC_SLOWER)
		snprintf(buf, n, "%s: %s is %s× faster than %s [%s–%s]", v->what, na, r, nb, lo,
			 hi);
	else if (v->decision == PT_DEC_TIE)
		snprintf(buf, n, "%s: %s and %s tie: %s× [%s–%s], within ±%g%%", v->what, na, nb,
			 r, lo, hi, band * 100);
	else
		snprintf(buf, n, "%s: %s against %s undecided: %s× [%s–%s] reaches past ±%g%%; "
			 "more repetitions may decide it", v->what, na, nb, r, lo, hi, band * 100);
}

/* Decided points first (faster or slower), then ties, then undecided. */
static int closing_rank(enum pt_decision d)
{
	return d == PT_DEC_FASTER || d == PT_DEC_SLOWER ? 0 : d == PT_DEC_TIE ? 1 : 2;
}

void pt_print_closing(FILE *f, const struct pt_verdict *v, int n, double band, int width)
{
	int count[4] = { 0 }, listed = 0;
	char line[1024];

	for (int i = 0; i < n; i++)
		count[v[i].decision]++;
	if (!n)
		return;
	snprintf(line, sizeof(line),
		 "%d faster or slower, %d tie, %d undecided (the 95%% interval of each speed "
		 "ratio against a ±%g%% band):", count[PT_DEC_FASTER] + count[PT_DEC_SLOWER],
		 count[PT_DEC_TIE], count[PT_DEC_UNDECIDED], band * 100);
	pt_put_wrapped(f, line, width, 2);
	for (int rank = 0; rank < 3; rank++)
		for (int i = 0; i < n && listed < PT_CLOSING_LINES; i++) {
			if (closing_rank(v[i].decision) != rank)
				continue;
			pt_closing_line(line + 2, sizeof(line) - 2, &v[i], band);
			line[0] = line[1] = ' ';
			pt_put_wrapped(f, line, width, 4);
			listed++;
		}
	if (n > listed)
		fprintf(f, "  ... and %d more in summary.csv\n", n - listed);
}

void pt_print_verdicts(FILE *f, const struct pt_plan *plan, const struct pt_point_summary *s,
		       double band, int width)
{
	struct pt_verdict *v = calloc((size_t)plan->npts + 1, sizeof(*v));
	char (*what)[300] = calloc((size_t)plan->npts + 1, sizeof(*what));
	int n = 0;

	for (int i = 0; v && what && i < plan->npts; i++) {
		const struct pt_point *pt = &plan->pts[i];
		char label[256];

		if (s[i].ref < 0 || !isfinite(s[i].ratio))
			continue;
		pt_point_label(pt, label, sizeof(label));
		snprintf(what[n], sizeof(what[n]), "%s n=%d%s%s", pt->wl->name, pt->nworkers,
			 *label ? " " : "", label);
		v[n] = (struct pt_verdict){ what[n], pt_model_name(pt->model),
					    pt_model_name(plan->pts[s[i].ref].model), s[i].ratio,
					    s[i].ratio_lo, s[i].ratio_hi, s[i].decision };
		n++;
	}
	pt_print_closing(f, v, n, band, width);
	free(what);
	free(v);
}

/* @s as one shell word: as it is when it is plain, else in single quotes. */
static void put_shell_word(FILE *f, const char *s)
{
	if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
			    "/._+-,:=@") == strlen(s)) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	fputc('\'', f);
}

void pt_print_next(FILE *f, const char *outdir)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0)
		exe[n] = '\0';
	else
		snprintf(exe, sizeof(exe), "ptbench");
	fputs("results: ", f);
	put_shell_word(f, outdir);
	fputs("\nnext:    ", f);
	put_shell_word(f, exe);
	fputs(" report ", f);
	put_shell_word(f, outdir);
	fputc('\n', f);
}
