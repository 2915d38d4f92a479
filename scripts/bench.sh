#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make bench: the default suite into results/<stamp>-<host>/ (results/latest
# points there), then the machine's CPython calibration and the report.
# Extra arguments go to `ptbench run` (BENCH_ARGS in make).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
bin=${PTBENCH:-build/ptbench}

for a in "$@"; do
  case $a in
    -o|--out|--out=*) echo "bench: the suite writes into results/; use build/ptbench run -o for another place" >&2; exit 2 ;;
  esac
done

start=$(date +%s)
"$bin" run "$@"
status=$?
case $status in
  0|1) ;;
  *) exit "$status" ;;	# bad usage or interrupted: nothing to report
esac

# The machine's own CPython next to the simulation (skipped, with a notice,
# where there is no python3).
PTBENCH="$bin" bash scripts/calibrate.sh results/latest ||
  echo "bench: calibration failed; the report goes on without it" >&2
python3 scripts/ptreport report results/latest || status=1
echo "bench: $(( $(date +%s) - start )) s in all; report: results/latest/report.html"
exit "$status"
