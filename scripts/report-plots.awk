# SPDX-License-Identifier: MIT
# points.tsv -> one gnuplot script per plot the run has data for, written
# into -v work=DIR (each draws DIR/<name>.svg from inline data blocks), and
# a list of them on stdout: name <TAB> section <TAB> title <TAB> caption.
# -v pus=N marks the machine's processing units on the scaling plot.
# Column numbers: see report-points.awk.

BEGIN { FS = "\t" }

NR == 1 { next }

{
	n++
	wl[n] = $1; model[n] = $2; workers[n] = $3 + 0; bind[n] = $4; si[n] = $5; ci[n] = $6
	cfg[n] = $7; grp[n] = $8; vlab[n] = $9; nok[n] = $12 + 0
	ops[n] = $13; ops_lo[n] = $14; ops_hi[n] = $15; lat50[n] = $20; lat99[n] = $21
	rss[n] = $23
	if ($2 == "gil" && isnum($5)) { if (!(($1, $5) in sisee)) { sisee[$1, $5] = 1; nsi[$1]++ } }
	if ($2 == "gil-old" && isnum($6)) { if (!(($1, $6) in cisee)) { cisee[$1, $6] = 1; nci[$1]++ } }
	has[$1] = 1
}

function ok_ops(i) { return nok[i] > 0 && isnum(ops[i]) }
function ok_lat(i) { return nok[i] > 0 && isnum(lat50[i]) && lat50[i] > 0 }

# Removes the token "key=..." from a vlab.
function drop_tok(s, key,    t, k, r, i) {
	k = split(s, t, " ")
	r = ""
	for (i = 1; i <= k; i++)
		if (index(t[i], key "=") != 1) r = r (r == "" ? "" : " ") t[i]
	return r
}

# What tells point i's line apart from the other lines of its model: its
# configuration, and the GIL interval when the workload has several.
function variant(i, skipkey,    v) {
	v = skipkey == "" ? vlab[i] : drop_tok(vlab[i], skipkey)
	if (model[i] == "gil" && nsi[wl[i]] > 1 && skipkey != "si")
		v = v (v == "" ? "" : " ") "interval=" si[i] "us"
	if (model[i] == "gil-old" && nci[wl[i]] > 1)
		v = v (v == "" ? "" : " ") "check=" ci[i]
	return v
}

function gq(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return s }

# --- series of (x, y, lo, hi) for line plots ---

function reset(    k) {
	split("", S_key); split("", S_np); split("", S_x); split("", S_y); split("", S_lo)
	split("", S_hi); split("", S_title); split("", S_color); split("", S_dt); split("", S_with)
	split("", V_idx); split("", XS)
	ns = 0; nv = 0; nx = 0
}

# The series for key @key (created with @title, the colour of model @m and
# a dash pattern per distinct variant @var).
function ser(key, m, var, title,    k) {
	if (key in S_key) return S_key[key]
	k = S_key[key] = ++ns
	S_np[k] = 0
	S_title[k] = title
	S_color[k] = model_color(m)
	if (!(var in V_idx)) V_idx[var] = ++nv
	S_dt[k] = V_idx[var]
	S_with[k] = ""
	S_rank[k] = model_rank(m) * 100 + V_idx[var]
	return k
}

function add(k, x, y, lo, hi,    j) {
	j = ++S_np[k]
	S_x[k, j] = x; S_y[k, j] = y; S_lo[k, j] = lo; S_hi[k, j] = hi
	if (!(x in XS)) { XS[x] = 1; nx++ }
}

function title_of(m, var) { return var == "" ? m : m " " var }

