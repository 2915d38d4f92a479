#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs ptbench's countdown and convoy experiments in the machine's own CPython
# (and in a free-threaded build where one is on PATH) into RESULTS/calibration.csv,
# then puts them next to ptbench's figures (scripts/fidelity.sh).
set -euo pipefail

usage() {
  cat <<'EOF'
usage: calibrate.sh [options] [RESULTS]

Runs scripts/calibrate.py in python3 (and in every free-threaded python3* on
PATH) and writes RESULTS/calibration.csv (default RESULTS: results/latest),
then RESULTS/fidelity.{csv,md,html} against ptbench's medians: those of
RESULTS/summary.csv and of every --with DIR, or with --paired those of
ptbench runs made in turn with CPython's.

options:
  --quick          small sizes, one repetition (for tests)
  -r, --repeat N   repetitions (default 3; quick 1)
  -n, --workers L  countdown workers, LIST or auto (default auto)
  --duration S     convoy seconds a point (default 1; quick 0.1)
  -w, --workloads  countdown,convoy (default both)
  --with DIR       another ptbench results dir to compare with (repeatable)
  --paired         run ptbench's matching points too, one repetition of
                   ptbench then one of each interpreter, N times, into
                   RESULTS/calibration-ptbench/: both sides see the same
                   machine load (the convoy race depends on it)
  --python PY      the interpreter (default: $PYTHON, else python3)
  --no-ft          do not look for a free-threaded interpreter
  -q, --quiet      no progress
Environment: PTBENCH, the ptbench binary (default build/ptbench), for
--paired and to learn results.csv's columns when RESULTS holds none.
EOF
}

here=$(cd "$(dirname "$0")" && pwd)
py=${PYTHON:-python3}
withdirs=()
ft=1
quiet=0
quick=0
paired=0
repeat=
workers=auto
duration=
workloads=countdown,convoy
res=
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    -q|--quiet) quiet=1 ;;
    --paired) paired=1 ;;
    --no-ft) ft=0 ;;
    -r|--repeat|-n|--workers|--duration|-w|--workloads|--with|--python)
      [ $# -ge 2 ] || { echo "calibrate: $1 needs a value" >&2; exit 2; }
      case $1 in
        -r|--repeat) repeat=$2 ;;
        -n|--workers) workers=$2 ;;
        --duration) duration=$2 ;;
        -w|--workloads) workloads=$2 ;;
        --with) withdirs+=("$2") ;;
        --python) py=$2 ;;
      esac
      shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "calibrate: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    *)
      [ -z "$res" ] || { echo "calibrate: extra argument '$1'" >&2; exit 2; }
      res=$1 ;;
  esac
  shift
done
res=${res:-results/latest}
case $repeat in
  '') repeat=$([ "$quick" = 1 ] && echo 1 || echo 3) ;;
  *[!0-9]*|0) echo "calibrate: bad repeat count '$repeat'" >&2; exit 2 ;;
esac
[ -n "$duration" ] || duration=$([ "$quick" = 1 ] && echo 0.1 || echo 1)
case ,$workloads, in
  ,countdown,|,convoy,|,countdown,convoy,|,convoy,countdown,) ;;
  *) echo "calibrate: bad workload list '$workloads' (countdown, convoy)" >&2; exit 2 ;;
esac

note() { [ "$quiet" = 1 ] || echo "calibrate: $*" >&2; }

# Python 3.8+ with the GIL, or nothing to calibrate against: not an error.
if ! command -v "$py" >/dev/null 2>&1; then
  echo "calibrate: no '$py' on this machine: calibration against CPython skipped" >&2
  exit 0
fi
if ! "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 8) else 1)' 2>/dev/null; then
  echo "calibrate: '$py' is not a working Python 3.8 or later: calibration skipped" >&2
  exit 0
fi

if [ ! -d "$res" ]; then
  if [ -L "$res" ] || [ "$res" = results/latest ]; then
    echo "calibrate: no results in '$res': run 'make bench' first or pass RESULTS=DIR" >&2
    exit 1
  fi
  mkdir -p "$res"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ptcal.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bin=${PTBENCH:-build/ptbench}
need_bin() {
  if [ ! -x "$bin" ]; then
    echo "calibrate: $1, and '$bin' is not built (set PTBENCH)" >&2
    exit 1
  fi
}

# results.csv's header: this run's own, or a fresh one from ptbench.
if [ -s "$res/results.csv" ]; then
  head -n 1 "$res/results.csv" > "$tmp/header.csv"
else
  need_bin "'$res' holds no results.csv to take the columns from"
  "$bin" run --quick -w countdown -m serial -n 1 -r 1 --warmup 0 -q -o "$tmp/hdr" >/dev/null
  head -n 1 "$tmp/hdr/results.csv" > "$tmp/header.csv"
fi
if ! grep -q '^workload,model,' "$tmp/header.csv"; then
  echo "calibrate: no results.csv header found" >&2
  exit 1
fi

# A watchdog, so that a hung interpreter cannot hang `make bench`.
limit=()
if command -v timeout >/dev/null 2>&1; then
  limit=(timeout -k 10 3600)
fi

# Prints "<0|1> <sys.executable>": 1 when the interpreter runs without a GIL.
probe() {
  "${limit[@]}" "$1" -c 'import sys
print(0 if getattr(sys, "_is_gil_enabled", lambda: True)() else 1, sys.executable)' 2>/dev/null
}

