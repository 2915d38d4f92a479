#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fuzz of the scripts that read results directories, with crafted ones
(issue 13): mutated CSV cells and headers, mutated JSON, planted links, odd
paths, for `ptreport report`, `ptreport compare` and the calibration
(`scripts/calibrate.sh`, and `make calibrate RESULTS=...` for the Makefile's
quoting). Each case must end with exit status 0, 1 or 2, within its
timeout, without running a command planted in the data (a marker file),
without live markup in the HTML or Markdown, without a traceback, without
writing through a planted link, without leaving a temp file or a process
behind, and without runaway resources (threads, processes, memory).

  python3 tests/report/fuzz_report.py [CASES] [SEED] [--tools report,compare,calibrate]
"""

import csv
import io
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(ROOT, "tests", "fixtures")
PTREPORT = os.path.join(ROOT, "scripts", "ptreport")
TIMEOUT = 60


def payloads(mark):
    return ["", "nan", "inf", "-1", "1e400", "0x10", " 3", "-0", "1,5", "١٢", "3.14",
            "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "`touch %s`" % mark,
            "$(touch %s)" % mark, "'; system('touch %s'); '" % mark, "\"", "a,b", "a\nb", "\x00",
            "x" * 100000, "@mark", "\\", "'", "\r", "\u202e", "set output '/tmp/x'",
            "\"\nsystem 'touch %s'\n\"" % mark]


def rd(path, errors="strict"):
    with open(path, newline="", encoding="utf-8", errors=errors) as f:
        return list(csv.reader(f))


def wr(path, rows):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    with open(path, "w", encoding="utf-8", newline="", errors="surrogateescape") as f:
        f.write(buf.getvalue())


# Columns mutated by name (decisions and models for the report, counts,
# models and parameters for the calibration): column -> values.
REPORT_COLUMNS = {"decision": ["faster", "slower", "tie", "undecided", "win", ""],
                  "model": ["ft", "gil", "procs", "x<y", ""],
                  "ratio": ["0", "-1", "1e308", "abc", ""],
                  "shared": ["0.5", "", "x"], "workers": ["0", "-2", "99999"]}


def mutate_csv(path, rng, mark, columns=None, rate=0.15):
    try:
        rows = rd(path)
    except (UnicodeDecodeError, csv.Error):
        rows = []
    kind = rng.randrange(6) if rows and rows[0] else 3
    if kind == 0 and len(rows) > 1:                   # cells
        for _ in range(rng.randint(1, 5)):
            r = rng.randrange(1, len(rows))
            c = rng.randrange(len(rows[r]))
            rows[r][c] = rng.choice(payloads(mark))
    elif kind == 1:                                   # header
        c = rng.randrange(len(rows[0]))
        rows[0][c] = rng.choice(["", "workload", "ratio", rows[0][c] + "x", "<b>h</b>"])
    elif kind == 2:                                   # ragged rows
        for r in rng.sample(range(len(rows)), min(3, len(rows))):
            rows[r] = rows[r][:rng.randrange(len(rows[r]) + 1)] + ["extra"] * rng.randrange(3)
    elif kind == 3:                                   # raw bytes
        with open(path, "rb") as f:
            data = bytearray(f.read())
        for _ in range(rng.randint(1, 20)):
            if data:
                data[rng.randrange(len(data))] = rng.randrange(256)
        with open(path, "wb") as f:
            f.write(bytes(data))
        return "csv-bytes"
    elif kind == 4:                                   # truncated
        with open(path, "rb") as f:
            data = f.read()
        with open(path, "wb") as f:
            f.write(data[:rng.randrange(len(data) + 1)])
        return "csv-truncated"
    else:                                             # named columns
        h = rows[0]
        for r in rows[1:]:
            for name, vals in (columns or REPORT_COLUMNS).items():
                if name in h and h.index(name) < len(r) and rng.random() < rate:
                    r[h.index(name)] = rng.choice(vals)
    wr(path, rows)
    return "csv-%d" % kind


def mutate_json(path, rng, mark):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    kind = rng.randrange(5)
    try:
        if not isinstance(json.loads(text), dict):
            kind = 0
    except (ValueError, RecursionError):
        kind = 0                      # already broken: break it further
    if not text:
        text = "{}"
    if kind == 0:
        text = text[:rng.randrange(len(text))]
    elif kind == 1:
        b = bytearray(text.encode())
        for _ in range(rng.randint(1, 10)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        with open(path, "wb") as f:
            f.write(bytes(b))
        return "json-bytes"
    elif kind == 2:
        doc = json.loads(text)
        doc.setdefault("machine", {})["pus"] = rng.choice(payloads(mark) + [[2], {"a": 1}, None])
        doc["machine"]["hostname"] = rng.choice(payloads(mark))
        doc.setdefault("run", {})["parameters"] = rng.choice(
            [{"countdown": {"count": "`touch %s`" % mark}}, [], "x", {"<b>": {"c": 1}}])
        text = json.dumps(doc)
    elif kind == 3:
        text = rng.choice(["[" * 50000, "[]", "null", "1e999999", '{"a":' * 3000, "\ufeff{}"])
    else:
        doc = json.loads(text)
        doc["warnings"] = [rng.choice(payloads(mark)) for _ in range(3)]
        text = json.dumps(doc)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return "json-%d" % kind


REPORT_INPUTS = ("summary.csv", "meta.json", "fidelity.csv")
REPORT_OUTPUTS = ("report.html", "report.md", "plot-scaling.svg", "report.log", "topology.svg",
                  ".report.html.tmp", "compare.html")


def plant(d, rng, victim, tmp, inputs=REPORT_INPUTS, fifos=("meta.json", "summary.csv"),
          outputs=REPORT_OUTPUTS):
    """Links (or a FIFO) planted among the inputs, or links to the victim
    at names the tool writes."""
    kind = rng.randrange(5)
    if kind == 0:
        n = rng.choice(inputs)
        remove(os.path.join(d, n))
        os.symlink(rng.choice(["/dev/zero", "/dev/null", "/proc/self/mem", tmp]), os.path.join(d, n))
    elif kind == 1:
        n = rng.choice(fifos)
        remove(os.path.join(d, n))
        os.mkfifo(os.path.join(d, n))
    else:
        for n in rng.sample(outputs, min(3, len(outputs))):
            p = os.path.join(d, n)
            remove(p)
            os.symlink(victim, p)
            PLANTED.add(n)
    return "link-%d" % kind


PLANTED = set()


def remove(p):
    if os.path.isdir(p) and not os.path.islink(p):
        shutil.rmtree(p)
    elif os.path.lexists(p):
        os.unlink(p)


def odd_name(rng, mark):
    return rng.choice(["with space", "new\nline", "`touch %s`" % mark, "$(touch %s)" % mark,
                       "-rf", "ünï", "a'b\"c", "x" * 200, "<script>", "semi;colon"])


# The calibration's own odd names: globs, shell and make metacharacters,
# a leading dash, invalid UTF-8 (a surrogate escape: the byte 0xff).
CAL_NAMES = ["*", "a?[b]", "~root", "tab\there", "$HOME", "${PATH}", "%s", "a#b", "a&b|c>d",
             "bad\udcffutf8", "-", "--", "-n 2", "..."]


def run(argv, cwd, tmpdir, extra_env=None, timeout=TIMEOUT, watch=False):
    """Runs argv in its own session; returns (status or "hang", stdout,
    stderr, what the watch saw: peak tasks, peak RSS in MB, runaway)."""
    env = {"PATH": os.environ["PATH"], "LC_ALL": "C.UTF-8", "TMPDIR": tmpdir,
           "PTREPORT_DEBUG": os.environ.get("PTREPORT_DEBUG", "")}
    env.update(extra_env or {})
    p = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True, env=env,
                         preexec_fn=limits if watch else None)
    w = Watch(tmpdir) if watch else None
    try:
        out, err = p.communicate(timeout=timeout)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        rc = "hang"
    seen = w.stop() if w else (0, 0, None)
    return rc, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), seen


# --- resources of a case: its processes are the ones whose environment
# names its private TMPDIR (children in their own sessions too) ---------------

MAX_TASKS = 1000        # threads and processes of one case at once
MAX_RSS_MB = 4096       # their memory (proportional set size), summed
AS_LIMIT = 8 << 30      # address space of each process: a crafted size fails, not the machine


def limits():
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))


def case_pids(tag):
    me, out = os.getpid(), []
    needle = ("TMPDIR=" + tag).encode()
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == me:
            continue
        try:
            with open("/proc/%s/environ" % name, "rb") as f:
                env = f.read()
        except OSError:
            continue
        if needle in env:
            out.append(int(name))
    return out


def tasks_rss(pids):
    """Threads, and proportional set size in MB (forked children share
    pages, which RSS would count once per child)."""
    tasks = kb = 0
    for pid in pids:
        try:
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    if line.startswith("Threads:"):
                        tasks += int(line.split()[1])
            with open("/proc/%d/smaps_rollup" % pid) as f:
                for line in f:
                    if line.startswith("Pss:"):
                        kb += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return tasks, kb // 1024


def kill_pids(pids):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


class Watch:
    """Samples the case's tasks and memory; kills the case on a runaway."""

    def __init__(self, tag):
        import threading
        self.tag, self.peak, self.rss, self.runaway = tag, 0, 0, None
        self.done = threading.Event()
        self.t = threading.Thread(target=self.loop, daemon=True)
        self.t.start()

    def loop(self):
        while not self.done.wait(0.1):
            pids = case_pids(self.tag)
            tasks, rss = tasks_rss(pids)
            self.peak, self.rss = max(self.peak, tasks), max(self.rss, rss)
            if tasks > MAX_TASKS or rss > MAX_RSS_MB:
                self.runaway = "runaway: %d tasks, %d MB" % (tasks, rss)
                kill_pids(pids)

    def stop(self):
        self.done.set()
        self.t.join()
        return self.peak, self.rss, self.runaway


