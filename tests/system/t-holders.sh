#!/bin/sh
# shellcheck disable=SC2016 # sh -c code: expanded there
# free-port against hostile holders of port 8080.  Whatever holds a
# listening socket on the port must be a permitted holder (its
# /proc/PID/exe the service's exe, by device and inode), or nothing is
# signalled (exit 3) and the refusal says who holds the port:
#   - an IPv6-only listener on [::]:8080 (found, not "already free");
#   - an SO_REUSEPORT peer next to a permitted nginx;
#   - a socket nginx holds that was passed to it by a process that is not
#     a permitted holder (both hold the same socket);
#   - a copy of /usr/sbin/nginx elsewhere;
#   - a permitted exe that was replaced or deleted while it ran;
#   - a process named "x) R 1 1" (the name /proc/PID/stat shows in
#     parentheses): refused when it is not permitted, and when it is nginx
#     (master and workers all named so), only the master is signalled - the
#     parent is read after the last ")".
# Each refusal leaves every process as it was, and is recorded.
. tests/system/lib.sh
intruder_uid=$(id -u intruder)

# refused DESCRIPTION PID EXE: free-port 8080 as deploy is refused (exit
# 3), names PID and EXE, records "refused" with no pids; PID runs on.
refused() {
	audit_mark
	expect 3 "$1: free-port $PORT refused" -- as_deploy "$CUTOVER" free-port "$PORT" || return 1
	has "pid $2 " err "$1: the refusal names the holder's pid"
	has "$3" err "$1: the refusal names the holder's exe"
	has "nothing was signalled" err "$1: says nothing was signalled"
	outcome_is "$1" refused "[]"
	gone "$2" && fail_check "$1: pid $2 still runs after the refusal"
	return 0
}

# all_alive DESCRIPTION PID...: every PID still runs.
all_alive() {
	what=$1
	shift
	for p in "$@"; do
		gone "$p" && fail_check "$what: pid $p still runs"
	done
	return 0
}

# clean: stop everything this test started; the port is free again.
clean() {
	kill_tracked
	nginx_stop
	wait_for 5 not_listening "$PORT" || fail_check "port $PORT free again" "$(describe_holders "$PORT")"
}

# ---- IPv6 only: [::]:8080 is found ------------------------------------------
if [ -e /proc/net/tcp6 ]; then
	if hold_port intruder --family 6only "$PORT"; then
		listening4 "$PORT" && fail_check "the IPv6-only listener holds no IPv4 socket"
		refused "IPv6-only [::]:$PORT, intruder's perl" "$held" /usr/bin/perl
		lacks "already free" out "an IPv6-only listener is not missed"
		case $err in
		*intruder* | *"uid $intruder_uid"*) ;;
		*) fail_check "the refusal names the holder's user (intruder, uid $intruder_uid)" "$err" ;;
		esac
	else
		fail_check "an IPv6-only listener as intruder"
	fi
	clean

	# and a permitted nginx that listens on [::]:8080 only is stopped
	sed -e '/listen 8080 default_server;/d' \
	    -e 's/listen \[::\]:8080 default_server;/listen [::]:8080 default_server ipv6only=on;/' \
	    "$NGINX_CONF" >"$TEST_TMPDIR/nginx-v6.conf"
	if nginx_start /usr/sbin/nginx "$TEST_TMPDIR/nginx-v6.conf"; then
		listening4 "$PORT" && fail_check "nginx with [::]:$PORT only has no IPv4 socket"
		expect 0 "nginx on [::]:$PORT only: free-port stops it" -- as_deploy "$CUTOVER" free-port "$PORT"
		has "signalled pid $nginx_master; drained gracefully)" out "IPv6-only nginx: its master is signalled"
		listening "$PORT" && fail_check "IPv6-only nginx: the port is free afterwards"
	else
		fail_check "nginx on [::]:$PORT only, as nginx"
	fi
	clean
else
	echo "note: no /proc/net/tcp6 (no IPv6 here): the IPv6-only cases are not run"
fi

