#!/bin/sh
# nginx as user nginx on a systemd host (issue 32): no part of the new
# server runs as root.  Debian's nginx.service with the package's
# unprivileged drop-in (User=nginx, the handoff helper with -N) and the
# three lines of nginx.conf it needs; the policy says user = "nginx".
#   - A unit that would run as root while the policy says nginx is refused
#     by the pre-flight, nothing touched.
#   - The switch from apache2.service on 80 and 443 hands both sockets to
#     nginx: afterwards every process of nginx.service runs as nginx (its
#     real, effective, saved and file-system uids) with no capability at
#     all (/proc/PID/status), and so after a reload, after logrotate's
#     reopen (the new log is written) and after a reinstall of nginx's
#     .debs (the package restarts it: nginx then binds 80 and 443 itself,
#     with CAP_NET_BIND_SERVICE and nothing else).
#   - The same on 8080 alone, with no capability in the drop-in.
# `ps` of the switched host is printed.
. tests/container/site.sh

DROPIN=/usr/share/doc/cutover/examples/systemd/nginx-cutover-unprivileged.conf

# procs NAME: "PID UIDS CAPEFF CAPPRM" of each process of nginx.service
procs() {
	ct_run "$1" sh -c 'for f in /proc/[0-9]*/cgroup; do
	        grep -q "/system.slice/nginx.service\$" "$f" 2>/dev/null || continue
	        p=${f#/proc/}; p=${p%/cgroup}
	        u=$(sed -n "s/^Uid:[[:space:]]*//p" /proc/$p/status | tr -s "[:space:]" " ")
	        e=$(sed -n "s/^CapEff:[[:space:]]*//p" /proc/$p/status)
	        r=$(sed -n "s/^CapPrm:[[:space:]]*//p" /proc/$p/status)
	        echo "$p $u $e $r"
	    done'
}

# unprivileged NAME WHEN CAPS: every process of nginx.service runs as
# nginx (all four uids), with CAPS as its effective and permitted set
# (a regular expression: one set or another).
unprivileged() {
	uid=$(ct_run "$1" id -u nginx)
	list=$(procs "$1")
	[ -n "$list" ] || { fail_check "nginx.service has no process ($2)"; return; }
	bad=$(printf '%s\n' "$list" | awk -v u="$uid" -v c="$3" \
	    '!($2 == u && $3 == u && $4 == u && $5 == u && $6 ~ "^(" c ")$" && $7 == $6)')
	if [ -n "$bad" ]; then
		fail_check "a process of nginx.service is not nginx's alone with caps $3 ($2)" \
		    "$(printf 'pid uid euid suid fsuid capeff capprm\n%s\n' "$list")"
		return
	fi
	echo "ok: $(printf '%s\n' "$list" | wc -l) processes of nginx.service, all uid $uid," \
	    "CapEff $(printf '%s\n' "$list" | awk '{ print $6 }' | sort -u | paste -sd/ -) ($2)"
}

serves() {
	got=$(ct_run "$1" curl -sSk --max-time 5 "$2" 2>&1)
	case $got in
	*"$3"*) echo "ok: $2 serves '$3'" ;;
	*) fail_check "$2 does not serve '$3'" "$got
$(ct_run "$1" systemctl status --no-pager -n 0 nginx.service 2>&1 | head -n 5)
$(ct_run "$1" journalctl -q --no-pager -n 12 -u nginx.service 2>&1)" ;;
	esac
}

# site_up_user NAME: the site (site.sh), nginx set up as cutover(8), NGINX
# AS ITS OWN USER, says: no `user` in nginx.conf (the master is not root),
# the pid file where nginx may write it, logrotate's new files nginx's,
# the user nginx (in group ssl-cert, for the key) and the tmpfiles.d file
site_up_user() {
	site_up_tls "$1" || return 1
	m=$CT_SCRATCH/$1/merged
	sed -i -e 's|^user www-data;|# user www-data;|' \
	    -e 's|^pid /run/nginx.pid;|pid /run/nginx/nginx.pid;|' "$m/etc/nginx/nginx.conf"
	sed -i 's/create 0640 www-data adm/create 0640 nginx adm/' "$m/etc/logrotate.d/nginx"
	ct_run "$1" useradd --system --user-group --home-dir /nonexistent \
	    --shell /usr/sbin/nologin --groups ssl-cert nginx || return 1
	ct_run "$1" install -m 0644 "${DROPIN%.conf}.tmpfiles" /etc/tmpfiles.d/nginx.conf &&
	    ct_run "$1" systemd-tmpfiles --create /etc/tmpfiles.d/nginx.conf
}

