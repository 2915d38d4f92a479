// SPDX-License-Identifier: MIT
// The option table of `ptbench run`: every list option goes through the one
// list setter, so each refuses an empty item and names itself alike.
#include "options.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static enum pt_parse parse(struct pt_opts *o, const char *opt, const char *val, char *err,
			   size_t errlen)
{
	const char *argv[] = { "run", opt, val, "-n", "1", NULL };

	pt_opts_defaults(o);
	/* getopt's prototype predates const; it only permutes the pointers. */
	return pt_opts_parse(o, 5, (char **)(uintptr_t)argv, NULL, err, errlen);
}

/* Duplicates finding D1: -w, -m, -b, --start, --shared, --container and the
 * interval lists each had their own setter around pt_for_each_item. Now the
 * table gives each an item setter and all share one list setter: the same
 * set function, and the same messages for an empty item or list. */
Test(options, list_options_share_one_setter, .timeout = 10)
{
	const struct pt_optdef *list_set = NULL;
	int nlists = 0;

	for (const struct pt_optdef *d = pt_run_options; d->name; d++) {
		struct pt_opts o;
		char opt[64], what[64], err[512];

		if (!d->item)
			continue;
		nlists++;
		if (!list_set)
			list_set = d;
		cr_assert_eq((void *)d->set, (void *)list_set->set,
			     "--%s has a setter of its own", d->name);
		cr_assert_not_null(d->arg, "--%s takes a list", d->name);
		snprintf(opt, sizeof(opt), "--%s", d->name);
		pt_opt_what(d, what, sizeof(what));
		err[0] = '\0';
		cr_assert_eq(parse(&o, opt, "a,,b", err, sizeof(err)), PT_PARSE_ERROR, "%s", opt);
		cr_assert(strstr(err, what) && strstr(err, "empty item in 'a,,b'"), "%s: %s", opt,
			  err);
		pt_opts_free(&o);
		cr_assert_eq(parse(&o, opt, "", err, sizeof(err)), PT_PARSE_ERROR, "%s", opt);
		cr_assert(strstr(err, what) && strstr(err, "empty list"), "%s: %s", opt, err);
		pt_opts_free(&o);
	}
	/* -w -m -b --start --shared --container --switch-interval
	 * --check-interval */
	cr_assert_eq(nlists, 8);
}

/* An item setter still names the bad item and keeps its own checks. */
Test(options, list_items_checked_and_deduplicated, .timeout = 10)
{
	struct pt_opts o;
	char err[512];

	cr_assert_eq(parse(&o, "--switch-interval", "100,5000,100", err, sizeof(err)),
		     PT_PARSE_RUN, "%s", err);
	cr_assert_eq(o.intervals.n, 2);
	cr_assert_eq(o.intervals.v[0], 100);
	cr_assert_eq(o.intervals.v[1], 5000);
	pt_opts_free(&o);
	cr_assert_eq(parse(&o, "--check-interval", "7,0", err, sizeof(err)), PT_PARSE_ERROR);
	cr_assert(strstr(err, "--check-interval") && strstr(err, "'0'") && strstr(err, "ticks"),
		  "%s", err);
	pt_opts_free(&o);
	cr_assert_eq(parse(&o, "-m", "gil,threads,gil", err, sizeof(err)), PT_PARSE_RUN, "%s",
		     err);
	cr_assert_eq(o.nmodels, 2);
	pt_opts_free(&o);
	cr_assert_eq(parse(&o, "-w", "sleep,countdown,sleep", err, sizeof(err)), PT_PARSE_RUN, "%s",
		     err);
	cr_assert_eq(o.nwl, 2);
	pt_opts_free(&o);
	cr_assert_eq(parse(&o, "--start", "spawn,fork,spawn", err, sizeof(err)), PT_PARSE_RUN, "%s",
		     err);
	cr_assert_eq(o.nstarts, 2);
	pt_opts_free(&o);
	cr_assert_eq(parse(&o, "--container", "1,0,1", err, sizeof(err)), PT_PARSE_RUN, "%s", err);
	cr_assert_eq(o.ncontainers, 2);
	pt_opts_free(&o);
	cr_assert_eq(parse(&o, "--shared", "0.5,0.5,1", err, sizeof(err)), PT_PARSE_RUN, "%s", err);
	cr_assert_eq(o.nshared, 2);
	pt_opts_free(&o);
	cr_assert_eq(parse(&o, "--shared", "0.5,2", err, sizeof(err)), PT_PARSE_ERROR);
	cr_assert(strstr(err, "--shared") && strstr(err, "'2'"), "%s", err);
	pt_opts_free(&o);
}
