# SPDX-License-Identifier: MIT
# pool's CPython twin: the concurrent.futures pattern. A pool of n workers,
# started before the clock, runs `tasks` tasks through Executor.map with
# `chunksize`; each task carries `payload` bytes in, counts down `work`
# times (a tick of ptbench stands for one turn) and returns `result` bytes.
# ThreadPoolExecutor passes references; ProcessPoolExecutor pickles the
# arguments and results through its call and result queues
# (Lib/concurrent/futures/process.py).
"""pool: ThreadPoolExecutor against ProcessPoolExecutor."""

import concurrent.futures as cf
import itertools
import time

from common import Neighbours, Result, countdown, demo, param_int

PARAMS = {"tasks": "0", "work": "3500", "payload": "64", "result": "64",
          "chunksize": "1"}
QUICK = {"tasks": "50"}
SIZE = "tasks"
KEY = ("work", "payload", "result", "chunksize")


def task(data, work, result):
    countdown(work)
    return b"r" * result


TICK_S = 28e-9  # a countdown turn in CPython 3.11 here, as ptbench's tick (lib/work.h)


def auto_tasks(work):
    # tasks=0, as ptbench's pool: about 20 ms of ideal work, 10 to 4000 tasks.
    return max(10, min(4000, int(0.02 / (max(work, 1) * TICK_S))))


def run(m, n, p):
    tasks, work = param_int(p, "tasks"), param_int(p, "work")
    tasks = tasks if tasks > 0 else auto_tasks(work)
    result, chunk = param_int(p, "result"), max(1, param_int(p, "chunksize"))
    data = b"d" * param_int(p, "payload")
    args = (itertools.repeat(data, tasks), itertools.repeat(work, tasks),
            itertools.repeat(result, tasks))
    if m.name == "serial":
        t0 = time.monotonic()
        out = [task(*a) for a in zip(*args)]
        wall = time.monotonic() - t0
    else:
        if m.procs:
            ex = cf.ProcessPoolExecutor(max_workers=n, mp_context=m.kit)
        else:
            ex = cf.ThreadPoolExecutor(max_workers=n)
        with ex, Neighbours(m):
            # Start every worker before the clock, as ptbench's pool does.
            list(ex.map(task, [b""] * n * 2, [0] * n * 2, [0] * n * 2))
            t0 = time.monotonic()
            out = list(ex.map(task, *args, chunksize=chunk))
            wall = time.monotonic() - t0
    if len(out) != tasks or any(len(r) != result for r in out):
        raise RuntimeError("results lost or damaged")
    return Result(tasks, wall)


if __name__ == "__main__":
    import sys
    sys.exit(demo(sys.modules[__name__]))
