# SPDX-License-Identifier: MIT
# Calibration of ptbench against the machine's own CPython: runs the CPython
# twin of every workload (scripts/twins/) at the points of a ptbench run,
# sequentially, in threading, in multiprocessing with the run's start
# method, and in a free-threaded interpreter when one is on PATH, round
# after round beside one ptbench repetition of the same models, so that
# every ratio is measured by both at the same moment; writes
# calibration.csv (CPython's rows), calibration-ptbench.csv (ptbench's),
# then fidelity.{csv,md} (scripts/fidelity.py). Everything fits --budget.
# Standard library only.
"""calibrate: ptbench's workloads against their CPython twins.

usage: calibrate.sh [options] [--] [RESULTS]

RESULTS (default results/latest) holds the ptbench run being calibrated;
its results.csv gives the points (workloads, workers, parameters, start
methods, switch intervals, CPU-bound neighbours) and ptbench's side.

options:
  --budget SEC     the whole calibration's time (default 180; FULL 1800)
  --full           larger sizes and more rounds (make calibrate FULL=1)
  --quick          the twins' small sizes, one round (for tests)
  -r, --repeat N   rounds (default 5; full 6; quick 1): in each, ptbench's
                   and CPython's repetitions of every model of a point (2
                   each, models interleaved; full 3; quick 1)
  -n, --workers L  only these worker counts (LIST, or auto: the run's)
  -w, --workloads L  only these workloads
  --duration S     seconds a fixed-time point runs at most (convoy, sockrecv)
  --with DIR       another ptbench run whose results.csv joins RESULTS's
  --paired         (the default: every comparison is measured paired)
  --no-rerun       no ptbench in the rounds: CPython alone, compared with
                   the run's figures unpaired (the rows say so)
  --no-ft          do not look for a free-threaded interpreter
  -q, --quiet      no progress
Environment: PTBENCH, the ptbench binary (default build/ptbench), for the
paired rounds.
"""

import csv
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "twins"))
sys.path.insert(0, HERE)

import fidelity  # noqa: E402
import run as twins  # noqa: E402

MAX_WORKERS = 256      # twins' workers at most: -n 100000 once started 22,000 threads
# ptbench's own limits (lib/model.h PT_MAX_WORKERS; --cpu-neighbours in
# bench/options.c): a results.csv beyond them was not written by ptbench.
PT_MAX_WORKERS = 4096
PT_MAX_NEIGHBOURS = 64
BASE = ["workload", "model", "workers", "bind", "rep", "status", "wall_s", "user_s", "sys_s",
        "ops", "ops_per_s", "lat_p50_us", "lat_p99_us", "switch_interval_us",
        "cpu_neighbours", "start", "message"]
EXTRA = ["start", "cpu_neighbours", "message", "cancel_late", "races", "interpreter",
         "phase", "point", "round"]
# Seconds a start costs beyond the work, per worker (what the budget plans
# for: a fresh interpreter under spawn, a fork from the server under
# forkserver); measured roughly on the 2-core development VM.
START_S = {"fork": 0.01, "forkserver": 0.02, "spawn": 0.08}


class Usage(Exception):
    """Bad options or input: message, exit 2."""


class Stop(Exception):
    """SIGINT or SIGTERM: exit with this status after cleaning up."""

    def __init__(self, status):
        Exception.__init__(self, status)
        self.status = status


def on_signal(sig, frame):
    raise Stop(130 if sig == signal.SIGINT else 143)


# --- children: each in its own process group, killed and reaped on any exit --

CHILDREN = set()


def kill_group(p):
    for sig, grace in ((signal.SIGTERM, 2.0), (signal.SIGKILL, None)):
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            pass
        try:
            p.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def run_child(cmd, deadline, env, stderr=None):
    """Runs cmd until it ends or until the deadline (time.time()); returns
    its exit status, or None when it was stopped at the deadline. A signal
    to us ends it as well (see main)."""
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=stderr,
                         start_new_session=True)
    CHILDREN.add(p)
    try:
        try:
            return p.wait(timeout=max(0.5, deadline - time.time()))
        except subprocess.TimeoutExpired:
            kill_group(p)
            return None
    finally:
        if p.poll() is None:
            kill_group(p)
        CHILDREN.discard(p)


def kill_children():
    for p in list(CHILDREN):
        kill_group(p)
    CHILDREN.clear()


# --- options --------------------------------------------------------------------

def positive(opt, text, hi):
    try:
        v = float(text)
    except ValueError:
        raise Usage("%s: '%s' is not a number" % (opt, shown(text)))
    if not math.isfinite(v) or v <= 0 or v > hi:
        raise Usage("%s: '%s' is not a number in (0, %g]" % (opt, shown(text), hi))
    return v


