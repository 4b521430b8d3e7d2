#!/usr/bin/env python3
"""bench/report.py - the summaries of bench/decide.sh and bench/switch.sh.

    report.py decide RESULTS REPEAT N...   decide-base.K.json (K = 1..REPEAT),
                                           decide-rulesN.json
    report.py switch RESULTS        switch-{seed,cutover}.json, switch-*.probe

Times are hyperfine's (seconds in the JSON), printed in ms; every ratio is
between two commands of the same hyperfine run unless it says otherwise.
"""
import json
import os
import statistics
import sys


def load(path):
    with open(path) as f:
        return {r["command"]: r for r in json.load(f)["results"]}


def ms(x):
    return x * 1000.0


def line(name, r):
    codes = sorted(set(r.get("exit_codes", []) or []))
    return "  %-14s mean %8.3f ms  sd %6.3f  median %8.3f  min %8.3f  max %8.3f  runs %d  exit %s" % (
        name, ms(r["mean"]), ms(r["stddev"] or 0), ms(r["median"]), ms(r["min"]),
        ms(r["max"]), len(r["times"]), ",".join(str(c) for c in codes) or "?")


def pooled(rs):
    """One result from several hyperfine runs of the same command."""
    times = [t for r in rs for t in r["times"]]
    codes = [c for r in rs for c in (r.get("exit_codes") or [])]
    return {"times": times, "exit_codes": codes, "mean": statistics.fmean(times),
            "stddev": statistics.pstdev(times), "median": statistics.median(times),
            "min": min(times), "max": max(times)}


def decide(results, repeat, ns):
    runs = [load(os.path.join(results, "decide-base.%d.json" % k)) for k in range(1, repeat + 1)]
    names = ("true", "allowed", "refused", "doas", "sudo")
    base = {k: pooled([r[k] for r in runs]) for k in names}
    print("decide: %d hyperfine runs of the five commands, as user deploy (-N), pooled (times in ms)" % repeat)
    for k in names:
        print(line(k, base[k]))
    print("  ratios, cutover / peer (< 1: cutover is faster), per run and their median:")
    for k in ("allowed", "refused"):
        for peer in ("doas", "sudo"):
            per = [r[k]["mean"] / r[peer]["mean"] for r in runs]
            med = [r[k]["median"] / r[peer]["median"] for r in runs]
            print("    %-8s / %-4s  means: %s -> median %.2f;  medians: %s -> median %.2f;  min/min %.2f" % (
                k, peer, " ".join("%.2f" % x for x in per), statistics.median(per),
                " ".join("%.2f" % x for x in med), statistics.median(med),
                base[k]["min"] / base[peer]["min"]))
    t = base["true"]["min"]
    print("    less the cost of fork+exec (/bin/true), on the minimums: allowed / doas %.2f, refused / doas %.2f" % (
        (base["allowed"]["min"] - t) / (base["doas"]["min"] - t),
        (base["refused"]["min"] - t) / (base["doas"]["min"] - t)))
    if not ns:
        return
    print()
    print("decide with N rules (deploy's rule last), each N one hyperfine run beside doas with as many rules"
          " (equal work: cutover's policy and doas.conf each N rules, deploy's last):")
    pts = {"allowed": [(1, base["allowed"])], "refused": [(1, base["refused"])],
           "doas": [(1, base["doas"])]}
    for n in ns:
        r = load(os.path.join(results, "decide-rules%s.json" % n))
        dn = r["doas-%s" % n]
        pts["doas"].append((int(n), dn))
        for k in ("allowed", "refused"):
            x = r["%s-%s" % (k, n)]
            pts[k].append((int(n), x))
            print(line("%s-%s" % (k, n), x) + "   / doas: mean %.2f, median %.2f" % (
                x["mean"] / dn["mean"], x["median"] / dn["median"]))
        print(line("doas-%s" % n, dn))
    print("  growth with the number of rules (1 rule: the pooled base runs); marginal cost per added rule:")
    for k in ("allowed", "refused", "doas"):
        for stat in ("median", "min"):
            p = [(n, x[stat]) for n, x in pts[k]]
            steps = ["%d->%d: %.2f us" % (x0, x1, (y1 - y0) / (x1 - x0) * 1e6)
                     for (x0, y0), (x1, y1) in zip(p, p[1:])]
            xs = [a for a, _ in p]
            ys = [b for _, b in p]
            mx, my = statistics.fmean(xs), statistics.fmean(ys)
            slope = sum((a - mx) * (b - my) for a, b in zip(xs, ys)) / sum((a - mx) ** 2 for a in xs)
            print("    %-8s (%s): %s;  least squares %.2f us/rule; %d rules: %.1f ms = x%.1f the 1-rule time" % (
                k, stat, ", ".join(steps), slope * 1e6, xs[-1], ms(ys[-1]), ys[-1] / ys[0]))
    print("  where cutover's time goes (bench/phases.c: the policy library alone, in one process):")
    for n in ns:
        path = os.path.join(results, "decide-phases%s.txt" % n)
        if os.path.exists(path):
            with open(path) as f:
                for ln in f:
                    print("    " + ln.rstrip())


