#!/bin/sh
# A graceful stop under systemd: Debian's apache2.service stops with
# apachectl graceful-stop (its ExecStop=), which lets requests in flight
# finish before KillMode=mixed's SIGTERM.  As deploy: a 20 MB download at
# 5 MB/s started before `cutover stop apache2` finishes intact (its
# sha256) within the service's stop_timeout; with a stop_timeout shorter
# than the download, at stop_timeout systemd kills what is left (the
# download is cut, the stop says so); and across `cutover switch` with
# the socket handoff, a download from apache2 in flight completes intact
# while nginx already serves new requests.
. tests/container/site.sh

site_up a || { fail_check "the container did not come up"; finish; }
cat >"$CT_SCRATCH/policy.conf" <<EOF
audit = { syslog = true; file = "/var/log/cutover/audit.jsonl"; };
services = {
$(svc_apache2 "stop_timeout = 15.0;")
$(svc_apache2 "stop_timeout = 1.0;" hurried)
$(svc_nginx 'socket_handoff = "nginx";')
};
ports = ( { port = 8080; holders = ["apache2", "nginx"]; } );
checks = { homepage = { url = "http://127.0.0.1:8080/"; contains = "$NEW_TEXT"; within = 3.0; }; };
plans = { newsite = { port = 8080; from = "apache2"; to = "nginx"; verify = ["homepage"]; persist = "none"; }; };
rules = ( { users = ["deploy"]; switch = ["newsite"]; start = ["apache2"];
            stop = ["apache2", "hurried", "nginx"]; } );
EOF
site_policy a "$CT_SCRATCH/policy.conf"
m=$CT_SCRATCH/a/merged
head -c 20000000 /dev/urandom >"$m/var/www/html/big.bin"
# longer than what loopback's socket buffers hold (some 10 MB), so that a
# cut download cannot still arrive whole from the buffers
head -c 100000000 /dev/zero >"$m/var/www/html/huge.bin"
sum=$(sha256sum <"$m/var/www/html/big.bin" | cut -d' ' -f1)

# download [FILE]: a GET of big.bin (20 MB) at 5 MB/s in the container, in
# the background
download() {
	rm -f "$m/root/got.bin" "$m/root/curl.rc"
	ct_run a sh -c "curl -s --limit-rate 5M -o /root/got.bin http://127.0.0.1:8080/${1:-big.bin};
	    echo \$? >/root/curl.rc" &
	dl=$!
	sleep 1
}
downloaded() {
	wait "$dl"
	rc=$(cat "$m/root/curl.rc")
	got=$(sha256sum <"$m/root/got.bin" | cut -d' ' -f1)
}

download
t0=$(date +%s)
expect 0 "stop apache2 with a download in flight" as_deploy a cutover stop apache2 &&
    has "systemd stopped apache2" && lacks "SIGKILL"
took=$(($(date +%s) - t0))
downloaded
if [ "$rc" = 0 ] && [ "$got" = "$sum" ]; then
	echo "ok: the download finished intact (the stop took $took s)"
else
	fail_check "the download was cut by a graceful stop (curl exit $rc, sha256 $got, want $sum)"
fi
is a apache2 inactive

expect 0 "start apache2" as_deploy a cutover start apache2
download huge.bin
expect 0 "stop hurried (stop_timeout 1.0) with a download in flight" \
    as_deploy a cutover stop hurried &&
    has "at stop_timeout systemd had to kill what was left (SIGKILL)"
downloaded
if [ "$rc" != 0 ]; then
	echo "ok: past stop_timeout the download was cut (curl exit $rc)"
else
	fail_check "the download survived a stop past stop_timeout"
fi
ct_run a systemctl reset-failed apache2 2>/dev/null

# across the switch, with the handoff drop-in
mkdir -p "$m/etc/systemd/system/nginx.service.d"
cp "$m/usr/share/doc/cutover/examples/systemd/nginx-cutover-handoff.conf" \
    "$m/etc/systemd/system/nginx.service.d/cutover-handoff.conf"
ct_run a systemctl daemon-reload
expect 0 "start apache2 again" as_deploy a cutover start apache2
download
expect 0 "switch newsite with a download in flight" as_deploy a cutover switch newsite
downloaded
if [ "$rc" = 0 ] && [ "$got" = "$sum" ]; then
	echo "ok: the download from apache2 finished intact across the switch"
else
	fail_check "the download was cut by the switch (curl exit $rc)"
fi
is a nginx active
finish
