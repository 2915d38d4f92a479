# SPDX-License-Identifier: MIT
# timer's CPython twin: each worker starts threading.Timers due after
# delay_us, a batch at a time, cancels cancel_pct of them right after they
# start, and joins them; a Timer that fires measures how late it is. A
# cancelled Timer that fires anyway was cancelled too late (the source
# material's point: cancel works only while the Timer is still waiting).
"""timer: Timers with cancel."""

import threading
import time

from common import Result, demo, param_int

PARAMS = {"timers": "1000", "delay_us": "1000", "cancel_pct": "25", "batch": "10"}
QUICK = {"timers": "40"}
SIZE = "timers"
KEY = ("delay_us", "cancel_pct", "batch")


def fired(due, log, k):
    log.append((k, time.monotonic() - due))


def starter(i, timers, delay, cancel_pct, batch):
    log, cancelled = [], set()
    k = 0
    while k < timers:
        pending = []
        for _ in range(min(batch, timers - k)):
            t = threading.Timer(delay, fired, args=(time.monotonic() + delay, log, k))
            t.start()
            # Spread the cancelled ones evenly: cancel_pct of every 100.
            if (k * cancel_pct) // 100 != ((k + 1) * cancel_pct) // 100:
                t.cancel()
                cancelled.add(k)
            pending.append(t)
            k += 1
        for t in pending:
            t.join()
    late = sum(1 for j, _ in log if j in cancelled)
    return [d for j, d in log if j not in cancelled], late


def run(m, n, p):
    timers = param_int(p, "timers")
    res, wall = m.run(n, starter, lambda i: (timers, param_int(p, "delay_us") / 1e6,
                                            param_int(p, "cancel_pct"), param_int(p, "batch")))
    return Result(timers * n, wall, [x for r in res for x in r[0]],
                  cancel_late=sum(r[1] for r in res))


if __name__ == "__main__":
    import sys
    sys.exit(demo(sys.modules[__name__]))
