// SPDX-License-Identifier: MIT
// Per-point statistics and summary.csv.
#include "summary.h"

#include "error.h"
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
					       q->start == pt->start &&
					       memcmp(&q->ft, &pt->ft, sizeof(q->ft)) == 0;

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
		if (pt_result_counts(&r[k]) && isfinite(get(&r[k])))
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
			if (pt_result_counts(&r[k]) && isfinite(r[k].metric[m]))
				buf[k2++] = r[k].metric[m];
		s->metric_med[m] = k2 ? pt_median(buf, (size_t)k2) : NAN;
	}
}

/* How bad a status is, for the point's: a timeout, crash or failure is
 * what the point says even when other repetitions went well; skipped only
 * when every row was. */
static int severity(enum pt_status st)
{
	switch (st) {
	case PT_ST_TIMEOUT:
		return 4;
	case PT_ST_CRASHED:
		return 3;
	case PT_ST_FAILED:
		return 2;
	case PT_ST_OK:
		return 1;
	case PT_ST_SKIPPED:
		return 0;
	default: /* not run */
		return -1;
	}
}

/* One point: its rows @r[0..nrows), in the order they ran. */
static void summarize_point(const struct pt_point *pt, const struct pt_result *r, int nrows,
			    double *buf, double *buf2, struct pt_point_summary *s)
{
	int n = 0;
	size_t out_w = 0, out_o = 0;

	memset(s, 0, sizeof(*s));
	s->status = PT_ST_NOT_RUN; /* until a row says otherwise */
	s->ref = -1;
	for (int k = 0; k < nrows; k++) {
		s->noise_flagged += r[k].noise_flag != 0;
		if (r[k].noise_flag == 1)
			continue; /* replaced by its re-run */
		s->n++;
		if (severity(r[k].status) > severity(s->status)) {
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
	summarize_medians(pt, r, nrows, buf, s);
	/* The CV of throughput when there is one, else of the wall time. */
	s->noisy = n >= 2 && (isfinite(s->ops_cv) ? s->ops_cv : s->wall_cv) > PT_NOISY_CV;
	/* The figure decisions compare: throughput, else time. */
	s->q_wall = !(isfinite(s->ops_med) && s->ops_med > 0);
	s->q_med = s->q_wall ? s->wall_med : s->ops_med;
	s->q_lo = s->q_wall ? s->wall_lo : s->ops_lo;
	s->q_hi = s->q_wall ? s->wall_hi : s->ops_hi;
	s->q_cv = s->q_wall ? s->wall_cv : s->ops_cv;
	s->ratio = s->ratio_lo = s->ratio_hi = NAN;
	s->decision = PT_DEC_UNDECIDED;
}

/* The counted figures of @pr: throughput, or time when @wall. */
static int samples(const struct pt_point_runs *pr, bool wall, double *x)
{
	int n = 0;

	for (int k = 0; k < pr->n; k++) {
		double v = wall ? pr->res[k].wall_s : pr->res[k].ops_per_s;

		if (pt_result_counts(&pr->res[k]) && isfinite(v) && v > 0)
			x[n++] = v;
	}
	return n;
}

/* Point @i against its reference, by the decision rule: paired by round
 * when there are enough pairs (a host speed change both met cancels; see
 * pt_paired_ratio_ci), else unpaired. */
static void decide(const struct pt_plan *plan, const struct pt_point_runs *pr, double band,
		   int i, double *a, double *b, struct pt_point_summary *out)
{
	struct pt_point_summary *s = &out[i];
	struct pt_ratio r;
	bool wall;
	int na, nb, ret;

	s->ref = pt_plan_ref(plan, i);
	/* A reference its workload cannot run under (event under serial) is
	 * no reference: no verdict, rather than an 'undecided' no repetition
	 * could ever settle. */
	if (s->ref >= 0 && out[s->ref].status == PT_ST_SKIPPED)
		s->ref = -1;
	if (s->ref < 0)
		return;
	wall = s->q_wall || out[s->ref].q_wall;
	s->pairs = pt_sched_pairs(&pr[i], &pr[s->ref], wall, a, b);
	if ((size_t)s->pairs >= pt_paired_min_pairs(PT_DECISION_LEVEL)) {
		s->paired = true;
		ret = pt_compare_paired(a, b, (size_t)s->pairs, !wall, band, &r);
	} else {
		na = samples(&pr[i], wall, a);
		nb = samples(&pr[s->ref], wall, b);
		ret = na && nb ? pt_compare_samples(a, (size_t)na, b, (size_t)nb, !wall, band, &r)
			       : -EINVAL;
	}
	if (ret == 0) {
		s->ratio = r.ratio;
		s->ratio_lo = r.lo;
		s->ratio_hi = r.hi;
		s->decision = r.decision;
	}
}

int pt_summaries(const struct pt_plan *plan, const struct pt_point_runs *pr, double band,
		 struct pt_point_summary *out)
{
	int most = 1;
	double *buf, *buf2;

	for (int i = 0; i < plan->npts; i++)
		most = pr[i].n > most ? pr[i].n : most;
	buf = calloc((size_t)most + 1, sizeof(double));
	buf2 = calloc((size_t)most + 1, sizeof(double));
	if (!buf || !buf2) {
		free(buf);
		free(buf2);
		return -ENOMEM;
	}
	for (int i = 0; i < plan->npts; i++)
		summarize_point(&pr[i].pt, pr[i].res, pr[i].n, buf, buf2, &out[i]);
	for (int i = 0; i < plan->npts; i++) {
		out[i].speedup_serial = ratio_to(plan, out, i, true);
		out[i].speedup_1 = ratio_to(plan, out, i, false);
		out[i].efficiency = out[i].speedup_1 / plan->pts[i].nworkers;
		decide(plan, pr, band, i, buf, buf2, out);
	}
	free(buf);
	free(buf2);
	return 0;
}

static void summary_header(FILE *f, const struct pt_columns *c)
{
	fputs("workload,model,workers,bind,switch_interval_us,check_interval,start,"
	      "cpu_neighbours,shared,"
	      "container,ft_tax_pct,n,n_ok,status,"
	      "wall_median_s,wall_ci_lo_s,wall_ci_hi_s,wall_cv,ops_per_s_median,"
	      "ops_per_s_ci_lo,ops_per_s_ci_hi,ops_per_s_cv,lat_p50_us,lat_p99_us,"
	      "user_median_s,sys_median_s,speedup_vs_serial,speedup_vs_1,efficiency,"
	      "gil_switches,gil_drop_requests,gil_wait_us,outliers,noisy,message,"
	      "quantity,q_median,q_ci_lo,q_ci_hi,q_cv,ref_model,ratio,ratio_lo,ratio_hi,"
	      "decision,band,partial,size,noise_flagged,paired,pairs",
	      f);
	for (int i = 0; i < c->nparam; i++)
		fprintf(f, ",%s", c->param[i]);
	for (int i = 0; i < c->nmetric; i++)
		fprintf(f, ",%s", c->metric[i]);
	fputc('\n', f);
}

/* The decision columns of contract 3. */
static void decision_cols(FILE *f, const struct pt_plan *plan, const struct pt_point_summary *p,
			  double band, bool partial)
{
	const char *ref = p->ref >= 0 ? pt_model_name(plan->pts[p->ref].model) : "";
	const double q[] = { p->q_med, p->q_lo, p->q_hi, p->q_cv };

	fprintf(f, ",%s", p->n_ok ? (p->q_wall ? "wall_s" : "ops_per_s") : "");
	for (size_t k = 0; k < sizeof(q) / sizeof(q[0]); k++)
		pt_csv_num(f, q[k]);
	fprintf(f, ",%s", ref);
	pt_csv_num(f, p->ratio);
	pt_csv_num(f, p->ratio_lo);
	pt_csv_num(f, p->ratio_hi);
	/* no reference, no verdict; too few repetitions: undecided */
	fprintf(f, ",%s,%g,%d", p->ref >= 0 ? pt_decision_name(p->decision) : "", band,
		partial ? 1 : 0);
}

static void summary_row(FILE *f, const struct pt_columns *c, const struct pt_plan *plan,
			const struct pt_point_runs *pr, const struct pt_point_summary *p,
			double band, bool partial)
{
	const struct pt_point *pt = &pr->pt;
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
	/* as results.csv: what tells a point beside CPU neighbours apart */
	fprintf(f, ",%d", pt->model == PT_MODEL_SERIAL ? 0 : pt->neighbours);
	pt_csv_num(f, pt->model == PT_MODEL_FT ? pt->ft.shared : NAN);
	pt_csv_u64(f, pt->ft.container, pt->model == PT_MODEL_FT);
	pt_csv_num(f, pt->model == PT_MODEL_FT ? pt->ft.tax_pct : NAN);
	fprintf(f, ",%d,%d,%s", p->n, p->n_ok, pt_status_name(p->status));
	for (size_t k = 0; k < sizeof(figures) / sizeof(figures[0]); k++)
		pt_csv_num(f, figures[k]);
	fprintf(f, ",%zu,%d,", p->outliers, p->noisy ? 1 : 0);
	pt_csv_field(f, p->msg && p->status != PT_ST_OK ? p->msg : "");
	decision_cols(f, plan, p, band, partial);
	pt_csv_u64(f, pt->size, pt->size > 0);
	fprintf(f, ",%d", p->noise_flagged);
	/* which rule decided: 1 paired by round, 0 unpaired; empty: no ref */
	if (p->ref >= 0)
		fprintf(f, ",%d,%d", p->paired ? 1 : 0, p->pairs);
	else
		fputs(",,", f);
	pt_csv_params_metrics(f, c, pt, p->metric_med);
}

int pt_write_summary(const char *dir, const struct pt_columns *c, const struct pt_plan *plan,
		     const struct pt_point_runs *pr, const struct pt_point_summary *s,
		     double band, bool partial)
{
	struct pt_tmp t;
	int ret = pt_tmp_open(&t, dir, "summary.csv");

	if (ret)
		return ret;
	summary_header(t.f, c);
	for (int i = 0; i < plan->npts; i++)
		summary_row(t.f, c, plan, &pr[i], &s[i], band, partial);
	return pt_tmp_commit(&t);
}

void pt_warn_short_reps(const struct pt_plan *plan, const struct pt_point_runs *pr,
			const struct pt_point_summary *s)
{
	for (int i = 0; i < plan->npts; i++) {
		const struct pt_point *pt = &pr[i].pt;
		const char *key = pt->wl->size;
		const struct pt_pval *v = key ? pt_params_find(&pt->params, key) : NULL;
		double mid = (PT_TARGET_LO_S + PT_TARGET_HI_S) / 2;

		if (!s[i].n_ok || !(s[i].wall_med < PT_REP_WARN_S))
			continue;
		if (v && s[i].wall_med > 0)
			pt_warn("%s %s n=%d: a repetition takes %.2g ms, under %.0f ms (below what "
				"the clock and the harness resolve well): try -p %s=%.0f",
				pt->wl->name, pt_model_name(pt->model), pt->nworkers,
				s[i].wall_med * 1e3, PT_REP_WARN_S * 1e3, key,
				ceil((double)v->i * mid / s[i].wall_med));
		else
			pt_warn("%s %s n=%d: a repetition takes %.2g ms, under %.0f ms (below what "
				"the clock and the harness resolve well): give it a larger size",
				pt->wl->name, pt_model_name(pt->model), pt->nworkers,
				s[i].wall_med * 1e3, PT_REP_WARN_S * 1e3);
	}
}
