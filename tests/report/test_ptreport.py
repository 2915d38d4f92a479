# SPDX-License-Identifier: MIT
"""Tests of the report layer (scripts/ptreport), run by `make test` through
scripts/test-scripts.sh: the committed fixtures rendered and their tables
checked, escaping, no network resource, every referenced file present, and
one regression test per script bug of issue 13 (1, 2, 3, 4, 5, 7).

The issue-13 tests go through the same entry points as users (the
ptreport commands and `make report`). With PTREPORT_LEGACY=DIR they run
the pre-port scripts of a checkout at DIR instead (scripts/report.sh,
scripts/compare.sh), to show that each of them fails there.
"""

import csv
import faulthandler
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(ROOT, "tests", "fixtures")
LEGACY = os.environ.get("PTREPORT_LEGACY", "")
TIMEOUT = 120

# The whole file must finish; a hang fails loudly instead of blocking make.
faulthandler.dump_traceback_later(1500, exit=True)


def env(**kw):
    e = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    e.update(kw)
    return e


def run(argv, cwd=ROOT, timeout=TIMEOUT, **kw):
    """Runs @argv in its own process group, all of which a timeout kills."""
    p = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=kw.pop("env", env()),
                         start_new_session=True, **kw)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        raise
    return subprocess.CompletedProcess(argv, p.returncode, out, err)


def report(d, **kw):
    if LEGACY:
        return run(["bash", os.path.join(LEGACY, "scripts", "report.sh"), d], cwd=LEGACY, **kw)
    return run([sys.executable, os.path.join(ROOT, "scripts", "ptreport"), "report", d], **kw)


def compare(out, dirs, **kw):
    """Renders compare.html into @out; the new layer reads out/compare.csv
    (which ptbench compare writes), the old one computed from results.csv."""
    if LEGACY:
        return run(["bash", os.path.join(LEGACY, "scripts", "compare.sh"), "-o", out] + dirs,
                   cwd=LEGACY, **kw)
    return run([sys.executable, os.path.join(ROOT, "scripts", "ptreport"), "compare", "-o", out]
               + dirs, **kw)


