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

/* Takes @dir for this run alone: an exclusive lock on it, held until
 * pt_outdir_unlock() or the end of the process. 0; -EBUSY (another run
 * holds it) or another negative errno, with a message in @err. */
int pt_outdir_lock(const char *dir, char *err, size_t errlen);
void pt_outdir_unlock(void);

/* --force: removes what an earlier run and its report left in @dir
 * (summary, calibration, fidelity, report, plots), so none of it is taken
 * for the new run's. results.csv and meta.json are replaced by the run. */
void pt_outdir_clear(const char *dir);

#endif