# Writes the gnuplot script for plot @name; @setup holds extra commands,
# @extra extra plot clauses. Returns 0 (and writes nothing) when there is
# nothing to draw.
function emit(name, title, xl, yl, setup, extra,    f, k, j, a, b, t, ord, m, sep, w, mode) {
	mode = EMIT_Y
	EMIT_Y = ""
	if (ns == 0) return 0
	if (mode == "si") yl = scale_y(yl)
	if (mode == "lat") setup = setup "\n" lat_ticks()
	f = work "/" name ".gp"
	print "load 'style.gp'" > f
	print "set output '" name ".svg'" > f
	print "set title \"" gq(title) "\"" > f
	print "set xlabel \"" gq(xl) "\"" > f
	print "set ylabel \"" gq(yl) "\"" > f
	if (setup != "") print setup > f
	# Series in model order, each sorted by x.
	for (k = 1; k <= ns; k++) ord[k] = k
	for (a = 2; a <= ns; a++) {
		t = ord[a]
		for (b = a - 1; b >= 1 && S_rank[ord[b]] > S_rank[t]; b--) ord[b + 1] = ord[b]
		ord[b + 1] = t
	}
	for (k = 1; k <= ns; k++) {
		m = S_np[k]
		for (a = 1; a <= m; a++) idx[a] = a
		for (a = 2; a <= m; a++) {
			t = idx[a]
			for (b = a - 1; b >= 1 && S_x[k, idx[b]] + 0 > S_x[k, t] + 0; b--) idx[b + 1] = idx[b]
			idx[b + 1] = t
		}
		print "$d" k " << EOD" > f
		for (a = 1; a <= m; a++) {
			j = idx[a]
			printf "%.9g %.9g %s %s\n", S_x[k, j], S_y[k, j], \
				sprintf("%.9g", isnum(S_lo[k, j]) ? S_lo[k, j] : S_y[k, j]), \
				sprintf("%.9g", isnum(S_hi[k, j]) ? S_hi[k, j] : S_y[k, j]) > f
		}
		print "EOD" > f
	}
	printf "plot " > f
	sep = ""
	for (a = 1; a <= ns; a++) {
		k = ord[a]
		w = S_with[k] != "" ? S_with[k] : "yerrorlines pt 7 lw 1.6"
		printf "%s$d%d using %s with %s lc rgb \"%s\" dt %d title \"%s\"", sep, k, w ~ /^yerror/ ? "1:2:3:4" : "1:2", w, \
			S_color[k], S_dt[k], gq(S_title[k]) > f
		sep = ", \\\n     "
	}
	if (extra != "") printf "%s%s", sep, extra > f
	printf "\n" > f
	close(f)
	return 1
}

function listed(name, section, title, caption) {
	print name "\t" section "\t" title "\t" caption
}

# x axis setup for worker counts: log2 when they span a factor of 8.
function workers_axis(    x, lo, hi) {
	lo = hi = ""
	for (x in XS) {
		if (lo == "" || x + 0 < lo) lo = x + 0
		if (hi == "" || x + 0 > hi) hi = x + 0
	}
	X_lo = lo; X_hi = hi
	if (lo > 0 && hi / lo >= 8) return "set logscale x 2\nset xtics 2"
	return "set xtics 1"
}

# --- CPU scaling: countdown speedup against workers ---
function plot_scaling(W,    i, j, k, ref, g, minw, key, var, s, xs, nxs, x, ideal, d) {
	reset()
	minw = ""
	for (i = 1; i <= n; i++)
		if (wl[i] == W && ok_ops(i) && (minw == "" || workers[i] < minw)) minw = workers[i]
	if (minw == "") return
	# Reference: serial at the smallest worker count of the same
	# configuration; without serial, each line's own smallest point.
	for (i = 1; i <= n; i++)
		if (wl[i] == W && ok_ops(i) && model[i] == "serial" && workers[i] == minw)
			sref[grp[i]] = ops[i]
	mixed = 0
	for (i = 1; i <= n; i++) {
		if (wl[i] != W || !ok_ops(i)) continue
		var = variant(i, "")
		key = model[i] SUBSEP var
		if (grp[i] in sref) ref = sref[grp[i]]
		else {
			ref = ""
			for (j = 1; j <= n; j++)
				if (wl[j] == W && ok_ops(j) && model[j] == model[i] && grp[j] == grp[i] &&
				    si[j] == si[i] && ci[j] == ci[i] && workers[j] == minw) ref = ops[j]
			if (ref == "") continue
			mixed = 1
		}
		k = ser(key, model[i], var, title_of(model[i], var))
		add(k, workers[i], ops[i] / ref, isnum(ops_lo[i]) ? ops_lo[i] / ref : "",
		    isnum(ops_hi[i]) ? ops_hi[i] / ref : "")
	}
	if (nx < 2) return
	s = workers_axis()
	# The ideal: speedup = workers / the smallest worker count.
	reference("ideal", 1 / minw, 2)
	if (pus + 0 > 0 && pus + 0 >= X_lo && pus + 0 <= X_hi * 2)
		s = s "\nset arrow from " pus ", graph 0 to " pus ", graph 1 nohead dt 3 lc rgb \"#888888\"" \
			"\nset label \"" pus " PUs\" at " pus ", graph 0.97 right offset -0.5,0 tc rgb \"#666666\""
	if (index(s, "logscale x")) s = s "\nset logscale y 2"
	else s = s "\nset yrange [0:*]"
	if (emit("plot-scaling", "CPU scaling: " W, "workers", \
	    mixed ? "speedup over the same model at " minw " worker" (minw == 1 ? "" : "s") \
		  : "speedup over serial at " minw " worker" (minw == 1 ? "" : "s"), s, ""))
		listed("plot-scaling", "cpu", "CPU scaling (" W ")", \
		    "Throughput of " W " relative to " (mixed ? "each model's own" : "serial's") \
		    " throughput at " minw " worker" (minw == 1 ? "" : "s") ", against the number of workers; error bars: the 95% CI of the median " \
		    "(scaled by the reference median). The dashed grey line is perfect scaling; the dotted vertical line the machine's processing units. " \
		    "Free threads and processes should follow the ideal up to the processing units; a GIL keeps CPU-bound work near 1.")
}

