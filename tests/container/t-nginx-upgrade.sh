#!/bin/sh
# nginx's own upgrade, reload and log reopening under the handoff drop-in
# (issue 27, item 4).  After `cutover switch newsite` has handed apache2's
# socket to nginx.service through the package's example drop-in, what
# unattended-upgrades does to nginx must work as with Debian's own unit:
# `dpkg -i` of nginx's cached nginx .deb (its postinst's `invoke-rc.d
# nginx upgrade`: nginx's binary upgrade, SIGUSR2) prints no "failed", the
# unit is not restarted (the same invocation; only the master pid changes,
# by the upgrade), nginx keeps serving on apache2's very socket, and the
# probe (a new connection every 1 ms) counts no failed request; a second
# upgrade works too; `systemctl reload nginx` and logrotate's reopen
# (`invoke-rc.d nginx rotate`) keep the master, with no failed request.
# `dpkg -i` of nginx-common's and nginx's .debs together, as an update
# brings them, prints no "failed" and starts the unit once: nginx-common's
# postinst restarts nginx.service, as it does under Debian's own unit, and
# systemd's fd store (the drop-in's FileDescriptorStoreMax=) keeps
# apache2's socket listening across the restart and hands it back to the
# new nginx through the helper: the same socket, and the probe counts no
# failed request (Debian's unit, and the drop-in before the store, refused
# 35-57 of its connections).  cutover counts PID 1's copy as nginx's only
# because nginx's own processes hold the same socket: a check served_by
# nginx passes after the reinstall, and a switch back to apache2 (nginx
# stopped, the store closed) and forth again ends ok.  A start without a
# handoff or a kept socket (a reboot) runs nginx as Debian's unit does:
# Type=forking, PIDFile=/run/nginx.pid, a daemonized master (its own
# session, parent PID 1) with Debian's own arguments.  Then a handoff of
# five sockets (dual-stack 8080, IPv4 and IPv6 on 8081 and 8082) from a
# root offer of the test's own: nginx serves on all five, and keeps them
# across its binary upgrade; the same offer from deploy is refused and the
# unit's start fails.
#
# CT_DROPIN=FILE installs FILE instead of the package's drop-in, and
# CT_DROPIN=none none (Debian's unit as it is, nginx started without a
# switch; only the two upgrades): for the figures before and after.
. tests/container/site.sh

m=$CT_SCRATCH/a/merged

# sock_inodes: the inodes of the listening sockets on 8080-8082, sorted.
sock_inodes() {
	ct_run a ss -Hltne '( sport >= :8080 and sport <= :8082 )' |
	    sed -n 's/.* ino:\([0-9]*\).*/\1/p' | sort -n | tr '\n' ' '
}
unit_prop() {
	ct_run a systemctl show -p "$1" --value nginx.service
}

# probe_start / probe_stop: the probe's line across what runs between.
probe_start() {
	cp "$PROBE" "$m/usr/local/bin/probe"
	ct_run a sh -c 'rm -f /run/probe.ready; /usr/local/bin/probe -i 1000 -t 2000 -r /run/probe.ready >/run/probe.out 2>&1 & echo $! >/run/probe.pid'
	ct_run a sh -c 'i=0; while [ ! -e /run/probe.ready ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done'
}
probe_stop() {
	sleep 0.3
	ct_run a sh -c 'kill -INT "$(cat /run/probe.pid)"; while kill -0 "$(cat /run/probe.pid)" 2>/dev/null; do sleep 0.05; done'
	probe=$(ct_run a cat /run/probe.out)
	echo "probe across $1: $probe"
	case $probe in
	*" refused=0 reset=0 short=0 badstatus=0 timeout=0 error=0 "*) echo "ok: no request failed across $1" ;;
	*) fail_check "requests failed across $1" "$probe" ;;
	esac
}

