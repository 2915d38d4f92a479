// SPDX-License-Identifier: MIT
// Per-point statistics and summary.csv.
#include "summary.h"

#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool same_but(const struct pt_point *a, const struct pt_point *b, bool model,
		     bool workers)
{
	return a->wl == b->wl && a->bind == b->bind &&
	       (!model || a->model == b->model) && (!workers || a->nworkers == b->nworkers) &&
	       pt_params_equal(&a->params, &b->params);
}

static double ratio_to(const struct pt_plan *plan, const struct pt_point_summary *s, int i,
		       bool serial_ref)
{
	const struct pt_point *pt = &plan->pts[i];

	for (int j = 0; j < plan->npts; j++) {
		const struct pt_point *q = &plan->pts[j];
		bool match = serial_ref
				     ? q->model == PT_MODEL_SERIAL && same_but(pt, q, false, true)
				     : q->nworkers == 1 && same_but(pt, q, true, false) &&
					       q->switch_interval_us == pt->switch_interval_us &&
					       q->check_interval == pt->check_interval &&
					       q->start == pt->start;

		if (match && s[j].n_ok && isfinite(s[j].ops_med) && s[j].ops_med > 0)
			return s[i].ops_med / s[j].ops_med;
	}
	return NAN;
}

static void summarize(const double *x, int n, double *med, double *lo, double *hi,
		      double *cv, size_t *outliers)
{
	struct pt_summary s;

	*med = *lo = *hi = *cv = NAN;
	if (n == 0 || pt_summarize(x, (size_t)n, &s))
		return;
	*med = s.median;
	*lo = s.ci_lo;
	*hi = s.ci_hi;
	*cv = s.cv;
	if (outliers)
		*outliers = s.outliers;
}

/* The median of the finite values of field @get over the ok repetitions. */
static double med_of(const struct pt_result *r, int repeat, double (*get)(const struct pt_result *),
		     double *buf)
{
	int n = 0;

	for (int k = 0; k < repeat; k++)
		if (r[k].status == PT_ST_OK && isfinite(get(&r[k])))
			buf[n++] = get(&r[k]);
	return n ? pt_median(buf, (size_t)n) : NAN;
}

static double get_lat50(const struct pt_result *r) { return r->lat_p50_us; }
static double get_lat99(const struct pt_result *r) { return r->lat_p99_us; }
static double get_user(const struct pt_result *r) { return r->user_s; }
static double get_sys(const struct pt_result *r) { return r->sys_s; }
static double get_gwait(const struct pt_result *r) { return (double)r->gil.wait_ns / 1e3; }
static double get_gsw(const struct pt_result *r) { return (double)r->gil.switches; }
static double get_gdrop(const struct pt_result *r) { return (double)r->gil.drop_requests; }

/* The medians of the secondary figures of one point's repetitions @r. */
static void summarize_medians(const struct pt_point *pt, const struct pt_result *r, int repeat,
			      double *buf, struct pt_point_summary *s)
{
	bool gil = pt_model_has_gil(pt->model);

	s->lat50_med = med_of(r, repeat, get_lat50, buf);
	s->lat99_med = med_of(r, repeat, get_lat99, buf);
	s->user_med = med_of(r, repeat, get_user, buf);
	s->sys_med = med_of(r, repeat, get_sys, buf);
	s->gil_wait_us_med = gil ? med_of(r, repeat, get_gwait, buf) : NAN;
	s->gil_switches_med = gil ? med_of(r, repeat, get_gsw, buf) : NAN;
	s->gil_drops_med = gil ? med_of(r, repeat, get_gdrop, buf) : NAN;
	for (int m = 0; m < PT_MAX_METRICS; m++) {
		int k2 = 0;

		for (int k = 0; k < repeat; k++)
			if (r[k].status == PT_ST_OK && isfinite(r[k].metric[m]))
				buf[k2++] = r[k].metric[m];
		s->metric_med[m] = k2 ? pt_median(buf, (size_t)k2) : NAN;
	}
}

/* One point: its repetitions @r, those that ran marked in @done. */
static void summarize_point(const struct pt_point *pt, const struct pt_result *r,
			    const bool *done, int repeat, double *buf, double *buf2,
			    struct pt_point_summary *s)
{
	int n = 0;
	size_t out_w = 0, out_o = 0;

