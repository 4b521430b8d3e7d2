#!/bin/sh
# The package's own example for a systemd host, as its comments say to
# use it: /usr/share/doc/cutover/examples/systemd.conf as the policy, the
# handoff drop-in installed, deploy in group cutover; then, as deploy, the
# dry run and the switch, which must leave nginx serving on apache2's own
# socket, enabled for the next boot, its master the unit's main process
# (the drop-in keeps Debian's Type=forking and PIDFile=; systemd-analyze
# verify finds nothing wrong with it).
. tests/container/site.sh

site_up a || { fail_check "the container did not come up"; finish; }
ex=/usr/share/doc/cutover/examples
ct_run a install -m 0640 "$ex/systemd.conf" /etc/cutover/policy.conf ||
    fail_check "the package has no $ex/systemd.conf"
ct_run a install -D -m 0644 "$ex/systemd/nginx-cutover-handoff.conf" \
    /etc/systemd/system/nginx.service.d/cutover-handoff.conf ||
    fail_check "the package has no $ex/systemd/nginx-cutover-handoff.conf"
ct_run a systemctl daemon-reload
expect 0 "systemd-analyze verify of nginx.service with the drop-in" \
    ct_run a systemd-analyze verify --man=no nginx.service
expect 0 "policy check of the example" ct_run a cutover policy check &&
    has "valid: 2 services, 1 port, 1 check, 1 plan, 1 rule"
expect 0 "switch -n newsite" as_deploy a cutover -n switch newsite &&
    has "pre-flight: ok"
expect 0 "switch newsite" as_deploy a cutover switch newsite &&
    has "at boot: nginx.service enabled, apache2.service disabled"
echo "$out" | sed 's/^/  | /'
is a nginx active
is a nginx enabled
is a apache2 disabled
ct_run a journalctl -q -u nginx.service 2>/dev/null | grep -q 'takes over 1 listening socket from cutover' ||
    fail_check "nginx did not take apache2's socket"
pid=$(ct_run a systemctl show -p MainPID --value nginx.service)
[ "$(ct_run a ps -o comm= -p "$pid")" = nginx ] && [ "$(ct_run a cat /run/nginx.pid)" = "$pid" ] ||
    fail_check "nginx.service's main process $pid is not nginx's master of /run/nginx.pid"
finish
