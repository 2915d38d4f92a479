# SPDX-License-Identifier: MIT
# points.tsv -> the verdict: per workload and configuration, the winning
# model at the largest worker count where models compete, its margin over
# the runner-up with an interval, and the sentences on threads against
# processes and on the GIL against free threading. Output lines:
#   V <TAB> wl vlab N kind winner wval wnoisy runner rval rnoisy margin mlo
#       mhi cover clear serial notes
#   S <TAB> topic sentence
#   M <TAB> wl vlab N model value status noisy is_winner n_ok   (every model
#       at the verdict's worker count, for the throughput matrix)
# kind is "ops" (higher ops_per_s wins) or "lat" (lower lat_p50_us wins,
# for a workload without throughput). clear: 1 when the interval excludes
# 1, 0 when it does not, "" when there is none.
#
# Margin and interval: the ratio of the two medians, R = m_w / m_r, and
# [lo_w / hi_r, hi_w / lo_r] from the medians' confidence intervals in
# summary.csv. If each interval holds its true median, the true ratio lies
# in that interval; the two are measured separately (independent samples),
# so both hold with probability c_w * c_r, a lower bound on the interval's
# coverage, c being each median CI's own coverage (function coverage()).

BEGIN { FS = "\t" }

NR == 1 { next }

{
	n++
	wl[n] = $1; model[n] = $2; workers[n] = $3 + 0; si[n] = $5; ci[n] = $6
	grp[n] = $8; vlab[n] = $9; status[n] = $10; nok[n] = $12 + 0
	ops[n] = $13; ops_lo[n] = $14; ops_hi[n] = $15; noisy[n] = $22 + 0
	lat50[n] = $20; msg[n] = $24
	g = $1 SUBSEP $8
	if (!(g in gseen)) { gseen[g] = 1; glist[++ng] = g; gwl[ng] = $1; gvlab[ng] = $9 }
	if (!($1 in wseen)) { wseen[$1] = 1; wlist[++nw] = $1 }
	if (isnum($13)) hasops[g] = 1
	if (isnum($20)) haslat[g] = 1
	# The GIL points closest (in log scale) to CPython's defaults: a 5 ms
	# switch interval (sys.getswitchinterval()) and 100 ticks (Python 2).
	if ($2 == "gil" && isnum($5)) {
		d = absf(log($5 / 5000))
		if (!(g in best_si) || d < best_si_d[g]) { best_si[g] = $5; best_si_d[g] = d }
	}
	if ($2 == "gil-old" && isnum($6)) {
		d = absf(log($6 / 100))
		if (!(g in best_ci) || d < best_ci_d[g]) { best_ci[g] = $6; best_ci_d[g] = d }
	}
}

# Is point i the one to use for its model in its group?
function usable(i, g) {
	if (nok[i] < 1) return 0
	if (model[i] == "gil" && (g in best_si) && si[i] != best_si[g]) return 0
	if (model[i] == "gil-old" && (g in best_ci) && ci[i] != best_ci[g]) return 0
	return hasops[g] ? isnum(ops[i]) : isnum(lat50[i])
}

# The "speed" of point i: throughput, or 1 / latency.
function speed(i, g) { return hasops[g] ? ops[i] + 0 : 1 / lat50[i] }

# Point of model m at workers N in group g, or 0.
function find(g, m, N,    i) {
	for (i = 1; i <= n; i++)
		if (wl[i] SUBSEP grp[i] == g && model[i] == m && workers[i] == N && usable(i, g))
			return i
	return 0
}

# Ratio of point a's speed to point b's, with its interval in R_lo, R_hi
# ("" when a point has no interval) and the interval's coverage in R_cov.
function ratio(a, b, g) {
	R = speed(a, g) / speed(b, g)
	R_lo = R_hi = ""; R_cov = ""
	if (hasops[g] && isnum(ops_lo[a]) && isnum(ops_hi[a]) && isnum(ops_lo[b]) &&
	    isnum(ops_hi[b]) && ops_lo[b] > 0 && nok[a] >= 2 && nok[b] >= 2) {
		R_lo = ops_lo[a] / ops_hi[b]
		R_hi = ops_hi[a] / ops_lo[b]
		R_cov = coverage(nok[a]) * coverage(nok[b])
	}
	return R
}

