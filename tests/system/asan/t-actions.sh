#!/bin/sh
# Under ASan+UBSan, as root: the actions with the real apache2 and nginx -
# free-port from apache2, start nginx (as user nginx), verify in its three
# formats, stop nginx, start apache2 (a root service), a holder that is
# not permitted (refused), free-port from apache2 again.
. tests/system/asan/lib.sh
root_policy 's|start  = \["nginx"\];|start  = ["nginx", "apache2"];|' || exit 1
grep -q '"nginx", "apache2"' "$POLICY" || { fail_check "the policy was written"; finish; }

apache2_start || { fail_check "apache2ctl start"; finish; }
master=$(apache2_pid)
audit_mark
expect 0 "free-port $PORT from apache2" -- "$ASAN_CUTOVER" free-port "$PORT"
has "signalled pid $master; drained gracefully)" out "free-port signals apache2's master"
outcome_is "free-port from apache2" ok "[$master]"
listening "$PORT" && fail_check "$PORT is free" "$(describe_holders "$PORT")"

expect_files 0 "start nginx" -- "$ASAN_CUTOVER" start nginx
wait_for 10 listening "$PORT" || fail_check "nginx listens on $PORT"
[ -n "$(nginx_procs)" ] || fail_check "nginx runs as nginx"
for p in $(port_pids "$PORT"); do
	[ "$(proc_uid "$p")" != 0 ] || fail_check "no holder of $PORT runs as root (pid $p)"
done

expect 0 "verify homepage" -- "$ASAN_CUTOVER" verify homepage
has "OK" out "verify says OK"
expect 0 "verify --format=json" -- "$ASAN_CUTOVER" verify --format=json homepage
has '"result":"ok"' out "the JSON says ok"
expect 0 "verify --format=nagios" -- "$ASAN_CUTOVER" verify --format=nagios homepage

expect 0 "stop nginx" -- "$ASAN_CUTOVER" stop nginx
[ -z "$(nginx_procs)" ] || fail_check "nginx stopped"
expect 0 "stop nginx again: not running" -- "$ASAN_CUTOVER" stop nginx
has "not running" out "says not running"

audit_mark
expect_files 0 "start apache2 (a root service)" -- "$ASAN_CUTOVER" start apache2
wait_for 10 listening "$PORT" || fail_check "apache2 listens on $PORT"
audit_new 2 "start apache2: request and outcome" && field_is 2 outcome "start apache2" '"ok"'
[ -n "$(apache2_pid)" ] || fail_check "apache2 runs (its pid file names it)"
expect 0 "free-port $PORT from the apache2 cutover started" -- "$ASAN_CUTOVER" free-port "$PORT"
wait_for 10 not_listening "$PORT" || fail_check "$PORT is free again"

hold_port intruder "$PORT" || { fail_check "a perl listener as intruder"; finish; }
audit_mark
expect 3 "free-port $PORT held by intruder: refused" -- "$ASAN_CUTOVER" free-port "$PORT"
outcome_is "free-port held by intruder" refused "[]"
gone "$held" && fail_check "intruder's perl still runs"
expect_files 1 "start nginx while intruder holds $PORT: fails" -- "$ASAN_CUTOVER" start nginx
has "free-port $PORT" err "the hint names free-port"
kill_tracked

audit_valid "the records of the sanitizer runs"
sanitizer_clean
finish
