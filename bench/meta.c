// SPDX-License-Identifier: MIT
// meta.json: the machine, the build, the run.
#include "meta.h"

#include "error.h"
#include "files.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
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

static json_t *file_line(const char *path)
{
	char buf[512];
	const char *s = read_line_file(path, buf, sizeof(buf));

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

static json_t *machine_json(const struct pt_topo *topo)
{
	json_t *machine = topo ? pt_topo_json(topo) : json_object();
	struct utsname u;
	char buf[512], host[256] = "";

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
			    file_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"));
	json_object_set_new(machine, "smt_control",
			    file_line("/sys/devices/system/cpu/smt/control"));
	json_object_set_new(machine, "aslr", file_line("/proc/sys/kernel/randomize_va_space"));
	json_object_set_new(machine, "online_cpus", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
	return machine;
}

/* Every parameter of every selected workload, defaults included, with the
 * swept values where -p gave several. */
static json_t *params_json(const struct pt_opts *o)
{
	json_t *params = json_object();

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
	return params;
}

static json_t *run_json(const struct pt_opts *o, const struct pt_plan *plan, int argc,
			char **argv)
{
	json_t *cmd = json_array(), *models = json_array(), *workers = json_array(),
	       *binds = json_array(), *intervals = json_array(), *checks = json_array();
	time_t now = time(NULL);
	char date[64];
	struct tm tm;

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
	for (int i = 0; i < o->intervals.n; i++)
		json_array_append_new(intervals, json_integer(o->intervals.v[i]));
	for (int i = 0; i < o->checks.n; i++)
		json_array_append_new(checks, json_integer(o->checks.v[i]));
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:i, s:i, s:i, s:b, s:o, s:o}",
			 "date", date, "command_line", cmd, "models", models, "workers", workers,
			 "bind", binds, "switch_interval_us", intervals, "check_interval", checks,
			 "cpu_neighbours", o->neighbours, "repeat", plan->repeat, "warmup",
			 plan->warmup, "quick", o->quick,
			 "timeout_s", o->timeout_s > 0 ? json_real(o->timeout_s) : json_null(),
			 "parameters", params_json(o));
}

json_t *pt_meta_build(const struct pt_topo *topo, const struct pt_opts *o,
		      const struct pt_plan *plan, int argc, char **argv)
{
	json_t *meta = json_object();
	json_t *build = json_pack("{s:s, s:s, s:s, s:s}", "version", PT_VERSION, "compiler",
				  PT_CC, "cflags", PT_CFLAGS, "git_revision", PT_GIT_REV);
	json_t *run = run_json(o, plan, argc, argv), *starts = json_array();

	for (int i = 0; i < o->nstarts; i++)
		json_array_append_new(starts, json_string(o->starts[i]->name));
	if (!o->nstarts)
		json_array_append_new(starts, json_string(pt_start_fork.name));
	json_object_set_new(run, "start", starts);
	if (!meta || !build || !run) {
		json_decref(meta);
		json_decref(build);
		json_decref(run);
		return NULL;
	}
	json_object_set_new(meta, "machine", machine_json(topo));
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

int pt_meta_write(const char *dir, json_t *meta)
{
	struct pt_tmp t;
	int ret = pt_tmp_open(&t, dir, "meta.json");

	if (ret)
		return ret;
	if (json_dumpf(meta, t.f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
		pt_tmp_abort(&t);
		return -EIO;
	}
	fputc('\n', t.f);
	return pt_tmp_commit(&t);
}
