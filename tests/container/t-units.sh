#!/bin/sh
# Services that are units, under a real systemd: as deploy, `cutover stop
# apache2` and `cutover start nginx` go through systemd (StopUnit,
# StartUnit and their jobs), never a signal or an exec of cutover's own;
# the unit's processes are found by exe, user and the unit's cgroup, so a
# copy of nginx run by root outside nginx.service is not nginx; a unit
# that does not exist, a masked one and one whose start fails are refused
# or fail, each saying what to do (a failed start in the unit's own words,
# from its journal), and leave nothing half-started nor failed.
. tests/container/site.sh

site_up a || { fail_check "the container did not come up"; finish; }
# 209 bytes, valid; its object path (each '-' escaped as _2d) is 431
long=$(printf 'a-%.0s' $(seq 100))x.service
cat >"$CT_SCRATCH/policy.conf" <<EOF
audit = { syslog = true; file = "/var/log/cutover/audit.jsonl"; };
services = {
$(svc_apache2)
$(svc_nginx "start_timeout = 10.0;")
  ghost   = { unit = "ghost.service"; exe = "/usr/sbin/nginx"; user = "www-data"; };
  longname = { unit = "$long"; exe = "/usr/sbin/nginx"; user = "www-data"; };
  pweb    = { exe = "/usr/sbin/nginx"; user = "root"; allow_root = true;
              holder_users = ["root", "www-data"]; start = ["/usr/sbin/nginx"];
              ports = [8080]; };
};
ports = ( { port = 8080; holders = ["apache2", "nginx"]; } );
rules = ( { users = ["deploy"]; start = ["nginx", "apache2", "ghost", "pweb",
            "longname"];
            stop = ["nginx", "apache2", "pweb"]; free = [8080]; } );
EOF
site_policy a "$CT_SCRATCH/policy.conf"

expect 0 "policy check" as_deploy a cutover policy check
expect 0 "list" as_deploy a cutover list && has "start nginx: systemd starts nginx.service"

# ---- stop and start through systemd ------------------------------------------
is a apache2 active
expect 0 "stop apache2" as_deploy a cutover stop apache2 &&
    has "systemd stopped apache2"
is a apache2 inactive
expect 0 "start nginx" as_deploy a cutover start nginx &&
    has "systemd started nginx.service: active (running), main pid"
is a nginx active
case $(page a) in *"$NEW_TEXT"*) echo "ok: nginx serves the new page" ;;
*) fail_check "nginx does not serve the new page" "$(page a)" ;; esac
main=$(ct_run a systemctl show -P MainPID nginx)
cg=$(ct_run a cat "/proc/$main/cgroup" | sed -n 's/^0:://p')
[ "$cg" = /system.slice/nginx.service ] || fail_check "nginx's main pid is in '$cg'"
expect 1 "start nginx again" as_deploy a cutover start nginx &&
    has "nginx already runs: port 8080 is held by pid $main"
expect 0 "stop nginx" as_deploy a cutover stop nginx && has "systemd stopped nginx"
is a nginx inactive
expect 0 "stop nginx again" as_deploy a cutover stop nginx &&
    has "nothing to do, the service is not running"

# ---- identity: the same exe, as root, outside the unit is not nginx ------------
ct_run a /usr/sbin/nginx || fail_check "the rogue nginx did not start"
rogue=$(ct_run a cat /run/nginx.pid)
expect 3 "free-port 8080 held by nginx outside nginx.service" \
    as_deploy a cutover free-port 8080 &&
    has "port 8080 is held by pid $rogue (/usr/sbin/nginx, user root, uid 0), which is not one of its permitted holders" &&
    has "it runs /usr/sbin/nginx as root or www-data, but in control group " &&
    has ", not in nginx.service's (none: the unit is not running)"
expect 1 "start nginx while the rogue holds 8080" as_deploy a cutover start nginx &&
    has "port 8080 is already held by pid $rogue" && lacks "already runs"
is a nginx inactive
ct_run a kill "$rogue"
ct_run a sh -c 'while [ -e /run/nginx.pid ]; do sleep 0.1; done'

# ---- a process service: in a scope of its own, out of the caller's session ----------
expect 0 "start pweb (a process service)" as_deploy a cutover start pweb
pid=$(ct_run a cat /run/nginx.pid)
cg=$(ct_run a cat "/proc/$pid/cgroup" | sed -n 's/^0:://p')
[ "$cg" = /system.slice/cutover-pweb.scope ] && echo "ok: pweb runs in cutover-pweb.scope" ||
    fail_check "pweb's master runs in '$cg', not /system.slice/cutover-pweb.scope"
is a cutover-pweb.scope active
expect 0 "stop pweb" as_deploy a cutover stop pweb
ct_run a journalctl -q --no-pager 2>/dev/null | grep -q 'Started cutover-.*\.scope - cutover transaction' &&
    echo "ok: the transactions ran in scopes of their own" ||
    fail_check "no transaction scope in the journal"

# ---- refusals and failures --------------------------------------------------------
expect 3 "start a unit that does not exist" as_deploy a cutover start ghost &&
    has "unit ghost.service of service ghost does not exist on this host"
# read under its path cut to 255 bytes, it could be another unit's
expect 1 "start a unit whose object path is over 255 bytes" as_deploy a cutover start longname &&
    has "systemd's object path of $long is over 255 bytes, more than cutover keeps: give the unit a shorter name"
ct_run a systemctl mask -q apache2
expect 3 "start a masked unit" as_deploy a cutover start apache2 &&
    has "unit apache2.service is masked, so systemd will not start it; if it should run, systemctl unmask apache2.service"
is a apache2 inactive
ct_run a systemctl unmask -q apache2
# nginx -t (its ExecStartPre) fails: the start job fails, nothing runs; the
# failure is told in nginx's own words (its journal), and the failed state
# this start left is reset, so that deploy can start it once it is fixed
ct_run a sh -c 'echo "broken;" >>/etc/nginx/nginx.conf'
expect 1 "start nginx with a broken configuration" as_deploy a cutover start nginx &&
    has "nginx.service failed (stopped again, failed state reset): " &&
    has '[emerg] ' && has 'unknown directive "broken" in /etc/nginx/nginx.conf:' &&
    lacks "its job failed"
is a nginx inactive
ct_run a sed -i '$d' /etc/nginx/nginx.conf
expect 0 "start nginx, fixed, without root's reset-failed" as_deploy a cutover start nginx
expect 0 "stop nginx" as_deploy a cutover stop nginx

# ---- back to apache2, and the records ----------------------------------------------
expect 0 "start apache2" as_deploy a cutover start apache2
case $(page a) in *"$OLD_TEXT"*) echo "ok: apache2 serves the old page again" ;;
*) fail_check "apache2 does not serve the old page" "$(page a)" ;; esac
expect 0 "free-port 8080 held by apache2.service" as_deploy a cutover free-port 8080 &&
    has "systemd stopped apache2"
is a apache2 inactive
n=$(ct_run a grep -c '"stage":"outcome"' /var/log/cutover/audit.jsonl)
[ "$n" -ge 12 ] || fail_check "$n outcome records, expected at least 12"
finish
