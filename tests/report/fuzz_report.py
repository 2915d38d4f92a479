#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fuzz of the report layer with crafted results directories (issue 13):
mutated CSV cells and headers, mutated JSON, planted links, odd paths, for
`ptreport report` and `ptreport compare`. Each case must end with exit
status 0, 1 or 2, within its timeout, without running a command planted in
the data (a marker file), without live markup in the HTML, without a
traceback, and without leaving a temp file behind.

  python3 tests/report/fuzz_report.py [CASES] [SEED]
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


def rd(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def wr(path, rows):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(buf.getvalue())


def mutate_csv(path, rng, mark):
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
    else:                                             # decisions and models
        h = rows[0]
        for r in rows[1:]:
            for name, vals in (("decision", ["faster", "slower", "tie", "undecided", "win", ""]),
                               ("model", ["ft", "gil", "procs", "x<y", ""]),
                               ("ratio", ["0", "-1", "1e308", "abc", ""]),
                               ("shared", ["0.5", "", "x"]), ("workers", ["0", "-2", "99999"])):
                if name in h and h.index(name) < len(r) and rng.random() < 0.15:
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


def plant(d, rng, victim, tmp):
    kind = rng.randrange(5)
    if kind == 0:
        n = rng.choice(["summary.csv", "meta.json", "fidelity.csv"])
        os.unlink(os.path.join(d, n)) if os.path.exists(os.path.join(d, n)) else None
        os.symlink(rng.choice(["/dev/zero", "/dev/null", "/proc/self/mem", tmp]), os.path.join(d, n))
    elif kind == 1:
        n = rng.choice(["meta.json", "summary.csv"])
        os.unlink(os.path.join(d, n))
        os.mkfifo(os.path.join(d, n))
    else:
        for n in rng.sample(["report.html", "report.md", "plot-scaling.svg", "report.log",
                             "topology.svg", ".report.html.tmp", "compare.html"], 3):
            p = os.path.join(d, n)
            if os.path.lexists(p):
                os.unlink(p)
            os.symlink(victim, p)
            PLANTED.add(n)
    return "link-%d" % kind


PLANTED = set()


def odd_name(rng, mark):
    return rng.choice(["with space", "new\nline", "`touch %s`" % mark, "$(touch %s)" % mark,
                       "-rf", "ünï", "a'b\"c", "x" * 200, "<script>", "semi;colon"])


def run(argv, cwd, tmpdir):
    p = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True,
                         env={"PATH": os.environ["PATH"], "LC_ALL": "C.UTF-8", "TMPDIR": tmpdir,
                              "PTREPORT_DEBUG": os.environ.get("PTREPORT_DEBUG", "")})
    try:
        out, err = p.communicate(timeout=TIMEOUT)
        return p.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        return "hang", "", ""


LIVE = re.compile(r"<script|<img src=x|<b>h</b>|<iframe", re.I)


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
    rc, out_, err = run(argv, tmp, private)
    bad = []
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
    if os.path.isdir(check):
        left = [n for n in os.listdir(check) if n.startswith(".") and n not in PLANTED]
        if left:
            bad.append("left behind: %s" % left)
        for n in ("report.html", "compare.html", "report.md"):
            p = os.path.join(check, n)
            if os.path.isfile(p) and not os.path.islink(p):
                with open(p, encoding="utf-8", errors="replace") as f:
                    m = LIVE.search(f.read())
                if m:
                    bad.append("live markup in %s: %s" % (n, m.group(0)))
    if os.listdir(private):
        bad.append("temp dir left: %s" % os.listdir(private))
    return ("compare" if is_compare else "report"), rc, what, bad, err.strip()[:160]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    rng = random.Random(seed)
    counts, failures = {}, []
    for case in range(n):
        tmp = tempfile.mkdtemp(prefix="ptfuzz.")
        PLANTED.clear()
        try:
            cmd, rc, what, bad, err = one(case, rng, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        counts[(cmd, rc)] = counts.get((cmd, rc), 0) + 1
        if rc == 1 and not bad:
            print("case %d %s %s: exit 1: %s" % (case, cmd, what, err), flush=True)
        if bad:
            failures.append((case, cmd, what, bad, err))
            print("case %d %s %s: %s" % (case, cmd, what, bad), flush=True)
    print("cases: %d (seed %d)" % (n, seed))
    for (cmd, rc), c in sorted(counts.items(), key=str):
        print("  %-8s exit %-4s %d" % (cmd, rc, c))
    print("problems: %d" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