# upgrade WHAT: `dpkg -i` of nginx's cached nginx .deb under the probe,
# as unattended-upgrades installs a new nginx: its postinst's binary
# upgrade; the unit not restarted, only the master pid changed (by the
# upgrade), the same sockets, no request refused.
upgrade() {
	inv=$(unit_prop InvocationID)
	pid=$(unit_prop MainPID)
	socks=$(sock_inodes)
	probe_start
	t0=$(date +%s%N)
	expect 0 "dpkg -i nginx_*.deb ($1)" ct_run a sh -c 'dpkg -i /var/cache/apt/archives/nginx_*.deb'
	t1=$(date +%s%N)
	echo "$out" | grep -i 'binary\|restart' | sed 's/^/  | /'
	echo "dpkg -i took $(((t1 - t0) / 1000000)) ms"
	probe_stop "the upgrade ($1)"
	lacks "failed"
	is a nginx active
	[ "$(unit_prop InvocationID)" = "$inv" ] ||
	    fail_check "nginx.service was restarted by the upgrade ($1)"
	new=$(unit_prop MainPID)
	[ "$new" != "$pid" ] && [ "$new" != 0 ] ||
	    fail_check "the master pid is still $pid: no binary upgrade ($1)"
	[ "$(ct_run a cat /run/nginx.pid)" = "$new" ] ||
	    fail_check "/run/nginx.pid does not name the main pid $new"
	[ ! -e "$m/run/nginx.pid.oldbin" ] || fail_check "the old master's nginx.pid.oldbin is left"
	[ "$(sock_inodes)" = "$socks" ] ||
	    fail_check "the upgraded nginx listens on sockets $(sock_inodes), not $socks"
	case $(page a) in *"$NEW_TEXT"*) ;; *) fail_check "nginx does not serve after the upgrade" ;; esac
}

# reinstall WHAT [judge]: `dpkg -i` of nginx-common's and nginx's .debs,
# both, as an update brings them: nginx-common's postinst restarts
# nginx.service (dh_installsystemd's deb-systemd-invoke restart, Debian's
# own unit too), then nginx's upgrades the binary.  No "failed", one
# restart at most.  With judge, no request fails and nginx listens on the
# same sockets, taken back from systemd's fd store; else what the probe
# saw is said, not judged (Debian's unit refuses connections meanwhile).
reinstall() {
	socks=$(sock_inodes)
	probe_start
	t0=$(date +%s%N)
	expect 0 "dpkg -i nginx-common_*.deb nginx_*.deb ($1)" ct_run a sh -c \
	    'dpkg -i /var/cache/apt/archives/nginx-common_*.deb /var/cache/apt/archives/nginx_*.deb'
	t1=$(date +%s%N)
	echo "$out" | grep -i 'binary\|restart' | sed 's/^/  | /'
	echo "dpkg -i took $(((t1 - t0) / 1000000)) ms"
	lacks "failed"
	if [ "${2:-}" = judge ]; then
		probe_stop "the reinstall ($1)"
	else
		sleep 0.3
		ct_run a sh -c 'kill -INT "$(cat /run/probe.pid)"; while kill -0 "$(cat /run/probe.pid)" 2>/dev/null; do sleep 0.05; done'
		echo "probe across the reinstall ($1): $(ct_run a cat /run/probe.out)"
	fi
	is a nginx active
	starts=$(ct_run a journalctl -q -u nginx.service --since "@$((t0 / 1000000000))" 2>/dev/null | grep -c 'Starting nginx')
	[ "$starts" -le 1 ] || fail_check "nginx.service was started $starts times by the reinstall"
	case $(page a) in *"$NEW_TEXT"*) ;; *) fail_check "nginx does not serve after the reinstall" ;; esac
	[ "${2:-}" = judge ] || return 0
	[ "$(sock_inodes)" = "$socks" ] ||
	    fail_check "after the reinstall nginx listens on sockets $(sock_inodes), not $socks"
	ct_run a journalctl -q -u nginx.service --since "@$((t0 / 1000000000))" 2>/dev/null |
	    grep -q 'takes over 1 listening socket from systemd.s fd store' ||
	    fail_check "the restarted nginx did not take its socket from systemd's fd store" \
	    "$(ct_run a journalctl -q -u nginx.service --since "@$((t0 / 1000000000))" | tail -n 8)"
}

# as_debian WHEN: nginx runs as Debian's nginx.service runs it.
as_debian() {
	pid=$(unit_prop MainPID)
	[ "$(unit_prop Type)" = forking ] && [ "$(unit_prop PIDFile)" = /run/nginx.pid ] ||
	    fail_check "nginx.service is Type=$(unit_prop Type), PIDFile=$(unit_prop PIDFile) $1"
	[ "$(ct_run a cat /run/nginx.pid)" = "$pid" ] ||
	    fail_check "/run/nginx.pid does not name the main pid $pid $1"
	ps=$(ct_run a ps -o ppid=,sid=,args= -p "$pid")
	# shellcheck disable=SC2086 # the words of ps, one space apart
	case $(echo $ps) in
	"1 $pid nginx: master process /usr/sbin/nginx -g daemon on; master_process on;")
		echo "ok: $1 nginx runs as Debian's unit runs it ($pid: $(echo $ps))" ;;
	*) fail_check "$1 the master is not Debian's daemonized nginx" "$pid: $ps" ;;
	esac
}

