# SPDX-License-Identifier: MIT
"""The calibration's input handling (scripts/calibrate.sh, calibrate.py and
`make calibrate`), one regression test per bug the fuzz found
(tests/report/fuzz_report.py), and a small seeded run of that fuzz over all
three tools, so that it cannot rot (the big run stays a manual command).

With PTCAL_ROOT=DIR the calibration tests run the scripts and Makefile of
the checkout at DIR instead, to show that each of them fails there.
"""

import os
import shutil
import tempfile
import unittest

from test_ptreport import ROOT, env, run

import fuzz_report

CAL_ROOT = os.environ.get("PTCAL_ROOT") or ROOT
ALL = os.path.join(ROOT, "tests", "fixtures", "calibrate", "all")
QUICK = ["--quick", "-q", "--no-rerun", "--budget", "2"]


def calibrate(args, cwd=ROOT, **kw):
    return run(["bash", os.path.join(CAL_ROOT, "scripts", "calibrate.sh")] + args, cwd=cwd,
               **kw)


class Case(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ptcaltest.")
        self.tmpdir = os.path.join(self.tmp, "tmpdir")
        os.mkdir(self.tmpdir)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_dir(self, name="run", edit=None):
        """A copy of the fixture run with every workload; edit(header, rows)
        changes its rows in place."""
        import csv
        d = os.path.join(self.tmp, name)
        shutil.copytree(ALL, d)
        if edit:
            path = os.path.join(d, "results.csv")
            with open(path, newline="") as f:
                rows = list(csv.reader(f))
            edit(rows[0], rows[1:])
            with open(path, "w", newline="") as f:
                csv.writer(f, lineterminator="\n").writerows(rows)
        return d

    def assertClean(self, p):
        self.assertNotIn("Traceback", p.stderr)
        self.assertEqual(os.listdir(self.tmpdir), [], "temp files left")


def set_cell(column, value, model=None, workload="countdown"):
    """An edit: @column of the first row of @workload (under @model) is @value."""
    def edit(h, rows):
        if column not in h:
            h.append(column)
            for r in rows:
                r.append("")
        for r in rows:
            if r[h.index("workload")] == workload and \
                    (model is None or r[h.index("model")] == model):
                r[h.index(column)] = value
                return
        raise AssertionError("no %s row under %s in the fixture" % (workload, model))
    return edit


class BadCells(Case):
    """A value ptbench could not have written is bad input: exit 2, the
    column and value named, no traceback, no calibration run.
    Fuzz seed 1, case 4 (before): switch_interval_us '1e15' ended in a
    ValueError traceback, exit 1; cpu_neighbours was not capped at all (a
    crafted 100000 would start 100000 CPU-bound threads), and a start
    method, parameter or fraction ptbench refuses reached the twins."""

    CELLS = [("switch_interval_us", "1e15", "gil", "countdown"),
             ("switch_interval_us", "nan", "gil", "countdown"),
             ("switch_interval_us", "2.5", "gil", "countdown"),
             ("cpu_neighbours", "65", "gil", "countdown"),
             ("cpu_neighbours", "-1", "gil", "countdown"),
             ("workers", "100000", "gil", "countdown"),
             ("start", "`touch MARK`", "procs", "countdown"),
             ("payload", "1e15", "gil", "queue"),
             ("payload", "65M", "gil", "queue"),
             ("delay_us", "-5", "gil", "timer"),
             ("scaling", "<b>h</b>", "gil", "countdown"),
             ("sync", "every:x", "gil", "filewrite"),
             ("shared", "nan", "gil", "countdown")]

    def test_exit_2_naming_the_value(self):
        for col, val, model, wl in self.CELLS:
            with self.subTest(column=col, value=val):
                d = self.run_dir("run-%s-%d" % (col, self.CELLS.index((col, val, model, wl))),
                                 set_cell(col, val, model, wl))
                p = calibrate(QUICK + ["-w", wl, d], cwd=self.tmp,
                              env=env(TMPDIR=self.tmpdir))
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn("%s '%s'" % (col, val), p.stderr)
                self.assertClean(p)
                self.assertFalse(os.path.exists(os.path.join(d, "calibration.csv")))
                self.assertFalse(os.path.exists(os.path.join(self.tmp, "MARK")))

    def test_raw_bytes_escaped_in_the_message(self):
        d = self.run_dir(edit=set_cell("workers", "2\x1b[2J\u202e", "gil"))
        p = calibrate(QUICK + [d], env=env(TMPDIR=self.tmpdir))
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertNotIn("\x1b", p.stderr)
        self.assertIn("workers '2\\x1b[2J\\u202e'", p.stderr)
        self.assertClean(p)


class Sizes(Case):
    def test_size_spelled_with_b(self):
        """ptbench takes -p payload=1KB and records it so; the twins read
        sizes without the B. Before: every twin row of the point failed
        ("invalid literal for int(): '1KB'") and no comparison came out."""
        import csv

        def edit(h, rows):
            for r in rows:
                if r[h.index("workload")] == "queue":
                    r[h.index("payload")] = "1KB"
        d = self.run_dir(edit=edit)
        p = calibrate(QUICK + ["-w", "queue", d], env=env(TMPDIR=self.tmpdir))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertClean(p)
        with open(os.path.join(d, "calibration.csv"), newline="") as f:
            rows = list(csv.DictReader(f))
        self.assertTrue(rows)
        self.assertEqual([r["message"] for r in rows if r["status"] == "failed"], [])
        self.assertEqual({r["payload"] for r in rows}, {"1024"})
        with open(os.path.join(d, "fidelity.csv"), newline="") as f:
            fid = list(csv.DictReader(f))
        self.assertTrue(fid and all("payload=1024" in r["params"] for r in fid), fid)


class Paths(Case):
    def test_make_calibrate_keeps_results_a_path(self):
        """`make calibrate RESULTS=...`: the path reached the shell unquoted.
        Before: a space split it ("extra argument"), and a backquote in it
        ran the command (the marker appeared in the checkout)."""
        name = "a b `touch MARK1` $(touch MARK2) 'q\"#"
        d = self.run_dir(name)
        e = env(TMPDIR=self.tmpdir, PTBENCH=os.path.join(ROOT, "build", "ptbench"))
        p = run(["make", "-s", "--no-print-directory", "-o", "build/ptbench", "-C", CAL_ROOT,
                 "calibrate", "RESULTS=" + d,
                 "CALIBRATE_ARGS=" + " ".join(QUICK + ["-w", "sleep"])], cwd=self.tmp, env=e)
        try:
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertTrue(os.path.isfile(os.path.join(d, "calibration.csv")), p.stderr)
            self.assertClean(p)
            for where in (self.tmp, CAL_ROOT):
                for m in ("MARK1", "MARK2"):
                    self.assertFalse(os.path.exists(os.path.join(where, m)),
                                     "a command in RESULTS ran")
        finally:
            for m in ("MARK1", "MARK2"):
                if os.path.exists(os.path.join(CAL_ROOT, m)):
                    os.unlink(os.path.join(CAL_ROOT, m))

    def test_results_after_double_dash(self):
        """A results directory whose name begins with '-' is reachable
        after '--' (before: "unknown option")."""
        d = self.run_dir("-rf")
        p = calibrate(QUICK + ["-w", "sleep", "--", "-rf"], cwd=self.tmp,
                      env=env(TMPDIR=self.tmpdir))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(os.path.isfile(os.path.join(d, "calibration.csv")))
        self.assertClean(p)

    def test_missing_results_directory_is_not_created(self):
        """A mistyped RESULTS is bad input, exit 2. Before: calibrate made
        the whole path and ran a default calibration into it."""
        d = os.path.join(self.tmp, "typo", "run")
        p = calibrate(QUICK + ["-w", "sleep", d], cwd=self.tmp, env=env(TMPDIR=self.tmpdir))
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("no such results directory", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "typo")))
        self.assertClean(p)


class SmallFuzz(unittest.TestCase):
    """A seeded run of the fuzz over report, compare and calibrate, small
    enough for `make test`; the big run is
    `python3 tests/report/fuzz_report.py 500 13`."""

    def test_seeded_fuzz(self):
        lines = []
        counts, failures = fuzz_report.fuzz(24, 3, fuzz_report.TOOLS, lines.append,
                                            small=True)
        tools = {cmd for cmd, _ in counts}
        self.assertTrue({"report", "compare"} <= tools and tools & {"calibrate", "make-cal"},
                        "a tool the fuzz never ran: %s" % sorted(tools))
        self.assertEqual(sum(counts.values()), 24)
        self.assertEqual(failures, [], "\n".join(lines))


if __name__ == "__main__":
    unittest.main()
