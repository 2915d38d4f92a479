# SPDX-License-Identifier: MIT
# summary.csv -> points.tsv: one line per point with the columns the report
# uses, by name (so new columns in summary.csv change nothing here), and the
# point's configuration: its bind and the workload's parameters as listed in
# meta.json (-v meta=FLAT, the output of lib-json.awk; may be empty).
#
# points.tsv columns (tab-separated, a header line first):
#  1 wl  2 model  3 workers  4 bind  5 si  6 ci  7 cfg  8 grp  9 vlab
# 10 status  11 n  12 n_ok  13 ops  14 ops_lo  15 ops_hi  16 ops_cv
# 17 wall  18 wall_lo  19 wall_hi  20 lat50  21 lat99  22 noisy  23 rss
# 24 msg  25 gil_wait
# cfg: "k=v ..." of the workload's parameters; grp: "bind=B" and cfg;
# vlab: the tokens of grp that vary between the workload's points (what
# tells its configurations apart; empty when it has one).

BEGIN {
	FS = "\n"
	if (meta != "") {
		while ((getline line < meta) > 0) {
			split(line, kv, "\t")
			if (kv[1] !~ /^run\.parameters\./) continue
			np = split(kv[1], pth, ".")
			if (np < 4) continue
			w = pth[3]; p = pth[4]
			if ((w SUBSEP p) in seen) continue
			seen[w, p] = 1
			plist[w] = plist[w] (plist[w] == "" ? "" : " ") p
		}
		close(meta)
	}
}

NR == 1 {
	nh = csv_split($0, h)
	for (i = 1; i <= nh; i++) col[h[i]] = i
	if (!("workload" in col) || !("model" in col) || !("workers" in col)) {
		print "report: summary.csv lacks workload/model/workers columns" > "/dev/stderr"
		exit 2
	}
	next
}

function get(name) { return (name in col) ? f[col[name]] : "" }

{
	if ($0 == "") next
	csv_split($0, f)
	n++
	wl = get("workload")
	cfg = ""
	np = split(plist[wl], ps, " ")
	for (i = 1; i <= np; i++) {
		v = get(ps[i])
		if (v != "") cfg = cfg (cfg == "" ? "" : " ") ps[i] "=" v
	}
	bind = get("bind")
	if (bind == "") bind = "none"
	grp = "bind=" bind (cfg == "" ? "" : " " cfg)
	rss = get("rss")
	msg = get("message")
	gsub(/[\t\r\n]/, " ", msg)
	row[n] = wl "\t" get("model") "\t" get("workers") "\t" bind "\t" get("switch_interval_us") \
		"\t" get("check_interval") "\t" cfg "\t" grp
	rest[n] = get("status") "\t" get("n") "\t" get("n_ok") "\t" get("ops_per_s_median") \
		"\t" get("ops_per_s_ci_lo") "\t" get("ops_per_s_ci_hi") "\t" get("ops_per_s_cv") \
		"\t" get("wall_median_s") "\t" get("wall_ci_lo_s") "\t" get("wall_ci_hi_s") \
		"\t" get("lat_p50_us") "\t" get("lat_p99_us") "\t" get("noisy") \
		"\t" (rss == "" ? "" : size_bytes(rss)) "\t" msg "\t" get("gil_wait_us")
	rwl[n] = wl
	rgrp[n] = grp
	if (!((wl SUBSEP grp) in gseen)) {
		gseen[wl, grp] = 1
		ngrp[wl]++
		nt = split(grp, tk, " ")
		for (i = 1; i <= nt; i++) tcount[wl, tk[i]]++
	}
}

END {
	print "wl\tmodel\tworkers\tbind\tsi\tci\tcfg\tgrp\tvlab\tstatus\tn\tn_ok\tops\tops_lo\tops_hi\tops_cv\twall\twall_lo\twall_hi\tlat50\tlat99\tnoisy\trss\tmsg\tgil_wait"
	for (r = 1; r <= n; r++) {
		wl = rwl[r]
		nt = split(rgrp[r], tk, " ")
		vlab = ""
		for (i = 1; i <= nt; i++)
			if (tcount[wl, tk[i]] < ngrp[wl])
				vlab = vlab (vlab == "" ? "" : " ") tk[i]
		print row[r] "\t" vlab "\t" rest[r]
	}
}
