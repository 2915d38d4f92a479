# SPDX-License-Identifier: MIT
# queue's CPython twin (named queues.py so as not to hide the standard
# library's queue module): producers put items into a Queue, consumers get
# them until they meet a sentinel, which the last producer to finish puts,
# one per consumer. Between threads a queue.Queue (or queue.PriorityQueue)
# passes references; between processes a multiprocessing.Queue pickles
# every item and a feeder thread writes it into a pipe. Each item carries
# payload bytes, and every byte is checked on arrival.
"""queue: producers and consumers through a Queue, stopped by a sentinel."""

import queue
import time

from common import Result, Skip, demo, param_int

PARAMS = {"kind": "fifo", "maxsize": "16", "items": "100000", "producers": "0",
          "payload": "64"}
QUICK = {"items": "2000"}
SIZE = "items"
KEY = ("kind", "maxsize", "producers", "payload")
DONE = None       # the FIFO sentinel
LAST = 8          # priorities are 0-7; sentinels come after every item


def producer(i, q, left, nitems, nconsumers, data, prio):
    for k in range(nitems):
        if prio:
            q.put((k % 8, time.perf_counter(), data))
        else:
            q.put((time.perf_counter(), data))
    with left.get_lock():
        left.value -= 1
        last = left.value == 0
    if last:
        for j in range(nconsumers):
            # Distinct, so that sentinels never compare their DONE.
            q.put((LAST, float(j), DONE) if prio else (0.0, DONE))


def consumer(i, q, want, prio):
    lats, got = [], 0
    while True:
        item = q.get()
        t, data = item[-2], item[-1]
        if data is DONE:
            return lats, got
        lats.append(time.perf_counter() - t)
        if data != want:
            raise RuntimeError("item %d arrived damaged" % got)
        got += 1


def role(i, nprod, *args):
    # The first nprod workers put, the rest get.
    prod, cons = args
    return producer(i, *prod) if i < nprod else consumer(i, *cons)


def run(m, n, p):
    if m.name == "serial" or n < 2:
        raise Skip("queue's producers and consumers must run at once")
    prio = p["kind"] == "priority"
    if prio and m.procs:
        raise Skip("multiprocessing has no PriorityQueue")
    items, size = param_int(p, "items"), param_int(p, "maxsize")
    nprod = param_int(p, "producers") or n // 2
    nprod = max(1, min(nprod, n - 1))
    ncons = n - nprod
    if m.procs:
        q = m.kit.Queue(size)
    else:
        q = queue.PriorityQueue(size) if prio else queue.Queue(size)
    data = bytes(range(256)) * (param_int(p, "payload") // 256) + \
        bytes(range(param_int(p, "payload") % 256))
    left = m.counter(nprod)
    per = [items // nprod + (1 if i < items % nprod else 0) for i in range(nprod)]
    res, wall = m.run(n, role, lambda i: (
        nprod, (q, left, per[i] if i < nprod else 0, ncons, data, prio), (q, data, prio)))
    got = sum(r[1] for r in res[nprod:])
    if got != items:
        raise RuntimeError("%d items arrived, %d were put" % (got, items))
    return Result(items, wall, [x for r in res[nprod:] for x in r[0]])


if __name__ == "__main__":
    import sys
    sys.exit(demo(sys.modules[__name__]))
