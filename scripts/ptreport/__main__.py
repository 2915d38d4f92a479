# SPDX-License-Identifier: MIT
"""ptreport: the report layer of ptbench (Python 3, standard library only).

  python3 scripts/ptreport report [DIR]
  python3 scripts/ptreport compare [-o OUT] [--ptbench BIN] A B [C ...]
  python3 scripts/ptreport newdir BASE

Exit status: 0 done, 1 an output could not be written, 2 bad usage or a
malformed results file (the message names it).
"""

import os
import shutil
import subprocess
import sys
import time

if __package__ in (None, ""):
    # Run as `python3 scripts/ptreport`: make the package importable.
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "ptreport"

from ptreport import safeio  # noqa: E402
from ptreport.compare import Compare  # noqa: E402
from ptreport.gnuplot import Gnuplot  # noqa: E402
from ptreport.plots import Plots  # noqa: E402
from ptreport.points import Run  # noqa: E402
from ptreport.report import Fidelity, Report  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

USAGE = """usage: ptreport report [DIR]             (make report [RESULTS=DIR]; ptbench report [DIR])
       ptreport compare [-o OUT] [--ptbench BIN] A B [C ...]   (make compare A= B= [C= D=] [OUT=])

report: reads DIR/summary.csv, meta.json and fidelity.csv (default: results/latest
  of the current directory, else of the ptbench checkout) and writes into DIR
  report.html, report.md, the plot-*.svg it draws (older plot-*.svg removed),
  topology.svg (only on the machine that ran the benchmark) and report.log
  (gnuplot's warnings, when it has any).
compare: with --ptbench, first runs `BIN compare -o OUT A B ...` (which writes
  OUT/compare.csv); then writes OUT/compare.html and plot-compare.svg. OUT
  defaults to a new results/compare-<YYYYmmdd-HHMMSS>[-N]/ of the checkout.
Every path printed is absolute. Needs gnuplot (make deps).
"""


def usage_error(msg):
    sys.stderr.write("%s: %s\n%s" % (safeio.PROG, msg, USAGE))
    sys.exit(2)


def new_dir(base, stem):
    """A new directory base/stem[-N], created exclusively (mkdir fails on
    any existing name), so concurrent callers never share one."""
    os.makedirs(base, exist_ok=True)
    for k in range(1, 10000):
        path = os.path.join(base, stem if k == 1 else "%s-%d" % (stem, k))
        try:
            os.mkdir(path, 0o755)
            return os.path.realpath(path)
        except FileExistsError:
            continue
    raise OSError("no free name for %s in %s" % (stem, base))


def need_gnuplot():
    if not shutil.which("gnuplot"):
        raise safeio.BadInput("gnuplot not found; 'make deps' installs it")


def results_dir(arg):
    if arg is None:
        local = os.path.join(os.getcwd(), "results", "latest")
        arg = local if os.path.lexists(local) else os.path.join(ROOT, "results", "latest")
    if not os.path.isdir(arg):
        raise safeio.BadInput("'%s' is not a results directory (run ptbench first, or give "
                              "RESULTS=DIR)" % arg)
    d = os.path.realpath(arg)
    if not os.path.lexists(os.path.join(d, "summary.csv")):
        raise safeio.BadInput("no summary.csv in '%s' (run ptbench first, or give RESULTS=DIR)"
                              % d)
    return d


