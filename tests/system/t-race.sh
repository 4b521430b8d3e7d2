#!/bin/sh
# Concurrent requests on the same port or service (issue 12, finding 7):
# before the locks, two `cutover start` of one service both passed the
# pre-flight, both launched and both said "ok" (two instances listening
# on an SO_REUSEPORT port).  Now every action that touches a port or a
# service holds a lock on each from after its request record to after its
# outcome record, and a concurrent request is refused (exit 3) naming the
# txid of the one at work.
#
# Each race starts N requests as deploy behind one barrier (a fifo each
# blocks opening until the test opens it), against actions that take
# seconds (a service that binds 2 s after its start, a holder that
# ignores its stop signal for 1.5 s), so that without the locks they would
# all act: 2 and 10 concurrent start of one service, free-port of one
# port, switch of one plan, and a stop of nginx while a switch to nginx
# runs its (slow) check.  For each: exactly one acts, every request has
# its request and outcome records, the refused ones say so (outcome
# "refused", "another cutover request is working on ... (txid T)" with T
# the txid of the one that acted), and the system ends with one instance
# listening.  And the lock directory: made 0700 root; unsafe (0777, a
# symlink) it refuses, and so does a lock the kernel will not give (flock
# EIO, mkdirat ENOSPC, injected with strace).
. tests/system/lib.sh
SLOW_PORT=18310
LOCK_DIR=/run/cutover-systest/lock
PYTHON=/usr/bin/python3
server=

cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null
	for p in $(port_pids "$SLOW_PORT"); do
		kill -KILL "$p" 2>/dev/null
	done
	exec 9>&- 2>/dev/null
}
trap cleanup EXIT

