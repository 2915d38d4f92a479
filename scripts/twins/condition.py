# SPDX-License-Identifier: MIT
# condition's CPython twin: a periodic timer built on a Condition (the
# PeriodicTimer of D. Beazley and B. K. Jones, "Python Cookbook", 3rd ed.,
# recipe 12.2): a ticking thread bumps a counter and notify_all()s every
# interval; each of n waiters waits for ticks ticks and measures how late
# it woke.
"""condition: a periodic timer's tick broadcast through a Condition."""

import threading
import time

from common import Result, demo, param_int

PARAMS = {"interval_us": "1000", "ticks": "200"}
QUICK = {"ticks": "20"}
SIZE = "ticks"
KEY = ("interval_us",)


class PeriodicTimer:
    def __init__(self, m, interval):
        self.interval = interval
        self.cv = m.kit.Condition()
        self.count = m.counter(0)
        self.when = m.kit.Value("d", 0.0) if m.procs else _Box()
        self.stop = threading.Event()

    def start(self):
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        nxt = time.monotonic()
        while not self.stop.is_set():
            nxt += self.interval
            time.sleep(max(0.0, nxt - time.monotonic()))
            with self.cv:
                self.count.value += 1
                self.when.value = time.monotonic()
                self.cv.notify_all()

    def shared(self):
        # What a waiter needs, picklable for a spawned process.
        return self.cv, self.count, self.when

    def close(self):
        self.stop.set()
        self.t.join()


class _Box:
    value = 0.0


def wait_for_tick(cv, count, when):
    with cv:
        last = count.value
        while count.value == last:
            cv.wait()
        return time.monotonic() - when.value


def waiter(i, shared, ticks):
    return [wait_for_tick(*shared) for _ in range(ticks)]


def scale(p, n, target_s, quick):
    # Fixed time: each waiter waits ticks intervals (serial: one after another).
    per = param_int(p, "interval_us") / 1e6 * max(n, 1)
    return max(quick, min(param_int(p, "ticks"), int(target_s / per)))


def run(m, n, p):
    ticks = param_int(p, "ticks")
    timer = PeriodicTimer(m, param_int(p, "interval_us") / 1e6)
    timer.start()
    try:
        res, wall = m.run(n, waiter, lambda i: (timer.shared(), ticks))
    finally:
        timer.close()
    return Result(ticks * n, wall, [x for r in res for x in r])


if __name__ == "__main__":
    import sys
    sys.exit(demo(sys.modules[__name__]))