site_up a || { fail_check "the container did not come up"; finish; }
mkdir -p "$m/etc/systemd/system/nginx.service.d"
case ${CT_DROPIN:-} in
none) ;;
"") cp "$m/usr/share/doc/cutover/examples/systemd/nginx-cutover-handoff.conf" \
    "$m/etc/systemd/system/nginx.service.d/cutover-handoff.conf" ;;
*) cp "$CT_DROPIN" "$m/etc/systemd/system/nginx.service.d/cutover-handoff.conf" ;;
esac
ct_run a systemctl daemon-reload
if [ "${CT_DROPIN:-}" = none ]; then
	ct_run a systemctl stop apache2
	ct_run a systemctl start nginx
	upgrade "Debian's own unit"
	reinstall "Debian's own unit"
	finish
fi
judge=judge
[ -n "${CT_DROPIN:-}" ] && judge=    # another drop-in: its figures, said
expect 0 "systemd-analyze verify of nginx.service with the drop-in" \
    ct_run a systemd-analyze verify --man=no nginx.service
cat >"$CT_SCRATCH/policy.conf" <<EOF
services = {
$(svc_apache2)
$(svc_nginx 'socket_handoff = "nginx";')
};
ports = ( { port = 8080; holders = ["apache2", "nginx"]; } );
checks = {
  homepage = { url = "http://127.0.0.1:8080/"; contains = "$NEW_TEXT"; within = 3.0; };
  by_nginx = { url = "http://127.0.0.1:8080/"; contains = "$NEW_TEXT"; served_by = "nginx"; };
  oldpage = { url = "http://127.0.0.1:8080/"; contains = "$OLD_TEXT"; within = 3.0; };
};
plans = {
  newsite = { port = 8080; from = "apache2"; to = "nginx"; verify = ["homepage"]; };
  oldsite = { port = 8080; from = "nginx"; to = "apache2"; verify = ["oldpage"]; };
};
rules = ( { users = ["deploy"]; switch = ["newsite", "oldsite"]; verify = ["by_nginx"]; }  );
EOF
site_policy a "$CT_SCRATCH/policy.conf"
expect 0 "switch newsite with the handoff" as_deploy a cutover switch newsite &&
    has "nginx serves port 8080, verified"

upgrade "after the switch"
# the upgraded master's parent is PID 1 now: a second upgrade is not ignored
expect 0 "a second binary upgrade (invoke-rc.d nginx upgrade)" \
    ct_run a invoke-rc.d nginx upgrade
lacks "failed"

# reload: new workers, the same master; logrotate's reopen
inv=$(unit_prop InvocationID)
pid=$(unit_prop MainPID)
workers=$(ct_run a pgrep -P "$pid" | sort | tr '\n' ' ')
probe_start
expect 0 "systemctl reload nginx" ct_run a systemctl reload nginx
i=0
while [ "$(ct_run a pgrep -P "$pid" | sort | tr '\n' ' ')" = "$workers" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ "$(ct_run a pgrep -P "$pid" | sort | tr '\n' ' ')" != "$workers" ] ||
    fail_check "the reload did not replace nginx's workers ($workers)"
ct_run a mv /var/log/nginx/access.log /var/log/nginx/access.log.1
expect 0 "logrotate's reopen (invoke-rc.d nginx rotate)" ct_run a invoke-rc.d nginx rotate
i=0
while [ ! -e "$m/var/log/nginx/access.log" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
page a >/dev/null
sleep 0.2
grep -q 'GET / ' "$m/var/log/nginx/access.log" 2>/dev/null ||
    fail_check "nginx did not reopen its access log"
probe_stop "the reload and the reopen"
[ "$(unit_prop MainPID)" = "$pid" ] && [ "$(unit_prop InvocationID)" = "$inv" ] ||
    fail_check "the reload or the reopen restarted nginx"
reinstall "after the switch" $judge
# PID 1 holds the socket too now (the store): nginx's, as nginx holds it
expect 0 "verify by_nginx (served_by) after the reinstall" as_deploy a cutover verify by_nginx &&
    has "served by nginx"
# a stop closes the store: apache2 binds the port again, and back
expect 0 "switch oldsite after the reinstall" as_deploy a cutover switch oldsite &&
    has "apache2 serves port 8080, verified"
expect 0 "switch newsite again" as_deploy a cutover switch newsite &&
    has "nginx serves port 8080, verified"

# no handoff pending: Debian's nginx, as it is
ct_run a systemctl restart nginx || fail_check "systemctl restart nginx failed"
as_debian "after systemctl restart,"
ct_poweroff a
ct_boot a || { fail_check "the container did not boot again"; finish; }
is a nginx active
as_debian "after a reboot,"

# five sockets from a root offer of the test's own (as cutover's step
# offers them; it checks no peer), then nginx's binary upgrade
cat >>"$m/etc/nginx/sites-available/default" <<EOF
server {
	listen 127.0.0.1:8081; listen [::1]:8081; listen 127.0.0.1:8082; listen [::1]:8082;
	root /srv/new;
}
EOF
cat >"$m/root/offer.py" <<'EOF'
import os, socket, sys
d = "/run/cutover-handoff"
os.makedirs(d, mode=0o700, exist_ok=True)
os.chmod(d, 0o700)
socks = []
for fam, host, port in ((socket.AF_INET6, "::", 8080), (socket.AF_INET, "127.0.0.1", 8081),
                        (socket.AF_INET6, "::1", 8081), (socket.AF_INET, "127.0.0.1", 8082),
                        (socket.AF_INET6, "::1", 8082)):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # the probe's TIME_WAITs
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0 if host == "::" else 1)
    s.bind((host, port))
    s.listen(511)
    socks.append(s)
