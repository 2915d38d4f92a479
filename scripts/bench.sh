#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The default suite: runs it into results/<stamp>-<host>/ (results/latest
# points there) and prints the table. Extra arguments go to `ptbench run`.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${PTBENCH:-build/ptbench}

"$bin" run -w countdown -m serial,threads,procs -n auto "$@"
