# SPDX-License-Identifier: MIT
"""report.html and report.md of one results directory.

Every value read from the results goes through esc() (HTML) or md()
(Markdown); plots are referenced as <img> files that this render drew, so
neither stale plots of a replaced run nor markup inside an SVG reach the
page; no resource is loaded from the network.
"""

import os

from . import safeio
from .fmt import (esc, fmt_rate, fmt_range, fmt_s, fmt_us, fmt_x, md, model_color, model_label,
                  model_rank, model_short, plural, sortkey)
from .points import KIND_TITLES, by_group, gil_default, sort_points, usable
from .verdict import MIN_OPS, band_text, crossover, kind_sentences, rows_for

CSS = """
:root{--fg:#1d2329;--mute:#5d6873;--line:#d9dee3;--soft:#f4f6f8;--good:#17693a;--warn:#9a5b00;--bad:#a4161a}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--fg);background:#fff}
main{max-width:1100px;margin:0 auto;padding:24px 20px 60px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:34px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}h3{font-size:16px;margin:22px 0 6px}
.sub{color:var(--mute);margin:0 0 14px}
.lead p{margin:6px 0;padding:9px 13px;background:var(--soft);border-left:4px solid #2ca02c;border-radius:3px}
.note{padding:8px 12px;background:#fff6e5;border-left:4px solid var(--warn);border-radius:3px}
.box{overflow-x:auto;max-width:100%;margin:10px 0;border:1px solid var(--line);border-radius:4px}
.box.tall{max-height:28em;overflow-y:auto}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:var(--soft);font-weight:600;white-space:nowrap;position:sticky;top:0}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.win{font-weight:600}
.ci{display:block;color:var(--mute);font-size:12px}
.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
.tag{display:inline-block;font-size:11px;padding:0 6px;border-radius:8px;margin-left:4px;white-space:nowrap}
.noisy{background:#fff1d6;color:var(--warn)}.tie{background:#e8ecf0;color:var(--mute)}.faster{background:#dff3e6;color:var(--good)}.bad{background:#fde2e2;color:var(--bad)}.flag{background:#efe3f7;color:#6a2c91}
.cfg{color:var(--mute);font-size:13px}.fn{color:var(--mute);font-size:13px}
td.map{text-align:center;white-space:nowrap;min-width:7em}
nav.toc{columns:2;font-size:14px}nav.toc a{color:#1f5f99}
figure{margin:16px 0 26px;padding:12px;border:1px solid var(--line);border-radius:6px}
figure img{display:block;width:100%;height:auto;max-width:980px;margin:0 auto}
figcaption{color:var(--mute);font-size:13px;margin-top:8px}
ul.warn li{color:var(--warn)}
dl.meta{display:grid;grid-template-columns:minmax(7em,12em) 1fr;gap:2px 14px;font-size:14px}dl.meta dt{color:var(--mute)}dl.meta dd{margin:0;overflow-wrap:anywhere}
details summary{cursor:pointer;font-weight:600;margin:8px 0}
code{font-size:13px;overflow-wrap:anywhere}
@media (max-width:700px){nav.toc{columns:1}main{padding:16px 10px 40px}}
"""

SECTIONS = [("cpu", "CPU-bound work"), ("gil", "Against threads under the GIL"),
            ("convoy", "The convoy effect"), ("io", "I/O overlap"), ("spawn", "Creation cost"),
            ("sync", "Coordination latency"), ("placement", "Placement")]

STATS_SHORT = ("Ratios, intervals and decisions come from ptbench (lib/stats), one rule "
               "everywhere: a 95% interval of the ratio against an equivalence band.")
STATS_LONG = (
    "Each point is judged against a reference model in the same workload, parameters, worker "
    "count, placement and CPU neighbours: processes, free threads, free-threaded CPython and the "
    "Python 2 GIL against threads under the GIL; threads under the GIL against serial. The ratio "
    "is the point's speed over the reference's (above 1: faster), with a 95% confidence "
    "interval. <i>faster</i> or <i>slower</i> only when the whole interval lies outside the "
    "equivalence band, <i>tie</i> when it lies inside, <i>undecided</i> otherwise; only faster "
    "and slower name a winner. Medians, their 95% intervals and the coefficients of variation "
    "are in summary.csv; <i>noisy</i> marks a coefficient of variation above 5%. Run more "
    "repetitions (-r) or a longer budget to turn undecided rows into decisions.")


