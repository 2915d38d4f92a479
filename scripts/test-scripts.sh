#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks the project's shell scripts with shellcheck, when it is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t scripts < <(find scripts .ci -type f \( -name '*.sh' -o -name run \) | sort)
if ! command -v shellcheck >/dev/null 2>&1; then
  echo "test-scripts: shellcheck not installed; skipped"
  exit 0
fi
shellcheck -x "${scripts[@]}"
echo "test-scripts: shellcheck clean on ${#scripts[@]} scripts"