LIVE = re.compile(r"<script|<img src=x|<b>h</b>|<iframe", re.I)


def common_checks(rc, err, mark, victim, private, bad):
    if rc == "hang":
        bad.append("hang")
    elif rc not in (0, 1, 2):
        bad.append("exit %s" % rc)
    if "Traceback" in err or "internal error" in err:
        bad.append("traceback: " + err.strip().splitlines()[-1][:200])
    if os.path.exists(mark):
        bad.append("EXECUTION")
    with open(victim) as f:
        if f.read() != "precious\n":
            bad.append("link followed")
    if os.listdir(private):
        bad.append("temp dir left: %s" % os.listdir(private))


def live_markup(d, names, bad):
    for n in names:
        p = os.path.join(d, n)
        if os.path.isfile(p) and not os.path.islink(p):
            with open(p, encoding="utf-8", errors="replace") as f:
                m = LIVE.search(f.read())
            if m:
                bad.append("live markup in %s: %s" % (n, m.group(0)))


def one(case, rng, tmp):
    mark = os.path.join(tmp, "MARK")
    victim = os.path.join(tmp, "victim")
    with open(victim, "w") as f:
        f.write("precious\n")
    what = []
    name = odd_name(rng, mark) if rng.random() < 0.3 else "run"
    d = os.path.join(tmp, name)
    src = rng.choice(["contract", "run-a", "handmade"])
    shutil.copytree(os.path.join(FIX, src), d)
    what.append(src)
    is_compare = rng.random() < 0.3
    for _ in range(rng.randint(1, 3)):
        r = rng.random()
        if r < 0.45:
            what.append(mutate_csv(os.path.join(d, rng.choice(
                ["summary.csv", "fidelity.csv"] if src == "contract" else ["summary.csv"])),
                rng, mark))
        elif r < 0.8:
            what.append(mutate_json(os.path.join(d, "meta.json"), rng, mark))
        elif r < 0.95:
            what.append(plant(d, rng, victim, tmp))
            break
        else:
            what.append("intact")
    if is_compare:
        out = os.path.join(tmp, "cmp " + odd_name(rng, mark))
        os.makedirs(out)
        shutil.copy(os.path.join(FIX, "compare", "compare.csv"), out)
        if rng.random() < 0.7:
            what.append(mutate_csv(os.path.join(out, "compare.csv"), rng, mark))
        argv = [sys.executable, PTREPORT, "compare", "-o", out, os.path.join(FIX, "run-a"), d]
        check = out
    else:
        argv = [sys.executable, PTREPORT, "report", d]
        check = d
    private = os.path.join(tmp, "tmpdir")       # the run's own TMPDIR
    os.mkdir(private)
    rc, out_, err, _ = run(argv, tmp, private)
    bad = []
    common_checks(rc, err, mark, victim, private, bad)
    if os.path.isdir(check):
        left = [n for n in os.listdir(check) if n.startswith(".") and n not in PLANTED]
        if left:
            bad.append("left behind: %s" % left)
        live_markup(check, ("report.html", "compare.html", "report.md"), bad)
    return ("compare" if is_compare else "report"), rc, what, bad, err.strip()[:160]


