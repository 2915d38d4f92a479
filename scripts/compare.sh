#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Compares two or more results directories (two machines, or two
# revisions) point by point: the medians, the speed ratio of each later run
# to the first, Welch's t-test on the repetitions, a plot, compare.html.
set -euo pipefail

usage() {
	cat <<'EOF'
usage: scripts/compare.sh [-o OUTDIR] DIR_A DIR_B [DIR_C ...]
       make compare A=DIR B=DIR [C=DIR] [D=DIR] [OUT=OUTDIR]

Reads each DIR/results.csv (and DIR/meta.json, for the parameters that
tell points apart) and writes into OUTDIR (-o, or $OUT; default
results/compare-<YYYYmmdd-HHMMSS>, a new directory; the inputs are never
written to):
  compare.html       the runs, a summary per run, the plot, every point
  compare.tsv        one line per point: medians, ratios to A, p-values
  plot-compare.svg   the ratio of each later run to A, per point
and prints the table. A point's figure is ops_per_s (wall_s for a workload
without throughput); a ratio above 1 means faster than A. Significance:
Welch's t-test on the ok repetitions (* p<0.05, ** p<0.01, *** p<0.001).
Needs bash, a POSIX awk and gnuplot.
EOF
}

out=${OUT:-}
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help)
		usage
		exit 0
		;;
	-o)
		[ $# -ge 2 ] || {
			usage >&2
			exit 2
		}
		out=$2
		shift 2
		;;
	--)
		shift
		break
		;;
	-*)
		echo "compare: unknown option '$1'" >&2
		usage >&2
		exit 2
		;;
	*) break ;;
	esac
done
if [ $# -lt 2 ] || [ $# -gt 10 ]; then
	echo "compare: give 2 to 10 results directories" >&2
	usage >&2
	exit 2
fi
for d in "$@"; do
	if [ ! -f "$d/results.csv" ]; then
		echo "compare: no results.csv in '$d'" >&2
		exit 2
	fi
done
if ! command -v gnuplot >/dev/null 2>&1; then
	echo "compare: gnuplot not found; 'make deps' installs it" >&2
	exit 2
fi

here=$(cd "$(dirname "$0")" && pwd)
if [ -z "$out" ]; then
	out="$here/../results/compare-$(date +%Y%m%d-%H%M%S)"
	while [ -e "$out" ]; do out="$out-$RANDOM"; done
fi
mkdir -p "$out"
out=$(cd "$out" && pwd -P)

work=$(mktemp -d "${TMPDIR:-/tmp}/ptcompare.XXXXXX")
trap 'rm -rf "$work"' EXIT
lib=(-f "$here/lib-util.awk")

# Per run: its flattened meta.json ("" when it has none) and its directory,
# joined with the ASCII unit separator for awk.
metaf=()
csvs=()
i=0
for d in "$@"; do
	i=$((i + 1))
	m=""
	if [ -f "$d/meta.json" ]; then
		m="$work/meta$i.tsv"
		awk -f "$here/lib-json.awk" "$d/meta.json" >"$m"
	fi
	metaf+=("$m")
	csvs+=("$d/results.csv")
done
metas=$(
	IFS=$'\x1f'
	echo "${metaf[*]}"
)
dirs=$(
	IFS=$'\x1f'
	echo "$*"
)

awk -v metas="$metas" -v work="$work" "${lib[@]}" -f "$here/compare.awk" "${csvs[@]}"
cp "$work/compare.tsv" "$out/compare.tsv"

plot=""
rm -f "$out/plot-compare.svg"
if [ -f "$work/compare.gp" ]; then
	cp "$here/plot-style.gp" "$work/style.gp"
	if (cd "$work" && gnuplot compare.gp) 2>"$work/gp.err" && [ -s "$work/plot-compare.svg" ]; then
		cp "$work/plot-compare.svg" "$out/plot-compare.svg"
		plot="$out/plot-compare.svg"
	else
		echo "compare: gnuplot failed:" >&2
	fi
	if [ -s "$work/gp.err" ]; then sed 's/^/compare: gnuplot: /' "$work/gp.err" >&2; fi
fi

awk -v metas="$metas" -v dirs="$dirs" -v plot="$plot" "${lib[@]}" -f "$here/compare-html.awk" \
	"$work/compare.tsv" >"$out/.compare.html.tmp"
mv -f "$out/.compare.html.tmp" "$out/compare.html"
awk -v metas="$metas" -v dirs="$dirs" -v mode=text "${lib[@]}" -f "$here/compare-html.awk" \
	"$work/compare.tsv"
echo "compare: $out/compare.html"
