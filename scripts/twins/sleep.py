# SPDX-License-Identifier: MIT
# sleep's CPython twin: five MyThreads sleeping 2 s end after 2 s, not 10:
# time.sleep releases the GIL, so sleeping threads overlap; one after
# another they add up.
"""sleep: threads that only wait overlap, under the GIL too."""

import time

from common import Result, demo, param_int

PARAMS = {"ms": "100"}
QUICK = {"ms": "20"}
SIZE = "ms"
KEY = ()


def nap(i, seconds):
    time.sleep(seconds)


def scale(p, n, target_s, quick):
    # Fixed time: serial sleeps n times ms.
    return max(quick, min(param_int(p, "ms"), int(target_s * 1000 / max(n, 1))))


def run(m, n, p):
    s = param_int(p, "ms") / 1000.0
    _, wall = m.run(n, nap, lambda i: (s,))
    return Result(n, wall)


if __name__ == "__main__":
    import sys
    sys.exit(demo(sys.modules[__name__], workers=5))
