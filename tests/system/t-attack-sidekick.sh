#!/bin/sh
# shellcheck disable=SC2016 # perl -e code: expanded there
# The second audit's finding 2 (issue 28, item 3) performed as deploy,
# through the installed setuid cutover: a holder that passes its
# listening socket (SCM_RIGHTS) to a sidekick.  Service "old" is a
# root-owned copy of python3 run as deploy (a program the caller can run,
# as the finding needs); plan "oldsite" hands its socket to nginx.  The
# sidekick, /usr/bin/python3 as deploy, takes the socket and answers on it.
#   (a) before the switch: the pre-flight's take-port refuses and names
#       the sidekick (exit 3; nothing started);
#   (b) while the new service starts (nginx's start waits 2 s before it
#       execs; old passes its socket meanwhile): the start step fails,
#       naming the sidekick, and the switch rolls back (old serves on);
#   (c) at the old service's graceful stop (its drain signal, USR1, makes
#       it pass the socket and exit): the stop step fails, naming the
#       sidekick; nothing says "done"; the rollback shuts down the
#       transaction's copy of the handed socket, so that the sidekick's
#       copy stops listening, and old binds afresh: the port ends old's,
#       not the sidekick's, though the sidekick holds its copy on.
#       (Before: "ROLLBACK FAILED; port N is now held by" the sidekick.)
# Before the fix each of (b) and (c) ended "done ... verified", exit 0,
# with the sidekick holding nginx's listening socket.
. tests/system/lib.sh

holder_exe=$LIBEXEC_DIR/holder-python
install -m 0755 -o root -g root /usr/bin/python3.11 "$holder_exe" || exit 1
script=$TEST_TMPDIR/pass-socket.py
install -m 0755 -o root -g root tests/system/pass-socket.py "$script" || exit 1
side_dir=$TEST_TMPDIR/side
install -d -m 0700 -o deploy -g "$(id -g deploy)" "$side_dir" || exit 1
side_sock=$side_dir/sock