# The largest worker count of group g at which models m1 and m2 both ran
# (m2 == "": at which at least two non-serial models ran).
function top_workers(g, m1, m2,    i, j, N, best, cnt, seenm) {
	best = 0
	for (i = 1; i <= n; i++) {
		if (wl[i] SUBSEP grp[i] != g || !usable(i, g) || model[i] == "serial") continue
		N = workers[i]
		if (N <= best) continue
		if (m2 != "") {
			if (find(g, m1, N) && find(g, m2, N)) best = N
			continue
		}
		cnt = 0
		split("", seenm)
		for (j = 1; j <= n; j++)
			if (wl[j] SUBSEP grp[j] == g && workers[j] == N && usable(j, g) &&
			    model[j] != "serial" && !(model[j] in seenm)) { seenm[model[j]] = 1; cnt++ }
		if (cnt >= 2) best = N
	}
	return best
}

function verdict(k,    g, N, i, j, w, r, c, notes, s, tmp, idx, m) {
	g = glist[k]
	N = top_workers(g, "", "")
	if (N == 0) {
		# One model only (or none): report it without a margin.
		for (i = 1; i <= n; i++)
			if (wl[i] SUBSEP grp[i] == g && usable(i, g) && model[i] != "serial" && workers[i] >= N)
				N = workers[i]
	}
	c = 0
	for (i = 1; i <= n; i++)
		if (wl[i] SUBSEP grp[i] == g && workers[i] == N && usable(i, g) && model[i] != "serial")
			idx[++c] = i
	# Sort by speed, fastest first.
	for (i = 2; i <= c; i++) {
		tmp = idx[i]
		for (j = i - 1; j >= 1 && speed(idx[j], g) < speed(tmp, g); j--) idx[j + 1] = idx[j]
		idx[j + 1] = tmp
	}
	notes = ""
	for (i = 1; i <= n; i++)
		if (wl[i] SUBSEP grp[i] == g && workers[i] == N && status[i] != "ok" &&
		    status[i] != "skipped" && status[i] != "")
			notes = notes (notes == "" ? "" : "; ") model[i] " " status[i] \
				(msg[i] == "" ? "" : ": " msg[i])
	if (c == 0) {
		printf "V\t%s\t%s\t\t%s\t\t\t\t\t\t\t\t\t\t\t\t\t%s\n", gwl[k], gvlab[k], \
			hasops[g] ? "ops" : "lat", notes == "" ? "no model ran" : notes
		return
	}
	w = idx[1]
	s = find(g, "serial", N)
	# The models side by side at N, for the throughput matrix.
	for (m = 0; m <= 9; m++)
		for (i = 1; i <= n; i++)
			if (wl[i] SUBSEP grp[i] == g && workers[i] == N && model_rank(model[i]) == m &&
			    (usable(i, g) || (nok[i] < 1 && status[i] != "")))
				printf "M\t%s\t%s\t%d\t%s\t%s\t%s\t%d\t%s\t%d\n", gwl[k], gvlab[k], N, model[i],
					hasops[g] ? ops[i] : lat50[i], status[i], noisy[i], i == w ? 1 : 0, nok[i]
	printf "V\t%s\t%s\t%d\t%s\t%s\t%s\t%d", gwl[k], gvlab[k], N, hasops[g] ? "ops" : "lat", \
		model[w], hasops[g] ? ops[w] : lat50[w], noisy[w]
	if (c >= 2) {
		r = idx[2]
		ratio(w, r, g)
		printf "\t%s\t%s\t%d\t%.6g\t%s\t%s\t%s\t%s", model[r], hasops[g] ? ops[r] : lat50[r], \
			noisy[r], R, R_lo, R_hi, R_cov, isnum(R_lo) ? (R_lo > 1 ? 1 : 0) : ""
	} else {
		printf "\t\t\t\t\t\t\t\t"
	}
	printf "\t%s\t%s\n", s ? sprintf("%.6g", speed(w, g) / speed(s, g)) : "", notes
}

# The group of workload W to headline: bind=none when there, else the first.
function main_group(W, m1, m2,    k, g, best) {
	best = ""
	for (k = 1; k <= ng; k++) {
		if (gwl[k] != W) continue
		g = glist[k]
		if (top_workers(g, m1, m2) == 0) continue
		if (best == "" || (index(g, "bind=none") && !index(best, "bind=none"))) best = g
	}
	return best
}