# --- GIL against free threading: threads throughput / GIL throughput ---
function plot_gil(W,    i, j, k, var, key, s) {
	reset()
	for (i = 1; i <= n; i++) {
		if (wl[i] != W || !ok_ops(i) || (model[i] != "gil" && model[i] != "gil-old")) continue
		for (j = 1; j <= n; j++)
			if (wl[j] == W && model[j] == "threads" && ok_ops(j) && grp[j] == grp[i] &&
			    workers[j] == workers[i])
				break
		if (j > n) continue
		var = variant(i, "")
		key = model[i] SUBSEP var
		k = ser(key, model[i], var, title_of(model[i], var))
		add(k, workers[i], ops[j] / ops[i], \
		    isnum(ops_lo[j]) && isnum(ops_hi[i]) ? ops_lo[j] / ops_hi[i] : "", \
		    isnum(ops_hi[j]) && isnum(ops_lo[i]) && ops_lo[i] > 0 ? ops_hi[j] / ops_lo[i] : "")
	}
	if (ns == 0) return
	s = workers_axis() "\nset yrange [0:*]" \
		"\nset arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb \"#999999\""
	if (emit("plot-gil", "GIL against free threading: " W, "workers", \
	    "slowdown: threads throughput / GIL throughput", s, ""))
		listed("plot-gil", "gil", "GIL against free threading (" W ")", \
		    "How many times slower " W " runs under each GIL policy than under free threads at the same worker count " \
		    "(1 = as fast, dashed). Error bars combine the two medians' 95% CIs (lowest / highest ratio they allow). " \
		    "CPython's new GIL keeps CPU-bound threads to one core; the old one also wastes time in failed handoffs on a multicore machine.")
}

