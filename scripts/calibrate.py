# SPDX-License-Identifier: MIT
# Runs ptbench's countdown and convoy experiments in a real CPython (standard
# library only, Python 3.8+) and writes the repetitions as rows with
# results.csv's columns plus `interpreter`, for scripts/fidelity.sh to compare.
"""Calibration of ptbench's simulated GIL against this interpreter.

countdown: D. Beazley's `while n > 0: n -= 1` ("Understanding the Python
GIL", PyCon 2010), the total split among 1..N workers, run one share after
another (cpython-seq), in threading.Thread (cpython-threads, or
cpython-ft-threads under a free-threaded build) and in fork()ed
multiprocessing.Process (cpython-procs).

convoy: the main thread makes 16-byte round trips (sendall, then recv) with
an echo peer in another process, so that the peer never competes for this
interpreter's GIL, as ptbench's echo peer runs outside its simulated GIL;
next to k = 0..3 CPU-bound countdown threads (or processes), at each switch
interval (sys.setswitchinterval). V. Skvortsov, "Python behind the scenes
#13: the GIL and its effects on Python multithreading" (2021).
"""

import argparse
import csv
import math
import multiprocessing
import os
import platform
import socket
import sys
import threading
import time

MSG = 16            # bytes per request, as workloads/convoy.c
CHUNK = 10000       # countdown iterations between two looks at the stop flag
TARGET_SEQ_S = 0.7  # auto count: sequential countdown takes about this long


def countdown(n):
    # The loop under test; keep it exactly Beazley's.
    while n > 0:
        n -= 1


def gil_enabled():
    # sys._is_gil_enabled() exists from 3.13 on; older builds always have it.
    probe = getattr(sys, "_is_gil_enabled", None)
    return True if probe is None else bool(probe())


def interpreter_name():
    name = "%s %s" % (platform.python_implementation(), platform.python_version())
    if not gil_enabled():
        name += " free-threaded"
    return name


def auto_workers():
    # As ptbench's `-n auto`: 1, 2, 4, ... up to the CPU count, and that count.
    ncpu = os.cpu_count() or 1
    out, n = [], 1
    while n < ncpu:
        out.append(n)
        n *= 2
    out.append(ncpu)
    return out


def parse_list(text, name):
    try:
        vals = [int(v) for v in text.split(",")]
    except ValueError:
        raise SystemExit("calibrate.py: bad %s '%s'" % (name, text))
    if not vals or min(vals) < 0:
        raise SystemExit("calibrate.py: bad %s '%s'" % (name, text))
    return vals


