#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The shape of bench/ (issue 12): its files form one pipeline with no
# circle, every prototype shared between files lives in a header, and no
# function is longer than a screen. Prints the include graph between the
# files of bench/ (from gcc -MM) in pipeline order (tsort: a file before
# those it includes), the longest functions, and fails on a circle, a
# prototype in a .c file, or a function over MAX lines (default 80).
#   usage: scripts/bench-shape.sh [MAX]
set -euo pipefail
cd "$(dirname "$0")/.."
max=${1:-80}
cc=${CC:-cc}
status=0

# "a b": bench/a.c or bench/a.h includes bench/b.h (directly or not).
edges=$(
	for f in bench/*.c bench/*.h; do
		u=$(basename "${f%.*}")
		"$cc" -MM -MG -D_GNU_SOURCE -Ilib -Iworkloads -Ibench -x c "$f" |
			sed -e 's/[\\]$//' | tr -s ' ' '\n' | grep '^bench/.*\.h$' | while read -r h; do
			v=$(basename "$h" .h)
			if [ "$v" != "$u" ]; then echo "$u $v"; fi
		done
	done | sort -u
)
echo "bench/ include graph (file -> what it includes):"
printf '%s\n' "$edges" | awk '{ to[$1] = to[$1] " " $2 } END { for (u in to) print "  " u " ->" to[u] }' | sort
echo "pipeline order (tsort; each file only includes files after it):"
if order=$(printf '%s\n' "$edges" | tsort 2>&1); then
	echo "  $(echo "$order" | tr '\n' ' ')"
	echo "no circle"
else
	echo "$order" | grep tsort >&2
	echo "bench-shape: the files of bench/ include each other in a circle" >&2
	status=1
fi

# A prototype at file scope in a .c file: a function of another file
# declared by hand instead of through its header.
if grep -nE '^(extern )?[a-z_][a-z_0-9 ]*[ *]+pt_[a-z_0-9]+\([^)]*\)?[^{]*;$' bench/*.c; then
	echo "bench-shape: prototypes above belong in a header" >&2
	status=1
fi

# Function lengths: from the line that names the function to its closing
# brace, both at column 0 (the house style).
echo "longest functions in bench/ (lines):"
lengths=$(awk '
	/^[a-zA-Z_].*\(/ && !/;[ \t]*$/ { sig = $0; sl = FNR }
	/^\{/ { start = sl }
	/^\}/ && start { match(sig, /[a-zA-Z_0-9]+\(/);
		printf "%d %s:%d %s\n", FNR - start + 1, FILENAME, start, substr(sig, RSTART, RLENGTH - 1);
		start = 0 }' bench/*.c | sort -rn)
echo "$lengths" | head -5 | sed 's/^/  /'
if echo "$lengths" | awk -v max="$max" '$1 > max { bad = 1 } END { exit !bad }'; then
	echo "bench-shape: functions over $max lines:" >&2
	echo "$lengths" | awk -v max="$max" '$1 > max' >&2
	status=1
fi
exit $status
