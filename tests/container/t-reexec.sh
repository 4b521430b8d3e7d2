#!/bin/sh
# systemd's own restarts are not failures (issue 29, item 4).  A switch
# with the socket handoff, and `systemctl daemon-reexec` (what an upgrade
# of systemd runs) during the pre-flight (dry runs while systemd
# re-executes, over and over), and while a step waits for one of systemd's
# jobs: during
# nginx's start (held open by a slow ExecStartPre=/bin/sleep 4 of a
# drop-in), and during apache2's drain (held open by a 20 MB download at
# 2 MB/s).  systemd keeps its jobs across a re-exec, but it closes every
# connection to it: the step must not take that for its job failing.  The
# switch ends ok, with no rollback, nginx serving the new page and enabled,
# apache2 stopped and disabled, and no unit left failed.  A daemon-reload
# during the start (it keeps the connections) ends ok too, as it did
# before.  (Before: "lost systemd while waiting for its job", a false
# rollback.)
. tests/container/site.sh

site_up a || { fail_check "the container did not come up"; finish; }
cat >"$CT_SCRATCH/policy.conf" <<EOF
audit = { syslog = true; file = "/var/log/cutover/audit.jsonl"; };
services = {
$(svc_apache2 "stop_timeout = 20.0;")
$(svc_nginx 'socket_handoff = "nginx"; start_timeout = 20.0;')
};
ports = ( { port = 8080; holders = ["apache2", "nginx"]; } );
checks = { homepage = { url = "http://127.0.0.1:8080/"; contains = "$NEW_TEXT"; within = 3.0; }; };
plans = { newsite = { port = 8080; from = "apache2"; to = "nginx"; verify = ["homepage"]; }; };
rules = ( { users = ["deploy"]; switch = ["newsite"]; } );
EOF
site_policy a "$CT_SCRATCH/policy.conf"
m=$CT_SCRATCH/a/merged
mkdir -p "$m/etc/systemd/system/nginx.service.d"
cp "$m/usr/share/doc/cutover/examples/systemd/nginx-cutover-handoff.conf" \
    "$m/etc/systemd/system/nginx.service.d/cutover-handoff.conf"
head -c 20000000 /dev/zero >"$m/var/www/html/big.bin"

# switched WHEN: the switch ended ok, without a rollback
switched() {
	echo "exit $rc: $(echo "$out" | tail -n 1)"
	[ "$rc" = 0 ] || fail_check "$1: exit $rc, expected 0" "$out"
	# the re-exec came while the step waited, and it asked again
	[ "${reexec:-yes}" = no ] || has "(systemd re-executed meanwhile; asked again)"
	lacks "rolling back"
	lacks "lost systemd"
	case $(page a) in
	*"$NEW_TEXT"*) echo "ok: $1: nginx serves the new page" ;;
	*) fail_check "$1: nginx does not serve the new page" "$(page a)" ;;
	esac
	is a nginx active
	is a nginx enabled
	is a apache2 inactive
	is a apache2 disabled
	failed=$(ct_run a systemctl --failed --no-legend --plain)
	[ -z "$failed" ] || fail_check "$1: units left failed" "$failed"
}

# during the pre-flight: dry runs (the same pre-flight as a switch's, and
# it asks systemd of both units) while systemd re-executes 8 times, 0.7 s
# apart.  Each must pass: the pre-flight touches nothing, so one that lost
# systemd waits for it and asks again.  (Before: 22 of 63 refused, "cannot
# reach systemd ...: Connection refused", "... reset by peer".)
ct_run a systemctl daemon-reload
ct_run a sh -c 'for i in 1 2 3 4 5 6 7 8; do systemctl daemon-reexec; sleep 0.7; done' \
    >"$CT_SCRATCH/reexecs.out" 2>&1 &
rx=$!
runs=0 refused=0 again=0
while kill -0 "$rx" 2>/dev/null && [ "$runs" -lt 200 ]; do
	runs=$((runs + 1))
	as_deploy a cutover -n switch newsite >"$CT_SCRATCH/out" 2>&1 || {
		refused=$((refused + 1))
		grep "pre-flight:" "$CT_SCRATCH/out" | tail -n 1
	}
	! grep -q "pre-flight: ok (systemd re-executed meanwhile; asked again)" \
	    "$CT_SCRATCH/out" || again=$((again + 1))
