#!/bin/sh
# shellcheck disable=SC2016 # sh -c code: expanded there
# The outside audit's finding 1 (issue 12) performed for real, as user
# deploy against the installed setuid cutover, and the first bullet of
# finding 3.  A test service "old" runs a root-owned copy of perl
# ($holder_exe) as user intruder; plan "oldsite" switches port 8080 from
# it to nginx with the socket handed over.  Each attack must fail:
#   (a) deploy runs old's own program, as deploy, on the port with
#       SO_REUSEPORT, and runs the switch: refused by the pre-flight (exit
#       3), nothing signalled, nothing handed over, nginx not started; and
#       once the switch runs for real from intruder's old, deploy's second
#       SO_REUSEPORT listener cannot bind, and gets none of nginx's traffic;
#   (b) free-port does not signal a process that runs a holder's exe as the
#       wrong user (exit 3, it runs on), and stop does not take it for old;
#   (c) a socket with SO_REUSEPORT, or one owned by another user (deploy's,
#       passed to intruder's old), is not handed to nginx: the switch binds
#       its own, and its free-port step says why;
#   (d) more listening sockets (65) or processes (1025) on the port than a
#       scan holds: exit 3 with the reason, nothing signalled;
#   (e) a failed /proc read is not "stopped": the caller lowers the step's
#       RLIMIT_NOFILE (prlimit) while it waits for a holder that ignores
#       SIGTERM; cutover must not say "stopped" or record "ok".
# Each fails on the code before the fix (see SECURITY.md, finding 1).
. tests/system/lib.sh
deploy_uid=$(id -u deploy)

holder_exe=$LIBEXEC_DIR/holder-perl
install -m 0755 -o root -g root /usr/bin/perl "$holder_exe" || exit 1
if [ -e /proc/net/tcp6 ]; then
	family=dual
else
	family=4
