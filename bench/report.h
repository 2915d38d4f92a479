/* SPDX-License-Identifier: MIT */
/* `ptbench report [DIR]`: runs the report layer (scripts/ptreport). */
#ifndef PT_REPORT_H
#define PT_REPORT_H

/* Execs python3 on the report layer found beside this binary (or in
 * $PTBENCH_SCRIPTS); returns an exit status only when that fails. */
int pt_cmd_report(int argc, char **argv);

#endif
