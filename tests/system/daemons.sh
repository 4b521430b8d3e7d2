# daemons.sh - the real services of the system tests (issue #4): apache2
# as Debian starts it, nginx as user nginx, and the test's own port
# holders (hold-port.pl).  Sourced by lib.sh (so by setup.sh, teardown.sh,
# every t-*.sh and demo.sh), not run.
#
# Every daemon started here gets /dev/null (or a log file) as its stdio,
# never the test runner's: a daemon that kept run.sh's pipe open would
# hang it.  Every process a test starts by hand is recorded in
# $STATE/pids ("PID STARTTIME"); reset and teardown kill exactly those
# (and only while the start time still matches: never a recycled pid).
#
# Needs, from lib.sh: STATE, SYSTEST_ROOT, as_user.

# shellcheck disable=SC2034 # used by the files that source this one
{
PORT=8080
# apache2: Debian's own configuration, with ports.conf and one site of ours
# (setup.sh backs up and changes; teardown.sh restores).
APACHE_PIDFILE=/var/run/apache2/apache2.pid
APACHE_PORTS_CONF=/etc/apache2/ports.conf
APACHE_SITE_NAME=cutover-systest
APACHE_SITE=/etc/apache2/sites-available/$APACHE_SITE_NAME.conf
APACHE_SITE_LINK=/etc/apache2/sites-enabled/$APACHE_SITE_NAME.conf
APACHE_DEFAULT_LINK=/etc/apache2/sites-enabled/000-default.conf
OLD_ROOT=/var/www/cutover-systest-old
OLD_TEXT="Summer collection"
# nginx: policy/examples/nginx.conf with its directories renamed.
NGINX_CONF=$SYSTEST_ROOT/nginx.conf
NGINX_STATE=/var/lib/cutover-systest-nginx
NGINX_LOGS=/var/log/cutover-systest-nginx
NEW_ROOT=/var/www/cutover-systest-new
NEW_TEXT="Fall collection"
NGINX_PIDFILE=$NGINX_STATE/nginx.pid
HOLD_PORT=/usr/local/libexec/cutover-systest/hold-port.pl   # setup.sh copies it
SD_LISTEN=/usr/local/libexec/cutover-systest/sd-listen.py   # and this one
}

# listen_inodes PORT: the inodes of the LISTEN sockets on PORT (IPv4 and
# IPv6), one a line.
listen_inodes() {
	_hex=$(printf ':%04X' "$1")
	cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
	    awk -v p="$_hex" '$4 == "0A" && substr($2, length($2) - 4) == p { print $10 }'
}

# listening PORT: is anything listening on PORT?
listening() {
	[ -n "$(listen_inodes "$1")" ]
}

# listening4 PORT: is an IPv4 socket listening on PORT (a dual-stack [::]
# socket is in tcp6 only)?
listening4() {
	awk -v p="$(printf ':%04X' "$1")" \
	    '$4 == "0A" && substr($2, length($2) - 4) == p { found = 1 } END { exit !found }' /proc/net/tcp
}

# port_pids PORT: every process that has a LISTEN socket on PORT open,
# one pid a line, sorted.
port_pids() {
	_inodes=$(listen_inodes "$1" | tr '\n' ' ')
	[ -n "$_inodes" ] || return 0
	find /proc/[0-9]*/fd -mindepth 1 -maxdepth 1 -lname 'socket:*' -printf '%h %l\n' 2>/dev/null |
	    awk -v want=" $_inodes" '{
		i = $2; gsub(/[^0-9]/, "", i)
		if (index(want, " " i " ")) { split($1, p, "/"); print p[3] }
	    }' | sort -nu
}

# wait_for SECONDS COMMAND...: poll COMMAND every 0.1 s until it succeeds;
# 1 if it never did.
# (COMMAND's status 2 means "it never will": stop waiting.)
wait_for() {
	_n=$(($1 * 10))
	shift
	while :; do
		"$@"
		case $? in
		0) return 0 ;;
		2) return 1 ;;
		esac
		_n=$((_n - 1))
		[ "$_n" -gt 0 ] || return 1
		sleep 0.1
	done
}
not_listening() {
	! listening "$1"
}
gone() {
	[ ! -d "/proc/$1" ] || [ "$(proc_state "$1")" = Z ]
}

# proc_field PID N: field N (3 = state, 4 = ppid, 22 = start time) of
# /proc/PID/stat, read after the LAST ")": the name before it is the
# process's to choose ("x) R 1 1").
proc_field() {
	is_pid "$1" || return 0
	sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f$(($2 - 2))
}