fi
write_policy "s|^services = {\$|services = { old = { exe = \"$holder_exe\"; user = \"intruder\"; start = [\"$holder_exe\"]; stop_timeout = 2.0; ports = [$PORT]; };|
s|holders = \\[\"apache2\", \"nginx\"\\]|holders = [\"apache2\", \"nginx\", \"old\"]|
s|stop   = \\[\"nginx\"\\];|stop   = [\"nginx\", \"old\"];|
s|switch = \\[\"newsite\"\\];|switch = [\"newsite\", \"oldsite\"];|
s|^  newsite = {|  oldsite = { port = $PORT; from = \"old\"; to = \"nginx\"; verify = [\"homepage\"]; rollback = false; };\\
  newsite = {|" || exit 1
grep -q "oldsite" "$POLICY" || fail_check "the oldsite policy was written"

# old USER [hold-port.pl OPTIONS]: $holder_exe (old's exe) as USER holds
# the port; its pid in $held.
old() {
	_u=$1
	shift
	_hport=$PORT
	_before=$(listen_inodes "$PORT" | wc -l)
	setpriv --reuid="$_u" --regid="$(id -g "$_u")" --init-groups -- \
	    /bin/sh -c "$EXEC_SH" "$holder_exe" "$HOLD_PORT" "$@" "$PORT" \
	    </dev/null >/dev/null 2>"$TEST_TMPDIR/old.err" &
	held=$!
	# one socket more than before (another old may listen already), and
	# the process is the holder's exe by then, not the sh that execs it
	# (waited for too: under load the socket can listen first)
	track "$held"
	if wait_for 5 _old_up "$_before" "$held"; then
		return 0
	fi
	fail_check "old's exe as $_u ($*) listens on $PORT" "$(cat "$TEST_TMPDIR/old.err")"
	return 1
}
_old_up() {
	_more_listeners "$1" && [ "$(proc_exe "$2")" = "$holder_exe" ]
}
_held_up() {
	listening "$PORT" && [ "$(proc_exe "$1")" = "$holder_exe" ]
}

# alive PID: PID still runs (not a zombie).
alive() {
	! gone "$1"
}

clean() {
	kill_tracked
	nginx_stop
	wait_for 10 not_listening "$PORT" || fail_check "port $PORT free again" "$(describe_holders "$PORT")"
}

# nginx's master (the nginx process whose parent is not nginx's).
nginx_master_pid() {
	nginx_procs | while read -r _p; do
		[ "$(proc_uid "$(proc_ppid "$_p")")" = "$(id -u nginx)" ] || echo "$_p"
	done | head -n 1
}

# fd3_inode PID: the socket inode of PID's fd 3.
fd3_inode() {
	readlink "/proc/$1/fd/3" | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p'
}

# ---- (a) deploy's copy of old's program, SO_REUSEPORT, then switch ----------
if old deploy --family "$family" --reuseport; then
	fake=$held
	fake_socket=$(listen_inodes "$PORT")
	audit_mark
	expect 3 "(a) switch while deploy runs old's exe on $PORT: refused" -- \
	    as_deploy "$CUTOVER" switch oldsite
	has "refused by its pre-flight" err "(a) the pre-flight refuses"
	has "pid $fake " err "(a) the refusal names deploy's process"
	has "which is not old" err "(a) it is not old"
	has "as intruder" err "(a) old is its exe run by intruder"
	alive "$fake" || fail_check "(a) deploy's process was signalled"
	[ "$(listen_inodes "$PORT")" = "$fake_socket" ] ||
	    fail_check "(a) the port's socket changed" "$(listen_inodes "$PORT")"
	[ -z "$(nginx_procs)" ] || fail_check "(a) nginx was started"
	audit_new 3 "(a) request, pre-flight, outcome" &&
	    field_is 2 outcome "(a) the pre-flight record" '"refused"' &&
	    field_is 3 outcome "(a) the outcome" '"refused"'
	# free-port and stop do not take it for old either (b, by exe alone)
	audit_mark
	expect 3 "(b) free-port while deploy runs old's exe: refused" -- \
	    as_deploy "$CUTOVER" free-port "$PORT"
	has "pid $fake " err "(b) the refusal names deploy's process"
	has "user deploy, uid $deploy_uid" err "(b) the refusal names its user"
	has "nothing was signalled" err "(b) nothing was signalled"
	outcome_is "(b) free-port refused" refused "[]"
	alive "$fake" || fail_check "(b) free-port signalled deploy's process"
	audit_mark
	expect 0 "(b) stop old: deploy's process is not old" -- as_deploy "$CUTOVER" stop old
	has "not running" out "(b) stop old finds no old"
	outcome_is "(b) stop old" ok "[]"
	alive "$fake" || fail_check "(b) stop old signalled deploy's process"
fi
clean

# The switch for real, from intruder's old; deploy then tries a second
# SO_REUSEPORT listener: it cannot bind, and nginx gets all the traffic.
if old intruder --family "$family"; then
	old_socket=$(listen_inodes "$PORT")
	audit_mark
	expect 0 "(a) switch oldsite from intruder's old" -- as_deploy "$CUTOVER" switch oldsite
	has "nginx serves port $PORT, verified" out "(a) nginx serves"
	lacks "not handed over" out "(a) intruder's plain socket is handed over"
	master=$(nginx_master_pid)
	if is_pid "$master"; then
		[ "$(fd3_inode "$master")" = "$old_socket" ] ||
		    fail_check "(a) nginx's fd 3 is old's socket ($old_socket)" "$(ls -l "/proc/$master/fd")"
	else
		fail_check "(a) nginx runs after the switch"
	fi
	if hold_port deploy --family "$family" --reuseport "$PORT" 2>/dev/null; then
		fail_check "(a) deploy could bind a second SO_REUSEPORT listener on $PORT next to nginx"
	fi
	stolen=0
	i=0
	while [ "$i" -lt 20 ]; do
		case $(curl -s --max-time 2 "http://127.0.0.1:$PORT/") in
		*"$NEW_TEXT"*) ;;
		*) stolen=$((stolen + 1)) ;;
		esac
		i=$((i + 1))
	done
	[ "$stolen" = 0 ] || fail_check "(a) $stolen of 20 requests did not reach nginx"
fi
clean

# ---- (c) sockets that are not handed over -------------------------------------
# switch_binds_own WHAT WORDS OLD_SOCKET: switch oldsite works, nginx's fd 3
# is a socket cutover bound (not OLD_SOCKET), the free-port step says why.
switch_binds_own() {
	audit_mark
	expect 0 "(c) $1: switch oldsite" -- as_deploy "$CUTOVER" switch oldsite || return 1
	has "the old listening socket was not handed over ($2" out "(c) $1: the step says why"
	has "the switch binds its own" out "(c) $1: the switch binds its own"
	grep -q "not handed over ($2" "$AUDIT" || fail_check "(c) $1: the record says why"
	master=$(nginx_master_pid)
	if ! is_pid "$master"; then
		fail_check "(c) $1: nginx runs"
		return 1
	fi
	fd3=$(fd3_inode "$master")
	[ -n "$fd3" ] || fail_check "(c) $1: nginx's fd 3 is a socket" "$(ls -l "/proc/$master/fd")"
	[ "$fd3" != "$3" ] || fail_check "(c) $1: nginx was handed the old socket $3"
	listen_inodes "$PORT" | grep -qx "${fd3:-none}" ||
	    fail_check "(c) $1: nginx's fd 3 listens on $PORT"
}
if old intruder --family "$family" --reuseport; then
	switch_binds_own "SO_REUSEPORT" "it has SO_REUSEPORT set" "$(listen_inodes "$PORT")"
	# and deploy cannot join what nginx got
	hold_port deploy --family "$family" --reuseport "$PORT" 2>/dev/null &&
	    fail_check "(c) a SO_REUSEPORT socket joined nginx's (cutover's own) socket"
fi
clean

# deploy's socket, passed to old's process run as intruder: the holder is
# old (its exe, its user), the socket's owner is deploy.  Root makes it:
# the socket with deploy's effective uid, then old runs as intruder on it.
perl -MSocket -e '
	my ($port, $uid, $v6) = @ARGV;
	$> = $uid;
	socket(my $s, $v6 ? PF_INET6 : PF_INET, SOCK_STREAM, 0) or die "socket: $!";
	setsockopt($s, SOL_SOCKET, SO_REUSEADDR, 1);
	setsockopt($s, IPPROTO_IPV6, Socket::IPV6_V6ONLY(), 0) if $v6;
	bind($s, $v6 ? Socket::pack_sockaddr_in6($port, Socket::IN6ADDR_ANY())
	    : pack_sockaddr_in($port, INADDR_ANY)) or die "bind: $!";
	listen($s, 16) or die "listen: $!";
	$> = 0;
	open(STDIN, "<&", $s) or die "dup: $!";
	exec @ARGV[3 .. $#ARGV] or die "exec: $!";
    ' "$PORT" "$deploy_uid" "$([ "$family" = dual ] && echo 1 || echo 0)" \
    setpriv --reuid=intruder --regid="$(id -g intruder)" --init-groups -- \
    "$holder_exe" "$HOLD_PORT" --fd 0 "$PORT" >/dev/null 2>"$TEST_TMPDIR/passed.err" &
held=$!
# perl binds before it execs setpriv and the holder: wait for both, and
# track it either way, so that clean ends it
track "$held"
if wait_for 5 _held_up "$held"; then
	passed_socket=$(listen_inodes "$PORT")
	[ "$(stat -L -c %u "/proc/$held/fd/0")" = "$deploy_uid" ] ||
	    fail_check "(c) the passed socket is deploy's" "$(stat -L "/proc/$held/fd/0")"
	switch_binds_own "deploy's socket" "it is owned by uid $deploy_uid" "$passed_socket"
else
	fail_check "(c) old as intruder holding deploy's socket" "$(cat "$TEST_TMPDIR/passed.err")"
fi
clean

# ---- (d) more than a scan holds ---------------------------------------------
# 65 SO_REUSEPORT listeners of old (intruder): a permitted holder, but more
# sockets than cutover can account for.
setpriv --reuid=intruder --regid="$(id -g intruder)" --init-groups -- \
    "$holder_exe" -MSocket -e '
	my @s;
	for (1 .. 65) {
		socket(my $s, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
		setsockopt($s, SOL_SOCKET, SO_REUSEPORT, 1) or die "reuseport: $!";
		# a TIME_WAIT of an earlier test on the port must not fail bind
		setsockopt($s, SOL_SOCKET, SO_REUSEADDR, 1) or die "reuseaddr: $!";
		bind($s, pack_sockaddr_in($ARGV[0], INADDR_ANY)) or die "bind: $!";
		listen($s, 1) or die "listen: $!";
		push @s, $s;
	}
	$SIG{TERM} = sub { exit 0 };
	sleep 3600 while 1;
    ' "$PORT" </dev/null >/dev/null 2>"$TEST_TMPDIR/many.err" &
held=$!
listeners_at_least() {
	[ "$(listen_inodes "$PORT" | wc -l)" -ge "$1" ]
}
if wait_for 5 listeners_at_least 65; then
	track "$held"
	audit_mark
	expect 3 "(d) 65 listening sockets: free-port refused" -- as_deploy "$CUTOVER" free-port "$PORT"
	has "more than 64 listening sockets" err "(d) says there are more sockets than it can count"
	outcome_is "(d) 65 sockets" refused "[]"
	alive "$held" || fail_check "(d) the holder of 65 sockets was signalled"
	expect 3 "(d) 65 listening sockets: switch refused" -- as_deploy "$CUTOVER" switch oldsite
	has "more than 64 listening sockets" err "(d) the switch says why"
	alive "$held" || fail_check "(d) the switch signalled the holder of 65 sockets"
else
	fail_check "(d) 65 listening sockets on $PORT" "$(cat "$TEST_TMPDIR/many.err")"
fi
clean

# 1025 processes holding one socket: old's process and 1024 children (sleep,
# the socket on their stdin).
setpriv --reuid=intruder --regid="$(id -g intruder)" --init-groups -- \
    "$holder_exe" -MSocket -e '
	socket(my $s, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
	setsockopt($s, SOL_SOCKET, SO_REUSEADDR, 1);
	bind($s, pack_sockaddr_in($ARGV[0], INADDR_ANY)) or die "bind: $!";
	listen($s, 1) or die "listen: $!";
	open(STDIN, "<&", $s) or die "dup: $!";
	my @kids;
	for (1 .. 1024) {
		my $pid = fork();
		die "fork: $!" unless defined $pid;
		if ($pid == 0) { exec "/bin/sleep", "300"; exit 127; }
		push @kids, $pid;
	}
	$SIG{TERM} = sub { kill "KILL", @kids; exit 0 };
	$| = 1;
	print "ready\n";
	sleep 3600 while 1;
    ' "$PORT" </dev/null >"$TEST_TMPDIR/1025.ready" 2>"$TEST_TMPDIR/1025.err" &
held=$!
sleep 0.2
track "$held"
if wait_for 30 test -s "$TEST_TMPDIR/1025.ready"; then
	n=$(port_pids "$PORT" | wc -l)
	[ "$n" -ge 1025 ] || fail_check "(d) 1025 processes hold $PORT (found $n)"
	audit_mark
	expect 3 "(d) 1025 holders: free-port refused" -- as_deploy "$CUTOVER" free-port "$PORT"
	has "more than 1024 processes hold port $PORT" err "(d) says there are more processes than it can count"
	outcome_is "(d) 1025 holders" refused "[]"
	alive "$held" || fail_check "(d) the parent of 1025 holders was signalled"
	expect 3 "(d) 1025 holders: switch refused" -- as_deploy "$CUTOVER" switch oldsite
	has "more than 1024 processes hold port $PORT" err "(d) the switch says why"
else
	fail_check "(d) 1025 processes on $PORT" "$(cat "$TEST_TMPDIR/1025.err")"
fi
clean

# ---- (e) a failed read is not "stopped" ---------------------------------------
# old ignores SIGTERM (stop_timeout 2 s, no kill_after); while free-port
# waits, deploy lowers the step's RLIMIT_NOFILE to 1: every /proc read
# fails from then on.  Only evidence may end the wait: cutover must fail.
if old intruder --family "$family" --ignore-term; then
	stubborn=$held
	audit_mark
	# not through as_deploy: $! must be cutover's own pid (setpriv execs
	# sh, which execs cutover)
	setpriv --reuid=deploy --regid="$(id -g deploy)" --init-groups -- \
	    /bin/sh -c "$EXEC_SH" "$CUTOVER" free-port "$PORT" \
	    </dev/null >"$TEST_TMPDIR/e.out" 2>"$TEST_TMPDIR/e.err" &
	front=$!
	sleep 0.7       # found, signalled, waiting (stop_timeout is 2 s)
	# the step: the front's child is the transaction, its child the step
	# (on code without a transaction, the front itself acts)
	step=$front
	txn=$(pgrep -P "$front" | head -n 1)
	[ -z "$txn" ] || step=$(pgrep -P "$txn" | head -n 1)
	if [ -n "$step" ] && as_deploy prlimit --pid "$step" --nofile=1:1 2>"$TEST_TMPDIR/prlimit.err"; then
		lowered=yes
	else
		lowered=no
		echo "note: prlimit on the step was refused ($(cat "$TEST_TMPDIR/prlimit.err")): the step is out of the caller's reach"
	fi
	wait "$front"
	rc=$?
	out=$(cat "$TEST_TMPDIR/e.out")
	err=$(cat "$TEST_TMPDIR/e.err")
	[ "$rc" = 1 ] || fail_check "(e) free-port with a lowered RLIMIT_NOFILE: exit $rc, wanted 1" "$out$err"
	lacks "stopped" out "(e) cutover does not say stopped"
	if [ "$lowered" = yes ]; then
		has "cannot tell whether" err "(e) cutover says it cannot tell"
	fi
	alive "$stubborn" || fail_check "(e) the holder still runs"
	listening "$PORT" || fail_check "(e) the port is still held"
	audit_new 2 "(e) request and outcome" &&
	    field_is 2 outcome "(e) the outcome is not ok" '"failed"'
fi
clean

# ---- (f) an IPv4 and an IPv6-only socket: handed over together -----------------
# old holds 0.0.0.0:PORT and [::]:PORT (IPv6 alone), two processes of its
# exe, two families (never one SO_REUSEPORT group).  nginx's dual-stack
# listen could not take them: the pre-flight names its line; listening on
# both as they are, nginx gets both, and they are the old ones.
if [ "$family" = dual ] && old intruder --family 4 && old intruder --family 6only; then
	pair=$(listen_inodes "$PORT" | sort | tr '\n' ' ')
	cp -p "$NGINX_CONF" "$TEST_TMPDIR/nginx.conf.pair"
	audit_mark
	expect 3 "(f) switch oldsite, the pair, nginx dual-stack: refused" -- \
	    as_deploy "$CUTOVER" switch oldsite
	has "(an IPv4 socket, 0.0.0.0:$PORT, and an IPv6-only one, [::]:$PORT)" err \
	    "(f) the pre-flight says what nginx is handed"
	has "write 'listen $PORT; listen [::]:$PORT;' in its place" err "(f) and what to write"
	sed -i "s|listen \[::\]:$PORT ipv6only=off default_server;|listen $PORT default_server; listen [::]:$PORT default_server;|" \
	    "$NGINX_CONF"
	expect 0 "(f) switch oldsite, the pair, nginx on both" -- as_deploy "$CUTOVER" switch oldsite
	has "take-port $PORT: took over" out "(f) the take says it took them over"
	master=$(nginx_master_pid)
	got=$(for fd in 3 4; do readlink "/proc/$master/fd/$fd" |
	    sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p'; done | sort | tr '\n' ' ')
	if [ "$got" = "$pair" ]; then
		echo "note: (f) nginx serves on old's IPv4 and IPv6-only pair: $got"
	else
		fail_check "(f) nginx's fds 3 and 4 are the old pair" "old: $pair; nginx: $got"
	fi
	cp -p "$TEST_TMPDIR/nginx.conf.pair" "$NGINX_CONF"
fi
clean

rm -f "$holder_exe"
write_policy "" || exit 1
audit_valid "after the attacks on holders"
finish