# The standard policy and a service "slow" (hold-port.pl as intruder, with
# SO_REUSEPORT, listening 2 s after its start; it ignores its stop signal,
# WINCH, and is killed 1.5 s later), its port, and deploy's right to free
# the port and to start and stop it.  Line numbers are unchanged.
slow_policy() {
	write_policy "s|^services = {\$|services = { slow = { exe = \"/usr/bin/perl\"; user = \"intruder\"; start = [\"/usr/bin/perl\", \"-e\", \"sleep 2; exec q(/usr/bin/perl), @ARGV\", \"$HOLD_PORT\", \"--reuseport\", \"$SLOW_PORT\"]; stop_signal = \"WINCH\"; stop_timeout = 1.5; kill_after = true; start_timeout = 10.0; ports = [$SLOW_PORT]; };|
s|^ports = (\$|ports = ( { port = $SLOW_PORT; holders = [\"slow\"]; },|
s|free   = \[8080\];|free   = [8080, $SLOW_PORT];|
s|start  = \[\"nginx\"\];|start  = [\"nginx\", \"slow\"];|
s|stop   = \[\"nginx\"\];|stop   = [\"nginx\", \"slow\"];|$1"
}

# ---- the barrier ----------------------------------------------------------
RACE=$TEST_TMPDIR/race

# at_barrier N: all N requests are a shell (as deploy) asleep in open().
at_barrier() {
	_bi=0
	while [ "$_bi" -lt "$1" ]; do
		_bi=$((_bi + 1))
		_bp=$(cat "$RACE/pid.$_bi")
		[ "$(proc_exe "$_bp")" = /usr/bin/dash ] && [ "$(proc_state "$_bp")" = S ] || return 1
	done
}

# race N ARG...: N times `cutover ARG...` as deploy, released at once;
# exit statuses in $RACE/rc.I, stdout and stderr in $RACE/out.I, err.I.
race() {
	_rn=$1
	shift
	rm -rf "$RACE" && mkdir "$RACE" && chmod 0755 "$RACE" && mkfifo -m 0644 "$RACE/go" ||
	    { fail_check "race: the barrier"; return 1; }
	_ri=0
	while [ "$_ri" -lt "$_rn" ]; do
		_ri=$((_ri + 1))
		# setpriv execs sh, which waits at the fifo, then execs
		# cutover: $! is the request's pid
		# shellcheck disable=SC2016 # expanded by that shell
		setpriv --reuid=deploy --regid="$(id -g deploy)" --init-groups -- \
		    /bin/sh -c ': <"$0"; exec "$@"' "$RACE/go" "$CUTOVER" "$@" \
		    </dev/null >"$RACE/out.$_ri" 2>"$RACE/err.$_ri" &
		echo "$!" >"$RACE/pid.$_ri"
	done
	wait_for 10 at_barrier "$_rn" || fail_check "race: not all $_rn requests reached the barrier"
	# read-write: never blocks, and counts as the writer they wait for
	exec 9<>"$RACE/go"
	_ri=0
	while [ "$_ri" -lt "$_rn" ]; do
		_ri=$((_ri + 1))
		_rp=$(cat "$RACE/pid.$_ri")
		if ! wait_for 60 gone "$_rp"; then
			fail_check "race: request $_ri (pid $_rp) did not end within 60 s"
			kill -KILL "$_rp"
		fi
		wait "$_rp"
		echo "$?" >"$RACE/rc.$_ri"
	done
	exec 9>&-
}

# race_outcome WHAT N WORDS: exactly one request exited 0; each other one
# exited 3 saying "another cutover request is working on WORDS".
race_outcome() {
	_oks=$(grep -lx 0 "$RACE"/rc.* | wc -l)
	[ "$_oks" = 1 ] || fail_check "$1: $_oks of $2 requests acted (exit 0), wanted exactly 1" \
	    "$(for f in "$RACE"/rc.*; do i=${f##*.}; echo "request $i: exit $(cat "$f"): $(cat "$RACE/out.$i" "$RACE/err.$i")"; done)"
	for _f in "$RACE"/rc.*; do
		_i=${_f##*.}
		[ "$(cat "$_f")" = 0 ] && continue
		[ "$(cat "$_f")" = 3 ] || fail_check "$1: request $_i exited $(cat "$_f"), wanted 3 (refused)" \
		    "$(cat "$RACE/err.$_i")"
		grep -q "another cutover request is working on $3 (txid [0-9a-f]\{32\}); try again when it has finished" \
		    "$RACE/err.$_i" || fail_check "$1: request $_i does not say another request is working on $3" \
		    "$(cat "$RACE/err.$_i")"
	done
}

# records_truthful WHAT N WORDS: in the new records, N txids; each one
# request and one outcome record; one outcome "ok" (the winner's), every
# other "refused" with a reason naming WORDS and the winner's txid.
records_truthful() {
	_t=$TEST_TMPDIR/table
	for _k in txid stage outcome reason; do
		"$JSONL_CHECK" -f "$_k" "$TEST_TMPDIR/new.jsonl" >"$_t.$_k"
	done
	paste "$_t.txid" "$_t.stage" "$_t.outcome" "$_t.reason" >"$_t"
	_txids=$(cut -f1 "$_t" | sort -u)
	[ "$(echo "$_txids" | wc -l)" = "$2" ] || fail_check "$1: $(echo "$_txids" | wc -l) txids in the new records, wanted $2" "$(cat "$_t")"
	_win=$(awk -F'\t' '$2 == "\"outcome\"" && $3 == "\"ok\"" { print $1 }' "$_t")
	[ "$(echo "$_win" | grep -c .)" = 1 ] || { fail_check "$1: $(echo "$_win" | grep -c .) outcome records say ok, wanted 1" "$(cat "$_t")"; return; }
	for _x in $_txids; do
		_r=$(awk -F'\t' -v x="$_x" '$1 == x && $2 == "\"request\""' "$_t" | wc -l)
		_o=$(awk -F'\t' -v x="$_x" '$1 == x && $2 == "\"outcome\""' "$_t" | wc -l)
		[ "$_r" = 1 ] && [ "$_o" = 1 ] || fail_check "$1: txid $_x has $_r request and $_o outcome records, wanted 1 and 1" "$(cat "$_t")"
		[ "$_x" = "$_win" ] && continue
		awk -F'\t' -v x="$_x" -v w="another cutover request is working on $3 (txid $(echo "$_win" | tr -d '"'))" \
		    '$1 == x && $2 == "\"outcome\"" && $3 == "\"refused\"" && index($4, w) { f = 1 } END { exit !f }' "$_t" ||
		    fail_check "$1: the outcome of $_x is not \"refused\" naming $3 and the txid of the one at work ($_win)" \
		    "$(grep "^$_x" "$_t")"
	done
}

# listeners PORT: how many sockets listen on PORT
listeners() {
	listen_inodes "$1" | wc -l | tr -d ' '
}

rm -rf /run/cutover-systest
slow_policy "" || exit 1
grep -q "holders = \[\"slow\"\]" "$POLICY" || fail_check "the policy with slow was written"

# ---- one start on its own: it works, and makes the lock directory ----------
audit_mark
expect_files 0 "start slow on its own" -- as_deploy "$CUTOVER" start slow
[ "$(listeners "$SLOW_PORT")" = 1 ] || fail_check "slow listens on $SLOW_PORT once"
audit_new 2 "start slow on its own: request and outcome" && field_is 2 outcome "start slow on its own" '"ok"'
for dir in /run/cutover-systest "$LOCK_DIR"; do
	[ "$(stat -c '%U:%G %a %F' "$dir" 2>/dev/null)" = "root:root 700 directory" ] ||
	    fail_check "$dir is made root:root 0700 (it is $(stat -c '%U:%G %a %F' "$dir" 2>&1))"
done
[ "$(stat -c '%U %a %F' "$LOCK_DIR/port-$SLOW_PORT" 2>/dev/null)" = "root 600 regular empty file" ] ||
    fail_check "the lock file of port $SLOW_PORT is root's, 0600, and empty once released" \
    "$(ls -la "$LOCK_DIR" 2>&1)"
expect_files 0 "stop slow" -- as_deploy "$CUTOVER" stop slow
wait_for 5 not_listening "$SLOW_PORT" || fail_check "slow stopped"

# ---- start: 2 and 10 at once -------------------------------------------------
for n in 2 10; do
	audit_mark
	race "$n" start slow
	race_outcome "$n concurrent start slow" "$n" "port $SLOW_PORT"
	[ "$(listeners "$SLOW_PORT")" = 1 ] ||
	    fail_check "$n concurrent start slow: $(listeners "$SLOW_PORT") sockets listen on $SLOW_PORT, wanted 1" \
	    "$(describe_holders "$SLOW_PORT")"
	audit_new $((2 * n)) "$n concurrent start slow: a request and an outcome record each" &&
	    records_truthful "$n concurrent start slow" "$n" "port $SLOW_PORT"
	# every instance away again (SIGKILL: slow ignores its stop signal)
	for p in $(port_pids "$SLOW_PORT"); do
		kill -KILL "$p"
	done
	wait_for 5 not_listening "$SLOW_PORT" || fail_check "$n concurrent start slow: cleaned up"
done

# ---- free-port: 2 and 10 at once ------------------------------------------------
for n in 2 10; do
	expect_files 0 "start slow before $n concurrent free-port" -- as_deploy "$CUTOVER" start slow
	audit_mark
	race "$n" free-port "$SLOW_PORT"
	race_outcome "$n concurrent free-port $SLOW_PORT" "$n" "port $SLOW_PORT"
	listening "$SLOW_PORT" && fail_check "$n concurrent free-port: port $SLOW_PORT is free" \
	    "$(describe_holders "$SLOW_PORT")"
	audit_new $((2 * n)) "$n concurrent free-port: a request and an outcome record each" &&
	    records_truthful "$n concurrent free-port $SLOW_PORT" "$n" "port $SLOW_PORT"
done

# ---- the lock directory, unsafe: every locking request is refused -----------
chmod 0777 "$LOCK_DIR"
audit_mark
expect_files 3 "start slow with a world-writable lock directory: refused" -- as_deploy "$CUTOVER" start slow
case $err in
*"lock directory $LOCK_DIR: $LOCK_DIR/ is not safe"*) ;;
*) fail_check "the refusal says the lock directory is not safe" "$err" ;;
esac
outcome_is "unsafe lock directory" refused "[]"
listening "$SLOW_PORT" && fail_check "with an unsafe lock directory nothing was started"
chmod 0700 "$LOCK_DIR"
rm -rf "$LOCK_DIR"
ln -s /tmp "$LOCK_DIR"
expect_files 3 "start slow with a symlink for the lock directory: refused" -- as_deploy "$CUTOVER" start slow
case $err in
*"(or a symlink, which is refused)"*) ;;
*) fail_check "the refusal says the lock directory is a symlink" "$err" ;;
esac
rm -f "$LOCK_DIR"
listening "$SLOW_PORT" && fail_check "with a symlinked lock directory nothing was started"

# ---- the kernel says no: flock EIO, mkdirat ENOSPC (strace -f as root, -u
# deploy: the setuid exec is honoured, as in t-faults.sh) ---------------------
if command -v strace >/dev/null 2>&1 && strace -o /dev/null -e trace=none true 2>/dev/null; then
	for fault in flock:error=EIO mkdirat:error=ENOSPC; do
		rm -rf /run/cutover-systest
		audit_mark
		expect_files 3 "start slow, $fault injected: refused" -- \
		    timeout 60 strace -f -b execve -qq -o "$TEST_TMPDIR/strace.log" -u deploy -e trace=flock,mkdirat \
		    -e inject="$fault" "$CUTOVER" start slow
		grep -q "(INJECTED)" "$TEST_TMPDIR/strace.log" ||
		    fail_check "$fault: strace injected the failure" "$(cat "$TEST_TMPDIR/strace.log")"
		case $err in
		*"cutover: cannot lock port $SLOW_PORT ("*"); nothing was done"* | \
		*"cutover: lock directory $LOCK_DIR: /run/cutover-systest: No space left on device"*) ;;
		*) fail_check "$fault: the refusal says why the lock could not be taken" "$err" ;;
		esac
		audit_new 2 "$fault: request and outcome" && field_is 2 outcome "$fault: outcome" '"refused"'
		listening "$SLOW_PORT" && fail_check "$fault: nothing was started"
	done
else
	echo "note: strace cannot trace here: the injected lock failures are not tested"
fi

# ---- switch: 2 and 10 at once -------------------------------------------------------
for n in 2 10; do
	back_to_apache2
	audit_mark
	race "$n" switch newsite
	race_outcome "$n concurrent switch newsite" "$n" "port $PORT"
	serves "$NEW_TEXT" || fail_check "$n concurrent switch: nginx serves the new page" "$(served)"
	[ -z "$(apache2_procs)" ] || fail_check "$n concurrent switch: apache2 still runs"
	[ "$(listeners "$PORT")" = 1 ] || fail_check "$n concurrent switch: $(listeners "$PORT") sockets listen on $PORT, wanted 1" \
	    "$(describe_holders "$PORT")"
	# the winner: request, pre-flight, 6 steps, outcome; each other: 2
	audit_new $((9 + 2 * (n - 1))) "$n concurrent switch: every record" &&
	    records_truthful "$n concurrent switch newsite" "$n" "port $PORT"
done

# ---- a stop of nginx while a switch to nginx runs its check ----------------------
"$PYTHON" tests/system/test-httpd.py "$TEST_TMPDIR" </dev/null >"$TEST_TMPDIR/server.out" 2>&1 &
server=$!
wait_for 10 test -s "$TEST_TMPDIR/port" || fail_check "test-httpd.py did not start" "$(cat "$TEST_TMPDIR/server.out")"
sport=$(cat "$TEST_TMPDIR/port")
slow_policy "
s|^  homepage = .*\$|  homepage = { url = \"http://127.0.0.1:$sport/slow\"; status = 200; contains = \"Fall collection\"; timeout = 15.0; };|" ||
    fail_check "write the slow-check policy"
back_to_apache2
: >"$TEST_TMPDIR/requests.log"
audit_mark
setpriv --reuid=deploy --regid="$(id -g deploy)" --init-groups -- \
    /bin/sh -c "$EXEC_SH" "$CUTOVER" switch newsite \
    </dev/null >"$TEST_TMPDIR/sw.out" 2>"$TEST_TMPDIR/sw.err" &
front=$!
# nginx is started and the check waits 5 s for its answer
wait_for 15 grep -q "path=/slow" "$TEST_TMPDIR/requests.log" ||
    fail_check "the switch did not reach its check" "$(cat "$TEST_TMPDIR/sw.out" "$TEST_TMPDIR/sw.err")"
[ -n "$(nginx_procs)" ] || fail_check "nginx runs while the switch checks it"
expect_files 3 "stop nginx during a switch to nginx: refused" -- as_deploy "$CUTOVER" stop nginx
case $err in
*"another cutover request is working on port $PORT (txid "*"); try again when it has finished"*) ;;
*) fail_check "the stop says the switch is working on port $PORT" "$err" ;;
esac
wait_for 30 gone "$front" || fail_check "the switch did not end"
wait "$front"
rc=$?
[ "$rc" = 0 ] || fail_check "the switch raced by a stop exits 0, not $rc" "$(cat "$TEST_TMPDIR/sw.out" "$TEST_TMPDIR/sw.err")"
listening "$PORT" && [ -n "$(nginx_procs)" ] ||
    fail_check "after the switch and the refused stop nginx still listens on $PORT" "$(describe_holders "$PORT")"
# the switch: request, pre-flight, 6 steps, outcome; the stop: 2
audit_new 11 "switch and stop: every record" &&
    records_truthful "a stop during a switch" 2 "port $PORT"
audit_valid "after the races"
finish
