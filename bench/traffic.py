#!/usr/bin/env python3
"""bench/traffic.py - the rounds and the report of bench/traffic.sh (issue 15).

  traffic.py round SIDE N CMD   one round (as root; traffic.sh has reset
                                the machine: apache2 serving 8080)
  traffic.py report RESULTS     the summary of every side's rounds

A round, with the probe (bench/probe.c: a new connection every 1 ms) and
kaload (bench/kaload.c: 8 keep-alive connections, every request logged
with its time, so that an error can be placed in or out of the switch)
running throughout:
  idle    wrk -t2 -c64 -d IDLE_S (keep-alive load), nothing else: the
          latencies a visitor sees without a switch;
  switch  wrk -t2 -c64 -d LOAD_S; at 1 s a DOWNLOAD_MB download limited
          to RATE_MB/s (curl); at 2 s the side's switch command CMD; then
          wrk ends, the download ends (it is checked by sha256 against
          the file both servers serve), and the probe watches TAIL_MS
          more.
One JSON line per round goes to RESULTS/traffic-SIDE.jsonl: wrk's
figures (requests, socket errors by kind, non-2xx, latency percentiles)
for both parts, the probe's outcomes, its latencies in the idle part and
in the switch window (from CMD's start to its end), the download's
outcome and the switch command's duration and exit status.  Timing is
measured, never asserted: this is a benchmark, not a test.
"""
import hashlib
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time

ENV = os.environ
RESULTS = ENV.get("RESULTS", "build/bench")
TMP = ENV.get("BENCH_TMP", "/tmp")
PROBE = ENV.get("PROBE", "build/bench/probe")
KALOAD = ENV.get("KALOAD", "build/bench/kaload")
URL = "http://127.0.0.1:8080/"
IDLE_S = int(ENV.get("IDLE_S", "3"))
LOAD_S = int(ENV.get("LOAD_S", "6"))
RATE_MB = int(ENV.get("RATE_MB", "25"))
TAIL_MS = int(ENV.get("TAIL_MS", "500"))
# the HTTPS side's loaded part: past the switch, which waits for apache2's
# drain of the downloads (about 7 s at RATE_MB)
HTTPS_LOAD_S = int(ENV.get("HTTPS_LOAD_S", "12"))
BIG = ENV.get("BIG_SHA256", "")
# the clients' namespace: "" here, or "nsenter -t PID -n --" (a container)
NETNS = ENV.get("NETNS", "").split()


def mono_ns():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def to_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    return float(m.group(1)) * UNITS[m.group(2)] if m else None


def wrk_parse(out):
    """wrk's text: requests, socket errors, non-2xx, latency percentiles."""
    r = {"requests": 0, "connect": 0, "read": 0, "write": 0, "timeout": 0,
         "non2xx": 0}
    m = re.search(r"(\d+) requests in", out)
    if m:
        r["requests"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                  r"timeout (\d+)", out)
    if m:
        r.update(connect=int(m.group(1)), read=int(m.group(2)),
                 write=int(m.group(3)), timeout=int(m.group(4)))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        r["non2xx"] = int(m.group(1))
    for pct in ("50", "75", "90", "99"):
        m = re.search(r"^\s+%s%%\s+(\S+)" % pct, out, re.M)
        r["p" + pct] = to_ms(m.group(1)) if m else None
    return r


