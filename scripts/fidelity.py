# SPDX-License-Identifier: MIT
# The simulation next to reality: for each workload the ratios that carry
# its meaning (gil/serial, procs/gil per start method, gil with CPU-bound
# neighbours/gil alone, free threads/gil, the convoy's collapse), from
# CPython's calibration.csv and from ptbench's results.csv, with their
# quotient; flagged outside [0.67, 1.5], each flagged row explained by what
# its paired rerun found. Writes fidelity.csv (the report renders it) and
# fidelity.md. Standard library only; numbers never go through the locale.
"""fidelity: ptbench's ratios against CPython's, from calibration.csv.

usage: fidelity.py [-q] [--why TEXT] RESULTS [PTBENCH_DIR ...]

RESULTS holds calibration.csv (scripts/calibrate.py), and ptbench's
results.csv unless PTBENCH_DIRs are given (their results.csv pooled, first
one's columns). Paired reruns live in RESULTS/calibration-paired/.
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
           "paired_ptbench_ratio", "paired_fidelity"]
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


def medians(rows, side):
    acc = {}
    for r in rows:
        kk = point_key(r, side)
        if kk:
            acc.setdefault(kk, []).append(num(r["ops_per_s"]))
    return {k: (statistics.median(v), len(v)) for k, v in acc.items()}


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


def flagged(f):
    return f is not None and (f < LO or f > HI)


def fid_of(c, p):
    return p / c if c and p else None


def g3(x):
    return "" if x is None else "%.4g" % x


def paired_rounds(res, cmp_id):
    """Per round: (CPython a, CPython b, ptbench a, ptbench b) speeds of
    the paired rerun of one comparison, read from
    RESULTS/calibration-paired/<cmp_id>/round-<r>/{cpython,ptbench}.csv."""
    base = os.path.join(res, "calibration-paired", cmp_id)
    out = []
    try:
        names = sorted(os.listdir(base))
    except OSError:
        return out
    for name in names:
        m = re.fullmatch(r"round-(\d+)", name)
        if not m:
            continue
        d = os.path.join(base, name)
        vals = {}
        for side in ("cpython", "ptbench"):
            path = os.path.join(d, side + ".csv")
            if not os.path.isfile(path):
                continue
            for r in read_csv(path):
                role = r.get("role") or ""
                v = num(r.get("ops_per_s"))
                if r.get("status") == "ok" and v and role in ("a", "b"):
                    vals.setdefault((side, role), []).append(v)
        if len(vals) == 4:
            out.append(tuple(statistics.median(vals[k]) for k in
                             (("cpython", "a"), ("cpython", "b"),
                              ("ptbench", "a"), ("ptbench", "b"))))
    return out


def explain(rounds, first_c, first_p, why):
    """The one-line reason of a flagged row: what its paired rerun found."""
    if not rounds:
        return "not rerun: %s" % why, None, None, None
    cr = [a / b for a, b, _, _ in rounds]
    pr = [a / b for _, _, a, b in rounds]
    fr = [p / c for c, p in zip(cr, pr)]
    c, p = statistics.median(cr), statistics.median(pr)
    f = p / c
    head = "paired rerun, %d round%s" % (len(rounds), "" if len(rounds) == 1 else "s")
    if not flagged(f):
        moved = "CPython's ratio went from %.3g to %.3g" % (first_c, c) \
            if abs(math.log(c / first_c)) >= abs(math.log(p / first_p)) \
            else "ptbench's went from %.3g to %.3g" % (first_p, p)
        return ("%s: fidelity %.3g, inside [0.67, 1.5]: the first figures were taken under "
                "other load (%s)" % (head, f, moved)), c, p, f
    if all(flagged(x) and (x > 1) == (f > 1) for x in fr):
        further = "ptbench" if abs(math.log(p)) > abs(math.log(c)) else "CPython"
        seen = "fidelity %.3g again" % f if len(fr) == 1 else \
            "fidelity %.3g-%.3g in every round" % (min(fr), max(fr))
        return ("%s: %s (CPython %.3g, ptbench %.3g): a real difference, %s's ratio the "
                "further from 1" % (head, seen, c, p, further)), c, p, f
    return ("%s: fidelity %.3g-%.3g across the band from round to round (CPython %.3g-%.3g, "
            "ptbench %.3g-%.3g): the ratio depends on the load of the moment"
            % (head, min(fr), max(fr), min(cr), max(cr), min(pr), max(pr))), c, p, f


def cmp_id(row):
    """A file-name-safe id of one comparison, stable across runs."""
    s = "%s-%s-n%s-k%s-%s-%s-%s-%s" % (row["workload"], row["comparison"], row["workers"],
                                      row["cpu_neighbours"], row["start"],
                                      row["switch_interval_us"], row["params"],
                                      row["interpreter"])
    return re.sub(r"[^A-Za-z0-9.=+-]+", "_", s)[:150]


def compute(res, cal_rows, pt_rows, why="no paired rerun was made", whys=None):
    """fidelity.csv's rows; a flagged row without a paired rerun says why
    (whys: by comparison id, else why)."""
    cal = medians(cal_rows, "cpython")
    pt = medians(pt_rows, "ptbench")
    pt_models = {r.get("model") for r in pt_rows}
    interps = {}
    for r in cal_rows:
        if r.get("status") == "ok":
            kk = point_key(r, "cpython")
            if kk:
                interps.setdefault(kk, r.get("interpreter", ""))
    out = []
    for g, name, sa, gb, sb in comparisons(cal):
        pa, pb = pt_spec(sa, pt_models), pt_spec(sb, pt_models)
        if (g, pa) not in pt or (gb, pb) not in pt:
            continue
        ca, cna = cal[(g, sa)]
        cb, cnb = cal[(gb, sb)]
        va, pna = pt[(g, pa)]
        vb, pnb = pt[(gb, pb)]
        cr, prr = ca / cb, va / vb
        f = prr / cr
        wl, n, k, kp = g
        row = {
            "workload": wl, "comparison": name, "workers": n,
            "params": " ".join("%s=%s" % kv for kv in kp),
            "interpreter": interps.get((g, sa), ""),
            "cpython_ratio": g3(cr), "ptbench_ratio": g3(prr), "fidelity": g3(f),
            "flagged": 1 if flagged(f) else 0, "reason": "",
            "ptbench_model": "%s/%s" % (pa[0], pb[0]),
            "start": sa[1] or sb[1], "switch_interval_us": sa[2] or sb[2],
            "cpu_neighbours": k, "cpython_a": g3(ca), "cpython_b": g3(cb),
            "ptbench_a": g3(va), "ptbench_b": g3(vb),
            "cpython_n": "%d/%d" % (cna, cnb), "ptbench_n": "%d/%d" % (pna, pnb),
        }
        row["_specs"] = (g, sa, gb, sb, pa, pb)
        if row["flagged"]:
            rounds = paired_rounds(res, cmp_id(row)) if res else []
            reason, c2, p2, f2 = explain(rounds, cr, prr, (whys or {}).get(cmp_id(row), why))
            row.update(reason=reason, paired_rounds=len(rounds) or "",
                       paired_cpython_ratio=g3(c2), paired_ptbench_ratio=g3(p2),
                       paired_fidelity=g3(f2))
        out.append(row)
    return out


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
         "faster), measured in CPython by the twins (scripts/twins/) and in ptbench by the run; "
         "fidelity = ptbench ratio / CPython ratio (1: the simulation reproduces the "
         "interpreter), flagged outside [0.67, 1.5]. Each flagged row was rerun with ptbench "
         "and CPython in turn, and its reason says what that paired rerun found.")
NO_FT = ("No free-threaded interpreter (python3.13t, python3.14t, or a python3 without a GIL) "
         "was on PATH: no free/gil rows. ptbench's ft model relies on the published figures: "
         "a single-thread slowdown of 5-10% (Python 3.14 docs; about 8% on x86-64 Linux), 8% "
         "with several threads (PEP 703), and shared-object contention from CPython's "
         "Tools/ftscalingbench (gh-123619, gh-139103).")


def summary(rows):
    n = len(rows)
    ok = sum(1 for r in rows if not r["flagged"])
    return n, ok


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
    out.append("**%d of %d comparisons agree** (fidelity within [0.67, 1.5]; %.0f%%)."
               % (ok, n, 100.0 * ok / n))
    out.append("")
    cols = ["workload", "comparison", "workers", "params", "start", "switch_interval_us",
            "cpython_ratio", "ptbench_ratio", "fidelity", "flagged", "reason"]
    out.append("| " + " | ".join(c.replace("_", " ") for c in cols) + " |")
    out.append("|" + "|".join("---:" if c in ("workers", "cpython_ratio", "ptbench_ratio",
                                               "fidelity") else "---" for c in cols) + "|")
    for r in rows:
        cells = [md_cell(r.get(c, "")) for c in cols]
        cells[cols.index("flagged")] = "**flagged**" if r["flagged"] else ""
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


def ptbench_rows(res, dirs):
    rows = []
    for d in dirs or [res]:
        path = os.path.join(d, "results.csv")
        if os.path.isfile(path):
            rows += read_csv(path)
    return rows


def main(argv):
    quiet, why, args = False, "no paired rerun was made (scripts/calibrate.sh reruns)", []
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
        rows = compute(res, cal, pt, why)
        write(res, rows, load_meta(res))
    except BadInput as e:
        print("fidelity: %s" % e, file=sys.stderr)
        return 2
    if not quiet:
        n, ok = summary(rows)
        print("fidelity: %d comparisons, %d agree: %s" % (n, ok, os.path.abspath(
            os.path.join(res, "fidelity.md"))), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