function label(m) {
	if (m == "threads") return "threads"
	if (m == "procs") return "processes"
	if (m == "gil") return "the GIL (CPython 3.2+ policy)"
	if (m == "gil-old") return "the old GIL (CPython 2 policy)"
	return m
}

# "At N workers, A run W R as fast as B (CI ...)." for models a, b of W.
function phrase(W, g, a, b, N,    i, j, s, v) {
	i = find(g, a, N); j = find(g, b, N)
	ratio(i, j, g)
	s = label(a) " run " W " " fmt_x(R) " as fast as " label(b)
	if (isnum(R_lo)) {
		s = s " (CI " substr(fmt_x(R_lo), 1, length(fmt_x(R_lo)) - 1) "-" fmt_x(R_hi)
		if (R_lo <= 1 && R_hi >= 1) s = s ": no clear difference"
		s = s ")"
	}
	if (noisy[i] || noisy[j]) s = s " [noisy]"
	P_clear = isnum(R_lo) ? (R_lo > 1 ? 1 : R_hi < 1 ? -1 : 0) : 0
	return s
}

function headline(m1, m2,    k, W, g) {
	if (("countdown" in wseen) && (g = main_group("countdown", m1, m2)) != "")
		return g
	for (k = 1; k <= nw; k++)
		if ((g = main_group(wlist[k], m1, m2)) != "")
			return g
	return ""
}

END {
	for (k = 1; k <= ng; k++) verdict(k)

	# Threads against processes.
	g = headline("threads", "procs")
	if (g == "") {
		print "S\tthreads-procs\tThe run has no point where both threads and processes ran."
	} else {
		split(g, gp, SUBSEP)
		N = top_workers(g, "threads", "procs")
		s = "At " N " worker" (N == 1 ? "" : "s") ", " phrase(gp[1], g, "threads", "procs", N) "."
		a = b = c = t = 0
		for (k = 1; k <= ng; k++) {
			N = top_workers(glist[k], "threads", "procs")
			if (N == 0) continue
			split(glist[k], gq, SUBSEP)
			phrase(gq[1], glist[k], "threads", "procs", N)
			t++
			if (P_clear > 0) a++
			else if (P_clear < 0) b++
			else c++
		}
		if (t > 1)
			s = s " Over the " t " workload configurations where both ran, at their largest worker counts, threads were clearly faster in " a ", processes in " b ", and " c " showed no clear difference."
		print "S\tthreads-procs\t" s
	}

	# GIL against free threading.
	g = headline("threads", "gil")
	if (g == "") g = headline("threads", "gil-old")
	if (g == "") {
		print "S\tgil-free\tThe run has no point where both free threads and a GIL model ran."
	} else {
		split(g, gp, SUBSEP)
		s = ""
		N = top_workers(g, "threads", "gil")
		if (N) s = "At " N " worker" (N == 1 ? "" : "s") ", free " phrase(gp[1], g, "threads", "gil", N)
		N2 = top_workers(g, "threads", "gil-old")
		if (N2) {
			if (s == "") s = "At " N2 " worker" (N2 == 1 ? "" : "s") ", free " phrase(gp[1], g, "threads", "gil-old", N2)
			else {
				p2 = phrase(gp[1], g, "threads", "gil-old", N2)
				sub(/^threads run [^ ]+ /, "", p2)
				s = s (N2 == N ? "; and " : "; at " N2 " workers, ") p2
			}
		}
		if (gil_interval_note(g) != "") s = s " " gil_interval_note(g)
		s = s "."
		# The convoy effect, when the run has it.
		cg = gp[1] == "convoy" ? "" : main_group("convoy", "threads", "gil")
		if (cg != "") {
			N = top_workers(cg, "threads", "gil")
			i = find(cg, "gil", N); j = find(cg, "threads", N)
			if (N > 1 && i && j)
				s = s " In convoy, worker 0 makes " fmt_si(ops[i]) " round trips/s next to " (N - 1) \
					" CPU-bound companion" (N == 2 ? "" : "s") " under the GIL (" si[i] " us switch interval), against " \
					fmt_si(ops[j]) "/s with free threads: " fmt_x(ops[j] / ops[i]) " as many."
		}
		print "S\tgil-free\t" s
	}
}

function gil_interval_note(g) {
	if ((g in best_si) && best_si[g] != 5000) return "(GIL switch interval " best_si[g] " us)"
	return ""
}
