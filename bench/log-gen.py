#!/usr/bin/env python3
"""log-gen.py N OUT - N audit records as cutover writes them, chained.

For bench/log.sh: a year of a busy host's trail in one file.  Runs of
request, steps (for switches) and outcome, some refused, some failed,
three users, hourly timestamps; each record's "prev" is the SHA-256 of the
line before it (helper/record/chain.h), the first one's 64 zeros.  The
bytes follow audit.c's encoder: key order, no spaces, .3f durations.
"""
import hashlib
import random
import sys

USERS = [("deploy", 1001, '["deploy","cutover"]'), ("ci", 1002, '["ci","cutover"]'),
         ("alice", 1003, '["alice","cutover"]')]
ACTIONS = [("switch", "newsite"), ("start", "nginx"), ("stop", "apache2"),
           ("verify", "homepage"), ("free-port", "8080")]


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    rnd = random.Random(31)
    prev = "0" * 64
    written = 0
    t = 1733011200  # 2024-12-01T00:00:00Z
    with open(out, "w", encoding="ascii") as f:
        def put(rec):
            nonlocal prev, written
            line = rec[:-1] + ',"prev":"%s"}' % prev
            f.write(line + "\n")
            prev = hashlib.sha256(line.encode()).hexdigest()
            written += 1

        while written < n:
            t += rnd.randint(1, 60)
            stamp = "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (
                *__import__("time").gmtime(t)[:6], rnd.randint(0, 999))
            user, uid, groups = rnd.choice(USERS)
            action, target = rnd.choice(ACTIONS)
            txid = "%032x" % rnd.getrandbits(128)
            refused = rnd.random() < 0.1
            base = ('{"time":"%s","host":"web1","pid":%d,"txid":"%s","stage":"%%s",%%s'
                    '"user":"%s","uid":%d,"groups":%s,"tty":null,"action":"%s",'
                    '"target":"%s","dry_run":false,') % (
                        stamp, rnd.randint(1000, 99999), txid, user, uid, groups,
                        action, target)
            if refused:
                put(base % ("request", "") + '"decision":"deny","rule":null,'
                    '"reason":"no rule allows it"}')
                continue
            allow = ('"decision":"allow","rule":"/etc/cutover/policy.conf:40",'
                     '"reason":"granted by rule at /etc/cutover/policy.conf:40"')
            put(base % ("request", "") + allow + "}")
            outcome = "failed" if rnd.random() < 0.05 else "ok"
            if action == "switch":
                for step in ("take-port 8080", "start nginx", "stop apache2", "verify homepage"):
                    put(base % ("step", '"step":"%s",' % step) + allow +
                        ',"outcome":"ok","pids":[4242],"users":["nginx"],"duration":0.012}')
            put(base % ("outcome", "") + allow +
                ',"outcome":"%s","pids":[4242],"users":["nginx"],"duration":%.3f}' % (
                    outcome, rnd.random() * 2))


main()
