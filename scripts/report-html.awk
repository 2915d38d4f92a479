# SPDX-License-Identifier: MIT
# Writes report.html from the report's work files (-v work=DIR: verdict.tsv,
# drawn.tsv, plots.tsv, points.tsv), the flattened meta.json (the input) and
# the SVGs in -v dir=RESULTS (inlined, so the page is one offline file; the
# only URLs left are the SVGs' xmlns namespace names, which are never fetched).

BEGIN { FS = "\t" }

{ M[$1] = $2 }

function mv(k) { return (k in M) && M[k] != "null" ? M[k] : "" }

function swatch(m) {
	return "<span class=\"sw\" style=\"background:" model_color(m) "\"></span>" esc(m)
}

function val(kind, v) { return kind == "lat" ? fmt_us(v) : fmt_si(v) "/s" }

function noisy_tag(x) { return x + 0 ? " <span class=\"tag noisy\" title=\"coefficient of variation above 5%\">noisy</span>" : "" }

# The simulation against the machine's CPython (scripts/fidelity.sh writes
# a self-contained <section>), inline; or why it is missing.
function fidelity_section(    line, path) {
	print "<div id=\"fidelity\"></div>"
	if (fidelity == "") {
		print "<h2>Simulation against CPython</h2><p>CPython calibration not run (make calibrate).</p>"
		return
	}
	path = dir "/" fidelity
	while ((getline line < path) > 0)
		print line
	close(path)
}

