#!/bin/sh
# The cutover of issue #4 with the real thing: apache2 on 8080, started as
# Debian does (apache2ctl start), serving the old page; as user deploy,
# `cutover free-port 8080` stops it (its master, which takes its workers
# with it), `cutover start nginx` starts nginx as user nginx with no
# capabilities, curl shows the new page, `cutover stop nginx` stops it.
# And the refusals, each leaving everything as it was: free-port 22,
# start apache2, stop apache2, start nginx while apache2 holds 8080, 8080
# held by a process that is not a permitted holder; a holder that ignores
# the stop signal (kill_after false: exit 1, true: SIGKILL).
#
# `start` is checked for real (helper/act/svc/proc.c through run.c); if it fails,
# nginx is started by hand (as nginx, the same command) so that the stop
# checks still run.
. tests/system/lib.sh
nginx_uid=$(id -u nginx)
nginx_gid=$(id -g nginx)
intruder_uid=$(id -u intruder)

# holders: the pids on $PORT, on one line.
holders() {
	port_pids "$PORT" | tr '\n' ' '
}

# unchanged DESCRIPTION: the holders of $PORT are still $before, apache2
# still serves the old page, and no nginx runs as nginx.
unchanged() {
	now=$(holders)
	[ "$now" = "$before" ] || fail_check "$1: the holders of $PORT changed (before: $before, now: $now)"
	page=$(curl -s --max-time 5 "http://127.0.0.1:$PORT/")
	case $page in
	*"$OLD_TEXT"*) ;;
	*) fail_check "$1: apache2 no longer serves the old page" "$page" ;;
	esac
	[ -z "$(nginx_procs)" ] || fail_check "$1: nginx runs: $(nginx_procs | tr '\n' ' ')"
}

# ---- apache2 as Debian starts it -------------------------------------------
apache2_start || { fail_check "apache2ctl start"; finish; }
master=$(apache2_pid)
before=$(holders)
# shellcheck disable=SC2086 # pids, split on purpose
set -- $before
[ "$#" -ge 2 ] || fail_check "apache2 runs a master and workers on $PORT (holders: $before)"
page=$(curl -s --max-time 5 "http://127.0.0.1:$PORT/")
case $page in
*"$OLD_TEXT"*) ;;
*) fail_check "apache2 serves the old page on $PORT" "$page" ;;
esac
[ "$(proc_uid "$master")" = 0 ] || fail_check "apache2's master runs as root (Debian's way)"

# ---- refusals while apache2 holds 8080: nothing changes --------------------
audit_mark
expect 3 "free-port 22: no rule grants it" -- as_deploy "$CUTOVER" free-port 22
has "may not free port 22" err "free-port 22 says what was refused"
audit_new 1 "free-port 22: one record (the refusal)" && field_is 1 decision "free-port 22" '"deny"'
unchanged "after free-port 22"

audit_mark
expect 3 "start apache2 by deploy: no rule grants it" -- as_deploy "$CUTOVER" start apache2
has "may not start apache2" err "start apache2 says what was refused"
audit_new 1 "start apache2: one record" && field_is 1 decision "start apache2" '"deny"'
unchanged "after start apache2"

expect 3 "stop apache2 by deploy: no rule grants it" -- as_deploy "$CUTOVER" stop apache2
unchanged "after stop apache2"

audit_mark
expect_files 1 "start nginx while apache2 holds $PORT: fails (issue #4: start)" -- \
    as_deploy "$CUTOVER" start nginx
has "free-port $PORT" err "start nginx while $PORT is held: the hint names free-port $PORT (issue #4: start)"
lacks "not implemented" err "start nginx is implemented (issue #4: start)"
audit_new 2 "start nginx while held: request and outcome" && field_is 2 outcome "start nginx while held" '"failed"'
unchanged "after start nginx while apache2 holds $PORT"

