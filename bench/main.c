// SPDX-License-Identifier: MIT
// ptbench: threads vs processes vs a simulated GIL, measured.
#include "cli.h"

int main(int argc, char **argv)
{
	return pt_main(argc, argv);
}
