// SPDX-License-Identifier: MIT
// results.csv, summary.csv, meta.json and the terminal table.
#include "output.h"

#include "error.h"
#include "stats.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "gitrev.h"

#ifndef PT_CC
#define PT_CC "unknown"
#endif
#ifndef PT_CFLAGS
#define PT_CFLAGS "unknown"
#endif
#ifndef PT_VERSION
#define PT_VERSION "0.1.0"
#endif

static const char *const base_cols[] = {
	"workload", "model", "workers", "bind", "rep", "status", "wall_s", "user_s",
	"sys_s", "ops", "ops_per_s", "lat_p50_us", "lat_p99_us", "nvcsw", "nivcsw",
	"ops_min", "ops_max", "switch_interval_us", "check_interval", "start", "cpu_neighbours",
	"gil_acquisitions",
	"gil_switches", "gil_drop_requests", "gil_wait_us", "gil_wait_max_us",
	"bind_failed", "message",
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

/* A number, or an empty field where it does not apply. */
static void num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, ",%.9g", v);
	else
		fputc(',', f);
}

static void u64(FILE *f, uint64_t v, bool present)
{
	if (present)
		fprintf(f, ",%" PRIu64, v);
	else
		fputc(',', f);
}

void pt_csv_row(FILE *f, const struct pt_columns *c, const struct pt_point *pt, int rep,
		const struct pt_result *r)
{
	bool ran = r->status != PT_ST_SKIPPED && r->status != PT_ST_TIMEOUT && isfinite(r->wall_s);
	bool gil = pt_model_has_gil(pt->model) && ran;

	fprintf(f, "%s,%s,%d,%s,%d,%s", pt->wl->name, pt_model_name(pt->model), pt->nworkers,
		pt_bind_name(pt->bind), rep, pt_status_name(r->status));
	num(f, r->wall_s);
	num(f, r->user_s);
	num(f, r->sys_s);
	u64(f, r->ops, ran);
	num(f, r->ops_per_s);
	num(f, r->lat_p50_us);
	num(f, r->lat_p99_us);
	u64(f, r->nvcsw, ran);
	u64(f, r->nivcsw, ran);
	u64(f, r->ops_min, ran);
	u64(f, r->ops_max, ran);
	u64(f, pt->switch_interval_us, pt->model == PT_MODEL_GIL);
	u64(f, pt->check_interval, pt->model == PT_MODEL_GIL_OLD);
	fprintf(f, ",%s", pt->start ? pt->start->name : "");
	u64(f, pt->model == PT_MODEL_SERIAL ? 0 : (uint64_t)pt->neighbours, true);
	u64(f, r->gil.acquisitions, gil);
	u64(f, r->gil.switches, gil);
	u64(f, r->gil.drop_requests, gil);
	num(f, gil ? (double)r->gil.wait_ns / 1e3 : NAN);
	num(f, gil ? (double)r->gil.wait_max_ns / 1e3 : NAN);
	u64(f, (uint64_t)r->bind_failed, ran && pt->bind != PT_BIND_NONE);
	fputc(',', f);
	pt_csv_field(f, r->msg);
	for (int i = 0; i < c->nparam; i++) {
		const struct pt_pval *v = pt_params_find(&pt->params, c->param[i]);

		fputc(',', f);
		if (v)
			pt_csv_field(f, v->str);
	}
	for (int i = 0; i < c->nmetric; i++) {
		int k = pt_workload_metric(pt->wl, c->metric[i]);

		num(f, k >= 0 ? r->metric[k] : NAN);
	}
	fputc('\n', f);
}

/* --- summaries --- */

