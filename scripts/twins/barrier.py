# SPDX-License-Identifier: MIT
# barrier's CPython twin: the horse race. n horses each take a step of 1
# to 3 a cycle and meet at a Barrier whose action, run by one of them once
# all have arrived, looks for a horse past the finish line, counts the race
# and lines them up again.
"""barrier: a Barrier(action=...) horse race."""

import functools
import random

from common import Result, Skip, demo, param_int

PARAMS = {"cycles": "20000", "track": "40"}
QUICK = {"cycles": "200"}
SIZE = "cycles"
KEY = ("track",)


def judge(pos, races, track):
    # The barrier's action: one caller, while every horse waits.
    if max(pos) >= track:
        races.value += 1
        for k in range(len(pos)):
            pos[k] = 0


def horse(i, bar, pos, cycles):
    rnd = random.Random(i)
    for _ in range(cycles):
        pos[i] += rnd.randint(1, 3)
        bar.wait()


def run(m, n, p):
    if m.name == "serial" or n < 2:
        raise Skip("barrier needs its parties waiting at once")
    cycles, track = param_int(p, "cycles"), param_int(p, "track")
    pos = m.kit.Array("i", n, lock=False) if m.procs else [0] * n
    races = m.counter(0)
    bar = m.kit.Barrier(n, action=functools.partial(judge, pos, races, track))
    _, wall = m.run(n, horse, lambda i: (bar, pos, cycles))
    if races.value < cycles * 2 // (track + 1) // 2:
        raise RuntimeError("%d races in %d cycles" % (races.value, cycles))
    return Result(cycles, wall, races=races.value)


if __name__ == "__main__":
    import sys
    sys.exit(demo(sys.modules[__name__]))
