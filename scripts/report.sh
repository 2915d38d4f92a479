#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Draws the report of one results directory: gnuplot SVG plots (only those
# the run has data for), the machine's topology picture (lstopo), a
# self-contained report.html (SVGs inlined, no network resource) and
# report.md, all written into that directory.
set -euo pipefail

usage() {
	cat <<'EOF'
usage: scripts/report.sh [RESULTS_DIR]      (make report [RESULTS=DIR])

Reads RESULTS_DIR/summary.csv (and meta.json when present; default
results/latest) and writes into RESULTS_DIR:
  report.html   the report: verdict, plots inlined, machine, every point
  report.md     the verdict and key numbers in Markdown
  plot-*.svg    each plot the run has data for (earlier plot-*.svg removed)
  topology.svg  hwloc's picture of the machine, when drawn on the machine
                that ran the benchmark (kept from an earlier report otherwise)
Needs bash, a POSIX awk and gnuplot (make deps); lstopo is optional.
EOF
}

case "${1:-}" in
-h | --help)
	usage
	exit 0
	;;
-*)
	usage >&2
	exit 2
	;;
esac
[ $# -le 1 ] || {
	usage >&2
	exit 2
}

here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-results/latest}
if [ ! -f "$dir/summary.csv" ]; then
	echo "report: no summary.csv in '$dir' (run ptbench first, or give RESULTS=DIR)" >&2
	exit 2
fi
if ! command -v gnuplot >/dev/null 2>&1; then
	echo "report: gnuplot not found; 'make deps' installs it" >&2
	exit 2
fi
dir=$(cd "$dir" && pwd -P)

work=$(mktemp -d "${TMPDIR:-/tmp}/ptreport.XXXXXX")
trap 'rm -rf "$work"' EXIT
lib=(-f "$here/lib-util.awk")

if [ -f "$dir/meta.json" ]; then
	awk -f "$here/lib-json.awk" "$dir/meta.json" >"$work/meta.tsv"
else
	echo "report: no meta.json in '$dir': the machine and parameters are unknown" >&2
	: >"$work/meta.tsv"
fi
metaval() { awk -F'\t' -v k="$1" '$1 == k { print $2; exit }' "$work/meta.tsv"; }

awk -v meta="$work/meta.tsv" "${lib[@]}" -f "$here/report-points.awk" "$dir/summary.csv" \
	>"$work/points.tsv"
awk "${lib[@]}" -f "$here/report-verdict.awk" "$work/points.tsv" >"$work/verdict.tsv"

# Plots: one generated gnuplot script each, run in the work directory.
cp "$here/plot-style.gp" "$work/style.gp"
awk -v work="$work" -v pus="$(metaval machine.pus)" "${lib[@]}" \
	-f "$here/report-plots.awk" "$work/points.tsv" >"$work/plots.tsv"
rm -f "$dir"/plot-*.svg
: >"$work/drawn.tsv"
while IFS=$'\t' read -r name rest; do
	if (cd "$work" && gnuplot "$name.gp") 2>"$work/$name.err" && [ -s "$work/$name.svg" ]; then
		cp "$work/$name.svg" "$dir/$name.svg"
		printf '%s\t%s\n' "$name" "$rest" >>"$work/drawn.tsv"
	else
		echo "report: gnuplot failed on $name" >&2
	fi
	# Errors and warnings are worth seeing: a warning means a plot lost data.
	if [ -s "$work/$name.err" ]; then
		sed "s/^/report: $name: /" "$work/$name.err" >&2
	fi
done <"$work/plots.tsv"

# The topology picture shows the machine lstopo runs on: draw it only
# there, and keep a picture an earlier report drew there.
topo=""
host=$(uname -n)
if [ "$(metaval machine.hostname)" = "$host" ] && [ "$(metaval machine.synthetic)" != "true" ] &&
	command -v lstopo >/dev/null 2>&1 &&
	lstopo --of svg --no-io "$work/topology.svg" >/dev/null 2>&1 && [ -s "$work/topology.svg" ]; then
	cp "$work/topology.svg" "$dir/topology.svg"
fi
[ -s "$dir/topology.svg" ] && topo="$dir/topology.svg"

# The CPython calibration (scripts/calibrate.sh), when it ran: linked.
fid=""
[ -s "$dir/fidelity.html" ] && fid=fidelity.html

# HTML and Markdown, each written beside its final name and renamed.
awk -v dir="$dir" -v work="$work" -v topo="$topo" -v fidelity="$fid" "${lib[@]}" -f "$here/report-html.awk" \
	"$work/meta.tsv" >"$dir/.report.html.tmp"
mv -f "$dir/.report.html.tmp" "$dir/report.html"
awk -v work="$work" -v fidelity="$fid" "${lib[@]}" -f "$here/report-md.awk" "$work/meta.tsv" >"$dir/.report.md.tmp"
mv -f "$dir/.report.md.tmp" "$dir/report.md"

nplots=$(wc -l <"$work/drawn.tsv")
echo "report: $dir/report.html ($nplots plot$([ "$nplots" -eq 1 ] || echo s)$([ -n "$topo" ] && echo ' and the topology')), $dir/report.md"
