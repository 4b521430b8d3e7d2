#!/usr/bin/python3
"""report.py - make coverage's report and threshold (tests/coverage/run.sh).

Usage: report.py COV   (COV: build/cov, with the layers' counts in
                        COV/obj, COV/systest/obj and COV/ct/obj)

gcovr (Debian 12: 5.2) reads the counts twice: the host's layers alone
(unit, cli, system) and all of them (the container layer too), each into
a JSON file; this prints, per room (the directory: the privilege, HOUSE.md)
and in total, the line and branch coverage of both, so that what only the
containers reach shows; writes COV/coverage.txt (the same, and every file)
and COV/uncovered.txt (every function no layer ran); and fails when the
whole program's line or branch coverage is below COV_MIN_LINES or
COV_MIN_BRANCHES (percent), judged only when every layer ran (COV_RAN).
"""
import json
import os
import subprocess
import sys

SOURCES = ["helper/", "policy/", "pam/", "handoff/"]
LAYERS = ["unit", "cli", "system", "container"]


def gcovr(cov, dirs, out):
    """gcovr's JSON of the counts in DIRS, or None when there are none."""
    dirs = [d for d in dirs if os.path.isdir(d)]
    if not dirs:
        return None
    args = ["gcovr", "--root", ".", "--json", out]
    for s in SOURCES:
        args += ["--filter", s]
    subprocess.run(args + dirs, check=True)
    with open(out, encoding="utf-8") as f:
        return json.load(f)


def tally(report):
    """{file: [lines, lines run, branches, branches taken, functions]}"""
    files = {}
    for f in (report or {"files": []})["files"]:
        t = [0, 0, 0, 0, f.get("functions", [])]
        for ln in f["lines"]:
            if ln.get("gcovr/noncode"):
                continue
            t[0] += 1
            t[1] += ln["count"] > 0
            for b in ln.get("branches", []):
                t[2] += 1
                t[3] += b["count"] > 0
        files[f["file"]] = t
    return files


def pct(n, d):
    return 100.0 * n / d if d else 100.0


def sums(files, keep):
    s = [0, 0, 0, 0]
    for name, t in files.items():
        if keep(name):
            for i in range(4):
                s[i] += t[i]
    return s


def main():
    cov = sys.argv[1]
    ran = os.environ.get("COV_RAN", "").split()
    host = gcovr(cov, [f"{cov}/obj", f"{cov}/systest/obj"], f"{cov}/host.json")
    every = gcovr(cov, [f"{cov}/obj", f"{cov}/systest/obj", f"{cov}/ct/obj"],
                  f"{cov}/all.json")
    h, a = tally(host), tally(every)
    rooms = sorted({os.path.dirname(n) for n in a})
    out = []
    head = "%-22s %6s %8s %8s %9s %9s" % (
        "room", "lines", "host", "all", "br.host", "br.all")
    out.append("line and branch coverage: host = unit, cli, system layers; "
               "all = and the container layer")
    out.append(head)

    def row(label, keep):
        # the host's figures over the whole program's lines: a file no
        # host layer builds (handoff/) counts as not run there
        hs, as_ = sums(h, keep), sums(a, keep)
        hs[0], hs[2] = as_[0], as_[2]
        out.append("%-22s %6d %7.1f%% %7.1f%% %8.1f%% %8.1f%%" % (
            label, as_[0], pct(hs[1], hs[0]), pct(as_[1], as_[0]),
            pct(hs[3], hs[2]), pct(as_[3], as_[2])))
        return as_

    for r in rooms:
        row(r + "/", lambda n, r=r: os.path.dirname(n) == r)
    out.append("-" * len(head))
    for top in SOURCES:
        row(top, lambda n, top=top: n.startswith(top))
    total = row("total", lambda n: True)
    print("\n".join(out))

    files = ["", "per file (all layers): lines, run, %, branches, taken, %"]
    for n in sorted(a):
        t = a[n]
        files.append("%-40s %5d %5d %5.1f%% %5d %5d %5.1f%%" % (
            n, t[0], t[1], pct(t[1], t[0]), t[2], t[3], pct(t[3], t[2])))
    with open(f"{cov}/coverage.txt", "w", encoding="utf-8") as f:
        f.write("\n".join(out + files) + "\n")
    never = []
    for n in sorted(a):
        for fn in a[n][4]:
            if fn.get("execution_count", 0) == 0:
                never.append("%s:%d %s" % (n, fn.get("lineno", 0), fn["name"]))
    with open(f"{cov}/uncovered.txt", "w", encoding="utf-8") as f:
        f.write("\n".join(never) + ("\n" if never else ""))
    print(f"{len(never)} functions no layer ran: {cov}/uncovered.txt; "
          f"every file: {cov}/coverage.txt")

    min_lines = float(os.environ.get("COV_MIN_LINES", "0"))
    min_branches = float(os.environ.get("COV_MIN_BRANCHES", "0"))
    lines, branches = pct(total[1], total[0]), pct(total[3], total[2])
    missing = [x for x in LAYERS if x not in ran]
    if missing:
        print(f"threshold not judged: the {' and '.join(missing)} layer(s) "
              f"did not run (it is for the whole program: all four, as root)")
        return 0 if os.environ.get("COV_LAYERS") else 1
    ok = lines >= min_lines and branches >= min_branches
    print("threshold: lines %.1f%% (at least %.1f%%), branches %.1f%% "
          "(at least %.1f%%): %s" % (lines, min_lines, branches, min_branches,
                                     "ok" if ok else "BELOW"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
