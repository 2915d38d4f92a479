# SPDX-License-Identifier: MIT
"""compare.html from compare.csv (interface contract 4), which
`ptbench compare` writes: one row per point per later run, the ratio of
run B's speed to run A's with its 95% interval and the decision.

Rows are attributed to runs by their `run` column, never by position, so a
run without rows (an empty results.csv) cannot shift the others (issue 13,
bug 7)."""

import os

from . import safeio
from .fmt import esc, fmt_range, fmt_s, fmt_rate, fmt_x, plural
from .gnuplot import Series, gq, ratio_axis
from .report import CSS, table, tag, td

REQUIRED = ("workload", "model", "workers", "params", "a", "b", "ratio", "lo", "hi", "decision")
PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]


def letter(i):
    return "ABCDEFGHIJ"[i] if i < 10 else "R%d" % (i + 1)


class Compare:
    def __init__(self, out, dirs):
        self.out, self.dirs = out, dirs
        self.metas = []
        for d in dirs:
            mp = os.path.join(d, "meta.json")
            self.metas.append(safeio.read_json(mp) if os.path.lexists(mp) else None)
        path = os.path.join(out, "compare.csv")
        if not os.path.lexists(path):
            raise safeio.BadInput("no compare.csv in '%s' (ptbench compare writes it)" % out)
        _, rows = safeio.read_csv(path, REQUIRED)
        self.rows = []
        for r in rows:
            r["_run"] = self._run_of(path, r)
            for k in ("a", "b", "ratio", "lo", "hi", "host_ratio", "host_lo", "host_hi"):
                s = r.get(k, "").strip()
                try:
                    v = float(s) if s else None
                except ValueError:
                    raise safeio.BadInput("%s line %d, column %s: '%s' is not a number"
                                          % (path, r["_line"], k, s[:80]))
                r["_" + k] = v if v is None or v == v and abs(v) != float("inf") else None
            if r["decision"] not in ("faster", "slower", "tie", "undecided"):
                r["decision"] = "undecided" if not r["decision"] else r["decision"]
            self.rows.append(r)

    def _run_of(self, path, r):
        """The index of the later run a row belongs to: by directory, by
        letter, or by number (A = 0, B = 1, ...)."""
        v = r.get("run", "").strip()
        if v == "":
            if len(self.dirs) == 2:
                return 1
            raise safeio.BadInput("%s line %d: no run column to tell which run it compares"
                                  % (path, r["_line"]))
        for i, d in enumerate(self.dirs):
            if i and (v == d or os.path.realpath(v) == d):
                return i
        for i in range(1, len(self.dirs)):
            if v.upper() == letter(i):
                return i
        if v.isdigit() and 1 <= int(v) < len(self.dirs):
            return int(v)
        raise safeio.BadInput("%s line %d: run '%s' is none of the runs given" %
                              (path, r["_line"], v[:80]))

    def counts(self, rs):
        """Decisions of the rows measured in both runs, and apart the rows
        of a point one run lacks (the `missing` column)."""
        both = [r for r in rs if not r.get("missing", "").strip()]
        c = {d: sum(1 for r in both if r["decision"] == d)
             for d in ("faster", "slower", "tie", "undecided")}
        c["missing"] = len(rs) - len(both)
        return c

    def host(self, rs):
        """The host's speed ratio from the canaries, as text ('' if none)."""
        for r in rs:
            if r["_host_ratio"]:
                return "Host (canary) %s %s" % (fmt_x(r["_host_ratio"]),
                                                fmt_range(r["_host_lo"], r["_host_hi"]))
        return ""

    def label(self, r):
        s = "%s %s n=%s" % (r["workload"], r["model"], r["workers"])
        return s + (" " + r["params"] if r["params"] else "")

    def value(self, r, v):
        return fmt_s(v) if r.get("quantity") == "wall_s" else fmt_rate(v)

    def plot(self, gp):
        pts = [r for r in self.rows if r["_ratio"] and r["_ratio"] > 0]
        if not pts:
            return None
        labels = []
        for r in pts:
            if self.label(r) not in labels:
                labels.append(self.label(r))
        later = sorted({r["_run"] for r in pts})
        series = []
        for k, i in enumerate(later):
            off = 0 if len(later) == 1 else (k - (len(later) - 1) / 2) * 0.5 / len(later)
            s = Series("%s/A" % letter(i), PALETTE[k % len(PALETTE)], 1,
                       "yerrorbars pt 7 ps 1.1 lw 1.4", k)
            for r in pts:
                if r["_run"] == i:
                    s.add(labels.index(self.label(r)) + 1 + off, r["_ratio"], r["_lo"], r["_hi"])
            series.append(s)
        w = min(4000, max(780, 200 + 22 * len(labels)))
        # The words every label shares go into the title, once.
        toks = [l.split() for l in labels]
        common = [t for t in toks[0] if all(t in ts for ts in toks)] if len(toks) > 1 else []
        short = [" ".join(t for t in ts if t not in common) or str(i + 1)
                 for i, ts in enumerate(toks)]
        setup = ratio_axis([v for s in series for (_x, y, lo, hi) in s.pts for v in (y, lo, hi)])
        setup += ["set xrange [0.5:%g]" % (len(labels) + 0.5), "set grid noxtics",
                  "set xtics rotate by 90 right scale 0 (%s)" %
                  ", ".join("%s %d" % (gq(l, 60), i + 1) for i, l in enumerate(short))]
        title = "Speed of each run relative to A" + (": " + " ".join(common) if common else "")
        path = gp.draw("plot-compare", title, "", "speed ratio to A (log scale)", series, setup,
                       size=(w, 560))
        return path if path and "plot-compare" in gp.run_all() else None

    def html(self, plot_drawn, band):
        o = ['<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             "<title>ptbench comparison</title><style>%s</style></head><body><main>" % CSS,
             "<h1>ptbench comparison</h1>"]
        rows = []
        for i, (d, m) in enumerate(zip(self.dirs, self.metas)):
            g = lambda *k: safeio.jtext(safeio.jget(m, *k)) if m else ""
            cmd = safeio.jget(m, "run", "command_line") if m else None
            cmd = " ".join(safeio.jtext(x) for x in cmd) if isinstance(cmd, list) else ""
            n = sum(1 for r in self.rows if r["_run"] == i)
            rows.append([td("<b>%s</b>" % letter(i)), td("<code>%s</code>" % esc(d)),
                         td(esc(g("machine", "hostname"))), td(esc(g("machine", "cpu_model"))),
                         td(esc(g("machine", "pus")), "n"), td(esc(g("build", "git_revision"))),
                         td(esc(g("run", "date"))), td("<code>%s</code>" % esc(cmd)),
                         td("reference" if i == 0 else esc(plural(n, "point")) if n else
                            tag("bad", "no points", "compare.csv has no row for this run"))])
        o.append(table(["Run", "Directory", "Host", "CPU", "PUs", "Revision", "Date", "Command",
                        "Compared"], rows))
        o.append('<div class="lead">')
        for i in range(1, len(self.dirs)):
            rs = [r for r in self.rows if r["_run"] == i]
            c = self.counts(rs)
            o.append("<p>%s" % esc("%s against A: %s compared; faster in %d, slower in %d, a tie "
                                   "in %d, undecided in %d%s.%s" % (
                                       letter(i), plural(len(rs), "point"), c["faster"],
                                       c["slower"], c["tie"], c["undecided"],
                                       "; in one run only: %d" % c["missing"] if c["missing"]
                                       else "",
                                       " " + self.host(rs) + "." if self.host(rs) else ""))
                     + "</p>")
        o.append("</div>")
        if plot_drawn:
            o.append('<figure id="plot-compare"><img src="plot-compare.svg" alt="speed ratios">'
                     '<figcaption>Speed of each later run relative to A at every point both '
                     'measured, with the 95% interval of the ratio (log scale; above 1: faster '
                     'than A).</figcaption></figure>')
        o.append("<h2>Points</h2>")
        prow = []
        for r in self.rows:
            cls = {"faster": "faster", "slower": "bad", "tie": "tie"}.get(r["decision"], "tie")
            prow.append([td(esc(self.label(r))), td(esc(r.get("quantity", ""))),
                         td(esc(self.value(r, r["_a"])), "n"),
                         td("%s <b>%s</b>" % (letter(r["_run"]), esc(self.value(r, r["_b"]))), "n"),
                         td(esc(fmt_x(r["_ratio"])) + '<span class="ci">%s</span>' %
                            esc(fmt_range(r["_lo"], r["_hi"])), "n"),
                         td(tag(cls, r["decision"]) + (
                             ' <span class="cfg">%s</span>' % esc(r.get("host", ""))
                             if r.get("host", "") not in ("", "raw") else "")),
                         td(esc("%s / %s" % (r.get("n_a", "") or "-", r.get("n_b", "") or "-")),
                            "n")])
        o.append(table(["Point", "Figure", "A", "Later run", "ratio", "Decision", "n A / later"],
                       prow, tall=True))
        o.append('<p class="fn">Ratios, intervals and decisions are ptbench\'s (ptbench compare, '
                 'lib/stats): the later run\'s speed over A\'s, with a 95%% interval; faster or '
                 'slower only when the interval lies outside the equivalence band (%s), tie when '
                 'inside, undecided otherwise. Runs meet different hosts: each run\'s canary '
                 '(a serial countdown) gives the host\'s speed ratio; "normalised" figures '
                 '(countdown) are divided by it; "unaffected" ones (sleep, timer) are judged '
                 'as they are; "dependent" ones (wakeups, I/O) get no verdict across runs '
                 '(compare.csv\'s raw_decision says what the raw figures would).</p>'
                 % esc(band))
        o.append("</main></body></html>\n")
        return "\n".join(o)

    def band(self):
        for r in self.rows:
            s = r.get("band", "").strip()
            try:
                b = float(s)
            except ValueError:
                continue
            return "±%g%%" % (b * 100 if b < 1 else b)
        return "±5%"

    def text(self):
        out = ["%s: %s" % (letter(i), d) for i, d in enumerate(self.dirs)]
        for i in range(1, len(self.dirs)):
            rs = [r for r in self.rows if r["_run"] == i]
            c = self.counts(rs)
            out.append("%s against A: %d points; faster %d, slower %d, tie %d, undecided %d%s%s"
                       % (letter(i), len(rs), c["faster"], c["slower"], c["tie"], c["undecided"],
                          ", in one run only %d" % c["missing"] if c["missing"] else "",
                          "; " + self.host(rs) if self.host(rs) else ""))
        return "\n".join(out)
