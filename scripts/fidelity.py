# SPDX-License-Identifier: MIT
# The simulation next to reality: for each workload the ratios that carry
# its meaning (gil/serial, procs/gil per start method, gil with CPU-bound
# neighbours/gil alone, free threads/gil, the convoy's collapse), measured
# round by round with ptbench and CPython side by side, and their quotient
# per round: the median quotient with a distribution-free interval, and a
# three-way state (agree: the interval inside [0.67, 1.5]; disagree:
# entirely outside; undecided otherwise), each row that does not agree
# explained. Writes fidelity.csv (the report renders it) and fidelity.md.
# Standard library only; numbers never go through the locale.
"""fidelity: ptbench's ratios against CPython's, round by round.

usage: fidelity.py [-q] [--why TEXT] RESULTS [PTBENCH_DIR ...]

RESULTS holds calibration.csv (CPython's rows, scripts/calibrate.py) and
calibration-ptbench.csv (ptbench's, measured in the same rounds); without
the latter, ptbench's side is the run's results.csv (or the PTBENCH_DIRs'
pooled), not paired.
"""

import csv
import json
import math
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "twins"))

import run as twins  # noqa: E402  (scripts/twins/run.py: the registry of twins)
from ptreport.safeio import write_file  # noqa: E402  (scripts/ on the path: run from there)

LO, HI = 0.67, 1.5  # the agreement band (issue 16)
COLUMNS = ["workload", "comparison", "workers", "params", "interpreter", "cpython_ratio",
           "ptbench_ratio", "fidelity", "flagged", "reason", "ptbench_model", "start",
           "switch_interval_us", "cpu_neighbours", "cpython_a", "cpython_b", "ptbench_a",
           "ptbench_b", "cpython_n", "ptbench_n", "paired_rounds", "paired_cpython_ratio",
           "paired_ptbench_ratio", "paired_fidelity", "state", "rounds", "paired",
           "fidelity_lo", "fidelity_hi", "ci_level", "fidelity_min", "fidelity_max",
           "run_ptbench_ratio"]
STATES = ("agree", "undecided", "disagree")
LEVEL = 0.90     # coverage of the median's interval over the rounds
MIN_ROUNDS = 5   # the fewest rounds whose interval reaches LEVEL (1 - 2/2^5)
DEFAULT_INTERVAL = "5000"  # CPython's default switch interval, 5 ms (sys.getswitchinterval)


class BadInput(Exception):
    """A results file that cannot be read: exit 2 with its message."""


def num(s):
    """A float from a CSV cell, or None; never locale-dependent."""
    try:
        v = float(s)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def read_csv(path):
    try:
        with open(path, newline="", encoding="utf-8", errors="replace") as f:
            r = csv.DictReader(f)
            if not r.fieldnames or "workload" not in r.fieldnames or "model" not in r.fieldnames:
                raise BadInput("%s: no workload and model columns: not a results file" % path)
            return list(r)
    except csv.Error as e:
        raise BadInput("%s: malformed CSV: %s" % (path, e))
    except OSError as e:
        raise BadInput("%s: %s" % (path, e.strerror))


def norm(v):
    """Parameter values compared as numbers where they are numbers (64K and
    65536 are one payload)."""
    v = (v or "").strip()
    if re.fullmatch(r"[0-9]+[KkMmGg]?[Bb]?", v):  # ptbench takes 1KB and 64B as well
        return str(twins.param_int({"v": v.rstrip("Bb")}, "v"))
    f = num(v)
    return "%.6g" % f if f is not None else v


def keyparams(workload, row):
    """The twin's KEY parameters of a row, defaults where the row has none."""
    mod = twins.twin(workload)
    return tuple((k, norm(row.get(k) or mod.PARAMS.get(k, ""))) for k in mod.KEY)


def counts(row):
    """Whether a ptbench row stands for what the twin does: Python's own
    transport (ipc=auto: queue, pool), and no shared objects but in countdown, whose
    twin has them (--shared)."""
    if row.get("ipc") not in (None, "", "auto"):
        return False
    shared = num(row.get("shared"))
    return row.get("workload") == "countdown" or not shared


