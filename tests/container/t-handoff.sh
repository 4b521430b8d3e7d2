#!/bin/sh
# The socket handoff under systemd: nginx.service runs cutover-handoff in
# front of nginx (the drop-in the package ships as an example).  As
# deploy, `cutover switch newsite` copies apache2's listening socket
# before systemd stops apache2.service, offers it to nginx.service's
# cutover-handoff, and nginx serves on that very socket (the same inode):
# the port never stops listening, and the probe (a new connection every
# 1 ms) counts no refused connection; the helper has exited and nginx's
# master, a child of PID 1 named in /run/nginx.pid, is the unit's main
# process (Type=forking, as Debian's unit).  Without the drop-in the
# pre-flight refuses; with it, nginx failing after it took the socket (a
# port of its own configuration held by another process) fails the start
# through the helper, and the switch rolls back; a start without a
# handoff (systemctl restart, a reboot) runs nginx as Debian's unit does
# (daemonized, with Debian's own arguments).  nginx's upgrades under it:
# t-nginx-upgrade.sh.
. tests/container/site.sh

# sock_inode NAME: the inode of the listening socket on 8080.
sock_inode() {
	ct_run "$1" ss -Hltne "sport = :$PORT" | sed -n 's/.* ino:\([0-9]*\).*/\1/p' | head -n 1
}

# master_is WHEN: nginx.service's main process is nginx's master as
# Debian's unit has it: named in /run/nginx.pid, a child of PID 1 in a
# session of its own, with Debian's arguments.
master_is() {
	pid=$(ct_run a systemctl show -p MainPID --value nginx.service)
	ps=$(ct_run a ps -o ppid=,sid=,args= -p "$pid")
	[ "$(ct_run a cat /run/nginx.pid)" = "$pid" ] || fail_check "/run/nginx.pid does not name $pid ($1)"
	# shellcheck disable=SC2086 # the words of ps, one space apart
	case $(echo $ps) in
	"1 $pid nginx: master process /usr/sbin/nginx -g daemon on; master_process on;")
		echo "ok: $1, nginx.service's main process is nginx's master ($pid: $(echo $ps))" ;;
	*) fail_check "$1, nginx.service's main process is not nginx's master as Debian's unit has it" "$pid: $ps" ;;
	esac
}

site_up a || { fail_check "the container did not come up"; finish; }
cat >"$CT_SCRATCH/policy.conf" <<EOF
audit = { syslog = true; file = "/var/log/cutover/audit.jsonl"; };
services = {
$(svc_apache2)
$(svc_nginx 'socket_handoff = "nginx";')
};
ports = ( { port = 8080; holders = ["apache2", "nginx"]; } );
checks = { homepage = { url = "http://127.0.0.1:8080/"; contains = "$NEW_TEXT"; within = 3.0; }; };
plans = { newsite = { port = 8080; from = "apache2"; to = "nginx"; verify = ["homepage"]; }; };
rules = ( { users = ["deploy"]; switch = ["newsite"]; start = ["nginx"]; stop = ["nginx"]; } );
EOF
site_policy a "$CT_SCRATCH/policy.conf"

expect 3 "switch without the drop-in" as_deploy a cutover switch newsite &&
    has "does not run /usr/libexec/cutover/cutover-handoff (its ExecStart= runs /usr/sbin/nginx)"
is a apache2 active

# the drop-in, as the package's example has it
m=$CT_SCRATCH/a/merged
mkdir -p "$m/etc/systemd/system/nginx.service.d"
cp "$m/usr/share/doc/cutover/examples/systemd/nginx-cutover-handoff.conf" \
    "$m/etc/systemd/system/nginx.service.d/cutover-handoff.conf"
ct_run a systemctl daemon-reload
expect 0 "systemd-analyze verify of nginx.service with the drop-in" \
    ct_run a systemd-analyze verify --man=no nginx.service

