# SPDX-License-Identifier: MIT
"""The verdict, read from summary.csv's decision columns (contract 3).

Nothing is decided here: each row shows the ratio, its 95% interval and the
decision that ptbench's decision rule (lib/stats) wrote for the point
against its reference model. Only "faster" and "slower" name a winner.

Rows without meaning are left out, with the reason in a footnote. The rule
(MIN_OPS): a throughput comparison is meaningless when either point
completes fewer than MIN_OPS operations in a median repetition: its rate
then counts a handful of events and measures the workload's timeouts, not
the model (sockrecv rate=1, where receivers idle in their timeouts and a
repetition receives 0 or 1 message).
"""

from .fmt import fmt_x, fmt_range, model_short, sortkey
from .points import KIND_ORDER, KIND_TITLES, gil_default, usable

MIN_OPS = 10


class Row:
    """One comparison: point p against its reference point r."""

    def __init__(self, p, r):
        self.p, self.r = p, r
        self.ratio, self.lo, self.hi = p.ratio, p.ratio_lo, p.ratio_hi
        self.decision = p.decision or "undecided"
        self.why_out = meaningless(p, r)

    @property
    def winner(self):
        if self.decision == "faster":
            return self.p.model
        if self.decision == "slower":
            return self.r.model if self.r else self.p.ref_model
        return ""

    @property
    def margin(self):
        """How many times faster the winner is, with its interval."""
        if self.ratio is None or self.ratio <= 0:
            return None, None, None
        if self.decision == "slower":
            return (1 / self.ratio, 1 / self.hi if self.hi else None,
                    1 / self.lo if self.lo else None)
        return self.ratio, self.lo, self.hi

    def outcome(self, band_text):
        """The row's words: "processes 1.93× faster [1.85–2.01]", "tie", ..."""
        m, lo, hi = self.margin
        if self.winner:
            other = self.p.ref_model if self.winner == self.p.model else self.p.model
            if m is None:
                return "%s faster than %s (no ratio given)" % (model_short(self.winner),
                                                              model_short(other))
            s = "%s %s faster than %s" % (model_short(self.winner), fmt_x(m), model_short(other))
            return s + (" " + fmt_range(lo, hi) if lo else "")
        if self.decision == "tie":
            return "tie: within %s (ratio %s %s)" % (band_text, fmt_x(self.ratio),
                                                    fmt_range(self.lo, self.hi))
        if self.p.status not in ("ok", ""):
            return "no verdict: %s %s" % (self.p.model, self.p.status)
        if self.lo is None or self.hi is None:
            return "undecided: no interval (too few repetitions)"
        return "undecided: the interval %s straddles the band" % fmt_range(self.lo, self.hi)


def meaningless(p, r):
    if p.quantity not in ("ops_per_s", "") :
        return None
    for q, who in ((p, p.model), (r, "its reference, %s," % (r.model if r else ""))):
        if q is None:
            continue
        n = q.ops_per_rep
        if n is not None and q.n_ok >= 1 and n < MIN_OPS:
            return ("%s completes %.2g operations per repetition (fewer than %d): the rate "
                    "counts a handful of events, not the model's speed" % (who, n, MIN_OPS))
    return None


def band_text(points):
    for p in points:
        if p.band is not None:
            b = p.band * 100 if p.band < 1 else p.band
            return "±%g%%" % b
    return "±5%"


def _ref_of(p, points, defaults):
    want = p.ref_model or "gil"
    for q in points:
        if q.group == p.group and q.workers == p.workers and q.model == want and \
                usable(q, defaults):
            return q
    return None


def rows_for(run, model, ref="gil"):
    """Per group and variant of @model, the row at the largest worker count
    where the point has a decision against @ref."""
    defaults = gil_default(run.points)
    best = {}
    for p in run.points:
        if p.model != model or (p.ref_model or ref) != ref or not p.decision:
            continue
        k = (p.group, p.variant)
        if k not in best or p.workers > best[k].workers:
            best[k] = p
    rows = [Row(p, _ref_of(p, run.points, defaults)) for p in best.values()]
    rows.sort(key=lambda r: (KIND_ORDER.index(r.p.kind), r.p.workload, r.p.bind,
                             [sortkey(v) for _, v in r.p.params], r.p.neighbours or 0, r.p.variant))
    return rows


def tally(rows):
    """{kind: {decision: count}} of the rows kept."""
    out = {}
    for r in rows:
        if r.why_out:
            continue
        d = out.setdefault(r.p.kind, {"faster": 0, "slower": 0, "tie": 0, "undecided": 0})
        d[r.decision] += 1
    return out


def kind_sentences(rows, a, b):
    """One sentence per kind of work: how often @a beat @b, tied, ..."""
    out = []
    t = tally(rows)
    for kind in KIND_ORDER:
        if kind not in t:
            continue
        d = t[kind]
        wls = sorted({r.p.workload for r in rows if r.p.kind == kind and not r.why_out})
        total = sum(d.values())
        parts = []
        if d["faster"]:
            parts.append("%s faster in %d" % (model_short(a), d["faster"]))
        if d["slower"]:
            parts.append("%s faster in %d" % (model_short(b), d["slower"]))
        if d["tie"]:
            parts.append("a tie in %d" % d["tie"])
        if d["undecided"]:
            parts.append("undecided in %d" % d["undecided"])
        out.append((KIND_TITLES[kind], ", ".join(wls), total, "; ".join(parts)))
    return out


def crossover(run):
    """Pool's crossover maps: {configuration: {(work, payload): cell}} where
    a cell holds the procs row (against gil) and the threads row (the ideal
    bound) at the largest worker count. Empty without pool points having
    both work and payload."""
    maps, ideal = {}, {}
    for model in ("procs", "threads"):
        for r in rows_for(run, model):
            p = r.p
            params = dict(p.params)
            if p.workload != "pool" or "work" not in params or "payload" not in params:
                continue
            base = " ".join((["bind=" + p.bind] if p.bind != "none" else []) +
                            ["%s=%s" % kv for kv in p.params if kv[0] not in ("work", "payload")] +
                            (["neighbours=%d" % p.neighbours] if p.neighbours else []))
            at = (params["work"], params["payload"])
            if model == "threads":
                ideal[(base, at)] = r
                continue
            key = (base + " " + p.variant).strip() if p.variant else base
            maps.setdefault(key, {}).setdefault(at, {})["procs"] = r
            maps[key][at]["_base"] = base
    for cells in maps.values():
        for at, c in cells.items():
            t = ideal.get((c.pop("_base"), at))
            if t:
                c["threads"] = t
    return maps
