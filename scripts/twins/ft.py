# SPDX-License-Identifier: MIT
# ft's CPython twin: what free-threaded CPython (3.13t/3.14t) pays when
# threads touch one shared object instead of objects of their own. Biased
# reference counting makes the owner's updates plain and every other
# thread's atomic (PEP 703, "Biased reference counting"); CPython's
# Tools/ftscalingbench measures the same contrast (a shared instance's
# attribute read by all threads, gh-139103; a shared object's method called
# from all threads, gh-123619). ptbench's --shared FRACTION is the share of
# the ticks that touch the shared object; the others touch the worker's own.
# Meant for a free-threaded interpreter: under a GIL the threads never run
# at once, so there is nothing to contend.
"""ft: a shared object touched by every thread against per-thread objects."""

from common import Result, demo, param_int, shares

PARAMS = {"count": "800000000", "scaling": "strong", "shared": "1"}
QUICK = {"count": "200000"}
SIZE = "count"
KEY = ("scaling", "shared")
BLOCK = 1000  # ticks between two changes of object, so the mix is even


class Tally:
    """The object a tick touches: one attribute read and written."""

    def __init__(self):
        self.hits = 0


def touch(n, obj):
    # One countdown turn plus one attribute update of obj per tick.
    while n > 0:
        n -= 1
        obj.hits += 1


def worker(i, n, frac, shared):
    own = Tally()
    on_shared = int(round(BLOCK * frac))
    while n > 0:
        b = min(BLOCK, n)
        s = min(on_shared, b)
        touch(s, shared)
        touch(b - s, own)
        n -= b


def run(m, n, p):
    total = param_int(p, "count")
    frac = min(1.0, max(0.0, float(p.get("shared") or 0)))
    parts = shares(total, n) if p.get("scaling", "strong") == "strong" else [total] * n
    # Under procs every process gets its own copy: nothing is shared.
    shared = Tally()
    _, wall = m.run(n, worker, lambda i: (parts[i], frac, shared))
    return Result(sum(parts), wall)


if __name__ == "__main__":
    import sys
    sys.exit(demo(sys.modules[__name__], models=("serial", "gil")))