# --- the convoy effect ---
function plot_convoy(W,    i, k, var, key, s, best, d, mx, tmin, tmax, c, ref, xt, m, x) {
	# Against companions, at the GIL interval closest to 5 ms.
	reset()
	best = ""
	for (i = 1; i <= n; i++)
		if (wl[i] == W && model[i] == "gil" && ok_ops(i) &&
		    (best == "" || absf(log(si[i] / 5000)) < absf(log(best / 5000)))) best = si[i]
	for (i = 1; i <= n; i++) {
		if (wl[i] != W || !ok_ops(i) || ops[i] <= 0) continue
		if (model[i] == "gil" && si[i] != best) continue
		var = variant(i, "si")
		key = model[i] SUBSEP var
		k = ser(key, model[i], var, title_of(model[i], var) (model[i] == "gil" ? " (" si[i] " us)" : ""))
		add(k, workers[i] - 1, ops[i], ops_lo[i], ops_hi[i])
	}
	if (nx >= 2 && emit("plot-convoy", "Convoy effect: " W, "CPU-bound companions of worker 0", \
	    "worker 0 round trips/s", "set logscale y\nset xtics 1\nset format y \"%.0s%c\"", ""))
		listed("plot-convoy", "convoy", "Convoy effect against companions", \
		    "Round trips per second of worker 0 (an I/O request/response loop) next to 0, 1, 2... CPU-bound companions, per model (log scale; error bars: 95% CI of the median). " \
		    "Under a GIL each blocking call hands the lock to a companion, and worker 0 waits up to a switch interval to get it back; " \
		    "with processes or free threads it stays near its solo rate.")

	# Against the switch interval, one line per number of companions.
	reset()
	if (nsi[W] < 2) return
	tmin = tmax = ""
	for (i = 1; i <= n; i++) {
		if (wl[i] != W || model[i] != "gil" || !ok_ops(i) || ops[i] <= 0) continue
		c = workers[i] - 1
		key = c SUBSEP vlab[i]
		var = vlab[i]
		k = ser(key, "gil", var, c " companion" (c == 1 ? "" : "s") (var == "" ? "" : " " var))
		S_color[k] = palette(c)
		S_rank[k] = c
		add(k, si[i], ops[i], ops_lo[i], ops_hi[i])
		if (tmin == "" || si[i] + 0 < tmin) tmin = si[i] + 0
		if (tmax == "" || si[i] + 0 > tmax) tmax = si[i] + 0
		if (c > mx) mx = c
	}
	if (nx < 2) return
	# Free threads and processes with the most companions, for reference.
	for (i = 1; i <= n; i++) {
		if (wl[i] != W || (model[i] != "threads" && model[i] != "procs") || !ok_ops(i) ||
		    workers[i] - 1 != mx || ops[i] <= 0) continue
		k = ser("ref" SUBSEP model[i] SUBSEP vlab[i], model[i], "", \
		    model[i] ", " mx " companion" (mx == 1 ? "" : "s"))
		S_with[k] = "lines lw 1.2"
		S_dt[k] = 4
		S_rank[k] = 1000 + model_rank(model[i])
		add(k, tmin, ops[i], "", ""); add(k, tmax, ops[i], "", "")
	}
	d = "$per << EOD\n" tmin " " 1e6 / tmin "\n" tmax " " 1e6 / tmax "\nEOD"
	xt = "set xtics ("
	m = 0
	for (x in XS) xt = xt (m++ ? ", " : "") x
	xt = xt ")"
	if (emit("plot-convoy-interval", "Convoy effect against the GIL switch interval: " W, \
	    "switch interval (us)", "worker 0 round trips/s", \
	    "set logscale xy\nset format y \"%.0s%c\"\n" xt "\n" d, \
	    "$per using 1:2 with lines dt 3 lw 1 lc rgb \"#555555\" title \"one per interval\""))
		listed("plot-convoy-interval", "convoy", "Convoy effect against the switch interval", \
		    "Worker 0's round trips per second under the GIL against the switch interval, one line per number of CPU-bound companions (log-log). " \
		    "The dotted line is one round trip per interval: a convoyed I/O thread gets the GIL back about once per interval, so its rate scales with 1/interval. " \
		    "Dashed: free threads and processes with the most companions.")
}

function palette(c) {
	c = c % 6
	return c == 0 ? "#444444" : c == 1 ? "#d62728" : c == 2 ? "#9467bd" : c == 3 ? "#8c564b" : \
		c == 4 ? "#e377c2" : "#17becf"
}

# --- I/O overlap: throughput against workers ---
function plot_io(W,    i, k, var, key, s, base, minw, d, xs, nxs, x) {
	reset()
	minw = ""
	for (i = 1; i <= n; i++) {
		if (wl[i] != W || !ok_ops(i)) continue
		var = variant(i, "")
		k = ser(model[i] SUBSEP var, model[i], var, title_of(model[i], var))
		add(k, workers[i], ops[i], ops_lo[i], ops_hi[i])
		if (minw == "" || workers[i] < minw) minw = workers[i]
	}
	if (nx < 2) return
	base = ""
	for (i = 1; i <= n; i++)
		if (wl[i] == W && ok_ops(i) && workers[i] == minw && vlab[i] == vlab_first(W) &&
		    (model[i] == "serial" || (base == "" && model[i] == "threads"))) base = ops[i]
	s = workers_axis() "\nset yrange [0:*]"
	if (base != "") reference("perfect overlap", base / minw, 2)
	EMIT_Y = "si"
	if (emit("plot-io-" W, "I/O overlap: " W, "workers", W " throughput (%U/s)", s, ""))
		listed("plot-io-" W, "io", "I/O overlap (" W ")", \
		    "Throughput of " W " against workers, per model (error bars: 95% CI of the median). Blocking calls release a GIL, " \
		    "so I/O-bound work overlaps under every model except serial; the dashed line is perfect overlap from the " \
		    "1-worker rate. Where a GIL line falls below the others, the work holds the GIL between its blocking calls.")
}

