# SPDX-License-Identifier: MIT
# What an executor costs CPython per task, in countdown ticks (one turn of
# `while n > 0: n -= 1`, what ptbench's tick stands for): CPU of the owner
# process (its threads: submitter, manager, feeder, collector) and of the
# workers per task of Executor.map, tasks of `work` turns returning 64 bytes:
# the figures of workloads/pool.c's exec_cost. Standard library only.
"""poolcost: ThreadPoolExecutor and ProcessPoolExecutor per-task costs.

usage: python3 scripts/poolcost.py
"""
import concurrent.futures as cf, multiprocessing as mp, resource, sys, time, itertools
def countdown(n):
    while n > 0: n -= 1
def task(data, work, result):
    countdown(work); return b"r" * result
def tick_ns():
    best = 1e9
    for _ in range(5):
        t0 = time.perf_counter(); countdown(1000000); best = min(best, (time.perf_counter() - t0) / 1e6 * 1e9)
    return best
def cpu():
    s = resource.getrusage(resource.RUSAGE_SELF); c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime, c.ru_utime + c.ru_stime
def run(kind, n, tasks, payload, work=35):
    data = b"d" * payload
    ex = cf.ProcessPoolExecutor(n, mp_context=mp.get_context("fork")) if kind == "proc" else cf.ThreadPoolExecutor(n)
    list(ex.map(task, [b""] * n * 2, [0] * n * 2, [0] * n * 2))
    a = cpu(); t0 = time.perf_counter()
    out = list(ex.map(task, itertools.repeat(data, tasks), itertools.repeat(work, tasks), itertools.repeat(64, tasks)))
    wall = time.perf_counter() - t0; b = cpu()
    ex.shutdown(); c = cpu()
    return wall, b[0] - a[0], c[1] - a[1]
if __name__ == "__main__":
    t = tick_ns()
    print("tick_ns %.1f load %s" % (t, open("/proc/loadavg").read().split()[0]))
    for kind, payload, tasks in (("thread", 64, 20000), ("proc", 64, 4000), ("proc", 1 << 16, 2000), ("proc", 1 << 20, 300)):
        for n in (1, 2):
            w, own, ch = run(kind, n, tasks, payload)
            print("%s n=%d payload=%d: wall/task %.1f us = %.0f ticks; owner cpu/task %.0f ticks; workers cpu/task %.0f ticks" % (kind, n, payload, w / tasks * 1e6, w / tasks * 1e9 / t, own / tasks * 1e9 / t, ch / tasks * 1e9 / t))
    t0 = time.perf_counter(); [task(b"", 35, 64) for _ in range(100000)]; print("serial task %.0f ticks" % ((time.perf_counter() - t0) / 100000 * 1e9 / t))