# An SVG file, inline: without its XML declaration, its ids prefixed with
# @pfx so that the figures of one page do not share ids.
function inline_svg(path, pfx, title,    line, first) {
	first = 1
	while ((getline line < path) > 0) {
		if (line ~ /^<\?xml/ || line ~ /^<!DOCTYPE/) continue
		gsub(/ id="/, " id=\"" pfx, line)
		gsub(/ id='/, " id='" pfx, line)
		gsub(/href="#/, "href=\"#" pfx, line)
		gsub(/href='#/, "href='#" pfx, line)
		gsub(/url\(#/, "url(#" pfx, line)
		if (first && sub(/<svg/, "<svg class=\"plot\" role=\"img\" aria-label=\"" esc(title) "\"", line))
			first = 0
		sub(/<title>Gnuplot<\/title>/, "<title>" esc(title) "</title>", line)
		sub(/<desc>Produced by GNUPLOT[^<]*<\/desc>/, "", line)
		print line
	}
	close(path)
}

function css() {
	print "<style>"
	print ":root{--fg:#1d2329;--mute:#5d6873;--line:#d9dee3;--bg:#fff;--soft:#f4f6f8;--good:#17693a;--warn:#9a5b00;--bad:#a4161a}"
	print "*{box-sizing:border-box}"
	print "body{margin:0;font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg)}"
	print "main{max-width:1100px;margin:0 auto;padding:24px 28px 60px}"
	print "h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:36px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}h3{font-size:16px;margin:0 0 6px}"
	print ".sub{color:var(--mute);margin:0 0 18px}"
	print ".sentences p{margin:6px 0;padding:10px 14px;background:var(--soft);border-left:4px solid #1f77b4;border-radius:3px}"
	print ".sentences b{display:inline-block;min-width:15em}"
	print "table{border-collapse:collapse;width:100%;margin:10px 0;font-size:14px}"
	print "th,td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}"
	print "th{background:var(--soft);font-weight:600;white-space:nowrap}"
	print "td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
	print "td.win{font-weight:600}"
	print ".ci{display:block;color:var(--mute);font-size:12px}"
	print ".sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;vertical-align:baseline}"
	print ".tag{display:inline-block;font-size:11px;padding:0 6px;border-radius:8px;margin-left:4px;white-space:nowrap}"
	print ".noisy{background:#fff1d6;color:var(--warn)}.tie{background:#e8ecf0;color:var(--mute)}.clear{background:#dff3e6;color:var(--good)}.bad{background:#fde2e2;color:var(--bad)}"
	print ".cfg{color:var(--mute);font-size:13px}"
	print ".fn{color:var(--mute);font-size:13px}"
	print "nav.toc{columns:2;font-size:14px;margin:8px 0}nav.toc a{color:#1f5f99}"
	print "figure{margin:18px 0 30px;padding:14px;border:1px solid var(--line);border-radius:6px}"
	print "figure svg.plot{display:block;width:100%;height:auto;max-width:980px;margin:0 auto}"
	print "figure.topo svg.plot{width:auto;max-width:100%}"
	print "figcaption{color:var(--mute);font-size:13px;margin-top:8px}"
	print "ul.warn li{color:var(--warn)}"
	print "dl.meta{display:grid;grid-template-columns:12em 1fr;gap:2px 14px;font-size:14px}dl.meta dt{color:var(--mute)}dl.meta dd{margin:0;word-break:break-word}"
	print "details summary{cursor:pointer;font-weight:600;margin:8px 0}"
	print "code{font-size:13px}"
	print "</style>"
}

function read_tsv(path, kind,    line, f, k) {
	while ((getline line < path) > 0) {
		k = split(line, f, "\t")
		if (kind == "verdict") {
			if (f[1] == "V") { nv++; for (j = 1; j <= k; j++) V[nv, j] = f[j + 1] }
			else if (f[1] == "S") SENT[f[2]] = f[3]
			else if (f[1] == "M") { nm++; for (j = 1; j <= k; j++) MX[nm, j] = f[j + 1] }
		} else if (kind == "drawn") {
			nd++; D_name[nd] = f[1]; D_sec[nd] = f[2]; D_title[nd] = f[3]; D_cap[nd] = f[4]
			drawn_sec[f[2]] = 1
		} else if (kind == "points") {
			if (np++ == 0) continue
			for (j = 1; j <= k; j++) P[np - 1, j] = f[j]
		}
	}
	close(path)
}

function verdict_table(    i, kind, cfg, mcell, notes, cl) {
	print "<table class=\"verdict\"><thead><tr><th>Workload</th><th>Workers</th><th>Winner</th>" \
		"<th>Median</th><th>Runner-up</th><th>Margin <span class=\"fn\">(CI¹)</span></th>" \
		"<th>vs serial</th><th>Notes</th></tr></thead><tbody>"
	for (i = 1; i <= nv; i++) {
		kind = V[i, 4]
		cfg = V[i, 2] == "" ? "" : " <span class=\"cfg\">" esc(V[i, 2]) "</span>"
		printf "<tr><td>%s%s</td>", esc(V[i, 1]), cfg
		if (V[i, 5] == "") {
			printf "<td class=\"n\">-</td><td colspan=\"5\">-</td><td><span class=\"tag bad\">%s</span></td></tr>\n", esc(V[i, 17])
			continue
		}
		printf "<td class=\"n\">%s</td><td class=\"win\">%s%s</td><td class=\"n\">%s</td>", \
			V[i, 3], swatch(V[i, 5]), noisy_tag(V[i, 7]), val(kind, V[i, 6])
		if (V[i, 8] == "") {
			printf "<td>-</td><td class=\"n\">-</td>"
			notes = "<span class=\"tag tie\">only model</span>"
		} else {
			printf "<td>%s%s <span class=\"ci\">%s</span></td>", swatch(V[i, 8]), noisy_tag(V[i, 10]), val(kind, V[i, 9])
			mcell = fmt_x(V[i, 11])
			if (isnum(V[i, 12]))
				mcell = mcell "<span class=\"ci\">" substr(fmt_x(V[i, 12]), 1, length(fmt_x(V[i, 12])) - 1) \
					"–" fmt_x(V[i, 13]) ", ≥" sprintf("%.0f", 100 * V[i, 14]) "%</span>"
			else
				mcell = mcell "<span class=\"ci\">no interval</span>"
			printf "<td class=\"n\">%s</td>", mcell
			cl = V[i, 15]
			notes = cl == "1" ? "<span class=\"tag clear\">clear</span>" : \
				cl == "0" ? "<span class=\"tag tie\">no clear difference</span>" : ""
		}
		printf "<td class=\"n\">%s</td>", isnum(V[i, 16]) ? fmt_x(V[i, 16]) : "-"
		if (V[i, 7] + 0 || V[i, 10] + 0) notes = notes " <span class=\"tag noisy\">noisy</span>"
		if (V[i, 17] != "") notes = notes " <span class=\"tag bad\">" esc(V[i, 17]) "</span>"
		printf "<td>%s</td></tr>\n", notes
	}
	print "</tbody></table>"
}

# Throughput of every model at the verdict's worker count.
function matrix(    i, m, key, rows, nr, r, models, nmo, cell, a, kind) {
	if (nm == 0) return
	for (i = 1; i <= nm; i++) {
		key = MX[i, 1] SUBSEP MX[i, 2]
		if (!(key in rows)) { rows[key] = ++nr; RK[nr] = key; RW[nr] = MX[i, 1]; RV[nr] = MX[i, 2]; RN[nr] = MX[i, 3] }
		if (!(MX[i, 4] in models)) { models[MX[i, 4]] = 1; ML[++nmo] = MX[i, 4] }
		CELL[rows[key], MX[i, 4]] = i
	}
	for (a = 2; a <= nmo; a++) {
		m = ML[a]
		for (i = a - 1; i >= 1 && model_rank(ML[i]) > model_rank(m); i--) ML[i + 1] = ML[i]
		ML[i + 1] = m
	}
	print "<h3 id=\"matrix\">Every model at the verdict's worker count</h3>"
	printf "<table class=\"matrix\"><thead><tr><th>Workload</th><th>Workers</th>"
	for (a = 1; a <= nmo; a++) printf "<th>%s</th>", swatch(ML[a])
	print "</tr></thead><tbody>"
	for (r = 1; r <= nr; r++) {
		printf "<tr><td>%s%s</td><td class=\"n\">%s</td>", esc(RW[r]), \
			RV[r] == "" ? "" : " <span class=\"cfg\">" esc(RV[r]) "</span>", RN[r]
		kind = "ops"
		for (i = 1; i <= nv; i++) if (V[i, 1] == RW[r] && V[i, 2] == RV[r]) kind = V[i, 4]
		for (a = 1; a <= nmo; a++) {
			if (!((r, ML[a]) in CELL)) { printf "<td class=\"n\">-</td>"; continue }
			i = CELL[r, ML[a]]
			if (MX[i, 9] + 0 < 1) cell = "<span class=\"tag " (MX[i, 6] == "skipped" ? "tie" : "bad") "\">" esc(MX[i, 6]) "</span>"
			else cell = val(kind, MX[i, 5]) noisy_tag(MX[i, 7]) \
				(MX[i, 6] != "ok" ? " <span class=\"tag bad\">" esc(MX[i, 6]) "</span>" : "")
			printf "<td class=\"n%s\">%s</td>", MX[i, 8] + 0 ? " win" : "", cell
		}
		print "</tr>"
	}
	print "</tbody></table>"
	print "<p class=\"fn\">Throughput is the median ops_per_s (per second, summed over workers); for a workload without throughput, the median p50 latency. Bold: the winner.</p>"
}

function section(sec, heading, blurb,    i) {
	if (!(sec in drawn_sec)) return
	printf "<h2 id=\"sec-%s\">%s</h2>\n", sec, heading
	if (blurb != "") print "<p>" blurb "</p>"
	for (i = 1; i <= nd; i++) {
		if (D_sec[i] != sec) continue
		printf "<figure id=\"%s\">\n", D_name[i]
		inline_svg(dir "/" D_name[i] ".svg", "f" i "-", D_title[i])
		printf "<figcaption>%s <a href=\"%s.svg\">SVG file</a></figcaption></figure>\n", esc(D_cap[i]), D_name[i]
	}
}

function points_table(    i, ci, st) {
	printf "<details><summary>All %d points</summary>\n", np - 1
	print "<table class=\"points\"><thead><tr><th>Workload</th><th>Model</th><th>Workers</th><th>Status</th>" \
		"<th>ok/reps</th><th>ops/s median</th><th>95% CI</th><th>CV</th><th>p50</th><th>p99</th><th>Message</th></tr></thead><tbody>"
	for (i = 1; i < np; i++) {
		st = P[i, 10]
		ci = isnum(P[i, 14]) ? fmt_si(P[i, 14]) "–" fmt_si(P[i, 15]) : "-"
		printf "<tr><td>%s%s</td><td>%s%s</td><td class=\"n\">%s</td><td>%s</td><td class=\"n\">%s/%s</td>" \
			"<td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td>%s</td></tr>\n", \
			esc(P[i, 1]), P[i, 9] == "" ? "" : " <span class=\"cfg\">" esc(P[i, 9]) "</span>", swatch(P[i, 2]), \
			P[i, 2] == "gil" && isnum(P[i, 5]) ? " <span class=\"cfg\">" P[i, 5] " us</span>" : \
			(P[i, 2] == "gil-old" && isnum(P[i, 6]) ? " <span class=\"cfg\">check " P[i, 6] "</span>" : ""), \
			P[i, 3], st == "ok" ? "ok" : "<span class=\"tag " (st == "skipped" ? "tie" : "bad") "\">" esc(st) "</span>", \
			P[i, 12], P[i, 11], fmt_si(P[i, 13]), ci, \
			isnum(P[i, 16]) ? sprintf("%.1f%%", 100 * P[i, 16]) : "-", fmt_us(P[i, 20]), fmt_us(P[i, 21]), \
			esc(P[i, 24]) noisy_tag(P[i, 22])
	}
	print "</tbody></table></details>"
}

function problems(    i, k, n, w, items) {
	n = 0
	for (k = 0; ("warnings." k) in M; k++) items[++n] = esc(M["warnings." k])
	for (i = 1; i < np; i++)
		if (P[i, 10] != "ok" && P[i, 10] != "skipped" && P[i, 10] != "")
			items[++n] = esc(P[i, 1] " " P[i, 2] " n=" P[i, 3] (P[i, 9] == "" ? "" : " " P[i, 9]) ": " \
				P[i, 10] " (" P[i, 12] " of " P[i, 11] " repetitions ok)" (P[i, 24] == "" ? "" : ": " P[i, 24]))
	w = 0
	for (i = 1; i < np; i++) if (P[i, 10] == "skipped") w++
	if (w) items[++n] = w " point" (w == 1 ? " was" : "s were") " skipped (the model cannot run the workload; see the table of all points)"
	if (n == 0) return
	print "<h2 id=\"problems\">Warnings and failures</h2><ul class=\"warn\">"
	for (i = 1; i <= n; i++) print "<li>" items[i] "</li>"
	print "</ul>"
}

function machine(    k, cmd) {
	print "<h2 id=\"machine\">Machine and run</h2><dl class=\"meta\">"
	dd("Host", mv("machine.hostname"))
	dd("CPU", mv("machine.cpu_model"))
	dd("Topology", (mv("machine.packages") == "" ? "" : mv("machine.packages") " package(s), ") \
		(mv("machine.numa_nodes") == "" ? "" : mv("machine.numa_nodes") " NUMA node(s), ") \
		(mv("machine.cores") == "" ? "" : mv("machine.cores") " cores, ") \
		(mv("machine.pus") == "" ? "" : mv("machine.pus") " processing units") \
		(mv("machine.smt") == "true" ? ", SMT" : ""))
	dd("Kernel", mv("machine.kernel"))
	dd("Governor", mv("machine.governor") == "" ? "unknown" : mv("machine.governor"))
	dd("Build", mv("build.version") " " mv("build.compiler") " " mv("build.cflags") ", revision " mv("build.git_revision"))
	dd("Date", mv("run.date"))
	cmd = ""
	for (k = 0; ("run.command_line." k) in M; k++) cmd = cmd (k ? " " : "") M["run.command_line." k]
	if (cmd != "") print "<dt>Command</dt><dd><code>" esc(cmd) "</code></dd>"
	dd("Repetitions", mv("run.repeat") == "" ? "" : mv("run.repeat") " measured, " mv("run.warmup") " warmup" (mv("run.quick") == "true" ? ", --quick sizes" : ""))
	print "</dl>"
	if (topo != "") {
		print "<figure class=\"topo\" id=\"topology\"><h3>Topology</h3>"
		inline_svg(topo, "topo-", "machine topology (lstopo)")
		print "<figcaption>The machine as hwloc sees it (lstopo). <a href=\"topology.svg\">SVG file</a></figcaption></figure>"
	}
}

function dd(k, v) { if (v != "") print "<dt>" k "</dt><dd>" esc(v) "</dd>" }

END {
	read_tsv(work "/verdict.tsv", "verdict")
	read_tsv(work "/drawn.tsv", "drawn")
	read_tsv(work "/points.tsv", "points")
	host = mv("machine.hostname")
	print "<!DOCTYPE html>"
	print "<html lang=\"en\"><head><meta charset=\"utf-8\">"
	print "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	print "<title>ptbench report" (host == "" ? "" : " - " esc(host)) (mv("run.date") == "" ? "" : " - " esc(mv("run.date"))) "</title>"
	css()
	print "</head><body><main>"
	print "<h1>ptbench report</h1>"
	printf "<p class=\"sub\">%s%s%s%s</p>\n", esc(host), \
		mv("machine.cpu_model") == "" ? "" : " · " esc(mv("machine.cpu_model")), \
		mv("machine.pus") == "" ? "" : " · " mv("machine.pus") " processing units", \
		mv("run.date") == "" ? "" : " · " esc(mv("run.date"))
	print "<h2 id=\"verdict\">Verdict</h2>"
	print "<div class=\"sentences\">"
	print "<p><b>Threads against processes</b> " esc(SENT["threads-procs"]) "</p>"
	print "<p><b>GIL against free threading</b> " esc(SENT["gil-free"]) "</p>"
	print "</div>"
	if (fidelity != "")
		print "<p class=\"fn\">How the simulated GIL compares with this machine's own CPython: <a href=\"#fidelity\">below</a> (scripts/calibrate.sh).</p>"
	verdict_table()
	print "<p class=\"fn\">¹ Per workload (and configuration, where the run has several), the models are compared at the largest worker count " \
		"where at least two of them ran; serial is the baseline, not a contender. The winner has the highest median throughput (ops_per_s). " \
		"Margin: the ratio of the winner's median to the runner-up's. Its interval runs from the winner's CI low over the runner-up's CI high " \
		"to the winner's CI high over the runner-up's CI low, where each CI is the distribution-free 95% interval of a median from summary.csv " \
		"(order statistics; with fewer than 6 repetitions it is [min, max], which covers the median with probability 1 − 2·2<sup>−n</sup>). " \
		"If both intervals hold their medians the ratio lies in it, so it covers the true ratio with at least the probability shown " \
		"(the two medians are measured separately, so both intervals hold with the product of their coverages). " \
		"Few repetitions give wide intervals of low coverage: the percentage tells how far to trust them. <i>clear</i>: the interval excludes 1; <i>noisy</i>: a coefficient of variation above 5%. " \
		"Run more repetitions (-r; 6 or more give each median a 95% interval) for tighter intervals.</p>"
	matrix()
	problems()
	if (nd > 0) {
		print "<h2 id=\"plots\">Plots</h2><nav class=\"toc\">"
		for (i = 1; i <= nd; i++) printf "<a href=\"#%s\">%s</a><br>\n", D_name[i], esc(D_title[i])
		print "</nav>"
	} else {
		print "<h2 id=\"plots\">Plots</h2><p>The run has no data any plot needs.</p>"
	}
	section("cpu", "CPU-bound work", "")
	section("gil", "GIL against free threading", "")
	section("convoy", "The convoy effect", "")
	section("io", "I/O overlap", "")
	section("spawn", "Creation cost", "")
	section("sync", "Coordination latency", "")
	section("placement", "Placement", "")
	fidelity_section()
	machine()
	print "<h2 id=\"points\">Points</h2>"
	points_table()
	print "<p class=\"fn\">Written by scripts/report.sh from summary.csv and meta.json; repetitions are in results.csv. " \
		"Medians, 95% CIs of the median and CVs are computed by ptbench (lib/stats.c).</p>"
	print "</main></body></html>"
}