function vlab_first(W,    i) {
	for (i = 1; i <= n; i++) if (wl[i] == W) return vlab[i]
	return ""
}

# --- dot plots: clusters on x, one dot per model, whiskers ---

function dreset() { split("", D_cl); split("", D_lab); split("", D_m); nd = 0; ncl = 0; split("", DM); ndm = 0 }

function dadd(cl, m, y, lo, hi,    j) {
	if (!(cl in D_cl)) { D_cl[cl] = ++ncl; D_lab[ncl] = cl }
	if (!(m in DM)) { DM[m] = 1; dml[++ndm] = m }
	j = ++nd
	D_c[j] = D_cl[cl]; D_m[j] = m; D_y[j] = y; D_lo[j] = lo; D_hi[j] = hi
}

function demit(name, title, yl, setup,    i, j, k, m, a, b, t, off, s) {
	if (nd == 0) { EMIT_Y = ""; return 0 }
	# Models in report order; each gets an offset within its cluster.
	for (a = 2; a <= ndm; a++) {
		t = dml[a]
		for (b = a - 1; b >= 1 && model_rank(dml[b]) > model_rank(t); b--) dml[b + 1] = dml[b]
		dml[b + 1] = t
	}
	reset()
	for (a = 1; a <= ndm; a++) {
		m = dml[a]
		off = ndm == 1 ? 0 : (a - (ndm + 1) / 2) * (0.7 / ndm)
		k = ser(m, m, "", m)
		S_with[k] = "yerrorbars pt 7 ps 1.1 lw 1.6"
		for (j = 1; j <= nd; j++)
			if (D_m[j] == m) add(k, D_c[j] + off, D_y[j], D_lo[j], D_hi[j])
	}
	s = "set xtics ("
	for (i = 1; i <= ncl; i++) s = s (i > 1 ? ", " : "") "\"" gq(D_lab[i]) "\" " i
	s = s ") scale 0\nset xrange [0.4:" ncl + 0.6 "]\nset grid noxtics\nset offsets 0, 0, graph 0.05, graph 0.05"
	if (setup != "") s = s "\n" setup
	return emit(name, title, "", yl, s, "")
}

# --- creation cost: thread against fork, and against the parent's size ---
function plot_spawn(W,    i, minr, minw, var, k, s, xt, seen, nrs, rl, pos) {
	minr = ""; minw = ""
	for (i = 1; i <= n; i++) {
		if (wl[i] != W || !ok_lat(i)) continue
		if (isnum(rss[i]) && (minr == "" || rss[i] + 0 < minr)) minr = rss[i] + 0
		if (minw == "" || workers[i] < minw) minw = workers[i]
	}
	if (minw == "") return
	dreset()
	for (i = 1; i <= n; i++) {
		if (wl[i] != W || !ok_lat(i) || workers[i] != minw) continue
		if (minr != "" && isnum(rss[i]) && rss[i] + 0 != minr) continue
		var = drop_tok(vlab[i], "rss")
		dadd(var == "" ? W : var, model[i], lat50[i], lat50[i], isnum(lat99[i]) ? lat99[i] : "")
	}
	EMIT_Y = "lat"
	if (demit("plot-spawn", "Creation cost: " W " (" minw " worker" (minw == 1 ? "" : "s") \
	    (minr == "" ? "" : ", rss=" fmt_bytes(minr)) ")", "latency per creation (us)", \
	    ""))
		listed("plot-spawn", "spawn", "Creation cost: thread against fork", \
		    "Median time to create and join a thread, or fork and reap a child, per model (dot); the whisker reaches the 99th percentile. Log scale.")

	# Against the parent's memory size, when the run sweeps it.
	# The sizes are equally spaced, in order: a sweep is usually geometric
	# and may start at 0, which no log axis shows.
	reset()
	for (i = 1; i <= n; i++)
		if (wl[i] == W && ok_lat(i) && isnum(rss[i]) && workers[i] == minw && !(rss[i] in seen)) {
			seen[rss[i]] = 1
			rl[++nrs] = rss[i] + 0
		}
	if (nrs < 2) return
	isort(rl, nrs)
	xt = "set xtics ("
	for (i = 1; i <= nrs; i++) {
		pos[rl[i]] = i
		xt = xt (i > 1 ? ", " : "") "\"" fmt_bytes(rl[i]) "\" " i
	}
	xt = xt ")"
	for (i = 1; i <= n; i++) {
		if (wl[i] != W || !ok_lat(i) || !isnum(rss[i]) || workers[i] != minw) continue
		var = variant(i, "rss")
		k = ser(model[i] SUBSEP var, model[i], var, title_of(model[i], var))
		add(k, pos[rss[i] + 0], lat50[i], "", "")
	}
	for (k = 1; k <= ns; k++) S_with[k] = "linespoints pt 7 lw 1.6"
	EMIT_Y = "lat"
	if (emit("plot-spawn-rss", "Creation cost against the parent's memory: " W, \
	    "memory the parent touched before spawning", "median latency per creation", \
	    xt, ""))
		listed("plot-spawn-rss", "spawn", "Creation cost against the parent's memory size", \
		    "Median creation latency against the memory the parent touched before spawning (rss parameter; log latency scale). fork() copies the parent's page tables, " \
		    "so its cost grows with the parent's size; creating a thread does not.")
}

