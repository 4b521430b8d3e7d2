#!/usr/bin/python3
"""pass-socket.py - a port holder that passes its listening socket on to
another process (SCM_RIGHTS), for t-attack-sidekick.sh (issue 28, item 3:
the sockets a switch hands over stay its services').

  pass-socket.py hold PORT PATH [--exit]
      listen on [::]:PORT (IPv4 too); on SIGUSR1 connect to the Unix
      socket PATH and send it the listening socket; with --exit, then exit
      (a "graceful stop" that leaves its socket behind), else hold on.
  pass-socket.py take PATH
      listen on the Unix socket PATH, take the one listening socket sent
      to it, and hold it, answering each connection on it with a page of
      its own, until killed (SIGTERM).  Once accept() fails (the socket
      was shut down under it) it holds the socket on, idle, to show that
      holding it is not enough.

Only the standard library; stdio is whatever the test gives it.
"""
import os
import signal
import socket
import sys


def hold(port, path, exit_after):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", port))
    s.listen(64)

    def pass_on(signum, frame):
        u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        u.connect(path)
        socket.send_fds(u, [b"s"], [s.fileno()])
        u.close()
        if exit_after:
            os._exit(0)

    signal.signal(signal.SIGUSR1, pass_on)
    while True:
        signal.pause()


def take(path):
    u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    u.bind(path)
    u.listen(1)
    c, _ = u.accept()
    _, fds, _, _ = socket.recv_fds(c, 1, 1)
    c.close()
    u.close()
    s = socket.socket(fileno=fds[0])
    page = b"<h1>Fall collection</h1><p>served by the sidekick</p>\n"
    while True:
        try:
            conn, _ = s.accept()
        except OSError:
            while True:
                signal.pause()
        conn.recv(4096)
        conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n%s"
                     % (len(page), page))
        conn.close()


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    if len(sys.argv) >= 4 and sys.argv[1] == "hold":
        hold(int(sys.argv[2]), sys.argv[3], "--exit" in sys.argv[4:])
    elif len(sys.argv) == 3 and sys.argv[1] == "take":
        take(sys.argv[2])
    else:
        sys.exit("usage: pass-socket.py hold PORT PATH [--exit] | take PATH")