def parse(argv):
    o = {"budget": None, "full": False, "quick": False, "repeat": None, "workers": None,
         "workloads": None, "duration": None, "with": [], "paired": False, "rerun": True,
         "ft": True, "quiet": False, "res": None}
    it = iter(argv)
    operands = []
    for a in it:
        if a == "--":
            operands += list(it)  # a results directory may begin with '-'
            break
        if a in ("-h", "--help"):
            print(__doc__)
            sys.exit(0)
        flag = {"--full": "full", "--quick": "quick", "--paired": "paired",
                "-q": "quiet", "--quiet": "quiet"}.get(a)
        if flag:
            o[flag] = True
            continue
        if a in ("--no-rerun", "--no-ft"):
            o["rerun" if a == "--no-rerun" else "ft"] = False
            continue
        if a in ("--budget", "-r", "--repeat", "-n", "--workers", "-w", "--workloads",
                 "--duration", "--with"):
            v = next(it, None)
            if v is None:
                raise Usage("%s needs a value" % a)
            if a == "--budget":
                o["budget"] = positive(a, v, 1e6)
            elif a in ("-r", "--repeat"):
                if not re.fullmatch(r"[0-9]{1,3}", v) or not 1 <= int(v) <= 100:
                    raise Usage("%s: '%s' is not a count in [1, 100]" % (a, shown(v)))
                o["repeat"] = int(v)
            elif a in ("-n", "--workers"):
                o["workers"] = workers_list(a, v)
            elif a in ("-w", "--workloads"):
                ws = v.split(",")
                bad = [w for w in ws if w not in twins.TWINS]
                if bad or not ws:
                    raise Usage("%s: unknown workload '%s' (%s)" % (a, shown(bad[0] if bad else v),
                                                                    ",".join(twins.TWINS)))
                o["workloads"] = ws
            elif a == "--duration":
                o["duration"] = positive(a, v, 3600)
            else:
                o["with"].append(v)
            continue
        if a.startswith("-"):
            raise Usage("unknown option '%s'" % shown(a))
        operands.append(a)
    if len(operands) > 1:
        raise Usage("extra argument '%s'" % shown(operands[1]))
    o["res"] = operands[0] if operands and operands[0] else "results/latest"
    # Rounds: 5 at least give the median's 90% interval (scripts/fidelity.py).
    o["repeat"] = o["repeat"] or (1 if o["quick"] else 6 if o["full"] else 5)
    # Repetitions of each model in a round, models interleaved: their
    # median is the round's figure (one repetition swings up to 2x here).
    o["per_round"] = 1 if o["quick"] else 3 if o["full"] else 2
    o["budget"] = o["budget"] or (1800.0 if o["full"] else 180.0)
    # A CPython repetition's time: short, so that a round's ptbench and
    # CPython repetitions stay within seconds of each other.
    o["target"] = 0.25 if o["full"] else 0.15
    return o


def workers_list(opt, text):
    if text == "auto":
        return None
    out = []
    for part in text.split(","):
        m = re.fullmatch(r"([0-9]{1,7})(?:-([0-9]{1,7}))?", part)
        if not m:
            raise Usage("%s: '%s' is not a worker count" % (opt, shown(part)))
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        if lo < 1 or hi < lo or hi > MAX_WORKERS:
            raise Usage("%s: '%s': worker counts are 1 to %d" % (opt, shown(part), MAX_WORKERS))
        out += range(lo, hi + 1)
    return sorted(set(out))


# --- interpreters -----------------------------------------------------------------