# --- coordination latency ---
function plot_sync(    L, nl, a, W, i, N, g, lab) {
	dreset()
	nl = split("event condition semaphore barrier queue timer", L, " ")
	for (a = 1; a <= nl; a++) {
		W = L[a]
		if (!(W in has)) continue
		split("", topN)
		for (i = 1; i <= n; i++)
			if (wl[i] == W && ok_lat(i) && workers[i] > topN[grp[i]] + 0) topN[grp[i]] = workers[i]
		for (i = 1; i <= n; i++) {
			if (wl[i] != W || !ok_lat(i) || workers[i] != topN[grp[i]]) continue
			if (model[i] == "gil" && nsi[W] > 1 && si[i] != 5000) continue
			lab = W (vlab[i] == "" ? "" : " " vlab[i]) " n=" workers[i]
			dadd(lab, model[i], lat50[i], lat50[i], isnum(lat99[i]) ? lat99[i] : "")
		}
	}
	EMIT_Y = "lat"
	if (demit("plot-sync", "Coordination latency", "latency (us), median and p99", \
	    "set xtics rotate by -20"))
		listed("plot-sync", "sync", "Coordination latency", \
		    "Median latency of each primitive's operation per model at the largest worker count measured (dot), with a whisker up to the " \
		    "99th percentile (log scale). A GIL adds a handoff to every wakeup: the woken thread must take the GIL before it runs.")
}

# --- placement: scatter against compact ---
function plot_placement(    i, j, key, W, lab, topP, c) {
	dreset()
	split("", topP)
	# The largest worker count of each workload having both placements.
	for (i = 1; i <= n; i++) {
		if (bind[i] != "scatter" || !ok_ops(i)) continue
		for (j = 1; j <= n; j++)
			if (bind[j] == "compact" && ok_ops(j) && wl[j] == wl[i] && model[j] == model[i] &&
			    workers[j] == workers[i] && si[j] == si[i] && ci[j] == ci[i] && cfg[j] == cfg[i]) {
				key = wl[i] SUBSEP cfg[i]
				if (workers[i] > topP[key] + 0) topP[key] = workers[i]
				break
			}
	}
	for (i = 1; i <= n; i++) {
		if (bind[i] != "scatter" || !ok_ops(i)) continue
		key = wl[i] SUBSEP cfg[i]
		if (!(key in topP) || workers[i] != topP[key]) continue
		for (j = 1; j <= n; j++)
			if (bind[j] == "compact" && ok_ops(j) && wl[j] == wl[i] && model[j] == model[i] &&
			    workers[j] == workers[i] && si[j] == si[i] && ci[j] == ci[i] && cfg[j] == cfg[i])
				break
		if (j > n) continue
		if (model[i] == "gil" && nsi[wl[i]] > 1 && si[i] != 5000) continue
		lab = drop_tok(vlab[i], "bind")
		lab = wl[i] (lab == "" ? "" : " " lab) " n=" workers[i]
		dadd(lab, model[i], ops[i] / ops[j], \
		    isnum(ops_lo[i]) && isnum(ops_hi[j]) ? ops_lo[i] / ops_hi[j] : "", \
		    isnum(ops_hi[i]) && isnum(ops_lo[j]) && ops_lo[j] > 0 ? ops_hi[i] / ops_lo[j] : "")
		c++
	}
	if (demit("plot-placement", "Placement: scatter against compact", \
	    "throughput ratio scatter / compact", \
	    "set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb \"#999999\""))
		listed("plot-placement", "placement", "Placement: compact against scatter", \
		    "Throughput with workers spread across packages, NUMA nodes and cores (scatter) divided by throughput with cores filled in order (compact), " \
		    "per model at the largest worker count with both; above 1 scatter wins. Error bars: the lowest and highest ratio the two 95% CIs allow.")
}

