#!/bin/sh
# bench/round.sh prepare|finish SIDE - one round of bench/switch.sh, run by
# hyperfine as its --prepare (before each timed switch) and --cleanup
# (after the last).  Root; needs BENCH_TMP, RESULTS, PROBE, SRCDIR and
# TAIL_MS from switch.sh's environment.
#   prepare: end the previous round (below), then reset - nginx stopped,
#            apache2 started (apache2ctl start) and serving 8080 -, start
#            the probe in the background (its stdio to files) and wait
#            until it has had a successful response, plus SETTLE_MS.
#   finish:  end the round: wait TAIL_MS (the probe goes on watching
#            after the switch command returned), SIGTERM to the probe, wait
#            for its summary, note who holds 8080 now, append the summary
#            line to $RESULTS/switch-SIDE.probe and its log to
#            $RESULTS/switch-SIDE.N.log; then stop nginx and apache2.
set -u
step=$1 side=$2
cd "$SRCDIR" || exit 2
TEST_TMPDIR=$BENCH_TMP
# shellcheck source=tests/system/lib.sh
. tests/system/lib.sh
pidfile=$BENCH_TMP/probe.pid

ms_sleep() {
	sleep "$(awk -v m="$1" 'BEGIN { printf "%.3f", m / 1000 }')"
}

end_round() {
	[ -f "$pidfile" ] || return 0
	ms_sleep "${TAIL_MS:-500}"
	read -r pid <"$pidfile"
	rm -f "$pidfile"
	if is_pid "$pid" && [ "$(proc_exe "$pid")" = "$PROBE" ]; then
		kill -TERM "$pid"
		wait_for 10 gone "$pid" || { echo "round: the probe (pid $pid) does not stop" >&2; kill -KILL "$pid"; }
	fi
	n=$(($(wc -l <"$RESULTS/switch-$side.probe" 2>/dev/null || echo 0) + 1))
	ended_nginx=0
	for p in $(port_pids "$PORT"); do
		[ "$(proc_exe "$p")" = /usr/sbin/nginx ] && ended_nginx=1
	done
	summary=$(cat "$BENCH_TMP/probe.out")
	case $summary in
	requests=*) ;;
	*) echo "round: no summary from the probe: $summary $(cat "$BENCH_TMP/probe.err")" >&2; return 1 ;;
	esac
	echo "$summary ended_nginx=$ended_nginx" >>"$RESULTS/switch-$side.probe"
	mv -f "$BENCH_TMP/probe.log" "$RESULTS/switch-$side.$n.log"
}

case $step in
prepare)
	end_round || exit 1
	stop_daemons >&2 || exit 1
	apache2_start >&2 || exit 1
	rm -f "$BENCH_TMP/probe.ready"
	"$PROBE" -l "$BENCH_TMP/probe.log" -r "$BENCH_TMP/probe.ready" \
	    </dev/null >"$BENCH_TMP/probe.out" 2>"$BENCH_TMP/probe.err" &
	echo "$!" >"$pidfile"
	n=0
	while [ ! -e "$BENCH_TMP/probe.ready" ]; do
		n=$((n + 1))
		[ "$n" -lt 100 ] || { echo "round: the probe never got an answer from apache2" >&2; exit 1; }
		sleep 0.05
	done
	ms_sleep "${SETTLE_MS:-300}"
	;;
finish)
	end_round || exit 1
	stop_daemons >&2 || exit 1
	;;
*)
	echo "usage: round.sh prepare|finish SIDE" >&2
	exit 2
	;;
esac
