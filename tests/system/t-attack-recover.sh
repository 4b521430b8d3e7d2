#!/bin/sh
# Issue 29's attack cell: deploy's port grabber (grab-port.py, a bind()
# of 8080 every 0.2 ms) aimed at `cutover recover`.  deploy's switch is
# killed (SIGKILL, as the OOM killer sends it; root does it here), with
# its guardian first (as a kill of both, their scope's, would: else the
# guardian recovers at once, t-switch.sh), while its check waits for a page that answers after 5 s: with the gap (nginx
# without socket_handoff) apache2 was stopped and nginx bound the port,
# the journal of intent says the check never passed.  Root's `cutover
# recover` then goes back: it stops nginx - the port is free - and starts
# apache2, which binds its port afresh.  That gap is the grabber's chance
# (with the handoff, apache2 was only paused, and the recovery lets it go
# on: the second cell); the recovery holds the
# bind guard while it acts (helper/act/portguard.c, as a switch does), so
# the grabber must never bind: the site ends served by apache2, with the
# trail telling the recovery, and deploy's switch works again after it.
# Last, the transaction alone is killed and its guardian recovers at once,
# the grabber running from before the kill: the same guard holds.
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

# the transaction: the front's child (no systemd here: no scope)
txn_of() {
	pgrep -P "$1" -x cutover | head -n 1
}

# killed_then_recovered MODE: deploy's switch killed during its check,
# then root's cutover recover with deploy's grabber running.  MODE gap:
# nginx without socket_handoff, so apache2 was stopped before nginx bound
# and the recovery starts it afresh (the grabber's chance); MODE pause:
# the handoff, apache2 only paused, and the recovery lets it go on.
killed_then_recovered() {
	if [ "$1" = gap ]; then
		write_policy "$slow
s|socket_handoff = \"nginx\";|socket_handoff = \"none\";|" || fail_check "write the gap policy"
	else
		write_policy "$slow" || fail_check "write the slow-check policy"
	fi
	back_to_apache2
	switch_bg
	txn=$(txn_of "$front")
	guardian=$(pgrep -P "${txn:-0}" -x cutover-guard | head -n 1)
	if [ -n "$txn" ] && [ -n "$guardian" ]; then
		expect 0 "$1: its guardian (pid $guardian) is killed" -- kill -KILL "$guardian"
		expect 0 "$1: the transaction (pid $txn) is killed during the check" -- kill -KILL "$txn"
	else
		fail_check "$1: no transaction and guardian under the front (pid $front)" "$(ps -o pid,ppid,comm -g "$front" 2>&1)"
	fi
	wait "$front"
	echo "$1: switch: exit $?: $(tail -n 1 "$TEST_TMPDIR/sw.err")"
	# the orphaned check ends on its own (its page answers after 5 s)
	[ -z "$check" ] || wait_for 15 gone "$check" || fail_check "$1: the check's process did not end"
	[ -f "$INTENT_DIR/newsite" ] || fail_check "$1: the killed switch left no journal in $INTENT_DIR"
	txid=$(sed -n 's/^txid //p' "$INTENT_DIR/newsite" 2>/dev/null)
	echo "$1: before the recovery: nginx $(nginx_procs | wc -l) process(es), apache2 pid '$(apache2_pid)'"

	audit_mark
	grab 20
	sleep 0.2
	expect 0 "$1: cutover recover (root), deploy's grabber running" -- "$CUTOVER" recover
	has "interrupted switch newsite (txid $txid)" err "$1: recover names the killed switch"
	has "going back" err "$1: the check had not passed: back"
	if [ "$1" = gap ]; then
		has "recover: start apache2" err "$1: apache2 is started again, binding its port"
	else
		has "recover: resume apache2: apache2 goes on" err "$1: the paused apache2 goes on"
		lacks "recover: start apache2" err "$1: nothing binds afresh"
	fi
	# the grabber a moment longer: the guard is gone, apache2 holds the port
	sleep 0.5
	kill "$grabber" 2>/dev/null
	grab_result "$1: recover going back"
	# refused by the guard (EPERM) while the recovery acted: it was there
	case $r in
	*EPERM*) ;;
	*) fail_check "$1: the grabber never met the guard: did it run during the recovery?" "$r" ;;
	esac
	serves "$OLD_TEXT" || fail_check "$1: after the recovery apache2 does not serve the old page" "$(served)"
	nginx_gone || fail_check "$1: nginx still runs after the recovery"
	[ -f "$INTENT_DIR/newsite" ] && fail_check "$1: the recovery left the journal"
	audit_new + "$1: the recovery's records"
	grep '"outcome":"decided"' "$TEST_TMPDIR/new.jsonl" | grep -q "(txid $txid)" &&
	    grep '"outcome":"recovered"' "$TEST_TMPDIR/new.jsonl" | grep -q "(txid $txid)" ||
	    fail_check "$1: the trail lacks decided and recovered for txid $txid" "$(cat "$TEST_TMPDIR/new.jsonl")"
}
killed_then_recovered gap
killed_then_recovered pause

# guardian_recovers: the gap's kill again, but of the transaction alone,
# with the grabber running from before it: the guardian recovers at once
# (stops nginx, starts apache2 afresh) and must hold the same bind guard
guardian_recovers() {
	write_policy "$slow
s|socket_handoff = \"nginx\";|socket_handoff = \"none\";|" || fail_check "write the gap policy"
	back_to_apache2
	switch_bg
	txn=$(txn_of "$front")
	[ -n "$txn" ] || { fail_check "guardian: no transaction under the front (pid $front)"; return; }
	audit_mark
	grab 20
	sleep 0.2
	expect 0 "guardian: the transaction (pid $txn) is killed during the check, deploy's grabber running" -- kill -KILL "$txn"
	wait "$front"
	wait_for 20 sh -c '[ ! -f "$1" ]' - "$INTENT_DIR/newsite" ||
	    fail_check "guardian: the killed switch was not recovered" "$(cat "$INTENT_DIR/newsite" 2>&1)"
	wait_for 20 sh -c '! pgrep -x cutover-guard >/dev/null' || fail_check "guardian: it did not exit"
	sleep 0.5
	kill "$grabber" 2>/dev/null
	grab_result "guardian going back"
	case $r in
	*EPERM*) ;;
	*) fail_check "guardian: the grabber never met the guard: did it run during the recovery?" "$r" ;;
	esac
	serves "$OLD_TEXT" || fail_check "guardian: after the recovery apache2 does not serve the old page" "$(served)"
	nginx_gone || fail_check "guardian: nginx still runs after the recovery"
	audit_new + "guardian: its records"
	grep -q '"step":"recover: start apache2"' "$TEST_TMPDIR/new.jsonl" ||
	    fail_check "guardian: apache2 was not started again" "$(cat "$TEST_TMPDIR/new.jsonl")"
	grep '"stage":"outcome"' "$TEST_TMPDIR/new.jsonl" | grep -q "its guardian recovered the switch" ||
	    fail_check "guardian: no outcome record of the killed switch" "$(tail -n 2 "$TEST_TMPDIR/new.jsonl")"
}
guardian_recovers

# and the plan works for deploy again, no root repair (the check fast)
write_policy "" || fail_check "restore the policy"
expect 0 "then deploy's switch newsite" -- as_deploy "$CUTOVER" switch newsite
serves "$NEW_TEXT" || fail_check "after the switch nginx does not serve the new page" "$(served)"
kill_tracked
back_to_apache2
audit_valid "at the end"
finish