def wrk(seconds):
    return subprocess.Popen(NETNS + ["wrk", "-t2", "-c64", "-d%ds" % seconds,
                             "--latency", URL], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def pct(values, p):
    if not values:
        return None
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def probe_windows(log, t0, idle, window):
    """The probe's requests started in IDLE and in WINDOW (ns ranges)."""
    out = {}
    rows = []
    with open(log) as f:
        for line in f:
            s, e, outcome, _server, _err = line.split()
            rows.append((float(s), float(e), outcome))
    for name, (a, b) in (("idle", idle), ("window", window)):
        a_ms, b_ms = (a - t0) / 1e6, (b - t0) / 1e6
        sel = [r for r in rows if a_ms <= r[0] <= b_ms]
        lat = [r[1] - r[0] for r in sel if r[2] == "ok"]
        out[name] = {"requests": len(sel), "failed": len(sel) - len(lat),
                     "p50": pct(lat, 50), "p99": pct(lat, 99),
                     "max": max(lat) if lat else None}
    return out


def kaload_windows(log, t0, idle, window):
    """kaload's requests ended in IDLE and in WINDOW: outcomes by kind."""
    out = {n: {"requests": 0, "errors": 0, "kinds": {}, "ms": (b - a) / 1e6}
           for n, (a, b) in (("idle", idle), ("window", window))}
    bounds = {n: ((a - t0) / 1e6, (b - t0) / 1e6)
              for n, (a, b) in (("idle", idle), ("window", window))}
    with open(log) as f:
        for line in f:
            _s, e, outcome, _conn, _err = line.split()
            for n, (a, b) in bounds.items():
                if a <= float(e) <= b:
                    w = out[n]
                    w["requests"] += 1
                    if outcome != "ok":
                        w["errors"] += 1
                        w["kinds"][outcome] = w["kinds"].get(outcome, 0) + 1
    return out


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def round_(side, n, cmd):
    log = os.path.join(RESULTS, "traffic-%s.%s.log" % (side, n))
    ready = os.path.join(TMP, "probe.ready")
    dl = os.path.join(TMP, "download")
    for p in (ready, dl):
        if os.path.exists(p):
            os.unlink(p)
    kalog = os.path.join(RESULTS, "traffic-%s.%s.ka.log" % (side, n))
    kaready = os.path.join(TMP, "kaload.ready")
    if os.path.exists(kaready):
        os.unlink(kaready)
    with open(os.path.join(TMP, "probe.out"), "w") as pout, \
            open(os.path.join(TMP, "probe.err"), "w") as perr:
        probe = subprocess.Popen(NETNS + [PROBE, "-l", log, "-r", ready],
                                 stdin=subprocess.DEVNULL, stdout=pout,
                                 stderr=perr)
    with open(os.path.join(TMP, "kaload.out"), "w") as kout:
        ka = subprocess.Popen(NETNS + [KALOAD, "-c", "8", "-l", kalog, "-r",
                               kaready],
                              stdin=subprocess.DEVNULL, stdout=kout,
                              stderr=subprocess.STDOUT)
    try:
        for _ in range(200):
            if all(os.path.exists(p) and os.path.getsize(p) > 0
                   for p in (ready, kaready)):
                break
            time.sleep(0.025)
        else:
            raise SystemExit("traffic: the probe or kaload never got an answer")
        with open(ready) as f:
            t0 = int(f.read().strip())
        with open(kaready) as f:
            ka_t0 = int(f.read().strip())
        idle_a = mono_ns()
        w = wrk(IDLE_S)
        idle_out, _ = w.communicate()
        idle_b = mono_ns()
        w = wrk(LOAD_S)
        time.sleep(1)
        curl = subprocess.Popen(
            NETNS + ["curl", "-s", "--limit-rate", "%dM" % RATE_MB, "-o", dl, "-w",
             "%{http_code} %{size_download}", URL + "big.bin"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True)
        time.sleep(1)
        sw_a = mono_ns()
        sw = subprocess.run(["sh", "-c", cmd], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
        sw_b = mono_ns()
        load_out, _ = w.communicate()
        curl_out, _ = curl.communicate(timeout=120)
        time.sleep(TAIL_MS / 1000.0)
    finally:
        for p in (probe, ka):
            p.send_signal(signal.SIGTERM)
        for p in (probe, ka):
            p.wait(timeout=30)
    with open(os.path.join(TMP, "probe.out")) as f:
        summary = dict(kv.split("=", 1) for kv in f.read().split())
    code, size = (curl_out.split() + ["", ""])[:2]
    intact = (curl.returncode == 0 and code == "200" and
              os.path.exists(dl) and sha256(dl) == BIG)
    rec = {
        "side": side, "round": int(n),
        "switch": {"rc": sw.returncode, "ms": (sw_b - sw_a) / 1e6,
                   "out": sw.stdout[-2000:]},
        "idle": wrk_parse(idle_out), "load": wrk_parse(load_out),
        "probe": {k: float(v) if "." in v else int(v)
                  for k, v in summary.items()},
        "probe_lat": probe_windows(log, t0, (idle_a, idle_b), (sw_a, sw_b)),
        # errors on kept-alive connections: anyway (idle) and in the
        # switch (from its start to TAIL_MS after its end)
        "kaload": kaload_windows(kalog, ka_t0, (idle_a, idle_b),
                                 (sw_a, sw_b + TAIL_MS * 1000000)),
        "download": {"curl_rc": curl.returncode, "http": code,
                     "bytes": int(size or 0), "intact": intact},
    }
    with open(os.path.join(RESULTS, "traffic-%s.jsonl" % side), "a") as f:
        f.write(json.dumps(rec) + "\n")
    print("traffic: %s round %s: switch exit %d in %.0f ms; wrk %d requests, "
          "errors c/r/w/t %d/%d/%d/%d, non-2xx %d; probe refused %d reset %d "
          "short %d; keep-alive errors idle %d, in the switch %d; "
          "download %s" % (
              side, n, sw.returncode, rec["switch"]["ms"],
              rec["load"]["requests"], rec["load"]["connect"],
              rec["load"]["read"], rec["load"]["write"],
              rec["load"]["timeout"], rec["load"]["non2xx"],
              rec["probe"].get("refused", 0), rec["probe"].get("reset", 0),
              rec["probe"].get("short", 0),
              rec["kaload"]["idle"]["errors"], rec["kaload"]["window"]["errors"],
              "intact" if intact else "CUT (curl %d, %s bytes)" % (
                  curl.returncode, size)))


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, digits=1):
    return "-" if x is None else "%.*f" % (digits, x)


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    return "%.2f" % (a / b)


def side_figures(rounds):
    load = [r["load"] for r in rounds]
    probe = [r["probe"] for r in rounds]
    reqs = sum(x["requests"] for x in load) + sum(p.get("requests", 0)
                                                  for p in probe)
    f = {
        "rounds": len(rounds),
        "requests": reqs,
        "wrk_requests": sum(x["requests"] for x in load),
        "refused": sum(p.get("refused", 0) for p in probe) +
        sum(x["connect"] for x in load),
        "reset": sum(p.get("reset", 0) for p in probe),
        "read_errors": sum(x["read"] + x["write"] for x in load),
        "timeouts": sum(x["timeout"] for x in load) +
        sum(p.get("timeout", 0) for p in probe),
        "non2xx": sum(x["non2xx"] for x in load) +
        sum(p.get("badstatus", 0) for p in probe),
        "truncated": sum(p.get("short", 0) for p in probe),
        "intact": sum(1 for r in rounds if r["download"]["intact"]),
        "switch_ok": sum(1 for r in rounds if r["switch"]["rc"] == 0),
        "switch_ms": med([r["switch"]["ms"] for r in rounds]),
        "idle_p50": med([r["idle"]["p50"] for r in rounds]),
        "idle_p99": med([r["idle"]["p99"] for r in rounds]),
        "load_p50": med([r["load"]["p50"] for r in rounds]),
        "load_p99": med([r["load"]["p99"] for r in rounds]),
        "load_p99_max": max([r["load"]["p99"] or 0 for r in rounds] or [0]),
        "probe_idle_p99": med([r["probe_lat"]["idle"]["p99"]
                               for r in rounds]),
        "probe_win_p99": med([r["probe_lat"]["window"]["p99"]
                              for r in rounds]),
        "probe_win_max": max([r["probe_lat"]["window"]["max"] or 0
                              for r in rounds] or [0]),
        "probe_max_gap": med([p.get("max_gap_ms") for p in probe]),
    }
    ka_idle = [r["kaload"]["idle"] for r in rounds]
    ka_win = [r["kaload"]["window"] for r in rounds]
    f["ka_idle_requests"] = sum(w["requests"] for w in ka_idle)
    f["ka_idle_errors"] = sum(w["errors"] for w in ka_idle)
    f["ka_win_requests"] = sum(w["requests"] for w in ka_win)
    f["ka_win_errors"] = sum(w["errors"] for w in ka_win)
    kinds = {}
    for w in ka_win:
        for k, v in w["kinds"].items():
            kinds[k] = kinds.get(k, 0) + v
    f["ka_win_kinds"] = ", ".join("%s %d" % kv for kv in sorted(kinds.items())) or "none"
    f["ka_idle_per_10k"] = (1e4 * f["ka_idle_errors"] / f["ka_idle_requests"]
                            if f["ka_idle_requests"] else None)
    f["ka_win_per_10k"] = (1e4 * f["ka_win_errors"] / f["ka_win_requests"]
                           if f["ka_win_requests"] else None)
    f["idle_errors_per_10k"] = med([
        1e4 * (r["idle"]["read"] + r["idle"]["write"] + r["idle"]["connect"] +
               r["idle"]["timeout"]) / r["idle"]["requests"]
        for r in rounds if r["idle"]["requests"]])
    errs = f["refused"] + f["reset"] + f["read_errors"] + f["timeouts"]
    f["errors_per_10k"] = 1e4 * errs / f["requests"] if f["requests"] else None
    return f


def report(results):
    order = ["seed", "careful", "cutover", "systemd"]
    sides = {}
    for name in order:
        path = os.path.join(results, "traffic-%s.jsonl" % name)
        if os.path.exists(path):
            with open(path) as f:
                sides[name] = side_figures([json.loads(l) for l in f if l.strip()])
    https = os.path.join(results, "traffic-https.jsonl")
    if not sides and not os.path.exists(https):
        raise SystemExit("traffic: no rounds in %s" % results)
    if not sides:
        report_https(https)
        return
    base = sides.get("careful")
    rows = [
        ("rounds", "rounds", 0), ("switch exit 0", "switch_ok", 0),
        ("requests (wrk + probe)", "requests", 0),
        ("refused (probe + wrk connect)", "refused", 0),
        ("reset (probe)", "reset", 0),
        ("read/write errors (wrk)", "read_errors", 0),
        ("timeouts", "timeouts", 0), ("non-2xx", "non2xx", 0),
        ("truncated (probe)", "truncated", 0),
        ("downloads intact", "intact", 0),
        ("socket errors per 10,000 requests (switch rounds)", "errors_per_10k", 2),
        ("wrk socket errors per 10,000, idle part (median)", "idle_errors_per_10k", 2),
        ("keep-alive (kaload) requests in the switch windows", "ka_win_requests", 0),
        ("keep-alive errors in the switch windows", "ka_win_errors", 0),
        ("... by kind", "ka_win_kinds", -1),
        ("keep-alive errors per 10,000 in the switch windows", "ka_win_per_10k", 2),
        ("keep-alive errors per 10,000 idle", "ka_idle_per_10k", 2),
        ("wrk p50 idle, ms (median of rounds)", "idle_p50", 2),
        ("wrk p50 switch round, ms", "load_p50", 2),
        ("wrk p99 idle, ms", "idle_p99", 2),
        ("wrk p99 switch round, ms", "load_p99", 2),
        ("wrk p99 switch round, worst round, ms", "load_p99_max", 2),
        ("new connection p99 idle, ms (probe)", "probe_idle_p99", 2),
        ("new connection p99 in the switch window, ms", "probe_win_p99", 2),
        ("new connection longest in the switch window, ms", "probe_win_max", 2),
        ("longest gap between answers, ms (median)", "probe_max_gap", 1),
        ("switch command, ms (median)", "switch_ms", 0),
    ]
    names = [n for n in order if n in sides]
    print("| | " + " | ".join(names) + " |")
    print("| --- |" + " ---: |" * len(names))
    for label, key, digits in rows:
        cells = []
        for n in names:
            v = sides[n][key]
            cell = fmt(v, digits) if isinstance(v, float) and digits >= 0 \
                else str(v)
            if key == "intact":
                cell = "%d of %d" % (v, sides[n]["rounds"])
            cells.append(cell)
        print("| %s | %s |" % (label, " | ".join(cells)))
    if base:
        print()
        print("Ratios to the careful root script (same run):")
        for n in names:
            if n == "careful":
                continue
            s = sides[n]
            print("  %s: wrk p99 of the switch round %s x, new-connection p99 in "
                  "the window %s x, socket errors per request %s x, switch "
                  "command %s x; p99 switch round / idle p99: %s (careful: %s)" % (
                      n, ratio(s["load_p99"], base["load_p99"]),
                      ratio(s["probe_win_p99"], base["probe_win_p99"]),
                      ratio(s["errors_per_10k"], base["errors_per_10k"]),
                      ratio(s["switch_ms"], base["switch_ms"]),
                      ratio(s["load_p99"], s["idle_p99"]),
                      ratio(base["load_p99"], base["idle_p99"])))
    if os.path.exists(https):
        report_https(https)


# ---- the HTTPS side (issue 27): a whole site, 80 and 443, in a container

H_URL = "http://127.0.0.1/"
S_URL = "https://127.0.0.1/"


def h2load_parse(out):
    """h2load's text: requests by outcome, status classes."""
    r = {"requests": 0, "succeeded": 0, "failed": 0, "errored": 0,
         "timeout": 0, "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0,
         "runs": 0, "protocols": {}}
    for proto in re.findall(r"Application protocol: (\S+)", out):
        r["protocols"][proto] = r["protocols"].get(proto, 0) + 1
    m = re.search(r"requests: (\d+) total, \d+ started, \d+ done, (\d+) "
                  r"succeeded, (\d+) failed, (\d+) errored, (\d+) timeout", out)
    if m:
        r.update(requests=int(m.group(1)), succeeded=int(m.group(2)),
                 failed=int(m.group(3)), errored=int(m.group(4)),
                 timeout=int(m.group(5)))
    m = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx",
                  out)
    if m:
        r.update({"2xx": int(m.group(1)), "3xx": int(m.group(2)),
                  "4xx": int(m.group(3)), "5xx": int(m.group(4))})
    return r


H2LOAD_ARGS = {
    # HTTP/1.1 over TLS on 443, HTTP/2 over TLS (ALPN h2) on 443, plain
    # HTTP/1.1 on 80; each 16 connections at RPS requests a second each
    "h1": (["--h1"], S_URL), "h2": (["--npn-list=h2"], S_URL),
    "plain": (["--h1"], H_URL),
}
RPS = int(ENV.get("RPS", "25"))


class H2loadLoop(threading.Thread):
    """KIND's h2load (H2LOAD_ARGS) run after run, one second each, until
    SECONDS have passed: h2load does not reconnect a connection the
    server closed under it (apache2's graceful stop closes its idle
    keep-alive connections), so a run cut short ends, and the next one
    connects to whoever listens then.  Every request in PREFIX.N logs;
    the runs' figures summed in .figures."""

    def __init__(self, kind, seconds, prefix):
        super().__init__()
        self.kind, self.seconds, self.prefix = kind, seconds, prefix
        self.logs, self.figures = [], h2load_parse("")
        self.failures = []      # (realtime ns of the run's start, figures, text)

    def run(self):
        extra, url = H2LOAD_ARGS[self.kind]
        end = time.monotonic() + self.seconds
        while time.monotonic() < end - 0.05:
            log = "%s.%d" % (self.prefix, len(self.logs))
            self.logs.append(log)
            start = time.time_ns()
            out = subprocess.run(
                NETNS + ["h2load", "-t1", "-c16", "--rps=%d" % RPS,
                         "-D1", "--log-file=" + log] + extra + [url],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, text=True).stdout
            self.figures["runs"] += 1
            if h2load_parse(out)["failed"] > 0:
                self.failures.append((start, h2load_parse(out)["failed"],
                                      out[-1500:]))
            for k, v in h2load_parse(out).items():
                if k == "protocols":
                    for p, c in v.items():
                        self.figures[k][p] = self.figures[k].get(p, 0) + c
                elif k != "runs":
                    self.figures[k] += v


def h2load_windows(logs, windows):
    """h2load's LOGS (start in us since the epoch, status, us taken): per
    named (a, b) window of realtime ns, its requests started there, the
    non-2xx among them and the latency percentiles, in ms."""
    rows = []
    for log in logs:
        if not os.path.exists(log):
            continue
        with open(log) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3:
                    rows.append((int(parts[0]) * 1000, int(parts[1]),
                                 int(parts[2]) / 1000.0))
    out = {}
    for name, (a, b) in windows.items():
        sel = [r for r in rows if a <= r[0] <= b]
        lat = [r[2] for r in sel]
        out[name] = {"requests": len(sel),
                     "non2xx": sum(1 for r in sel if not 200 <= r[1] < 300),
                     "p50": pct(lat, 50), "p99": pct(lat, 99),
                     "max": max(lat) if lat else None}
    return out


def probes_start(tag):
    """The 1 ms probe on 80 (HTTP) and on 443 (a plain request: 400 is a
    served connection, cutover's container tests' way): name -> (proc,
    log, ready)."""
    procs = {}
    for name, port, status in (("http", 80, 200), ("tls", 443, 400)):
        log = os.path.join(RESULTS, "traffic-https.%s.%s.log" % (tag, name))
        ready = os.path.join(TMP, "probe-%s.ready" % name)
        if os.path.exists(ready):
            os.unlink(ready)
        out = open(os.path.join(TMP, "probe-%s.out" % name), "w")
        procs[name] = (subprocess.Popen(
            NETNS + [PROBE, "-p", str(port), "-e", str(status), "-l", log,
                     "-r", ready], stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.DEVNULL), log, ready)
        out.close()
    for _ in range(200):
        if all(os.path.exists(r) and os.path.getsize(r) > 0
               for _p, _l, r in procs.values()):
            return procs
        time.sleep(0.025)
    raise SystemExit("traffic: a probe never got an answer")


def download(url, path):
    return subprocess.Popen(
        NETNS + ["curl", "-sk", "--limit-rate", "%dM" % RATE_MB, "-o", path,
                 "-w", "%{http_code} %{size_download} %{http_version}",
                 url + "big.bin"], stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def download_result(proc, path):
    out, _ = proc.communicate(timeout=120)
    code, size, version = (out.split() + ["", "", ""])[:3]
    intact = (proc.returncode == 0 and code == "200" and
              os.path.exists(path) and sha256(path) == BIG)
    return {"curl_rc": proc.returncode, "http": code, "version": version,
            "bytes": int(size or 0), "intact": intact}


def round_https(n, cmd):
    """One round of the HTTPS side: h2load over TLS (HTTP/1.1 and HTTP/2)
    and plain HTTP/1.1 on 80, idle, then again with a download in flight
    on each of 80 and 443 from 1 s and the switch at 2 s."""
    tag = str(n)
    prefix = os.path.join(RESULTS, "traffic-https.%s" % tag)
    dls = {k: os.path.join(TMP, "download-" + k) for k in ("http", "https")}
    for p in dls.values():
        if os.path.exists(p):
            os.unlink(p)
    kinds = list(H2LOAD_ARGS)
    procs = probes_start(tag)
    try:
        t0 = {k: int(open(r).read().strip()) for k, (_p, _l, r) in procs.items()}
        idle_a, idle_ra = mono_ns(), time.time_ns()
        idle = {k: H2loadLoop(k, IDLE_S, "%s.idle-%s" % (prefix, k))
                for k in kinds}
        for t in idle.values():
            t.start()
        for t in idle.values():
            t.join()
        idle_b, idle_rb = mono_ns(), time.time_ns()
        load = {k: H2loadLoop(k, HTTPS_LOAD_S, "%s.load-%s" % (prefix, k))
                for k in kinds}
        for t in load.values():
            t.start()
        time.sleep(1)
        curls = {"http": download(H_URL, dls["http"]),
                 "https": download(S_URL, dls["https"])}
        time.sleep(1)
        sw_a, sw_ra = mono_ns(), time.time_ns()
        sw = subprocess.run(["sh", "-c", cmd], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
        sw_b, sw_rb = mono_ns(), time.time_ns()
        for t in load.values():
            t.join()
        downloads = {k: download_result(c, dls[k]) for k, c in curls.items()}
        time.sleep(TAIL_MS / 1000.0)
    finally:
        for p, _l, _r in procs.values():
            p.send_signal(signal.SIGTERM)
        for p, _l, _r in procs.values():
            p.wait(timeout=30)
    probes = {}
    for k, (_p, log, _r) in procs.items():
        with open(os.path.join(TMP, "probe-%s.out" % k)) as f:
            summary = dict(kv.split("=", 1) for kv in f.read().split())
        probes[k] = {"summary": {a: float(v) if "." in v else int(v)
                                 for a, v in summary.items()},
                     "lat": probe_windows(log, t0[k], (idle_a, idle_b),
                                          (sw_a, sw_b))}
    h2 = {k: {"idle": idle[k].figures, "load": load[k].figures,
              "idle_lat": h2load_windows(idle[k].logs,
                                         {"idle": (idle_ra, idle_rb)})["idle"],
              "lat": h2load_windows(load[k].logs, {
                  "switch": (sw_ra, sw_rb),
                  "after": (sw_rb, sw_rb + 10 ** 12)})}
          for k in kinds}
    # where each run with failed requests began, against the switch's
    # start (ms), and what h2load said
    for k in kinds:
        h2[k]["failed_runs"] = [
            {"at_ms": (a - sw_ra) / 1e6, "failed": nf, "out": text}
            for a, nf, text in idle[k].failures + load[k].failures]
    for t in list(idle.values()) + list(load.values()):
        for log in t.logs:
            if os.path.exists(log):
                os.unlink(log)
    rec = {"side": "https", "round": int(n),
           "switch": {"rc": sw.returncode, "ms": (sw_b - sw_a) / 1e6,
                      "out": sw.stdout[-2000:]},
           "h2load": h2, "probes": probes, "downloads": downloads}
    with open(os.path.join(RESULTS, "traffic-https.jsonl"), "a") as f:
        f.write(json.dumps(rec) + "\n")
    print("traffic: https round %s: switch exit %d in %.0f ms; %s; probes "
          "refused %d/%d; downloads %s" % (
              n, sw.returncode, rec["switch"]["ms"],
              ", ".join("%s %d (failed %d, non-2xx %d, %d after the switch)" % (
                  k, h2[k]["load"]["requests"], h2[k]["load"]["failed"],
                  h2[k]["load"]["requests"] - h2[k]["load"]["2xx"] -
                  h2[k]["load"]["failed"], h2[k]["lat"]["after"]["requests"])
                  for k in kinds),
              probes["http"]["summary"].get("refused", 0),
              probes["tls"]["summary"].get("refused", 0),
              ", ".join("%s %s" % (k, "intact (HTTP/%s)" % d["version"]
                                   if d["intact"] else "CUT (curl %d, %d bytes)"
                                   % (d["curl_rc"], d["bytes"]))
                        for k, d in downloads.items())))


def https_figures(rounds):
    """The HTTPS side's rounds summed: every failure counted, and the
    medians of the rounds' p99s, idle against the switch window."""
    f = {"rounds": len(rounds),
         "switch_ok": sum(1 for r in rounds if r["switch"]["rc"] == 0),
         "switch_ms": med([r["switch"]["ms"] for r in rounds])}
    for proto in H2LOAD_ARGS:
        loads = [r["h2load"][proto]["load"] for r in rounds]
        f[proto + "_requests"] = sum(x["requests"] for x in loads)
        f[proto + "_failed"] = sum(x["failed"] for x in loads)
        f[proto + "_non2xx"] = sum(x["requests"] - x["2xx"] - x["failed"]
                                   for x in loads)
        f[proto + "_idle_p99"] = med([r["h2load"][proto]["idle_lat"]["p99"]
                                      for r in rounds])
        f[proto + "_switch_p99"] = med([r["h2load"][proto]["lat"]["switch"]["p99"]
                                        for r in rounds])
        f[proto + "_switch_max"] = max([r["h2load"][proto]["lat"]["switch"]["max"]
                                        or 0 for r in rounds] or [0])
        f[proto + "_after"] = sum(r["h2load"][proto]["lat"]["after"]["requests"]
                                  for r in rounds)
        protos = {}
        for r in rounds:
            for part in ("idle", "load"):
                for p, c in r["h2load"][proto][part].get("protocols", {}).items():
                    protos[p] = protos.get(p, 0) + c
        runs = sum(r["h2load"][proto][part].get("runs", 0) for r in rounds
                   for part in ("idle", "load"))
        f[proto + "_protocols"] = "%s of %d runs" % (
            ", ".join("%s %d" % kv for kv in sorted(protos.items())) or "none",
            runs)
    for k in ("http", "tls"):
        ps = [r["probes"][k]["summary"] for r in rounds]
        f["probe_%s_requests" % k] = sum(p.get("requests", 0) for p in ps)
        f["probe_%s_failed" % k] = sum(p.get("requests", 0) - p.get("ok", 0)
                                       for p in ps)
        f["probe_%s_refused" % k] = sum(p.get("refused", 0) for p in ps)
        f["probe_%s_idle_p99" % k] = med([r["probes"][k]["lat"]["idle"]["p99"]
                                          for r in rounds])
        f["probe_%s_win_p99" % k] = med([r["probes"][k]["lat"]["window"]["p99"]
                                         for r in rounds])
    for k in ("http", "https"):
        f["dl_" + k] = "%d of %d" % (sum(1 for r in rounds
                                          if r["downloads"][k]["intact"]),
                                     len(rounds))
    return f


def report_https(path):
    with open(path) as f:
        s = https_figures([json.loads(l) for l in f if l.strip()])
    rows = [
        ("rounds", "rounds", 0), ("switch exit 0", "switch_ok", 0),
        ("switch command, ms (median)", "switch_ms", 0),
    ]
    for proto, name in (("h1", "h2load HTTP/1.1 over TLS on 443"),
                        ("h2", "h2load HTTP/2 over TLS on 443"),
                        ("plain", "h2load plain HTTP/1.1 on 80")):
        rows += [
            (name + ": requests in the switch rounds", proto + "_requests", 0),
            ("... protocol negotiated (h2load runs)", proto + "_protocols", -1),
            ("... failed (refused, reset, timeout)", proto + "_failed", 0),
            ("... non-2xx", proto + "_non2xx", 0),
            ("... started after the switch (nginx's)", proto + "_after", 0),
            ("... p99 idle, ms (median of rounds)", proto + "_idle_p99", 2),
            ("... p99 of those started during the switch, ms",
             proto + "_switch_p99", 2),
            ("... longest started during the switch, ms",
             proto + "_switch_max", 2),
        ]
    rows += [
        ("probe, new connection every 1 ms on 80: requests", "probe_http_requests", 0),
        ("... failed", "probe_http_failed", 0),
        ("... refused", "probe_http_refused", 0),
        ("... p99 idle, ms", "probe_http_idle_p99", 2),
        ("... p99 in the switch window, ms", "probe_http_win_p99", 2),
        ("probe on 443 (TCP accepted, plain request: 400): requests", "probe_tls_requests", 0),
        ("... failed", "probe_tls_failed", 0),
        ("... refused", "probe_tls_refused", 0),
        ("... p99 idle, ms", "probe_tls_idle_p99", 2),
        ("... p99 in the switch window, ms", "probe_tls_win_p99", 2),
        ("download on 80 intact", "dl_http", -1),
        ("download on 443 intact", "dl_https", -1),
    ]
    print()
    print("HTTPS side: the whole site (80 and 443) from apache2 to nginx, "
          "systemd 252 in a container")
    print("| | https |")
    print("| --- | ---: |")
    for label, key, digits in rows:
        v = s[key]
        cell = fmt(v, digits) if (v is None or isinstance(v, float)) and \
            digits >= 0 else str(v)
        print("| %s | %s |" % (label, cell))


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "round":
        round_(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) == 4 and sys.argv[1] == "round-https":
        round_https(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "report":
        report(sys.argv[2])
    else:
        raise SystemExit("usage: traffic.py round SIDE N CMD | round-https N CMD "
                         "| report RESULTS")


if __name__ == "__main__":
    main()