static bool same_but(const struct pt_point *a, const struct pt_point *b, bool model,
		     bool workers)
{
	return a->wl == b->wl && a->bind == b->bind &&
	       (!model || a->model == b->model) && (!workers || a->nworkers == b->nworkers) &&
	       memcmp(&a->params, &b->params, sizeof(a->params)) == 0;
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

void pt_summaries(const struct pt_plan *plan, int repeat, const struct pt_result *res,
		  const bool *done, struct pt_point_summary *out)
{
	double *buf = calloc((size_t)repeat + 1, sizeof(double));
	double *buf2 = calloc((size_t)repeat + 1, sizeof(double));

	if (!buf || !buf2)
		pt_fatal("out of memory");
	for (int i = 0; i < plan->npts; i++) {
		const struct pt_result *r = &res[(size_t)i * (size_t)repeat];
		struct pt_point_summary *s = &out[i];
		int n = 0;
		size_t out_w = 0, out_o = 0;

		memset(s, 0, sizeof(*s));
		s->status = PT_ST_OK;
		for (int k = 0; k < repeat; k++) {
			if (!done[(size_t)i * (size_t)repeat + (size_t)k])
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
		s->lat50_med = med_of(r, repeat, get_lat50, buf);
		s->lat99_med = med_of(r, repeat, get_lat99, buf);
		s->user_med = med_of(r, repeat, get_user, buf);
		s->sys_med = med_of(r, repeat, get_sys, buf);
		s->gil_wait_us_med = pt_model_has_gil(plan->pts[i].model) ? med_of(r, repeat, get_gwait, buf) : NAN;
		s->gil_switches_med = pt_model_has_gil(plan->pts[i].model) ? med_of(r, repeat, get_gsw, buf) : NAN;
		s->gil_drops_med = pt_model_has_gil(plan->pts[i].model) ? med_of(r, repeat, get_gdrop, buf) : NAN;
		for (int m = 0; m < PT_MAX_METRICS; m++) {
			int k2 = 0;

			for (int k = 0; k < repeat; k++)
				if (r[k].status == PT_ST_OK && isfinite(r[k].metric[m]))
					buf[k2++] = r[k].metric[m];
			s->metric_med[m] = k2 ? pt_median(buf, (size_t)k2) : NAN;
		}
		/* The CV of throughput when there is one, else of the wall time. */
		s->noisy = n >= 2 && (isfinite(s->ops_cv) ? s->ops_cv : s->wall_cv) > PT_NOISY_CV;
	}
	for (int i = 0; i < plan->npts; i++) {
		out[i].speedup_serial = ratio_to(plan, out, i, true);
		out[i].speedup_1 = ratio_to(plan, out, i, false);
		out[i].efficiency = out[i].speedup_1 / plan->pts[i].nworkers;
	}
	free(buf);
	free(buf2);
}

static FILE *open_tmp(const char *dir, const char *name, char *tmp, size_t n)
{
	int fd;

	snprintf(tmp, n, "%s/.%s.XXXXXX", dir, name);
	fd = mkstemp(tmp);
	if (fd < 0)
		return NULL;
	/* mkstemp makes it 0600; results are for reading by others too. */
	if (fchmod(fd, 0644) != 0) {
		close(fd);
		unlink(tmp);
		return NULL;
	}
	return fdopen(fd, "w");
}

/* fsync, close, rename: the file appears whole or not at all. */
static int commit_tmp(FILE *f, const char *tmp, const char *dir, const char *name)
{
	char path[4096];
	int bad = ferror(f);

	bad |= fflush(f) != 0;
	bad |= fsync(fileno(f)) != 0;
	bad |= fclose(f) != 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (bad || rename(tmp, path) != 0) {
		int e = errno ? errno : EIO;

		unlink(tmp);
		return -e;
	}
	return 0;
}

int pt_write_summary(const char *dir, const struct pt_columns *c, const struct pt_plan *plan,
		     const struct pt_point_summary *s)
{
	char tmp[4096];
	FILE *f = open_tmp(dir, "summary.csv", tmp, sizeof(tmp));

	if (!f)
		return -errno;
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
	for (int i = 0; i < plan->npts; i++) {
		const struct pt_point *pt = &plan->pts[i];
		const struct pt_point_summary *p = &s[i];

		fprintf(f, "%s,%s,%d,%s", pt->wl->name, pt_model_name(pt->model), pt->nworkers,
			pt_bind_name(pt->bind));
		u64(f, pt->switch_interval_us, pt->model == PT_MODEL_GIL);
		u64(f, pt->check_interval, pt->model == PT_MODEL_GIL_OLD);
		fprintf(f, ",%s", pt->start ? pt->start->name : "");
		fprintf(f, ",%d,%d,%s", p->n, p->n_ok, pt_status_name(p->status));
		num(f, p->wall_med);
		num(f, p->wall_lo);
		num(f, p->wall_hi);
		num(f, p->wall_cv);
		num(f, p->ops_med);
		num(f, p->ops_lo);
		num(f, p->ops_hi);
		num(f, p->ops_cv);
		num(f, p->lat50_med);
		num(f, p->lat99_med);
		num(f, p->user_med);
		num(f, p->sys_med);
		num(f, p->speedup_serial);
		num(f, p->speedup_1);
		num(f, p->efficiency);
		num(f, p->gil_switches_med);
		num(f, p->gil_drops_med);
		num(f, p->gil_wait_us_med);
		fprintf(f, ",%zu,%d,", p->outliers, p->noisy ? 1 : 0);
		pt_csv_field(f, p->msg && p->status != PT_ST_OK ? p->msg : "");
		for (int k = 0; k < c->nparam; k++) {
			const struct pt_pval *v = pt_params_find(&pt->params, c->param[k]);

			fputc(',', f);
			if (v)
				pt_csv_field(f, v->str);
		}
		for (int k = 0; k < c->nmetric; k++) {
			int m = pt_workload_metric(pt->wl, c->metric[k]);

			num(f, m >= 0 ? p->metric_med[m] : NAN);
		}
		fputc('\n', f);
	}
	return commit_tmp(f, tmp, dir, "summary.csv");
}

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

void pt_print_table(FILE *f, const struct pt_plan *plan,
		    const struct pt_point_summary *s)
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

/* --- meta.json --- */

static char *read_line_file(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");
	char *nl;

	if (!f)
		return NULL;
	if (!fgets(buf, (int)n, f)) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	return buf;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *cpu_model(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	if (!f)
		return json_null();
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) == 0 && colon) {
			char *nl = strchr(colon, '\n');

			if (nl)
				*nl = '\0';
			fclose(f);
			return json_string(colon + 2);
		}
	}
	fclose(f);
	return json_null();
}

