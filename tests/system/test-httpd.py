#!/usr/bin/python3
"""test-httpd.py - the HTTP server the verify system test (t-verify.sh) talks to.

Usage: test-httpd.py DIR [--tls CERT KEY]

Listens on 127.0.0.1, on a port the kernel picks, and writes what the test
needs into DIR: "port" (the port, written last: the test waits for it),
"ok.html" (the body /ok serves, for its sha256) and "requests.log", one
line per request with what the kernel says about the client at that
moment (while it waits for the answer):

  request path=/ok tcp_uid=1001 pid=4242 exe=/usr/local/... Uid=1001,1001,1001,1001
      Gid=100,100,100,100 Groups=100,998 CapInh=0000000000000000 CapPrm=...
      CapEff=... CapBnd=... CapAmb=... NoNewPrivs=1 Threads=1
      fds=0:/dev/null,1:/dev/null,2:/dev/null,3:pipe:[...],4:socket:[...]

tcp_uid is the uid column of the client's socket in /proc/net/tcp (the
row whose local port is the client's and remote port ours); the pid is
the process holding that socket (found through every /proc/PID/fd, which
is why the server runs as root), the rest its /proc/PID/status and what
it has open.

Paths (every other path is 404):
  /ok                   200, text/html, contains "Fall collection"
  /plain                200, the same body as text/plain
  /wrong                200, text/html, without "Fall collection"
  /status500            500, the /ok body (only the status is wrong)
  /slow                 the /ok answer, after SLOW seconds
  /big                  200, BIG bytes with a Content-Length
  /big-chunked          200, BIG bytes chunked (no Content-Length)
  /redirect-same-host   302 to /ok
  /redirect-other-host  302 to http://localhost:PORT/ok (another host name)
  /redirect-loop        302 to itself
  /late/NAME            503 until LATE seconds after the first request for
                        this NAME, then the /ok answer

Run it with stdio redirected (</dev/null >FILE 2>&1) and kill it by pid.
"""
import http.server
import os
import ssl
import sys
import threading
import time

SLOW = 5.0
LATE = 3.0
BIG = 2 * 1024 * 1024
OK_BODY = (b"<!doctype html>\n<html><head><title>Shop</title></head>\n"
           b"<body><h1>Fall collection</h1><p>New in: coats.</p></body></html>\n")
WRONG_BODY = b"<!doctype html>\n<html><body><h1>Summer sale</h1></body></html>\n"

log_lock = threading.Lock()
late_since = {}


def hex_port(port):
    return "%04X" % port


def tcp_row(client_port, server_port):
    """The client's own row of /proc/net/tcp: (uid, inode), or None."""
    want_local = ":" + hex_port(client_port)
    want_remote = ":" + hex_port(server_port)
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            col = line.split()
            if col[1].endswith(want_local) and col[2].endswith(want_remote):
                return col[7], col[9]
    return None


def socket_owner(inode):
    """The pid of a process that has socket INODE open, or None."""
    target = "socket:[%s]" % inode
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            for fd in os.listdir("/proc/%s/fd" % pid):
                if os.readlink("/proc/%s/fd/%s" % (pid, fd)) == target:
                    return pid
        except OSError:
            continue
    return None


def status_fields(pid):
    """The lines of /proc/PID/status the test looks at, as key=value."""
    keys = ("Uid", "Gid", "Groups", "CapInh", "CapPrm", "CapEff", "CapBnd",
            "CapAmb", "NoNewPrivs", "Threads")
    out = []
    with open("/proc/%s/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in keys:
                out.append("%s=%s" % (key, ",".join(value.split()) or "-"))
    return out


def open_fds(pid):
    """What the process has open: "0:/dev/null,3:pipe:[123],..."."""
    out = []
    for fd in sorted(os.listdir("/proc/%s/fd" % pid), key=int):
        try:
            target = os.readlink("/proc/%s/fd/%s" % (pid, fd))
        except OSError:
            continue
        out.append("%s:%s" % (fd, target.replace(" ", "_").replace(",", "_")))
    return ",".join(out)


def describe_client(handler):
    client_port = handler.client_address[1]
    server_port = handler.server.server_address[1]
    words = ["request", "path=" + handler.path]
    try:
        row = tcp_row(client_port, server_port)
        if row is None:
            return words + ["tcp_uid=?"]
        uid, inode = row
        words.append("tcp_uid=" + uid)
        pid = socket_owner(inode)
        if pid is None:
            return words + ["pid=?"]
        words.append("pid=" + pid)
        words.append("exe=" + os.readlink("/proc/%s/exe" % pid))
        words.extend(status_fields(pid))
        words.append("fds=" + open_fds(pid))
    except OSError as e:
        words.append("error=" + str(e).replace(" ", "_"))
    return words


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "test-httpd"
    sys_version = ""

    def log_message(self, fmt, *args):
        pass

    def record(self):
        line = " ".join(describe_client(self)) + "\n"
        with log_lock:
            with open(os.path.join(self.server.dir, "requests.log"), "a") as f:
                f.write(line)

    def answer(self, status, body, ctype="text/html; charset=utf-8", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location):
        self.answer(302, b"moved\n", "text/plain", [("Location", location)])

    def big(self, chunked):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(BIG))
        self.end_headers()
        piece = b"x" * 65536
        for _ in range(BIG // len(piece)):
            if chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            else:
                self.wfile.write(piece)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def late(self, name):
        with log_lock:
            since = late_since.setdefault(name, time.monotonic())
        if time.monotonic() - since < LATE:
            self.answer(503, b"starting\n", "text/plain")
        else:
            self.answer(200, OK_BODY)

    def do_GET(self):
        self.record()
        port = self.server.server_address[1]
        path = self.path
        try:
            if path == "/ok":
                self.answer(200, OK_BODY)
            elif path == "/plain":
                self.answer(200, OK_BODY, "text/plain")
            elif path == "/wrong":
                self.answer(200, WRONG_BODY)
            elif path == "/status500":
                self.answer(500, OK_BODY)
            elif path == "/slow":
                time.sleep(SLOW)
                self.answer(200, OK_BODY)
            elif path in ("/big", "/big-chunked"):
                self.big(path == "/big-chunked")
            elif path == "/redirect-same-host":
                self.redirect("/ok")
            elif path == "/redirect-other-host":
                self.redirect("http://localhost:%d/ok" % port)
            elif path == "/redirect-loop":
                self.redirect("/redirect-loop")
            elif path.startswith("/late/"):
                self.late(path[len("/late/"):])
            else:
                self.answer(404, b"not found\n", "text/plain")
        except (BrokenPipeError, ConnectionResetError):
            pass    # the client gave up (slow, big): that is the test


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


def main():
    if len(sys.argv) not in (2, 5) or (len(sys.argv) == 5 and sys.argv[2] != "--tls"):
        sys.exit("usage: test-httpd.py DIR [--tls CERT KEY]")
    state = sys.argv[1]
    server = Server(("127.0.0.1", 0), Handler)
    server.dir = state
    if len(sys.argv) == 5:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[3], sys.argv[4])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    with open(os.path.join(state, "ok.html"), "wb") as f:
        f.write(OK_BODY)
    tmp = os.path.join(state, "port.new")
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, os.path.join(state, "port"))
    server.serve_forever()


if __name__ == "__main__":
    main()
