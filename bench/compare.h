/* SPDX-License-Identifier: MIT */
/* `ptbench compare [-o DIR] [--band PCT] A B [C ...]`: each later run
 * against A, point by point, through the decision rule; writes compare.csv. */
#ifndef PT_COMPARE_H
#define PT_COMPARE_H

/* argv[0] is "compare". Returns the exit status: 0 written, 2 bad usage or
 * malformed input (with a message naming it), 1 the output could not be
 * written. */
int pt_compare_main(int argc, char **argv);

#endif