def shares(total, n):
    # Strong scaling, as countdown.c's share_of(): the remainder to the first.
    return [total // n + (1 if i < total % n else 0) for i in range(n)]


def mp_context():
    # fork keeps the child's start-up out of the timed region and needs no
    # importable __main__; it is the Linux default before 3.14.
    try:
        return multiprocessing.get_context("fork")
    except ValueError:
        return multiprocessing.get_context()


def die_with_parent():
    # A forked child must not outlive a killed calibration (STYLE.md: forked
    # workers never outlive the driver): PR_SET_PDEATHSIG (1) with SIGKILL,
    # Linux's prctl(2); elsewhere nothing to do, best effort.
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, 9, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def percentile(sorted_ns, q):
    # Nearest rank, in microseconds.
    if not sorted_ns:
        return float("nan")
    k = max(0, min(len(sorted_ns) - 1, int(math.ceil(q * len(sorted_ns))) - 1))
    return sorted_ns[k] / 1e3


# --- countdown ---------------------------------------------------------------

def cd_seq(parts):
    t0 = time.monotonic()
    for p in parts:
        countdown(p)
    return time.monotonic() - t0


def cd_threads(parts):
    ends = [0.0] * len(parts)
    ready = threading.Barrier(len(parts) + 1)
    go = threading.Event()

    def body(i):
        ready.wait()
        go.wait()
        countdown(parts[i])
        ends[i] = time.monotonic()

    ts = [threading.Thread(target=body, args=(i,)) for i in range(len(parts))]
    for t in ts:
        t.start()
    ready.wait()
    # The start gate: the clock starts when all are released, stops when the
    # last one finishes (DESIGN.md, Execution models).
    t0 = time.monotonic()
    go.set()
    for t in ts:
        t.join()
    return max(ends) - t0


def _cd_child(i, part, ready, go, ends):
    die_with_parent()
    ready.wait()
    go.wait()
    countdown(part)
    # CLOCK_MONOTONIC is system-wide on Linux: comparable across processes.
    ends[i] = time.monotonic()


def cd_procs(parts):
    ctx = mp_context()
    ends = ctx.RawArray("d", len(parts))
    ready = ctx.Barrier(len(parts) + 1)
    go = ctx.Event()
    ps = [ctx.Process(target=_cd_child, args=(i, p, ready, go, ends), daemon=True)
          for i, p in enumerate(parts)]
    for p in ps:
        p.start()
    ready.wait()
    t0 = time.monotonic()
    go.set()
    for p in ps:
        p.join()
    bad = [p.exitcode for p in ps if p.exitcode != 0]
    if bad:
        raise RuntimeError("worker process exited with %s" % bad[0])
    return max(ends) - t0


# --- convoy ------------------------------------------------------------------

def _echo(peer, other):
    # The echo peer, in its own process and so outside this GIL.
    die_with_parent()
    other.close()
    try:
        while True:
            data = peer.recv(MSG)
            if not data:
                break
            peer.sendall(data)
    except OSError:
        pass
    os._exit(0)


def _spin(stop, counts, i, go):
    # A CPU-bound companion: Beazley's countdown, a chunk at a time, until
    # told to stop.
    go.wait()
    c = 0
    while not stop[0]:
        n = CHUNK
        while n > 0:
            n -= 1
        c += CHUNK
    counts[i] = c


def _spin_proc(stop, counts, i, go, sock):
    die_with_parent()
    sock.close()  # so that the echo peer sees the end when the client closes
    _spin(stop, counts, i, go)


def convoy_point(companions, k, duration):
    """One repetition: returns (round trips, elapsed s, latencies ns sorted,
    companion iterations/s or None)."""
    ctx = mp_context()
    sock, peer = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    echo = ctx.Process(target=_echo, args=(peer, sock), daemon=True)
    echo.start()
    peer.close()
    comp = []
    if companions == "procs":
        stop, counts, go = ctx.RawArray("b", 1), ctx.RawArray("d", max(k, 1)), ctx.Event()
        comp = [ctx.Process(target=_spin_proc, args=(stop, counts, i, go, sock), daemon=True)
                for i in range(k)]
    else:
        stop, counts, go = [False], [0.0] * max(k, 1), threading.Event()
        comp = [threading.Thread(target=_spin, args=(stop, counts, i, go))
                for i in range(k)]
    for c in comp:
        c.start()
    req = b"p" * MSG
    lats = []
    n = 0
    err = None
    try:
        # One round trip before the gate, so the peer is known to answer.
        sock.sendall(req)
        got = 0
        while got < MSG:
            d = sock.recv(MSG - got)
            if not d:
                raise OSError("echo peer closed the socket")
            got += len(d)
        go.set()
        t0 = time.perf_counter_ns()
        deadline = t0 + int(duration * 1e9)
        now = t0
        while now < deadline:
            # As convoy.c's worker 0: send, then receive, each a blocking call
            # that releases the GIL and takes it back.
            sock.sendall(req)
            got = 0
            while got < MSG:
                d = sock.recv(MSG - got)
                if not d:
                    raise OSError("echo peer closed the socket")
                got += len(d)
            t1 = time.perf_counter_ns()
            lats.append(t1 - now)
            now = t1
            n += 1
        elapsed = (now - t0) / 1e9
    except OSError as e:
        err = e
        elapsed = 0.0
    finally:
        go.set()
        stop[0] = True
        for c in comp:
            c.join()
        sock.close()
        echo.join(5)
        if echo.is_alive():
            echo.kill()
            echo.join()
    if err is not None:
        raise RuntimeError("round trip: %s" % err)
    cpu = sum(counts[:k]) / elapsed if k and elapsed > 0 else None
    lats.sort()
    return n, elapsed, lats, cpu


# --- driver ------------------------------------------------------------------

def fmt(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return "" if not math.isfinite(v) else "%.9g" % v
    return str(v)


class Out:
    def __init__(self, header, interp, path):
        self.cols = header
        self.interp = interp
        self.f = open(path, "w", newline="")
        self.w = csv.writer(self.f, lineterminator="\n")

    def row(self, **kv):
        kv["interpreter"] = self.interp
        # Only columns results.csv has; the rest stay empty.
        self.w.writerow([fmt(kv.get(c)) for c in self.cols + ["interpreter"]])
        self.f.flush()

    def close(self):
        self.f.close()


def say(args, msg):
    if not args.quiet:
        print("calibrate: " + msg, file=sys.stderr, flush=True)


def size_count(args):
    if args.count:
        return args.count
    if args.quick:
        return 1000000
    probe = 2000000
    best = min(cd_seq([probe]) for _ in range(2))
    count = TARGET_SEQ_S * probe / max(best, 1e-6)
    mag = 10 ** int(math.floor(math.log10(count)) - 1)
    return int(round(count / mag) * mag)


def run_countdown(args, out, tmodel, gil_us):
    total = size_count(args)
    say(args, "countdown: %d iterations in all, workers %s, %d repetition(s)"
        % (total, ",".join(map(str, args.workers)), args.repeat))
    runs = [("cpython-seq", cd_seq), (tmodel, cd_threads)]
    if not args.threads_only:
        runs.append(("cpython-procs", cd_procs))
    cd_seq([total // 10])  # warm-up, not recorded
    for rep in range(args.rep_base, args.rep_base + args.repeat):
        for n in args.workers:
            for model, fn in runs:
                base = dict(workload="countdown", model=model, workers=n, bind="none",
                            rep=rep, count=total, scaling="strong")
                if model == "cpython-threads":
                    base["switch_interval_us"] = gil_us
                try:
                    wall = fn(shares(total, n))
                    out.row(status="ok", wall_s=wall, ops=total, ops_per_s=total / wall,
                            **base)
                except Exception as e:  # a failed point is a row, not a crash
                    out.row(status="failed", message=str(e), **base)
                say(args, "countdown %-17s n=%-3d rep %d" % (model, n, rep))


def run_convoy(args, out, tmodel):
    say(args, "convoy: %g s a point, %s CPU-bound companions, intervals %s us"
        % (args.duration, ",".join(map(str, args.companions)),
           ",".join(map(str, args.intervals))))
    # (model, companion kind, switch interval or None)
    plan = []
    if gil_enabled():
        plan += [(tmodel, "threads", us) for us in args.intervals]
    else:
        plan.append((tmodel, "threads", None))  # no GIL: no interval to vary
    if not args.threads_only:
        plan.append(("cpython-procs", "procs", None))
    default = sys.getswitchinterval()
    for rep in range(args.rep_base, args.rep_base + args.repeat):
        for model, kind, us in plan:
            for k in args.companions:
                sys.setswitchinterval(us / 1e6 if us else default)
                base = dict(workload="convoy", model=model, workers=k + 1, bind="none",
                            rep=rep, switch_interval_us=us,
                            duration_ms=int(round(args.duration * 1000)))
                try:
                    n, el, lats, cpu = convoy_point(kind, k, args.duration)
                    if n == 0:
                        raise RuntimeError("no round trip in %.0f ms" % (el * 1e3))
                    out.row(status="ok", wall_s=el, ops=n, ops_per_s=n / el,
                            lat_p50_us=percentile(lats, 0.50),
                            lat_p99_us=percentile(lats, 0.99), cpu_ops_per_s=cpu, **base)
                except Exception as e:
                    out.row(status="failed", message=str(e), **base)
                finally:
                    sys.setswitchinterval(default)
                say(args, "convoy %-17s k=%d interval=%s rep %d"
                    % (model, k, us if us else "-", rep))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--header", help="a CSV file whose first line is results.csv's header")
    ap.add_argument("--out", help="rows are written here, no header")
    ap.add_argument("--quick", action="store_true", help="small sizes, for tests")
    ap.add_argument("-r", "--repeat", type=int, help="repetitions (default 3, quick 1)")
    ap.add_argument("-n", "--workers", default="auto", help="countdown workers: LIST or auto")
    ap.add_argument("--count", type=int, default=0,
                    help="countdown total (default: sized for ~%g s sequential)" % TARGET_SEQ_S)
    ap.add_argument("--duration", type=float, help="convoy seconds a point (default 1, quick 0.1)")
    ap.add_argument("--companions", default="0,1,2,3", help="convoy CPU-bound companions")
    ap.add_argument("--intervals", default="5000,1000,100", help="switch intervals, us")
    ap.add_argument("-w", "--workloads", default="countdown,convoy")
    ap.add_argument("--threads-only", action="store_true",
                    help="no process model (for a second, free-threaded interpreter)")
    ap.add_argument("--rep-base", type=int, default=0, help="number of the first repetition")
    ap.add_argument("--print-plan", action="store_true",
                    help="print 'COUNT WORKERS' (the countdown total and worker list) and exit")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args()

    args.repeat = args.repeat or (1 if args.quick else 3)
    args.duration = args.duration or (0.1 if args.quick else 1.0)
    args.workers = auto_workers() if args.workers == "auto" else parse_list(args.workers, "workers")
    args.companions = parse_list(args.companions, "companions")
    args.intervals = parse_list(args.intervals, "intervals")
    if args.repeat < 1 or args.duration <= 0 or 0 in args.workers or 0 in args.intervals:
        raise SystemExit("calibrate.py: repeat, duration, workers and intervals must be > 0")
    if args.print_plan:
        print(size_count(args), ",".join(map(str, args.workers)))
        return
    wls = args.workloads.split(",")
    for w in wls:
        if w not in ("countdown", "convoy"):
            raise SystemExit("calibrate.py: unknown workload '%s'" % w)

    if not args.header or not args.out:
        raise SystemExit("calibrate.py: --header and --out are needed")
    with open(args.header, newline="") as f:
        header = next(csv.reader(f), None)
    if not header or header[:2] != ["workload", "model"]:
        raise SystemExit("calibrate.py: %s: no results.csv header" % args.header)
    if "interpreter" in header:
        header = header[:header.index("interpreter")]

    tmodel = "cpython-threads" if gil_enabled() else "cpython-ft-threads"
    gil_us = int(round(sys.getswitchinterval() * 1e6)) if gil_enabled() else None
    out = Out(header, interpreter_name(), args.out)
    say(args, "%s (%s), %s" % (interpreter_name(), sys.executable,
                               "GIL" if gil_enabled() else "no GIL"))
    try:
        if "countdown" in wls:
            run_countdown(args, out, tmodel, gil_us)
        if "convoy" in wls:
            run_convoy(args, out, tmodel)
    finally:
        out.close()


if __name__ == "__main__":
    main()
