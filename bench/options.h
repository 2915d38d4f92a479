/* SPDX-License-Identifier: MIT */
/* The options of `ptbench run`: one table of them (name, value, help, a
 * typed setter and the field it sets), parsed into struct pt_opts. Parsing
 * returns what to do (run, help, version) or an error message; it never
 * exits. The first stage of the driver's pipeline:
 * options -> suite -> plan -> run -> results. */
#ifndef PT_OPTIONS_H
#define PT_OPTIONS_H

#include "param.h"
#include "start.h"
#include "topo.h"
#include "workload.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define PT_MAX_LIST 64
#define PT_MAX_PSETS 16
#define PT_MAX_STARTS 3

/* A list of whole numbers (intervals, ticks). */
struct pt_ulist {
	unsigned v[PT_MAX_LIST];
	int n;
};

/* -p KEY=V1,V2: a parameter and the values it sweeps. */
struct pt_pset {
	char key[PT_PARAM_STR_LEN];
	char *vals[PT_MAX_LIST];
	int nvals;
};

struct pt_opts {
	const struct pt_workload *wl[PT_MAX_LIST];
	int nwl;
	enum pt_model models[PT_MODEL_COUNT];
	int nmodels;
	int workers[PT_MAX_LIST]; /* resolved from workers_arg after parsing */
	int nworkers;
	const char *workers_arg;  /* -n as given */
	enum pt_bind binds[PT_BIND_COUNT];
	int nbinds;
	struct pt_ulist intervals; /* --switch-interval, us */
	struct pt_ulist checks;	   /* --check-interval, ticks */
	const struct pt_start_method *starts[PT_MAX_STARTS]; /* --start (procs) */
	int nstarts;
	double shared[PT_MAX_LIST]; /* --shared fractions (ft) */
	int nshared;
	unsigned containers[2];	    /* --container 0,1 (ft) */
	int ncontainers;
	double ft_tax_pct;	    /* --ft-tax (ft) */
	struct pt_pset pset[PT_MAX_PSETS];
	int npsets;
	int repeat, warmup;
	int neighbours;	  /* --cpu-neighbours */
	double timeout_s; /* 0: derived from the plan */
	const char *out;
	bool quick, quiet, force, dry_run;
	double budget_s;	   /* --budget; 0: none given */
	double rep_lo_s, rep_hi_s; /* --rep-time: a repetition's target */
	bool rep_time_given;
	double band;		   /* --band: the decision rule's, a fraction */
	unsigned long long seed;   /* --seed */
	bool seed_given;
	/* What the user gave; the default suite fills in the rest. */
	bool suite; /* no -w: every workload, each as its suite spec says */
	bool workers_given, binds_given, repeat_given, warmup_given, models_given;
};

/* One item of a list: 0, or -EINVAL with a message naming it in @err. */
typedef int (*pt_item_fn)(const char *item, void *arg, char *err, size_t errlen);

/* One option of the table. @set parses @arg into the field at offset
 * @field of struct pt_opts (and sets the bool at @given, when not 0);
 * it returns 0 or -EINVAL with a message naming the bad value in @err. */
struct pt_optdef {
	const char *name; /* long name */
	int key;	  /* its short letter, or a value >= 256 */
	const char *arg;  /* name of its value in --help; NULL: takes none */
	const char *help; /* '\n' starts a continuation line */
	int (*set)(struct pt_opts *o, const struct pt_optdef *d, const char *arg, char *err,
		   size_t errlen);
	size_t field, given;
	double min, max; /* counts and numbers */
	const char *unit; /* of a list of numbers, for messages */
	/* A list option's item setter: the options' one list setter splits
	 * the value at commas and hands it each item. */
	pt_item_fn item;
};
/* The table, terminated by an entry without a name. */
extern const struct pt_optdef pt_run_options[];

/* The option's name for messages: "-r/--repeat" or "--warmup". */
const char *pt_opt_what(const struct pt_optdef *d, char *buf, size_t n);
/* The "run options:" part of --help, from the table. */
void pt_opts_usage(FILE *f);

enum pt_parse { PT_PARSE_RUN, PT_PARSE_HELP, PT_PARSE_VERSION, PT_PARSE_ERROR };

/* Sets the defaults of every option. */
void pt_opts_defaults(struct pt_opts *o);
/* Parses the options of `run` (argv[0] is "run") into @o, which holds the
 * defaults. @topo gives `-n auto`. PT_PARSE_ERROR comes with a message
 * naming the bad option or value in @err (bad usage: exit status 2). */
enum pt_parse pt_opts_parse(struct pt_opts *o, int argc, char **argv,
			    const struct pt_topo *topo, char *err, size_t errlen);
void pt_opts_free(struct pt_opts *o);

/* Parses a worker list ("1,2,4", "1-8", "auto"); 0 or -EINVAL with @err. */
int pt_parse_workers(const char *s, const struct pt_topo *topo, int *out, int max, int *n,
		     char *err, size_t errlen);

/* Splits @s at commas into @fn(item) calls; an empty list or item, or an
 * item @fn refuses, is -EINVAL with a message in @err starting with @what. */
int pt_for_each_item(const char *what, const char *s, pt_item_fn fn, void *arg, char *err,
		     size_t errlen);

#endif
