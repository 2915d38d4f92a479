# SPDX-License-Identifier: MIT
# Writes compare.html (or, with -v mode=text, a terminal table) from
# compare.tsv (the input), the runs' flattened meta.json files (-v metas)
# and their directories (-v dirs), each list joined by the ASCII unit
# separator (\037), with -v plot=FILE (plot-compare.svg) inlined if given.

BEGIN {
	FS = "\t"
	nrun = split(metas, MF, "\037")
	split(dirs, DIR, "\037")
	for (r = 1; r <= nrun; r++) {
		if (MF[r] == "") continue
		while ((getline line < MF[r]) > 0) {
			split(line, kv, "\t")
			if (kv[2] != "null") META[r, kv[1]] = kv[2]
		}
		close(MF[r])
	}
}

NR == 1 { for (i = 1; i <= NF; i++) C[$i] = i; next }

{
	n++
	for (i = 1; i <= NF; i++) T[n, i] = $i
	NFS[n] = NF
}

function cell(row, name) { return (name in C) ? T[row, C[name]] : "" }
function run_letter(r) { return substr("ABCDEFGHIJ", r, 1) }

function point_label(i,    s) {
	s = cell(i, "workload") " " cell(i, "model") " n=" cell(i, "workers")
	if (cell(i, "config") != "") s = s " " cell(i, "config")
	if (cell(i, "model") == "gil" && cell(i, "switch_interval_us") != "") s = s " " cell(i, "switch_interval_us") "us"
	if (cell(i, "model") == "gil-old" && cell(i, "check_interval") != "") s = s " check=" cell(i, "check_interval")
	return s
}

function fmt_med(i, r,    v) {
	v = cell(i, run_letter(r) "_median")
	if (!isnum(v)) return "-"
	return cell(i, "metric") == "ops_per_s" ? fmt_si(v) "/s" : sprintf("%.4g s", v)
}

# Per later run: how many points are clearly faster or slower, and the
# geometric mean of the ratios.
function tally(r,    i, v, s, lg, m) {
	T_n[r] = T_up[r] = T_down[r] = 0; lg = 0; m = 0
	for (i = 1; i <= n; i++) {
		v = cell(i, run_letter(r) "_ratio")
		if (!isnum(v) || v <= 0) continue
		T_n[r]++; lg += log(v); m++
		s = cell(i, run_letter(r) "_sig")
		if (s != "" && v > 1) T_up[r]++
		if (s != "" && v < 1) T_down[r]++
	}
	T_geo[r] = m ? exp(lg / m) : ""
}

function summary_line(r) {
	return run_letter(r) " against A: " T_n[r] " points compared; " T_up[r] " significantly faster, " \
		T_down[r] " significantly slower (Welch, p < 0.05), " (T_n[r] - T_up[r] - T_down[r]) \
		" without a significant difference; geometric mean of the ratios " fmt_x(T_geo[r]) "."
}

function text_table(    i, r, line) {
	for (r = 1; r <= nrun; r++) printf "%s: %s\n", run_letter(r), DIR[r]
	printf "%-44s", "point"
	for (r = 1; r <= nrun; r++) printf " %12s", run_letter(r)
	for (r = 2; r <= nrun; r++) printf " %8s %-4s", run_letter(r) "/A", "sig"
	printf "\n"
	for (i = 1; i <= n; i++) {
		printf "%-44s", substr(point_label(i), 1, 44)
		for (r = 1; r <= nrun; r++) printf " %12s", fmt_med(i, r)
		for (r = 2; r <= nrun; r++) printf " %8s %-4s", fmt_x(cell(i, run_letter(r) "_ratio")), cell(i, run_letter(r) "_sig")
		printf "\n"
	}
	for (r = 2; r <= nrun; r++) { tally(r); print summary_line(r) }
}