# ---- an SO_REUSEPORT peer next to a permitted holder -------------------------
# Linux lets a second socket listen on the same port only when both set
# SO_REUSEPORT and belong to the same user: here, nginx's own user.
# (nginx.conf listens dual-stack, [::]:8080 ipv6only=off, where there is
# IPv6: the peer must bind the same address)
if [ -e /proc/net/tcp6 ]; then
	same_family=dual
else
	same_family=4
fi
sed 's/\(listen [^;]*default_server\);/\1 reuseport;/' \
    "$NGINX_CONF" >"$TEST_TMPDIR/nginx-reuseport.conf"
if nginx_start /usr/sbin/nginx "$TEST_TMPDIR/nginx-reuseport.conf"; then
	np=$(nginx_procs)
	if hold_port nginx --family "$same_family" --reuseport "$PORT"; then
		peer=$held
		refused "SO_REUSEPORT peer (perl, as nginx) next to nginx" "$peer" /usr/bin/perl
		# shellcheck disable=SC2086 # pids, split on purpose
		all_alive "SO_REUSEPORT peer: nginx is left as it was" $np
	else
		fail_check "a SO_REUSEPORT perl as nginx next to nginx"
	fi
else
	fail_check "nginx with reuseport, as nginx"
fi
clean

# ---- a socket passed between a non-permitted process and nginx ---------------
# perl (as nginx) listens on 8080 and passes the socket to nginx
# (NGINX="3;", as in a binary upgrade); both keep it open.
if hold_port nginx --family "$same_family" "$PORT" /usr/sbin/nginx -c "$NGINX_CONF"; then
	passer=$held
	if wait_for 10 nginx_up; then
		nginx_master=$(cat "$NGINX_PIDFILE")
		track "$nginx_master"
		np=$(nginx_procs)
		[ "$(proc_ppid "$nginx_master")" = "$passer" ] ||
		    fail_check "nginx runs as the child of the perl that passed it the socket"
		refused "the socket nginx holds is held by perl too" "$passer" /usr/bin/perl
		# shellcheck disable=SC2086 # pids, split on purpose
		all_alive "passed socket: nginx is left as it was" $np
	else
		fail_check "nginx started with a socket passed by perl" "$(tail -n 5 "$NGINX_LOGS/error.log" 2>/dev/null)"
	fi
else
	fail_check "perl as nginx passing its socket to nginx"
fi
clean

# ---- a copy of the permitted exe ---------------------------------------------
cp /usr/sbin/nginx "$TEST_TMPDIR/nginx" && chmod 0755 "$TEST_TMPDIR/nginx"
if nginx_start "$TEST_TMPDIR/nginx"; then
	np=$(port_pids "$PORT")
	[ "$(proc_exe "$nginx_master")" = "$TEST_TMPDIR/nginx" ] || fail_check "the copy runs as $TEST_TMPDIR/nginx"
	refused "a copy of /usr/sbin/nginx" "$nginx_master" "$TEST_TMPDIR/nginx"
	# shellcheck disable=SC2086 # pids, split on purpose
	all_alive "a copy of nginx is left as it was" $np
	audit_mark
	expect 0 "stop nginx: a copy of nginx is not nginx" -- as_deploy "$CUTOVER" stop nginx
	has "not running" out "stop nginx finds no nginx in the copy"
	outcome_is "stop nginx with only a copy on the port" ok "[]"
	# shellcheck disable=SC2086 # pids, split on purpose
	all_alive "stop nginx leaves the copy alone" $np
else
	fail_check "a copy of nginx, as nginx"
fi
clean