def swatch(m):
    return '<span class="sw" style="background:%s"></span>' % model_color(m)


def mname(m, variant=""):
    """A model in Python's terms with its identifier, for HTML."""
    s = "%s%s" % (swatch(m), esc(model_short(m)))
    if model_short(m) != m:
        s += ' <span class="cfg">(%s%s)</span>' % (esc(m), (", " + esc(variant)) if variant else "")
    elif variant:
        s += ' <span class="cfg">(%s)</span>' % esc(variant)
    return s


def tag(cls, text, title=""):
    return '<span class="tag %s"%s>%s</span>' % (cls, ' title="%s"' % esc(title) if title else "",
                                                 esc(text))


def table(head, rows, cls="", tall=False):
    out = ['<div class="box%s"><table%s><thead><tr>' % (" tall" if tall else "",
                                                         ' class="%s"' % cls if cls else "")]
    out += ["<th>%s</th>" % h for h in head]
    out.append("</tr></thead><tbody>")
    for r in rows:
        out.append("<tr>" + "".join(r) + "</tr>")
    out.append("</tbody></table></div>")
    return "\n".join(out)


def td(x, cls=""):
    return '<td%s>%s</td>' % (' class="%s"' % cls if cls else "", x)


def value(p):
    """The point's natural figure with its unit, or a dash."""
    if p.n_ok < 1:
        return "-"
    if p.quantity == "wall_s":
        return fmt_s(p.q)
    if p.quantity == "ops_per_s":
        return fmt_rate(p.q)
    if p.ops is not None:
        return fmt_rate(p.ops)
    if p.lat50 is not None:
        return fmt_us(p.lat50)
    return "-"


def wl_cell(p):
    c = p.config_label()
    return esc(p.workload) + (' <span class="cfg">%s</span>' % esc(c) if c else "")


class Fidelity:
    """fidelity.csv (contract 5), rendered generically from its header."""

    def __init__(self, directory):
        self.header, self.rows, self.note = [], [], ""
        path = os.path.join(directory, "fidelity.csv")
        if not os.path.lexists(path):
            return
        self.header, self.rows = safeio.read_csv(path)
        self.header = [h for h in self.header if h]

    def flagged(self, r):
        return r.get("flagged", "").strip() == "1"

    def state(self, r):
        """agree, undecided or disagree (scripts/fidelity.py); a row of an
        older fidelity.csv, without a state, agrees unless flagged."""
        st = r.get("state", "").strip()
        return st if st else ("disagree" if self.flagged(r) else "agree")

    def counts(self):
        return sum(1 for r in self.rows if self.state(r) == "agree"), len(self.rows)

    def others(self):
        """', U undecided, D disagree' when the rows carry a state, else ''."""
        if not any(r.get("state", "").strip() for r in self.rows):
            return ""
        n = {s: sum(1 for r in self.rows if self.state(r) == s) for s in ("undecided",
                                                                         "disagree")}
        return ", %d undecided, %d disagree" % (n["undecided"], n["disagree"])

    def flagged_workloads(self):
        return {r.get("workload", "") for r in self.rows if self.flagged(r)}


