#!/bin/sh
# bench/log.sh - cutover log on a year of records, against jq asking the
# same question (issue 31).  Not part of make check; no test times
# anything.  Needs no root and no set-up: `log` reads a file as its caller.
#
# bench/log-gen.py writes N (RECORDS, 1,000,000) records as cutover writes
# them, chained, to $RESULTS/trail.jsonl (about 470 MB: three users, five
# actions, switches with four steps, 10 % refused, 5 % failed).  Then one
# hyperfine run (-N, RUNS 3 after a warm-up that reads the file into the
# page cache) times, side by side:
#   cutover   cutover log --user deploy --outcome failed FILE
#   jq        jq -c 'select(.user=="deploy" and .outcome=="failed")' FILE
#   verify    cutover log --verify FILE      (every line hashed and read)
# after checking that the first two print the same number of lines.
#
# Results: $RESULTS (build/bench) log.json (hyperfine), log.txt (the
# summary, also printed).  Environment: RECORDS, RUNS, CUTOVER
# (build/cutover).
set -u
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
RESULTS=${RESULTS:-$BUILD/bench}
RECORDS=${RECORDS:-1000000}
RUNS=${RUNS:-3}
CUTOVER=${CUTOVER:-$BUILD/cutover}
trail=$RESULTS/trail.jsonl
query='select(.user=="deploy" and .outcome=="failed")'

for t in jq hyperfine python3; do
	command -v "$t" >/dev/null 2>&1 ||
	    { echo "log: no $t (make bench installs jq and hyperfine)" >&2; exit 1; }
done
[ -x "$CUTOVER" ] || { echo "log: no $CUTOVER (make first)" >&2; exit 1; }
mkdir -p "$RESULTS" || exit 1
python3 bench/log-gen.py "$RECORDS" "$trail" || exit 1
mine=$("$CUTOVER" log --user deploy --outcome failed "$trail" | wc -l)
theirs=$(jq -c "$query" "$trail" | wc -l)
[ "$mine" = "$theirs" ] ||
    { echo "log: cutover found $mine, jq $theirs: not the same question" >&2; exit 1; }
hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$RESULTS/log.json" \
    -n cutover "$CUTOVER log --user deploy --outcome failed $trail" \
    -n jq "jq -c '$query' $trail" \
    -n verify "$CUTOVER log --verify $trail" >"$RESULTS/log.hyperfine" || exit 1
python3 - "$RESULTS/log.json" "$RECORDS" "$mine" "$(wc -c <"$trail")" <<'PY' | tee "$RESULTS/log.txt"
import json, sys
runs = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
n, found, size = int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
print("cutover log on %d records (%.0f MB), %s found (user deploy, outcome failed):" % (n, size / 1e6, found))
for name in ("cutover", "jq", "verify"):
    r = runs[name]
    print("  %-8s mean %6.2f s (min %.2f, max %.2f), user %.2f s, system %.2f s" % (
        name, r["mean"], r["min"], r["max"], r["user"], r["system"]))
print("  jq / cutover: %.1f x (wall), %.1f x (user)" % (
    runs["jq"]["mean"] / runs["cutover"]["mean"], runs["jq"]["user"] / runs["cutover"]["user"]))
PY
rm -f "$trail"