def point_key(row, side):
    """(workload, workers, neighbours, keyparams) and the model spec
    (name, start, interval) of a row, or None when the row does not count."""
    wl = row.get("workload", "")
    if wl not in twins.TWINS or row.get("status") != "ok":
        return None
    if row.get("bind") not in (None, "", "none"):
        return None
    if side == "ptbench" and not counts(row):
        return None
    if side == "cpython" and row.get("phase") not in (None, "", "main"):
        return None
    if num(row.get("ops_per_s")) is None or num(row.get("ops_per_s")) <= 0:
        return None
    model = row.get("model", "")
    start = (row.get("start") or "fork") if model == "procs" else ""
    interval = (row.get("switch_interval_us") or DEFAULT_INTERVAL) if model == "gil" else ""
    try:
        workers = int(row.get("workers", ""))
        k = int(row.get("cpu_neighbours") or 0)
    except ValueError:
        return None
    return (wl, workers, k, keyparams(wl, row)), (model, start, interval)


def comparisons(cal):
    """The comparisons the CPython side supports: (group, comparison,
    model spec a, group b, model spec b, ptbench spec a, ptbench spec b)."""
    groups = {}
    for (g, spec) in cal:
        groups.setdefault(g, set()).add(spec)
    out = []
    for g in sorted(groups, key=lambda g: (g[0], g[3], g[2], g[1])):
        wl, n, k, kp = g
        specs = groups[g]
        gils = sorted((s for s in specs if s[0] == "gil"), key=lambda s: -int(s[2]))
        gil_ref = next((s for s in gils if s[2] == DEFAULT_INTERVAL), gils[0] if gils else None)
        if k == 0:
            for s in gils:
                if ("serial", "", "") in specs:
                    out.append((g, "gil/serial", s, g, ("serial", "", "")))
            for s in sorted(x for x in specs if x[0] == "procs"):
                if gil_ref:
                    out.append((g, "procs/gil", s, g, gil_ref))
            if ("ft", "", "") in specs and gil_ref:
                out.append((g, "free/gil", ("ft", "", ""), g, gil_ref))
            if wl == "convoy" and n > 1:
                # The collapse: round trips/s beside n-1 CPU-bound workers
                # over round trips/s alone.
                g1 = (wl, 1, 0, kp)
                for s in sorted(specs):
                    if s[0] != "serial" and (g1, s) in cal:
                        out.append((g, "%s %d/1 workers" % (s[0], n), s, g1, s))
        else:
            g0 = (wl, n, 0, kp)
            for s in sorted(specs):
                if s[0] in ("gil", "ft", "procs") and (g0, s) in cal:
                    out.append((g, "%s+%dcpu/%s" % (s[0], k, s[0]), s, g0, s))
    return out


def pt_spec(spec, pt_models):
    """ptbench's model for a CPython model: free-threaded CPython against
    ptbench's ft where the run has it, else against threads (its bound)."""
    if spec[0] == "ft":
        return ("ft", "", "") if "ft" in pt_models else ("threads", "", "")
    return spec


def outside(f):
    return f is not None and (f < LO or f > HI)


def fid_of(c, p):
    return p / c if c and p else None


def g3(x):
    return "" if x is None else "%.4g" % x


