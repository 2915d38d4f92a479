# SPDX-License-Identifier: MIT
# convoy's CPython twin: worker 0 makes 16-byte round trips (sendall, then
# recv) with an echo peer in another process, so that the peer never
# competes for this interpreter's GIL, while workers 1..n-1 count down.
# Under the GIL every blocking call gives the GIL up and must queue to get
# it back behind a CPU-bound thread: the convoy effect (V. Skvortsov,
# "Python behind the scenes #13: the GIL and its effects on Python
# multithreading", 2021; D. Beazley, "Understanding the Python GIL", 2010).
"""convoy: an I/O thread beside CPU-bound threads."""

import multiprocessing
import socket
import time

from common import CHUNK, Result, Skip, countdown, demo, die_with_parent, param_int

PARAMS = {"duration_ms": "300"}
QUICK = {"duration_ms": "100"}
SIZE = "duration_ms"
KEY = ()
MSG = 16  # bytes a request, as workloads/convoy.c


def scale(p, n, target_s, quick):
    return max(quick, min(param_int(p, "duration_ms"), int(target_s * 1000)))


def echo(peer, other):
    die_with_parent()
    other.close()
    try:
        while True:
            data = peer.recv(MSG)
            if not data:
                break
            peer.sendall(data)
    except OSError:
        pass


def recv_exactly(sock, n):
    got = b""
    while len(got) < n:
        d = sock.recv(n - len(got))
        if not d:
            raise OSError("echo peer closed the socket")
        got += d
    return got


def worker(i, sock, stop, seconds):
    if i > 0:
        while not stop.is_set():   # CPU-bound, a chunk at a time
            countdown(CHUNK)
        return None
    req = b"p" * MSG
    lats = []
    try:
        t0 = now = time.perf_counter()
        while now - t0 < seconds:
            sock.sendall(req)
            recv_exactly(sock, MSG)
            t1 = time.perf_counter()
            lats.append(t1 - now)
            now = t1
    finally:
        stop.set()
    return lats, now - t0


def run(m, n, p):
    if m.name == "serial":
        raise Skip("convoy needs its workers to run at once")
    sock, peer = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    ctx = multiprocessing.get_context(m.start)
    peer_p = ctx.Process(target=echo, args=(peer, sock), daemon=True)
    peer_p.start()
    peer.close()
    try:
        sock.sendall(b"p" * MSG)   # the peer answers before the clock starts
        recv_exactly(sock, MSG)
        stop = m.kit.Event()
        res, _ = m.run(n, worker, lambda i: (sock, stop, param_int(p, "duration_ms") / 1000.0))
    finally:
        sock.close()
        peer_p.join(5)
        if peer_p.is_alive():
            peer_p.kill()
            peer_p.join()
    lats, elapsed = res[0]
    if not lats:
        raise RuntimeError("no round trip")
    # A fixed time: the rate is worker 0's round trips over its own time.
    return Result(len(lats), elapsed, lats)


if __name__ == "__main__":
    import sys
    sys.exit(demo(sys.modules[__name__]))
