#!/bin/sh
# shellcheck disable=SC2016 # sh -c code: expanded there
# Finding 5 of the outside audit: bytes that are not cutover's own never
# reach the caller's terminal raw.  deploy runs a copy of perl from a
# directory whose name holds ESC ] 0 ; pwned BEL ESC [ 2 J (retitle the
# terminal, clear the screen) and holds port 8080 with it; free-port 8080
# (permitted from apache2 and nginx) is refused because of that holder,
# and so is switch newsite's pre-flight: the refusals name the holder's
# exe, escaped (\x1b ... \x07), with no ESC or BEL byte on stdout or
# stderr.  The same for a system policy and a caller-named policy with
# such bytes in a string value (list, policy explain/test/diff/check),
# and for a caller-named file and user name in the policy commands.
. tests/system/lib.sh

ESC=$(printf '\033')
BEL=$(printf '\007')
evil=$(printf '\033]0;pwned\007\033[2J')
shown='\x1b]0;pwned\x07\x1b[2J'

# raw_free DESCRIPTION: neither $out nor $err holds an ESC or BEL byte.
raw_free() {
	case $out$err in
	*"$ESC"* | *"$BEL"*)
		fail_check "$1: no raw ESC or BEL byte on stdout or stderr" \
		    "$(printf 'stdout: %s\nstderr: %s\n' "$out" "$err" | cat -v)" ;;
	esac
}

if listening "$PORT"; then
	echo "skip: port $PORT is in use here: $(describe_holders "$PORT")"
	exit 77
fi
# shellcheck disable=SC2317 # run from the EXIT trap
trap 'kill_tracked' EXIT

# ---- a holder whose exe path holds terminal escapes ---------------------------
dir=$TEST_TMPDIR/bin$evil
mkdir "$dir" && chown deploy "$dir" || exit 1
as_deploy cp /usr/bin/perl "$dir/perl" || exit 1
setpriv --reuid=deploy --regid="$(id -g deploy)" --init-groups -- \
    /bin/sh -c "$EXEC_SH" "$dir/perl" "$HOLD_PORT" "$PORT" </dev/null >/dev/null 2>&1 &
held=$!
if wait_for 5 listening "$PORT" && [ "$(proc_exe "$held")" = "$dir/perl" ]; then
	track "$held"
	expect 3 "free-port $PORT held by $shown/perl: refused" -- as_deploy "$CUTOVER" free-port "$PORT"
	has "pid $held " err "the refusal names the holder's pid"
	has "bin$shown/perl" err "the refusal shows the holder's exe escaped"
	raw_free "free-port's refusal"
	expect 3 "switch newsite with that holder on $PORT: the pre-flight refuses" -- \
	    as_deploy "$CUTOVER" switch newsite
	has "bin$shown/perl" err "the pre-flight's refusal shows the holder's exe escaped"
	raw_free "switch's pre-flight refusal"
	expect 3 "-n switch newsite: the pre-flight refuses" -- as_deploy "$CUTOVER" -n switch newsite
	raw_free "-n switch's pre-flight refusal"
	gone "$held" && fail_check "the holder still runs after the refusals"
else
	fail_check "the copy of perl at $shown/perl listens on $PORT" "$(describe_holders "$PORT")"
fi
kill_tracked

# ---- a string value with those bytes: the system policy and a caller's ------
contains="Fall$evil collection$(printf '\302\233')"
write_policy "s|contains = \"Fall collection\"|contains = \"$contains\"|" || exit 1
grep -q pwned "$POLICY" || { fail_check "the policy with the escapes was written"; finish; }
expect 0 "list" -- as_deploy "$CUTOVER" list
has "verify homepage" out "list shows the check"
has "$shown" out "list shows the string escaped"
raw_free "list"

mine=$TEST_TMPDIR/policy$evil.conf
cp "$POLICY" "$mine" && chown deploy "$mine" || exit 1
for format in text json; do
	expect 0 "policy explain (--format=$format) of a caller-named file with escapes in its name and a value" -- \
	    as_deploy "$CUTOVER" policy explain "$mine" --format=$format
	has pwned out "explain --format=$format shows the value"
	raw_free "policy explain --format=$format"
done
expect 0 "policy check of that file" -- as_deploy "$CUTOVER" policy check "$mine"
raw_free "policy check"
expect 0 "policy test of that file" -- as_deploy "$CUTOVER" policy test "$mine" deploy verify homepage
has "$shown" out "policy test shows the value escaped"
raw_free "policy test"
# the standard policy, copied where deploy can read it (the checkout may be
# under /root, as a CI clone may be)
standard=$TEST_TMPDIR/standard.conf
cp "$SRCDIR/policy/examples/deploy.conf" "$standard" && chmod 0644 "$standard" || exit 1
expect 1 "policy diff: the file and the standard policy" -- \
    as_deploy "$CUTOVER" policy diff "$standard" "$mine"
has pwned out "policy diff shows the value (escaped, and quoted: \\\\x1b)"
raw_free "policy diff"
expect 3 "policy test, a user name with escapes" -- as_deploy "$CUTOVER" policy test "$mine" "de${evil}ploy" verify homepage
raw_free "policy test, a user name with escapes"
expect 2 "policy test, an action with escapes" -- as_deploy "$CUTOVER" policy test "$mine" deploy "ver${evil}ify" homepage
raw_free "policy test, an action with escapes"
expect 4 "policy check, a missing file with escapes in its name" -- as_deploy "$CUTOVER" policy check "$mine.missing"
raw_free "policy check of a missing file"
audit_valid "after the escapes"
finish
