/* SPDX-License-Identifier: MIT */
/* The ptbench program: list, run, topo. */
#ifndef PT_CLI_H
#define PT_CLI_H

/* Runs the program; returns its exit status (bad usage exits 2 directly). */
int pt_main(int argc, char **argv);

#endif
