#!/bin/sh
# shellcheck disable=SC2016 # sh -c code: expanded there
# The second audit's finding 1 (issue 28) performed as user deploy against
# the installed setuid cutover: deploy runs grab-port.py, which retries
# bind() of port 8080 ([::] dual-stack, then 0.0.0.0) every 0.2 ms, while
#   (a) a switch rolls back because its check's process died (a check
#       that answers after 5 s holds it open; root kills it here: it
#       stands for a check a hostile server made crash, since deploy no
#       longer can - the check runs as the check user, t-attack-check.sh):
#       the rollback stopped nginx and started apache2, which bound its
#       own socket (since issue 27 apache2 is only paused while nginx is
#       checked, and the rollback lets it go on: it binds nothing, and the
#       grabber must still never bind);
#   (b) a switch rolls back because deploy sent SIGINT to its cutover;
#   (c) a switch takes the gap (nginx without socket_handoff): apache2 is
#       stopped before nginx binds.
# Before the fix the grabber won each (the audit: 3 of 3 runs, both
# services down, deploy's page on 8080).  Now, for the switch's life, the
# plan's ports are bindable by root and the plan's services' users alone
# (a cgroup BPF bind guard, helper/act/portguard.c): the grabber never
# binds, gets EPERM, and the site ends served by apache2 or nginx.  Once
# the switch has ended, the guard is gone: deploy may bind a port no one
# holds again.
. tests/system/lib.sh
. tests/system/grab.sh
server=
GRAB_DIR=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; [ -z "$GRAB_DIR" ] || rm -rf "$GRAB_DIR"' EXIT
grab_setup || exit 1

"$PYTHON" tests/system/test-httpd.py "$TEST_TMPDIR" </dev/null >"$TEST_TMPDIR/server.out" 2>&1 &
server=$!
wait_for 10 test -s "$TEST_TMPDIR/port" || fail_check "test-httpd.py did not start" "$(cat "$TEST_TMPDIR/server.out")"
sport=$(cat "$TEST_TMPDIR/port")
slow="s|^  homepage = .*$|  homepage = { url = \"http://127.0.0.1:$sport/slow\"; status = 200; contains = \"Fall collection\"; timeout = 15.0; };|"
write_policy "$slow" || fail_check "write the slow-check policy"

# (a) the check's process dies: the switch rolls back
back_to_apache2
grab 20
switch_bg
if is_pid "$check"; then
	expect 0 "the check's process (pid $check) is killed" -- kill -KILL "$check"
else
	fail_check "no check step pid in the request log" "$(cat "$TEST_TMPDIR/requests.log")"
fi
wait "$front"
echo "switch: exit $?: $(tail -n 1 "$TEST_TMPDIR/sw.err")"
grep -q "rolled back: apache2 was only paused" "$TEST_TMPDIR/sw.err" ||
    fail_check "(a) the switch did not roll back to apache2" "$(cat "$TEST_TMPDIR/sw.err")"
kill "$grabber" 2>/dev/null
grab_result "(a) rollback after the check's process was killed"

# (b) deploy's SIGINT: the switch rolls back
back_to_apache2
grab 20
switch_bg
expect 0 "deploy sends SIGINT to its cutover" -- as_deploy kill -INT "$front"
wait "$front"
echo "switch: exit $?: $(tail -n 1 "$TEST_TMPDIR/sw.err")"
grep -q "rolled back: apache2 was only paused" "$TEST_TMPDIR/sw.err" ||
    fail_check "(b) the switch did not roll back to apache2" "$(cat "$TEST_TMPDIR/sw.err")"
kill "$grabber" 2>/dev/null
grab_result "(b) rollback after SIGINT"

# (c) no handoff: the switch takes the gap between apache2's stop and
# nginx's bind
write_policy "s|socket_handoff = \"nginx\";|socket_handoff = \"none\";|" || fail_check "write the gap policy"
grep -q 'socket_handoff = "none"' "$POLICY" || fail_check "the gap policy has no socket_handoff = none"
back_to_apache2
grab 15
expect 0 "switch newsite taking the gap" -- as_deploy "$CUTOVER" switch newsite
kill "$grabber" 2>/dev/null
grab_result "(c) a switch that takes the gap"
serves "$NEW_TEXT" || fail_check "(c) nginx does not serve the new site" "$(served)"

# the guard ends with the switch: deploy may bind a free port again
back_to_apache2
apache2_stop 2>/dev/null || kill -TERM "$(apache2_pid)" 2>/dev/null
wait_for 10 not_listening "$PORT" || fail_check "apache2 did not stop"
grab 1
wait "$grabber" 2>/dev/null
case $(cat "$GRAB_DIR/grab.out" 2>/dev/null) in
"grabbed $PORT") echo "ok: with no switch running, deploy binds the free port $PORT" ;;
*) fail_check "the guard outlived the switch" "$(cat "$GRAB_DIR/grab.out" 2>/dev/null)" ;;
esac
kill_tracked
back_to_apache2
audit_valid "at the end"
finish