# --- the calibration -------------------------------------------------------------

CALFIX = os.path.join(FIX, "calibrate")
CAL_BUDGET = ("1", "2", "3")
CAL_TIMEOUT = 120       # the runner's grace past the budget is 30 s (--quick)
# Workloads whose quick twins take a fraction of a second.
CHEAP = ["countdown", "sleep", "event", "semaphore", "barrier", "condition", "timer", "queue",
         "filewrite", "pool", "spawn", "convoy", "sockrecv"]
BIG = ["100000", "99999999999999999999", "1e9", "1e400", "-1", "-0", "0", "nan", "inf",
       " 2", "2.5", "0x10", "1,5", "١٢", "64G", "1e15", "9" * 400]
CAL_COLUMNS = {
    "workload": ["nosuch", "<script>", "common", "run", "__init__", "../x", "os", "ft", "spawn",
                 "pool", "queue", "countdown", "fault", "", "COUNTDOWN"],
    "model": ["ft", "gil", "procs", "serial", "threads", "gil-old", "x<y", "", "GIL", "nosuch"],
    "workers": BIG + ["256", "257", "4096", "100000"],
    "cpu_neighbours": BIG + ["64", "65", "100000"],
    "start": ["spawn", "forkserver", "fork", "x", "`touch x`", "", "$(id)"],
    "switch_interval_us": BIG + ["1", "5000", "x"],
    "status": ["ok", "failed", "skipped", "", "<b>h</b>", "not run"],
    "bind": ["none", "", "compact", "x"],
    "ipc": ["auto", "", "shm", "pipe", "x"],
    "shared": ["0", "0.5", "nan", "", "x", "1e9", "-1"],
    "ops_per_s": BIG + ["", "abc"],
    "rep": BIG, "scaling": ["weak", "strong", "x"], "pattern": ["wakeall", "x"],
    "kind": ["priority", "x"], "io": ["write", "x"], "sync": ["end", "every:0", "every:x", "x"],
    "transport": ["tcp", "x"],
}
# Every twin parameter is a column of all/results.csv: crafted sizes too.
for _c in ("count", "tick", "lines", "block", "rate", "timeout_ms", "msg_size", "duration_ms",
           "ms", "spawns", "rss", "rounds", "interval_us", "ticks", "handoffs", "cycles",
           "track", "maxsize", "items", "producers", "payload", "timers", "delay_us",
           "cancel_pct", "batch", "tasks", "work", "result", "chunksize"):
    CAL_COLUMNS[_c] = BIG + ["1G", "16M", "100000"]
