#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The scripts' tests: the report layer's (tests/report, Python's unittest;
# each command in them has its own timeout, and the whole run has one) and
# the project's shell scripts checked by shellcheck, when it is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
timeout -k 10 1800 python3 -m unittest discover -s tests/report -t tests/report
mapfile -t scripts < <(find scripts .ci -type f \( -name '*.sh' -o -name run \) | sort)
if ! command -v shellcheck >/dev/null 2>&1; then
  echo "test-scripts: shellcheck not installed; skipped"
  exit 0
fi
shellcheck -x "${scripts[@]}"
echo "test-scripts: shellcheck clean on ${#scripts[@]} scripts"
