# SPDX-License-Identifier: MIT
# filewrite's CPython twin: two threads writing lines to their own files
# (f1.txt, f2.txt), through a buffered text file (io=stdio) or os.write of
# whole blocks (io=write), with an optional fsync; the bytes are checked.
"""filewrite: each worker writes lines to its own file."""

import os
import shutil
import tempfile

from common import Result, demo, param_int

PARAMS = {"lines": "1000000", "io": "stdio", "block": "8K", "sync": "none"}
QUICK = {"lines": "2000"}
SIZE = "lines"
KEY = ("io", "sync")


def line(k):
    return "%d %s\n" % (k, "МногоБукв" if k > 500 else "МалоБукв")


def writer(i, path, lines, io, block, sync):
    every = int(sync.split(":", 1)[1]) if sync.startswith("every:") else 0
    if io == "stdio":
        with open(path, "w", encoding="utf-8", buffering=block) as f:
            for k in range(lines):
                f.write(line(k))
                if every and (k + 1) % every == 0:
                    f.flush()
                    os.fsync(f.fileno())
            if sync != "none":
                f.flush()
                os.fsync(f.fileno())
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        buf = bytearray()
        for k in range(lines):
            buf += line(k).encode("utf-8")
            if len(buf) >= block:
                _write_all(fd, bytes(buf[:block]))
                del buf[:block]
            if every and (k + 1) % every == 0:
                os.fsync(fd)
        _write_all(fd, bytes(buf))
        if sync != "none":
            os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd, data):
    while data:
        data = data[os.write(fd, data):]


def run(m, n, p):
    lines = param_int(p, "lines")
    block = param_int(p, "block") or 8192
    d = tempfile.mkdtemp(prefix="ptfw.")
    try:
        paths = [os.path.join(d, "f%d.txt" % (i + 1)) for i in range(n)]
        _, wall = m.run(n, writer, lambda i: (paths[i], lines, p["io"], block, p["sync"]))
        want = sum(len(line(k).encode("utf-8")) for k in range(lines))
        for path in paths:
            if os.path.getsize(path) != want:
                raise RuntimeError("%s: %d bytes, want %d" % (path, os.path.getsize(path), want))
        return Result(lines * n, wall)
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    import sys
    sys.exit(demo(sys.modules[__name__]))
