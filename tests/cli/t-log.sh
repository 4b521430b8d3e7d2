#!/bin/sh
# cutover log: listing and filters over a trail made here (chained as
# audit.c chains it, hashes by sha256sum), rotated and gzip'd files read in
# order, and --verify finding each kind of tampering by FILE:LINE: a
# changed byte, a removed record, an inserted one, a swapped pair, a file
# cut inside a line or after a record (with --last), a rotated file
# missing; and NOT finding a record forged with every later hash
# recomputed, which only --last (syslog's copy) shows.
. tests/cli/lib.sh
T=$TEST_TMPDIR
zero=0000000000000000000000000000000000000000000000000000000000000000

# chain [PREV] <lines >chained: each line gets ,"prev":HASH of the one before
chain() {
	prev=${1:-$zero}
	while IFS= read -r l; do
		l="${l%\}},\"prev\":\"$prev\"}"
		printf '%s\n' "$l"
		prev=$(printf '%s' "$l" | sha256sum | cut -c1-64)
	done
}
lasthash() { tail -n 1 "$1" | tr -d '\n' | sha256sum | cut -c1-64; }

b='"host":"web1","pid":7,"uid":1001,"groups":["deploy"],"tty":null,"dry_run":false,"rule":"p.conf:3"'
rec() { # TIME TXID STAGE USER ACTION TARGET DECISION REASON [OUTCOME [STEP]]
	s=; [ -n "${10:-}" ] && s="\"step\":\"${10}\","
	o=; [ -n "${9:-}" ] && o=",\"outcome\":\"$9\",\"pids\":[],\"users\":[],\"duration\":0.250"
	printf '{"time":"%s","txid":"%s","stage":"%s",%s"user":"%s","action":"%s","target":"%s",%s,"decision":"%s","reason":"%s"%s}\n' \
	    "$1" "$2" "$3" "$s" "$4" "$5" "$6" "$b" "$7" "$8" "$o"
}
{
	rec 2026-11-30T10:00:00.000Z aaaa0001 request deploy switch newsite allow granted
	rec 2026-11-30T10:00:00.100Z aaaa0001 step deploy switch newsite allow granted ok "start nginx"
	rec 2026-11-30T10:00:00.200Z aaaa0001 outcome deploy switch newsite allow granted ok
	rec 2026-11-30T11:00:00.000Z aaaa0002 request intruder start apache2 deny "no rule allows it"
} | chain >"$T/audit.jsonl.1"
{
	rec 2026-12-01T09:00:00.000Z bbbb0001 request ci verify homepage allow granted
	rec 2026-12-01T09:00:00.300Z bbbb0001 outcome ci verify homepage allow "homepage FAILED: 500" failed
	rec 2026-12-02T09:00:00.000Z bbbb0002 request deploy switch newsite allow granted
	rec 2026-12-02T09:00:00.100Z bbbb0002 step deploy switch newsite allow "homepage FAILED: 500" failed "verify homepage"
	rec 2026-12-02T09:00:01.000Z bbbb0002 outcome deploy switch newsite allow "verify failed" rolled-back
	rec 2026-12-03T09:00:00.000Z bbbb0003 request deploy stop apache2 allow granted
	rec 2026-12-03T09:00:00.500Z bbbb0003 outcome deploy stop apache2 allow granted ok
} | chain "$(lasthash "$T/audit.jsonl.1")" >"$T/audit.jsonl"
gzip -c "$T/audit.jsonl.1" >"$T/audit.jsonl.1.gz"
ALL="$T/audit.jsonl.1 $T/audit.jsonl"

# ---- listing --------------------------------------------------------------
expect 0 "list" -- "$CUTOVER" log $ALL &&
	has "2026-11-30T10:00:00.200Z deploy switch newsite: ok, 0.250 s, txid aaaa0001" out "an outcome line" &&
	has "2026-11-30T11:00:00.000Z intruder start apache2: refused: no rule allows it, txid aaaa0002" out "a refusal line" &&
	has "deploy switch newsite: rolled-back: verify failed, 0.250 s, txid bbbb0002" out "a rollback with its reason"