def probe_rounds(path):
    rounds = []
    with open(path) as f:
        for ln in f:
            ln = ln.strip()
            if not ln or ln.startswith("#"):
                continue
            kv = dict(p.split("=", 1) for p in ln.split())
            rounds.append({k: float(v) for k, v in kv.items()})
    return rounds


def read_log(path):
    rows = []
    try:
        with open(path) as f:
            for ln in f:
                a = ln.split()
                rows.append((float(a[0]), float(a[1]), a[2], a[3]))
    except OSError:
        return None
    return rows


def handover(path):
    """(ms from the last apache2 answer before nginx's first one to that
    one, {outcome: failed requests started in between})."""
    rows = read_log(path)
    if not rows:
        return None
    oks = sorted((r[1], r[3]) for r in rows if r[2] == "ok")
    first_nginx = next((t for t, srv in oks if srv == "nginx"), None)
    if first_nginx is None:
        return None
    before = [t for t, srv in oks if srv == "apache" and t < first_nginx]
    if not before:
        return None
    last_apache = before[-1]
    fails = {}
    for r in rows:
        if r[2] != "ok" and last_apache - 1 <= r[0] <= first_nginx:
            fails[r[2]] = fails.get(r[2], 0) + 1
    return (first_nginx - last_apache, fails)


def handback(path):
    rows = read_log(path)
    if not rows:
        return None
    oks = sorted((r[1], r[3]) for r in rows if r[2] == "ok")
    seen_nginx = False
    for t, srv in oks:
        if srv == "nginx":
            seen_nginx = True
        elif seen_nginx and srv == "apache":
            return t
    return None


