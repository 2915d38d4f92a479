# SPDX-License-Identifier: MIT
"""The report's plots: which ones the run has data for, and their series."""

import math

from .fmt import fmt_bytes, fmt_us, model_color, model_rank, model_short, size_bytes
from .gnuplot import Series, gq, ratio_axis
from .points import gil_default, usable

GREY = "#999999"
PALETTE = ["#444444", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"]


class Drawn:
    def __init__(self, name, section, title, caption, path):
        self.name, self.section, self.title, self.caption, self.path = \
            name, section, title, caption, path


def _title(p, skip=()):
    """A series' title: the model in Python's terms, its id, its variant."""
    toks = [t for t in p.vlab.split() if t.split("=")[0] not in skip]
    if p.variant:
        toks.append(p.variant)
    name = model_short(p.model)
    name += "" if name == p.model else " (%s)" % p.model
    return " ".join([name] + toks)


def _var(title, p):
    """The variant part of a series title (what its dash pattern shows)."""
    name = model_short(p.model)
    name += "" if name == p.model else " (%s)" % p.model
    return title[len(name):].strip() if title.startswith(name) else title


def _series(store, key, p, title, dt_of):
    if key not in store:
        var = _var(title, p)
        dt = dt_of.setdefault(var, len(dt_of) + 1)
        store[key] = Series(title, model_color(p.model), dt, rank=model_rank(p.model) * 100 + dt)
    return store[key]


def _workers_axis(xs):
    lo, hi = min(xs), max(xs)
    if lo > 0 and hi / lo >= 8:
        return ["set logscale x 2", "set xtics 2"], lo, hi
    return ["set xtics 1"], lo, hi


def _reference(title, xs, slope, dt=2):
    s = Series(title, GREY, dt, "lines lw 1", rank=10000)
    for x in sorted(set(xs)):
        s.add(x, slope * x)
    return s


def _lat_ticks(series):
    ys = [v for s in series for (_, y, _lo, hi) in s.pts for v in (y, hi) if v and v > 0]
    if not ys:
        return []
    d0 = math.floor(math.log10(min(ys)) + 1e-9)
    d1 = max(math.ceil(math.log10(max(ys)) - 1e-9), d0 + 1)
    ticks = ", ".join("%s %g" % (gq(fmt_us(10.0 ** d)), 10.0 ** d) for d in range(d0, d1 + 1))
    return ["set logscale y", "set yrange [%g:%g]" % (0.999 * 10.0 ** d0, 1.001 * 10.0 ** d1),
            "set ytics (%s)" % ticks, "set mytics 10"]


def _si_scale(series):
    mx = max((hi for s in series for (_, _y, _lo, hi) in s.pts), default=0)
    d, p = (1e9, "G ") if mx >= 1e9 else (1e6, "M ") if mx >= 1e6 else (1e3, "k ") \
        if mx >= 1e4 else (1, "")
    for s in series:
        s.pts = [(x, y / d, lo / d, hi / d) for (x, y, lo, hi) in s.pts]
    return p


class Plots:
    def __init__(self, run, gp):
        self.run, self.gp = run, gp
        self.defaults = gil_default(run.points)
        self.pts = [p for p in run.points if usable(p, self.defaults)]
        self.drawn = []
        pus = run.meta.get("machine", {}).get("pus") if isinstance(run.meta.get("machine"), dict) \
            else None
        # meta.json is untrusted: only a plain integer marks the plot.
        self.pus = pus if isinstance(pus, int) and not isinstance(pus, bool) and 0 < pus < 1 << 20 \
            else None

    def _emit(self, name, section, title, caption, *args, **kw):
        base, k = name, 1
        while any(d.name == name for d in self.drawn):
            k += 1
            name = "%s-%d" % (base, k)
        path = self.gp.draw(name, *args, **kw)
        if path:
            self.drawn.append(Drawn(name, section, title, caption, path))

    def main_config(self, pts):
        """The points a per-workload line plot shows: without CPU neighbours
        when the run has such points, and ft at its smallest `shared` (the
        verdict's tables and the ft plot cover the rest)."""
        if any(not p.neighbours for p in pts):
            pts = [p for p in pts if not p.neighbours]
        low = min((p.shared for p in pts if p.model == "ft" and p.shared is not None), default=None)
        return [p for p in pts if p.model != "ft" or p.shared is None or p.shared == low]

    def ok_ops(self, wl):
        return [p for p in self.pts if p.workload == wl and p.n_ok > 0 and p.ops is not None]

    def ok_lat(self, wl):
        return [p for p in self.pts if p.workload == wl and p.n_ok > 0 and p.lat50 and p.lat50 > 0]

    def all(self):
        wls = set(self.run.workloads())
        if "countdown" in wls:
            self.scaling("countdown")
        self.against_gil()
        self.ft_shared()
        if "convoy" in wls:
            self.convoy("convoy")
        for wl in ("sleep", "filewrite", "sockrecv"):
            if wl in wls:
                self.io(wl)
        if "spawn" in wls:
            self.spawn("spawn")
        self.sync()
        self.placement()
        ok = self.gp.run_all()
        return [d for d in self.drawn if d.name in ok]

    # -- CPU scaling: speedup against workers
    def scaling(self, wl):
        pts = self.main_config(self.ok_ops(wl))
        if not pts:
            return
        minw = min(p.workers for p in pts)
        sref = {p.group: p.ops for p in pts if p.model == "serial" and p.workers == minw}
        store, dts, mixed = {}, {}, False
        for p in pts:
            ref = sref.get(p.group)
            if ref is None:
                own = [q for q in pts if q.model == p.model and q.group == p.group and
                       q.variant == p.variant and q.workers == minw]
                if not own:
                    continue
                ref, mixed = own[0].ops, True
            if not ref:
                continue
            t = _title(p)
            s = _series(store, t, p, t, dts)
            s.add(p.workers, p.ops / ref, p.ops_lo / ref if p.ops_lo else None,
                  p.ops_hi / ref if p.ops_hi else None)
        xs = {x for s in store.values() for (x, *_r) in s.pts}
        if len(xs) < 2:
            return
        setup, lo, hi = _workers_axis(xs)
        series = list(store.values()) + [_reference("ideal", xs, 1 / minw)]
        if self.pus and lo <= self.pus <= hi * 2:
            setup += ["set arrow from %d, graph 0 to %d, graph 1 nohead dt 3 lc rgb '#888888'"
                      % (self.pus, self.pus),
                      "set label '%d PUs' at %d, graph 0.97 right offset -0.5,0 tc rgb '#666666'"
                      % (self.pus, self.pus)]
        setup.append("set logscale y 2" if "set logscale x 2" in setup else "set yrange [0:*]")
        ws = "%d worker%s" % (minw, "" if minw == 1 else "s")
        self._emit("plot-scaling", "cpu", "CPU scaling (%s)" % wl,
                   "Throughput of %s relative to %s throughput at %s, against the number of "
                   "workers; error bars: the 95%% CI of the median (scaled). Dashed grey: perfect "
                   "scaling; dotted: the machine's processing units. Free threads and processes "
                   "should follow the ideal; threads under the GIL stay near 1."
                   % (wl, "each model's own" if mixed else "serial's", ws),
                   "CPU scaling: " + wl, "workers",
                   "speedup over %s at %s" % ("the same model" if mixed else "serial", ws),
                   series, setup)

    # -- every model against threads under the GIL, from the decision columns
    def against_gil(self):
        if not self.run.has_decisions:
            return
        for wl in self.run.workloads():
            pts = self.main_config([p for p in self.pts if p.workload == wl and
                                    p.ref_model == "gil" and p.ratio is not None and p.ratio > 0])
            store, dts = {}, {}
            for p in pts:
                t = _title(p)
                _series(store, t, p, t, dts).add(p.workers, p.ratio, p.ratio_lo, p.ratio_hi)
            xs = {x for s in store.values() for (x, *_r) in s.pts}
            if len(xs) < 2 and wl != "countdown":
                continue
            if not xs:
                continue
            setup, _lo, _hi = _workers_axis(xs)
            setup += ratio_axis([v for s in store.values() for (_x, y, lo, hi) in s.pts
                                 for v in (y, lo, hi)])
            self._emit("plot-vs-gil-" + _safe(wl), "gil",
                       "Against threads under the GIL (%s)" % wl,
                       "Speed of each model divided by the speed of threads under the GIL "
                       "(standard CPython) at the same worker count and configuration, as "
                       "summary.csv's ratio columns give it (log scale; above 1: faster than the "
                       "GIL; error bars: the ratio's 95% interval).",
                       "Against threads under the GIL: " + wl, "workers",
                       "speed / speed under the GIL", list(store.values()), setup)

    # -- free-threaded CPython against the share of ticks on shared objects
    def ft_shared(self):
        ft_all = [p for p in self.pts if p.model == "ft" and p.shared is not None and
                  p.ops is not None and p.n_ok > 0]
        groups = {}
        for p in ft_all:
            groups.setdefault(p.group, []).append(p)
        for g, ft in groups.items():
            if len({p.shared for p in ft}) < 2:
                continue
            top = max(p.workers for p in ft)
            ft = [p for p in ft if p.workers == top]
            s = Series("ft (free-threaded CPython)", model_color("ft"), 1, rank=0)
            for p in ft:
                s.add(p.shared, p.ops, p.ops_lo, p.ops_hi)
            series, xs = [s], [p.shared for p in ft]
            for m in ("gil", "threads"):
                for p in self.pts:
                    if p.group == g and p.model == m and p.workers == top and p.ops:
                        r = Series("%s (%s)" % (model_short(m), m), model_color(m), 4,
                                   "lines lw 1.2", rank=1000 + model_rank(m))
                        r.add(min(xs), p.ops)
                        r.add(max(xs), p.ops)
                        series.append(r)
                        break
            unit = _si_scale(series)
            p0 = ft[0]
            name = p0.workload + (" " + p0.config_label() if p0.config_label() else "")
            self._emit("plot-ft-shared-" + _safe(p0.workload), "gil",
                       "Free-threaded CPython against shared objects (%s, %d workers)" % (name, top),
                       "Throughput of free-threaded CPython (ft) against the share of ticks that "
                       "touch objects shared by all threads, at %d workers (error bars: 95%% CI). "
                       "Dashed: threads under the GIL (standard CPython, the realistic rival) and "
                       "free threads in C (the ideal bound)." % top,
                       "ft against shared objects: %s, %d workers" % (name, top),
                       "share of ticks touching shared objects", "throughput (%sops/s)" % unit,
                       series, ["set yrange [0:*]"])

    # -- the convoy effect
    def convoy(self, wl):
        pts = [p for p in self.ok_ops(wl) if p.ops > 0]
        store, dts = {}, {}
        for p in pts:
            t = _title(p, ("si",))
            if p.model == "gil" and p.si:
                t += " (%g us)" % p.si
            _series(store, t, p, t, dts).add(p.workers - 1, p.ops, p.ops_lo, p.ops_hi)
        xs = {x for s in store.values() for (x, *_r) in s.pts}
        if len(xs) >= 2:
            self._emit("plot-convoy", "convoy", "Convoy effect against companions",
                       "Round trips per second of worker 0 (an I/O request/response loop) next to "
                       "0, 1, 2... CPU-bound companions, per model (log scale; error bars: 95% CI). "
                       "Under a GIL each blocking call hands the lock to a companion, and worker 0 "
                       "waits up to a switch interval to get it back; with processes or free "
                       "threads it stays near its solo rate.",
                       "Convoy effect: " + wl, "CPU-bound companions of worker 0",
                       "worker 0 round trips/s", list(store.values()),
                       ["set logscale y", "set xtics 1", "set format y '%.0s%c'"])
        # Against the switch interval: every gil point, one line per companions.
        allgil = [p for p in self.run.points if p.workload == wl and p.model == "gil" and
                  p.n_ok > 0 and p.ops and p.si]
        if len({p.si for p in allgil}) < 2:
            return
        store = {}
        for p in allgil:
            c = p.workers - 1
            key = (c, p.vlab)
            if key not in store:
                store[key] = Series("%d companion%s%s" % (c, "" if c == 1 else "s",
                                                          " " + p.vlab if p.vlab else ""),
                                    PALETTE[c % len(PALETTE)], 1, rank=c)
            store[key].add(p.si, p.ops, p.ops_lo, p.ops_hi)
        sis = sorted({p.si for p in allgil})
        mx = max(p.workers for p in allgil) - 1
        for p in pts:
            if p.model in ("threads", "procs") and p.workers - 1 == mx:
                s = Series("%s, %d companion%s" % (model_short(p.model), mx, "" if mx == 1 else "s"),
                           model_color(p.model), 4, "lines lw 1.2", 1000 + model_rank(p.model))
                s.add(sis[0], p.ops)
                s.add(sis[-1], p.ops)
                store[("ref", p.model, p.vlab)] = s
        per = Series("one per interval", "#555555", 3, "lines lw 1", 2000)
        per.add(sis[0], 1e6 / sis[0])
        per.add(sis[-1], 1e6 / sis[-1])
        self._emit("plot-convoy-interval", "convoy", "Convoy effect against the switch interval",
                   "Worker 0's round trips per second under the GIL against the switch interval, "
                   "one line per number of CPU-bound companions (log-log). Dotted: one round trip "
                   "per interval, the rate of a convoyed I/O thread. Dashed: free threads and "
                   "processes with the most companions.",
                   "Convoy effect against the GIL switch interval: " + wl, "switch interval (us)",
                   "worker 0 round trips/s", list(store.values()) + [per],
                   ["set logscale xy", "set format y '%.0s%c'",
                    "set xtics (%s)" % ", ".join("%g" % s for s in sis)])

    # -- I/O overlap: throughput against workers
    def io(self, wl):
        pts = self.ok_ops(wl)
        store, dts = {}, {}
        for p in pts:
            t = _title(p)
            _series(store, t, p, t, dts).add(p.workers, p.ops, p.ops_lo, p.ops_hi)
        xs = {x for s in store.values() for (x, *_r) in s.pts}
        if len(xs) < 2:
            return
        setup, _lo, _hi = _workers_axis(xs)
        setup.append("set yrange [0:*]")
        minw = min(xs)
        first = pts[0].vlab
        base = [p.ops for p in pts if p.workers == minw and p.vlab == first and
                p.model in ("serial", "threads")]
        series = list(store.values())
        if base:
            series.append(_reference("perfect overlap", xs, base[0] / minw))
        unit = _si_scale(series)
        self._emit("plot-io-" + _safe(wl), "io", "I/O overlap (%s)" % wl,
                   "Throughput of %s against workers, per model (error bars: 95%% CI of the "
                   "median). Blocking calls release a GIL, so I/O-bound work overlaps under every "
                   "model except serial; dashed: perfect overlap from the smallest worker count."
                   % wl, "I/O overlap: " + wl, "workers", "%s throughput (%sops/s)" % (wl, unit),
                   series, setup)

    # -- dot plots: clusters on x, one dot per model
    def _dots(self, name, section, title, caption, ylabel, items, setup=()):
        """items: [(cluster label, model, y, lo, hi)]."""
        if not items:
            return
        clusters = []
        for c, *_r in items:
            if c not in clusters:
                clusters.append(c)
        models = sorted({m for _c, m, *_r in items}, key=model_rank)
        series = []
        for a, m in enumerate(models):
            off = 0 if len(models) == 1 else (a - (len(models) - 1) / 2) * (0.7 / len(models))
            s = Series(model_short(m) + " (" + m + ")" if m != model_short(m) else m,
                       model_color(m), 1, "yerrorbars pt 7 ps 1.1 lw 1.6", model_rank(m))
            for c, mm, y, lo, hi in items:
                if mm == m:
                    s.add(clusters.index(c) + 1 + off, y, lo, hi)
            series.append(s)
        st = ["set xtics (%s) scale 0" % ", ".join("%s %d" % (gq(c), i + 1)
                                                     for i, c in enumerate(clusters)),
              "set xrange [0.4:%g]" % (len(clusters) + 0.6), "set grid noxtics",
              "set offsets 0, 0, graph 0.05, graph 0.05"] + list(setup)
        if section in ("spawn", "sync"):
            st += _lat_ticks(series)
        self._emit(name, section, title, caption, title, "", ylabel, series, st)

    def spawn(self, wl):
        pts = self.ok_lat(wl)
        if not pts:
            return
        minw = min(p.workers for p in pts)
        rss = {p: size_bytes(dict(p.params).get("rss", "")) for p in pts}
        sizes = sorted({v for v in rss.values() if v is not None})
        items = []
        for p in pts:
            if p.workers != minw or (sizes and rss[p] != sizes[0]):
                continue
            lab = " ".join(t for t in p.vlab.split() if not t.startswith("rss="))
            items.append((lab or wl, p.model, p.lat50, p.lat50, p.lat99))
        self._dots("plot-spawn", "spawn", "Creation cost: thread against process",
                   "Median time to create and join a thread, or to start and reap a process, per "
                   "model (dot); the whisker reaches the 99th percentile. Log scale.",
                   "latency per creation", items)
        if len(sizes) < 2:
            return
        store, dts = {}, {}
        for p in pts:
            if p.workers == minw and rss[p] is not None:
                t = _title(p, ("rss",))
                s = _series(store, t, p, t, dts)
                s.with_ = "linespoints pt 7 lw 1.6"
                s.add(sizes.index(rss[p]) + 1, p.lat50)
        series = list(store.values())
        self._emit("plot-spawn-rss", "spawn", "Creation cost against the parent's memory size",
                   "Median creation latency against the memory the parent touched before "
                   "spawning (rss parameter; log latency scale). fork() copies the parent's page "
                   "tables, so its cost grows with the parent's size; a thread's does not.",
                   "Creation cost against the parent's memory: " + wl,
                   "memory the parent touched before spawning", "median latency per creation",
                   series, ["set xtics (%s)" % ", ".join("%s %d" % (gq(fmt_bytes(b)), i + 1)
                                                          for i, b in enumerate(sizes))]
                   + _lat_ticks(series))

    def sync(self):
        items = []
        for wl in ("event", "condition", "semaphore", "barrier", "queue", "timer"):
            pts = self.ok_lat(wl)
            top = {}
            for p in pts:
                top[p.group] = max(top.get(p.group, 0), p.workers)
            for p in pts:
                if p.workers == top[p.group]:
                    lab = "%s%s n=%d" % (wl, " " + p.vlab if p.vlab else "", p.workers)
                    items.append((lab, p.model, p.lat50, p.lat50, p.lat99))
        self._dots("plot-sync", "sync", "Coordination latency",
                   "Median latency of each primitive's operation per model at the largest worker "
                   "count measured (dot), with a whisker up to the 99th percentile (log scale). A "
                   "GIL adds a handoff to every wakeup.", "latency, median and p99", items,
                   ["set xtics rotate by -20"])

    def placement(self):
        ok = [p for p in self.pts if p.n_ok > 0 and p.ops]
        compact = {(p.workload, p.model, p.variant, p.workers, p.cfg): p for p in ok
                   if p.bind == "compact"}
        top, pairs = {}, []
        for p in ok:
            q = compact.get((p.workload, p.model, p.variant, p.workers, p.cfg))
            if p.bind == "scatter" and q:
                pairs.append((p, q))
                top[(p.workload, p.cfg)] = max(top.get((p.workload, p.cfg), 0), p.workers)
        items = []
        for p, q in pairs:
            if p.workers != top[(p.workload, p.cfg)]:
                continue
            lab = " ".join(t for t in p.vlab.split() if not t.startswith("bind="))
            items.append(("%s%s n=%d" % (p.workload, " " + lab if lab else "", p.workers), p.model,
                          p.ops / q.ops, p.ops_lo / q.ops_hi if p.ops_lo and q.ops_hi else None,
                          p.ops_hi / q.ops_lo if p.ops_hi and q.ops_lo else None))
        self._dots("plot-placement", "placement", "Placement: scatter against compact",
                   "Throughput with workers spread across packages, NUMA nodes and cores (scatter) "
                   "divided by throughput with cores filled in order (compact), per model at the "
                   "largest worker count with both; above 1 scatter wins. Error bars: the lowest "
                   "and highest ratio the two 95% CIs allow.", "throughput scatter / compact",
                   items, ["set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 "
                           "lc rgb '#999999'"])


def _safe(s):
    """A file-name part from a workload name (letters, digits, - and _)."""
    out = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in s)[:40]
    return out or "x"
