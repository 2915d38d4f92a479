# SPDX-License-Identifier: MIT
# Puts two or more runs side by side, point by point, from their
# results.csv files (the arguments, in order A, B, C...): each run's
# median, the ratio of every later run to A, and Welch's t-test on the
# repetitions. -v metas lists the flattened meta.json of each run ("" when
# absent; joined by the ASCII unit separator, \037), whose parameter lists
# make up a point's key.
# -v work=DIR receives compare.tsv (one line per point) and the gnuplot
# script of the ratio plot (compare.gp, drawing plot-compare.svg).
#
# A point is (workload, model, workers, bind, switch interval, check
# interval, parameters). Its figure is ops_per_s, or wall_s when the
# workload has no throughput; the ratio is always "speed of X over speed of
# A": ops_X / ops_A, or wall_A / wall_X.

BEGIN {
	FS = "\n"
	nrun = split(metas, MF, "\037")
	for (r = 1; r <= nrun; r++) {
		if (MF[r] == "") continue
		while ((getline line < MF[r]) > 0) {
			split(line, kv, "\t")
			if (kv[1] !~ /^run\.parameters\./) continue
			if (split(kv[1], pth, ".") < 4) continue
			if ((r, pth[3], pth[4]) in pseen) continue
			pseen[r, pth[3], pth[4]] = 1
			plist[r, pth[3]] = plist[r, pth[3]] (plist[r, pth[3]] == "" ? "" : " ") pth[4]
		}
		close(MF[r])
	}
}

FNR == 1 {
	run++
	nh = csv_split($0, h)
	split("", col)
	for (i = 1; i <= nh; i++) col[h[i]] = i
	next
}

function get(name) { return (name in col) ? f[col[name]] : "" }

{
	if ($0 == "") next
	csv_split($0, f)
	wl = get("workload")
	cfg = ""
	np = split(plist[run, wl], ps, " ")
	for (i = 1; i <= np; i++)
		if (get(ps[i]) != "") cfg = cfg (cfg == "" ? "" : " ") ps[i] "=" get(ps[i])
	b = get("bind") == "" ? "none" : get("bind")
	key = wl SUBSEP get("model") SUBSEP get("workers") SUBSEP b SUBSEP \
		get("switch_interval_us") SUBSEP get("check_interval") SUBSEP cfg
	if (!(key in kseen)) {
		kseen[key] = ++nk
		K[nk] = key
		grp = "bind=" b (cfg == "" ? "" : " " cfg)
		if (!((wl, grp) in gseen)) {
			gseen[wl, grp] = 1
			ngrp[wl]++
			nt = split(grp, tk, " ")
			for (i = 1; i <= nt; i++) tcount[wl, tk[i]]++
		}
		KG[nk] = grp
	}
	k = kseen[key]
	if (get("status") != "ok") { bad[run, k]++; next }
	if (isnum(get("ops_per_s"))) { X[run, k, ++NO[run, k]] = get("ops_per_s") + 0; hasops[k] = 1 }
	if (isnum(get("wall_s"))) WX[run, k, ++NW[run, k]] = get("wall_s") + 0
}

# Values of run r at point k into a[], their count returned.
function vals(r, k, a,    i, m) {
	if (hasops[k]) { m = NO[r, k]; for (i = 1; i <= m; i++) a[i] = X[r, k, i] }
	else { m = NW[r, k]; for (i = 1; i <= m; i++) a[i] = WX[r, k, i] }
	return m + 0
}

function gq(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return s }

