// SPDX-License-Identifier: MIT
// results.csv, and the CSV helpers of the run's files.
#include "results.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio_ext.h>
#include <string.h>
#include <unistd.h>

static const char *const base_cols[] = {
	"workload", "model", "workers", "bind", "rep", "status", "wall_s", "user_s",
	"sys_s", "ops", "ops_per_s", "lat_p50_us", "lat_p99_us", "nvcsw", "nivcsw",
	"ops_min", "ops_max", "switch_interval_us", "check_interval", "start", "cpu_neighbours",
	"gil_acquisitions",
	"gil_switches", "gil_drop_requests", "gil_wait_us", "gil_wait_max_us",
	"shared", "container", "ft_tax_pct", "ft_atomic_updates", "ft_lock_acquisitions",
	"ft_lock_contended", "ft_lock_parks",
	"bind_failed", "message",
	/* issue 14: the amount pilots chose, and what others did meanwhile */
	"size", "steal_s", "irq_s", "softirq_s", "migrations", "load1", "freq_mhz",
	"interference", "noise_flag",
	/* the measured round: repetitions of one round are paired */
	"round",
};

static bool listed(const char *const *v, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v[i], name) == 0)
			return true;
	return false;
}

void pt_columns_init(struct pt_columns *c)
{
	memset(c, 0, sizeof(*c));
	pt_for_each_workload(pp) {
		const struct pt_workload *wl = *pp;

		for (const struct pt_param_def *d = wl->params; d && d->name; d++)
			if (!listed(c->param, c->nparam, d->name) && c->nparam < PT_MAX_LIST)
				c->param[c->nparam++] = d->name;
		for (const struct pt_metric_def *m = wl->metrics; m && m->name; m++)
			if (!listed(c->metric, c->nmetric, m->name) && c->nmetric < PT_MAX_LIST)
				c->metric[c->nmetric++] = m->name;
	}
}

void pt_csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
	}
	fputc('"', f);
}

void pt_csv_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, ",%.9g", v);
	else
		fputc(',', f);
}

void pt_csv_u64(FILE *f, uint64_t v, bool present)
{
	if (present)
		fprintf(f, ",%" PRIu64, v);
	else
		fputc(',', f);
}

void pt_csv_params_metrics(FILE *f, const struct pt_columns *c, const struct pt_point *pt,
			   const double *metric)
{
	for (int i = 0; i < c->nparam; i++) {
		const struct pt_pval *v = pt_params_find(&pt->params, c->param[i]);

		fputc(',', f);
		if (v)
			pt_csv_field(f, v->str);
	}
	for (int i = 0; i < c->nmetric; i++) {
		int k = pt_workload_metric(pt->wl, c->metric[i]);

		pt_csv_num(f, k >= 0 ? metric[k] : NAN);
	}
	fputc('\n', f);
}

void pt_csv_header(FILE *f, const struct pt_columns *c)
{
	for (size_t i = 0; i < sizeof(base_cols) / sizeof(base_cols[0]); i++)
		fprintf(f, "%s%s", i ? "," : "", base_cols[i]);
	for (int i = 0; i < c->nparam; i++)
		fprintf(f, ",%s", c->param[i]);
	for (int i = 0; i < c->nmetric; i++)
		fprintf(f, ",%s", c->metric[i]);
	fputc('\n', f);
}