def slurp(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def csv_rows(path):
    with open(path, newline="") as f:
        r = csv.DictReader(f)
        return r.fieldnames, list(r)


def csv_write(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def no_network(testcase, text, what):
    for m in re.finditer(r"https?://", text, re.I):
        before = text[max(0, m.start() - 40):m.start()]
        testcase.assertRegex(before, r"xmlns(:\w+)?=[\"']$", "%s loads %s" %
                             (what, text[m.start():m.start() + 80]))


def refs_exist(testcase, html, d):
    n = 0
    for m in re.finditer(r'(?:href|src)="([^"]*)"', html):
        v = m.group(1)
        if v.startswith("#"):
            continue
        testcase.assertNotIn(":", v, "reference to another site: " + v)
        testcase.assertNotIn("..", v)
        p = os.path.join(d, v)
        testcase.assertTrue(os.path.isfile(p) and os.path.getsize(p) > 0, "missing: " + v)
        n += 1
    return n


def leftovers(d):
    """Hidden temp files left in @d (ours start with '.')."""
    return [n for n in os.listdir(d) if n.startswith(".")]


class Scratch(unittest.TestCase):
    maxDiff = 2000

    def assertIn(self, member, container, msg=None):
        if member not in container:
            self.fail(msg or "%r not found (in %d characters)" % (member[:200], len(container)))

    def assertNotIn(self, member, container, msg=None):
        if member in container:
            i = container.index(member)
            self.fail(msg or "%r found: ...%s..." % (member[:200], container[max(0, i - 100):i + 100]))

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ptreport-test.")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def copy(self, name, dest=None):
        d = os.path.join(self.tmp, dest or name)
        shutil.copytree(os.path.join(FIX, name), d)
        return d

    def render_ok(self, d):
        r = report(d)
        self.assertEqual(r.returncode, 0, r.stderr)
        html = slurp(os.path.join(d, "report.html"))
        self.assertTrue(html.startswith("<!DOCTYPE html>"))
        self.assertIn("</html>", html)
        self.assertNotIn("<script", html.lower())
        self.assertNotIn("<link", html.lower())
        no_network(self, html, "report.html")
        refs_exist(self, html, d)
        for svg in glob.glob(os.path.join(d, "*.svg")):
            s = slurp(svg)
            self.assertIn("</svg>", s, svg)
            self.assertNotIn("<script", s.lower())
            no_network(self, s, svg)
        self.assertEqual(leftovers(d), [])
        return html, slurp(os.path.join(d, "report.md")), r


@unittest.skipIf(LEGACY, "the new layer's features")
class Fixtures(Scratch):
    def test_contract_fixture_verdict(self):
        d = self.copy("contract")
        html, md, r = self.render_ok(d)
        self.assertIn(os.path.join(d, "report.html"), r.stdout)
        self.assertTrue(os.path.isabs(r.stdout.split()[1]))
        # For standard CPython first, then GIL against free threading.
        a = html.index("For standard CPython: processes against threads under the GIL")
        b = html.index("GIL against free threading")
        self.assertLess(a, b)
        self.assertIn("<b>CPU-bound work</b> (countdown): processes faster in 2.", html)
        self.assertIn("processes 2.00× faster than threads under the GIL [1.88–2.12×]", html)
        # Options such as CPU neighbours are named with the point.
        self.assertRegex(html, r"countdown <span class=\"cfg\">neighbours=1</span>")
        self.assertIn("processes 2.53× faster", html)
        # Only faster/slower name a winner; undecided says so.
        self.assertIn("undecided: the interval [0.97–1.07×] straddles the band", html)
        self.assertIn("threads under the GIL 41.9× faster than processes", html)
        # The meaningless sockrecv rate=1 rows: left out, with the reason.
        self.assertIn("sockrecv (rate=1) procs start=fork n=2: procs completes 1.7 operations "
                      "per repetition (fewer than 10)", html)
        self.assertNotRegex(html, r"sockrecv <span class=\"cfg\">rate=1[^<]*</span>[^\n]*faster "
                                  r"than")
        # ft against gil (realistic), threads against gil (ideal bound), plot.
        self.assertIn("free-threaded CPython 1.65× faster than threads under the GIL", html)
        self.assertIn("threads under the GIL 2.12× faster than free-threaded CPython", html)
        self.assertIn('<img src="plot-ft-shared-countdown.svg"', html)
        # The crossover map: winner and margin per work x payload cell.
        m = html[html.index('id="crossover"'):]
        self.assertIn("<b>gil 41.9×</b>", m)
        self.assertIn("<b>procs 1.99×</b>", m)
        self.assertIn("<b>undecided</b>", m)
        self.assertIn("threads 2.00× faster", m)
        # Fidelity: the count at the top, the table in a scrolling box,
        # flagged workloads marked in the verdict.
        self.assertIn('<a href="#fidelity">3 of 5 comparisons agree</a>', html)
        self.assertIn('<div class="box tall"><table class="fidelity">', html)
        self.assertIn("a_very_long_extra_column", html)
        rows = [l for l in html.splitlines() if l.startswith("<tr><td>Mixed work")]
        self.assertTrue(rows and all("CPython disagrees" in l for l in rows))
        rows = [l for l in html.splitlines() if l.startswith("<tr><td>CPU-bound work")]
        self.assertTrue(rows and not any("CPython disagrees" in l for l in rows))
        # A skipped point shows a dash, not 0 us.
        pts = html[html.index('id="points"'):]
        self.assertRegex(pts, r"skipped</span></td><td class=\"n\">0/5</td><td class=\"n\">-</td>"
                              r"<td class=\"n\">-</td><td class=\"n\">-</td><td class=\"n\">-</td>"
                              r"<td class=\"n\">-</td>")
        self.assertIn("<details", html)
        self.assertIn("| countdown start=fork | 4 | 2.00× [1.88–2.12×] | processes 2.00× faster",
                      md)

    def test_partial_run_and_points_not_run(self):
        d = self.copy("contract")
        header, rows = csv_rows(os.path.join(d, "summary.csv"))
        for r in rows:
            r["partial"] = "1"
        for r in rows[-4:]:
            r.update({"status": "not run", "n_ok": "0", "decision": "", "ratio": "",
                      "q_median": "", "ops_per_s_median": ""})
        csv_write(os.path.join(d, "summary.csv"), header, rows)
        os.unlink(os.path.join(d, "meta.json"))
        html, md, _ = self.render_ok(d)
        self.assertIn("This run was cut short (partial)", html)
        self.assertIn("**Partial run**", md)
        self.assertIn('<span class="tag tie">not run</span>', html)
        self.assertIn("4 points never ran", html)
        self.assertIn("no meta.json", html)

    def test_older_run_degrades_with_a_note(self):
        d = self.copy("run-a")
        html, md, _ = self.render_ok(d)
        self.assertIn("predates the decision columns", html)
        self.assertIn("predates the decision columns", md)
        self.assertTrue(os.path.isfile(os.path.join(d, "plot-scaling.svg")))
        self.assertTrue(os.path.isfile(os.path.join(d, "plot-placement.svg")))

    def test_handmade_every_plot(self):
        d = self.copy("handmade")
        html, _, _ = self.render_ok(d)
        for n in ("plot-convoy", "plot-convoy-interval", "plot-io-sleep", "plot-io-filewrite",
                  "plot-io-sockrecv", "plot-spawn", "plot-spawn-rss", "plot-sync"):
            self.assertIn('<img src="%s.svg"' % n, html)
        self.assertIn("a cancelled timer fired", html)

    def test_escaping_script_in_param_and_message(self):
        d = self.copy("contract")
        html, md, _ = self.render_ok(d)
        self.assertIn("&lt;script&gt;alert(&#x27;dir&#x27;)&lt;/script&gt;", html)
        self.assertIn("&lt;script&gt;alert(&#x27;message&#x27;)&lt;/script&gt;", html)
        self.assertIn("&lt;pickle&gt;", html)
        self.assertNotIn("<script", md)
        self.assertNotIn("<b>not measured", html)

    def test_fidelity_states(self):
        # A fidelity.csv with the three-way state (scripts/fidelity.py):
        # only "agree" rows count as agreeing, an undecided row is neither
        # flagged nor agreeing, and the counts say so.
        d = self.copy("contract")
        path = os.path.join(d, "fidelity.csv")
        header, rows = csv_rows(path)
        states = ["agree", "undecided", "disagree", "undecided", "agree"]
        for r, st in zip(rows, states + ["agree"] * len(rows)):
            r["state"], r["flagged"] = st, "1" if st == "disagree" else "0"
        csv_write(path, header + ["state"], rows)
        html, md, _ = self.render_ok(d)
        n = len(rows)
        agree = sum(1 for r in rows if r["state"] == "agree")
        self.assertIn('<a href="#fidelity">%d of %d comparisons agree</a>, 2 undecided, '
                      '1 disagree' % (agree, n), html)
        self.assertIn("%d of %d comparisons agree, 2 undecided, 1 disagree" % (agree, n), md)

    def test_stale_plots_of_a_replaced_run_go(self):
        d = self.copy("contract")
        self.render_ok(d)
        self.assertTrue(os.path.isfile(os.path.join(d, "plot-ft-shared-countdown.svg")))
        # The run is replaced by another one (run-a) in the same directory.
        for f in ("summary.csv", "meta.json"):
            shutil.copy(os.path.join(FIX, "run-a", f), os.path.join(d, f))
        os.unlink(os.path.join(d, "fidelity.csv"))
        html, _, _ = self.render_ok(d)
        self.assertFalse(os.path.exists(os.path.join(d, "plot-ft-shared-countdown.svg")))
        self.assertNotIn("ft-shared", html)
        self.assertEqual(sorted(glob.glob(os.path.join(d, "plot-*.svg"))),
                         sorted(os.path.join(d, n) for n in re.findall(r'src="(plot-[^"]*)"', html)))

    def test_compare_fixture(self):
        out = os.path.join(self.tmp, "cmp")
        os.mkdir(out)
        shutil.copy(os.path.join(FIX, "compare", "compare.csv"), out)
        r = compare(out, [os.path.join(FIX, "run-a"), os.path.join(FIX, "run-b")])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("B against A: 20 points", r.stdout)
        self.assertIn(os.path.join(os.path.realpath(out), "compare.html"), r.stdout)
        html = slurp(os.path.join(out, "compare.html"))
        no_network(self, html, "compare.html")
        self.assertGreaterEqual(refs_exist(self, html, out), 1)
        self.assertIn("countdown gil n=2 bind=compact count=2000000", html)
        self.assertNotIn("Welch", html)

    def test_canary_drift_and_host_ratio(self):
        # The run report names the canary's drift; compare.html the host
        # ratio of the canaries and the rows of a point in one run only.
        d = self.copy("run-a")
        meta = json.loads(slurp(os.path.join(d, "meta.json")))
        meta["schedule"] = {"canary": {"count": 1000000, "wall_s": [0.010, 0.011, 0.014],
                                       "drift": 0.4}}
        write(os.path.join(d, "meta.json"), json.dumps(meta))
        html, md, _ = self.render_ok(d)
        for text in (html, md):
            self.assertIn("3 runs of a serial countdown between rounds", text)
            self.assertIn("drift +40.0% in time from first to last (the host slowed down)", text)
        out = os.path.join(self.tmp, "cmp")
        os.mkdir(out)
        header, rows = csv_rows(os.path.join(FIX, "compare", "compare.csv"))
        header += ["missing", "host", "host_ratio", "host_lo", "host_hi"]
        for i, r in enumerate(rows):
            r.update(missing="B" if i == 0 else "", host="normalised", host_ratio="2",
                     host_lo="1.5", host_hi="2.5")
        csv_write(os.path.join(out, "compare.csv"), header, rows)
        r = compare(out, [os.path.join(FIX, "run-a"), os.path.join(FIX, "run-b")])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("in one run only 1; Host (canary) 2.00×", r.stdout)
        self.assertIn("in one run only: 1. Host (canary) 2.00×",
                      slurp(os.path.join(out, "compare.html")))

    def test_bad_directory_exit_2(self):
        r = report("/nonexistent/ptbench-results")
        self.assertEqual(r.returncode, 2)
        self.assertIn("/nonexistent/ptbench-results", r.stderr)
        out = os.path.join(self.tmp, "o")
        r = compare(out, [os.path.join(FIX, "run-a"), "/nonexistent/b"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("/nonexistent/b", r.stderr)

    def test_ptbench_report_from_any_directory(self):
        exe = os.environ.get("PTBENCH_BIN") or os.path.join(ROOT, "build", "ptbench")
        if not os.access(exe, os.X_OK):
            self.skipTest("no ptbench binary (make builds it)")
        d = self.copy("run-a", "a dir with spaces")
        r = run([exe, "report", os.path.relpath(d, self.tmp)], cwd=self.tmp)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(os.path.join(os.path.realpath(d), "report.html"), r.stdout)


def contract_dir(self, name="run"):
    d = self.copy("contract", name)
    return d


class Issue13(Scratch):
    """One regression test per script bug of issue 13 (report and compare)."""

    def hostile_run(self, name, workload=None, param=None, pus=None, cells=None, message=None):
        """A copy of run-a with crafted cells: workload names, a parameter
        value, meta.json's pus, any column of the first row."""
        d = self.copy("run-a", name)
        for f in ("summary.csv", "results.csv"):
            header, rows = csv_rows(os.path.join(d, f))
            for i, r in enumerate(rows):
                if workload:
                    r["workload"] = workload
                if param:
                    r["count"] = param
                if message:
                    r["message"] = message
                if cells and i == 0:
                    r.update({k: v for k, v in cells.items() if k in r})
            csv_write(os.path.join(d, f), header, rows)
        meta = json.loads(slurp(os.path.join(d, "meta.json")))
        if workload:
            meta["run"]["parameters"] = {workload: meta["run"]["parameters"]["countdown"]}
        if pus is not None:
            meta["machine"]["pus"] = pus
        write(os.path.join(d, "meta.json"), json.dumps(meta))
        return d

    def compare_csv(self, out, dirs, run_of=None):
        """compare.csv as ptbench compare would write it from @dirs."""
        os.makedirs(out, exist_ok=True)
        rows = []
        for k, d in enumerate(dirs[1:], 1):
            _, sa = csv_rows(os.path.join(dirs[0], "summary.csv"))
            _, sb = csv_rows(os.path.join(d, "summary.csv")) if os.path.exists(
                os.path.join(d, "summary.csv")) else (None, [])
            for a, b in zip(sa, sb):
                rows.append({"workload": a["workload"], "model": a["model"],
                             "workers": a["workers"], "params": "count=" + a.get("count", ""),
                             "a": a["ops_per_s_median"], "b": b["ops_per_s_median"],
                             "ratio": "%.6g" % (float(b["ops_per_s_median"]) /
                                                float(a["ops_per_s_median"])),
                             "lo": "", "hi": "", "decision": "undecided",
                             "run": run_of(k, d) if run_of else "ABCD"[k], "quantity": "ops_per_s",
                             "n_a": a["n_ok"], "n_b": b["n_ok"], "band": "0.05"})
        csv_write(os.path.join(out, "compare.csv"),
                  ["workload", "model", "workers", "params", "a", "b", "ratio", "lo", "hi",
                   "decision", "run", "quantity", "n_a", "n_b", "band"], rows)

    # -- bug 1: commands in data reached gnuplot
    def test_bug1_no_command_from_data_reaches_gnuplot(self):
        marks = [os.path.join(self.tmp, "PWNED%d" % i) for i in range(4)]
        d1 = self.hostile_run("p", param="2000000`touch %s`" % marks[0])
        d2 = self.hostile_run("w", workload="countdown`touch %s`" % marks[1])
        d3 = self.hostile_run("m", pus="2`touch %s`" % marks[2])
        for d in (d1, d2, d3):
            r = report(d)
            self.assertIn(r.returncode, (0, 1, 2), r.stderr)
        out = os.path.join(self.tmp, "cmp")
        self.compare_csv(out, [d1, d2])
        d4 = self.hostile_run("c", workload="countdown`touch %s`" % marks[3], pus="2`touch x`")
        self.compare_csv(out, [d1, d4])
        compare(out, [d1, d4])
        for m in marks:
            self.assertFalse(os.path.exists(m), "a command in a results file ran: " + m)

    # -- bug 2: numbers in a comma-decimal locale
    def test_bug2_comma_decimal_locale(self):
        loc = os.path.join(self.tmp, "loc")
        os.mkdir(loc)
        try:
            r = run(["localedef", "-i", "de_DE", "-f", "UTF-8", os.path.join(loc, "de_DE.UTF-8")])
        except OSError:
            r = None
        if r is None or not os.path.isdir(os.path.join(loc, "de_DE.UTF-8")):
            self.skipTest("localedef cannot build de_DE.UTF-8 here")
        check = run(["/usr/bin/printf", "%.2f", "3.14"], env=env(LOCPATH=loc, LC_ALL="de_DE.UTF-8"))
        self.assertEqual(check.stdout, "3,14", "the generated locale is not in effect")
        base, de = self.copy("handmade", "c"), self.copy("handmade", "de")
        self.assertEqual(report(base).returncode, 0)
        r = report(de, env=env(LOCPATH=loc, LC_ALL="de_DE.UTF-8", LANG="de_DE.UTF-8"))
        self.assertEqual(r.returncode, 0, r.stderr)
        md_c, md_de = slurp(os.path.join(base, "report.md")), slurp(os.path.join(de, "report.md"))
        self.assertEqual(md_de, md_c)
        strip = lambda h: h.replace(base, "").replace(de, "")
        self.assertEqual(strip(slurp(os.path.join(de, "report.html"))),
                         strip(slurp(os.path.join(base, "report.html"))))
        for svg in glob.glob(os.path.join(base, "plot-*.svg")):
            self.assertEqual(slurp(svg), slurp(os.path.join(de, os.path.basename(svg))), svg)

    # -- bug 3: malformed meta.json looped forever
    def test_bug3_malformed_json_exit_2(self):
        cases = ['{"machine":{"pus":[2}}', '{"a":', "\x00\xff\xfe garbage \x01",
                 "[" * 100000, '{"machine": 1e999999}']
        for k, text in enumerate(cases):
            d = self.copy("run-a", "j%d" % k)
            with open(os.path.join(d, "meta.json"), "w", encoding="latin-1") as f:
                f.write(text)
            r = report(d, timeout=60)
            self.assertEqual(r.returncode, 2 if k != 4 else r.returncode, (text[:30], r.stderr))
            if r.returncode == 2:
                self.assertIn("meta.json", r.stderr)
            out = os.path.join(self.tmp, "cmp%d" % k)
            self.compare_csv(out, [os.path.join(FIX, "run-b"), d])
            r = compare(out, [os.path.join(FIX, "run-b"), d], timeout=60)
            self.assertIn(r.returncode, (0, 2))
            if k < 4:
                self.assertEqual(r.returncode, 2, (text[:30], r.stderr))
                self.assertIn("meta.json", r.stderr)

    # -- bug 4: writes followed planted links; partial files were left
    def test_bug4_planted_links_not_followed(self):
        d = self.copy("run-a")
        victim = os.path.join(self.tmp, "victim")
        write(victim, "precious\n")
        names = [".report.html.tmp", ".report.md.tmp", "topology.svg", "report.html", "report.md",
                 "plot-scaling.svg", "report.log"]
        for n in names:
            os.symlink(victim, os.path.join(d, n))
        r = report(d)
        self.assertIn(r.returncode, (0, 1, 2), r.stderr)
        self.assertEqual(slurp(victim), "precious\n")
        out = os.path.join(self.tmp, "cmp")
        self.compare_csv(out, [os.path.join(FIX, "run-a"), os.path.join(FIX, "run-b")])
        for n in (".compare.html.tmp", "compare.html", "plot-compare.svg", "compare.tsv"):
            os.symlink(victim, os.path.join(out, n))
        compare(out, [os.path.join(FIX, "run-a"), os.path.join(FIX, "run-b")])
        self.assertEqual(slurp(victim), "precious\n")

    def test_bug4_no_partial_file_on_efbig(self):
        import resource
        d = self.copy("contract")

        def small_files():
            resource.setrlimit(resource.RLIMIT_FSIZE, (16384, 16384))
        r = report(d, preexec_fn=small_files)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(r.returncode, (1, 2), r.stderr)
        self.assertEqual(leftovers(d), [])
        self.assertFalse(os.path.exists(os.path.join(d, "report.html")))

    def test_bug4_no_partial_file_on_sigint(self):
        d = self.copy("contract")
        argv = (["bash", os.path.join(LEGACY, "scripts", "report.sh"), d] if LEGACY else
                [sys.executable, os.path.join(ROOT, "scripts", "ptreport"), "report", d])
        for delay in (0.05, 0.15, 0.3, 0.5, 0.8):
            p = subprocess.Popen(argv, cwd=LEGACY or ROOT, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, start_new_session=True)
            time.sleep(delay)
            try:
                os.killpg(p.pid, signal.SIGINT)
            except ProcessLookupError:
                pass
            p.wait(timeout=TIMEOUT)
            time.sleep(0.05)
            self.assertEqual(leftovers(d), [], "after SIGINT at %g s" % delay)
            for n in ("report.html", "report.md"):
                if os.path.exists(os.path.join(d, n)):
                    self.assertIn("</html>" if n.endswith("html") else "Equivalence band",
                                  slurp(os.path.join(d, n)))

    # -- bug 5: HTML injection
    def test_bug5_html_injection(self):
        img = "<img src=x onerror=alert(1)>"
        d = self.hostile_run("h", cells={"workers": img, "n": img, "n_ok": img})
        r = report(d)
        if r.returncode == 0:
            self.assertNotIn("<img src=x", slurp(os.path.join(d, "report.html")))
        else:
            self.assertEqual(r.returncode, 2)
            self.assertIn("workers", r.stderr)
            self.assertFalse(os.path.exists(os.path.join(d, "report.html")))
        d = self.hostile_run("p", pus=img, message=img)
        r = report(d)
        self.assertEqual(r.returncode, 0, r.stderr)
        html, md = slurp(os.path.join(d, "report.html")), slurp(os.path.join(d, "report.md"))
        self.assertNotIn("<img src=x", html)
        self.assertIn("&lt;img src=x onerror=alert(1)&gt;", html)
        self.assertNotIn("<img src=x", md)

    # -- bug 7: compare's runs, Makefile quoting, output folder, TMPDIR
    def test_bug7_compare_run_with_no_rows_shifts_nothing(self):
        a, b, c = (self.copy("run-a", "A"), self.copy("run-a", "B"), self.copy("run-a", "C"))
        header, rows = csv_rows(os.path.join(c, "results.csv"))
        for r in rows:
            r["ops_per_s"] = "7.77e6"
        csv_write(os.path.join(c, "results.csv"), header, rows)
        header, rows = csv_rows(os.path.join(c, "summary.csv"))
        for r in rows:
            r["ops_per_s_median"] = "7.77e6"
        csv_write(os.path.join(c, "summary.csv"), header, rows)
        write(os.path.join(b, "results.csv"), "")
        os.unlink(os.path.join(b, "summary.csv"))
        out = os.path.join(self.tmp, "cmp")
        self.compare_csv(out, [a, c], run_of=lambda k, d: "C")
        r = compare(out, [a, b, c])
        self.assertEqual(r.returncode, 0, r.stderr)
        html = slurp(os.path.join(out, "compare.html"))
        self.assertIn("C <b>7.77 M/s</b>", html)
        self.assertNotIn("B <b>7.77 M/s</b>", html)
        self.assertRegex(html, r"<b>B</b>.*no points")

    def test_bug7_make_report_quotes_its_variables(self):
        mark = os.path.join(self.tmp, "PWNED-make")
        d = self.copy("run-a", "with space `touch %s` $HOME" % mark)
        # make expands $ itself: $$ passes one through to the recipe.
        r = run(["make", "-s", "-C", LEGACY or ROOT, "report", "RESULTS=" + d.replace("$", "$$")])
        self.assertFalse(os.path.exists(mark), "make report ran a command from RESULTS")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.isfile(os.path.join(d, "report.html")))
        r = run(["make", "-s", "-C", LEGACY or ROOT, "compare", "A=" + d.replace("$", "$$"),
                 "B=" + d.replace("$", "$$"),
                 "OUT=" + os.path.join(self.tmp, "o `touch %s`" % mark)])
        self.assertFalse(os.path.exists(mark), "make compare ran a command from A, B or OUT")

    def test_bug7_compare_output_folders_are_exclusive(self):
        base = os.path.join(self.tmp, "results")
        if LEGACY:
            procs = [subprocess.Popen(["bash", os.path.join(LEGACY, "scripts", "compare.sh"),
                                       os.path.join(FIX, "run-a"), os.path.join(FIX, "run-b")],
                                      cwd=LEGACY, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                      text=True) for _ in range(4)]
        else:
            procs = [subprocess.Popen([sys.executable, os.path.join(ROOT, "scripts", "ptreport"),
                                       "newdir", base, "compare-20260101-000000"],
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
                     for _ in range(4)]
        outs = [p.communicate(timeout=TIMEOUT)[0].strip().splitlines() for p in procs]
        dirs = {o[-1] for o in outs if o}
        self.assertEqual([p.returncode for p in procs], [0] * 4)
        self.assertEqual(len(dirs), 4, outs)

    def test_bug7_missing_tmpdir_falls_back(self):
        d = self.copy("run-a")
        r = report(d, env=env(TMPDIR=os.path.join(self.tmp, "no", "such", "dir")))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.isfile(os.path.join(d, "report.html")))


if __name__ == "__main__":
    unittest.main()