	memset(s, 0, sizeof(*s));
	s->status = PT_ST_OK;
	for (int k = 0; k < repeat; k++) {
		if (!done[k])
			continue;
		s->n++;
		if (r[k].status > s->status) {
			s->status = r[k].status;
			s->msg = r[k].msg;
		}
		if (r[k].status == PT_ST_OK) {
			buf[n] = r[k].wall_s;
			buf2[n] = r[k].ops_per_s;
			n++;
		}
	}
	s->n_ok = n;
	summarize(buf, n, &s->wall_med, &s->wall_lo, &s->wall_hi, &s->wall_cv, &out_w);
	summarize(buf2, n, &s->ops_med, &s->ops_lo, &s->ops_hi, &s->ops_cv, &out_o);
	s->outliers = out_o > out_w ? out_o : out_w;
	summarize_medians(pt, r, repeat, buf, s);
	/* The CV of throughput when there is one, else of the wall time. */
	s->noisy = n >= 2 && (isfinite(s->ops_cv) ? s->ops_cv : s->wall_cv) > PT_NOISY_CV;
}

int pt_summaries(const struct pt_plan *plan, const struct pt_result *res, const bool *done,
		 struct pt_point_summary *out)
{
	int repeat = plan->repeat;
	double *buf = calloc((size_t)repeat + 1, sizeof(double));
	double *buf2 = calloc((size_t)repeat + 1, sizeof(double));

	if (!buf || !buf2) {
		free(buf);
		free(buf2);
		return -ENOMEM;
	}
	for (int i = 0; i < plan->npts; i++) {
		size_t at = (size_t)i * (size_t)repeat;

		summarize_point(&plan->pts[i], &res[at], &done[at], repeat, buf, buf2, &out[i]);
	}
	for (int i = 0; i < plan->npts; i++) {
		out[i].speedup_serial = ratio_to(plan, out, i, true);
		out[i].speedup_1 = ratio_to(plan, out, i, false);
		out[i].efficiency = out[i].speedup_1 / plan->pts[i].nworkers;
	}
	free(buf);
	free(buf2);
	return 0;
}

static void summary_header(FILE *f, const struct pt_columns *c)
{
	fputs("workload,model,workers,bind,switch_interval_us,check_interval,start,n,n_ok,status,"
	      "wall_median_s,wall_ci_lo_s,wall_ci_hi_s,wall_cv,ops_per_s_median,"
	      "ops_per_s_ci_lo,ops_per_s_ci_hi,ops_per_s_cv,lat_p50_us,lat_p99_us,"
	      "user_median_s,sys_median_s,speedup_vs_serial,speedup_vs_1,efficiency,"
	      "gil_switches,gil_drop_requests,gil_wait_us,outliers,noisy,message",
	      f);
	for (int i = 0; i < c->nparam; i++)
		fprintf(f, ",%s", c->param[i]);
	for (int i = 0; i < c->nmetric; i++)
		fprintf(f, ",%s", c->metric[i]);
	fputc('\n', f);
}

static void summary_row(FILE *f, const struct pt_columns *c, const struct pt_point *pt,
			const struct pt_point_summary *p)
{
	const double figures[] = {
		p->wall_med, p->wall_lo, p->wall_hi, p->wall_cv, p->ops_med, p->ops_lo,
		p->ops_hi, p->ops_cv, p->lat50_med, p->lat99_med, p->user_med, p->sys_med,
		p->speedup_serial, p->speedup_1, p->efficiency, p->gil_switches_med,
		p->gil_drops_med, p->gil_wait_us_med,
	};

	fprintf(f, "%s,%s,%d,%s", pt->wl->name, pt_model_name(pt->model), pt->nworkers,
		pt_bind_name(pt->bind));
	pt_csv_u64(f, pt->switch_interval_us, pt->model == PT_MODEL_GIL);
	pt_csv_u64(f, pt->check_interval, pt->model == PT_MODEL_GIL_OLD);
	fprintf(f, ",%s", pt->start ? pt->start->name : "");
	fprintf(f, ",%d,%d,%s", p->n, p->n_ok, pt_status_name(p->status));
	for (size_t k = 0; k < sizeof(figures) / sizeof(figures[0]); k++)
		pt_csv_num(f, figures[k]);
	fprintf(f, ",%zu,%d,", p->outliers, p->noisy ? 1 : 0);
	pt_csv_field(f, p->msg && p->status != PT_ST_OK ? p->msg : "");
	pt_csv_params_metrics(f, c, pt, p->metric_med);
}

int pt_write_summary(const char *dir, const struct pt_columns *c, const struct pt_plan *plan,
		     const struct pt_point_summary *s)
{
	struct pt_tmp t;
	int ret = pt_tmp_open(&t, dir, "summary.csv");

	if (ret)
		return ret;
	summary_header(t.f, c);
	for (int i = 0; i < plan->npts; i++)
		summary_row(t.f, c, &plan->pts[i], &s[i]);
	return pt_tmp_commit(&t);
}
