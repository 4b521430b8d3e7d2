#!/bin/sh
# Under ASan+UBSan, as root: the policy commands (expectations too) on the system tests'
# policy and the examples, refusals, malformed requests, -n and list, the
# trail read back (log, log --verify) -
# every path that decides and records but acts on nothing.
. tests/system/asan/lib.sh
root_policy "" || exit 1
ex=policy/examples

expect 0 "policy check (system policy)" -- "$ASAN_CUTOVER" policy check
has "valid" out "policy check says valid"
for f in "$ex"/*.conf; do
	"$ASAN_CUTOVER" policy check "$f" >/dev/null 2>&1
	rc=$?
	case $rc in
	0 | 4) ;;
	*) fail_check "policy check $f: exit 0 or 4, got $rc" ;;
	esac
done
expect 0 "policy explain" -- "$ASAN_CUTOVER" policy explain
has "root may:" out "explain lists root"
expect 0 "policy explain --format=json" -- "$ASAN_CUTOVER" policy explain "$POLICY" --format=json
expect 0 "policy test: root may start nginx" -- "$ASAN_CUTOVER" policy test "$POLICY" root start nginx
expect 3 "policy test: root may not start apache2" -- "$ASAN_CUTOVER" policy test "$POLICY" root start apache2
expect 1 "policy diff: permissions changed" -- "$ASAN_CUTOVER" policy diff "$ex/deploy.conf" "$POLICY"
has "+ user root: start nginx" out "diff names root's new permissions"
expect 0 "policy diff: the same file" -- "$ASAN_CUTOVER" policy diff "$POLICY" "$POLICY"
expect 4 "policy check of an invalid file" -- "$ASAN_CUTOVER" policy check "$ex/../../tests/unit/data/nonexistent.conf"

audit_mark
expect 3 "start apache2: refused" -- "$ASAN_CUTOVER" start apache2
has "root may not start apache2" err "says what was refused"
expect 3 "free-port 22: refused" -- "$ASAN_CUTOVER" free-port 22
expect 2 "free-port 0: malformed" -- "$ASAN_CUTOVER" free-port 0
expect 2 "a 65-byte name: malformed" -- "$ASAN_CUTOVER" start "$(printf '%065d' 0 | tr 0 a)"
expect 2 "control characters: malformed" -- "$ASAN_CUTOVER" start "$(printf 'ngin\033x')"
expect 2 "unknown action" -- "$ASAN_CUTOVER" reboot now
expect 2 "no arguments" -- "$ASAN_CUTOVER"
expect 0 "-n free-port 8080: dry run" -- "$ASAN_CUTOVER" -n free-port "$PORT"
has "dry run" out "-n says dry run"
expect 0 "list" -- "$ASAN_CUTOVER" list
has "start nginx" out "list shows root's grants"
expect 3 "verify --format=nagios of an unknown check: UNKNOWN" -- \
    "$ASAN_CUTOVER" verify --format=nagios nosuchcheck
audit_new 10 "one record per request"
audit_valid "the records of the sanitizer runs"
# the trail read back, chained, under the sanitizers too
expect 0 "log --verify: the chain of these records" -- "$ASAN_CUTOVER" log --verify "$AUDIT" &&
	has "the chain holds" out "it holds"
expect 0 "log --all --steps: every record" -- "$ASAN_CUTOVER" log --all "$AUDIT"
expect 0 "log --outcome refused --format=json" -- "$ASAN_CUTOVER" log --outcome refused --format=json "$AUDIT"
expect 0 "policy test --expect the example's" -- "$ASAN_CUTOVER" policy test "$ex/deploy.conf" --expect "$ex/deploy.expect"
printf 'root may-nothing\nroot may-not start nginx\nroot may stop apach2\n' >"$TEST_TMPDIR/root.expect"
expect 1 "policy test --expect: expectations that do not hold" -- "$ASAN_CUTOVER" policy test "$POLICY" --expect "$TEST_TMPDIR/root.expect" &&
	has "3 of 3 expectations do not hold" out "each one"
sanitizer_clean
finish
