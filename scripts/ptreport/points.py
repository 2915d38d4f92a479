# SPDX-License-Identifier: MIT
"""summary.csv and meta.json -> one Point record per point, columns by name.

Columns are selected by name (interface contract 2), so new columns change
nothing here. The decision columns (contract 3: quantity, q_*, ref_model,
ratio*, decision, band, partial) are read when present; an older run lacks
them and the report says so instead of deciding anything itself.
"""

import os
from dataclasses import dataclass, field

from . import safeio
from .fmt import model_rank, num, sortkey

# The kind of each workload (mirrors .kind in workloads/*.c; summary.csv's
# `kind` column is the queue workload's parameter, not this).
KINDS = {
    "countdown": "cpu", "filewrite": "io", "sockrecv": "io", "sleep": "io",
    "spawn": "cost", "event": "sync", "condition": "sync", "semaphore": "sync",
    "barrier": "sync", "queue": "sync", "timer": "sync", "convoy": "mixed", "pool": "mixed",
}
KIND_TITLES = {
    "cpu": "CPU-bound work", "io": "I/O-bound work", "mixed": "Mixed work",
    "sync": "Coordination", "cost": "Creation cost", "other": "Other work",
}
KIND_ORDER = ["cpu", "io", "mixed", "sync", "cost", "other"]

DECISIONS = ("faster", "slower", "tie", "undecided")
CONTRACT_COLUMNS = ("quantity", "q_median", "ref_model", "ratio", "ratio_lo", "ratio_hi",
                    "decision")

INT_COLS = ("workers", "n", "n_ok")
NUM_COLS = {
    "si": "switch_interval_us", "ci": "check_interval", "neighbours": "cpu_neighbours",
    "ops": "ops_per_s_median", "ops_lo": "ops_per_s_ci_lo", "ops_hi": "ops_per_s_ci_hi",
    "ops_cv": "ops_per_s_cv", "wall": "wall_median_s", "wall_lo": "wall_ci_lo_s",
    "wall_hi": "wall_ci_hi_s", "lat50": "lat_p50_us", "lat99": "lat_p99_us", "noisy": "noisy",
    "q": "q_median", "q_lo": "q_ci_lo", "q_hi": "q_ci_hi", "q_cv": "q_cv", "ratio": "ratio",
    "ratio_lo": "ratio_lo", "ratio_hi": "ratio_hi", "band": "band", "partial": "partial",
    "shared": "shared", "ops_count": "ops_median",
}


@dataclass(eq=False)
class Point:
    workload: str
    model: str
    workers: int
    bind: str
    status: str
    message: str
    n: int
    n_ok: int
    quantity: str
    ref_model: str
    decision: str
    kind: str
    start: str
    params: list            # [(name, value)] in meta.json's order
    raw: dict               # every column, as text
    v: dict = field(default_factory=dict)   # the numeric columns (NUM_COLS keys)
    vlab: str = ""          # what tells its configuration apart from the others

    def __getattr__(self, name):
        v = self.__dict__.get("v")
        if v is not None and name in NUM_COLS:
            return v.get(name)
        raise AttributeError(name)

    @property
    def cfg(self):
        s = " ".join("%s=%s" % kv for kv in self.params)
        if self.neighbours:
            s = (s + " " if s else "") + "neighbours=%d" % self.neighbours
        return s

    @property
    def group(self):
        """The contract's comparison group: workload, params, workers' bind
        and neighbours (workers are compared separately)."""
        return (self.workload, self.bind, self.cfg)

    @property
    def variant(self):
        """What tells this point apart from others of its model in a group."""
        if self.model == "procs" and self.start:
            return "start=" + self.start
        if self.model == "ft" and self.shared is not None:
            return "shared=%g" % self.shared
        return ""

    @property
    def ok(self):
        return self.n_ok >= 1 and self.status in ("ok", "")

    @property
    def ops_per_rep(self):
        """Operations in a median repetition (ops_median, or rate x time)."""
        if self.ops_count is not None:
            return self.ops_count
        if self.ops is not None and self.wall is not None:
            return self.ops * self.wall
        return None

    def config_label(self, always_neighbours=True):
        """The configuration as shown: the tokens that vary, plus the CPU
        neighbours whenever there are any."""
        toks = self.vlab.split() if self.vlab else []
        if always_neighbours and self.neighbours and not any(t.startswith("neighbours=") for t in toks):
            toks.append("neighbours=%d" % self.neighbours)
        return " ".join(toks)

    def name(self, workers=True, model=True):
        s = self.workload
        c = self.config_label()
        if c:
            s += " (" + c + ")"
        if model:
            s += " " + self.model + (" " + self.variant if self.variant else "")
        if workers:
            s += " n=%d" % self.workers
        return s