# a pending handoff that goes wrong: nginx takes the socket, then cannot
# bind a port of its configuration that another process holds (its -t
# in ExecStartPre= lets that pass) and exits before it writes its pid
# file; the helper exits 1, the start fails, and the switch rolls back
ct_run a sh -c 'python3 -c "import socket, time; s = socket.socket(); s.bind((\"127.0.0.1\", 8099)); s.listen(); time.sleep(60)" >/dev/null 2>&1 & echo $! >/run/hold.pid'
cp "$m/etc/nginx/sites-available/default" "$CT_SCRATCH/default.good"
sed -i "s/listen \[::\]:$PORT ipv6only=off default_server;/&\n\tlisten 127.0.0.1:8099;/" \
    "$m/etc/nginx/sites-available/default"
expect 1 "switch newsite, nginx failing after the handoff" as_deploy a cutover switch newsite &&
    has "rolled back: apache2 was never stopped and still serves port 8080"
ct_run a journalctl -q -u nginx.service 2>/dev/null |
    grep -q 'cutover-handoff: /usr/sbin/nginx exited with status 1 before it wrote its pid to /run/nginx.pid' ||
    fail_check "the journal lacks the helper's failure" "$(ct_run a journalctl -q -u nginx.service 2>/dev/null | tail -n 8)"
is a apache2 active
is a apache2 enabled
case $(page a) in *"$OLD_TEXT"*) echo "ok: apache2 serves after the rollback" ;;
*) fail_check "apache2 does not serve after the rollback" "$(page a)" ;; esac
ct_run a sh -c 'kill "$(cat /run/hold.pid)"'
cp "$CT_SCRATCH/default.good" "$m/etc/nginx/sites-available/default"
ct_run a systemctl reset-failed nginx.service

old=$(sock_inode a)
cp "$PROBE" "$m/usr/local/bin/probe"
ct_run a sh -c '/usr/local/bin/probe -i 1000 -t 2000 -r /run/probe.ready >/run/probe.out 2>&1 & echo $! >/run/probe.pid'
ct_run a sh -c 'i=0; while [ ! -e /run/probe.ready ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done'
expect 0 "switch newsite with the handoff" as_deploy a cutover switch newsite &&
    has "nginx serves port 8080, verified"
sleep 0.3
ct_run a sh -c 'kill -INT "$(cat /run/probe.pid)"; while kill -0 "$(cat /run/probe.pid)" 2>/dev/null; do sleep 0.05; done'
probe=$(ct_run a cat /run/probe.out)
echo "probe across the switch (systemd units, socket handoff): $probe"
case $probe in
*" refused=0 reset=0 "*) echo "ok: no connection refused or reset" ;;
*) fail_check "connections were refused or reset across the handoff" "$probe" ;;
esac
new=$(sock_inode a)
[ -n "$old" ] && [ "$old" = "$new" ] || fail_check "nginx listens on socket $new, not apache2's $old"
ct_run a journalctl -q -u nginx.service 2>/dev/null | grep -q 'takes over 1 listening socket from cutover' ||
    fail_check "the journal lacks cutover-handoff's line" "$(ct_run a journalctl -q -u nginx.service 2>/dev/null | tail -n 5)"
is a nginx active
is a nginx enabled
is a apache2 disabled
master_is "after the handoff"
case $(page a) in *"$NEW_TEXT"*) echo "ok: nginx serves the new page" ;;
*) fail_check "nginx does not serve the new page" "$(page a)" ;; esac
ct_run a test -d /run/cutover-handoff || fail_check "no /run/cutover-handoff after the handoff"
! ct_run a test -e /run/cutover-handoff/nginx.service.sock || fail_check "the offer's socket was left behind"

# no handoff pending: the helper execs nginx as it is, which daemonizes
ct_run a systemctl restart nginx || fail_check "systemctl restart nginx failed"
is a nginx active
master_is "after systemctl restart"
case $(page a) in *"$NEW_TEXT"*) echo "ok: after a restart without a handoff nginx serves" ;;
*) fail_check "after a restart nginx does not serve" "$(page a)" ;; esac
ct_poweroff a
ct_boot a || { fail_check "the container did not boot again"; finish; }
is a nginx active
master_is "after a reboot"
case $(page a) in *"$NEW_TEXT"*) echo "ok: after a reboot nginx serves" ;;
*) fail_check "after a reboot nginx does not serve" "$(page a)" ;; esac
finish