# ---- a permitted exe replaced, then deleted, while it runs ---------------------
# A test service "holder" whose exe is a root-owned copy of perl; the
# control: while the file is the one the process runs, free-port stops it.
holder_exe=$LIBEXEC_DIR/holder-perl
install -m 0755 -o root -g root /usr/bin/perl "$holder_exe" || exit 1
write_policy "s|^services = {\$|services = { holder = { exe = \"$holder_exe\"; user = \"intruder\"; start = [\"$holder_exe\"]; stop_timeout = 2.0; ports = [$PORT]; };|
s|holders = \\[\"apache2\", \"nginx\"\\]|holders = [\"apache2\", \"nginx\", \"holder\"]|" || exit 1
grep -q "holder-perl" "$POLICY" || fail_check "the holder policy was written"

# hold_port starts /usr/bin/perl; the holder runs the copy instead
start_holder() {
	setpriv --reuid=intruder --regid="$(id -g intruder)" --init-groups -- \
	    /bin/sh -c "$EXEC_SH" "$holder_exe" "$HOLD_PORT" "$PORT" </dev/null >/dev/null 2>&1 &
	held=$!
	if wait_for 5 listening "$PORT" && [ "$(proc_exe "$held")" = "$holder_exe" ]; then
		track "$held"
		return 0
	fi
	fail_check "the holder (a copy of perl as intruder) listens on $PORT"
	return 1
}
if start_holder; then
	expect 0 "the control: the permitted holder runs its exe: free-port stops it" -- \
	    as_deploy "$CUTOVER" free-port "$PORT"
	has "signalled pid $held)" out "the holder was signalled"
	wait_for 5 gone "$held" || fail_check "the holder has gone"
fi
clean
if start_holder; then
	install -m 0755 -o root -g root /usr/bin/perl "$holder_exe.new" && mv -f "$holder_exe.new" "$holder_exe"
	case $(proc_exe "$held") in
	*" (deleted)") ;;
	*) fail_check "the holder's exe shows as deleted after the file was replaced ($(proc_exe "$held"))" ;;
	esac
	refused "the holder's exe was replaced while it ran" "$held" "$holder_exe"
	has "deleted" err "the refusal says the exe was deleted or replaced"
fi
clean
if start_holder; then
	rm -f "$holder_exe"
	refused "the holder's exe was deleted while it ran" "$held" "$holder_exe"
fi
clean
rm -f "$holder_exe"
write_policy "" || exit 1

# ---- a process named "x) R 1 1" ------------------------------------------------
# Not permitted: perl as intruder, named so.
if hold_port intruder --name 'x) R 1 1' "$PORT"; then
	[ "$(cat "/proc/$held/comm")" = "x) R 1 1" ] || fail_check "perl is named 'x) R 1 1' ($(cat "/proc/$held/comm"))"
	refused "a perl named 'x) R 1 1'" "$held" /usr/bin/perl
else
	fail_check "a perl named 'x) R 1 1' as intruder"
fi
clean

# Permitted: the real nginx, run through a symlink named "x) R 1 1" (the
# kernel names a process after the file it was exec'd as), so master and
# workers are all "x) R 1 1"; read before the last ")", each worker's
# parent would be 1 and each worker signalled on its own.
ln -s /usr/sbin/nginx "$TEST_TMPDIR/x) R 1 1"
if nginx_start "$TEST_TMPDIR/x) R 1 1"; then
	np=$(nginx_procs)
	for p in $np; do
		[ "$(cat "/proc/$p/comm")" = "x) R 1 1" ] || fail_check "nginx pid $p is named 'x) R 1 1' ($(cat "/proc/$p/comm"))"
	done
	# shellcheck disable=SC2086 # pids, split on purpose
	set -- $np
	[ "$#" -ge 2 ] || fail_check "nginx runs a master and workers ($np)"
	audit_mark
	expect 0 "nginx named 'x) R 1 1': free-port stops it" -- as_deploy "$CUTOVER" free-port "$PORT"
	has "signalled pid $nginx_master; drained gracefully)" out "only the master of the nginx named 'x) R 1 1' is signalled"
	outcome_is "nginx named 'x) R 1 1'" ok "[$nginx_master]"
	listening "$PORT" && fail_check "the port is free after stopping the nginx named 'x) R 1 1'"
else
	fail_check "nginx named 'x) R 1 1', as nginx"
fi
clean

audit_valid "after the hostile holders"
finish
