#!/bin/sh
# Socket handoff the systemd way (issue #7): a plan whose new service,
# tests/system/sd-listen.py, serves only on the socket it inherits - fd 3,
# LISTEN_FDS=1, LISTEN_PID its own pid - and never binds one itself.  So
# the switch from apache2 works only if cutover listens on 8080 as apache2
# lets go and hands that socket over as sd_listen_fds(3) says; and with
# socket_handoff = "none" the same plan must fail and roll back.
. tests/system/lib.sh
python=$(readlink -f /usr/bin/python3)

# dropin HANDOFF: the service, the plan and deploy's grant, as a drop-in.
dropin() {
	install -d -m 0755 -o root -g root "$POLICY_DIR/policy.d" &&
	cat >"$POLICY_DIR/policy.d/50-sd.conf" <<EOF &&
services = {
  sdweb = { exe = "$python"; user = "nginx"; group = "nginx";
            start = ["$python", "$SD_LISTEN"]; ports = [$PORT];
            socket_handoff = "$1"; start_timeout = 5.0; };
};
plans = {
  sdsite = { port = $PORT; from = "apache2"; to = "sdweb"; verify = ["homepage"]; rollback = true; };
};
rules = ( { users = ["deploy"]; switch = ["sdsite"]; } );
EOF
	chmod 0644 "$POLICY_DIR/policy.d/50-sd.conf"
}

sd_procs() {
	for _d in /proc/[0-9]*; do
		[ "$(readlink "$_d/exe" 2>/dev/null)" = "$python" ] &&
		    tr '\0' ' ' <"$_d/cmdline" 2>/dev/null | grep -q "$SD_LISTEN" && echo "${_d#/proc/}"
	done
	return 0
}

apache2_start || { fail_check "apache2ctl start"; finish; }
wait_for 10 serves "$OLD_TEXT" || fail_check "apache2 serves the old page"

# ---- without a handoff, sd-listen.py cannot start: rolled back ---------------
dropin none || fail_check "write the drop-in (none)"
expect 0 "the policy with the drop-in is valid" -- as_deploy "$CUTOVER" -n switch sdsite
expect 1 "switch sdsite without a handoff: fails, rolls back" -- as_deploy "$CUTOVER" switch sdsite
has "switch sdsite failed at start sdweb" err "the failure names the start step"
has "rolled back, apache2 serving $PORT again (verified listening)" err "the rollback is reported"
serves "$OLD_TEXT" || fail_check "apache2 serves the old page after the rollback" "$(served)"

# ---- with socket_handoff = "systemd": switched ------------------------------
dropin systemd || fail_check "write the drop-in (systemd)"
audit_mark
expect 0 "switch sdsite with a systemd handoff" -- as_deploy "$CUTOVER" switch sdsite
has "switch sdsite: done in" out "the switch is done"
serves "served by sd-listen.py on an inherited socket" ||
    fail_check "sd-listen.py serves the port it was handed" "$(served)"
pid=$(sd_procs | head -n 1)
if is_pid "$pid"; then
	[ "$(proc_uid "$pid")" = "$(id -u nginx)" ] || fail_check "sd-listen.py runs as nginx, not uid $(proc_uid "$pid")"
	fd3=$(readlink "/proc/$pid/fd/3" | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p')
	listen_inodes "$PORT" | grep -qx "${fd3:-none}" ||
	    fail_check "sd-listen.py's fd 3 is not the listening socket on $PORT" "$(ls -l "/proc/$pid/fd")"
	kill -TERM "$pid"
	wait_for 5 not_listening "$PORT" || fail_check "sd-listen.py stopped"
else
	fail_check "sd-listen.py does not run after the switch"
fi
audit_new 9 "switch sdsite: request, pre-flight, 6 steps, outcome" &&
    field_is 9 outcome "switch sdsite outcome" '"ok"'
finish
