# SPDX-License-Identifier: MIT
# sockrecv's CPython twin: the source material's IOTask, a worker that
# receives on its own socket with sock.settimeout() and polls a running
# flag between receives, so that clearing the flag stops it within one
# timeout. A feeder process per socket sends msg_size-byte messages (rate a
# second, 0: as fast as it can), outside this interpreter's GIL as
# ptbench's feeder runs outside its simulated one; a threading.Timer clears
# the flag after duration_ms.
"""sockrecv: receivers with a timeout and a running flag."""

import socket
import threading
import time

from common import Result, Skip, demo, die_with_parent, param_int

PARAMS = {"transport": "unix", "rate": "0", "timeout_ms": "100", "msg_size": "64",
          "duration_ms": "200"}
QUICK = {"duration_ms": "100"}
SIZE = "duration_ms"
KEY = ("transport", "rate", "timeout_ms", "msg_size")


def scale(p, n, target_s, quick):
    return max(quick, min(param_int(p, "duration_ms"), int(target_s * 1000)))


def feeder(sock, other, msg_size, rate):
    die_with_parent()
    other.close()
    msg = b"m" * msg_size
    gap = 1.0 / rate if rate > 0 else 0.0
    try:
        while True:
            sock.sendall(msg)
            if gap:
                time.sleep(gap)
    except OSError:  # the receiver closed its end: done
        pass


def pair(transport):
    if transport == "tcp":
        srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        a = socket.create_connection(srv.getsockname())
        b, _ = srv.accept()
        srv.close()
        return a, b
    return socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)


def receiver(i, sock, running, timeout_s, msg_size):
    sock.settimeout(timeout_s)
    got = 0
    while running.is_set():
        try:
            data = sock.recv(65536)
        except socket.timeout:
            continue  # look at the flag again
        if not data:
            break
        got += len(data)
    return got // msg_size


def run(m, n, p):
    if m.name == "serial":
        raise Skip("sockrecv receives until its running flag is cleared: "
                   "its workers must run at once")
    import multiprocessing
    size = param_int(p, "msg_size")
    rate = param_int(p, "rate")
    running = m.kit.Event()
    running.set()
    ends, peers = [], []
    ctx = multiprocessing.get_context(m.start)
    try:
        for _ in range(n):
            a, b = pair(p["transport"])
            f = ctx.Process(target=feeder, args=(b, a, size, rate), daemon=True)
            f.start()
            b.close()
            ends.append(a)
            peers.append(f)
        # The running flag is cleared duration_ms after the gate opens.
        stop = threading.Timer(param_int(p, "duration_ms") / 1000.0, running.clear)
        try:
            got, wall = m.run(n, receiver, lambda i: (ends[i], running,
                                                      param_int(p, "timeout_ms") / 1000.0, size),
                              at_gate=stop.start)
        finally:
            stop.cancel()
            running.clear()
        return Result(sum(got), wall)
    finally:
        for s in ends:
            s.close()
        for f in peers:
            f.join(5)
            if f.is_alive():
                f.kill()
                f.join()


if __name__ == "__main__":
    import sys
    sys.exit(demo(sys.modules[__name__]))
