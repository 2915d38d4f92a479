# SPDX-License-Identifier: MIT
# Runs a plan of CPython twin points in this interpreter and appends one CSV
# row per repetition and model (results.csv's columns, named by the plan,
# plus interpreter and phase). scripts/calibrate.py writes the plan, starts
# this once per interpreter and keeps the rows. Standard library only.
"""Runner of the CPython twins (scripts/twins/*.py) for scripts/calibrate.py.

  run.py --probe                    prints what this interpreter is (JSON)
  run.py --plan PLAN --out ROWS     runs PLAN (JSON), appends rows to ROWS
"""

import argparse
import csv
import importlib
import json
import math
import os
import platform
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import Model, Skip, gil_enabled, param_int, percentile_us  # noqa: E402

# ptbench's workload -> the twin module (queue.py would hide the standard
# library's queue module, hence queues).
TWINS = {
    "countdown": "countdown", "filewrite": "filewrite", "sockrecv": "sockrecv",
    "sleep": "sleep", "spawn": "spawn", "event": "event", "condition": "condition",
    "semaphore": "semaphore", "barrier": "barrier", "queue": "queues", "timer": "timer",
    "convoy": "convoy", "pool": "pool",
}


def twin(workload):
    return importlib.import_module(TWINS[workload])


def interpreter_name():
    name = "%s %s" % (platform.python_implementation(), platform.python_version())
    return name if gil_enabled() else name + " free-threaded"


def fmt(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return "%.9g" % v if math.isfinite(v) else ""
    return str(v)


def params_of(mod, given, size=None):
    """The twin's parameters: its defaults, what the point gives."""
    p = dict(mod.PARAMS)
    for k, v in given.items():
        if k in p and v not in ("", None):
            p[k] = str(v)
    if size is not None and mod.SIZE:
        p[mod.SIZE] = str(size)
    return p


def model_of(spec, neighbours):
    return Model(spec["model"], spec.get("start") or "fork", neighbours)


def one(mod, spec, n, p, neighbours):
    """One repetition of one model: a Result, or raises."""
    m = model_of(spec, neighbours)
    old = sys.getswitchinterval()
    try:
        if spec["model"] == "gil" and spec.get("interval"):
            # sys.setswitchinterval: CPython's forced-switch interval, which
            # ptbench's --switch-interval simulates.
            sys.setswitchinterval(spec["interval"] / 1e6)
        return mod.run(m, n, p)
    finally:
        sys.setswitchinterval(old)


def round2(x):
    # Two significant digits, so sizes read well in the rows.
    if x < 100:
        return int(x)
    mag = 10 ** (int(math.floor(math.log10(x))) - 1)
    return int(round(x / mag) * mag)


def choose_size(mod, pt, p, quick):
    """The twin's size for this point: the run's, scaled down so that one
    repetition takes about target_s (a pilot at the quick size)."""
    if not mod.SIZE:
        return None
    q = param_int(mod.QUICK, mod.SIZE)
    full = param_int(p, mod.SIZE)
    if full <= 0:  # ptbench sizes it itself (pool's tasks=0): no cap
        full = 1 << 40
    if quick:
        return min(q, full)
    target = pt.get("target_s", 0.2)
    n = pt["workers"]
    if hasattr(mod, "scale"):  # fixed-time workloads
        return mod.scale(p, n, target, q)
    trial = dict(p)
    trial[mod.SIZE] = str(q)
    # Every model at the same size, so the slowest one sets it (a thread
    # starts in microseconds, a spawned process in tens of milliseconds).
    slowest = 0.0
    for i, spec in enumerate(pt["models"]):
        try:
            if i == 0:
                one(mod, spec, n, trial, 0)        # warm-up
            slowest = max(slowest, one(mod, spec, n, trial, 0).wall_s)
        except Exception:
            continue
    if not slowest:
        return q
    return max(q, min(full, round2(q * target / max(slowest, 1e-5))))


class Rows:
    def __init__(self, path, cols, interp, phase):
        self.cols = cols
        self.base = {"interpreter": interp, "phase": phase, "bind": "none"}
        self.f = open(path, "a", newline="")
        self.w = csv.writer(self.f, lineterminator="\n")

    def row(self, **kv):
        kv.update(self.base)
        self.w.writerow([fmt(kv.get(c)) for c in self.cols])
        self.f.flush()


def run_point(rows, pt, deadline, quick, say):
    mod = twin(pt["workload"])
    n = pt["workers"]
    p = params_of(mod, pt.get("params", {}))
    size = pt.get("size")
    if size is None:
        try:
            size = choose_size(mod, pt, p, quick)
        except Exception:
            size = None
    p = params_of(mod, pt.get("params", {}), size)
    k = pt.get("neighbours", 0)
    specs = list(pt["models"])
    for rep in range(pt.get("rep_base", 0), pt.get("rep_base", 0) + pt.get("reps", 1)):
        random.shuffle(specs)  # no model always first (load drifts)
        for spec in specs:
            mname = spec["model"]
            base = dict(p)
            base.update(workload=pt["workload"], model=mname, workers=n, rep=rep,
                        round=pt.get("round", rep),
                        cpu_neighbours=0 if mname == "serial" else k,
                        start=spec.get("start", "") if mname == "procs" else "",
                        switch_interval_us=spec.get("interval") if mname == "gil" else None,
                        point=pt.get("id", ""))
            if deadline and time.time() > deadline:
                rows.row(status="skipped", message="calibration budget spent", **base)
                continue
            try:
                r = one(mod, spec, n, p, k)
            except Skip as e:
                rows.row(status="skipped", message=str(e), **base)
                continue
            except Exception as e:  # a failed point is a row, not a crash
                rows.row(status="failed", message="%s: %s" % (type(e).__name__, e), **base)
                say("%s %s n=%d: failed: %s" % (pt["workload"], mname, n, e))
                continue
            if not (r.wall_s > 0):
                rows.row(status="failed", message="no time measured", **base)
                continue
            base.update(r.extra)
            rows.row(status="ok", wall_s=r.wall_s, ops=r.ops, ops_per_s=r.ops / r.wall_s,
                     lat_p50_us=percentile_us(r.lats, 0.50),
                     lat_p99_us=percentile_us(r.lats, 0.99), **base)
        say("%s n=%d rep %d" % (pt["workload"], n, rep))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--probe", action="store_true")
    ap.add_argument("--plan")
    ap.add_argument("--out")
    ap.add_argument("-q", "--quiet", action="store_true")
    a = ap.parse_args()
    if a.probe:
        print(json.dumps({"gil": gil_enabled(), "executable": sys.executable,
                          "name": interpreter_name(),
                          "version": list(sys.version_info[:3])}))
        return 0
    if not a.plan or not a.out:
        ap.error("--plan and --out are needed")
    with open(a.plan) as f:
        plan = json.load(f)

    def say(msg):
        if not a.quiet:
            print("calibrate: %s: %s" % (interpreter_name(), msg), file=sys.stderr, flush=True)

    rows = Rows(a.out, plan["columns"], interpreter_name(), plan.get("phase", "main"))
    for pt in plan["points"]:
        run_point(rows, pt, plan.get("deadline"), plan.get("quick", False), say)
    return 0


if __name__ == "__main__":
    sys.exit(main())