void pt_csv_row(FILE *f, const struct pt_columns *c, const struct pt_point *pt, int rep,
		const struct pt_result *r)
{
	bool ran = r->status != PT_ST_SKIPPED && r->status != PT_ST_TIMEOUT && isfinite(r->wall_s);
	bool gil = pt_model_has_gil(pt->model) && ran;
	bool ft = pt->model == PT_MODEL_FT, ft_ran = ft && ran;

	fprintf(f, "%s,%s,%d,%s,%d,%s", pt->wl->name, pt_model_name(pt->model), pt->nworkers,
		pt_bind_name(pt->bind), rep, pt_status_name(r->status));
	pt_csv_num(f, r->wall_s);
	pt_csv_num(f, r->user_s);
	pt_csv_num(f, r->sys_s);
	pt_csv_u64(f, r->ops, ran);
	pt_csv_num(f, r->ops_per_s);
	pt_csv_num(f, r->lat_p50_us);
	pt_csv_num(f, r->lat_p99_us);
	pt_csv_u64(f, r->nvcsw, ran);
	pt_csv_u64(f, r->nivcsw, ran);
	pt_csv_u64(f, r->ops_min, ran);
	pt_csv_u64(f, r->ops_max, ran);
	pt_csv_u64(f, pt->switch_interval_us, pt->model == PT_MODEL_GIL);
	pt_csv_u64(f, pt->check_interval, pt->model == PT_MODEL_GIL_OLD);
	fprintf(f, ",%s", pt->start ? pt->start->name : "");
	pt_csv_u64(f, pt->model == PT_MODEL_SERIAL ? 0 : (uint64_t)pt->neighbours, true);
	pt_csv_u64(f, r->gil.acquisitions, gil);
	pt_csv_u64(f, r->gil.switches, gil);
	pt_csv_u64(f, r->gil.drop_requests, gil);
	pt_csv_num(f, gil ? (double)r->gil.wait_ns / 1e3 : NAN);
	pt_csv_num(f, gil ? (double)r->gil.wait_max_ns / 1e3 : NAN);
	/* Under the other models shared objects cost nothing beyond the tick
	 * (README, Models): the ft settings apply to ft points only, as the
	 * GIL intervals apply to the GIL models. */
	pt_csv_num(f, ft ? pt->ft.shared : NAN);
	pt_csv_u64(f, pt->ft.container, ft);
	pt_csv_num(f, ft ? pt->ft.tax_pct : NAN);
	pt_csv_u64(f, r->ft.atomic_updates, ft_ran);
	pt_csv_u64(f, r->ft.lock_acquisitions, ft_ran);
	pt_csv_u64(f, r->ft.lock_contended, ft_ran);
	pt_csv_u64(f, r->ft.lock_parks, ft_ran);
	pt_csv_u64(f, (uint64_t)r->bind_failed, ran && pt->bind != PT_BIND_NONE);
	fputc(',', f);
	pt_csv_field(f, r->msg);
	pt_csv_u64(f, pt->size, pt->size > 0);
	pt_csv_num(f, ran ? r->noise.steal_s : NAN);
	pt_csv_num(f, ran ? r->noise.irq_s : NAN);
	pt_csv_num(f, ran ? r->noise.softirq_s : NAN);
	pt_csv_u64(f, r->noise.migrations, ran && r->noise.have_migrations);
	pt_csv_num(f, ran ? r->noise.load1 : NAN);
	pt_csv_num(f, ran ? r->noise.freq_mhz : NAN);
	pt_csv_num(f, ran ? r->noise.interference : NAN);
	pt_csv_u64(f, (uint64_t)r->noise_flag, ran);
	pt_csv_u64(f, (uint64_t)r->round, r->round > 0);
	pt_csv_params_metrics(f, c, pt, r->metric);
}

/* So that it appears whole or not at all, results.csv is written under a
 * temporary name with its header, then linked to its own (refused if it
 * exists: of two runs started into one directory at once, one is refused
 * before it has touched anything) or, when replacing, renamed over it. */
int pt_rows_create(struct pt_rows *r, const char *dir, const struct pt_columns *c,
		   bool replace)
{
	int ret = pt_tmp_open(&r->tmp, dir, "results.csv");

	r->cols = c;
	if (ret)
		return ret;
	/* A row goes out in one write(2) on each flush, never in pieces. */
	setvbuf(r->tmp.f, NULL, _IOFBF, 1 << 16);
	pt_csv_header(r->tmp.f, c);
	if (fflush(r->tmp.f) != 0) {
		ret = -errno;
		pt_tmp_abort(&r->tmp);
		return ret;
	}
	r->good = ftello(r->tmp.f);
	return pt_tmp_claim(&r->tmp, replace);
}

/* Each row reaches the disk as its repetition completes. A failed write (a
 * full disk) may have left part of the row: cut back to the last whole one,
 * so what stays is valid, and drop the rest of the buffer, which a later
 * fclose() would flush. */
int pt_rows_append(struct pt_rows *r, const struct pt_point *pt, int rep,
		   const struct pt_result *res)
{
	FILE *f = r->tmp.f;
	int e;

	pt_csv_row(f, r->cols, pt, rep, res);
	if (fflush(f) == 0 && (fdatasync(fileno(f)) == 0 || errno == EINVAL)) {
		r->good = ftello(f);
		return 0;
	}
	e = errno;
	__fpurge(f);
	if (ftruncate(fileno(f), r->good) != 0)
		r->cut_failed = true;
	return -e;
}

int pt_rows_close(struct pt_rows *r)
{
	int ret = 0;

	if (r->tmp.f) {
		__fpurge(r->tmp.f); /* nothing is pending that was not written */
		ret = fclose(r->tmp.f) ? -errno : 0;
		r->tmp.f = NULL;
	}
	return ret;
}