CAL_WRITES = ("calibration.csv", "calibration.json", "fidelity.csv", "fidelity.md",
              "fidelity.html", "calibration-paired", ".calibration.csv.tmp",
              ".fidelity.md.tmp", ".calibration-paired.tmp")


def crafted_rows(path, rng, mark):
    """Rows appended to results.csv: a known workload with absurd counts,
    or unknown names."""
    try:
        rows = rd(path, "surrogateescape")
    except csv.Error:
        return "rows-none"
    if len(rows) < 2:
        return "rows-none"
    h = rows[0]
    base = dict(zip(h, rng.choice(rows[1:])))
    for _ in range(rng.randint(1, 4)):
        r = dict(base)
        for c in rng.sample(sorted(CAL_COLUMNS), rng.randint(1, 4)):
            r[c] = rng.choice(CAL_COLUMNS[c] + payloads(mark)[:16])
        rows.append([r.get(c, "") for c in h])
    wr(path, rows)
    return "rows"


def paired_dirs(d):
    """The fixture's paired reruns under this interpreter's name, so that
    the calibration reads them."""
    import platform
    base = os.path.join(d, "calibration-paired")
    if not os.path.isdir(base):
        return []
    out = []
    for n in os.listdir(base):
        new = n.replace("CPython_3.99.0", "CPython_" + platform.python_version())
        os.rename(os.path.join(base, n), os.path.join(base, new))
        for rnd in sorted(os.listdir(os.path.join(base, new))):
            for side in ("cpython.csv", "ptbench.csv"):
                out.append(os.path.join(base, new, rnd, side))
    return out