# is_pid WORD: a pid (digits, not 0): never kill 0 or -1 by mistake.
is_pid() {
	case $1 in
	'' | 0* | *[!0-9]*) return 1 ;;
	esac
	return 0
}
proc_state() {
	proc_field "$1" 3
}
proc_ppid() {
	proc_field "$1" 4
}
proc_uid() {
	awk '$1 == "Uid:" { print $2 }' "/proc/$1/status" 2>/dev/null
}
proc_exe() {
	readlink "/proc/$1/exe" 2>/dev/null
}

# track PID: remember a process a test started, for reset and teardown.
track() {
	if ! is_pid "$1"; then
		echo "track: not a pid: '$1'" >&2
		return 1
	fi
	_st=$(proc_field "$1" 22)
	is_pid "$_st" && echo "$1 $_st" >>"$STATE/pids"
}

# kill_tracked: stop every tracked process that is still the one that
# was tracked (same start time): SIGTERM (an nginx master takes its
# workers with it; SIGKILL would leave them holding the port), SIGKILL
# after 3 s; wait until each is gone.
kill_tracked() {
	[ -f "$STATE/pids" ] || return 0
	while read -r _pid _st; do
		if ! is_pid "$_pid" || ! is_pid "$_st"; then
			continue
		fi
		if [ "$(proc_field "$_pid" 22)" = "$_st" ]; then
			kill -TERM "$_pid" 2>/dev/null
			if ! wait_for 3 gone "$_pid"; then
				kill -KILL "$_pid" 2>/dev/null
				wait_for 5 gone "$_pid" || echo "cannot stop pid $_pid" >&2
			fi
		fi
	done <"$STATE/pids"
	rm -f "$STATE/pids"
}

# kill_test_holders PORT: SIGKILL what still holds PORT as user nginx or a
# user setup created (nginx workers whose master was killed, a holder a
# test could not track): setup found PORT free, so the tests started them.
kill_test_holders() {
	_uids=
	for _u in nginx $SYSTEST_USERS; do
		_uids="$_uids $(id -u "$_u" 2>/dev/null)"
	done
	for _p in $(port_pids "$1"); do
		is_pid "$_p" || continue
		case " $_uids " in
		*" $(proc_uid "$_p") "*)
			echo "killing pid $_p ($(proc_exe "$_p"), uid $(proc_uid "$_p")), left on port $1" >&2
			kill -KILL "$_p" 2>/dev/null
			;;
		esac
	done
}

# hold_port USER [hold-port.pl OPTIONS] PORT [PROGRAM...]: start a holder
# as USER in the background, track it, wait until PORT has one more
# listening socket; the holder's pid in $held.  1 if it did not come up.
hold_port() {
	_user=$1
	shift
	_hport=
	_skip=
	for _a in "$@"; do
		if [ -n "$_skip" ]; then
			_skip=
		else
			case $_a in
			--family | --name) _skip=1 ;;
			--*) ;;
			*) _hport=$_a; break ;;
			esac
		fi
	done
	_before=$(listen_inodes "$_hport" | wc -l)
	# not through as_user: a function run with & is a subshell, and $!
	# would be its pid; setpriv execs sh, which execs perl: one pid
	setpriv --reuid="$_user" --regid="$(id -g "$_user")" --init-groups -- \
	    /bin/sh -c "$EXEC_SH" /usr/bin/perl "$HOLD_PORT" "$@" \
	    </dev/null >/dev/null 2>"$STATE/hold-port.err" &
	held=$!
	_n=50
	while [ "$_n" -gt 0 ]; do
		if [ "$(proc_exe "$held")" = /usr/bin/perl ]; then
			track "$held"
			break
		fi
		gone "$held" && break
		_n=$((_n - 1))
		sleep 0.1
	done
	if ! wait_for 5 _more_listeners "$_before"; then
		echo "hold-port.pl as $_user ($*) did not listen:" >&2
		cat "$STATE/hold-port.err" >&2
		return 1
	fi
	return 0
}
_more_listeners() {
	gone "$held" && return 2
	[ "$(listen_inodes "$_hport" | wc -l)" -gt "$1" ]
}

# ---- apache2, as Debian starts it ------------------------------------------

# apache2_pid: the master's pid, from Debian's pid file, if it runs
# /usr/sbin/apache2; empty otherwise.
apache2_pid() {
	_p=$(cat "$APACHE_PIDFILE" 2>/dev/null) || return 0
	is_pid "$_p" && [ "$(proc_exe "$_p")" = /usr/sbin/apache2 ] && echo "$_p"
	return 0
}

