/* SPDX-License-Identifier: MIT */
/* The ptbench program: list, run, topo. `run` drives the pipeline
 * options -> suite -> plan -> run -> results. */
#ifndef PT_CLI_H
#define PT_CLI_H

/* Runs the program; returns its exit status. */
int pt_main(int argc, char **argv);

#endif
