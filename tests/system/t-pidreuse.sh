#!/bin/sh
# shellcheck disable=SC2016,SC2317 # perl code: expanded there; functions run by wait_for
# Kill by identity, never by number: a holder that exits and whose pid is
# taken by another process between finding and signalling must never be
# hit.  Made deterministic without any hook in cutover: strace (as root,
# -u deploy, so the setuid binary runs as it really does) holds cutover at
# one syscall for a few seconds; meanwhile the test kills the holder and
# makes a new process get its pid (root writes pid-1 to
# /proc/sys/kernel/ns_last_pid before forking).  The newcomer is the most
# convincing impostor there is: the same exe (perl), the same user, also
# listening on 8080 - only its socket is another one.
#   1. held at pidfd_open (found, not yet opened): the pidfd opened
#      afterwards names the newcomer, whose identity (socket inode) no
#      longer matches: nothing is signalled (exit 1), the newcomer runs on.
#   2. held at the stop signal itself (found, opened, checked): the
#      signal goes through the pidfd, which still names the holder that
#      exited; the newcomer with its pid is not hit.
# The permitted holder is a test service "holder" whose exe is perl.
# Skipped (77) where strace cannot trace or ns_last_pid cannot be written.
. tests/system/lib.sh
DELAY_US=3000000

command -v strace >/dev/null 2>&1 || { echo "skip: no strace (make deps installs it)"; exit 77; }
if ! strace -o /dev/null -e trace=none true 2>"$TEST_TMPDIR/strace.err"; then
	echo "skip: strace cannot trace here: $(cat "$TEST_TMPDIR/strace.err")"
	exit 77
fi
last=$(cat /proc/sys/kernel/ns_last_pid 2>/dev/null)
if ! { echo "$last" >/proc/sys/kernel/ns_last_pid; } 2>/dev/null; then
	echo "skip: /proc/sys/kernel/ns_last_pid cannot be written here (no CAP_SYS_ADMIN over this pid namespace)"
	exit 77
fi