def probe(exe, env):
    """What an interpreter is (run.py --probe), or None."""
    try:
        r = subprocess.run([exe, os.path.join(HERE, "twins", "run.py"), "--probe"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=30,
                           start_new_session=True)
        info = json.loads(r.stdout.decode("utf-8", "replace"))
        return info if r.returncode == 0 and isinstance(info, dict) else None
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None


def free_threaded(env, say, notes):
    """Free-threaded interpreters on PATH: python3.13t, python3.14t, ...,
    or any python3[.X] whose sys._is_gil_enabled() is false."""
    found, seen = [], {os.path.realpath(sys.executable)}
    names = ["python3.13t", "python3.14t", "python3.15t"]
    for d in env.get("PATH", "").split(os.pathsep):
        try:
            for f in sorted(os.listdir(d)):
                if re.fullmatch(r"python3(\.[0-9]+t?)?", f) and f not in names:
                    names.append(f)
        except OSError:
            continue
    for name in names:
        exe = shutil.which(name, path=env.get("PATH", ""))
        if not exe or os.path.realpath(exe) in seen:
            continue
        seen.add(os.path.realpath(exe))
        info = probe(exe, env)
        if info is None:
            continue
        if info.get("gil", True):
            if name.endswith("t"):
                notes.append("%s runs with its GIL enabled (PYTHON_GIL=1?): not used" % exe)
            continue
        say("free-threaded interpreter: %s (%s)" % (exe, info.get("name")))
        found.append((exe, info))
    return found


# --- the run's points -------------------------------------------------------------

# What ptbench accepts for the twins' parameters, as ptbench's workloads
# declare them (workloads/*.c, struct pt_param_def: .min and .max; "size":
# bytes with a K, M or G suffix; a pattern: the choices). A row beyond them
# was not written by ptbench, and a crafted size must not reach a twin
# (issue 13).
PT_PARAMS = {
    "countdown": {"count": (1, 1 << 62), "scaling": r"strong|weak"},
    "filewrite": {"lines": (1, 1 << 40), "block": ("size", 1, 64 << 20), "io": r"stdio|write",
                  "sync": r"none|end|every:[1-9][0-9]{0,9}"},
    "sockrecv": {"rate": (0, 10 ** 7), "timeout_ms": (1, 600000), "transport": r"unix|tcp",
                 "msg_size": ("size", 16, 65536), "duration_ms": (1, 3600000)},
    "sleep": {"ms": (0, 3600000)},
    "spawn": {"spawns": (1, 10 ** 7), "rss": ("size", 0, 1 << 40)},
    "event": {"rounds": (1, 10 ** 9), "pattern": r"pingpong|wakeall"},
    "condition": {"interval_us": (10, 10 ** 7), "ticks": (1, 10 ** 8)},
    "semaphore": {"handoffs": (1, 10 ** 9)},
    "barrier": {"cycles": (1, 10 ** 9), "track": (1, 10 ** 9)},
    "queue": {"kind": r"fifo|priority", "maxsize": (0, 1 << 24), "items": (1, 1 << 24),
              "producers": (0, PT_MAX_WORKERS),
              "payload": ("size", 0, 64 << 20)},
    "timer": {"timers": (1, 10 ** 8), "delay_us": (0, 6 * 10 ** 7), "cancel_pct": (0, 100),
              "batch": (1, 1000)},
    "convoy": {"duration_ms": (10, 3600000)},
    "pool": {"tasks": (0, 1 << 24), "work": (0, 10 ** 9), "payload": ("size", 0, 16 << 20),
             "result": ("size", 0, 16 << 20), "chunksize": (1, 1 << 16)},
}
SIZE_RE = re.compile(r"([0-9]{1,19})([KkMmGg]?)[Bb]?")  # lib/param.c parse_size


def bad_value(r):
    """The first value of a ptbench row that ptbench could not have
    written, as (column, reason), or None. Only rows the calibration uses
    (a twin's workload, a model with a twin) are asked."""
    wl = r.get("workload", "")
    if wl not in twins.TWINS or spec_of(r) is None:
        return None
    w = r.get("workers") or ""
    if not re.fullmatch(r"[0-9]{1,4}", w) or not 1 <= int(w) <= PT_MAX_WORKERS:
        return "workers", "not a worker count in [1, %d]" % PT_MAX_WORKERS
    k = r.get("cpu_neighbours") or "0"
    if not re.fullmatch(r"[0-9]{1,2}", k) or int(k) > PT_MAX_NEIGHBOURS:
        return "cpu_neighbours", "not a count in [0, %d]" % PT_MAX_NEIGHBOURS
    if r.get("model") == "gil" and r.get("switch_interval_us"):
        v = r["switch_interval_us"]
        if not re.fullmatch(r"[0-9]{1,8}", v) or not 1 <= int(v) <= 10 ** 7:
            return "switch_interval_us", "not an interval in [1, 10000000] us"
    if r.get("model") == "procs" and r.get("start") not in (None, "", "fork", "forkserver",
                                                             "spawn"):
        return "start", "not a start method (fork, forkserver, spawn)"
    if r.get("shared"):
        f = fidelity.num(r["shared"])
        if f is None or not 0 <= f <= 1:
            return "shared", "not a fraction in [0, 1]"
    for p, lim in PT_PARAMS.get(wl, {}).items():
        v = r.get(p)
        if not v:
            continue
        if isinstance(lim, str):
            if not re.fullmatch(lim, v):
                return p, "not one of %s" % lim.replace("[1-9][0-9]{0,9}", "K")
            continue
        size = lim[0] == "size"
        lo, hi = lim[-2:]
        m = SIZE_RE.fullmatch(v)
        if not m or (not size and v != m.group(1)) or \
                not lo <= twins.param_int({p: m.group(1) + m.group(2)}, p) <= hi:
            return p, "not %s in [%d, %d]" % ("a size" if size else "an integer", lo, hi)
    return None


def shown(v, width=40):
    """A value from a file, fit for a message: printable ASCII, cut short."""
    v = v or ""
    s = ascii(v[:width])[1:-1]
    return s + "..." if len(v) > width else s


def read_run(o):
    rows, header = [], None
    for d in [o["res"]] + o["with"]:
        path = os.path.join(d, "results.csv")
        if not os.path.isfile(path):
            if d != o["res"]:
                raise Usage("--with %s: no results.csv there" % d)
            continue
        try:
            got = fidelity.read_csv(path)
        except fidelity.BadInput as e:
            raise Usage(str(e))
        for line, r in enumerate(got, 2):
            bad = bad_value(r)
            if bad:
                raise Usage("%s, row %d: %s '%s' is %s" % (path, line, bad[0],
                                                           shown(r.get(bad[0])), bad[1]))
        if header is None:
            with open(path, newline="", encoding="utf-8", errors="replace") as f:
                header = next(csv.reader(f))
        rows += got
    return rows, header


def spec_of(row):
    m = row.get("model", "")
    if m == "serial":
        return ("serial", "", "")
    if m == "gil":
        return ("gil", "", row.get("switch_interval_us") or fidelity.DEFAULT_INTERVAL)
    if m == "procs":
        return ("procs", row.get("start") or "fork", "")
    if m in ("threads", "ft"):
        return ("ft", "", "")
    return None  # gil-old: Python 2 has no twin here


def points_from_run(rows, o, notes):
    pts, capped = {}, 0
    for r in rows:
        wl = r.get("workload", "")
        if wl not in twins.TWINS or (o["workloads"] and wl not in o["workloads"]):
            continue
        spec = spec_of(r)
        if spec is None or r.get("bind") not in (None, "", "none"):
            continue
        if not fidelity.counts(r):
            continue
        try:
            n = int(r.get("workers", ""))
            k = int(r.get("cpu_neighbours") or 0)
        except ValueError:
            continue
        if n < 1 or (o["workers"] and n not in o["workers"]):
            continue
        if n > MAX_WORKERS:
            capped += 1
            continue
        mod = twins.twin(wl)
        key = (wl, n, k, fidelity.keyparams(wl, r))
        pt = pts.get(key)
        # Sizes as the twins read them: 1KB and 64B are ptbench's spelling.
        given = {p: fidelity.norm(r[p]) for p in mod.PARAMS if r.get(p)}
        if pt is None:
            params = dict(given)
            pt = pts[key] = {"workload": wl, "workers": n, "neighbours": k, "params": params,
                             "specs": set(), "row": r}
        if (spec[0] == "serial" and k) or r.get("status") == "skipped":
            continue  # nothing of ptbench's to compare with
        pt["specs"].add(spec)
        wall = fidelity.num(r.get("wall_s"))
        if wall and r.get("status") == "ok":
            pt["pt_wall_s"] = max(pt.get("pt_wall_s", 0.0), wall)
        if mod.SIZE and given.get(mod.SIZE):
            try:
                cur = twins.param_int(pt["params"], mod.SIZE) if pt["params"].get(mod.SIZE) else 0
                if twins.param_int(given, mod.SIZE) > cur:
                    pt["params"][mod.SIZE] = given[mod.SIZE]
            except ValueError:
                pass
    if capped:
        notes.append("%d row(s) with more than %d workers left out" % (capped, MAX_WORKERS))
    return list(pts.values())


def default_points(o):
    """No run to follow: every twin at 2 workers (and convoy alone)."""
    out = []
    for wl in o["workloads"] or twins.TWINS:
        for n in o["workers"] or ([1, 2] if wl == "convoy" else [2]):
            specs = {("gil", "", fidelity.DEFAULT_INTERVAL), ("procs", "fork", ""), ("ft", "", "")}
            if wl != "convoy":
                specs.add(("serial", "", ""))
            out.append({"workload": wl, "workers": n, "neighbours": 0, "params": {},
                        "specs": specs, "row": {}})
    return out


def rank(pt):
    # Without neighbours first, then 2 workers (or the nearest), then the rest.
    n = pt["workers"]
    return (pt["neighbours"] != 0, abs(math.log2(n) - 1), n,
            json.dumps(pt["params"], sort_keys=True))


def cost(pt, o, specs, paired=False):
    """Seconds the point is expected to take: the interpreter's pilot, and
    per round its repetitions of every model (and an interpreter's start)
    and, paired, ptbench's (a run's start and the run's repetition time).
    Under load a round took about twice the work it holds (2-core VM)."""
    c = 0.3 if not o["quick"] else 0.1   # interpreter work, pilot
    k = o.get("per_round", 1) if paired else 1
    per = 0.4 if paired else 0.0
    for s in specs:
        start = START_S.get(s[1], 0.0) * (pt["workers"] + pt["neighbours"] + 1)
        if pt["workload"] == "spawn" and s[0] == "procs":
            start *= 2
        per += k * ((0.02 if o["quick"] else o["target"]) + start)
    if paired:
        per += 0.3 + k * len(specs) * max(0.05, min(pt.get("pt_wall_s", 0.1), 5.0))
        per *= 1.0 if o["quick"] else 1.5
    return c + o["repeat"] * per


def select(pts, o, share, notes, paired=False, ft=False):
    """Round-robin over the workloads, best-ranked points first, while the
    budget share lasts."""
    by = {}
    for p in sorted(pts, key=rank):
        if p["specs"]:  # a point skipped under every model has nothing to run
            by.setdefault(p["workload"], []).append(p)
    chosen, spent, left = [], 0.0, 0
    depth = max((len(v) for v in by.values()), default=0)
    for i in range(depth):
        for wl in sorted(by):
            if i >= len(by[wl]):
                continue
            p = by[wl][i]
            c = cost(p, o, [s for s in p["specs"] if ft or s[0] != "ft"], paired)
            if chosen and spent + c > share:
                left += 1
                continue
            chosen.append(p)
            spent += c
    if left:
        notes.append("%d point(s) of the run left out to fit the budget (--budget, FULL=1)" % left)
    return chosen


def plan_point(pt, i, models, o, size=None):
    params = dict(pt["params"])
    mod = twins.twin(pt["workload"])
    if o["duration"] and mod.SIZE == "duration_ms":
        params["duration_ms"] = str(int(min(o["duration"] * 1000,
                                            twins.param_int(twins.params_of(mod, params),
                                                            "duration_ms"))))
    return {"id": i, "workload": pt["workload"], "workers": pt["workers"],
            "neighbours": pt["neighbours"], "params": params, "reps": o["repeat"],
            "target_s": o["target"], "size": size,
            "models": [{"model": s[0], "start": s[1], "interval": int(s[2]) if s[2] else None}
                       for s in sorted(models)]}


# --- the calibration --------------------------------------------------------------

class Calibration:
    def __init__(self, o, say):
        self.o, self.say = o, say
        self.t0 = time.time()
        self.notes = []
        self.tmp = tempfile.mkdtemp(prefix="ptcal.")
        self.env = dict(os.environ, TMPDIR=self.tmp, LC_ALL="C", PYTHONDONTWRITEBYTECODE="1")
        self.env.pop("PYTHONHASHSEED", None)
        self.bin = os.environ.get("PTBENCH") or "build/ptbench"
        self.failed = 0

    def left(self):
        return self.o["budget"] - (time.time() - self.t0)

    def run_plan(self, exe, points, phase, cols, seconds):
        """Runs the points in one interpreter; returns its rows."""
        fd, plan_path = tempfile.mkstemp(suffix=".json", dir=self.tmp)
        deadline = time.time() + seconds
        with os.fdopen(fd, "w") as f:
            json.dump({"columns": cols, "phase": phase, "points": points,
                       "quick": self.o["quick"], "deadline": deadline}, f)
        fd, out = tempfile.mkstemp(suffix=".csv", dir=self.tmp)
        os.close(fd)
        cmd = [exe, os.path.join(HERE, "twins", "run.py"), "--plan", plan_path, "--out", out]
        if self.o["quiet"]:
            cmd.append("-q")
        # The runner stops starting repetitions at the deadline; the grace
        # lets the one under way end before it is killed.
        st = run_child(cmd, deadline + 20 + (10 if self.o["quick"] else 0), self.env)
        if st is None:
            self.notes.append("%s: stopped at the budget's deadline" % exe)
        elif st != 0:
            self.notes.append("%s: the twins' runner exited with %d" % (exe, st))
            self.failed += 1
        with open(out, newline="") as f:
            return [dict(zip(cols, r)) for r in csv.reader(f) if len(r) == len(cols)]


def columns(header):
    cols = list(header or BASE)
    for c in BASE + EXTRA:
        if c not in cols:
            cols.append(c)
    for wl in twins.TWINS:
        for p in twins.twin(wl).PARAMS:
            if p not in cols:
                cols.append(p)
    return cols


def size_of(rows, pid, mod):
    for r in rows:
        if str(r.get("point")) == str(pid) and r.get("status") == "ok" and mod.SIZE:
            return r.get(mod.SIZE) or None
    return None


def write_rows_csv(path, cols, rows):
    import io
    buf = io.StringIO()
    w = csv.DictWriter(buf, cols, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow(r)
    fidelity.write_atomic(path, buf.getvalue())


def ptbench_params(binary, env):
    """Each workload's parameter names, from `ptbench list`."""
    try:
        out = subprocess.run([binary, "list"], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, timeout=30).stdout.decode("utf-8",
                                                                                   "replace")
    except (OSError, subprocess.TimeoutExpired):
        return {}
    names, cur = {}, None
    for line in out.splitlines():
        m = re.match(r"^  ([a-z][a-z0-9_-]*)\s{2,}\S", line)
        if m:
            cur = names.setdefault(m.group(1), [])
            continue
        m = re.match(r"^\s+-p ([A-Za-z_][A-Za-z0-9_]*)=", line)
        if m and cur is not None:
            cur.append(m.group(1))
        if line.startswith("models:"):
            break
    return names


def union_clusters(pts, specs_of):
    """The chosen points grouped so that both sides of every comparison
    (fidelity.comparisons: convoy n workers against 1, neighbours against
    none) are in one cluster, which a round measures together."""
    key = {}
    fake = {}
    for p in pts:
        g = (p["workload"], p["workers"], p["neighbours"],
             fidelity.keyparams(p["workload"], p["params"]))
        key[g] = p
        for s in specs_of(p):
            fake[(g, s)] = True
    parent = {g: g for g in key}

    def find(g):
        while parent[g] != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g

    for g, _, _, gb, _ in fidelity.comparisons(fake):
        if g in parent and gb in parent:
            parent[find(g)] = find(gb)
    out = {}
    for g in key:
        out.setdefault(find(g), []).append(key[g])
    return [sorted(v, key=lambda p: p["id"]) for v in sorted(out.values(),
                                                             key=lambda v: min(p["id"] for p in v))]


class Rounds:
    """The paired measurement: round after round, for each cluster of
    points, one ptbench repetition of every model of its points (build/ptbench
    run -r 1 --warmup 0 at the run's sizes: no pilot) and one CPython
    repetition of the same models, in an order that alternates from round to
    round, so that both sides of every ratio and both tools see the same
    load (this VM's speed moves about 2x within minutes)."""

    def __init__(self, cal, cols, runrows, ft_exe, pt_models):
        self.cal, self.cols, self.runrows, self.ft_exe = cal, cols, runrows, ft_exe
        self.pt_models = pt_models
        self.params = ptbench_params(cal.bin, cal.env)
        self.rows, self.pt_rows = [], []
        self.sizes = {}     # point id -> the twin's size, chosen in its first round
        self.why = {}       # point id -> why ptbench could not run it
        self.runs = 0

    def pt_args(self, pt):
        """ptbench run's arguments for every model of one point."""
        wl, specs = pt["workload"], pt["specs"]
        rows = [r for r in self.runrows if r.get("workload") == wl and fidelity.point_key(
            dict(r, status="ok", ops_per_s="1"), "ptbench") and fidelity.point_key(
            dict(r, status="ok", ops_per_s="1"), "ptbench")[0] == pt["g"]]
        if not rows:
            return None
        models = sorted({fidelity.pt_spec(s, self.pt_models)[0] for s in specs})
        args = ["run", "-w", wl, "-m", ",".join(models), "-n", str(pt["workers"]),
                "-r", str(self.cal.o["per_round"]), "--warmup", "0", "-q"]
        size = twins.twin(wl).SIZE
        for p in self.params.get(wl, []):
            vals = [r[p] for r in rows if r.get(p)]
            if not vals:
                continue
            if p == size:  # the largest the run used: every model at 50 ms or more
                try:
                    v = max(vals, key=lambda x: twins.param_int({"v": x}, "v"))
                except ValueError:
                    v = vals[0]
            else:
                v = vals[0]
            args += ["-p", "%s=%s" % (p, v)]
        if pt["neighbours"]:
            args += ["--cpu-neighbours", str(pt["neighbours"])]
        starts = sorted({s[1] for s in specs if s[0] == "procs"})
        if starts:
            args += ["--start", ",".join(starts)]
        ivs = sorted({s[2] for s in specs if s[0] == "gil"}, key=int)
        if ivs:
            args += ["--switch-interval", ",".join(ivs)]
        shared = [r["shared"] for r in rows if r.get("shared") not in (None, "", "0")]
        if shared:
            args += ["--shared", shared[0]]
        return args

    def ptbench(self, pt, r, deadline):
        if pt["id"] in self.why:
            return
        args = self.pt_args(pt)
        if args is None:
            self.why[pt["id"]] = "ptbench's point is not in the run"
            return
        out = tempfile.mkdtemp(dir=self.cal.tmp)
        os.rmdir(out)
        with tempfile.TemporaryFile(dir=self.cal.tmp) as err:
            st = run_child([self.cal.bin] + args + ["-o", out], deadline, self.cal.env,
                           stderr=err)
            err.seek(0)
            said = err.read(2000).decode("utf-8", "replace").strip().splitlines()
        self.runs += 1
        path = os.path.join(out, "results.csv")
        if st is None:
            return  # the budget's deadline: the round is cut short
        if st not in (0, 1) or not os.path.isfile(path):
            self.why[pt["id"]] = "ptbench %s: %s" % (" ".join(args[:8]), said[0] if said
                                                     else "exit %s" % st)
            return
        for x in fidelity.read_csv(path):
            x["round"] = str(r)
            self.pt_rows.append(x)
        shutil.rmtree(out, ignore_errors=True)

    def cpython(self, pts, r, deadline):
        k = self.cal.o["per_round"]
        o = dict(self.cal.o, repeat=k)
        plans = {sys.executable: [], self.ft_exe: []}
        for pt in pts:
            models = [s for s in pt["specs"] if s[0] != "ft"]
            if pt["nogil"]:
                models = [s for s in pt["specs"] if s[0] in ("serial", "procs", "ft")]
            ft = [s for s in pt["specs"] if s[0] == "ft"] if self.ft_exe else []
            for exe, ms in ((sys.executable, models), (self.ft_exe, ft)):
                if ms:
                    p = plan_point(pt, pt["id"], ms, o, size=self.sizes.get(pt["id"]))
                    p["rep_base"], p["round"] = r * k, r
                    plans[exe].append(p)
        for exe, plan in plans.items():
            if plan and time.time() < deadline:
                got = self.cal.run_plan(exe, plan, "main", self.cols,
                                        max(1.0, deadline - time.time()))
                self.rows += got
                for pt in pts:
                    if self.sizes.get(pt["id"]) is None:
                        self.sizes[pt["id"]] = size_of(got, pt["id"], twins.twin(pt["workload"]))

    def run(self, clusters, rounds, margin):
        """Rounds outermost, so that a budget cut short leaves every
        comparison with the same number of rounds."""
        for r in range(rounds):
            for c in clusters:
                if self.cal.left() < margin:
                    return r
                deadline = time.time() + self.cal.left() - 0.75 * margin
                steps = [lambda: [self.ptbench(pt, r, deadline) for pt in c],
                         lambda: self.cpython(c, r, deadline)]
                for step in (steps if r % 2 == 0 else steps[::-1]):
                    step()
        return rounds


def calibrate(o, say):
    res = o["res"]
    if not os.path.isdir(res):
        if os.path.islink(res) or os.path.normpath(res) == os.path.normpath("results/latest"):
            print("calibrate: no results in '%s': run 'make bench' first or pass RESULTS=DIR"
                  % res, file=sys.stderr)
            return 1
        # A mistyped path must not grow a new tree and a whole default
        # calibration: an existing empty directory asks for that.
        print("calibrate: no such results directory: '%s' (an existing empty directory "
              "calibrates CPython alone, at the twins' default points)" % shown(res, 200),
              file=sys.stderr)
        return 2
    runrows, header = read_run(o)
    cal = Calibration(o, say)
    try:
        info = probe(sys.executable, cal.env) or {"gil": True, "name": sys.executable}
        interps = [info.get("name", sys.executable)]
        fts = free_threaded(cal.env, say, cal.notes) if o["ft"] else []
        ft_exe = fts[0][0] if fts else None
        if ft_exe:
            interps.append("%s (%s)" % (fts[0][1].get("name"), ft_exe))
        elif o["ft"]:
            say("no free-threaded interpreter on PATH (python3.13t, python3.14t, or a python3 "
                "without a GIL): no free/gil rows")
        nogil = not info.get("gil", True)
        if nogil:
            cal.notes.append("%s has no GIL: its threads stand for ft, and no gil rows"
                             % sys.executable)
        pts = points_from_run(runrows, o, cal.notes) if runrows else default_points(o)
        if not runrows:
            cal.notes.append("no ptbench results.csv in %s: the twins ran at their own "
                             "default points, with nothing to compare" % res)
        cols = columns(header)
        why = "no ptbench run to compare with"
        if not runrows:
            pass
        elif not o["rerun"]:
            why = "--no-rerun"
        elif not (os.path.isfile(cal.bin) and os.access(cal.bin, os.X_OK)):
            why = "no ptbench binary '%s' (set PTBENCH)" % cal.bin
        else:
            why = None
        paired = why is None
        chosen = select(pts, o, 0.85 * o["budget"], cal.notes, paired, bool(ft_exe))
        for i, p in enumerate(chosen):
            p["id"], p["nogil"] = i, nogil
            p["g"] = (p["workload"], p["workers"], p["neighbours"],
                      fidelity.keyparams(p["workload"], p["params"]))
        say("%d point(s) of %d workloads, %d %s, budget %g s"
            % (len(chosen), len({p["workload"] for p in chosen}), o["repeat"],
               "paired round(s) with ptbench" if paired else "repetition(s)", o["budget"]))
        pt_rows, whys, done = [], {}, 0
        if paired:
            rnd = Rounds(cal, cols, runrows, ft_exe, {r.get("model") for r in runrows})
            clusters = union_clusters(chosen, lambda p: p["specs"])
            done = rnd.run(clusters, o["repeat"], 2.0 if o["quick"] else 4.0)
            rows, pt_rows = rnd.rows, rnd.pt_rows
            whys = {p["g"]: rnd.why[p["id"]] for p in chosen if p["id"] in rnd.why}
            why = "ptbench did not run in the rounds"
            say("%d round(s) of %d cluster(s), %d ptbench run(s)"
                % (done, len(clusters), rnd.runs))
        else:
            rows = unpaired_main(cal, chosen, o, cols, ft_exe)
        write_rows_csv(os.path.join(res, "calibration.csv"), cols, rows)
        publish_rounds(res, pt_rows)
        bad = sum(1 for r in rows if r.get("status") == "failed")
        meta = {"interpreters": interps, "free_threaded": bool(ft_exe), "budget_s": o["budget"],
                "repeat": o["repeat"], "points": len(chosen), "paired": paired,
                "rounds": done if paired else 0, "level": fidelity.LEVEL,
                "notes": cal.notes}
        say("%s: %d rows, %d failed" % (os.path.abspath(os.path.join(res, "calibration.csv")),
                                        len(rows), bad))
        cmp_rows = fidelity.compute(rows, runrows, pt_rows, why, whys) if runrows else []
        short = sum(1 for r in cmp_rows if r["paired"] and r["rounds"] < o["repeat"])
        if short:
            cal.notes.append("%d comparison(s) got fewer than %d rounds: the budget ran out "
                             "(--budget)" % (short, o["repeat"]))
        meta["wall_s"] = round(time.time() - cal.t0, 1)
        fidelity.write_atomic(os.path.join(res, "calibration.json"),
                              json.dumps(meta, indent=1) + "\n")
        if runrows:
            fidelity.write(res, cmp_rows, meta)
            n, agree = fidelity.summary(cmp_rows)
            st = fidelity.states(cmp_rows)
            say("%d comparison(s): %d agree, %d undecided, %d disagree: %s" % (
                n, agree, st["undecided"], st["disagree"],
                os.path.abspath(os.path.join(res, "fidelity.md"))))
        say("calibration took %.0f s (budget %g s)" % (meta["wall_s"], o["budget"]))
        return 1 if bad or cal.failed else 0
    finally:
        # A second signal must not cut the cleaning short.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        kill_children()
        shutil.rmtree(cal.tmp, ignore_errors=True)


def unpaired_main(cal, chosen, o, cols, ft_exe):
    """Without ptbench (--no-rerun, no binary, no run): CPython alone, every
    point's repetitions in one go, one interpreter after the other."""
    plan = []
    for p in chosen:
        models = [s for s in p["specs"] if s[0] != "ft"]
        if p["nogil"]:
            models = [s for s in p["specs"] if s[0] in ("serial", "procs", "ft")]
        if models:
            plan.append(plan_point(p, p["id"], models, o))
    share = 0.75 if ft_exe else 0.95
    rows = cal.run_plan(sys.executable, plan, "main", cols,
                        max(1.0, share * o["budget"] - (time.time() - cal.t0)))
    if ft_exe:
        ft_plan = [plan_point(p, p["id"], [("ft", "", "")], o,
                              size=size_of(rows, p["id"], twins.twin(p["workload"])))
                   for p in chosen if ("ft", "", "") in p["specs"]]
        rows += cal.run_plan(ft_exe, ft_plan, "main", cols,
                             max(1.0, 0.95 * o["budget"] - (time.time() - cal.t0)))
    return rows


def publish_rounds(res, pt_rows):
    """calibration-ptbench.csv: ptbench's repetitions of the rounds (or no
    such file); an older calibration's calibration-paired/ goes, stale."""
    path = os.path.join(res, "calibration-ptbench.csv")
    if pt_rows:
        cols = []
        for r in pt_rows:
            for c in r:
                if c not in cols:
                    cols.append(c)
        write_rows_csv(path, cols, pt_rows)
    elif os.path.lexists(path):
        os.unlink(path)
    old = os.path.join(res, "calibration-paired")
    if os.path.islink(old) or os.path.isfile(old):
        os.unlink(old)
    elif os.path.isdir(old):
        shutil.rmtree(old, ignore_errors=True)


def main(argv):
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        o = parse(argv)
    except Usage as e:
        print("calibrate: %s" % e, file=sys.stderr)
        return 2

    def say(msg):
        if not o["quiet"]:
            print("calibrate: %s" % msg, file=sys.stderr, flush=True)

    try:
        return calibrate(o, say)
    except Usage as e:
        print("calibrate: %s" % e, file=sys.stderr)
        return 2
    except fidelity.BadInput as e:
        print("calibrate: %s" % e, file=sys.stderr)
        return 2
    except Stop as e:
        kill_children()
        print("calibrate: interrupted", file=sys.stderr)
        return e.status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