# ---- free-port 8080: stops apache2 -----------------------------------------
audit_mark
expect 0 "free-port $PORT stops apache2" -- as_deploy "$CUTOVER" free-port "$PORT"
has "signalled pid $master; drained gracefully)" out "free-port signals apache2's master only (pid $master), not each worker"
has "apache2" out "free-port says which service it stopped"
printf '%s\n' "$out" | grep -Eq 'in [0-9]+\.[0-9]+ s' || fail_check "free-port says how long it took" "$out"
if outcome_is "free-port $PORT" ok "[$master]"; then
	has_key 2 duration "free-port $PORT: the record has the time taken"
fi
listening "$PORT" && fail_check "port $PORT is free after free-port" "$(describe_holders "$PORT")"
[ -z "$(apache2_procs)" ] || fail_check "no apache2 process is left ($(apache2_procs | tr '\n' ' '))"

audit_mark
expect 0 "free-port $PORT again: already free" -- as_deploy "$CUTOVER" free-port "$PORT"
has "already free" out "free-port on a free port says so"
outcome_is "free-port on a free port" ok "[]"

# ---- start nginx: as nginx, no capabilities, the new page ------------------
audit_mark
expect_files 0 "start nginx (issue #4: start)" -- as_deploy "$CUTOVER" start nginx
started_by=cutover
if ! wait_for 10 listening "$PORT"; then
	started_by=hand
	fail_check "start nginx: nothing listens on $PORT afterwards (issue #4: start)"
	nginx_start /usr/sbin/nginx || { fail_check "nginx started by hand as nginx"; finish; }
fi
for p in $(port_pids "$PORT"); do
	[ "$(proc_uid "$p")" != 0 ] || fail_check "no process on $PORT runs as root: pid $p does ($(proc_exe "$p"))"
done
np=$(nginx_procs | tr '\n' ' ')
[ -n "$np" ] || fail_check "nginx runs as nginx ($started_by)"
for p in $(port_pids "$PORT"); do
	case " $np " in
	*" $p "*) ;;
	*) fail_check "every holder of $PORT is nginx as nginx: pid $p is $(proc_exe "$p"), uid $(proc_uid "$p")" ;;
	esac
done
for p in $np; do
	want="$nginx_uid,$nginx_uid,$nginx_uid,$nginx_uid/$nginx_gid,$nginx_gid,$nginx_gid,$nginx_gid 0000000000000000 0000000000000000 0000000000000000"
	got=$(caps_of "$p")
	[ "$got" = "$want" ] || fail_check "nginx pid $p ($started_by): uid/gid nginx, CapEff, CapPrm and CapAmb 0" "got:  $got
want: $want"
done
page=$(curl -s --max-time 5 "http://127.0.0.1:$PORT/")
case $page in
*"$NEW_TEXT"*) ;;
*) fail_check "curl shows the new page (nginx started by $started_by)" "$page" ;;
esac
if [ -e /proc/net/tcp6 ]; then
	page=$(curl -s -g --max-time 5 "http://[::1]:$PORT/")
	case $page in
	*"$NEW_TEXT"*) ;;
	*) fail_check "the new page on [::1]:$PORT too" "$page" ;;
	esac
fi
if [ "$started_by" = cutover ]; then
	if audit_new 2 "start nginx: request and outcome"; then
		field_is 2 outcome "start nginx" '"ok"'
	fi
fi

# ---- stop nginx ---------------------------------------------------------------
nmaster=
for p in $np; do
	case " $np " in
	*" $(proc_ppid "$p") "*) ;;
	*) nmaster=$p ;;
	esac
done
audit_mark
expect 0 "stop nginx" -- as_deploy "$CUTOVER" stop nginx
has "signalled pid $nmaster; drained gracefully)" out "stop nginx signals the master only (pid $nmaster)"
outcome_is "stop nginx" ok "[$nmaster]"
listening "$PORT" && fail_check "port $PORT is free after stop nginx" "$(describe_holders "$PORT")"
[ -z "$(nginx_procs)" ] || fail_check "no nginx is left after stop nginx ($(nginx_procs | tr '\n' ' '))"

audit_mark
expect 0 "stop nginx again: not running" -- as_deploy "$CUTOVER" stop nginx
has "not running" out "stop nginx on a stopped nginx says so"
outcome_is "stop nginx when not running" ok "[]"