# policy OLD_EXTRA NGINX_START: old and oldsite, nginx started by NGINX_START
policy() {
	write_policy "s|^services = {\$|services = { old = { exe = \"$holder_exe\"; user = \"deploy\"; start = [\"$holder_exe\", \"$script\", \"hold\", \"$PORT\", \"$side_sock\"]; stop_timeout = 3.0; ports = [$PORT]; $1 };|
s|holders = \\[\"apache2\", \"nginx\"\\]|holders = [\"apache2\", \"nginx\", \"old\"]|
s|switch = \\[\"newsite\"\\];|switch = [\"newsite\", \"oldsite\"];|
s|start = \\[\"/usr/sbin/nginx\", |start = [$2|
s|^  newsite = {|  oldsite = { port = $PORT; from = \"old\"; to = \"nginx\"; verify = [\"homepage\"]; rollback = true; };\\
  newsite = {|" || fail_check "cannot write the policy"
}
NGINX_START='"/usr/sbin/nginx", '
SLOW_START='"/usr/bin/perl", "-e", "sleep 2; exec @ARGV or die", "/usr/sbin/nginx", '

# as_deploy_bg COMMAND...: in the background as deploy; its pid in $bg
as_deploy_bg() {
	setpriv --reuid=deploy --regid="$(id -g deploy)" --init-groups -- \
	    /bin/sh -c "$EXEC_SH" "$@" </dev/null >/dev/null 2>>"$TEST_TMPDIR/bg.err" &
	bg=$!
}

# start_old [--exit]: old listening on PORT; the sidekick waiting for a socket
start_old() {
	rm -f "$side_sock"
	as_deploy_bg /usr/bin/python3 "$script" take "$side_sock"
	side=$bg
	wait_for 5 test -S "$side_sock" || fail_check "the sidekick listens on $side_sock" "$(cat "$TEST_TMPDIR/bg.err")"
	track "$side"
	as_deploy_bg "$holder_exe" "$script" hold "$PORT" "$side_sock" "$@"
	old=$bg
	wait_for 5 listening "$PORT" || fail_check "old listens on $PORT" "$(cat "$TEST_TMPDIR/bg.err")"
	track "$old"
}

clean() {
	kill_tracked
	nginx_stop
	wait_for 10 not_listening "$PORT" || fail_check "port $PORT free again" "$(describe_holders "$PORT")"
}

# sidekick_holds: the sidekick has a listening socket of PORT
# shellcheck disable=SC2317 # run by wait_for
sidekick_holds() {
	port_pids "$PORT" | grep -qx "$side"
}

# ---- (a) the sidekick holds the socket before the switch ----------------------
policy "" "$NGINX_START"
start_old
kill -USR1 "$old"
wait_for 5 sidekick_holds || fail_check "(a) the sidekick took old's socket"
expect 3 "(a) switch oldsite with the sidekick on the socket: refused" -- as_deploy "$CUTOVER" switch oldsite
has "port $PORT is held by pid $side (/usr/bin/python3.11, user deploy" err "(a) the refusal names the sidekick"
[ -z "$(nginx_procs)" ] || fail_check "(a) nginx was started"
clean

# ---- (b) passed while the new service starts ----------------------------------
policy "" "$SLOW_START"
start_old
audit_mark
# made first: grep exits 2 on a missing file, and wait_for gives up at once
: >"$TEST_TMPDIR/b.out"
as_deploy "$CUTOVER" switch oldsite >>"$TEST_TMPDIR/b.out" 2>&1 &
sw=$!
wait_for 10 grep -q "take-port $PORT: took over" "$TEST_TMPDIR/b.out" ||
    fail_check "(b) the switch took the socket over" "$(cat "$TEST_TMPDIR/b.out")"
kill -USR1 "$old"
wait_for 5 sidekick_holds || fail_check "(b) the sidekick took old's socket"
wait "$sw"
rc=$?
out=$(cat "$TEST_TMPDIR/b.out")
[ "$rc" = 1 ] || fail_check "(b) switch oldsite, a sidekick given the socket meanwhile: exit $rc, wanted 1" "$out"
printf '%s\n' "$out" | grep -q "start nginx: .*port $PORT's handed socket is held by pid $side (/usr/bin/python3.11, user deploy" ||
    fail_check "(b) the start step names the sidekick" "$out"
has "which is not one of the switch's services: its executable is not" out "(b) and says what differs"
has "rolled back" out "(b) the switch rolled back"
lacks "done in" out "(b) the switch is not done"
gone "$old" && fail_check "(b) old serves on (it was never stopped)"
[ -z "$(nginx_procs)" ] || fail_check "(b) nginx still runs after the rollback"
grep -q "handed socket is held by pid $side" "$AUDIT" || fail_check "(b) the audit record names the sidekick"
clean

# ---- (c) passed at the old service's graceful stop ------------------------------
policy 'drain_signal = "USR1"; drain_timeout = 5.0;' "$NGINX_START"
start_old --exit
out=$(as_deploy "$CUTOVER" switch oldsite 2>&1)
rc=$?
[ "$rc" = 1 ] || fail_check "(c) switch oldsite, old passing its socket at its stop: exit $rc, wanted 1" "$out"
# The stop step names it: a socket in flight (SCM_RIGHTS) is no process's
# until the sidekick's recvmsg(), so the step looks twice, 100 ms apart.
# (The checks ran before the stop, while old was paused: they cannot.)
printf '%s\n' "$out" | grep -q "stop old: .*port $PORT's handed socket is held by pid $side (/usr/bin/python3.11, user deploy" ||
	fail_check "(c) the stop step does not name the sidekick" "$out"
lacks "done in" out "(c) the switch is not done"
has "shutting down the listening socket handed on (for every process that holds it), so that old binds afresh" out \
    "(c) the rollback says it shuts the handed socket down"
lacks "ROLLBACK FAILED" out "(c) the rollback binds for old"
has "rolled back" out "(c) the switch rolled back"
# The port is old's again, a new process of holder-python's started by
# the rollback; the sidekick holds its copy on, but it no longer listens.
pids=$(port_pids "$PORT")
[ -n "$pids" ] || fail_check "(c) something listens on $PORT after the rollback" "$out"
for p in $pids; do
	track "$p"
	[ "$p" != "$side" ] || fail_check "(c) the sidekick still listens on $PORT" "$(describe_holders "$PORT")"
	[ "$(proc_exe "$p")" = "$holder_exe" ] ||
	    fail_check "(c) port $PORT is old's after the rollback" "$(describe_holders "$PORT")"
done
gone "$side" && fail_check "(c) the sidekick holds its copy on (its accept() failed)"
[ -n "$(find "/proc/$side/fd" -lname 'socket:*' 2>/dev/null)" ] || fail_check "(c) the sidekick kept a socket"
clean

audit_valid "after the sidekick attacks"
finish