function inline_svg(path,    line, first) {
	first = 1
	while ((getline line < path) > 0) {
		if (line ~ /^<\?xml/ || line ~ /^<!DOCTYPE/) continue
		gsub(/ id="/, " id=\"c-", line)
		gsub(/ id='/, " id='c-", line)
		gsub(/href="#/, "href=\"#c-", line)
		gsub(/href='#/, "href='#c-", line)
		gsub(/url\(#/, "url(#c-", line)
		if (first && sub(/<svg/, "<svg class=\"plot\" role=\"img\" aria-label=\"speed ratios\"", line)) first = 0
		sub(/<title>Gnuplot<\/title>/, "<title>speed ratios</title>", line)
		sub(/<desc>Produced by GNUPLOT[^<]*<\/desc>/, "", line)
		print line
	}
	close(path)
}

function meta_of(r, k) { return ((r, k) in META) ? META[r, k] : "" }

function html(    i, r, cls, v, s, k, cmd) {
	print "<!DOCTYPE html>"
	print "<html lang=\"en\"><head><meta charset=\"utf-8\">"
	print "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	print "<title>ptbench comparison</title>"
	print "<style>"
	print "body{margin:0;font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",Helvetica,Arial,sans-serif;color:#1d2329}"
	print "main{max-width:1200px;margin:0 auto;padding:24px 28px 60px}h1{font-size:26px;margin:0 0 12px}"
	print "h2{font-size:20px;margin:32px 0 10px;padding-bottom:4px;border-bottom:1px solid #d9dee3}"
	print "table{border-collapse:collapse;width:100%;font-size:14px;margin:10px 0}"
	print "th,td{padding:5px 8px;border-bottom:1px solid #d9dee3;text-align:left;vertical-align:top}th{background:#f4f6f8;white-space:nowrap}"
	print "td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
	print "td.up{color:#17693a;font-weight:600}td.down{color:#a4161a;font-weight:600}"
	print ".lead p{margin:6px 0;padding:10px 14px;background:#f4f6f8;border-left:4px solid #1f77b4;border-radius:3px}"
	print "figure{margin:18px 0;padding:14px;border:1px solid #d9dee3;border-radius:6px;overflow-x:auto}"
	print "figure svg.plot{display:block;width:100%;min-width:700px;height:auto}"
	print "figcaption,.fn{color:#5d6873;font-size:13px}code{font-size:13px}"
	print "</style></head><body><main>"
	print "<h1>ptbench comparison</h1>"
	print "<table><thead><tr><th>Run</th><th>Directory</th><th>Host</th><th>CPU</th><th>PUs</th><th>Revision</th><th>Date</th><th>Command</th></tr></thead><tbody>"
	for (r = 1; r <= nrun; r++) {
		cmd = ""
		for (k = 0; ((r, "run.command_line." k) in META); k++) cmd = cmd (k ? " " : "") META[r, "run.command_line." k]
		printf "<tr><td><b>%s</b></td><td><code>%s</code></td><td>%s</td><td>%s</td><td class=\"n\">%s</td><td>%s</td><td>%s</td><td><code>%s</code></td></tr>\n", \
			run_letter(r), esc(DIR[r]), esc(meta_of(r, "machine.hostname")), esc(meta_of(r, "machine.cpu_model")), \
			esc(meta_of(r, "machine.pus")), esc(meta_of(r, "build.git_revision")), esc(meta_of(r, "run.date")), esc(cmd)
	}
	print "</tbody></table>"
	print "<div class=\"lead\">"
	for (r = 2; r <= nrun; r++) { tally(r); print "<p>" esc(summary_line(r)) "</p>" }
	print "</div>"
	if (plot != "") {
		print "<figure id=\"plot-compare\">"
		inline_svg(plot)
		print "<figcaption>Speed of each later run relative to A at every point both measured (log scale; above 1: faster than A). " \
			"Filled: Welch's t-test on the repetitions gives p &lt; 0.05; open: not significant. <a href=\"plot-compare.svg\">SVG file</a></figcaption></figure>"
	}
	print "<h2>Points</h2>"
	printf "<table><thead><tr><th>Point</th><th>Figure</th>"
	for (r = 1; r <= nrun; r++) printf "<th>%s median (n)</th>", run_letter(r)
	for (r = 2; r <= nrun; r++) printf "<th>%s/A</th><th>p</th>", run_letter(r)
	print "</tr></thead><tbody>"
	for (i = 1; i <= n; i++) {
		printf "<tr><td>%s</td><td>%s</td>", esc(point_label(i)), cell(i, "metric") == "ops_per_s" ? "ops/s" : "wall s"
		for (r = 1; r <= nrun; r++)
			printf "<td class=\"n\">%s (%s)</td>", fmt_med(i, r), cell(i, run_letter(r) "_n")
		for (r = 2; r <= nrun; r++) {
			v = cell(i, run_letter(r) "_ratio"); s = cell(i, run_letter(r) "_sig")
			cls = s == "" || !isnum(v) ? "n" : v > 1 ? "n up" : "n down"
			printf "<td class=\"%s\">%s%s</td><td class=\"n\">%s</td>", cls, fmt_x(v), s == "" ? "" : " " s, \
				isnum(cell(i, run_letter(r) "_p")) ? sprintf("%.3g", cell(i, run_letter(r) "_p")) : "-"
		}
		print "</tr>"
	}
	print "</tbody></table>"
	print "<p class=\"fn\">Each run's figure per point is the median over its ok repetitions of ops_per_s (or of wall_s for a workload " \
		"without throughput); the ratio is the later run's speed over A's. Significance: Welch's unequal-variance t-test on the " \
		"repetitions (two-sided; Welch-Satterthwaite degrees of freedom; * p &lt; 0.05, ** p &lt; 0.01, *** p &lt; 0.001). " \
		"The p-values are not corrected for multiple comparisons: among many points about 1 in 20 is marked by chance. " \
		"With 2 repetitions or fewer a test has little power; run more (-r).</p>"
	print "</main></body></html>"
}

END {
	if (mode == "text") text_table()
	else html()
}
