# SPDX-License-Identifier: MIT
# The harness every CPython twin shares: one way to run N workers under each
# model (serial, threading under the GIL, multiprocessing with a start
# method, threading in a free-threaded interpreter), a start gate, CPU-bound
# neighbours, and the figures a repetition gives. Standard library only.
"""Harness for ptbench's CPython twins (scripts/twins/*.py).

A twin module defines
  PARAMS   ptbench's parameters it honours, with ptbench's defaults (strings)
  QUICK    the small sizes (--quick)
  SIZE     the parameter scaled to fit the time budget (None: none)
  KEY      the parameters that make two points the same experiment
  run(m, n, p) -> Result   one repetition with n workers under Model m
A twin raises Skip(reason) for a point its pattern cannot run (serial for
workers that must wait on each other), as ptbench marks it `skipped`.
"""

import math
import multiprocessing
import os
import sys
import threading
import time

CHUNK = 10000  # countdown iterations between two looks at a stop flag


class Skip(Exception):
    """The point cannot run under this model (not a failure)."""


class Result:
    """One repetition: ops in wall_s seconds, optional latencies (seconds)
    and extra columns."""

    def __init__(self, ops, wall_s, lats=None, **extra):
        self.ops = ops
        self.wall_s = wall_s
        self.lats = lats or []
        self.extra = extra


def countdown(n):
    # D. Beazley's loop ("Understanding the Python GIL", PyCon 2010): the
    # unit of CPU work of every twin; ptbench's tick stands for one turn.
    while n > 0:
        n -= 1


def gil_enabled():
    # sys._is_gil_enabled() exists from 3.13 on; older builds always have one.
    probe = getattr(sys, "_is_gil_enabled", None)
    return True if probe is None else bool(probe())


def die_with_parent():
    # A child process must not outlive a killed calibration (STYLE.md):
    # prctl(PR_SET_PDEATHSIG = 1, SIGKILL = 9), Linux's prctl(2).
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, 9, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def percentile_us(lats, q):
    # Nearest rank, in microseconds, of latencies in seconds.
    if not lats:
        return None
    s = sorted(lats)
    k = max(0, min(len(s) - 1, int(math.ceil(q * len(s))) - 1))
    return s[k] * 1e6