# apache2_start: apache2ctl start (Debian's way: envvars, then apache2 -k
# start; through systemctl when systemd runs), and wait until it listens
# on $PORT.
apache2_start() {
	if ! apache2ctl start </dev/null >"$STATE/apache2ctl.out" 2>&1; then
		echo "apache2ctl start failed:" >&2
		cat "$STATE/apache2ctl.out" >&2
		return 1
	fi
	if ! wait_for 10 listening "$PORT" || [ -z "$(apache2_pid)" ]; then
		echo "apache2 did not come up on port $PORT:" >&2
		cat "$STATE/apache2ctl.out" >&2
		tail -n 5 /var/log/apache2/error.log >&2 2>/dev/null
		return 1
	fi
}

# apache2_stop: apache2ctl stop if it runs, and wait until it has gone.
apache2_stop() {
	_p=$(apache2_pid)
	[ -n "$_p" ] || return 0
	apache2ctl stop </dev/null >/dev/null 2>&1
	wait_for 10 gone "$_p"
}

# ours PROCDIR: the process lives in this PID namespace (an apache2 or nginx
# in a container test running meanwhile is not this machine's).
ours() {
	[ "$(readlink "$1/ns/pid" 2>/dev/null)" = "$(readlink /proc/self/ns/pid)" ]
}

# apache2_procs: every process of this machine whose executable is
# /usr/sbin/apache2.
apache2_procs() {
	for _d in /proc/[0-9]*; do
		[ "$(readlink "$_d/exe" 2>/dev/null)" = /usr/sbin/apache2 ] && ours "$_d" &&
		    echo "${_d#/proc/}"
	done
	return 0
}

# ---- nginx as user nginx (by hand: cutover start nginx is tested itself) ---

# nginx_start [NGINX [CONF]]: start NGINX (default /usr/sbin/nginx) as
# user nginx, as cutover's start does, and wait until the pid file names
# a live master and it listens on $PORT; its pid in $nginx_master.
nginx_start() {
	rm -f "$NGINX_PIDFILE"
	if ! as_user nginx "${1:-/usr/sbin/nginx}" -c "${2:-$NGINX_CONF}" </dev/null \
	    >"$STATE/nginx.out" 2>&1; then
		echo "nginx as nginx did not start:" >&2
		cat "$STATE/nginx.out" >&2
		return 1
	fi
	nginx_master=
	if wait_for 10 nginx_up; then
		nginx_master=$(cat "$NGINX_PIDFILE")
		track "$nginx_master"
		return 0
	fi
	echo "nginx did not come up on port $PORT:" >&2
	cat "$STATE/nginx.out" >&2
	tail -n 5 "$NGINX_LOGS/error.log" >&2 2>/dev/null
	return 1
}
nginx_up() {
	[ -s "$NGINX_PIDFILE" ] && [ -d "/proc/$(cat "$NGINX_PIDFILE")" ] && listening "$PORT"
}

# nginx_stop: TERM to the master named by the system tests' pid file,
# when it runs as user nginx; wait until it has gone.
nginx_stop() {
	_p=$(cat "$NGINX_PIDFILE" 2>/dev/null) || return 0
	is_pid "$_p" && [ -d "/proc/$_p" ] || return 0
	_nginx_uid=$(id -u nginx 2>/dev/null) || return 0
	[ "$(proc_uid "$_p")" = "$_nginx_uid" ] || return 0
	kill -TERM "$_p" 2>/dev/null
	wait_for 10 gone "$_p"
}