def cal_case(rng, tmp, small=False):
    """One calibration case: (tool, status, what, problems, stderr).
    @small: one cheap workload, the least budget, no paired rerun."""
    mark = os.path.join(tmp, "MARK")
    victim = os.path.join(tmp, "victim")
    vdir = os.path.join(tmp, "victim.d")
    with open(victim, "w") as f:
        f.write("precious\n")
    os.mkdir(vdir)
    with open(os.path.join(vdir, "keep"), "w") as f:
        f.write("precious\n")
    what = []
    name = rng.choice([rng.choice(CAL_NAMES), odd_name(rng, mark)]) \
        if rng.random() < 0.4 else "run"
    d = os.path.join(tmp, name)
    src = rng.choice(["all", "all", "fid"])
    shutil.copytree(os.path.join(CALFIX, src), d)
    if src == "fid":
        os.unlink(os.path.join(d, "calibration.csv"))   # the calibration's own output
        # Its pattern cells hold markup for fidelity.py's own test, which
        # the calibration refuses (not a pattern): a run it can calibrate.
        with open(os.path.join(d, "results.csv"), encoding="utf-8") as f:
            text = f.read().replace("<img src=x>", "pingpong")
        with open(os.path.join(d, "results.csv"), "w", encoding="utf-8") as f:
            f.write(text)
    paired = paired_dirs(d)
    what.append(src)
    for _ in range(rng.randint(1, 3)):
        r = rng.random()
        if r < 0.4:
            what.append(mutate_csv(os.path.join(d, "results.csv"), rng, mark, CAL_COLUMNS,
                                   rate=0.1))
        elif r < 0.6:
            what.append(crafted_rows(os.path.join(d, "results.csv"), rng, mark))
        elif r < 0.7 and paired:
            what.append("paired-" + mutate_csv(rng.choice(paired), rng, mark, CAL_COLUMNS))
        elif r < 0.75:
            p = os.path.join(d, rng.choice(["calibration.json", "meta.json"]))
            shutil.copy(os.path.join(FIX, "run-a", "meta.json"), p)
            what.append(mutate_json(p, rng, mark))
        elif r < 0.95:
            t = rng.choice([victim, vdir])
            what.append(plant(d, rng, t, tmp, inputs=("results.csv", "calibration-paired"),
                              fifos=("results.csv",), outputs=CAL_WRITES))
            break
        else:
            what.append("intact")
    opts = ["--quick", "-q", "--budget", "1" if small else rng.choice(CAL_BUDGET)]
    if small or rng.random() < 0.85:
        opts.append("--no-rerun")
    else:
        what.append("rerun")
    if small or rng.random() < 0.85:
        opts.append("--no-ft")  # probing every python3.X on PATH costs seconds

    if small:
        opts += ["-w", rng.choice(CHEAP[:7])]
    elif rng.random() < 0.6:
        opts += ["-w", ",".join(rng.sample(CHEAP, rng.randint(1, 3)))]
    if rng.random() < 0.1:
        opts += ["--with", os.path.join(CALFIX, "all")]
    if rng.random() < 0.1:
        opts += ["-n", rng.choice(["2", "1-3", "auto", "256"])]
    via_make = rng.random() < 0.25
    if via_make:
        what.append("make")
        arg = d if rng.random() < 0.7 else os.path.relpath(d, ROOT)
        # -o: never relink build/ptbench (a test run may be using it).
        argv = ["make", "-s", "--no-print-directory", "-o", "build/ptbench", "-C", ROOT,
                "calibrate", "RESULTS=" + arg, "CALIBRATE_ARGS=" + " ".join(opts)]
    else:
        form = rng.random()
        arg = d if form < 0.5 else name if form < 0.8 else os.path.join(".", name) + "/"
        argv = ["bash", os.path.join(ROOT, "scripts", "calibrate.sh")] + opts + [arg]
    private = os.path.join(tmp, "tmpdir")
    os.mkdir(private)
    before, root_before = set(os.listdir(tmp)), set(os.listdir(ROOT))
    rc, out, err, (peak, rss, runaway) = run(
        argv, tmp, private, {"PTBENCH": os.path.join(ROOT, "build", "ptbench")},
        timeout=CAL_TIMEOUT, watch=True)
    bad = []
    common_checks(rc, err, mark, victim, private, bad)
    if runaway:
        bad.append(runaway)
    if sorted(os.listdir(vdir)) != ["keep"]:
        bad.append("link followed into a directory: %s" % os.listdir(vdir))
    # Nothing of the case outlives it (its interpreters, their children,
    # ptbench): every process whose environment names its TMPDIR.
    for _ in range(30):
        left = case_pids(private)
        if not left:
            break
        time.sleep(0.1)
    else:
        cmds = []
        for pid in left:
            try:
                with open("/proc/%d/cmdline" % pid, "rb") as f:
                    cmds.append(f.read().replace(b"\0", b" ")[:80].decode("utf-8", "replace"))
            except OSError:
                pass
        kill_pids(left)
        bad.append("processes left: %s" % cmds)
    new = set(os.listdir(tmp)) - before - {"MARK"}
    new |= set(os.listdir(ROOT)) - root_before
    if new:
        bad.append("made outside its directory: %s" % sorted(new))
    if os.path.isdir(d) and not os.path.islink(d):
        left = [n for n in os.listdir(d) if n.startswith(".") and n not in PLANTED]
        if left:
            bad.append("left behind: %s" % left)
        live_markup(d, ("fidelity.md", "fidelity.html"), bad)
        # Exit 0 means the calibration was written where it was asked.
        if rc == 0 and not os.path.isfile(os.path.join(d, "calibration.csv")):
            bad.append("exit 0 without %s/calibration.csv" % name)
    PEAK["tasks"], PEAK["mb"] = max(PEAK["tasks"], peak), max(PEAK["mb"], rss)
    if peak > 300:
        what.append("peak %d tasks" % peak)
    if rc == 1 and os.path.isfile(os.path.join(d, "calibration.csv")):
        with open(os.path.join(d, "calibration.csv"), newline="", errors="replace") as f:
            err += " | ".join(sorted({r.get("message", "")[:100] for r in csv.DictReader(f)
                                      if r.get("status") == "failed"}))
    return ("make-cal" if via_make else "calibrate"), rc, what, bad, \
        err.strip()[-1500:] if bad else err.strip()[:160]