class Run:
    """One results directory's points and meta.json."""

    def __init__(self, directory):
        self.dir = directory
        self.meta = {}
        self.meta_note = ""
        mpath = os.path.join(directory, "meta.json")
        if os.path.lexists(mpath):
            self.meta = safeio.read_json(mpath)
        else:
            self.meta_note = "no meta.json: the machine and the parameters are unknown"
        spath = os.path.join(directory, "summary.csv")
        header, rows = safeio.read_csv(spath, ("workload", "model", "workers"))
        self.header = header
        self.has_decisions = all(c in header for c in CONTRACT_COLUMNS)
        plists = safeio.jget(self.meta, "run", "parameters")
        if not isinstance(plists, dict):
            plists = {}
        self.points = [self._point(spath, r, header, plists) for r in rows]
        self.partial = any(p.partial for p in self.points) or safeio.jget(self.meta, "partial") is True
        self._label()

    @staticmethod
    def _point(path, r, header, plists):
        def bad(col, val):
            raise safeio.BadInput("%s line %d, column %s: '%s' is not a %s"
                                  % (path, r["_line"], col, val[:80],
                                     "count" if col in INT_COLS else "number"))
        ints = {}
        for c in INT_COLS:
            s = r.get(c, "").strip()
            if s == "" and c != "workers":
                ints[c] = 0
                continue
            try:
                ints[c] = int(s)
            except ValueError:
                bad(c, s)
            if ints[c] < (1 if c == "workers" else 0):
                bad(c, s)
        vals = {}
        for k, c in NUM_COLS.items():
            try:
                vals[k] = num(r.get(c, ""))
            except ValueError:
                bad(c, r.get(c, ""))
        wl = r["workload"]
        pl = plists.get(wl)
        params = []
        if isinstance(r.get("params"), str) and r.get("params"):
            params = [tuple(t.split("=", 1)) if "=" in t else (t, "") for t in r["params"].split()]
        elif isinstance(pl, dict):
            for k, dv in pl.items():
                val = r.get(k, "") if k in header else safeio.jtext(dv)
                if val != "":
                    params.append((str(k), val))
        p = Point(workload=wl, model=r["model"], workers=ints["workers"],
                  bind=r.get("bind") or "none", status=r.get("status", ""),
                  message=" ".join(r.get("message", "").split()), n=ints["n"], n_ok=ints["n_ok"],
                  quantity=r.get("quantity", ""), ref_model=r.get("ref_model", ""),
                  decision=r.get("decision", "").strip(),
                  kind=KINDS.get(wl, "other"), start=r.get("start", ""),
                  params=params, raw=r)
        p.v = vals
        if p.decision not in DECISIONS:
            p.decision = ""
        if p.kind not in KIND_TITLES:
            p.kind = "other"
        return p

    def _label(self):
        """vlab: the tokens of "bind=B params" that vary among a workload's
        configurations (what tells them apart)."""
        groups = {}
        for p in self.points:
            groups.setdefault(p.workload, {})[(p.bind, p.cfg)] = \
                (["bind=" + p.bind] if p.bind else []) + ["%s=%s" % kv for kv in p.params] + \
                (["neighbours=%d" % p.neighbours] if p.neighbours else [])
        varying = {}
        for wl, g in groups.items():
            count = {}
            for toks in g.values():
                for t in set(toks):
                    count[t] = count.get(t, 0) + 1
            varying[wl] = {t for t, c in count.items() if c < len(g)}
        for p in self.points:
            toks = groups[p.workload][(p.bind, p.cfg)]
            p.vlab = " ".join(t for t in toks if t in varying[p.workload])

    def workloads(self):
        seen = []
        for p in self.points:
            if p.workload not in seen:
                seen.append(p.workload)
        return seen

    def mtext(self, *path):
        return safeio.jtext(safeio.jget(self.meta, *path))


def by_group(points):
    """{group: [points]} in first-seen order."""
    out = {}
    for p in points:
        out.setdefault(p.group, []).append(p)
    return out


def gil_default(points):
    """Of several gil points differing only in switch interval, the one
    closest (in log scale) to CPython's default, 5000 us
    (sys.getswitchinterval() = 0.005); likewise gil-old at 100 ticks."""
    import math
    best = {}
    for p in points:
        target, v = (5000, p.si) if p.model == "gil" else (100, p.ci) if p.model == "gil-old" \
            else (None, None)
        if target is None or v is None or v <= 0:
            continue
        k = (p.group, p.model)
        d = abs(math.log(v / target))
        if k not in best or d < best[k][0]:
            best[k] = (d, v)
    return {k: v for k, (d, v) in best.items()}


def usable(p, defaults):
    """A point that stands for its model in its group (not a swept GIL
    interval other than the default's)."""
    if p.model == "gil" and (p.group, "gil") in defaults and p.si != defaults[(p.group, "gil")]:
        return False
    if p.model == "gil-old" and (p.group, "gil-old") in defaults and \
            p.ci != defaults[(p.group, "gil-old")]:
        return False
    return True


def sort_points(points):
    return sorted(points, key=lambda p: (p.workload, p.bind, [sortkey(v) for _, v in p.params],
                                         p.neighbours or 0, p.workers, model_rank(p.model),
                                         p.variant))
