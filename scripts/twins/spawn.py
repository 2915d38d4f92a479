# SPDX-License-Identifier: MIT
# spawn's CPython twin: what starting a worker costs. Each worker creates
# and joins threading.Thread(target=f) in a loop, or, under procs,
# multiprocessing.Process(target=f) with the run's start method (fork,
# forkserver or spawn: a fresh interpreter). -p rss grows the parent's
# touched memory first, which fork pays for in page tables.
"""spawn: Thread against Process under each start method."""

from common import Result, demo, param_int

PARAMS = {"spawns": "500", "rss": "0"}
QUICK = {"spawns": "5"}
SIZE = "spawns"
KEY = ("rss",)


def nothing():
    pass


def spawner(i, m, spawns):
    for _ in range(spawns):
        w = m.worker(nothing)
        w.start()
        w.join()


def run(m, n, p):
    ballast = b"\1" * param_int(p, "rss")  # every page touched
    spawns = param_int(p, "spawns")
    try:
        _, wall = m.run(n, spawner, lambda i: (m, spawns))
    finally:
        del ballast
    return Result(spawns * n, wall)


if __name__ == "__main__":
    import sys
    sys.exit(demo(sys.modules[__name__], workers=1))