offer = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
offer.bind(d + "/nginx.service.sock")
if len(sys.argv) > 1:
    os.setuid(int(sys.argv[1]))     # the peer the helper sees: listen()'s
offer.listen(1)
open("/tmp/offer.ready", "w").close()
offer.settimeout(20)
c, _ = offer.accept()
try:
    socket.send_fds(c, [b"h"], [s.fileno() for s in socks])
    c.settimeout(5)
    ok = c.recv(1) == b"k"
except OSError:
    ok = False
if len(sys.argv) == 1:
    os.unlink(d + "/nginx.service.sock")
print(" ".join(sorted(str(os.fstat(s.fileno()).st_ino) for s in socks)))
sys.exit(0 if ok else 1)
EOF
ct_run a systemctl stop nginx
ct_run a sh -c 'python3 /root/offer.py >/run/offer.out 2>&1 & echo $! >/run/offer.pid'
ct_run a sh -c 'i=0; while [ ! -e /tmp/offer.ready ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done'
expect 0 "systemctl start nginx with five sockets offered" ct_run a systemctl start nginx
ct_run a sh -c 'while kill -0 "$(cat /run/offer.pid)" 2>/dev/null; do sleep 0.05; done'
offered=$(ct_run a cat /run/offer.out)
ct_run a journalctl -q -u nginx.service 2>/dev/null | grep -q 'takes over 5 listening sockets from cutover' ||
    fail_check "the helper did not take five sockets" "$offered"
got=$(sock_inodes)
[ "$(echo $got)" = "$(echo $offered)" ] ||
    fail_check "nginx listens on sockets $got, not the offered $offered"
for u in http://127.0.0.1:8080/ 'http://[::1]:8080/' http://127.0.0.1:8081/ 'http://[::1]:8081/' \
    http://127.0.0.1:8082/ 'http://[::1]:8082/'; do
	case $(ct_run a curl -s --max-time 5 "$u") in *"$NEW_TEXT"*) ;;
	*) fail_check "nginx does not serve $u on the handed sockets" ;; esac
done
upgrade "with five handed sockets"

# the same offer from a peer that is not root: refused, the start fails
ct_run a systemctl stop nginx
ct_run a sh -c 'rm -f /tmp/offer.ready; python3 /root/offer.py "$(id -u deploy)" >/run/offer.out 2>&1 & echo $! >/run/offer.pid'
ct_run a sh -c 'i=0; while [ ! -e /tmp/offer.ready ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done'
expect 1 "systemctl start nginx with the sockets offered by deploy" ct_run a systemctl start nginx
ct_run a sh -c 'while kill -0 "$(cat /run/offer.pid)" 2>/dev/null; do sleep 0.05; done; rm -f /run/cutover-handoff/nginx.service.sock'
ct_run a journalctl -q -u nginx.service 2>/dev/null |
    grep -q "cutover-handoff: the handoff socket is offered by uid $(ct_run a id -u deploy), not root" ||
    fail_check "the helper did not refuse deploy's offer" \
    "$(ct_run a journalctl -q -u nginx.service 2>/dev/null | tail -n 5; ct_run a cat /run/offer.out)"
[ -z "$(ct_run a pgrep -x nginx)" ] || fail_check "nginx runs after a refused offer"
finish