def topology(run, work, directory):
    """topology.svg from lstopo, drawn only on the machine that ran the
    benchmark (lstopo shows the machine it runs on)."""
    if run.mtext("machine", "hostname") != os.uname().nodename or \
            safeio.jget(run.meta, "machine", "synthetic") is True or not shutil.which("lstopo"):
        return False
    path = os.path.join(work, "topology.svg")
    try:
        subprocess.run(["lstopo", "--of", "svg", "--no-io", path], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30,
                       env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"})
    except (OSError, subprocess.TimeoutExpired):
        return False
    if not os.path.isfile(path) or os.path.getsize(path) == 0:
        return False
    safeio.copy_into(path, directory, "topology.svg")
    return True


def cmd_report(args):
    if len(args) > 1 or (args and args[0].startswith("-")):
        if args and args[0] in ("-h", "--help"):
            sys.stdout.write(USAGE)
            return 0
        usage_error("report takes at most one directory")
    need_gnuplot()
    d = results_dir(args[0] if args else None)
    run = Run(d)
    fid = Fidelity(d)
    with safeio.work_dir("ptreport.") as work:
        gp = Gnuplot(work)
        drawn = Plots(run, gp).all()
        for p in drawn:
            safeio.copy_into(p.path, d, p.name + ".svg")
        safeio.remove_stale(d, {p.name + ".svg" for p in drawn}, "plot-", ".svg")
        topo = topology(run, work, d)
        rep = Report(run, drawn, fid, len(gp.log))
        html = rep.html()
        if topo:
            html = html.replace('<h2 id="points">', '<figure id="topology"><img src="topology.svg" '
                                'alt="machine topology (lstopo)"><figcaption>The machine as hwloc '
                                'sees it (lstopo).</figcaption></figure>\n<h2 id="points">', 1)
        if gp.log:
            safeio.write_file(d, "report.log", "\n\n".join(gp.log) + "\n")
        else:
            safeio.remove_stale(d, set(), "report.log", "")
        safeio.write_file(d, "report.html", html)
        safeio.write_file(d, "report.md", rep.markdown())
    n = len(drawn)
    print("report: %s (%d plot%s%s), %s" % (os.path.join(d, "report.html"), n,
                                           "" if n == 1 else "s", " and the topology" if topo else "",
                                           os.path.join(d, "report.md")))
    if gp.log:
        print("report: gnuplot had warnings; see %s" % os.path.join(d, "report.log"))
    return 0


def cmd_compare(args):
    out, ptbench, dirs = None, None, []
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-h", "--help"):
            sys.stdout.write(USAGE)
            return 0
        if a in ("-o", "--ptbench"):
            if i + 1 >= len(args):
                usage_error("%s needs a value" % a)
            if a == "-o":
                out = args[i + 1]
            else:
                ptbench = args[i + 1]
            i += 2
            continue
        if a == "--":
            dirs += args[i + 1:]
            break
        if a.startswith("-"):
            usage_error("unknown option '%s'" % a)
        dirs.append(a)
        i += 1
    dirs = [x for x in dirs if x != ""]
    if not 2 <= len(dirs) <= 10:
        usage_error("give 2 to 10 results directories")
    for x in dirs:
        if not os.path.isdir(x):
            raise safeio.BadInput("'%s' is not a results directory" % x)
    dirs = [os.path.realpath(x) for x in dirs]
    need_gnuplot()
    made = not out or not os.path.isdir(out)
    if out:
        os.makedirs(out, exist_ok=True)
        out = os.path.realpath(out)
    else:
        out = new_dir(os.path.join(ROOT, "results"), "compare-" + time.strftime("%Y%m%d-%H%M%S"))
    if ptbench:
        try:
            res = subprocess.run([ptbench, "compare", "-o", out] + dirs, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, timeout=3600)
            failed = res.returncode
        except OSError as e:
            sys.stderr.write("compare: cannot run '%s': %s\n" % (ptbench, e.strerror))
            failed = 2
        if failed:
            if made:
                try:
                    os.rmdir(out)       # ours, and empty: leave nothing behind
                except OSError:
                    pass
            sys.stderr.write("compare: '%s compare' failed (exit %d)\n" % (ptbench, failed))
            return 2 if failed == 2 else 1
    cmp = Compare(out, dirs)
    with safeio.work_dir("ptcompare.") as work:
        gp = Gnuplot(work)
        svg = cmp.plot(gp)
        if svg:
            safeio.copy_into(svg, out, "plot-compare.svg")
        else:
            safeio.remove_stale(out, set(), "plot-compare.svg", "")
        if gp.log:
            safeio.write_file(out, "compare.log", "\n\n".join(gp.log) + "\n")
        safeio.write_file(out, "compare.html", cmp.html(bool(svg), cmp.band()))
    print(cmp.text())
    print("compare: %s" % os.path.join(out, "compare.html"))
    return 0


def main(argv):
    safeio.install_cleanup()
    if not argv or argv[0] in ("-h", "--help"):
        sys.stdout.write(USAGE)
        return 0 if argv else 2
    cmd, args = argv[0], argv[1:]
    safeio.PROG = cmd if cmd in ("report", "compare") else "ptreport"
    try:
        if cmd == "report":
            return cmd_report(args)
        if cmd == "compare":
            return cmd_compare(args)
        if cmd == "newdir" and len(args) == 2:
            print(new_dir(args[0], args[1]))
            return 0
        usage_error("unknown command '%s'" % cmd)
    except safeio.BadInput as e:
        safeio.remove_tracked()
        safeio.die(str(e), 2)
    except OSError as e:
        safeio.remove_tracked()
        safeio.die("%s%s" % (e.strerror or e, ": '%s'" % e.filename if e.filename else ""), 1)
    except Exception as e:  # a bug, not bad input: say so in one line
        safeio.remove_tracked()
        if os.environ.get("PTREPORT_DEBUG"):
            raise
        safeio.die("internal error (%s: %s); PTREPORT_DEBUG=1 shows where"
                   % (type(e).__name__, e), 1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
