#!/bin/sh
# bench/switch.sh - what a visitor sees while port 8080 goes from apache2
# to nginx (issue #7).  Root only; make bench runs it (after building
# build/systest/cutover and build/bench/probe).  Not part of make check.
#
# With the system tests' set-up (tests/system/setup.sh: users deploy and
# nginx, apache2 configured for 8080 with the old page, nginx's
# policy/examples/nginx.conf with the new one, the setuid install), each
# side is one hyperfine run (-N) of ROUNDS rounds (10), timing the switch
# command itself; before each round bench/round.sh resets (nginx stopped,
# apache2 started and serving 8080) and starts bench/probe.c (a new
# connection to 127.0.0.1:8080 every 1 ms, each request judged
# ok/refused/reset/short/timeout), which watches until TAIL_MS (500) after
# the switch command returned:
#   seed     (a) bench/seed-switch.sh, as root: apache2ctl stop, then nginx
#            as user nginx, the policy's nginx command
#   cutover  (b) cutover switch newsite, as user deploy, with the plan
#            plans = { newsite = { port = 8080; from = "apache2";
#              to = "nginx"; verify = ["homepage"]; rollback = true; }; };
#            a rule { users = ["deploy"]; switch = ["newsite"]; } and
#            socket_handoff = "nginx" in nginx's service
# SIDES picks them ("seed cutover"); a cutover without the switch yet
# (its answer to `cutover policy check` of that policy is not "valid")
# skips (b) and says so.
#
# Results: $RESULTS (build/bench) switch-SIDE.json (hyperfine),
# switch-SIDE.probe (one probe summary per round), switch-SIDE.N.log (one
# line per request), switch-cutover.audit.jsonl (cutover's records: each
# step's duration), switch.txt (the summary, also printed).
. "$(dirname "$0")/lib.sh"
bench_begin switch "$@"

ROUNDS=${ROUNDS:-10}
SIDES=${SIDES:-seed cutover}
TAIL_MS=${TAIL_MS:-500}
SETTLE_MS=${SETTLE_MS:-300}
export BENCH_TMP RESULTS PROBE TAIL_MS SETTLE_MS
[ -x "$PROBE" ] || bench_die "no $PROBE (make bench builds it)"

# Whatever happens: no probe left running, nothing left on 8080
# (teardown.sh then stops apache2 and the tests' nginx anyway).
on_exit "if [ -f '$BENCH_TMP/probe.pid' ]; then p=\$(cat '$BENCH_TMP/probe.pid'); [ \"\$(readlink /proc/\$p/exe)\" != '$PROBE' ] || kill -TERM \$p; fi"

# The switch policy: the standard one (deploy.conf), with - where the
# example does not have them already - nginx's socket handoff, the plan
# and deploy's switch rule.
switch_policy() {
	standard_policy >"$BENCH_TMP/standard.conf" || return 1
	awk -v has_handoff="$(grep -c socket_handoff "$BENCH_TMP/standard.conf")" \
	    -v has_plan="$(grep -c '^plans' "$BENCH_TMP/standard.conf")" '
	!has_handoff && /^    capabilities = \[\];/ { print; print "    socket_handoff = \"nginx\";"; next }
	!has_plan && /^rules = \(/ {
		print "plans = {"
		print "  newsite = { port = 8080; from = \"apache2\"; to = \"nginx\"; verify = [\"homepage\"]; rollback = true; };"
		print "};"
		print ""
		print "rules = ("
		print "  { users = [\"deploy\"]; switch = [\"newsite\"]; },"
		next }
	{ print }' "$BENCH_TMP/standard.conf"
}

deploy_gid=$(id -g deploy)
for side in $SIDES; do
	rm -f "$RESULTS/switch-$side.json" "$RESULTS/switch-$side.probe" "$RESULTS"/switch-"$side".*.log \
	    "$RESULTS/switch-$side.audit.jsonl"
	rm -f "$AUDIT"
	case $side in
	seed)
		write_policy "" || bench_die "cannot write the policy"
		cmd="sh $SRCDIR/bench/seed-switch.sh $NGINX_CONF"
		name="seed: apache2ctl stop; nginx"
		;;
	cutover)
		switch_policy >"$POLICY_DIR/.policy.new" && chmod 0640 "$POLICY_DIR/.policy.new" &&
		    mv -f "$POLICY_DIR/.policy.new" "$POLICY" || bench_die "cannot write the switch policy"
		if ! "$SRCDIR/$BUILD/cutover" policy check "$POLICY" >"$BENCH_TMP/check.out" 2>&1; then
			bench_say "SKIPPED (b): this cutover does not take the switch policy yet:"
			sed 's/^/  /' "$BENCH_TMP/check.out"
			continue
		fi
		# shellcheck disable=SC2016 # for that shell
		cmd="setpriv --reuid=deploy --regid=$deploy_gid --init-groups -- /bin/sh -c 'exec \"\$0\" \"\$@\"' $CUTOVER switch newsite"
		name="cutover switch newsite"
		;;
	*) bench_die "unknown side $side (seed, cutover)" ;;
	esac
	bench_say "$name: $ROUNDS rounds"
	hyperfine -N -i --style basic --runs "$ROUNDS" \
	    --prepare "sh $SRCDIR/bench/round.sh prepare $side" \
	    --cleanup "sh $SRCDIR/bench/round.sh finish $side" \
	    --export-json "$RESULTS/switch-$side.json" -n "$name" "$cmd" </dev/null ||
	    bench_die "hyperfine ($side) failed"
	# cutover's own account of each step (free-port, start, verify):
	# the step records' durations
	if [ "$side" = cutover ] && [ -f "$AUDIT" ]; then
		cp "$AUDIT" "$RESULTS/switch-$side.audit.jsonl"
	fi
	[ "$(wc -l <"$RESULTS/switch-$side.probe")" = "$ROUNDS" ] ||
	    bench_die "$side: $(wc -l <"$RESULTS/switch-$side.probe") probe summaries for $ROUNDS rounds"
done

machine_info >"$RESULTS/machine.txt"
python3 bench/report.py switch "$RESULTS" | tee "$RESULTS/switch.txt"
bench_rc=0