def median_interval(xs, level=LEVEL):
    """A distribution-free interval of the median of xs: the order
    statistics x(k) and x(n+1-k) with the largest k whose coverage,
    1 - 2 P(Binomial(n, 1/2) <= k - 1), is at least level (the sign
    test's interval for the median; W. J. Conover, Practical Nonparametric
    Statistics, 3rd ed., section 3.2). (lo, hi, coverage), or None when n is
    too small for that level (n < 5 at 90%)."""
    s, n = sorted(xs), len(xs)
    best, below = None, 0.0
    for k in range(1, n // 2 + 1):
        below += math.comb(n, k - 1) / 2.0 ** n  # P(Bin(n, 1/2) = k - 1)
        cover = 1.0 - 2.0 * below
        if cover < level:
            break
        best = (s[k - 1], s[n - k], cover)
    return best


def state_of(ci):
    """agree: the interval inside [LO, HI]; disagree: entirely outside it;
    undecided: across a bound, or too few rounds for an interval."""
    if ci is None:
        return "undecided"
    lo, hi, _ = ci
    if LO <= lo and hi <= HI:
        return "agree"
    if hi < LO or lo > HI:
        return "disagree"
    return "undecided"


def spread(xs):
    return "%.3g" % min(xs) if min(xs) == max(xs) else "%.3g-%.3g" % (min(xs), max(xs))


# Differences between the twin and the workload that are known, with their
# source: (workload, comparison kind, fidelity above 1) -> what the
# simulation leaves out or what swings on both sides alike.
HANDSHAKE = ("multiprocessing's Condition.notify() waits for each woken waiter to "
             "acknowledge (woken_count, CPython Lib/multiprocessing/synchronize.py), and "
             "its Event and Barrier are built on it; ptbench's process-shared primitives "
             "have no such handshake, so procs is faster in ptbench")
CONVOY = ("under a GIL convoy is bistable in CPython and ptbench alike: the I/O thread "
          "re-takes the GIL before the CPU-bound thread wakes (thousands of trips/s) or "
          "waits a switch interval for it (about 100/s), by the scheduling of the moment")
KNOWN = [  # workload, comparison (a regular expression), 1: fidelity above 1, 0: either
    ("event", r"procs/gil", 1, HANDSHAKE), ("barrier", r"procs/gil", 1, HANDSHAKE),
    ("condition", r"procs/gil", 1, HANDSHAKE), ("convoy", r"procs/gil|gil \d+/1", 0, CONVOY),
]


def known(workload, comparison, f):
    """The known difference behind a row that does not agree, or ''."""
    for wl, what, above, text in KNOWN:
        if wl == workload and re.fullmatch(what, comparison.split(" workers")[0]) and \
                (not above or f > 1):
            return text
    return ""


def explain(state, rounds, paired, why, ci):
    """The one-line reason of a row that does not agree, from its rounds
    [(CPython a, CPython b, ptbench a, ptbench b)] and the interval ci."""
    ci_text = "%.3g-%.3g" % ci[:2] if ci else "-"
    cr = [a / b for a, b, _, _ in rounds]
    pr = [a / b for _, _, a, b in rounds]
    fr = [p / c for c, p in zip(cr, pr)]
    n = len(rounds)
    head = "%d %sround%s" % (n, "paired " if paired else "", "" if n == 1 else "s")
    if not paired:
        head += " (not paired: %s; CPython measured after the run, under other load)" % why
    c, p = statistics.median(cr), statistics.median(pr)
    if state == "disagree":
        further = "ptbench" if abs(math.log(p)) > abs(math.log(c)) else "CPython"
        return ("%s: fidelity %s, its interval %s entirely outside [0.67, 1.5] (CPython %.3g, "
                "ptbench %.3g): a real difference, %s's ratio the further from 1"
                % (head, spread(fr), ci_text, c, p, further))
    if n < MIN_ROUNDS:
        return ("%s: fidelity %s; at least %d rounds give a %.0f%% interval of the median"
                % (head, spread(fr), MIN_ROUNDS, 100 * LEVEL))
    # Which side's ratio moves more from round to round (max/min, in log).
    swing_c, swing_p = math.log(max(cr) / min(cr)), math.log(max(pr) / min(pr))
    who = "CPython's" if swing_c > swing_p else "ptbench's"
    return ("%s: fidelity %s across the band (CPython %s, ptbench %s): %s ratio swings the "
            "more, %.2gx from round to round" % (head, spread(fr), spread(cr), spread(pr),
                                                  who, math.exp(max(swing_c, swing_p))))


def by_round(rows, side, key):
    """{(group, spec): {round: median ops/s}} of the rows that count."""
    acc = {}
    for r in rows:
        kk = point_key(r, side)
        if kk:
            acc.setdefault(kk, {}).setdefault(key(r), []).append(num(r["ops_per_s"]))
    return {k: {rr: statistics.median(v) for rr, v in d.items()} for k, d in acc.items()}


def round_of(r):
    """A row's round: `round`, else `rep` (an older calibration.csv)."""
    v = str(r.get("round") or "").strip() or str(r.get("rep") or "").strip()
    return int(v) if re.fullmatch(r"[0-9]{1,9}", v) else -1


def unpaired(ca, cb, va, vb):
    """Rounds from figures not measured together: CPython's repetitions
    (A and B of one round side by side) against the run's (A and B of one
    repetition number), the i-th with the i-th."""
    cs = sorted(set(ca) & set(cb))
    ps = sorted(set(va) & set(vb))
    return [(ca[c], cb[c], va[p], vb[p]) for c, p in zip(cs, ps)]


def compute(cal_rows, pt_rows, round_rows=None, why="no paired rounds were run",
            whys=None):
    """fidelity.csv's rows. cal_rows: CPython's (calibration.csv);
    pt_rows: the run's (results.csv); round_rows: ptbench's repetitions
    measured in the calibration's rounds beside CPython's
    (calibration-ptbench.csv, column `round`). A comparison with paired
    rounds is judged on them; one without, on the run's figures against
    CPython's (unpaired), and its reason says why (whys: by point group,
    else why)."""
    cal = by_round(cal_rows, "cpython", round_of)
    pt_run = by_round(pt_rows, "ptbench", round_of)
    pt_rnd = by_round(round_rows or [], "ptbench", round_of)
    pt_models = {r.get("model") for r in pt_rows}
    interps = {}
    for r in cal_rows:
        kk = point_key(r, "cpython")
        if kk:
            interps.setdefault(kk, r.get("interpreter", ""))
    out = []
    for g, name, sa, gb, sb in comparisons(cal):
        pa, pb = pt_spec(sa, pt_models), pt_spec(sb, pt_models)
        ca, cb = cal[(g, sa)], cal[(gb, sb)]
        ra, rb = pt_rnd.get((g, pa), {}), pt_rnd.get((gb, pb), {})
        common = sorted(set(ca) & set(cb) & set(ra) & set(rb))
        paired = bool(common)
        if paired:
            rounds = [(ca[r], cb[r], ra[r], rb[r]) for r in common]
        elif (g, pa) in pt_run and (gb, pb) in pt_run:
            rounds = unpaired(ca, cb, pt_run[(g, pa)], pt_run[(gb, pb)])
        else:
            continue
        if not rounds:
            continue
        wl, n, k, kp = g
        row = {
            "workload": wl, "comparison": name, "workers": n,
            "params": " ".join("%s=%s" % kv for kv in kp),
            "interpreter": interps.get((g, sa), ""),
            "ptbench_model": "%s/%s" % (pa[0], pb[0]),
            "start": sa[1] or sb[1], "switch_interval_us": sa[2] or sb[2],
            "cpu_neighbours": k,
        }
        cr = [a / b for a, b, _, _ in rounds]
        pr = [a / b for _, _, a, b in rounds]
        fr = [p / c for c, p in zip(cr, pr)]
        ci = median_interval(fr)
        st = state_of(ci)
        row.update({
            "cpython_ratio": g3(statistics.median(cr)), "ptbench_ratio": g3(statistics.median(pr)),
            "fidelity": g3(statistics.median(fr)), "flagged": 1 if st == "disagree" else 0,
            "state": st, "rounds": len(rounds), "paired": 1 if paired else 0,
            "fidelity_lo": g3(ci[0]) if ci else "", "fidelity_hi": g3(ci[1]) if ci else "",
            "ci_level": "%.3f" % ci[2] if ci else "",
            "fidelity_min": g3(min(fr)), "fidelity_max": g3(max(fr)),
            "cpython_a": g3(statistics.median(x[0] for x in rounds)),
            "cpython_b": g3(statistics.median(x[1] for x in rounds)),
            "ptbench_a": g3(statistics.median(x[2] for x in rounds)),
            "ptbench_b": g3(statistics.median(x[3] for x in rounds)),
            "cpython_n": "%d/%d" % (len(ca), len(cb)),
            "ptbench_n": "%d/%d" % ((len(ra), len(rb)) if paired else
                                    (len(pt_run[(g, pa)]), len(pt_run[(gb, pb)]))),
        })
        if (g, pa) in pt_run and (gb, pb) in pt_run:
            row["run_ptbench_ratio"] = g3(statistics.median(pt_run[(g, pa)].values()) /
                                          statistics.median(pt_run[(gb, pb)].values()))
        if paired:  # the columns of the older paired reruns, kept for readers
            row.update(paired_rounds=len(rounds), paired_cpython_ratio=row["cpython_ratio"],
                       paired_ptbench_ratio=row["ptbench_ratio"],
                       paired_fidelity=row["fidelity"])
        row["_specs"] = (g, sa, gb, sb, pa, pb)
        if st != "agree":
            whys = whys or {}
            row["reason"] = explain(st, rounds, paired, whys.get(g) or whys.get(gb) or why, ci)
            hint = known(wl, name, statistics.median(fr))
            if hint:
                row["reason"] += "; known: " + hint
        out.append(row)
    return out


def cmp_id(row):
    """A file-name-safe id of one comparison, stable across runs."""
    s = "%s-%s-n%s-k%s-%s-%s-%s-%s" % (row["workload"], row["comparison"], row["workers"],
                                      row["cpu_neighbours"], row["start"],
                                      row["switch_interval_us"], row["params"],
                                      row["interpreter"])
    return re.sub(r"[^A-Za-z0-9.=+-]+", "_", s)[:150]


# --- output --------------------------------------------------------------------

def write_atomic(path, text):
    """The file appears whole, by rename from an exclusive temporary
    beside it (the report layer's writer, scripts/ptreport/safeio.py)."""
    write_file(os.path.dirname(os.path.abspath(path)), os.path.basename(path), text)


def to_csv(rows):
    import io
    buf = io.StringIO()
    w = csv.DictWriter(buf, COLUMNS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def md_cell(s):
    # Markdown table cells: no raw HTML (no tag, no entity), no column break.
    s = str(s).replace("&", "&amp;").replace("<", "&lt;")
    return s.replace("|", "\\|").replace("\n", " ").replace("\r", " ")


INTRO = ("ratio = speed of the first model / speed of the second (ops/s; >1: the first is "
         "faster), measured in CPython by the twins (scripts/twins/) and in ptbench round after "
         "round, the two side by side in each round (their order alternating) so that both see "
         "the same load, a round's figure the median of its repetitions; fidelity = ptbench ratio / CPython "
         "ratio per round (1: the simulation reproduces the interpreter), shown as the median "
         "over the rounds with a distribution-free interval of that median (order statistics, "
         "at least 90% coverage: at least 5 rounds). State: **agree** when the interval lies "
         "inside [0.67, 1.5], **disagree** when it lies entirely outside (flagged), "
         "**undecided** otherwise; each row that does not agree says why.")
NO_FT = ("No free-threaded interpreter (python3.13t, python3.14t, or a python3 without a GIL) "
         "was on PATH: no free/gil rows. ptbench's ft model relies on the published figures: "
         "a single-thread slowdown of 5-10% (Python 3.14 docs; about 8% on x86-64 Linux), 8% "
         "with several threads (PEP 703), and shared-object contention from CPython's "
         "Tools/ftscalingbench (gh-123619, gh-139103).")


def summary(rows):
    """(comparisons, agree): a row without a state (an older fidelity.csv)
    agrees when it is not flagged."""
    n = len(rows)
    ok = sum(1 for r in rows if r.get("state", "agree" if not r["flagged"] else "") == "agree")
    return n, ok


def states(rows):
    """{state: count} over agree, undecided, disagree."""
    return {s: sum(1 for r in rows if r.get("state") == s) for s in STATES}


def to_md(rows, meta):
    n, ok = summary(rows)
    out = ["## Simulation against CPython", ""]
    interp = ", ".join(meta.get("interpreters", [])) or "unknown"
    out.append("Interpreters: %s. %s" % (md_cell(interp), INTRO))
    out.append("")
    if not meta.get("free_threaded", True):
        out += [NO_FT, ""]
    for note in meta.get("notes", []):
        out += ["- " + md_cell(note)]
    if meta.get("notes"):
        out.append("")
    if not n:
        out.append("No comparison: calibration.csv and ptbench's results share no point.")
        return "\n".join(out) + "\n"
    st = states(rows)
    out.append("**%d of %d comparisons agree** (%.0f%%); %d undecided, %d disagree."
               % (ok, n, 100.0 * ok / n, st["undecided"], st["disagree"]))
    out.append("")
    cols = ["workload", "comparison", "workers", "params", "start", "switch_interval_us",
            "cpython_ratio", "ptbench_ratio", "fidelity", "interval", "rounds", "state",
            "reason"]
    num_cols = ("workers", "cpython_ratio", "ptbench_ratio", "fidelity", "rounds")
    out.append("| " + " | ".join(c.replace("_", " ") for c in cols) + " |")
    out.append("|" + "|".join("---:" if c in num_cols else "---" for c in cols) + "|")
    for r in rows:
        r = dict(r, interval="%s-%s" % (r["fidelity_lo"], r["fidelity_hi"])
                 if r.get("fidelity_lo") else "",
                 rounds="%s%s" % (r.get("rounds", ""), "" if r.get("paired") else " unpaired"))
        cells = [md_cell(r.get(c, "")) for c in cols]
        if r.get("state") == "disagree":
            cells[cols.index("state")] = "**disagree**"
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def load_meta(res):
    try:
        with open(os.path.join(res, "calibration.json"), encoding="utf-8") as f:
            m = json.load(f)
        return m if isinstance(m, dict) else {}
    except (OSError, ValueError):
        return {}


def write(res, rows, meta):
    write_atomic(os.path.join(res, "fidelity.csv"), to_csv(rows))
    write_atomic(os.path.join(res, "fidelity.md"), to_md(rows, meta))
    # The report renders fidelity.csv itself; an older calibration's HTML
    # fragment would only go stale.
    try:
        os.unlink(os.path.join(res, "fidelity.html"))
    except FileNotFoundError:
        pass


def round_rows(res):
    """ptbench's repetitions of the calibration's rounds, or []."""
    path = os.path.join(res, "calibration-ptbench.csv")
    return read_csv(path) if os.path.isfile(path) else []


def ptbench_rows(res, dirs):
    rows = []
    for d in dirs or [res]:
        path = os.path.join(d, "results.csv")
        if os.path.isfile(path):
            rows += read_csv(path)
    return rows


def main(argv):
    quiet, why, args = False, "no paired rounds were run (scripts/calibrate.sh runs them)", []
    it = iter(argv)
    for a in it:
        if a == "-q":
            quiet = True
        elif a == "--why":
            why = next(it, None)
            if why is None:
                print("fidelity: --why needs a text", file=sys.stderr)
                return 2
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        elif a.startswith("-"):
            print("fidelity: unknown option '%s'" % a, file=sys.stderr)
            return 2
        else:
            args.append(a)
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    res = args[0]
    cal_path = os.path.join(res, "calibration.csv")
    if not os.path.isfile(cal_path):
        print("fidelity: no %s (run scripts/calibrate.sh first)" % cal_path, file=sys.stderr)
        return 1
    try:
        cal = read_csv(cal_path)
        pt = ptbench_rows(res, args[1:])
        rows = compute(cal, pt, round_rows(res), why)
        write(res, rows, load_meta(res))
    except BadInput as e:
        print("fidelity: %s" % e, file=sys.stderr)
        return 2
    if not quiet:
        n, ok = summary(rows)
        st = states(rows)
        print("fidelity: %d comparisons, %d agree, %d undecided, %d disagree: %s" % (
            n, ok, st["undecided"], st["disagree"], os.path.abspath(
            os.path.join(res, "fidelity.md"))), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