site_up_user a || { fail_check "the container did not come up"; finish; }
m=$CT_SCRATCH/a/merged
# policy NAME PORTS CHECK-PORT: both services on PORTS, the plans too
policy() {
	cat >"$CT_SCRATCH/policy.conf" <<EOF
audit = { syslog = true; file = "/var/log/cutover/audit.jsonl"; };
services = {
  apache2 = { unit = "apache2.service"; exe = "/usr/sbin/apache2"; user = "root"; allow_root = true;
              holder_users = ["root", "www-data"]; ports = [$2]; };
  nginx   = { unit = "nginx.service"; exe = "/usr/sbin/nginx"; user = "nginx";
              ports = [$2]; socket_handoff = "nginx"; };
};
ports = ( $(echo "$2" | tr -d ' ' | tr , '\n' |
    sed 's/.*/{ port = &; holders = ["apache2", "nginx"]; }/' | paste -sd, -) );
checks = { homepage = { url = "http://127.0.0.1:${3:-80}/"; contains = "$NEW_TEXT"; within = 3.0; }; };
plans = {
  site = { ports = [$2]; from = "apache2"; to = "nginx"; verify = ["homepage"]; };
  back = { ports = [$2]; from = "nginx"; to = "apache2"; };
};
rules = ( { users = ["deploy"]; switch = ["site", "back"]; } );
EOF
	site_policy "$1" "$CT_SCRATCH/policy.conf"
}
# the package's own site.conf, as the README shows it: the policy of the
# switch of 80 and 443
site_policy a "$m/usr/share/doc/cutover/examples/site.conf"

# Debian's arrangement (the root handoff drop-in): the unit would run as
# root, the policy says nginx: refused before anything is done
cp "$m/usr/share/doc/cutover/examples/systemd/nginx-cutover-handoff.conf" \
    "$m/etc/systemd/system/nginx.service.d/cutover.conf"
ct_run a systemctl daemon-reload
expect 3 "the dry run, nginx.service running as root" as_deploy a cutover -n switch site &&
    has "runs as root" && has "the policy says service nginx runs as nginx"
expect 3 "switch site, nginx.service running as root" as_deploy a cutover switch site &&
    has "nothing was done"
is a apache2 active
is a nginx inactive

# the unprivileged drop-in
cp "$m$DROPIN" "$m/etc/systemd/system/nginx.service.d/cutover.conf" ||
    fail_check "the package has no $DROPIN"
ct_run a systemctl daemon-reload
expect 0 "the dry run" as_deploy a cutover -n switch site && has "pre-flight: ok"
expect 0 "switch site (80 and 443) to nginx as nginx" as_deploy a cutover switch site &&
    has "nginx serves ports 80 and 443, verified"
printf '%s\n' "$out" | sed 's/^/  /'     # what the README's first screen shows
unprivileged a "after the switch" 0000000000000000
ct_run a ps -o user,pid,ppid,cmd -C nginx | sed 's/^/  ps: /'
serves a https://127.0.0.1/ "$NEW_TEXT"
serves a "http://[::1]/" "$NEW_TEXT"
ct_run a journalctl -q -u nginx.service 2>/dev/null | grep -q 'takes over 2 listening sockets from cutover' ||
    fail_check "the journal lacks cutover-handoff's line for 2 sockets"

expect 0 "systemctl reload nginx" ct_run a systemctl reload nginx.service
sleep 0.5
unprivileged a "after a reload" 0000000000000000
serves a https://127.0.0.1/ "$NEW_TEXT"

# logrotate's reopen (its postrotate: invoke-rc.d nginx rotate, USR1 to
# the pid in nginx.conf's pid file): the new access.log is written
expect 0 "logrotate -f /etc/logrotate.d/nginx" ct_run a logrotate -f /etc/logrotate.d/nginx
sleep 0.5
serves a http://127.0.0.1/ "$NEW_TEXT"
sleep 0.5
ct_run a test -s /var/log/nginx/access.log ||
    fail_check "nginx did not write the new access.log after logrotate" \
    "$(ct_run a ls -l /var/log/nginx; ct_run a tail -n 3 /var/log/nginx/error.log)"