write_policy "s|^services = {\$|services = { holder = { exe = \"/usr/bin/perl\"; user = \"intruder\"; start = [\"/usr/bin/perl\"]; stop_timeout = 2.0; ports = [$PORT]; };|
s|holders = \\[\"apache2\", \"nginx\"\\]|holders = [\"apache2\", \"nginx\", \"holder\"]|" || exit 1
grep -q '"holder"' "$POLICY" || { fail_check "the holder policy was written"; finish; }

# recycle PID: a new perl as intruder listening on $PORT, with pid PID;
# its pid in $newcomer.  Forks until the kernel hands out PID (other
# processes may take it first); 1 if it never did.
recycle() {
	perl -e '
		use POSIX ();
		my ($want, @cmd) = @ARGV;
		for (1 .. 2000) {
			open(my $f, ">", "/proc/sys/kernel/ns_last_pid") or die "ns_last_pid: $!\n";
			print $f $want - 1;
			close($f);
			my $pid = fork() // die "fork: $!\n";
			if ($pid == 0) {
				POSIX::_exit(0) if $$ != $want;
				exec { $cmd[0] } @cmd or POSIX::_exit(127);
			}
			if ($pid == $want) { print "$pid\n"; exit 0; }
			waitpid($pid, 0);
		}
		exit 1;' "$1" setpriv --reuid=intruder --regid="$(id -g intruder)" --init-groups -- \
	    /bin/sh -c "$EXEC_SH" /usr/bin/perl "$HOLD_PORT" "$PORT" \
	    </dev/null >"$TEST_TMPDIR/recycle.out" 2>"$TEST_TMPDIR/recycle.err" || return 1
	newcomer=$(cat "$TEST_TMPDIR/recycle.out")
	[ "$newcomer" = "$1" ] || return 1
	# setpriv, then sh, then perl: wait for the exec, then for the socket
	wait_for 5 _is_perl "$newcomer" && track "$newcomer" && wait_for 5 listening "$PORT"
}
_is_perl() {
	[ "$(proc_exe "$1")" = /usr/bin/perl ]
}

# traced SYSCALL WHEN: free-port 8080 as deploy under strace, held
# DELAY_US at the WHEN-th call of SYSCALL (strace's when=, counted in
# each process: -f follows the transaction and its free-port step, where
# the holder is opened and signalled); in the background, its status in
# $TEST_TMPDIR/traced.rc.
traced() {
	: >"$TEST_TMPDIR/strace.log"
	{
		strace -f -o "$TEST_TMPDIR/strace.log" -u deploy -e trace=pidfd_open,pidfd_send_signal \
		    -e inject="$1:delay_enter=$DELAY_US:when=$2" \
		    "$CUTOVER" free-port "$PORT" </dev/null >"$TEST_TMPDIR/traced.out" 2>"$TEST_TMPDIR/traced.err"
		echo $? >"$TEST_TMPDIR/traced.rc"
	} &
	traced_job=$!
}

# at PATTERN: wait until strace has logged a call entry matching PATTERN
# (it logs the entry before holding the call).
at() {
	grep -q "$1" "$TEST_TMPDIR/strace.log" 2>/dev/null
}

# the_switch: kill the holder, reap it, give its pid to a newcomer.
the_switch() {
	old=$held
	kill -KILL "$old"
	wait "$old" 2>/dev/null
	wait_for 5 not_listening "$PORT" || { fail_check "the holder's socket went with it"; return 1; }
	recycle "$old" || { fail_check "a new process got pid $old" "$(cat "$TEST_TMPDIR/recycle.err")"; return 1; }
	return 0
}

# ---- 1: the pid recycled between finding and pidfd_open ------------------------
hold_port intruder "$PORT" || { fail_check "a permitted holder (perl as intruder) on $PORT"; finish; }
audit_mark
traced pidfd_open 1
if wait_for 10 at "pidfd_open($held,"; then
	if the_switch; then
		wait "$traced_job"
		rc=$(cat "$TEST_TMPDIR/traced.rc")
		[ "$rc" = 1 ] || fail_check "recycled before pidfd_open: exit 1, got $rc" "$(cat "$TEST_TMPDIR/traced.err")"
		grep -q "nothing was signalled" "$TEST_TMPDIR/traced.err" ||
		    fail_check "recycled before pidfd_open: says nothing was signalled" "$(cat "$TEST_TMPDIR/traced.err")"
		gone "$newcomer" && fail_check "recycled before pidfd_open: the newcomer with pid $newcomer was not hit"
		listening "$PORT" || fail_check "recycled before pidfd_open: the newcomer still listens"
		grep -q "pidfd_send_signal([0-9]*, SIG" "$TEST_TMPDIR/strace.log" &&
		    fail_check "recycled before pidfd_open: no signal was sent at all" "$(cat "$TEST_TMPDIR/strace.log")"
		outcome_is "recycled before pidfd_open" failed "[]"
	fi
else
	fail_check "cutover reached pidfd_open($held, ...) under strace" "$(cat "$TEST_TMPDIR/strace.log" "$TEST_TMPDIR/traced.err")"
fi
wait "$traced_job" 2>/dev/null
kill_tracked
wait_for 5 not_listening "$PORT" || fail_check "the port is free again"

# ---- 2: the pid recycled between the last check and the signal ----------------
# The second pidfd_send_signal and later ones are held: the liveness
# check before the signal, then the signal itself.  The switch happens
# while the signal is held, after every check has passed.
hold_port intruder "$PORT" || { fail_check "a permitted holder (perl as intruder) on $PORT"; finish; }
audit_mark
traced pidfd_send_signal 2+
if wait_for 20 at "pidfd_send_signal([0-9]*, SIGTERM"; then
	if the_switch; then
		wait "$traced_job"
		rc=$(cat "$TEST_TMPDIR/traced.rc")
		case $rc in
		0 | 1) ;;
		*) fail_check "recycled before the signal: exit 0 or 1, got $rc" "$(cat "$TEST_TMPDIR/traced.err")" ;;
		esac
		gone "$newcomer" && fail_check "recycled before the signal: the newcomer with pid $newcomer was not hit" \
		    "$(cat "$TEST_TMPDIR/strace.log")"
		listening "$PORT" || fail_check "recycled before the signal: the newcomer still listens"
		grep -q "pidfd_send_signal([0-9]*, SIGTERM, NULL, 0) *= -1 ESRCH" "$TEST_TMPDIR/strace.log" ||
		    fail_check "recycled before the signal: the signal went to the exited holder's pidfd (ESRCH)" \
		    "$(cat "$TEST_TMPDIR/strace.log")"
	fi
else
	fail_check "cutover reached its stop signal under strace" "$(cat "$TEST_TMPDIR/strace.log" "$TEST_TMPDIR/traced.err")"
fi
wait "$traced_job" 2>/dev/null
kill_tracked
audit_valid "after the recycled pids"
finish
