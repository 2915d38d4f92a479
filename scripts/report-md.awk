# SPDX-License-Identifier: MIT
# Writes report.md: the verdict and the key numbers of report.html in
# Markdown, for pasting into an issue or a pull request. Input: the
# flattened meta.json; -v work=DIR holds verdict.tsv and drawn.tsv.

BEGIN { FS = "\t" }

{ M[$1] = $2 }

function mv(k) { return (k in M) && M[k] != "null" ? M[k] : "" }
function val(kind, v) { return kind == "lat" ? fmt_us(v) : fmt_si(v) "/s" }
function cell(s) { gsub(/\|/, "\\|", s); return s }

END {
	while ((getline line < (work "/verdict.tsv")) > 0) {
		k = split(line, f, "\t")
		if (f[1] == "V") { nv++; for (j = 1; j < k; j++) V[nv, j] = f[j + 1] }
		else if (f[1] == "S") S[f[2]] = f[3]
		else if (f[1] == "M") { nm++; for (j = 1; j < k; j++) MX[nm, j] = f[j + 1] }
	}
	while ((getline line < (work "/drawn.tsv")) > 0) {
		split(line, f, "\t")
		plots = plots (plots == "" ? "" : ", ") f[1] ".svg"
	}

	print "# ptbench report: " (mv("machine.hostname") == "" ? "unknown host" : mv("machine.hostname"))
	print ""
	print (mv("machine.cpu_model") == "" ? "" : mv("machine.cpu_model") ", ") \
		(mv("machine.pus") == "" ? "" : mv("machine.pus") " processing units, ") \
		(mv("machine.kernel") == "" ? "" : mv("machine.kernel") ", ") \
		"revision " (mv("build.git_revision") == "" ? "unknown" : mv("build.git_revision")) \
		(mv("run.date") == "" ? "" : ", " mv("run.date")) \
		(mv("run.repeat") == "" ? "" : ", " mv("run.repeat") " repetitions") \
		(mv("run.quick") == "true" ? " (--quick)" : "") "."
	print ""
	print "**Threads against processes.** " S["threads-procs"]
	print ""
	print "**GIL against free threading.** " S["gil-free"]
	print ""
	if (fidelity != "") {
		print "How the simulated GIL compares with this machine's own CPython: fidelity.md, fidelity.html."
		print ""
	}
	print "## Verdict"
	print ""
	print "| workload | workers | winner | median | runner-up | margin (CI¹) | vs serial | notes |"
	print "|---|---:|---|---:|---|---:|---:|---|"
	for (i = 1; i <= nv; i++) {
		kind = V[i, 4]
		w = cell(V[i, 1] (V[i, 2] == "" ? "" : " (" V[i, 2] ")"))
		if (V[i, 5] == "") { printf "| %s | - | - | - | - | - | - | %s |\n", w, cell(V[i, 17]); continue }
		notes = ""
		if (V[i, 15] == "1") notes = "clear"
		else if (V[i, 15] == "0") notes = "no clear difference"
		if (V[i, 7] + 0 || V[i, 10] + 0) notes = notes (notes == "" ? "" : "; ") "noisy"
		if (V[i, 17] != "") notes = notes (notes == "" ? "" : "; ") cell(V[i, 17])
		if (V[i, 8] == "") { runner = "-"; margin = "- (only model)" }
		else {
			runner = V[i, 8] (V[i, 10] + 0 ? "†" : "") " " val(kind, V[i, 9])
			margin = fmt_x(V[i, 11])
			if (isnum(V[i, 12]))
				margin = margin " (" substr(fmt_x(V[i, 12]), 1, length(fmt_x(V[i, 12])) - 1) "-" \
					fmt_x(V[i, 13]) ", >=" sprintf("%.0f", 100 * V[i, 14]) "%)"
		}
		printf "| %s | %s | **%s**%s | %s | %s | %s | %s | %s |\n", w, V[i, 3], V[i, 5], \
			V[i, 7] + 0 ? "†" : "", val(kind, V[i, 6]), runner, margin, \
			isnum(V[i, 16]) ? fmt_x(V[i, 16]) : "-", notes
	}
	print ""
	print "† noisy: coefficient of variation above 5%."
	print ""
	# Key numbers: every model at the verdict's worker count.
	if (nm) {
		for (i = 1; i <= nm; i++) {
			if (!(MX[i, 4] in seenm)) { seenm[MX[i, 4]] = 1; ml[++nmo] = MX[i, 4] }
			key = MX[i, 1] SUBSEP MX[i, 2]
			if (!(key in rows)) { rows[key] = ++nr; RW[nr] = MX[i, 1]; RV[nr] = MX[i, 2]; RN[nr] = MX[i, 3] }
			C[rows[key], MX[i, 4]] = i
		}
		for (a = 2; a <= nmo; a++) {
			t = ml[a]
			for (b = a - 1; b >= 1 && model_rank(ml[b]) > model_rank(t); b--) ml[b + 1] = ml[b]
			ml[b + 1] = t
		}
		print "## Key numbers"
		print ""
		printf "| workload | workers |"
		for (a = 1; a <= nmo; a++) printf " %s |", ml[a]
		printf "\n|---|---:|"
		for (a = 1; a <= nmo; a++) printf "---:|"
		print ""
		for (r = 1; r <= nr; r++) {
			kind = "ops"
			for (i = 1; i <= nv; i++) if (V[i, 1] == RW[r] && V[i, 2] == RV[r]) kind = V[i, 4]
			printf "| %s | %s |", cell(RW[r] (RV[r] == "" ? "" : " (" RV[r] ")")), RN[r]
			for (a = 1; a <= nmo; a++) {
				if (!((r, ml[a]) in C)) { printf " - |"; continue }
				i = C[r, ml[a]]
				if (MX[i, 9] + 0 < 1) { printf " %s |", MX[i, 6]; continue }
				v = val(kind, MX[i, 5]) (MX[i, 7] + 0 ? "†" : "") (MX[i, 6] != "ok" ? " (" MX[i, 6] ")" : "")
				printf " %s |", MX[i, 8] + 0 ? "**" v "**" : v
			}
			print ""
		}
		print ""
		print "Median throughput (ops_per_s) of each model at that worker count (p50 latency where a workload has no throughput); bold: the winner."
		print ""
	}
	n = 0
	for (k = 0; ("warnings." k) in M; k++) w_[++n] = M["warnings." k]
	if (n) {
		print "## Warnings"
		print ""
		for (i = 1; i <= n; i++) print "- " w_[i]
		print ""
	}
	print "¹ Margin: winner's median / runner-up's median at the largest worker count where two models ran (serial excluded). " \
		"Interval: [winner CI low / runner-up CI high, winner CI high / runner-up CI low] from the 95% CIs of the medians " \
		"(with fewer than 6 repetitions a CI is [min, max] and covers less); the percentage is a lower bound on its coverage " \
		"(the product of the two CIs' coverages: the medians are measured separately). Details and plots: report.html" (plots == "" ? "." : " (" plots ").")
}
