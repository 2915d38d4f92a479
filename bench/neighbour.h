/* SPDX-License-Identifier: MIT */
/* What a --cpu-neighbours worker runs: the driver's, handed to the core in
 * the team config (cfg.neighbour_body). */
#ifndef PT_NEIGHBOUR_H
#define PT_NEIGHBOUR_H

#include "model.h"

/* A CPU-bound neighbour: Beazley's countdown, ticking, until the point ends.
 * Its figures are not the point's (it is a daemon). */
int pt_neighbour_body(struct pt_worker *w);

#endif
