# SPDX-License-Identifier: MIT
# What starting a worker costs in this CPython, in pieces, expressed in
# countdown ticks (one turn of `while n > 0: n -= 1`, what ptbench's tick
# stands for): the figures lib/pystart.c models. Standard library only.
"""startcost: CPython's Thread and Process start costs, in ticks.

usage: python3 scripts/startcost.py [N]     (N: process starts per method)
"""

import _thread
import os
import resource
import sys
import threading
import time

import multiprocessing as mp
from multiprocessing import forkserver

PAGE = os.sysconf("SC_PAGESIZE")
TCK = os.sysconf("SC_CLK_TCK")
buf = None  # the parent's pre-touched pages, made in main (not in children)


def nothing():
    pass


def countdown(n):
    while n > 0:
        n -= 1


def tick_ns():
    """ns per countdown turn, best of 5 (ptbench's lib/work.h tick)."""
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        countdown(1000000)
        best = min(best, (time.perf_counter() - t0) / 1e6 * 1e9)
    return best


def median_us(fn, n):
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    ts.sort()
    return ts[len(ts) // 2] * 1e6


def anon_kib(pid="self"):
    with open("/proc/%s/smaps_rollup" % pid) as f:
        for line in f:
            if line.startswith("Anonymous:"):
                return int(line.split()[1])
    return -1


def reaped_by(pid):
    """(minor faults, CPU s) of the reaped children of pid: proc(5) stat
    fields 11 cminflt, 16 cutime, 17 cstime."""
    with open("/proc/%d/stat" % pid) as f:
        s = f.read()
    fl = s[s.rindex(")") + 2:].split()
    return int(fl[11 - 3]), (int(fl[16 - 3]) + int(fl[17 - 3])) / TCK


def usage():
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    s = resource.getrusage(resource.RUSAGE_SELF)
    return (c.ru_minflt, c.ru_utime + c.ru_stime, s.ru_utime + s.ru_stime)


def measure(fn, n, server=None):
    """Median wall us; per start: children's faults, children's CPU us,
    this process's CPU us."""
    a = usage()
    s0 = reaped_by(server) if server else None
    wall = median_us(fn, n)
    b = usage()
    d = [(y - x) / n for x, y in zip(a, b)]
    if server:
        s1 = reaped_by(server)
        d[0], d[1] = (s1[0] - s0[0]) / n, (s1[1] - s0[1]) / n
    return wall, d[0], d[1] * 1e6, d[2] * 1e6


def thread_start():
    t = threading.Thread(target=nothing)
    t.start()
    t.join()


def raw_thread():
    # What ptbench pays in C: a thread started and joined, no Python objects.
    done = _thread.allocate_lock()
    done.acquire()
    _thread.start_new_thread(done.release, ())
    done.acquire()


def os_fork(pages, fresh):
    def go():
        pid = os.fork()
        if pid == 0:
            b = bytearray(pages * PAGE) if fresh else buf
            for i in range(pages):
                b[i * PAGE] = 2
            os._exit(0)
        os.waitpid(pid, 0)
    return go


def main():
    global buf
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    print("load1 %.2f" % os.getloadavg()[0])
    print("anon_kib %d   (this interpreter's private heap after import multiprocessing)"
          % anon_kib())
    buf = bytearray(b"\1" * (256 * PAGE))
    t = tick_ns()
    print("tick_ns %.2f" % t)
    rows = [("thread", measure(thread_start, 20 * n)), ("raw_thread", measure(raw_thread, 20 * n))]
    rows.append(("osfork", measure(os_fork(0, False), n)))
    rows.append(("osfork_cow256", measure(os_fork(256, False), n)))
    rows.append(("osfork_fresh256", measure(os_fork(256, True), n)))
    for method, m in (("fork", n), ("forkserver", max(5, n // 4)), ("spawn", max(5, n // 10))):
        ctx = mp.get_context(method)

        def proc():
            p = ctx.Process(target=nothing)
            p.start()
            p.join()
        proc()
        srv = forkserver._forkserver._forkserver_pid if method == "forkserver" else None
        if srv:
            print("server_anon_kib %d" % anon_kib(srv))
        rows.append((method, measure(proc, m, srv)))
    print("%-16s %10s %8s %12s %12s" % ("", "wall_ticks", "ch_flt", "ch_cpu_ticks",
                                         "self_cpu_ticks"))
    for name, (w, flt, ccpu, pcpu) in rows:
        print("%-16s %10.0f %8.0f %12.0f %12.0f" % (name, w * 1e3 / t, flt, ccpu * 1e3 / t,
                                                    pcpu * 1e3 / t))


if __name__ == "__main__":
    main()