def shares(total, n):
    # Strong scaling as ptbench splits a total: the remainder to the first.
    return [total // n + (1 if i < total % n else 0) for i in range(n)]


class Model:
    """How workers run: `serial`, `gil` (threading), `procs`
    (multiprocessing with `start`) or `ft` (threading, free-threaded
    interpreter). `kit` holds the primitives of the model: the threading
    module, or the multiprocessing context."""

    def __init__(self, name, start="fork", neighbours=0):
        self.name = name
        self.start = start
        self.neighbours = neighbours
        self.procs = name == "procs"
        if self.procs:
            self.kit = multiprocessing.get_context(start)
        else:
            self.kit = threading

    def __reduce__(self):
        # A procs worker gets the model as an argument (the spawn twin's
        # do): rebuilt from its name, whatever the start method.
        return (Model, (self.name, self.start, self.neighbours))

    def counter(self, value=0):
        """A shared integer with a lock (.value, .get_lock())."""
        if self.procs:
            return self.kit.Value("q", value)
        return _Counter(value)

    # -- what the twins call -------------------------------------------------

    def worker(self, target, args=(), name=None):
        """An unstarted worker running target(*args): a Thread or a Process
        of this model (non-daemonic, so that a process worker may start
        processes of its own, as the spawn twin's do)."""
        if self.procs:
            return self.kit.Process(target=_in_child, args=(target, args), name=name)
        return threading.Thread(target=target, args=args, name=name)

    def run(self, n, target, args_of, at_gate=None):
        """Runs target(i, *args_of(i)) for i in 0..n-1 under the model
        behind a start gate; returns (results, wall seconds from the gate's
        release to the last worker's end). Serial runs them one after
        another in this thread. at_gate() runs in this thread when the gate
        opens (a fixed-time workload starts its clock there)."""
        at_gate = at_gate or (lambda: None)
        if self.name == "serial":
            t0 = time.monotonic()
            at_gate()
            res = [target(i, *args_of(i)) for i in range(n)]
            return res, time.monotonic() - t0
        with Neighbours(self):
            if self.procs:
                return self._run_procs(n, target, args_of, at_gate)
            return self._run_threads(n, target, args_of, at_gate)

    # -- the two concurrent shapes -------------------------------------------

    def _run_threads(self, n, target, args_of, at_gate):
        gate = threading.Barrier(n + 1)
        res, ends, errs = [None] * n, [0.0] * n, []

        starts = [0.0] * n

        def body(i, args):
            try:
                gate.wait()
                starts[i] = time.monotonic()
                res[i] = target(i, *args)
            except BaseException as e:  # reported by the caller, not lost
                errs.append(e)
                gate.abort()
            ends[i] = time.monotonic()

        ts = [threading.Thread(target=body, args=(i, args_of(i)), name="worker-%d" % i)
              for i in range(n)]
        for t in ts:
            t.start()
        try:
            gate.wait()
        except threading.BrokenBarrierError:
            pass
        # The clock starts when all are released, stops when the last one
        # finishes (DESIGN.md, Execution models).
        t0 = time.monotonic()
        at_gate()
        for t in ts:
            t.join()
        if errs:
            raise errs[0]
        # The gate's release: the parent may run later than the workers.
        return res, max(ends) - min([t0] + starts)

    def _run_procs(self, n, target, args_of, at_gate):
        ctx = self.kit
        gate = ctx.Barrier(n + 1)
        out = ctx.SimpleQueue()
        ps = [ctx.Process(target=_proc_worker, args=(gate, out, i, target, args_of(i)),
                          name="worker-%d" % i)
              for i in range(n)]
        try:
            for p in ps:
                p.start()
            gate.wait(timeout=600)
            t0 = time.monotonic()
            at_gate()
            res, ends, starts, err = [None] * n, [0.0] * n, [t0], None
            got = 0
            while got < n:
                # A worker that dies without a word must not hang the parent.
                if out._reader.poll(0.2):
                    i, r, start, end, e = out.get()
                    res[i], ends[i], got = r, end, got + 1
                    starts.append(start)
                    err = err or e
                elif any(p.exitcode not in (None, 0) for p in ps):
                    bad = [p for p in ps if p.exitcode not in (None, 0)][0]
                    raise RuntimeError("%s exited with %s" % (bad.name, bad.exitcode))
            for p in ps:
                p.join()
            if err:
                raise RuntimeError(err)
            # CLOCK_MONOTONIC is system-wide on Linux: comparable across
            # processes.
            return res, max(ends) - min(starts)
        finally:
            for p in ps:
                if p.is_alive():
                    p.kill()
                if p.pid is not None:
                    p.join()


class _Counter:
    # multiprocessing.Value's interface, for threads.
    def __init__(self, value):
        self.value = value
        self._lock = threading.Lock()

    def get_lock(self):
        return self._lock


def _in_child(target, args):
    die_with_parent()
    target(*args)


def _proc_worker(gate, out, i, target, args):
    die_with_parent()
    err = None
    r = None
    start = time.monotonic()
    try:
        gate.wait()
        start = time.monotonic()
        r = target(i, *args)
    except BaseException as e:  # sent to the parent as text
        err = "worker %d: %s: %s" % (i, type(e).__name__, e)
        gate.abort()
    out.put((i, r, start, time.monotonic(), err))


# --- CPU-bound neighbours ------------------------------------------------------

def _spin(stop):
    # Beazley's countdown a chunk at a time until told to stop: a CPU-bound
    # thread beside the work (ptbench --cpu-neighbours).
    while not stop.is_set():
        countdown(CHUNK)


def _spin_proc(stop):
    die_with_parent()
    _spin(stop)


class Neighbours:
    """`with Neighbours(model):` runs model.neighbours CPU-bound workers
    beside the block: threads sharing the GIL, or processes under procs."""

    def __init__(self, model):
        self.m = model
        self.ws = []

    def __enter__(self):
        k = self.m.neighbours
        if not k:
            return self
        if self.m.procs:
            self.stop = self.m.kit.Event()
            self.ws = [self.m.kit.Process(target=_spin_proc, args=(self.stop,), daemon=True)
                       for _ in range(k)]
        else:
            self.stop = threading.Event()
            self.ws = [threading.Thread(target=_spin, args=(self.stop,), daemon=True)
                       for _ in range(k)]
        for w in self.ws:
            w.start()
        return self

    def __exit__(self, *exc):
        if self.ws:
            self.stop.set()
            for w in self.ws:
                w.join()
        return False


def demo(module, workers=2, models=("serial", "gil", "procs"), **params):
    """Runs a twin once under each model at its quick size and prints what
    it did: `python3 scripts/twins/<name>.py`."""
    p = dict(module.PARAMS)
    p.update(module.QUICK)
    p.update({k: str(v) for k, v in params.items()})
    name = os.path.splitext(os.path.basename(module.__file__))[0]
    print("%s %s" % (name, " ".join("%s=%s" % kv for kv in sorted(p.items()))))
    for mname in models:
        if mname == "gil" and not gil_enabled():
            mname = "ft"
        try:
            r = module.run(Model(mname), workers, p)
        except Skip as e:
            print("  %-6s skipped: %s" % (mname, e))
            continue
        print("  %-6s %8d ops in %.4f s: %.4g ops/s" % (mname, r.ops, r.wall_s,
                                                         r.ops / r.wall_s if r.wall_s else 0))
    return 0


def param_int(p, key):
    """An integer parameter with ptbench's K/M/G suffixes (powers of 1024)."""
    v = str(p[key]).strip()
    mult = 1
    if v[-1:] in ("K", "k", "M", "m", "G", "g"):
        mult = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[v[-1].lower()]
        v = v[:-1]
    return int(float(v) * mult) if "." in v or "e" in v.lower() else int(v) * mult


def ensure_path():
    # So that `python3 scripts/twins/x.py` and a spawned child both find the
    # sibling modules.
    here = os.path.dirname(os.path.abspath(__file__))
    if here not in sys.path:
        sys.path.insert(0, here)
