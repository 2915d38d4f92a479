# SPDX-License-Identifier: MIT
# The look shared by every plot of the report (loaded by the scripts that
# report-plots.awk generates): an SVG that scales to its container, no
# enhanced text (names hold underscores), light grid, key outside.
set terminal svg size 780,430 dynamic noenhanced font "Helvetica,12" background "#ffffff"
set border 3 lw 1 lc rgb "#555555"
set tics nomirror out
set grid ytics xtics lt 1 lw 0.5 lc rgb "#e3e3e3"
set key outside right top vertical Left reverse samplen 2.5 spacing 1.15 noopaque
set datafile missing "NaN"
set pointsize 0.9
set bars small
set offsets graph 0.03, graph 0.03, graph 0.05, graph 0.02
set format y "%.3g"
set autoscale xfix
