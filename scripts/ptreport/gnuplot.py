# SPDX-License-Identifier: MIT
"""Drawing with gnuplot, with no value from a results file ever read as code.

Figures go to gnuplot through data files written here (numbers formatted by
Python, so locale-proof); text from results files (workload names,
parameter values) reaches a script only inside single-quoted strings with
quotes doubled and control characters removed: gnuplot performs neither
backquote command substitution nor macro expansion inside single quotes
(gnuplot 5.4 documentation, "Substitution"), and a newline, which would end
the command, cannot occur. gnuplot runs with LC_ALL=C, no shell, stdin
closed, a timeout, in a private directory; its warnings go to a log.
"""

import os
import subprocess
import time

STYLE = """set terminal svg size {w},{h} dynamic noenhanced font 'Helvetica,12' background '#ffffff'
set border 3 lw 1 lc rgb '#555555'
set tics nomirror out
set grid ytics xtics lt 1 lw 0.5 lc rgb '#e3e3e3'
set key outside right top vertical Left reverse samplen 2.5 spacing 1.15 noopaque
set datafile missing 'NaN'
set pointsize 0.9
set bars small
set offsets graph 0.03, graph 0.03, graph 0.05, graph 0.02
set format y '%.3g'
set autoscale xfix
"""

TIMEOUT = 60


def gq(s, limit=160):
    """@s as a gnuplot single-quoted string literal: inert text."""
    s = "".join(c if c >= " " and c != "\x7f" else " " for c in str(s))[:limit]
    return "'" + s.replace("'", "''") + "'"


def gnum(v):
    return "NaN" if v is None else "%.9g" % v


def ratio_axis(values):
    """Log y axis settings for ratios: a range around @values and 1, with
    ticks labelled as ratios (0.5×, 1×, 2×) even within one decade."""
    ys = [v for v in values if v and v > 0]
    lo, hi = min(ys + [0.8]) / 1.15, max(ys + [1.25]) * 1.15
    ticks = [t for t in (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.67, 0.8,
                         0.9, 1, 1.1, 1.25, 1.5, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000)
             if lo <= t <= hi]
    return ["set logscale y", "set yrange [%g:%g]" % (lo, hi),
            "set ytics (%s)" % ", ".join("'%g×' %g" % (t, t) for t in ticks),
            "set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb '#999999'"]


class Series:
    def __init__(self, title, color, dt=1, with_="yerrorlines pt 7 lw 1.6", rank=0):
        self.title, self.color, self.dt, self.with_, self.rank = title, color, dt, with_, rank
        self.pts = []

    def add(self, x, y, lo=None, hi=None):
        if y is not None:
            self.pts.append((x, y, y if lo is None else lo, y if hi is None else hi))


class Gnuplot:
    def __init__(self, work):
        self.work = work
        self.log = []
        self.count = 0
        self.queued = []

    def draw(self, name, title, xlabel, ylabel, series, setup=(), size=(780, 430)):
        """Draws @series into work/<name>.svg; returns its path, or None."""
        series = [s for s in series if s.pts]
        if not series:
            return None
        lines = [STYLE.format(w=int(size[0]), h=int(size[1])),
                 "set output '%s.svg'" % name,
                 "set title " + gq(title),
                 "set xlabel " + gq(xlabel),
                 "set ylabel " + gq(ylabel)]
        lines += list(setup)
        clauses = []
        for i, s in enumerate(sorted(series, key=lambda s: s.rank)):
            self.count += 1
            data = "d%d.dat" % self.count
            with open(os.path.join(self.work, data), "w", encoding="ascii") as f:
                for x, y, lo, hi in sorted(s.pts, key=lambda t: t[0]):
                    f.write("%s %s %s %s\n" % (gnum(x), gnum(y), gnum(lo), gnum(hi)))
            using = "1:2:3:4" if s.with_.startswith("yerror") else "1:2"
            clauses.append("'%s' using %s with %s lc rgb '%s' dt %d title %s"
                           % (data, using, s.with_, s.color, s.dt, gq(s.title)))
        lines.append("plot " + ", \\\n     ".join(clauses))
        script = os.path.join(self.work, name + ".gp")
        with open(script, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        self.queued.append(name)
        return os.path.join(self.work, name + ".svg")

    def run_all(self, jobs=4):
        """Runs the queued scripts, @jobs at a time; returns the set of
        names whose SVG came out whole."""
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "HOME": self.work,
               "GNUTERM": "svg"}
        done, todo, running = set(), list(self.queued), []
        self.queued = []
        while todo or running:
            while todo and len(running) < jobs:
                name = todo.pop(0)
                try:
                    with open(os.path.join(self.work, name + ".err"), "wb") as err:
                        p = subprocess.Popen(["gnuplot", name + ".gp"], cwd=self.work, env=env,
                                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                             stderr=err)
                except OSError as e:
                    self.log.append("%s: cannot run gnuplot: %s" % (name, e.strerror))
                    continue
                running.append((name, p, time.monotonic()))
            name, p, t0 = running.pop(0)
            try:
                failed = p.wait(timeout=max(0.1, TIMEOUT - (time.monotonic() - t0))) != 0
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                failed = True
                self.log.append("%s: gnuplot timed out after %d s" % (name, TIMEOUT))
            with open(os.path.join(self.work, name + ".err"), "rb") as f:
                err = f.read().decode("utf-8", "replace").strip()
            if err:
                self.log.append("%s:\n%s" % (name, err))
            try:
                with open(os.path.join(self.work, name + ".svg"), "rb") as f:
                    body = f.read()
            except OSError:
                body = b""
            if failed or b"</svg>" not in body:
                self.log.append("%s: not drawn" % name)
            else:
                done.add(name)
        return done
