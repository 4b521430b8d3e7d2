#!/bin/sh
# shellcheck disable=SC2016 # sh -c code: expanded there
# Finding 4 of the outside audit: a started service must not inherit the
# caller's scheduling state or place.  deploy raises its oom_score_adj to
# 1000, its timer slack to 1 ms, then runs cutover under nice 19,
# SCHED_IDLE, I/O class idle, CPU affinity {0} and the UNAME26
# personality, to start a non-root service (hold-port.pl as intruder) and
# a root one (allow_root).  Each attribute of the started service is
# printed next to its default, and any difference fails.
. tests/system/lib.sh
UPORT=18231
RPORT=18232

for p in $UPORT $RPORT; do
	if listening "$p"; then
		echo "skip: port $p is in use here: $(describe_holders "$p")"
		exit 77
	fi
done
online=$(cat /sys/devices/system/cpu/online)
# What a process the caller did not pin gets: every online CPU, as far as
# this cgroup's cpuset allows (the kernel intersects).
want_cpus=$(taskset -c "$online" awk '$1 == "Cpus_allowed_list:" { print $2 }' /proc/self/status)
[ "$want_cpus" != 0 ] || echo "note: one CPU here: the affinity check cannot fail"

# shellcheck disable=SC2317 # run from the EXIT trap
stop_ours() {
	for _port in $UPORT $RPORT; do
		for _p in $(port_pids "$_port"); do
			[ "$(proc_exe "$_p")" = /usr/bin/perl ] && kill -TERM "$_p" 2>/dev/null
		done
		wait_for 5 not_listening "$_port"
	done
}
trap 'stop_ours' EXIT

write_policy "s|^services = {\$|services = { schedu = { exe = \"/usr/bin/perl\"; user = \"intruder\"; start = [\"/usr/bin/perl\", \"$HOLD_PORT\", \"$UPORT\"]; start_timeout = 3.0; stop_timeout = 2.0; ports = [$UPORT]; }; schedr = { exe = \"/usr/bin/perl\"; user = \"root\"; allow_root = true; start = [\"/usr/bin/perl\", \"$HOLD_PORT\", \"$RPORT\"]; start_timeout = 3.0; stop_timeout = 2.0; ports = [$RPORT]; };|
s|start  = \\[\"nginx\"\\];|start  = [\"nginx\", \"schedu\", \"schedr\"];|
s|stop   = \\[\"nginx\"\\];|stop   = [\"nginx\", \"schedu\", \"schedr\"];|" || exit 1
grep -q '"schedr"' "$POLICY" || { fail_check "the policy with schedu and schedr was written"; finish; }

# attrs PID: one "name value" line per attribute, as /proc and util-linux
# show it (the affinity as /proc/PID/status lists it, like $want_cpus).
attrs() {
	echo "nice $(proc_field "$1" 19)"
	echo "policy $(chrt -p "$1" | sed -n "s/^pid $1's current scheduling policy: //p")"
	echo "rtprio $(chrt -p "$1" | sed -n "s/^pid $1's current scheduling priority: //p")"
	echo "ioprio $(ionice -p "$1" | tr ' ' _)"
	echo "affinity $(awk '$1 == "Cpus_allowed_list:" { print $2 }' "/proc/$1/status")"
	echo "oom_score_adj $(cat "/proc/$1/oom_score_adj")"
	echo "personality $(cat "/proc/$1/personality")"
	echo "timerslack_ns $(cat "/proc/$1/timerslack_ns")"
}
defaults="nice 0
policy SCHED_OTHER
rtprio 0
ioprio none:_prio_0
affinity $want_cpus
oom_score_adj 0
personality 00000000
timerslack_ns 50000"

# attacked SERVICE PORT: start SERVICE in the hostile state, compare.
attacked() {
	audit_mark
	expect 0 "start $1 under nice 19, SCHED_IDLE, ionice idle, taskset 0, oom_score_adj 1000, timer slack 1 ms, UNAME26" -- \
	    as_deploy sh -c 'echo 1000 >/proc/self/oom_score_adj && echo 1000000 >/proc/self/timerslack_ns &&
	    exec nice -n 19 chrt --idle 0 ionice -c3 taskset -c 0 setarch "$(uname -m)" --uname-2.6 "$0" start "$1"' \
	    "$CUTOVER" "$1" || return
	audit_new 2 "start $1: request and outcome" && field_is 2 outcome "start $1" '"ok"'
	if ! wait_for 5 listening "$2"; then
		fail_check "$1 listens on $2"
		return
	fi
	pid=$(port_pids "$2")
	got=$(attrs "$pid")
	echo "$1 (pid $pid, uid $(proc_uid "$pid")): attribute, started service, default"
	printf '%s\n' "$got" | while read -r name value; do
		printf '  %-14s %-22s %s\n' "$name" "$value" \
		    "$(printf '%s\n' "$defaults" | sed -n "s/^$name //p")"
	done
	[ "$got" = "$defaults" ] || fail_check "$1: every attribute at its default" "$(printf 'got:\n%s\nwant:\n%s' "$got" "$defaults")"
	expect 0 "stop $1" -- as_deploy "$CUTOVER" stop "$1"
	wait_for 5 not_listening "$2" || fail_check "$1 is stopped" "$(describe_holders "$2")"
}

# The control: what the attack does to a process that is not reset.
ctl=$(as_deploy sh -c 'echo 1000 >/proc/self/oom_score_adj && echo 1000000 >/proc/self/timerslack_ns &&
    exec nice -n 19 chrt --idle 0 ionice -c3 taskset -c 0 setarch "$(uname -m)" --uname-2.6 sh -c "cat /proc/self/oom_score_adj /proc/self/timerslack_ns; chrt -p \$\$"')
case $ctl in
1000*1000000*SCHED_IDLE*) ;;
*) fail_check "the control: the hostile state reaches a program deploy runs" "$ctl" ;;
esac

attacked schedu $UPORT
attacked schedr $RPORT
audit_valid "after the scheduling attacks"
finish
