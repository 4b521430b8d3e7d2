#!/bin/sh
# A service that is a systemd unit, on a host that does not run systemd
# (this one: no /run/systemd/system): the policy is valid, but a start or
# a stop of the unit's service fails and says why, each recorded, and
# nothing is done.
. tests/system/lib.sh

if [ -e /run/systemd/system ]; then
	echo "this host runs systemd: the container tests cover units here"
	exit 77
fi
install -d -m 0755 -o root -g root "$POLICY_DIR/policy.d" &&
cat >"$POLICY_DIR/policy.d/50-unit.conf" <<EOF &&
services = {
  webunit = { unit = "nginx.service"; exe = "/usr/sbin/nginx"; user = "root";
              allow_root = true; holder_users = ["root", "www-data"]; ports = [$PORT]; };
};
rules = ( { users = ["deploy"]; start = ["webunit"]; stop = ["webunit"]; } );
EOF
chmod 0644 "$POLICY_DIR/policy.d/50-unit.conf" || fail_check "write the drop-in"

expect 0 "the policy with a unit service is valid" -- "$CUTOVER" policy check "$POLICY"
audit_mark
expect 1 "start a unit service without systemd" -- as_deploy "$CUTOVER" start webunit
has "this host does not run systemd (there is no /run/systemd/system), so no unit can be started or stopped here; nothing was done" err "start says why"
expect 1 "stop a unit service without systemd" -- as_deploy "$CUTOVER" stop webunit
has "this host does not run systemd" err "stop says why"
audit_new 4 "a request and an outcome record each"
finish