json_t *pt_meta_build(const struct pt_topo *topo, const struct pt_opts *o, int argc,
		      char **argv)
{
	json_t *meta = json_object(), *machine, *build, *run, *cmd = json_array(),
	       *params = json_object(), *models = json_array(), *workers = json_array(),
	       *binds = json_array(), *intervals = json_array(), *checks = json_array();
	struct utsname u;
	char buf[512], date[64], host[256] = "";
	time_t now = time(NULL);
	struct tm tm;

	machine = topo ? pt_topo_json(topo) : json_object();
	if (!machine)
		machine = json_object();
	if (json_is_null(json_object_get(machine, "cpu_model")) ||
	    !json_object_get(machine, "cpu_model"))
		json_object_set_new(machine, "cpu_model", cpu_model());
	if (uname(&u) == 0) {
		snprintf(buf, sizeof(buf), "%s %s %s", u.sysname, u.release, u.machine);
		json_object_set_new(machine, "kernel", json_string(buf));
	}
	gethostname(host, sizeof(host) - 1);
	json_object_set_new(machine, "hostname", json_string(host));
	json_object_set_new(machine, "governor",
			    str_or_null(read_line_file("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", buf, sizeof(buf))));
	json_object_set_new(machine, "smt_control",
			    str_or_null(read_line_file("/sys/devices/system/cpu/smt/control", buf, sizeof(buf))));
	json_object_set_new(machine, "aslr",
			    str_or_null(read_line_file("/proc/sys/kernel/randomize_va_space", buf, sizeof(buf))));
	json_object_set_new(machine, "online_cpus", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));

	build = json_pack("{s:s, s:s, s:s, s:s}", "version", PT_VERSION, "compiler", PT_CC,
			  "cflags", PT_CFLAGS, "git_revision", PT_GIT_REV);

	for (int i = 0; i < argc; i++)
		json_array_append_new(cmd, json_string(argv[i]));
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (int i = 0; i < o->nmodels; i++)
		json_array_append_new(models, json_string(pt_model_name(o->models[i])));
	for (int i = 0; i < o->nworkers; i++)
		json_array_append_new(workers, json_integer(o->workers[i]));
	for (int i = 0; i < o->nbinds; i++)
		json_array_append_new(binds, json_string(pt_bind_name(o->binds[i])));
	for (int i = 0; i < o->nintervals; i++)
		json_array_append_new(intervals, json_integer(o->intervals[i]));
	for (int i = 0; i < o->nchecks; i++)
		json_array_append_new(checks, json_integer(o->checks[i]));
	/* Every parameter of every selected workload, defaults included, with
	 * the swept values where -p gave several. */
	for (int i = 0; i < o->nwl; i++) {
		json_t *wp = json_object();

		for (const struct pt_param_def *d = o->wl[i]->params; d && d->name; d++) {
			json_t *vals = NULL;

			for (int k = 0; k < o->npsets; k++) {
				if (strcmp(o->pset[k].key, d->name))
					continue;
				vals = json_array();
				for (int j = 0; j < o->pset[k].nvals; j++)
					json_array_append_new(vals, json_string(o->pset[k].vals[j]));
			}
			if (!vals)
				vals = json_string(o->quick && d->quick ? d->quick : d->def);
			json_object_set_new(wp, d->name, vals);
		}
		json_object_set_new(params, o->wl[i]->name, wp);
	}
	run = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:i, s:i, s:i, s:b, s:o, s:o}",
			"date", date, "command_line", cmd, "models", models, "workers", workers,
			"bind", binds, "switch_interval_us", intervals, "check_interval", checks,
			"cpu_neighbours", o->neighbours,
			"repeat", o->repeat, "warmup", o->warmup, "quick", o->quick,
			"timeout_s", o->timeout_s > 0 ? json_real(o->timeout_s) : json_null(),
			"parameters", params);
	{
		json_t *starts = json_array();

		for (int i = 0; i < o->nstarts; i++)
			json_array_append_new(starts, json_string(o->starts[i]->name));
		if (!o->nstarts)
			json_array_append_new(starts, json_string(pt_start_fork.name));
		json_object_set_new(run, "start", starts);
	}
	json_object_set_new(meta, "machine", machine);
	json_object_set_new(meta, "build", build);
	json_object_set_new(meta, "run", run);
	json_object_set_new(meta, "warnings", json_array());
	return meta;
}

