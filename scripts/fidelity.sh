#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Simulation next to reality: ratios from ptbench's summary.csv against the
# same ratios from CPython's calibration.csv, with their quotient (fidelity),
# written as RESULTS/fidelity.csv, fidelity.md and a self-contained fidelity.html.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: fidelity.sh [-q] [-p DIR]... RESULTS [PTBENCH_DIR...]

Reads RESULTS/calibration.csv (scripts/calibrate.sh) and ptbench's medians,
and writes RESULTS/fidelity.csv, RESULTS/fidelity.md and RESULTS/fidelity.html.
ptbench's side: the summary.csv of RESULTS and of each PTBENCH_DIR (the first
row of a point wins); or, with -p, the medians of the repetitions in the
results.csv of every -p DIR pooled together (runs interleaved with CPython's).
  countdown: wall(model) / wall(sequential) at each worker count,
             CPython threading vs ptbench gil, multiprocessing vs procs,
             free-threaded CPython vs threads
  convoy:    collapse = round trips/s solo / round trips/s next to k
             CPU-bound workers, per switch interval and k
fidelity = ptbench ratio / CPython ratio, flagged outside [1/1.5, 1.5].
EOF
}

quiet=0
pooled=()
while [ $# -gt 0 ]; do
  case $1 in
    -q) quiet=1 ;;
    -p)
      [ $# -ge 2 ] || { echo "fidelity: -p needs a directory" >&2; exit 2; }
      [ -s "$2/results.csv" ] || { echo "fidelity: no results.csv in '$2'" >&2; exit 1; }
      pooled+=("$2/results.csv"); shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "fidelity: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    *) break ;;
  esac
  shift
done
[ $# -ge 1 ] || { usage >&2; exit 2; }
res=$1
shift
cal=$res/calibration.csv
if [ ! -s "$cal" ]; then
  echo "fidelity: no $cal (run scripts/calibrate.sh first)" >&2
  exit 1
fi
sums=()
counted=()
for d in "$res" "$@"; do
  if [ "${#pooled[@]}" -gt 0 ] && [ "$d" = "$res" ]; then
    continue  # pooled repetitions replace the run's own medians
  elif [ -s "$d/summary.csv" ]; then
    sums+=("$d/summary.csv")
    # Its repetitions, for the convoy's modes only.
    [ ! -s "$d/results.csv" ] || counted+=("$d/results.csv")
  elif [ "$d" != "$res" ]; then
    echo "fidelity: no summary.csv in '$d'" >&2
    exit 1
  fi
done
if [ "${#sums[@]}" = 0 ] && [ "${#pooled[@]}" = 0 ]; then
  echo "fidelity: no ptbench summary.csv in '$res' (give its run's directory)" >&2
  exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ptfid.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# A CSV reader for quoted fields, in POSIX awk (mawk has no FPAT).
csvlib='
function csvsplit(line, f,    n, i, c, q, cur, len) {
  n = 0; cur = ""; q = 0
  sub(/\r$/, "", line)
  len = length(line)
  for (i = 1; i <= len; i++) {
    c = substr(line, i, 1)
    if (q) {
      if (c == "\"") {
        if (substr(line, i + 1, 1) == "\"") { cur = cur "\""; i++ } else q = 0
      } else cur = cur c
    } else if (c == "\"") q = 1
    else if (c == ",") { f[++n] = cur; cur = "" }
    else cur = cur c
  }
  f[++n] = cur
  return n
}
function csvq(s) {
  if (s ~ /[,"]/) { gsub(/"/, "\"\"", s); return "\"" s "\"" }
  return s
}
function g(name) { return (name in col) ? fld[col[name]] : "" }
'

# Pass 1: medians on both sides, then one row a comparison, with a sort key.
awk "$csvlib"'
FNR == 1 {
  delete col
  nf = csvsplit($0, fld)
  for (i = 1; i <= nf; i++) col[fld[i]] = i
  kind = ("interpreter" in col) ? "cal" : (("wall_median_s" in col) ? "sum" : (("rep" in col) ? "res" : ""))
  if (kind == "") { print "fidelity: " FILENAME ": not a calibration.csv, summary.csv or results.csv" > "/dev/stderr"; bad = 1; exit 1 }
  next
}
kind == "cal" {
  csvsplit($0, fld)
  if (g("status") != "ok") next
  wl = g("workload"); m = g("model"); it = g("interpreter")
  if (wl != "countdown" && wl != "convoy") next
  v = (wl == "countdown") ? g("wall_s") : g("ops_per_s")
  if (v == "" || v + 0 <= 0) next
  if (!(it in iorder)) iorder[it] = ++ninterp
  k = it SUBSEP m SUBSEP wl SUBSEP g("workers") SUBSEP g("switch_interval_us")
  cn[k]++
  cv[k, cn[k]] = v + 0
  mode(k, v)
  next
}
kind == "sum" {
  csvsplit($0, fld)
  if (g("n_ok") + 0 < 1) next
  wl = g("workload"); m = g("model"); b = g("bind")
  if (wl != "countdown" && wl != "convoy") next
  if (b != "" && b != "none") next
  if (wl == "countdown" && g("scaling") != "" && g("scaling") != "strong") next
  v = (wl == "countdown") ? g("wall_median_s") : g("ops_per_s_median")
  if (v == "" || v + 0 <= 0) next
  k = m SUBSEP wl SUBSEP g("workers") SUBSEP (m == "gil" ? g("switch_interval_us") : "")
  if (k in pv) { dup++; next }
  pv[k] = v + 0
  next
}
kind == "res" {
  csvsplit($0, fld)
  if (g("status") != "ok") next
  wl = g("workload"); m = g("model"); b = g("bind")
  if (wl != "countdown" && wl != "convoy") next
  if (b != "" && b != "none") next
  if (wl == "countdown" && g("scaling") != "" && g("scaling") != "strong") next
  v = (wl == "countdown") ? g("wall_s") : g("ops_per_s")
  if (v == "" || v + 0 <= 0) next
  k = "ptbench" SUBSEP m SUBSEP wl SUBSEP g("workers") SUBSEP (m == "gil" ? g("switch_interval_us") : "")
  mode(k, v)
  if (!pool) next
  cn[k]++
  cv[k, cn[k]] = v + 0
  next
}
# The convoy under a GIL, one repetition: collapsed when its median round
# trip took at least half a switch interval (it waited for the GIL at its
# blocking calls), escaped when it did not: the I/O thread took the GIL back
# before the woken waiter ran, and a waiter woken before its timeout waits a
# fresh interval without asking for a drop (take_gil() in CPython,
# Python/ceval_gil.c, 3.2 and later; lib/gil.c take_new()).
function mode(k, v,    iv, p50) {
  iv = g("switch_interval_us"); p50 = g("lat_p50_us")
  if (g("workload") != "convoy" || iv == "" || p50 == "") return
  tot[k]++
  if (p50 + 0 >= iv / 2) { ccn[k]++; ccv[k, ccn[k]] = v + 0 }
}
function median(k) { return median_of(cn, cv, k) }
function median_of(cnt, val, k,    n, i, j, t, a) {
  n = cnt[k]
  for (i = 1; i <= n; i++) a[i] = val[k, i]
  for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
  return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function num(x) { return sprintf("%.6g", x) }
function reps(k) { return (k in tot) ? (ccn[k] + 0) "/" tot[k] : "" }
function crate(k) { return (ccn[k] > 0) ? median_of(ccn, ccv, k) : "" }
function emit(cmpi, wl, comp, cm, pm, it, iv, n, kk, ratio, cb, cval, pb, pval, ck, pk,    cr, pr, fid, flag, cc, pc, cf, cfl) {
  if (wl == "countdown") { cr = cval / cb; pr = pval / pb } else { cr = cb / cval; pr = pb / pval }
  fid = pr / cr
  flag = (fid > 1.5 || fid < 1 / 1.5) ? 1 : 0
  cc = crate(ck); pc = crate(pk)
  cf = (cc != "" && pc != "") ? sprintf("%.4g", pc / cc) : ""
  cfl = (cf == "") ? "" : ((cf > 1.5 || cf < 1 / 1.5) ? 1 : 0)
  printf "%03d %d %d %010d %06d|", iorder[it], (wl == "convoy"), cmpi, 1000000000 - (iv == "" ? 0 : iv), n
  print wl "," comp "," cm "," pm "," csvq(it) "," iv "," n "," kk "," ratio "," \
        num(cb) "," num(cval) "," num(cr) "," num(pb) "," num(pval) "," num(pr) "," \
        reps(ck) "," reps(pk) "," (cc == "" ? "" : num(cc)) "," (pc == "" ? "" : num(pc)) "," cf "," cfl "," \
        sprintf("%.4g", fid) "," flag
  rows++
}
END {
  if (bad) exit 1
  cmp["cpython-threads"] = "gil"; ci["cpython-threads"] = 0
  cmp["cpython-procs"] = "procs"; ci["cpython-procs"] = 1
  cmp["cpython-ft-threads"] = "threads"; ci["cpython-ft-threads"] = 2
  cname["countdown", 0] = "threads vs sequential"
  cname["countdown", 1] = "processes vs sequential"
  cname["countdown", 2] = "free threads vs sequential"
  cname["convoy", 0] = "collapse under the GIL"
  cname["convoy", 1] = "collapse with processes"
  cname["convoy", 2] = "collapse free-threaded"
  # Pooled ptbench repetitions: their medians, as summary.csv would hold.
  for (k in cn) {
    split(k, p, SUBSEP)
    if (p[1] != "ptbench") continue
    pk = p[2] SUBSEP p[3] SUBSEP p[4] SUBSEP p[5]
    if (!(pk in pv)) pv[pk] = median(k)
  }
  for (k in cn) {
    split(k, p, SUBSEP)
    if (p[1] == "ptbench") continue
    it = p[1]; m = p[2]; wl = p[3]; n = p[4]; iv = p[5]
    if (!(m in cmp)) continue
    pm = cmp[m]
    piv = (pm == "gil") ? iv : ""
    if (pm == "gil" && iv == "") continue
    if (wl == "countdown") {
      base = it SUBSEP "cpython-seq" SUBSEP wl SUBSEP n SUBSEP ""
      pk = pm SUBSEP wl SUBSEP n SUBSEP piv
      pbk = "serial" SUBSEP wl SUBSEP n SUBSEP ""
      if (!(base in cn) || !(pk in pv) || !(pbk in pv)) continue
      emit(ci[m], wl, cname[wl, ci[m]], m, pm, it, iv, n, "", "wall_s / wall_s sequential",
           median(base), median(k), pv[pbk], pv[pk], "", "")
    } else {
      if (n + 0 < 2) continue
      base = it SUBSEP m SUBSEP wl SUBSEP 1 SUBSEP iv
      pk = pm SUBSEP wl SUBSEP n SUBSEP piv
      pbk = pm SUBSEP wl SUBSEP 1 SUBSEP piv
      if (!(base in cn) || !(pk in pv) || !(pbk in pv)) continue
      emit(ci[m], wl, cname[wl, ci[m]], m, pm, it, iv, n, n - 1, "round trips/s solo / with k CPU-bound",
           median(base), median(k), pv[pbk], pv[pk], k, "ptbench" SUBSEP pk)
    }
  }
  if (dup) print "fidelity: " dup " further ptbench row(s) of an already seen point ignored (first wins)" > "/dev/stderr"
}
' "$cal" "${sums[@]}" pool=0 "${counted[@]}" pool=1 "${pooled[@]}" > "$tmp/rows"

{
  echo "workload,comparison,cpython_model,ptbench_model,interpreter,switch_interval_us,workers,cpu_bound,ratio,cpython_base,cpython_value,cpython_ratio,ptbench_base,ptbench_value,ptbench_ratio,cpython_collapsed_reps,ptbench_collapsed_reps,cpython_collapsed_rate,ptbench_collapsed_rate,collapsed_fidelity,collapsed_flagged,fidelity,flagged"
  LC_ALL=C sort "$tmp/rows" | cut -d'|' -f2-
} > "$tmp/fidelity.csv"

# Pass 2: the Markdown table and the HTML fragment, from fidelity.csv.
awk -v md="$tmp/fidelity.md" -v html="$tmp/fidelity.html" "$csvlib"'
function h(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); return s }
function f3(x) { return x == "" ? "" : sprintf("%.3g", x) }
function fig(wl, b, v) {
  return (wl == "countdown") ? sprintf("%.3g s -> %.3g s", b, v) : sprintf("%.4g -> %.4g /s", b, v)
}
function pair(a, b) { return (a == "" && b == "") ? "" : (a == "" ? "-" : a) " vs " (b == "" ? "-" : b) }
function pairn(a, b) { return (a == "" && b == "") ? "" : (a == "" ? "-" : sprintf("%.4g", a)) " vs " (b == "" ? "-" : sprintf("%.4g", b)) }
FNR == 1 { nf = csvsplit($0, fld); for (i = 1; i <= nf; i++) col[fld[i]] = i; next }
{
  csvsplit($0, fld)
  n++
  it = g("interpreter"); if (!(it in seen)) { seen[it] = 1; interps = interps (interps == "" ? "" : ", ") it }
  wl[n] = g("workload"); comp[n] = g("comparison"); pm[n] = g("ptbench_model")
  iv[n] = g("switch_interval_us"); w[n] = g("workers"); k[n] = g("cpu_bound"); ip[n] = it
  cr[n] = g("cpython_ratio"); pr[n] = g("ptbench_ratio"); fid[n] = g("fidelity"); fl[n] = g("flagged")
  cfig[n] = fig(wl[n], g("cpython_base"), g("cpython_value"))
  pfig[n] = fig(wl[n], g("ptbench_base"), g("ptbench_value"))
  creps[n] = pair(g("cpython_collapsed_reps"), g("ptbench_collapsed_reps"))
  crate[n] = pairn(g("cpython_collapsed_rate"), g("ptbench_collapsed_rate"))
  cfid[n] = g("collapsed_fidelity"); cfl[n] = g("collapsed_flagged")
  if (fl[n] == 1) { nflag++; why[wl[n] SUBSEP pm[n]] = 1 }
  if (cfl[n] == 1) ncflag++
  if (cfid[n] != "") ncoll++
}
END {
  intro = "fidelity = ptbench ratio / CPython ratio (1: the simulation reproduces the interpreter); " \
          "outside [0.67, 1.5] flagged. countdown: wall time against the sequential run with the same " \
          "workers (strong scaling). convoy: collapse = round trips/s solo / round trips/s next to k " \
          "CPU-bound workers, at the same switch interval. Convoy repetitions under a GIL are collapsed " \
          "(median round trip at least half an interval: the I/O thread waited for the GIL) or escaped; " \
          "the collapsed-mode columns compare the round trips/s of collapsed repetitions alone. " \
          "Rows only where both sides have data."
  nk = split("countdown,gil countdown,procs countdown,threads convoy,gil convoy,procs convoy,threads", order, " ")
  note["countdown,gil"] = "countdown, gil: both sides count down under one lock; the ratios are two " \
          "medians of a few repetitions each, and on a shared machine other load moves them (see the CV " \
          "columns of summary.csv)."
  note["countdown,procs"] = "countdown, procs: no GIL on either side; the speed-up depends on the cores " \
          "other load leaves free while each side runs."
  note["countdown,threads"] = "countdown, threads: no GIL on either side; see countdown, procs."
  note["convoy,gil"] = "convoy, gil: each repetition, in CPython as in the simulation, either collapses " \
          "(a CPU-bound thread takes the GIL while the I/O thread is blocked, and then every sendall and recv " \
          "waits about one switch interval to get it back: two intervals a round trip) or escapes (the I/O " \
          "thread takes the GIL back before the woken CPU-bound waiter runs; the waiter then waits a fresh " \
          "interval, so it never asks for a drop). Which happens depends on how fast the waiter wakes, that " \
          "is on the load of the machine at that moment, so the median over a few repetitions of each side " \
          "mixes the two modes in different proportions. Compare the collapsed-mode columns; run " \
          "calibrate.sh --paired with more repetitions to measure both sides under the same load. ptbench " \
          "(C client and echo peer) also makes more round trips solo than CPython, which scales its collapse " \
          "factor up by the ratio of the solo rates."
  note["convoy,procs"] = "convoy, procs: no GIL on either side; the CPU-bound workers only compete for " \
          "cores, so the rate with k > 0 depends on the scheduler and on other load; with a spare core it " \
          "can even exceed the solo rate (the cores stay awake)."
  note["convoy,threads"] = "convoy, threads: no GIL on either side; see convoy, procs."

  print "## Simulation against CPython" > md
  print "" > md
  print "Interpreter: " (interps == "" ? "none" : interps) ". " intro > md
  print "" > md
  if (n == 0) print "No comparison: calibration.csv and summary.csv share no point." > md
  else {
    print "| workload | comparison | interpreter | interval (us) | workers | CPU-bound | CPython | CPython ratio | ptbench | ptbench ratio | fidelity | | collapsed reps, CPython vs ptbench | collapsed-mode round trips/s, CPython vs ptbench | collapsed-mode fidelity |" > md
    print "|---|---|---|---:|---:|---:|---|---:|---|---:|---:|---|---:|---:|---:|" > md
    for (i = 1; i <= n; i++)
      printf "| %s | %s (%s) | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", wl[i], comp[i], pm[i], ip[i],
        iv[i], w[i], k[i], cfig[i], f3(cr[i]), pfig[i], f3(pr[i]), fid[i], fl[i] == 1 ? "**flagged**" : "",
        creps[i], crate[i], cfid[i] (cfl[i] == 1 ? " **flagged**" : "") > md
    print "" > md
    printf "%d of %d comparisons outside [0.67, 1.5]", nflag, n > md
    if (ncoll) printf "; in collapsed mode %d of %d", ncflag, ncoll > md
    print "." > md
    if (nflag) {
      print "" > md
      for (j = 1; j <= nk; j++) { split(order[j], p, ","); if ((p[1] SUBSEP p[2]) in why) print "- " note[order[j]] > md }
    }
  }
  r = "<td style=\"text-align:right\">"
  print "<section class=\"ptbench-fidelity\">" > html
  print "<h2>Simulation against CPython</h2>" > html
  print "<p>Interpreter: " h(interps == "" ? "none" : interps) ". " h(intro) "</p>" > html
  if (n == 0) print "<p>No comparison: calibration.csv and summary.csv share no point.</p>" > html
  else {
    print "<table style=\"border-collapse:collapse;font-size:90%\">" > html
    print "<thead><tr style=\"border-bottom:1px solid #888\"><th>workload</th><th>comparison</th><th>interpreter</th><th>interval (us)</th><th>workers</th><th>CPU-bound</th><th>CPython</th><th>CPython ratio</th><th>ptbench</th><th>ptbench ratio</th><th>fidelity</th><th>collapsed reps, CPython vs ptbench</th><th>collapsed-mode round trips/s, CPython vs ptbench</th><th>collapsed-mode fidelity</th></tr></thead>" > html
    print "<tbody>" > html
    for (i = 1; i <= n; i++) {
      st = fl[i] == 1 ? " style=\"background:#fdd\" title=\"outside [0.67, 1.5]\"" : ""
      printf "<tr%s><td>%s</td><td>%s (%s)</td><td>%s</td>%s%s</td>%s%s</td>%s%s</td><td>%s</td>%s%s</td><td>%s</td>%s%s</td>%s%s%s</td>%s%s</td>%s%s</td>%s%s%s</td></tr>\n",
        st, h(wl[i]), h(comp[i]), h(pm[i]), h(ip[i]), r, h(iv[i]), r, h(w[i]), r, h(k[i]), h(cfig[i]), r, f3(cr[i]),
        h(pfig[i]), r, f3(pr[i]), r, h(fid[i]), fl[i] == 1 ? " <strong>flagged</strong>" : "",
        r, h(creps[i]), r, h(crate[i]), r, h(cfid[i]), cfl[i] == 1 ? " <strong>flagged</strong>" : "" > html
    }
    print "</tbody></table>" > html
    printf "<p>%d of %d comparisons outside [0.67, 1.5]", nflag, n > html
    if (ncoll) printf "; in collapsed mode %d of %d", ncflag, ncoll > html
    print ".</p>" > html
    if (nflag) {
      print "<ul>" > html
      for (j = 1; j <= nk; j++) { split(order[j], p, ","); if ((p[1] SUBSEP p[2]) in why) print "<li>" h(note[order[j]]) "</li>" > html }
      print "</ul>" > html
    }
  }
  print "</section>" > html
}
' "$tmp/fidelity.csv"

# Each file appears whole, by rename.
for f in fidelity.csv fidelity.md fidelity.html; do
  cp "$tmp/$f" "$res/.$f.tmp"
  mv "$res/.$f.tmp" "$res/$f"
done
nrows=$(($(wc -l < "$res/fidelity.csv") - 1))
nflag=$(awk -F, 'NR > 1 && $NF == 1' "$res/fidelity.csv" | wc -l)
if [ "$quiet" = 0 ]; then
  echo "fidelity: $nrows comparisons, $nflag flagged: $res/fidelity.{csv,md,html}" >&2
  cat "$res/fidelity.md"
fi
