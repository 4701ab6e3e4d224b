#!/usr/bin/env python3
"""Slowloris against an HTTP listener: opens COUNT connections that each send the start of a
request head and then one more header line every TRICKLE seconds, never the blank line that ends
it. Prints "open N" once all are connected, then "closed N after S s" whenever the server has
closed more of them, and "done" when it has closed all (or after LIMIT seconds: "gave up").

    e2e/slowloris.py HOST PORT COUNT TRICKLE_SECONDS LIMIT_SECONDS
"""
import selectors
import socket
import sys
import time

host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
trickle, limit = float(sys.argv[4]), float(sys.argv[5])
start = time.monotonic()
sel = selectors.DefaultSelector()
open_socks = set()
for i in range(count):
    s = socket.create_connection((host, port), timeout=10)
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
    open_socks.add(s)
print(f"open {len(open_socks)}", flush=True)
closed = 0
next_trickle = time.monotonic() + trickle
while open_socks and time.monotonic() - start < limit:
    for key, _ in sel.select(timeout=0.1):
        s = key.fileobj
        try:
            data = s.recv(4096)
        except OSError:
            data = b""
        if not data:  # the server closed it (or answered and closed: either way, it let go)
            sel.unregister(s)
            s.close()
            open_socks.discard(s)
            closed += 1
    if time.monotonic() >= next_trickle:
        for s in list(open_socks):
            try:
                s.send(b"X-Slow: 1\r\n")
            except OSError:
                pass
        next_trickle += trickle
        print(f"closed {closed} after {time.monotonic() - start:.1f} s", flush=True)
print(f"closed {closed} after {time.monotonic() - start:.1f} s", flush=True)
print("done" if not open_socks else "gave up", flush=True)
for s in open_socks:
    s.close()
