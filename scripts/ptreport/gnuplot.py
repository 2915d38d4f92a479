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
        return self.run(name)

    def run(self, name):
        svg = os.path.join(self.work, name + ".svg")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "HOME": self.work,
               "GNUTERM": "svg"}
        try:
            res = subprocess.run(["gnuplot", name + ".gp"], cwd=self.work, env=env,
                                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, timeout=TIMEOUT)
            err = res.stderr.decode("utf-8", "replace").strip()
            failed = res.returncode != 0
        except subprocess.TimeoutExpired:
            err, failed = "gnuplot timed out after %d s" % TIMEOUT, True
        except OSError as e:
            err, failed = "cannot run gnuplot: %s" % e.strerror, True
        if err:
            self.log.append("%s:\n%s" % (name, err))
        try:
            with open(svg, "rb") as f:
                body = f.read()
        except OSError:
            body = b""
        if failed or b"</svg>" not in body:
            self.log.append("%s: not drawn" % name)
            return None
        return svg
