// SPDX-License-Identifier: MIT
// The plan and the table of results, for the terminal.
#include "table.h"

#include <math.h>
#include <string.h>

void pt_point_label(const struct pt_point *pt, char *buf, size_t n)
{
	size_t used = 0;

	buf[0] = '\0';
	/* The parameters that differ from their default: what was swept or set. */
	for (int k = 0; k < pt->params.n && used < n; k++) {
		const struct pt_pval *v = &pt->params.v[k];
		const char *def = pt->quick && v->def->quick ? v->def->quick : v->def->def;

		if (strcmp(v->str, def) != 0)
			used += (size_t)snprintf(buf + used, n - used, "%s%s=%s", used ? " " : "",
						 v->def->name, v->str);
	}
	if (pt->model == PT_MODEL_GIL && used < n)
		used += (size_t)snprintf(buf + used, n - used, "%sinterval=%uus", used ? " " : "",
					 pt->switch_interval_us);
	if (pt->model == PT_MODEL_GIL_OLD && pt->check_interval != PT_GIL_DEFAULT_CHECK && used < n)
		used += (size_t)snprintf(buf + used, n - used, "%scheck=%u", used ? " " : "",
					 pt->check_interval);
	if (pt->start && pt->start != &pt_start_fork && used < n)
		used += (size_t)snprintf(buf + used, n - used, "%sstart=%s", used ? " " : "",
					 pt->start->name);
	if (pt->bind != PT_BIND_NONE && used < n)
		snprintf(buf + used, n - used, "%sbind=%s", used ? " " : "", pt_bind_name(pt->bind));
}

void pt_print_plan(FILE *f, const struct pt_plan *plan)
{
	fprintf(f, "%d points, %d repetitions (%d measured + %d warmup each)\n", plan->npts,
		plan->njobs, plan->repeat, plan->warmup);
	for (int i = 0; i < plan->npts; i++) {
		const struct pt_point *pt = &plan->pts[i];
		const char *skip = pt_workload_skip_reason(pt->wl, pt->model, pt->nworkers);
		char label[128];

		pt_point_label(pt, label, sizeof(label));
		fprintf(f, "  %-10s %-8s n=%-4d bind=%-8s %s%s%s\n", pt->wl->name,
			pt_model_name(pt->model), pt->nworkers, pt_bind_name(pt->bind), label,
			skip ? "  skipped: " : "", skip ? skip : "");
	}
}

/* @v with @prec digits (%g style when @g), then @suffix; "-" when not finite. */
static void fmt_num(char *buf, size_t n, double v, int prec, bool g, const char *suffix)
{
	if (!isfinite(v))
		snprintf(buf, n, "-");
	else if (g)
		snprintf(buf, n, "%.*g%s", prec, v, suffix);
	else
		snprintf(buf, n, "%.*f%s", prec, v, suffix);
}

void pt_print_table(FILE *f, const struct pt_plan *plan, const struct pt_point_summary *s)
{
	fprintf(f, "%-10s %-8s %4s %-22s %10s %8s %12s %9s %6s  %s\n", "workload", "model",
		"n", "params", "wall_s", "+-ci%", "ops/s", "vs_serial", "cv%", "");
	for (int i = 0; i < plan->npts; i++) {
		const struct pt_point *pt = &plan->pts[i];
		const struct pt_point_summary *p = &s[i];
		char label[128], wall[32], ci[32], ops[32], sp[32], cv[32];

		pt_point_label(pt, label, sizeof(label));
		if (p->status == PT_ST_SKIPPED || !p->n_ok) {
			fprintf(f, "%-10s %-8s %4d %-22s %s: %s\n", pt->wl->name,
				pt_model_name(pt->model), pt->nworkers, label,
				pt_status_name(p->status), p->msg ? p->msg : "");
			continue;
		}
		fmt_num(wall, sizeof(wall), p->wall_med, 4, false, "");
		fmt_num(ci, sizeof(ci), 100.0 * (p->wall_hi - p->wall_lo) / 2.0 / p->wall_med, 1,
			false, "");
		fmt_num(ops, sizeof(ops), p->ops_med, 4, true, "");
		fmt_num(sp, sizeof(sp), p->speedup_serial, 2, false, "x");
		fmt_num(cv, sizeof(cv), 100.0 * (isfinite(p->ops_cv) ? p->ops_cv : p->wall_cv), 1,
			false, "");
		fprintf(f, "%-10s %-8s %4d %-22s %10s %8s %12s %9s %6s  %s%s\n", pt->wl->name,
			pt_model_name(pt->model), pt->nworkers, label, wall, ci, ops, sp, cv,
			p->noisy ? "noisy" : "",
			p->status != PT_ST_OK ? pt_status_name(p->status) : "");
	}
}

/* At most this many decided points are listed; the counts cover all. */
#define PT_VERDICT_LINES 12

void pt_print_verdicts(FILE *f, const struct pt_plan *plan, const struct pt_point_summary *s,
		       double band)
{
	int count[4] = { 0 }, listed = 0, judged = 0;

	for (int i = 0; i < plan->npts; i++)
		if (s[i].ref >= 0) {
			count[s[i].decision]++;
			judged++;
		}
	if (!judged)
		return;
	fprintf(f,
		"decisions (95%% interval of the speed ratio against its reference, band "
		"+-%g%%): %d faster, %d slower, %d tie, %d undecided\n",
		band * 100, count[PT_DEC_FASTER], count[PT_DEC_SLOWER], count[PT_DEC_TIE],
		count[PT_DEC_UNDECIDED]);
	for (int i = 0; i < plan->npts && listed < PT_VERDICT_LINES; i++) {
		const struct pt_point *pt = &plan->pts[i];
		char label[128];

		if (s[i].ref < 0 ||
		    (s[i].decision != PT_DEC_FASTER && s[i].decision != PT_DEC_SLOWER))
			continue;
		pt_point_label(pt, label, sizeof(label));
		fprintf(f, "  %s n=%d%s%s: %s %s than %s, %.3gx [%.3g, %.3g]\n", pt->wl->name,
			pt->nworkers, *label ? " " : "", label, pt_model_name(pt->model),
			pt_decision_name(s[i].decision),
			pt_model_name(plan->pts[s[i].ref].model), s[i].ratio, s[i].ratio_lo,
			s[i].ratio_hi);
		listed++;
	}
	if (count[PT_DEC_FASTER] + count[PT_DEC_SLOWER] > listed)
		fprintf(f, "  ... and %d more in summary.csv\n",
			count[PT_DEC_FASTER] + count[PT_DEC_SLOWER] - listed);
}
