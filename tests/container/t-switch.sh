#!/bin/sh
# The durable switch under a real systemd: as deploy, `cutover switch
# newsite` from Debian's own apache2.service to nginx.service leaves the
# machine as the next boot will find it - nginx active and enabled,
# apache2 inactive and disabled -, and it stays so across a reboot and a
# reinstall of apache2 (its postinst restarts an enabled apache2).  A
# broken page rolls back exactly: apache2 active and enabled again, nginx
# inactive and disabled, as before.  persist = "mask" masks the old unit;
# a failed unit is refused by the pre-flight; the probe counts what a
# visitor sees while the port changes hands.
. tests/container/site.sh

policy() {
	cat >"$CT_SCRATCH/policy.conf" <<EOF
audit = { syslog = true; file = "/var/log/cutover/audit.jsonl"; };
services = {
$(svc_apache2)
$(svc_nginx)
};
ports = ( { port = 8080; holders = ["apache2", "nginx"]; } );
checks = { homepage = { url = "http://127.0.0.1:8080/"; contains = "$NEW_TEXT"; within = 3.0; }; };
plans = {
  newsite = { port = 8080; from = "apache2"; to = "nginx"; verify = ["homepage"]; };
  masked  = { port = 8080; from = "apache2"; to = "nginx"; verify = ["homepage"];
              persist = "mask"; };
  onlynow = { port = 8080; from = "apache2"; to = "nginx"; verify = ["homepage"];
              persist = "none"; };
};
rules = ( { users = ["deploy"]; switch = ["newsite", "masked", "onlynow"]; } );
EOF
	site_policy "$1" "$CT_SCRATCH/policy.conf"
}

serves() {
	case $(page "$1") in
	*"$2"*) echo "ok: $3" ;;
	*) fail_check "$3: the page is not '$2'" "$(page "$1")" ;;
	esac
}

# reinstall NAME: dpkg -i of apache2's own packages (the same version),
# which runs its postinst as apt-get install --reinstall apache2 does.
reinstall() {
	ct_run "$1" sh -c 'dpkg -i /var/cache/apt/archives/apache2*.deb' \
	    >"$CT_SCRATCH/$1-reinstall.log" 2>&1 ||
	    fail_check "dpkg -i apache2 failed" "$(tail -n 20 "$CT_SCRATCH/$1-reinstall.log")"
}

# ---- a: the switch, a reboot, an upgrade ------------------------------------------
site_up a || { fail_check "container a did not come up"; finish; }
policy a
expect 0 "switch -n newsite" as_deploy a cutover -n switch newsite &&
    has "at boot: enable nginx.service, disable apache2.service" &&
    has "pre-flight: ok"
cp "$PROBE" "$CT_SCRATCH/a/merged/usr/local/bin/probe"
ct_run a sh -c '/usr/local/bin/probe -i 1000 -t 2000 -r /run/probe.ready >/run/probe.out 2>&1 & echo $! >/run/probe.pid'
ct_run a sh -c 'i=0; while [ ! -e /run/probe.ready ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done'
expect 0 "switch newsite" as_deploy a cutover switch newsite &&
    has "nginx serves port 8080, verified; at boot: nginx.service enabled, apache2.service disabled"
sleep 0.3
ct_run a sh -c 'kill -INT "$(cat /run/probe.pid)"; while kill -0 "$(cat /run/probe.pid)" 2>/dev/null; do sleep 0.05; done'
echo "probe across the switch (systemd units, no handoff): $(ct_run a cat /run/probe.out)"
is a nginx active
is a nginx enabled
is a apache2 inactive
is a apache2 disabled
serves a "$NEW_TEXT" "nginx serves the new page"
# again: done already, units untouched
expect 0 "switch newsite again" as_deploy a cutover switch newsite &&
    has "nothing to do: nginx already serves port 8080, verified"
is a nginx active
is a apache2 disabled

ct_poweroff a
ct_boot a || { fail_check "container a did not boot again"; finish; }
echo "ok: rebooted"
is a nginx active
is a apache2 inactive
serves a "$NEW_TEXT" "after the reboot nginx serves the new page"

reinstall a
is a apache2 inactive
is a apache2 disabled
is a nginx active
serves a "$NEW_TEXT" "after apache2's reinstall nginx still serves the new page"
n=$(ct_run a grep -c '"step":"persist"' /var/log/cutover/audit.jsonl)
[ "$n" = 1 ] || fail_check "$n records of the persist step, expected 1"

# ---- b: refusals, a rollback that restores exactly, persist = "mask" ----------------
site_up b || { fail_check "container b did not come up"; finish; }
policy b
ct_run b sh -c 'echo "broken;" >>/etc/nginx/nginx.conf'
ct_run b systemctl start nginx 2>/dev/null
ct_run b sed -i '$d' /etc/nginx/nginx.conf
expect 3 "switch newsite with nginx.service failed" as_deploy b cutover switch newsite &&
    has "unit nginx.service has failed (systemctl status nginx.service says why); fix it, systemctl reset-failed nginx.service, then switch"
ct_run b systemctl reset-failed nginx
is b apache2 active

echo "an old page" >"$CT_SCRATCH/b/merged/srv/new/index.html"
expect 1 "switch newsite to a broken page" as_deploy b cutover switch newsite &&
    has "rolled back, apache2 serving 8080 again" &&
    has "at boot as before (unchanged): apache2.service enabled, nginx.service disabled"
is b apache2 active
is b apache2 enabled
is b nginx inactive
is b nginx disabled
serves b "$OLD_TEXT" "after the rollback apache2 serves the old page"

echo "$NEW_TEXT" >"$CT_SCRATCH/b/merged/srv/new/index.html"
expect 0 "switch masked" as_deploy b cutover switch masked &&
    has "at boot: nginx.service enabled, apache2.service masked"
is b apache2 masked
is b nginx enabled
reinstall b
is b apache2 inactive
serves b "$NEW_TEXT" "masked: after apache2's reinstall nginx still serves"

# b's trail (issue 31): its records, the switches' steps and outcomes written
# by their transactions, are one hash chain, which ends with the record
# journald received last; the rollback is in it, with its steps
trail=/var/log/cutover/audit.jsonl
expect 0 "b's audit trail: the chain holds" ct_run b cutover log --verify "$trail" &&
    has "the chain holds"
last=$(ct_run b journalctl -t cutover -o cat --no-pager | tail -n 1 |
    sed -n 's/.*"hash":"\([0-9a-f]*\)"}$/\1/p')
expect 0 "b's trail ends with the hash journald received last" \
    ct_run b cutover log --verify --last="$last" "$trail"
expect 0 "b's rollback in the trail, with its steps" \
    ct_run b cutover log --outcome rolled-back --steps "$trail" &&
    has "deploy switch newsite: rolled-back" && has "    step rollback: "

# ---- c: persist = "none" changes nothing on disk ------------------------------------
site_up c || { fail_check "container c did not come up"; finish; }
policy c
expect 0 "switch onlynow" as_deploy c cutover switch onlynow && lacks "at boot"
is c nginx active
is c nginx disabled
is c apache2 inactive
is c apache2 enabled
finish
