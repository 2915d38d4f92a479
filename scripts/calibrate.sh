#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make calibrate: finds the machine's CPython and hands over to
# scripts/calibrate.py (the CPython twins of every workload, calibration.csv,
# fidelity.{csv,md}). exec, so that SIGINT and SIGTERM reach the
# interpreter itself, which kills and reaps what it started.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
py=${PYTHON:-python3}
args=()
while [ $# -gt 0 ]; do
  case $1 in
    --python)
      [ $# -ge 2 ] || { echo "calibrate: --python needs a value" >&2; exit 2; }
      py=$2; shift ;;
    --) args+=("$@"); break ;;  # the rest are operands, --python included
    *) args+=("$1") ;;
  esac
  shift
done

# No Python 3.8+ with which to calibrate: a notice, not an error.
if ! command -v "$py" >/dev/null 2>&1; then
  echo "calibrate: no '$py' on this machine: calibration against CPython skipped" >&2
  exit 0
fi
if ! "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 8) else 1)' 2>/dev/null; then
  echo "calibrate: '$py' is not a working Python 3.8 or later: calibration skipped" >&2
  exit 0
fi
export LC_ALL=C
exec "$py" "$here/calibrate.py" ${args[@]+"${args[@]}"}
