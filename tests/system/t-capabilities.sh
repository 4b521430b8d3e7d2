#!/bin/sh
# A service with capabilities of its own (issue #4: "launched with only
# its capabilities, as ambient"): `start` of a service whose policy lists
# cap_net_bind_service runs it as its user with exactly that capability
# in its effective, permitted and ambient sets, under no_new_privs, so it
# can bind a port below 1024; without the capability the same service
# cannot (the control); `stop` stops it.  The service is hold-port.pl as
# intruder on port $LOW, stopped on exit whatever happens.
. tests/system/lib.sh
LOW=81
NET_BIND=0000000000000400       # 1 << CAP_NET_BIND_SERVICE (10)

if listening "$LOW"; then
	echo "skip: port $LOW is in use here: $(describe_holders "$LOW")"
	exit 77
fi
intruder_uid=$(id -u intruder)
intruder_gid=$(id -g intruder)

# stop_low: SIGTERM what intruder runs on $LOW (the service, if cutover
# did not stop it).
# shellcheck disable=SC2317 # run from the EXIT trap
stop_low() {
	for _p in $(port_pids "$LOW"); do
		[ "$(proc_uid "$_p")" = "$intruder_uid" ] && kill -TERM "$_p" 2>/dev/null
	done
	wait_for 5 not_listening "$LOW"
}
trap 'stop_low' EXIT

# low_policy CAPS: a service "low" (hold-port.pl on $LOW as intruder) with
# capabilities CAPS, which deploy may start and stop.
low_policy() {
	write_policy "s|^services = {\$|services = { low = { exe = \"/usr/bin/perl\"; user = \"intruder\"; start = [\"/usr/bin/perl\", \"$HOLD_PORT\", \"$LOW\"]; capabilities = [$1]; start_timeout = 3.0; stop_timeout = 2.0; ports = [$LOW]; };|
s|start  = \\[\"nginx\"\\];|start  = [\"nginx\", \"low\"];|
s|stop   = \\[\"nginx\"\\];|stop   = [\"nginx\", \"low\"];|"
}

# ---- the control: no capability, no port below 1024 ------------------------
low_policy "" || exit 1
grep -q '"low"' "$POLICY" || { fail_check "the policy with service low was written"; finish; }
audit_mark
expect_files 1 "start low without cap_net_bind_service: fails (cannot bind $LOW)" -- \
    as_deploy "$CUTOVER" start low
has "low did not start" err "says the service did not start"
listening "$LOW" && fail_check "nothing listens on $LOW" "$(describe_holders "$LOW")"
audit_new 2 "start low without the capability: request and outcome" &&
    field_is 2 outcome "start low without the capability" '"failed"'

# ---- with it: exactly that capability, as ambient ----------------------------
low_policy '"cap_net_bind_service"' || exit 1
audit_mark
expect_files 0 "start low with cap_net_bind_service" -- as_deploy "$CUTOVER" start low
if wait_for 5 listening "$LOW"; then
	pid=$(port_pids "$LOW")
	want="$intruder_uid,$intruder_uid,$intruder_uid,$intruder_uid/$intruder_gid,$intruder_gid,$intruder_gid,$intruder_gid $NET_BIND $NET_BIND $NET_BIND"
	got=$(caps_of "$pid")
	[ "$got" = "$want" ] || fail_check "low (pid $pid): intruder's ids; CapEff, CapPrm, CapAmb exactly cap_net_bind_service" \
	    "got:  $got
want: $want"
	grep -Eq '^NoNewPrivs:[[:space:]]+1$' "/proc/$pid/status" ||
	    fail_check "low runs under no_new_privs" "$(grep NoNewPrivs "/proc/$pid/status")"
	grep -Eq '^CapInh:[[:space:]]+'"$NET_BIND"'$' "/proc/$pid/status" ||
	    fail_check "low's inheritable set is cap_net_bind_service (ambient needs it)" "$(grep CapInh "/proc/$pid/status")"
else
	fail_check "low listens on $LOW"
fi
audit_new 2 "start low: request and outcome" && field_is 2 outcome "start low" '"ok"'

audit_mark
expect 0 "stop low" -- as_deploy "$CUTOVER" stop low
wait_for 5 not_listening "$LOW" || fail_check "low is stopped" "$(describe_holders "$LOW")"
audit_new 2 "stop low: request and outcome" && field_is 2 outcome "stop low" '"ok"'
audit_valid "after the capability service"
finish
