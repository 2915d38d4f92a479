/* SPDX-License-Identifier: MIT */
/* What the system lets the driver spawn: the process limit, the kernel's
 * threads-max and pid_max, memory and address space. More workers than
 * that is bad input, refused before anything runs. */
#ifndef PT_SYSLIMITS_H
#define PT_SYSLIMITS_H

#include <stddef.h>

/* Checks that @maxn workers (threads or processes), @maxprocs of them
 * forked processes, fit the system. 0, or -EINVAL with a message in @err. */
int pt_limits_check(int maxn, int maxprocs, char *err, size_t errlen);

#endif
