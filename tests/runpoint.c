// SPDX-License-Identifier: MIT
// Tests: one repetition of a point in this process, parameters as strings.
#include "runpoint.h"

#include <criterion/criterion.h>
#include <string.h>

enum pt_status pt_test_run_kv(struct pt_point *pt, const char *const kv[], struct pt_result *r)
{
	struct pt_runenv env = { 0 };
	char err[256], key[64];

	pt->quick = true;
	cr_assert_eq(pt_params_defaults(&pt->params, pt->wl->params, true, err, sizeof(err)), 0,
		     "%s", err);
	for (int i = 0; kv && kv[i]; i++) {
		const char *eq = strchr(kv[i], '=');

		cr_assert(eq && (size_t)(eq - kv[i]) < sizeof(key));
		memcpy(key, kv[i], (size_t)(eq - kv[i]));
		key[eq - kv[i]] = '\0';
		cr_assert_eq(pt_params_set(&pt->params, key, eq + 1, err, sizeof(err)), 0, "%s",
			     err);
	}
	return pt_point_run_once(pt, &env, r);
}
