#!/bin/sh
# The caller cannot force a rollback by harming the check (issue 28, item
# 2), performed as deploy through the installed setuid cutover: during
# deploy's own switch newsite, whose check answers after 5 s
# (test-httpd.py's /slow), deploy tries what a user may do to its own
# processes - SIGSTOP, SIGKILL, SIGTERM, prlimit - on the check's step
# and on its fetch (the process that holds the client socket).  Each
# fails with EPERM: both run as the check user (CHECK_USER), with no
# supplementary group and the check's own resource limits.  The switch is
# not rolled back by it: done, exit 0, nginx serves the new page.  Before,
# the check ran as deploy: deploy's SIGKILL of it made the switch roll back
# (the audit's way of forcing the rollback that finding 1 needed).
# deploy's SIGINT to its own cutover stays an abort (a rollback):
# t-attack-gap.sh (b).
. tests/system/lib.sh
PYTHON=/usr/bin/python3
check_uid=$(id -u "$CHECK_USER") || { fail_check "the check user $CHECK_USER exists"; finish; }
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null' EXIT


# limit PID NAME: PID's soft and hard limit NAME ("Max open files"), as
# "SOFT HARD"
limit() {
	sed -n "s/^$2  *\([^ ]*\)  *\([^ ]*\) .*/\1 \2/p" "/proc/$1/limits"
}

# harm DESC PID: each thing deploy may do to a process of its own, done to
# PID: each must fail with EPERM, and PID run on, not stopped.
harm() {
	for sig in STOP KILL TERM; do
		if out=$(as_deploy kill -s "$sig" "$2" 2>&1); then
			fail_check "deploy sent SIG$sig to $1 (pid $2)"
		else
			case $out in
			*"not permitted"*) echo "ok: deploy's SIG$sig to $1: $out" ;;
			*) fail_check "deploy's SIG$sig to $1 failed for another reason than EPERM" "$out" ;;
			esac
		fi
	done
	if out=$(as_deploy prlimit --pid "$2" --nofile=1:1 2>&1); then
		fail_check "deploy lowered $1's RLIMIT_NOFILE"
	else
		case $out in
		*"not permitted"*) ;;
		*) fail_check "deploy's prlimit of $1 failed for another reason than EPERM" "$out" ;;
		esac
	fi
	[ "$(proc_state "$2" 2>/dev/null)" != T ] || fail_check "$1 (pid $2) is stopped"
	gone "$2" && fail_check "$1 (pid $2) is gone"
	return 0
}

"$PYTHON" tests/system/test-httpd.py "$TEST_TMPDIR" </dev/null >"$TEST_TMPDIR/server.out" 2>&1 &
server=$!
wait_for 10 test -s "$TEST_TMPDIR/port" || fail_check "test-httpd.py did not start" "$(cat "$TEST_TMPDIR/server.out")"
sport=$(cat "$TEST_TMPDIR/port")
write_policy "s|^  homepage = .*$|  homepage = { url = \"http://127.0.0.1:$sport/slow\"; status = 200; contains = \"Fall collection\"; timeout = 15.0; };|" ||
    fail_check "write the slow-check policy"

back_to_apache2
: >"$TEST_TMPDIR/requests.log"
setpriv --reuid=deploy --regid="$(id -g deploy)" --init-groups -- \
    /bin/sh -c "$EXEC_SH" "$CUTOVER" switch newsite \
    </dev/null >"$TEST_TMPDIR/sw.out" 2>"$TEST_TMPDIR/sw.err" &
front=$!
wait_for 15 grep -q "path=/slow" "$TEST_TMPDIR/requests.log" 2>/dev/null ||
    fail_check "the switch did not reach its check" "$(cat "$TEST_TMPDIR/sw.out" "$TEST_TMPDIR/sw.err")"
fetch=$(sed -n 's/.*path=\/slow .* pid=\([0-9]*\) .*/\1/p' "$TEST_TMPDIR/requests.log" | head -n 1)
if is_pid "$fetch"; then
	step=$(proc_field "$fetch" 4)
	for who in "the check's fetch:$fetch" "the check's step:$step"; do
		desc=${who%:*} pid=${who##*:}
		[ "$(proc_uid "$pid")" = "$check_uid" ] ||
		    fail_check "$desc (pid $pid) runs as $CHECK_USER ($check_uid), not uid $(proc_uid "$pid")"
		grep -q '^Groups:[[:space:]]*$' "/proc/$pid/status" ||
		    fail_check "$desc has no supplementary group" "$(grep ^Groups "/proc/$pid/status")"
		[ "$(limit "$pid" "Max open files")" = "256 256" ] ||
		    fail_check "$desc's RLIMIT_NOFILE is the check's own (256 256)" "$(limit "$pid" "Max open files")"
		[ "$(limit "$pid" "Max core file size")" = "0 0" ] ||
		    fail_check "$desc dumps no core" "$(limit "$pid" "Max core file size")"
		harm "$desc" "$pid"
	done
else
	fail_check "no check pid in the request log" "$(cat "$TEST_TMPDIR/requests.log")"
fi
wait "$front"
rc=$?
echo "switch: exit $rc: $(tail -n 1 "$TEST_TMPDIR/sw.out")"
[ "$rc" = 0 ] || fail_check "the switch was harmed: exit $rc, wanted 0" "$(cat "$TEST_TMPDIR/sw.out" "$TEST_TMPDIR/sw.err")"
grep -q "rolled back\|rolling back" "$TEST_TMPDIR/sw.out" "$TEST_TMPDIR/sw.err" &&
    fail_check "deploy forced a rollback" "$(cat "$TEST_TMPDIR/sw.err")"
grep -q "switch newsite: done in" "$TEST_TMPDIR/sw.out" "$TEST_TMPDIR/sw.err" ||
    fail_check "the switch says done" "$(cat "$TEST_TMPDIR/sw.out" "$TEST_TMPDIR/sw.err")"
serves "$NEW_TEXT" || fail_check "nginx serves the new site" "$(served)"

back_to_apache2
audit_valid "at the end"
finish