TOOLS = ("report", "compare", "calibrate")
PEAK = {"tasks": 0, "mb": 0}    # the most any calibration case used at once


def fuzz(n, seed, tools=TOOLS, out=print, small=False):
    """Runs @n cases from @seed; returns ({(tool, status): count}, failures).
    @small: the calibration's cheapest cases only (make test)."""
    rng = random.Random(seed)
    counts, failures = {}, []
    for case in range(n):
        tmp = tempfile.mkdtemp(prefix="ptfuzz.")
        PLANTED.clear()
        t0 = time.time()
        try:
            if "calibrate" in tools and (tools == ("calibrate",) or rng.random() < 0.4):
                cmd, rc, what, bad, err = cal_case(rng, tmp, small)
            else:
                cmd, rc, what, bad, err = one(case, rng, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        counts[(cmd, rc)] = counts.get((cmd, rc), 0) + 1
        took = time.time() - t0
        if took > 45:
            out("case %d %s %s: slow: %.0f s" % (case, cmd, what, took))
        if rc == 1 and not bad:
            out("case %d %s %s: exit 1: %s" % (case, cmd, what, err))
        if bad:
            failures.append((case, cmd, what, bad, err))
            out("case %d %s %s: %s" % (case, cmd, what, bad))
            if os.environ.get("FUZZ_VERBOSE"):
                out("    " + err.replace("\n", "\n    "))
    return counts, failures


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--tools=")]
    tools = TOOLS
    for a in sys.argv[1:]:
        if a.startswith("--tools="):
            tools = tuple(a.split("=", 1)[1].split(","))
    n = int(args[0]) if len(args) > 0 else 200
    seed = int(args[1]) if len(args) > 1 else 1
    t0 = time.time()
    counts, failures = fuzz(n, seed, tools, lambda s: print(s, flush=True))
    print("cases: %d (seed %d, %s) in %.0f s" % (n, seed, ",".join(tools), time.time() - t0))
    for (cmd, rc), c in sorted(counts.items(), key=str):
        print("  %-9s exit %-4s %d" % (cmd, rc, c))
    if "calibrate" in tools:
        print("  calibration peaks: %d threads, %d MB" % (PEAK["tasks"], PEAK["mb"]))
    print("problems: %d" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
