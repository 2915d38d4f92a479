# SPDX-License-Identifier: MIT
# semaphore's CPython twin: worker 0 hands a resource, a Semaphore, to one
# of the n-1 waiting workers at a time, and waits until that one is done
# with it before releasing it again; the handoff latency is release to
# acquire.
"""semaphore: a Semaphore releasing one of N waiters at a time."""

import time

from common import Result, Skip, demo, param_int

PARAMS = {"handoffs": "20000"}
QUICK = {"handoffs": "200"}
SIZE = "handoffs"
KEY = ()


def worker(i, sem, done, stop, when, handoffs, waiters):
    if i == 0:
        lats = []
        for _ in range(handoffs):
            when.value = time.perf_counter()
            sem.release()          # one waiter gets it
            done.acquire()         # it is done with the resource
            lats.append(when.value)
        stop.set()
        for _ in range(waiters):
            sem.release()          # wake everyone to see the flag
        return lats
    while True:
        sem.acquire()
        if stop.is_set():
            return None
        when.value = time.perf_counter() - when.value
        done.release()


def run(m, n, p):
    if m.name == "serial" or n < 2:
        raise Skip("semaphore needs its waiters blocked while worker 0 releases")
    handoffs = param_int(p, "handoffs")
    sem, done, stop = m.kit.Semaphore(0), m.kit.Semaphore(0), m.kit.Event()
    when = m.kit.Value("d", 0.0) if m.procs else _Box()
    res, wall = m.run(n, worker, lambda i: (sem, done, stop, when, handoffs, n - 1))
    return Result(handoffs, wall, res[0])


class _Box:
    value = 0.0


if __name__ == "__main__":
    import sys
    sys.exit(demo(sys.modules[__name__]))