done
wait "$rx" || fail_check "systemctl daemon-reexec failed" "$(cat "$CT_SCRATCH/reexecs.out")"
echo "pre-flights during re-execs: $runs, $refused refused, $again asked again"
[ "$refused" = 0 ] || fail_check "$refused of $runs pre-flights refused while systemd re-executed"
# none that lost systemd: the window was not met, and nothing was shown
[ "$again" -gt 0 ] || fail_check "no pre-flight of $runs lost systemd: the test did not test"

# during start: nginx's slow ExecStartPre= holds its start job open
cat >"$m/etc/systemd/system/nginx.service.d/slow.conf" <<EOF
[Service]
ExecStartPre=/bin/sleep 4
EOF
ct_run a systemctl daemon-reload
as_deploy a cutover switch newsite >"$CT_SCRATCH/out" 2>&1 &
sw=$!
if wait_for "nginx's start" sh -c '[ "$(systemctl is-active nginx)" = activating ]'; then
	ct_run a systemctl daemon-reexec || fail_check "systemctl daemon-reexec failed"
	echo "ok: systemd re-executed while nginx was starting"
fi
wait "$sw"
rc=$?
out=$(cat "$CT_SCRATCH/out")
switched "daemon-reexec during the start"

# a daemon-reload during the start (what a package's postinst runs): it
# keeps the connections, and the job goes on
back_to_apache2
as_deploy a cutover switch newsite >"$CT_SCRATCH/out" 2>&1 &
sw=$!
if wait_for "nginx's start" sh -c '[ "$(systemctl is-active nginx)" = activating ]'; then
	ct_run a systemctl daemon-reload || fail_check "systemctl daemon-reload failed"
	echo "ok: systemd reloaded while nginx was starting"
fi
wait "$sw"
rc=$?
out=$(cat "$CT_SCRATCH/out")
reexec=no switched "daemon-reload during the start"

# during the drain: a download from apache2 holds its graceful stop open
back_to_apache2
rm -f "$m/etc/systemd/system/nginx.service.d/slow.conf"
ct_run a systemctl daemon-reload
ct_run a sh -c 'curl -s --limit-rate 2M -o /root/got.bin http://127.0.0.1:8080/big.bin; echo $? >/root/curl.rc' &
dl=$!
sleep 0.5
as_deploy a cutover switch newsite >"$CT_SCRATCH/out" 2>&1 &
sw=$!
if wait_for "apache2's drain" sh -c '[ "$(systemctl is-active apache2)" = deactivating ]'; then
	ct_run a systemctl daemon-reexec || fail_check "systemctl daemon-reexec failed"
	echo "ok: systemd re-executed while apache2 drained"
fi
wait "$sw"
rc=$?
wait "$dl"
out=$(cat "$CT_SCRATCH/out")
switched "daemon-reexec during the drain"
[ "$(cat "$m/root/curl.rc")" = 0 ] && [ "$(stat -c %s "$m/root/got.bin")" = 20000000 ] ||
    fail_check "the download in flight was cut (curl exit $(cat "$m/root/curl.rc"))"

# during persist: a generator makes its daemon-reload take 4 s; systemd
# runs a re-exec asked meanwhile after the reload has answered (one
# thread), so persist ends ok and nothing is asked again
back_to_apache2
mkdir -p "$m/etc/systemd/system-generators"
printf '#!/bin/sh\n[ -e /run/slow-reload ] && sleep 4\nexit 0\n' >"$m/etc/systemd/system-generators/slow"
chmod 0755 "$m/etc/systemd/system-generators/slow"
ct_run a touch /run/slow-reload
as_deploy a cutover switch newsite >"$CT_SCRATCH/out" 2>&1 &
sw=$!
if wait_for "persist" grep -q "^marks.*persisting" /var/lib/cutover/intent/newsite; then
	sleep 1
	ct_run a systemctl daemon-reexec || fail_check "systemctl daemon-reexec failed"
	echo "ok: systemd re-executed during persist"
fi
wait "$sw"
rc=$?
ct_run a rm -f /run/slow-reload
rm -f "$m/etc/systemd/system-generators/slow"
out=$(cat "$CT_SCRATCH/out")
reexec=no switched "daemon-reexec during persist"
finish