END {
	if ("countdown" in has) { plot_scaling("countdown"); plot_gil("countdown") }
	if ("convoy" in has) plot_convoy("convoy")
	if ("sleep" in has) plot_io("sleep")
	if ("filewrite" in has) plot_io("filewrite")
	if ("sockrecv" in has) plot_io("sockrecv")
	if ("spawn" in has) plot_spawn("spawn")
	plot_sync()
	plot_placement()
}

function floor_(x) { return x == int(x) || x > 0 ? int(x) : int(x) - 1 }
function ceil_(x) { return -floor_(-x) }

# EMIT_Y = "si": divides every y by the SI prefix that suits the largest,
# and puts it in the label in place of %U ("ops", "k ops", "M ops", ...).
function scale_y(yl,    k, j, mx, d, p, v) {
	mx = 0
	for (k = 1; k <= ns; k++)
		for (j = 1; j <= S_np[k]; j++) {
			v = isnum(S_hi[k, j]) ? S_hi[k, j] + 0 : S_y[k, j] + 0
			if (v > mx) mx = v
		}
	d = 1; p = ""
	if (mx >= 1e9) { d = 1e9; p = "G " }
	else if (mx >= 1e6) { d = 1e6; p = "M " }
	else if (mx >= 1e4) { d = 1e3; p = "k " }
	for (k = 1; k <= ns; k++)
		for (j = 1; j <= S_np[k]; j++) {
			S_y[k, j] /= d
			if (isnum(S_lo[k, j])) S_lo[k, j] /= d
			if (isnum(S_hi[k, j])) S_hi[k, j] /= d
		}
	sub(/%U/, p "ops", yl)
	return yl
}

# EMIT_Y = "lat": a log y axis in microseconds, ticks at whole decades
# labelled in the unit that reads best (10 us, 1 ms, ...).
function lat_ticks(    k, j, lo, hi, v, d0, d1, d, s) {
	lo = hi = ""
	for (k = 1; k <= ns; k++)
		for (j = 1; j <= S_np[k]; j++) {
			v = S_y[k, j] + 0
			if (v > 0 && (lo == "" || v < lo)) lo = v
			v = isnum(S_hi[k, j]) ? S_hi[k, j] + 0 : v
			if (v > 0 && (hi == "" || v > hi)) hi = v
		}
	if (lo == "") return ""
	d0 = floor_(log(lo) / log(10) + 1e-9)
	d1 = ceil_(log(hi) / log(10) - 1e-9)
	if (d1 <= d0) d1 = d0 + 1
	# (a hair wider than the decades: gnuplot drops a tick label that
	# rounding puts just outside the range)
	s = "set logscale y\nset yrange [" 0.999 * 10 ^ d0 ":" 1.001 * 10 ^ d1 "]\nset ytics ("
	for (d = d0; d <= d1; d++) s = s (d > d0 ? ", " : "") "\"" fmt_us(10 ^ d) "\" " 10 ^ d
	return s ")\nset mytics 10"
}

# A grey reference line y = slope * x through every x of the plot.
function reference(title, slope, dt,    k, x) {
	k = ser("ref" SUBSEP title, "", "", title)
	S_color[k] = "#999999"; S_dt[k] = dt; S_with[k] = "lines lw 1"; S_rank[k] = 10000
	for (x in XS) add(k, x + 0, slope * x, "", "")
}
