// SPDX-License-Identifier: MIT
// The --cpu-neighbours body: CPU-bound work beside a point's workers, under
// the same model (a GIL holder to contend with, a busy core).
#include "neighbour.h"

#include "work.h"

int pt_neighbour_body(struct pt_worker *w)
{
	pt_count_down_until_stopped(w, PT_TICK_ITERS);
	return 0;
}