runs=("$py")
main_exe=$(probe "$py" | cut -d' ' -f2-) || true
if [ "$ft" = 1 ]; then
  declare -A seen=()
  [ -z "$main_exe" ] || seen[$main_exe]=1
  cands=(python3.13t python3.14t python3.15t)
  IFS=: read -r -a pathdirs <<< "${PATH:-}"
  for d in "${pathdirs[@]}"; do
    [ -d "$d" ] || continue
    for f in "$d"/python3*; do
      case ${f##*/} in
        python3|python3.[0-9]|python3.[0-9][0-9]|python3.[0-9]t|python3.[0-9][0-9]t) cands+=("$f") ;;
      esac
    done
  done
  for c in "${cands[@]}"; do
    command -v "$c" >/dev/null 2>&1 || continue
    out=$(probe "$c") || continue
    exe=${out#* }
    if [ "${out%% *}" != 1 ] || [ -n "${seen[$exe]:-}" ]; then
      continue
    fi
    seen[$exe]=1
    note "free-threaded interpreter: $exe"
    runs+=("$exe")
  done
  [ "${#runs[@]}" -gt 1 ] || note "no free-threaded interpreter on PATH: no cpython-ft-threads rows"
fi

pyargs=(--header "$tmp/header.csv" -w "$workloads" -n "$workers" --duration "$duration")
[ "$quick" = 0 ] || pyargs+=(--quick)
[ "$quiet" = 0 ] || pyargs+=(-q)

# Paired: fix the countdown total and workers once, so that every round of
# every interpreter runs the same points, and ptbench the matching ones.
rounds=1
perround=$repeat
pooled=()
if [ "$paired" = 1 ]; then
  need_bin "--paired runs ptbench"
  plan=$("${limit[@]}" "$py" "$here/calibrate.py" --print-plan "${pyargs[@]}")
  pyargs+=(--count "${plan%% *}" -n "${plan#* }")
  rounds=$repeat
  perround=1
  ptdir=$res/calibration-ptbench
  rm -rf "$ptdir"
  mkdir -p "$ptdir"
  ptargs=(-r 1 --warmup 0 -q)
  [ "$quick" = 0 ] || ptargs+=(--quick)
  extra_model=
  [ "${#runs[@]}" = 1 ] || extra_model=,threads
  ms=$(awk -v d="$duration" 'BEGIN { printf "%d", d * 1000 + 0.5 }')
fi

status=0
for ((r = 0; r < rounds; r++)); do
  if [ "$paired" = 1 ]; then
    note "round $((r + 1)) of $rounds: ptbench"
    for wl in ${workloads//,/ }; do
      out=$ptdir/round$((r + 1))-$wl
      if [ "$wl" = countdown ]; then
        pt=(-w countdown -m "serial,procs,gil$extra_model" -n "${plan#* }")
      else
        pt=(-w convoy -m "procs,gil$extra_model" -n 1-4 --switch-interval "5000,1000,100"
          -p "duration_ms=$ms")
      fi
      rc=0
      "$bin" run "${pt[@]}" "${ptargs[@]}" -o "$out" >/dev/null || rc=$?
      if [ "$rc" -gt 1 ] || [ ! -s "$out/results.csv" ]; then
        echo "calibrate: ptbench run ${pt[*]} failed (exit $rc)" >&2
        exit 1
      fi
      [ "$rc" = 0 ] || status=1
      pooled+=(-p "$out")
    done
  fi
  i=0
  for p in "${runs[@]}"; do
    extra=()
    [ "$i" = 0 ] || extra=(--threads-only)
    if ! "${limit[@]}" "$p" "$here/calibrate.py" "${pyargs[@]}" "${extra[@]}" \
        -r "$perround" --rep-base "$r" --out "$tmp/part-$i-$r.csv"; then
      echo "calibrate: $p: calibration failed" >&2
      status=1
    fi
    i=$((i + 1))
  done
done

# Whole or not at all: the file appears by rename. Rows in interpreter order.
{
  printf '%s,interpreter\n' "$(tr -d '\r\n' < "$tmp/header.csv")"
  for ((i = 0; i < ${#runs[@]}; i++)); do
    for ((r = 0; r < rounds; r++)); do
      [ ! -f "$tmp/part-$i-$r.csv" ] || cat "$tmp/part-$i-$r.csv"
    done
  done
} > "$res/.calibration.csv.tmp"
mv "$res/.calibration.csv.tmp" "$res/calibration.csv"
nrows=$(($(wc -l < "$res/calibration.csv") - 1))
nfail=$(awk -F, 'NR > 1 && $6 != "ok"' "$res/calibration.csv" | wc -l)
note "$res/calibration.csv: $nrows rows, $nfail not ok"
[ "$nfail" = 0 ] || status=1

fidargs=()
[ "$quiet" = 0 ] || fidargs=(-q)
if [ "${#pooled[@]}" -gt 0 ]; then
  bash "$here/fidelity.sh" "${fidargs[@]}" "${pooled[@]}" "$res" || status=1
elif [ -s "$res/summary.csv" ] || [ "${#withdirs[@]}" -gt 0 ]; then
  bash "$here/fidelity.sh" "${fidargs[@]}" "$res" "${withdirs[@]}" || status=1
else
  note "no ptbench summary.csv in '$res': side-by-side skipped (or use --paired)"
fi
exit "$status"
