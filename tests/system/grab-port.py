#!/usr/bin/python3
"""grab-port.py - the second audit's grabber (issue 28, finding 1).

Usage: grab-port.py PORT SECONDS OUT

Run as the caller (deploy): tries to bind PORT on [::] (dual-stack) and
on 0.0.0.0, over and over, a pause of 0.2 ms between tries, for SECONDS.
The moment one bind succeeds it listens, writes "grabbed PORT" to OUT and
serves "hijacked by deploy" to every connection until SECONDS have
passed.  Otherwise it writes "never PORT TRIES ERRNO-COUNTS" to OUT.
SIGTERM ends it early, the same way.
"""
import collections
import errno
import signal
import socket
import sys
import time

port, seconds, out = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
end = time.monotonic() + seconds
errors = collections.Counter()
tries = 0


def stop(_signo, _frame):
    """SIGTERM: end now, and say what happened."""
    global end
    end = 0


signal.signal(signal.SIGTERM, stop)


def attempt(family, host):
    s = socket.socket(family, socket.SOCK_STREAM)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind((host, port))
        s.listen(64)
        return s
    except OSError as e:
        errors[errno.errorcode.get(e.errno, str(e.errno))] += 1
        s.close()
        return None


grabbed = None
while grabbed is None and time.monotonic() < end:
    tries += 1
    grabbed = attempt(socket.AF_INET6, "::") or attempt(socket.AF_INET, "0.0.0.0")
    if grabbed is None:
        time.sleep(0.0002)
with open(out, "w") as f:
    if grabbed is None:
        f.write("never %d %d %s\n" % (port, tries, dict(errors)))
        sys.exit(0)
    f.write("grabbed %d\n" % port)
grabbed.settimeout(0.2)
while time.monotonic() < end:
    try:
        c, _ = grabbed.accept()
    except OSError:
        continue
    c.sendall(b"HTTP/1.0 200 OK\r\n\r\nhijacked by deploy: Fall collection\n")
    c.close()