def switch(results):
    sides = [("seed", "(a) root script: apache2ctl stop, then nginx as user nginx"),
             ("cutover", "(b) cutover switch newsite, as user deploy")]
    got = {}
    for side, title in sides:
        pj = os.path.join(results, "switch-%s.json" % side)
        pp = os.path.join(results, "switch-%s.probe" % side)
        if not (os.path.exists(pj) and os.path.exists(pp)):
            print("%s: no results (%s)" % (title, "not run"))
            continue
        h = list(load(pj).values())[0]
        rounds = probe_rounds(pp)
        got[side] = (h, rounds)
        print(title)
        print(line("switch time", h))
        gaps = [r["max_gap_ms"] for r in rounds]
        print("  probe, %d rounds: longest gap per round (ms): %s" % (
            len(rounds), " ".join("%.1f" % g for g in gaps)))
        print("    longest gap: max %.1f ms, median %.1f ms, mean %.1f ms" % (
            max(gaps), statistics.median(gaps), statistics.fmean(gaps)))
        tot = {k: int(sum(r[k] for r in rounds)) for k in
               ("requests", "ok", "refused", "reset", "short", "badstatus", "timeout", "error", "apache", "nginx")}
        failed = tot["requests"] - tot["ok"]
        print("    requests %d, ok %d (apache %d, nginx %d), failed %d: refused %d, reset %d, short %d, "
              "badstatus %d, timeout %d, error %d" % (
                  tot["requests"], tot["ok"], tot["apache"], tot["nginx"], failed, tot["refused"],
                  tot["reset"], tot["short"], tot["badstatus"], tot["timeout"], tot["error"]))
        print("    failed per round: %s" % " ".join(str(int(r["requests"] - r["ok"])) for r in rounds))
        print("    rounds that ended on nginx: %d of %d" % (
            sum(1 for r in rounds if r.get("ended_nginx", 0) >= 1), len(rounds)))
        hand = [handover(os.path.join(results, "switch-%s.%d.log" % (side, i + 1)))
                for i in range(len(rounds))]
        hand = [x for x in hand if x is not None]
        if hand:
            print("    apache2 -> nginx handover (last apache2 answer before the first nginx one, to that one):")
            print("      per round (ms): %s" % " ".join("%.1f" % x[0] for x in hand))
            print("      max %.1f ms, median %.1f ms; failed requests started in it: %s" % (
                max(x[0] for x in hand), statistics.median(x[0] for x in hand),
                ", ".join("%s %d" % (k, sum(x[1].get(k, 0) for x in hand))
                          for k in ("refused", "reset", "short", "timeout", "error", "badstatus"))))
        audit = os.path.join(results, "switch-%s.audit.jsonl" % side)
        if os.path.exists(audit):
            steps = {}
            with open(audit) as f:
                for ln in f:
                    rec = json.loads(ln)
                    if rec.get("stage") in ("step", "outcome") and "duration" in rec:
                        key = rec.get("step", "whole switch (outcome record)")
                        steps.setdefault(key, []).append(rec["duration"] * 1000)
            if steps:
                print("    cutover's step records (duration, ms: median, min, max; n):")
                for k, v in steps.items():
                    print("      %-32s %7.1f %7.1f %7.1f  %d" % (k, statistics.median(v), min(v), max(v), len(v)))
        back = [x for x in (handback(os.path.join(results, "switch-%s.%d.log" % (side, i + 1)))
                            for i in range(len(rounds))) if x is not None]
        if back:
            print("    NOTE: in %d round(s) apache2 answered again after nginx had: with a socket handoff"
                  " both serve the one socket for a moment (the overlap); without one it is a rollback,"
                  " and the longest gap above may be that one" % len(back))
        got[side] = (h, rounds, tot, failed, gaps, hand)
    if "seed" in got and "cutover" in got:
        ha, _, ta, fa, ga, hoa = got["seed"]
        hb, _, tb, fb, gb, hob = got["cutover"]
        print("ratios b/a (separate hyperfine runs, same machine, same rounds):")
        print("  switch time: mean %.2f, median %.2f" % (hb["mean"] / ha["mean"], hb["median"] / ha["median"]))
        print("  longest gap: max %.2f, median %.2f" % (
            max(gb) / max(max(ga), 1e-9), statistics.median(gb) / max(statistics.median(ga), 1e-9)))
        if hoa and hob:
            print("  apache2 -> nginx handover: max %.2f, median %.2f" % (
                max(x[0] for x in hob) / max(x[0] for x in hoa),
                statistics.median(x[0] for x in hob) / statistics.median(x[0] for x in hoa)))
        print("  failed requests: %d / %d = %s; refused %d / %d" % (
            fb, fa, "%.2f" % (fb / fa) if fa else "n/a", tb["refused"], ta["refused"]))


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "decide":
        decide(sys.argv[2], int(sys.argv[3]), sys.argv[4:])
    elif len(sys.argv) == 3 and sys.argv[1] == "switch":
        switch(sys.argv[2])
    else:
        sys.exit(__doc__)