# ---- free-port 8080 from nginx, the other permitted holder -------------------
nginx_start /usr/sbin/nginx || { fail_check "nginx started by hand as nginx"; finish; }
expect 0 "free-port $PORT from nginx" -- as_deploy "$CUTOVER" free-port "$PORT"
has "signalled pid $nginx_master; drained gracefully)" out "free-port from nginx signals its master"
listening "$PORT" && fail_check "port $PORT is free after free-port from nginx"

# ---- 8080 held by a process that is not a permitted holder -------------------
hold_port intruder "$PORT" || { fail_check "a perl listener as intruder on $PORT"; finish; }
audit_mark
expect 3 "free-port $PORT held by intruder's perl: refused" -- as_deploy "$CUTOVER" free-port "$PORT"
has "pid $held " err "the refusal names the holder's pid"
has "/usr/bin/perl" err "the refusal names the holder's exe"
case $err in
*intruder* | *"uid $intruder_uid"*) ;;
*) fail_check "the refusal names the holder's user (intruder, uid $intruder_uid)" "$err" ;;
esac
outcome_is "free-port held by intruder" refused "[]"
gone "$held" && fail_check "intruder's perl still runs after the refusal"
[ "$(holders)" = "$held " ] || fail_check "intruder's perl still holds $PORT, alone ($(holders))"

expect_files 1 "start nginx while intruder holds $PORT: fails, nothing started (issue #4: start)" -- \
    as_deploy "$CUTOVER" start nginx
lacks "not implemented" err "start nginx is implemented (issue #4: start)"
[ -z "$(nginx_procs)" ] || fail_check "start nginx while $PORT is held started nothing"
gone "$held" && fail_check "intruder's perl still runs after start nginx"

audit_mark
expect 0 "stop nginx while only intruder holds $PORT: nginx is not running" -- as_deploy "$CUTOVER" stop nginx
outcome_is "stop nginx, intruder on the port" ok "[]"
gone "$held" && fail_check "stop nginx left intruder's perl alone"
kill_tracked
wait_for 5 not_listening "$PORT" || fail_check "the port is free again"

# ---- a holder that does not stop: kill_after false, then true ----------------
# nginx reopens its logs on USR1 and goes on: a stop signal it ignores.
write_policy 's|capabilities = \[\];  |capabilities = []; stop_signal = "USR1"; stop_timeout = 1.0;|; s|drain_signal = "QUIT"; drain_timeout = 30.0;||' || exit 1
grep -q 'stop_signal = "USR1"' "$POLICY" || fail_check "the USR1 policy was written"
nginx_start /usr/sbin/nginx || { fail_check "nginx started by hand as nginx"; finish; }
np=$(nginx_procs | tr '\n' ' ')
audit_mark
expect 1 "free-port $PORT, nginx ignores USR1, no kill_after: fails" -- as_deploy "$CUTOVER" free-port "$PORT"
has "still held" err "says the port is still held"
has "pid " err "says by whom"
outcome_is "free-port, holder ignores the signal" failed "[$nginx_master]"
[ "$(nginx_procs | tr '\n' ' ')" = "$np" ] || fail_check "without kill_after nginx is left running ($np)"

write_policy 's|capabilities = \[\];  |capabilities = []; stop_signal = "USR1"; stop_timeout = 1.0; kill_after = true;|; s|drain_signal = "QUIT"; drain_timeout = 30.0;||' || exit 1
audit_mark
expect 0 "free-port $PORT, nginx ignores USR1, kill_after = true: SIGKILL" -- as_deploy "$CUTOVER" free-port "$PORT"
has "SIGKILL" out "says SIGKILL was needed"
audit_new 2 "free-port with kill_after" && field_is 2 outcome "free-port with kill_after" '"ok"'
listening "$PORT" && fail_check "port $PORT is free after SIGKILL"
[ -z "$(nginx_procs)" ] || fail_check "no nginx is left after SIGKILL ($(nginx_procs | tr '\n' ' '))"

audit_valid "after the actions"
finish