unprivileged a "after logrotate" 0000000000000000

# nginx's binary upgrade (the postinst of nginx's .deb: invoke-rc.d nginx
# upgrade, SIGUSR2 to the pid in /run/nginx/nginx.pid): a new master,
# still nginx's, still with no capability
old_master=$(ct_run a cat /run/nginx/nginx.pid)
expect 0 "dpkg -i nginx_*.deb" ct_run a sh -c 'dpkg -i /var/cache/apt/archives/nginx_*.deb'
sleep 1
[ "$(ct_run a cat /run/nginx/nginx.pid)" != "$old_master" ] ||
    fail_check "nginx's master is the same process after its upgrade" "$out"
unprivileged a "after nginx's binary upgrade" 0000000000000000
serves a https://127.0.0.1/ "$NEW_TEXT"

# a reinstall of nginx's .debs
expect 0 "dpkg -i nginx-common_*.deb nginx_*.deb" ct_run a sh -c \
    'dpkg -i /var/cache/apt/archives/nginx-common_*.deb /var/cache/apt/archives/nginx_*.deb'
sleep 1
# (its postinst upgrades nginx in place, USR2, or restarts it: either way
# nginx as nginx, with no capability or only CAP_NET_BIND_SERVICE)
unprivileged a "after a reinstall of nginx" '0000000000000000|0000000000000400'
serves a https://127.0.0.1/ "$NEW_TEXT"
is a nginx active

# and back: apache2 serves again (its master root, as its policy says)
policy a "80, 443"
expect 0 "switch back" as_deploy a cutover switch back
serves a https://127.0.0.1/ "$OLD_TEXT"

# 8080 alone: no capability in the drop-in at all
sed -i 's/^Listen 80$/Listen 8080/; /Listen 443/d' "$m/etc/apache2/ports.conf"
sed -i -e 's/<VirtualHost \*:80>/<VirtualHost *:8080>/' "$m/etc/apache2/sites-available/000-default.conf"
rm -f "$m/etc/apache2/sites-enabled/default-ssl.conf"
cat >"$m/etc/nginx/sites-available/default" <<'EOF'
server {
	listen [::]:8080 ipv6only=off default_server;
	root /srv/new;
	index index.html;
}
EOF
sed -i '/^AmbientCapabilities=/d; s/^CapabilityBoundingSet=.*/CapabilityBoundingSet=/' \
    "$m/etc/systemd/system/nginx.service.d/cutover.conf"
ct_run a systemctl daemon-reload
ct_run a systemctl restart apache2.service
policy a 8080 8080
expect 0 "switch site (8080) to nginx as nginx" as_deploy a cutover switch site &&
    has "nginx serves port 8080, verified"
unprivileged a "on 8080" 0000000000000000
ct_run a ps -o user,pid,ppid,cmd -C nginx | sed 's/^/  ps: /'

# what the pre-flight cannot see is caught after the start, and rolled
# back: the helper run as root by ExecStart=+ (its peer is refused the
# sockets), a process with a capability beyond binding a port
expect 0 "switch back (8080)" as_deploy a cutover switch back
d=$m/etc/systemd/system/nginx.service.d/cutover.conf
cp "$d" "$CT_SCRATCH/dropin"
sed -i 's|^ExecStart=/usr/libexec/cutover/cutover-handoff -N |ExecStart=+/usr/libexec/cutover/cutover-handoff |' "$d"
ct_run a systemctl daemon-reload
expect 1 "switch site, the handoff helper run as root (ExecStart=+)" as_deploy a cutover switch site &&
    has "asked for the sockets as uid 0, not as nginx" && has "rolled back"
serves a http://127.0.0.1:8080/ "$OLD_TEXT"
cp "$CT_SCRATCH/dropin" "$d"
sed -i -e 's|cutover-handoff -N |cutover-handoff |' \
    -e 's|^CapabilityBoundingSet=.*|CapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_NET_RAW|' "$d"
echo "AmbientCapabilities=CAP_NET_BIND_SERVICE CAP_NET_RAW" >>"$d"
ct_run a systemctl daemon-reload
expect 1 "switch site, nginx with cap_net_raw" as_deploy a cutover switch site &&
    has "not every process of it runs as service nginx may" && has "has capabilities 2400" &&
    has "rolled back"
serves a http://127.0.0.1:8080/ "$OLD_TEXT"
is a nginx inactive

finish