class Report:
    def __init__(self, run, drawn, fidelity, gnuplot_warnings):
        self.run, self.drawn, self.fid = run, drawn, fidelity
        self.gnuplot_warnings = gnuplot_warnings
        self.band = band_text(run.points)
        self.procs = rows_for(run, "procs") if run.has_decisions else []
        self.ft = rows_for(run, "ft") if run.has_decisions else []
        self.threads = rows_for(run, "threads") if run.has_decisions else []
        self.maps = crossover(run) if run.has_decisions else {}
        self.flagged = fidelity.flagged_workloads()
        self.left_out = [r for r in self.procs + self.ft + self.threads if r.why_out]

    # ------------------------------------------------------------ HTML
    def html(self):
        run = self.run
        o = []
        host, date = run.mtext("machine", "hostname"), run.mtext("run", "date")
        o.append('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">')
        o.append('<meta name="viewport" content="width=device-width, initial-scale=1">')
        o.append("<title>ptbench report%s%s</title>" % (" - " + esc(host) if host else "",
                                                        " - " + esc(date) if date else ""))
        o.append("<style>%s</style></head><body><main>" % CSS)
        o.append("<h1>ptbench report</h1>")
        sub = [x for x in (host, run.mtext("machine", "cpu_model"),
                           (run.mtext("machine", "pus") + " processing units")
                           if run.mtext("machine", "pus") else "", date) if x]
        o.append('<p class="sub">%s</p>' % " · ".join(esc(x) for x in sub))
        o += self.notes_html()
        o += self.verdict_html()
        o += self.matrix_html()
        o += self.problems_html()
        o += self.plots_html()
        o += self.fidelity_html()
        o += self.machine_html()
        o += self.points_html()
        o.append('<p class="fn">Written by scripts/ptreport from summary.csv, meta.json and '
                 'fidelity.csv; the repetitions are in results.csv.</p>')
        o.append("</main></body></html>\n")
        return "\n".join(o)

    def notes_html(self):
        o = []
        if self.fid.rows:
            agree, total = self.fid.counts()
            o.append('<p class="lead-fid">Against this machine\'s CPython: <a href="#fidelity">'
                     '%d of %d comparisons agree</a>%s (fidelity within [0.67, 1.5]).</p>'
                     % (agree, total, esc(self.fid.others())))
        if self.run.partial:
            o.append('<p class="note">This run was cut short (partial): points that never ran '
                     'are marked <i>not run</i>, and the verdict covers what was measured.</p>')
        if not self.run.has_decisions:
            o.append('<p class="note">This run\'s summary.csv predates the decision columns '
                     '(quantity, ratio, decision): the report shows its medians and plots but '
                     'draws no verdict. Run it again with a current ptbench for one.</p>')
        if self.run.meta_note:
            o.append('<p class="note">%s</p>' % esc(self.run.meta_note))
        if self.fid.note:
            o.append('<p class="note">%s</p>' % esc(self.fid.note))
        return o

    def _flag(self, p):
        if p.workload in self.flagged:
            return " " + ('<a href="#fidelity">%s</a>' %
                          tag("flag", "CPython disagrees", "a fidelity row of this workload is "
                              "flagged: the simulation and CPython differ here"))
        return ""

    def _decision_cells(self, r):
        if r.why_out:
            return [td("-", "n"), td(tag("tie", "left out") + " see note")]
        m, lo, hi = r.margin
        cls = "faster" if r.winner else "tie" if r.decision == "tie" else "bad"
        ratio = fmt_x(r.ratio) + ('<span class="ci">%s</span>' % esc(fmt_range(r.lo, r.hi))
                                  if r.lo is not None else "")
        words = esc(r.outcome(self.band))
        if r.winner:
            words = "<b>%s</b>" % words
        return [td(ratio, "n"), td(tag(cls, r.decision) + " " + words + self._flag(r.p))]

    def verdict_html(self):
        o = ['<h2 id="verdict">Verdict</h2>']
        if not self.run.has_decisions:
            o.append("<p>No verdict: the run has no decision columns.</p>")
            return o
        o.append('<h3 id="cpython">For standard CPython: processes against threads under the '
                 'GIL</h3>')
        if not self.procs:
            o.append("<p>The run has no point where processes (procs) were judged against threads "
                     "under the GIL (gil).</p>")
        else:
            o.append('<div class="lead">')
            for title, wls, total, words in kind_sentences(self.procs, "procs", "gil"):
                o.append("<p><b>%s</b> (%s): %s.</p>" % (esc(title), esc(wls),
                                                        esc(words or "no comparison kept")))
            o.append("</div>")
            o.append(table(["Kind", "Workload", "Workers", "processes / GIL", "Decision"],
                           [[td(esc(KIND_TITLES[r.p.kind])), td(wl_cell(r.p) + (
                               ' <span class="cfg">%s</span>' % esc(r.p.variant)
                               if r.p.variant else "")),
                             td(str(r.p.workers), "n")] + self._decision_cells(r)
                            for r in self.procs]))
        o.append('<h3 id="gil-free">GIL against free threading</h3>')
        o.append("<p>Free-threaded CPython (ft) against threads under the GIL is the realistic "
                 "comparison; free threads in C (threads) are the ideal bound it approaches.</p>")
        if self.ft:
            o.append('<div class="lead">')
            for title, wls, total, words in kind_sentences(self.ft, "ft", "gil"):
                o.append("<p><b>%s</b> (%s): %s.</p>" % (esc(title), esc(wls), esc(words)))
            o.append("</div>")
        else:
            o.append("<p>The run has no free-threaded CPython (ft) points; the ideal bound "
                     "follows.</p>")
        rows = []
        ideal = {(r.p.group, r.p.workers): r for r in self.threads}
        for r in self.ft or self.threads:
            t = ideal.get((r.p.group, r.p.workers)) if self.ft else r
            cells = [td(wl_cell(r.p) + (' <span class="cfg">%s</span>' % esc(r.p.variant)
                                        if r.p.variant else "")), td(str(r.p.workers), "n")]
            if self.ft:
                cells += self._decision_cells(r)
            cells += self._decision_cells(t) if t else [td("-", "n"), td("-")]
            rows.append(cells)
        if rows:
            head = ["Workload", "Workers"] + (["ft / GIL", "Realistic: free-threaded CPython"]
                                              if self.ft else []) + \
                ["threads / GIL", "Ideal bound: free threads (C)"]
            o.append(table(head, rows))
        for d in self.drawn:
            if d.name.startswith("plot-ft-shared"):
                o.append(self.figure(d))
        o += self.crossover_html()
        if self.left_out:
            o.append('<p class="fn" id="left-out">Left out of the verdict (a rate needs at least '
                     '%d operations per repetition to mean anything):</p><ul class="fn">' % MIN_OPS)
            o += ["<li>%s: %s</li>" % (esc(r.p.name()), esc(r.why_out)) for r in self.left_out]
            o.append("</ul>")
        o.append('<p class="fn">%s Equivalence band %s.</p><details class="fn"><summary>How the '
                 'verdict is decided</summary><p>%s</p></details>'
                 % (esc(STATS_SHORT), esc(self.band), STATS_LONG))
        return o

    def crossover_html(self):
        o = []
        for rest, cells in sorted(self.maps.items()):
            works = sorted({w for w, _ in cells}, key=sortkey)
            pays = sorted({p for _, p in cells}, key=sortkey)
            o.append('<h3 id="crossover">Crossover map: pool%s</h3>' %
                     (" <span class=\"cfg\">%s</span>" % esc(rest) if rest else ""))
            o.append('<p class="fn">Each cell: the winner between threads under the GIL (gil) and '
                     'processes (procs) at the largest worker count, with its margin, from '
                     'summary.csv\'s decisions; below it, free threads in C against the GIL (the '
                     'ideal bound). Rows: work per task (ticks); columns: payload (bytes).</p>')
            rows = []
            for w in works:
                row = [td("<b>work=%s</b>" % esc(w))]
                for pay in pays:
                    c = cells.get((w, pay), {})
                    row.append(self._map_cell(c))
                rows.append(row)
            o.append(table(["work \\ payload"] + ["payload=%s" % esc(p) for p in pays], rows,
                           "map"))
        return o

    def _map_cell(self, c):
        r = c.get("procs")
        if not r:
            return td("-", "map")
        if r.why_out:
            main, colour = "left out", "#f4f6f8"
        elif r.winner and r.margin[0] is not None:
            m, _lo, _hi = r.margin
            # Colour strength grows with the margin (log scale, 4x = full).
            import math
            a = min(1.0, math.log(max(m, 1.0)) / math.log(4)) * 0.55 + 0.12
            rgb = (44, 160, 44) if r.winner == "procs" else (214, 39, 40)
            colour = "rgba(%d,%d,%d,%.2f)" % (rgb + (a,))
            main = "%s %s" % (r.winner, fmt_x(m))
        else:
            main, colour = r.winner or r.decision, "#e8ecf0"
        t = c.get("threads")
        sub = ""
        if t and not t.why_out:
            sub = '<span class="ci">threads %s %s</span>' % (esc(fmt_x(t.ratio)), esc(t.decision))
        return '<td class="map" style="background:%s"><b>%s</b>%s</td>' % (colour, esc(main), sub)

    def matrix_html(self):
        run = self.run
        defaults = gil_default(run.points)
        groups = by_group([p for p in run.points if usable(p, defaults)])
        models = sorted({(p.model, p.variant) for p in run.points},
                        key=lambda mv: (model_rank(mv[0]), mv[1]))
        rows = []
        for g, pts in groups.items():
            ran = [p for p in pts if p.model != "serial" and p.n_ok > 0]
            top = max((p.workers for p in ran), default=max(p.workers for p in pts))
            at = {(p.model, p.variant): p for p in pts if p.workers == top}
            row = [td(wl_cell(pts[0])), td(str(top), "n")]
            for mv in models:
                p = at.get(mv)
                if not p:
                    row.append(td("-", "n"))
                elif p.n_ok < 1:
                    row.append(td(tag("tie" if p.status in ("skipped", "not run") else "bad",
                                      p.status or "no data") + "<br>-", "n"))
                else:
                    extra = ""
                    if p.decision and p.ref_model:
                        extra = '<span class="ci">%svs %s: %s</span>' % (
                            esc(fmt_x(p.ratio)) + " " if p.ratio is not None else "",
                            esc(p.ref_model), esc(p.decision))
                    if p.noisy:
                        extra += tag("noisy", "noisy", "coefficient of variation above 5%")
                    row.append(td(esc(value(p)) + extra, "n"))
            rows.append(row)
        head = ["Workload", "Workers"] + [mname(m, v) for m, v in models]
        return ['<h3 id="matrix">Every model at the largest worker count</h3>',
                table(head, rows),
                '<p class="fn">The natural figure of each point (median throughput, or median time '
                'for a workload measured by its duration) with its ratio and decision against its '
                'reference model; a dash where a model did not run or measured nothing.</p>']

    def problems_html(self):
        items = []
        for w in safeio.jget(self.run.meta, "warnings") or []:
            if isinstance(w, (str, int, float)):
                items.append(esc(w))
        skipped = 0
        for p in self.run.points:
            if p.status == "skipped":
                skipped += 1
            elif p.status not in ("ok", "") and p.status != "not run":
                items.append(esc("%s: %s (%d of %d repetitions ok)%s" % (
                    p.name(), p.status, p.n_ok, p.n, ": " + p.message if p.message else "")))
        notrun = sum(1 for p in self.run.points if p.status == "not run")
        if skipped:
            items.append("%s skipped (the model cannot run the workload; see all points)"
                         % plural(skipped, "point was", "points were"))
        if notrun:
            items.append("%s never ran (the run was cut short)" % plural(notrun, "point"))
        if self.gnuplot_warnings:
            items.append("gnuplot reported %s; see report.log" %
                         plural(self.gnuplot_warnings, "warning"))
        if not items:
            return []
        return ['<h2 id="problems">Warnings and failures</h2><ul class="warn">'] + \
            ["<li>%s</li>" % i for i in items] + ["</ul>"]

    def figure(self, d):
        return ('<figure id="%s"><img src="%s.svg" alt="%s"><figcaption>%s</figcaption></figure>'
                % (d.name, d.name, esc(d.title), esc(d.caption)))

    def plots_html(self):
        rest = [d for d in self.drawn if not d.name.startswith("plot-ft-shared")]
        if not rest:
            return ['<h2 id="plots">Plots</h2><p>The run has no data any plot needs.</p>']
        o = ['<h2 id="plots">Plots</h2><nav class="toc">']
        o += ['<a href="#%s">%s</a><br>' % (d.name, esc(d.title)) for d in rest]
        o.append("</nav>")
        for sec, heading in SECTIONS:
            ds = [d for d in rest if d.section == sec]
            if ds:
                o.append('<h3 id="sec-%s">%s</h3>' % (sec, heading))
                o += [self.figure(d) for d in ds]
        return o

    def fidelity_html(self):
        o = ['<h2 id="fidelity">Simulation against CPython</h2>']
        if not self.fid.rows:
            o.append("<p>CPython calibration not run (make calibrate): no fidelity.csv.</p>")
            return o
        agree, total = self.fid.counts()
        o.append("<p>%d of %d comparisons agree%s: the ratio ptbench measures and the ratio the "
                 "machine's CPython measures differ by less than a factor 1.5. Flagged rows "
                 "explain the difference.</p>" % (agree, total, esc(self.fid.others())))
        rows = []
        for r in self.fid.rows:
            cls = "bad" if self.fid.flagged(r) else \
                "noisy" if self.fid.state(r) == "undecided" else ""
            rows.append([td(esc(r.get(h, "")), cls) for h in self.fid.header])
        o.append(table([esc(h) for h in self.fid.header], rows, "fidelity", tall=True))
        return o

    def machine_html(self):
        run = self.run
        m = lambda *k: run.mtext(*k)
        topo = ", ".join(x for x in (
            m("machine", "packages") and m("machine", "packages") + " package(s)",
            m("machine", "numa_nodes") and m("machine", "numa_nodes") + " NUMA node(s)",
            m("machine", "cores") and m("machine", "cores") + " cores",
            m("machine", "pus") and m("machine", "pus") + " processing units") if x)
        cmd = safeio.jget(run.meta, "run", "command_line")
        cmd = " ".join(safeio.jtext(x) for x in cmd) if isinstance(cmd, list) else ""
        items = [("Directory", run.dir), ("Host", m("machine", "hostname")),
                 ("CPU", m("machine", "cpu_model")), ("Topology", topo),
                 ("Kernel", m("machine", "kernel")),
                 ("Governor", m("machine", "governor") or "unknown"),
                 ("Build", " ".join(x for x in (m("build", "version"), m("build", "compiler"),
                                                m("build", "cflags")) if x) +
                  (", revision " + m("build", "git_revision") if m("build", "git_revision") else "")),
                 ("Date", m("run", "date")), ("Command", cmd),
                 ("Repetitions", m("run", "repeat") and "%s measured, %s warmup"
                  % (m("run", "repeat"), m("run", "warmup") or "0")),
                 ("Canary", canary_text(run.meta))]
        o = ['<h2 id="machine">Machine and run</h2><dl class="meta">']
        o += ["<dt>%s</dt><dd>%s</dd>" % (k, ("<code>%s</code>" if k in ("Command", "Directory")
                                              else "%s") % esc(v)) for k, v in items if v]
        o.append("</dl>")
        return o

    def points_html(self):
        rows = []
        for p in sort_points(self.run.points):
            st = p.status if p.status == "ok" else tag("tie" if p.status in ("skipped", "not run")
                                                         else "bad", p.status or "?")
            dash = p.n_ok < 1
            if p.q_lo is not None:
                ci = "%s–%s" % (value_of(p, p.q_lo), value_of(p, p.q_hi))
            elif p.ops_lo is not None:
                ci = "%s–%s" % (fmt_rate(p.ops_lo), fmt_rate(p.ops_hi))
            else:
                ci = "-"
            cv = p.q_cv if p.q_cv is not None else p.ops_cv
            si = ' <span class="cfg">%g us</span>' % p.si if p.model == "gil" and p.si else ""
            cfg = p.cfg
            rows.append([td(esc(p.workload) + (' <span class="cfg">%s</span>' % esc(cfg) if cfg
                                                else "")), td(mname(p.model, p.variant) + si),
                         td(esc(p.workers), "n"), td(st), td("%s/%s" % (esc(p.n_ok), esc(p.n)), "n"),
                         td(esc(value(p)), "n"), td("-" if dash else esc(ci), "n"),
                         td("-" if dash or cv is None else "%.1f%%" % (100 * cv), "n"),
                         td("-" if dash else esc(fmt_us(p.lat50)), "n"),
                         td("-" if dash else esc(fmt_us(p.lat99)), "n"),
                         td(esc(p.message) + (tag("noisy", "noisy") if p.noisy else ""))])
        return ['<h2 id="points">Points</h2>',
                "<details><summary>All %d points</summary>" % len(self.run.points),
                table(["Workload", "Model", "Workers", "Status", "ok/reps", "Median", "95% CI",
                       "CV", "p50", "p99", "Message"], rows, tall=True), "</details>"]

    # ------------------------------------------------------------ Markdown
    def markdown(self):
        run = self.run
        m = run.mtext
        o = ["# ptbench report: %s" % md(m("machine", "hostname") or "unknown host"), ""]
        o.append(md(", ".join(x for x in (
            m("machine", "cpu_model"), m("machine", "pus") and m("machine", "pus") +
            " processing units", m("machine", "kernel"),
            "revision " + (m("build", "git_revision") or "unknown"), m("run", "date")) if x)) + ".")
        o.append("")
        if run.partial:
            o += ["**Partial run**: cut short; the verdict covers what was measured.", ""]
        if self.fid.rows:
            agree, total = self.fid.counts()
            o += ["Against this machine's CPython: %d of %d comparisons agree%s (fidelity.md)."
                  % (agree, total, self.fid.others()), ""]
        o += ["## Verdict", ""]
        if not run.has_decisions:
            o += ["No verdict: this run's summary.csv predates the decision columns.", ""]
        else:
            o += ["### For standard CPython: processes against threads under the GIL", ""]
            for title, wls, total, words in kind_sentences(self.procs, "procs", "gil"):
                o.append("- **%s** (%s): %s." % (md(title), md(wls), md(words)))
            o += ["", "| workload | workers | processes / GIL | decision |", "|---|---:|---:|---|"]
            o += [self._md_row(r) for r in self.procs]
            o += ["", "### GIL against free threading", ""]
            for r in self.ft:
                o.append("- %s: %s" % (md(r.p.name()), md(self._md_outcome(r))))
            if not self.ft:
                o.append("- No free-threaded CPython (ft) points in this run.")
            for r in self.threads:
                o.append("- ideal bound, %s: %s" % (md(r.p.name()), md(self._md_outcome(r))))
            if self.left_out:
                o += ["", "Left out (fewer than %d operations per repetition):" % MIN_OPS]
                o += ["- %s: %s" % (md(r.p.name()), md(r.why_out)) for r in self.left_out]
        if canary_text(run.meta):
            o += ["", "Canary: %s." % md(canary_text(run.meta))]
        o += ["", "Equivalence band %s; details and plots: report.html." % self.band, ""]
        return "\n".join(o) + "\n"

    def _md_outcome(self, r):
        flag = " (CPython disagrees: see fidelity)" if r.p.workload in self.flagged else ""
        return ("left out" if r.why_out else r.outcome(self.band)) + flag

    def _md_row(self, r):
        return "| %s | %d | %s %s | %s |" % (
            md(r.p.name(workers=False, model=False) + (" " + r.p.variant if r.p.variant else "")),
            r.p.workers, fmt_x(r.ratio), fmt_range(r.lo, r.hi), md(self._md_outcome(r)))


def canary_text(meta):
    """The host's drift over the run, from its canary (a serial countdown
    between rounds, meta.json schedule.canary), or ''."""
    walls = safeio.jget(meta, "schedule", "canary", "wall_s")
    drift = safeio.jget(meta, "schedule", "canary", "drift")
    if not isinstance(walls, list):
        return ""
    ws = [w for w in walls if isinstance(w, (int, float)) and not isinstance(w, bool)
          and 0 < w < float("inf")]
    if not ws:
        return ""
    s = "%d runs of a serial countdown between rounds, %s to %s" % (
        len(ws), fmt_s(min(ws)), fmt_s(max(ws)))
    if isinstance(drift, (int, float)) and not isinstance(drift, bool) and abs(drift) < 1e6:
        s += "; drift %+.1f%% in time from first to last (the host %s)" % (
            100 * drift, "slowed down" if drift > 0.05 else "sped up" if drift < -0.05
            else "held its speed within 5%")
    return s


def value_of(p, v):
    return fmt_s(v) if p.quantity == "wall_s" else fmt_rate(v)
