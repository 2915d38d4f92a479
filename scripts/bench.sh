#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make bench: the default suite into results/<stamp>-<host>/ (results/latest
# points there), then the machine's CPython calibration and the report, all
# within one time budget: BUDGET seconds (make bench BUDGET=SEC), default
# this machine's (180 s on 2 processing units, growing with log2 of them).
# `ptbench budget` splits it: the suite its share (ptbench run --budget),
# the calibration its share (calibrate.sh --budget), the report the rest.
# Extra arguments go to `ptbench run` (BENCH_ARGS in make).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
bin=${PTBENCH:-build/ptbench}

for a in "$@"; do
  case $a in
    -o|--out|--out=*) echo "bench: the suite writes into results/; use build/ptbench run -o for another place" >&2; exit 2 ;;
  esac
done

# The split: key=value lines from the one place that knows the formula.
# Its message names ptbench budget; a make user gave BUDGET=.
if ! split=$("$bin" budget ${BUDGET:+"$BUDGET"} 2>&1); then
  printf '%s\n' "$split" | sed -n 's/^ptbench: budget: /bench: make bench BUDGET=SEC: /p' >&2
  echo "bench: BUDGET is the whole job's time in seconds, e.g. make bench BUDGET=300 (default: $("$bin" budget | sed -n 's/^total_s=//p') s on this machine)" >&2
  exit 2
fi
suite_s=$(printf '%s\n' "$split" | sed -n 's/^suite_s=//p')
calib_s=$(printf '%s\n' "$split" | sed -n 's/^calibration_s=//p')
total_s=$(printf '%s\n' "$split" | sed -n 's/^total_s=//p')
echo "bench: budget ${total_s} s: suite ${suite_s} s, calibration ${calib_s} s, the rest report and slack"

start=$(date +%s)
"$bin" run --budget "$suite_s" "$@"
status=$?
case $status in
  0|1) ;;
  *) exit "$status" ;;	# bad usage or interrupted: nothing to report
esac

# The machine's own CPython next to the simulation (skipped, with a notice,
# where there is no python3).
PTBENCH="$bin" bash scripts/calibrate.sh --budget "$calib_s" results/latest ||
  echo "bench: calibration failed; the report goes on without it" >&2
python3 scripts/ptreport report results/latest || status=1
echo "bench: $(( $(date +%s) - start )) s in all (budget ${total_s} s); report: results/latest/report.html"
exit "$status"
