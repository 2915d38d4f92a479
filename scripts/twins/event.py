# SPDX-License-Identifier: MIT
# event's CPython twin: a token passed round a ring of Events (with two
# workers, a ping-pong: each sets the other's Event and waits on its own),
# or worker 0 setting one Event that the n-1 others wait on (wake-all),
# re-armed through a Barrier.
"""event: Event ping-pong and wake-all."""

import time

from common import Result, Skip, demo, param_int

PARAMS = {"pattern": "pingpong", "rounds": "10000"}
QUICK = {"rounds": "200"}
SIZE = "rounds"
KEY = ("pattern",)


def ring(i, mine, nxt, rounds):
    lats = []
    for _ in range(rounds):
        if i == 0:
            t0 = time.perf_counter()
            nxt.set()          # ping
            mine.wait()        # pong
            mine.clear()
            lats.append(time.perf_counter() - t0)
        else:
            mine.wait()
            mine.clear()
            nxt.set()
    return lats


def wake_all(i, go, bar, rounds):
    lats = []
    for _ in range(rounds):
        if i == 0:
            t0 = time.perf_counter()
            go.set()           # wakes every waiter at once
            bar.wait()         # all of them are awake
            lats.append(time.perf_counter() - t0)
            go.clear()
            bar.wait()         # re-armed before the next round
        else:
            go.wait()
            bar.wait()
            bar.wait()
    return lats


def run(m, n, p):
    if m.name == "serial" or n < 2:
        raise Skip("event needs its workers waiting on each other at once")
    rounds = param_int(p, "rounds")
    if p["pattern"] == "wakeall":
        go, bar = m.kit.Event(), m.kit.Barrier(n)
        res, wall = m.run(n, wake_all, lambda i: (go, bar, rounds))
    else:
        evs = [m.kit.Event() for _ in range(n)]
        res, wall = m.run(n, ring, lambda i: (evs[i], evs[(i + 1) % n], rounds))
    lats = res[0]
    return Result(rounds, wall, lats)


if __name__ == "__main__":
    import sys
    sys.exit(demo(sys.modules[__name__]))