[ "$(printf '%s\n' "$out" | wc -l)" = 5 ] || { echo "FAIL: 5 transactions, not: $out"; fails=$((fails + 1)); }
lacks "step" out "no steps without --steps"
expect 0 "--user --outcome" -- "$CUTOVER" log --user deploy --outcome rolled-back $ALL &&
	[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && has "txid bbbb0002" out "the one rollback"
expect 0 "--outcome refused" -- "$CUTOVER" log --outcome refused $ALL && has "intruder" out "the refusal" && lacks "deploy" out "only it"
expect 0 "--plan" -- "$CUTOVER" log --plan newsite $ALL &&
	[ "$(printf '%s\n' "$out" | wc -l)" = 2 ] || { echo "FAIL: --plan: $out"; fails=$((fails + 1)); }
expect 0 "--since --until" -- "$CUTOVER" log --since 2026-12-01 --until 2026-12-02 $ALL &&
	has "bbbb0001" out "the 1st" && has "bbbb0002" out "the 2nd, whole day" && lacks "bbbb0003" out "not the 3rd" && lacks "aaaa" out "not November"
expect 0 "--txid prefix" -- "$CUTOVER" log --txid=bbbb0003 $ALL && has "deploy stop apache2: ok" out "by txid"
expect 0 "--steps" -- "$CUTOVER" log --steps --txid bbbb0002 $ALL &&
	has "txid bbbb0002
    step verify homepage: failed: homepage FAILED: 500, 0.250 s" out "the step under its transaction"
expect 0 "--all" -- "$CUTOVER" log --all --txid aaaa0001 $ALL &&
	[ "$(printf '%s\n' "$out" | wc -l)" = 3 ] || { echo "FAIL: --all: $out"; fails=$((fails + 1)); }
expect 0 "--format=json" -- "$CUTOVER" log --format=json --user ci $ALL &&
	[ "$out" = "$(sed -n 2p "$T/audit.jsonl")" ] || { echo "FAIL: json is the record as written: $out"; fails=$((fails + 1)); }
expect 0 "a gzip'd rotated file" -- "$CUTOVER" log --txid aaaa0001 "$T/audit.jsonl.1.gz" && has "deploy switch newsite: ok" out "read through zlib"
expect 0 "standard input" -- sh -c "cat '$T/audit.jsonl' | '$CUTOVER' log --user ci -" && has "ci verify homepage: failed" out "from -"
expect 2 "a time in another shape" -- "$CUTOVER" log --since 2026-12-1 $ALL && has "UTC as the records have it" err "says the shape"
expect 2 "unknown option" -- "$CUTOVER" log --colour $ALL
expect 1 "a missing file" -- "$CUTOVER" log "$T/nope" && has "nope: No such file or directory" err "names it"
printf '{"user":"\\u001b[2Jx","stage":"request","decision":"deny"}\n' >"$T/esc.jsonl"
expect 0 "escapes in a record" -- "$CUTOVER" log "$T/esc.jsonl" && has '\x1b[2Jx' out "escaped, not raw"

# ---- verify ---------------------------------------------------------------
expect 0 "the whole trail" -- "$CUTOVER" log --verify $ALL &&
	has "audit.jsonl.1:1: the chain starts here" out "start" && has "11 lines in 2 files: the chain holds" out "holds"
expect 0 "the gzip'd rotated file in its place" -- "$CUTOVER" log --verify "$T/audit.jsonl.1.gz" "$T/audit.jsonl"
expect 0 "the live file alone" -- "$CUTOVER" log --verify "$T/audit.jsonl" && has "links to a record not given" out "says where it starts"

tamper() { # NAME SED-SCRIPT: a tampered copy of audit.jsonl
	sed "$2" "$T/audit.jsonl" >"$T/$1"
}
tamper changed '3s/"deploy"/"deplo1"/'
expect 1 "a changed byte" -- "$CUTOVER" log --verify "$T/changed" &&
	has "changed:4: does not link to the line before it: that line was changed" out "the record after it" &&
	has "the chain does NOT hold" out "summary"
tamper removed '3d'
expect 1 "a removed record" -- "$CUTOVER" log --verify "$T/removed" && has "removed:3: does not link to the line before it" out "where"
tamper inserted '3p'
expect 1 "an inserted record" -- "$CUTOVER" log --verify "$T/inserted" && has "inserted:4: links to the line two before it: the line before it was inserted" out "where"
tamper swapped '3{h;d};4G'
expect 1 "a swapped pair" -- "$CUTOVER" log --verify "$T/swapped" && has "swapped:3: does not link" out "where"
head -c -20 "$T/audit.jsonl" >"$T/cut"
expect 1 "cut inside a line" -- "$CUTOVER" log --verify "$T/cut" && has "cut:7: the file ends inside this line" out "where"
last=$(lasthash "$T/audit.jsonl")
head -n 5 "$T/audit.jsonl" >"$T/short"
expect 0 "cut after a record: the chain alone holds" -- "$CUTOVER" log --verify "$T/short"
expect 1 "cut after a record: --last shows it" -- "$CUTOVER" log --verify --last="$last" "$T/short" &&
	has "no line has the hash syslog received last" out "cut short at its end"
expect 0 "--last of the whole file" -- "$CUTOVER" log --verify --last "$last" $ALL
expect 2 "--last not a hash" -- "$CUTOVER" log --verify --last=abc $ALL
expect 1 "a rotated file missing between two" -- "$CUTOVER" log --verify "$T/audit.jsonl.1" "$T/removed"
cp "$T/audit.jsonl.1" "$T/short.1"; sed -i '$d' "$T/short.1"
expect 1 "the rotated file cut at its end" -- "$CUTOVER" log --verify "$T/short.1" "$T/audit.jsonl" &&
	has "audit.jsonl:1: does not link to the last line of the file before it" out "across files"
tamper unchained '4s/,"prev":"[0-9a-f]*"}$/}/'
expect 1 "a chain member stripped" -- "$CUTOVER" log --verify "$T/unchained" && has "unchained:4: a line without a chain among chained records" out "where"

# NOT found: a record changed and every later hash recomputed (root can do
# this); only the last hash syslog received shows it (SECURITY.md).
{
	head -n 2 "$T/audit.jsonl"
	sed -n '3,$p' "$T/audit.jsonl" | sed 's/,"prev":"[0-9a-f]*"}$/}/; 1s/"deploy"/"nobody"/' |
	    chain "$(head -n 2 "$T/audit.jsonl" | tail -n 1 | tr -d '\n' | sha256sum | cut -c1-64)"
} >"$T/forged"
expect 0 "forged with recomputed hashes: not found by the chain" -- "$CUTOVER" log --verify "$T/forged"
expect 1 "forged: found against syslog's last hash" -- "$CUTOVER" log --verify --last "$last" "$T/forged"
finish