void pt_meta_warnings(json_t *meta, bool quiet)
{
	json_t *machine = json_object_get(meta, "machine"), *warn = json_object_get(meta, "warnings");
	const char *gov = json_string_value(json_object_get(machine, "governor"));
	double load[1];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	char msg[256];

	if (gov && strcmp(gov, "performance") != 0) {
		snprintf(msg, sizeof(msg),
			 "CPU frequency governor is '%s', not 'performance': clock speed may vary", gov);
		json_array_append_new(warn, json_string(msg));
	}
	/* Another heavy process: the load average before the run starts. */
	if (getloadavg(load, 1) == 1 && ncpu > 0 && load[0] > 0.5 * (double)ncpu) {
		snprintf(msg, sizeof(msg),
			 "load average %.2f on %ld CPUs before the run: other processes compete for them",
			 load[0], ncpu);
		json_array_append_new(warn, json_string(msg));
	}
	if (!quiet) {
		size_t i;
		json_t *w;

		json_array_foreach(warn, i, w)
			pt_warn("%s", json_string_value(w));
	}
}

int pt_write_json_atomic(const char *dir, const char *name, json_t *j)
{
	char tmp[4096];
	FILE *f = open_tmp(dir, name, tmp, sizeof(tmp));

	if (!f)
		return -errno;
	if (json_dumpf(j, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
		fclose(f);
		unlink(tmp);
		return -EIO;
	}
	fputc('\n', f);
	return commit_tmp(f, tmp, dir, name);
}
