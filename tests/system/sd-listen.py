#!/usr/bin/python3
"""sd-listen.py - a service that serves HTTP only on the socket it inherits,
the systemd way (sd_listen_fds_with_names(3)): LISTEN_PID must be its own
pid, LISTEN_FDS 1 and LISTEN_FDNAMES the socket's port, 8080; the socket is
fd 3.  It never binds one itself, so without a
handoff it exits 2 at once and the start fails.  t-switch-systemd.sh runs
it as a cutover service with socket_handoff = "systemd"."""
import os
import socket
import sys

if os.environ.get("LISTEN_PID") != str(os.getpid()) or \
        os.environ.get("LISTEN_FDS") != "1" or \
        os.environ.get("LISTEN_FDNAMES") != "8080":
    sys.exit(2)
sock = socket.socket(fileno=3)
if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) != 1:
    sys.exit(3)
BODY = (b"<!doctype html>\n<h1>Fall collection</h1>\n"
        b"<p>served by sd-listen.py on an inherited socket</p>\n")
while True:
    conn, _ = sock.accept()
    try:
        conn.settimeout(5)
        conn.recv(65536)
        conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(BODY) + BODY)
    except OSError:
        pass
    finally:
        conn.close()