END {
	out = work "/compare.tsv"
	printf "workload\tmodel\tworkers\tbind\tswitch_interval_us\tcheck_interval\tconfig\tmetric" > out
	for (r = 1; r <= nrun; r++) {
		L = substr("ABCDEFGHIJ", r, 1)
		printf "\t%s_n\t%s_median", L, L > out
		if (r > 1) printf "\t%s_ratio\t%s_p\t%s_sig", L, L, L > out
	}
	printf "\n" > out
	np_ = 0
	for (k = 1; k <= nk; k++) {
		split(K[k], kp, SUBSEP)
		# What tells this point's configuration apart from its workload's others.
		nt = split(KG[k], tk, " ")
		vl = ""
		for (i = 1; i <= nt; i++)
			if (tcount[kp[1], tk[i]] < ngrp[kp[1]]) vl = vl (vl == "" ? "" : " ") tk[i]
		printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s", kp[1], kp[2], kp[3], kp[4], kp[5], kp[6], vl, \
			hasops[k] ? "ops_per_s" : "wall_s" > out
		na = vals(1, k, A)
		ma = median(A, na)
		printf "\t%d\t%s", na, na ? sprintf("%.9g", ma) : "" > out
		lab = kp[1] " " kp[2] " n=" kp[3] (vl == "" ? "" : " " vl) \
			(kp[2] == "gil" && kp[5] != "5000" && kp[5] != "" ? " " kp[5] "us" : "")
		for (r = 2; r <= nrun; r++) {
			split("", B)
			nb = vals(r, k, B)
			mb = median(B, nb)
			ratio = p = ""
			if (na && nb && ma > 0 && mb > 0)
				ratio = hasops[k] ? mb / ma : ma / mb
			p = welch_p(A, na, B, nb)
			printf "\t%d\t%s\t%s\t%s\t%s", nb, nb ? sprintf("%.9g", mb) : "", \
				isnum(ratio) ? sprintf("%.6g", ratio) : "", isnum(p) ? sprintf("%.4g", p) : "", \
				sig_mark(p) > out
			if (isnum(ratio)) {
				if (!(k in xi)) { xi[k] = ++np_; XL[np_] = lab }
				PR[r, xi[k]] = ratio
				PS[r, xi[k]] = sig_mark(p) != ""
			}
		}
		printf "\n" > out
	}
	close(out)
	if (np_ == 0) exit 0

	# The plot: one dot per point and later run, filled when significant.
	g = work "/compare.gp"
	# Labels without the words every point shares (those go in the title).
	for (i = 1; i <= np_; i++) {
		nt = split(XL[i], tk, " ")
		split("", once)
		for (j = 1; j <= nt; j++) if (!(tk[j] in once)) { once[tk[j]] = 1; tcnt[tk[j]]++ }
	}
	common = ""
	nt = split(XL[1], tk, " ")
	for (j = 1; j <= nt; j++) if (tcnt[tk[j]] == np_) common = common (common == "" ? "" : " ") tk[j]
	for (i = 1; i <= np_; i++) {
		nt = split(XL[i], tk, " ")
		s = ""
		for (j = 1; j <= nt; j++) if (tcnt[tk[j]] < np_) s = s (s == "" ? "" : " ") tk[j]
		XL[i] = s == "" ? i : s
	}
	# A y range around the ratios (and 1), with readable ticks.
	lo = 0.8; hi = 1.25
	for (r = 2; r <= nrun; r++)
		for (i = 1; i <= np_; i++)
			if ((r, i) in PR) {
				if (PR[r, i] / 1.1 < lo) lo = PR[r, i] / 1.1
				if (PR[r, i] * 1.1 > hi) hi = PR[r, i] * 1.1
			}
	nt = split("0.001 0.002 0.005 0.01 0.02 0.05 0.1 0.2 0.3 0.5 0.67 0.8 0.9 1 1.1 1.25 1.5 2 3 5 10 20 50 100 200 500 1000", tv, " ")
	ticks = ""
	for (j = 1; j <= nt; j++)
		if (tv[j] + 0 >= lo && tv[j] + 0 <= hi) ticks = ticks (ticks == "" ? "" : ", ") "\"" tv[j] "x\" " tv[j]
	w = 200 + 22 * np_
	if (w < 780) w = 780
	if (w > 4000) w = 4000
	print "load 'style.gp'" > g
	print "set terminal svg size " w ",560 dynamic noenhanced font \"Helvetica,12\" background \"#ffffff\"" > g
	print "set output 'plot-compare.svg'" > g
	print "set title \"" gq("Speed of each run relative to A" (common == "" ? "" : ": " common)) "\"" > g
	print "set ylabel \"speed ratio to A (log scale)\"" > g
	print "set logscale y" > g
	print "set yrange [" lo ":" hi "]" > g
	print "set ytics (" ticks ")" > g
	print "set xrange [0.5:" np_ + 0.5 "]" > g
	print "set grid noxtics" > g
	printf "set xtics rotate by 90 right scale 0 (" > g
	for (i = 1; i <= np_; i++) printf "%s\"%s\" %d", (i > 1 ? ", " : ""), gq(XL[i]), i > g
	print ")" > g
	print "set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb \"#999999\"" > g
	split("#1f77b4 #d62728 #2ca02c #ff7f0e #9467bd #8c564b #e377c2 #17becf #7f7f7f", pal, " ")
	plot = ""
	for (r = 2; r <= nrun; r++) {
		L = substr("ABCDEFGHIJ", r, 1)
		# Runs side by side within a point.
		off = nrun == 2 ? 0 : (r - 2 - (nrun - 2) / 2) * 0.5 / (nrun - 1)
		for (s = 1; s >= 0; s--) {
			print "$r" r "s" s " << EOD" > g
			cnt = 0
			for (i = 1; i <= np_; i++)
				if (((r, i) in PR) && PS[r, i] == s) {
					printf "%.4g %.9g\n", i + off, PR[r, i] > g
					cnt++
				}
			print "EOD" > g
			if (!cnt) continue
			plot = plot (plot == "" ? "plot " : ", \\\n     ") "$r" r "s" s " using 1:2 with points pt " \
				(s ? 7 : 6) " ps 1.2 lc rgb \"" pal[r - 1] "\" title \"" L "/A" \
				(s ? ", p < 0.05" : ", not significant") "\""
		}
	}
	print plot > g
	close(g)
}
