# SPDX-License-Identifier: MIT
# countdown's CPython twin: D. Beazley's `while n > 0: n -= 1` ("Understanding
# the Python GIL", PyCon 2010), the total split among the workers (strong
# scaling) or the whole of it for each (weak), in threading.Thread(target=,
# args=) under the GIL, in multiprocessing.Process, or one after another.
# With ptbench's --shared > 0 the ft twin (ft.py) runs instead.
"""countdown: CPU-bound threads against the GIL."""

from common import Result, countdown, demo, param_int, shares

PARAMS = {"count": "800000000", "scaling": "strong", "shared": "0"}
QUICK = {"count": "200000"}
SIZE = "count"
KEY = ("scaling", "shared")


def count_down(i, n):
    # The worker's whole body: its share of the count.
    countdown(n)


def run(m, n, p):
    if float(p.get("shared") or 0) > 0:
        import ft
        return ft.run(m, n, p)
    total = param_int(p, "count")
    parts = shares(total, n) if p["scaling"] == "strong" else [total] * n
    _, wall = m.run(n, count_down, lambda i: (parts[i],))
    return Result(sum(parts), wall)


if __name__ == "__main__":
    import sys
    sys.exit(demo(sys.modules[__name__]))