# nginx_procs: every process of user nginx whose executable is
# /usr/sbin/nginx (Debian's own nginx, if it runs, is www-data and root).
nginx_procs() {
	_nginx_uid=$(id -u nginx 2>/dev/null) || return 0
	for _d in /proc/[0-9]*; do
		[ "$(readlink "$_d/exe" 2>/dev/null)" = /usr/sbin/nginx ] && ours "$_d" &&
		    [ "$(proc_uid "${_d#/proc/}")" = "$_nginx_uid" ] && echo "${_d#/proc/}"
	done
	return 0
}

# served: what $PORT answers; serves TEXT: whether that has TEXT
served() {
	curl -s --max-time 5 "http://127.0.0.1:$PORT/"
}
serves() {
	case $(served) in
	*"$1"*) return 0 ;;
	esac
	return 1
}
nginx_gone() {
	[ -z "$(nginx_procs)" ]
}

# back_to_apache2: nginx stopped, apache2 serving the old page again (the
# site as before a switch, by root)
back_to_apache2() {
	for _p in $(nginx_procs); do
		kill -TERM "$_p" 2>/dev/null
	done
	wait_for 10 nginx_gone || fail_check "nginx did not stop"
	[ -n "$(apache2_pid)" ] || apache2_start || fail_check "apache2ctl start"
	wait_for 10 serves "$OLD_TEXT" || fail_check "apache2 does not serve the old page again"
}

# stop_daemons: what reset and teardown do first - the test's holders,
# the system tests' nginx, apache2 (only once setup has configured it) -
# then wait until $PORT is free.  1 (and says who) if it is not.
stop_daemons() {
	kill_tracked
	nginx_stop
	if [ -e "$STATE/apache2.saved" ]; then
		apache2_stop
	fi
	if ! wait_for 3 not_listening "$PORT"; then
		kill_test_holders "$PORT"
	fi
	if ! wait_for 5 not_listening "$PORT"; then
		echo "port $PORT is still held:" >&2
		describe_holders "$PORT" >&2
		return 1
	fi
	return 0
}

# describe_holders PORT: "pid N exe E uid U" for each holder.
describe_holders() {
	for _p in $(port_pids "$1"); do
		echo "  pid $_p exe $(proc_exe "$_p") uid $(proc_uid "$_p")"
	done
	[ -n "$(port_pids "$1")" ] || echo "  (no visible process)"
}

# expect_files STATUS DESCRIPTION -- COMMAND...: lib.sh's expect, with
# stdout and stderr going to files rather than a pipe, for a command that
# may leave a daemon behind (cutover start): a daemon holding the pipe
# would keep $(...) waiting forever.  $out and $err as expect sets them.
expect_files() {
	_want=$1 _what=$2
	shift 3
	"$@" </dev/null >"$TEST_TMPDIR/files.out" 2>"$TEST_TMPDIR/files.err"
	_got=$?
	out=$(cat "$TEST_TMPDIR/files.out")
	err=$(cat "$TEST_TMPDIR/files.err")
	if [ "$_got" != "$_want" ]; then
		echo "FAIL: $_what: exit $_got, wanted $_want"
		echo "  stdout: $out"
		echo "  stderr: $err"
		fails=$((fails + 1))
		return 1
	fi
	return 0
}

# outcome_is DESCRIPTION OUTCOME PIDS: the records since audit_mark are
# one request and one outcome, OUTCOME ("ok", "refused", "failed"), listing
# exactly PIDS (JSON text: "[]", "[123]").
outcome_is() {
	audit_new 2 "$1" || return 1
	field_is 1 stage "$1: the request first" '"request"'
	field_is 2 stage "$1: then the outcome" '"outcome"'
	field_is 2 outcome "$1: outcome" "\"$2\""
	field_is 2 pids "$1: the pids in the record" "$3"
}

# caps_of PID: "uid/gid CapEff CapPrm CapAmb" from /proc/PID/status.
caps_of() {
	awk '$1 == "Uid:" { u = $2 "," $3 "," $4 "," $5 }
	     $1 == "Gid:" { g = $2 "," $3 "," $4 "," $5 }
	     $1 == "CapEff:" { e = $2 } $1 == "CapPrm:" { p = $2 } $1 == "CapAmb:" { a = $2 }
	     END { print u "/" g, e, p, a }' "/proc/$1/status" 2>/dev/null
}

# ---- one run at a time ------------------------------------------------------
# The process that runs setup.sh (run.sh, demo.sh) owns the machine's test
# state until its teardown: $STATE/owner is "PID STARTTIME".  setup.sh,
# setup.sh --reset and teardown.sh refuse while another live process owns
# it, so two runs (make check and a hand-run test, say) cannot tear down
# each other's users, apache2 and port 8080.  An owner that died without
# its teardown (killed hard) no longer counts.

# state_owner: the live owner's pid, or nothing.
state_owner() {
	[ -f "$STATE/owner" ] || return 0
	read -r _op _ost <"$STATE/owner" || return 0
	is_pid "$_op" && is_pid "$_ost" || return 0
	[ "$(proc_field "$_op" 22)" = "$_ost" ] && echo "$_op"
	return 0
}

# owned_by PID: no live owner, or PID is it.
owned_by() {
	_o=$(state_owner)
	[ -z "$_o" ] || [ "$_o" = "$1" ]
}

# claim PID: PID owns the test state from now on.
claim() {
	echo "$1 $(proc_field "$1" 22)" >"$STATE/owner"
}

# owner_words: the live owner, for messages.
owner_words() {
	_o=$(state_owner)
	echo "pid $_o: $(tr '\0' ' ' <"/proc/$_o/cmdline" 2>/dev/null | cut -c1-100)"
}
