/* SPDX-License-Identifier: MIT */
/* The run's output directory: -o DIR (made if missing), or a new
 * results/<YYYYmmdd-HHMMSS>-<host>[-k] that no other run has, with
 * results/latest pointing at it. */
#ifndef PT_RUNDIR_H
#define PT_RUNDIR_H

#include "options.h"

#include <stddef.h>

/* Makes or checks the output directory of @o into @dir. 0; -EINVAL when
 * -o names something unusable (bad usage); another negative errno when
 * results/ cannot be made. A message in @err either way. */
int pt_outdir_make(const struct pt_opts *o, char *dir, size_t n, char *err, size_t errlen);

#endif
