#!/bin/sh
# bench/decide.sh - how long cutover takes to decide, against doas and sudo
# (issue #7).  Root only; make bench runs it (after building
# build/systest/cutover).  Not part of make check.
#
# As user deploy, with the system tests' setuid install
# (/usr/local/libexec/cutover-systest/cutover, 4750 root:cutover), the
# example policy (policy/examples/deploy.conf, audit to a file, no syslog)
# and the PAM stack cutover ships (pam/cutover: common-auth,
# common-account), one hyperfine run (-N: no shell) times, side by side:
#   true          /bin/true                 the cost of fork+exec alone
#   allowed       cutover -n start nginx    decision, PAM account, audit
#                                           record (fdatasync), nothing done
#   refused       cutover start apache2     decision, audit record, exit 3
#   doas          doas -n /bin/true         permit nopass deploy as root cmd /bin/true
#   sudo          sudo -n /bin/true         deploy ALL=(root) NOPASSWD: /bin/true
# then, with policies of 100, 1,000 and 10,000 rules (generated; deploy's
# rule last, every rule before it naming another user, so every one is
# looked at), allowed and refused again, each run with doas beside them,
# doas given a doas.conf of as many rules, made the same way (before issue
# 33 it kept its one rule, and the ratios compared unequal work).
# /etc/doas.conf and /etc/sudoers.d/cutover-bench exist only while it runs
# (an existing /etc/doas.conf is kept aside and put back).
#
# Results: $RESULTS (build/bench) decide-*.json (hyperfine),
# decide-phasesN.txt (bench/phases.c: read, libconfig's parse, cutover's
# own build, decide, free, on the N-rule policy), decide.txt (the summary,
# also printed).  Environment: WARMUP (20), RUNS (200),
# REPEAT (5: the five-command run is done REPEAT times, decide-base.K.json,
# so that a change of load on the machine during one run - hyperfine times
# the commands one after the other - shows as a spread of the ratios
# rather than as a false ratio), SCALE ("100 1000 10000").
. "$(dirname "$0")/lib.sh"
bench_begin decide "$@"

WARMUP=${WARMUP:-20}
RUNS=${RUNS:-200}
REPEAT=${REPEAT:-5}
SCALE=${SCALE:-100 1000 10000}

for t in doas sudo visudo; do
	command -v "$t" >/dev/null 2>&1 || bench_die "no $t (make bench installs opendoas and sudo)"
done

# The PAM stack a real install has (setup.sh's is pam_permit only).
cp pam/cutover "$PAM_FILE" && chmod 0644 "$PAM_FILE" || bench_die "cannot install $PAM_FILE"

# doas and sudo: deploy may run /bin/true as root, without a password.
if [ -e /etc/doas.conf ]; then
	cp -p /etc/doas.conf "$STATE/doas.conf.bench-orig" || bench_die "cannot keep /etc/doas.conf"
	on_exit "mv -f '$STATE/doas.conf.bench-orig' /etc/doas.conf"
else
	on_exit "rm -f /etc/doas.conf"
fi
# write_doas N: /etc/doas.conf with N rules, deploy's last and every one
# before it naming another user, as gen_policy below writes cutover's: the
# same number of rules for both, so that a ratio compares equal work.
write_doas() {
	awk -v n="$1" 'BEGIN {
		print "# cutover bench/decide.sh: removed when it ends"
		for (i = 1; i < n; i++)
			printf "permit nopass u%05d as root cmd /bin/true\n", i
		print "permit nopass deploy as root cmd /bin/true"
	}' >/etc/doas.conf.new &&
	    chmod 0400 /etc/doas.conf.new && mv -f /etc/doas.conf.new /etc/doas.conf ||
	    bench_die "cannot write /etc/doas.conf"
}
write_doas 1
SUDOERS=/etc/sudoers.d/cutover-bench
[ -e "$SUDOERS" ] && bench_die "$SUDOERS exists already: not ours"
on_exit "rm -f '$SUDOERS'"
printf '%s\n' '# cutover bench/decide.sh: removed when it ends' \
    'deploy ALL=(root) NOPASSWD: /bin/true' >"$BENCH_TMP/sudoers" &&
    visudo -cqf "$BENCH_TMP/sudoers" &&
    install -m 0440 -o root -g root "$BENCH_TMP/sudoers" "$SUDOERS" ||
    bench_die "cannot install $SUDOERS"

out=$BENCH_TMP/out
mkdir -p "$out" && chown deploy "$out" || bench_die "cannot make $out"

# Each command once, its exit status checked: a benchmark of the wrong
# answer is worth nothing.
expect_status() {
	_want=$1
	shift
	as_deploy_in "$out" "$@" </dev/null >"$BENCH_TMP/once.out" 2>&1
	_got=$?
	[ "$_got" = "$_want" ] || bench_die "as deploy, $* exits $_got, not $_want: $(cat "$BENCH_TMP/once.out")"
}
sanity() {
	expect_status 0 "$CUTOVER" -n start nginx
	expect_status 3 "$CUTOVER" start apache2
	expect_status 0 doas -n /bin/true
	expect_status 0 sudo -n /bin/true
}
sanity

# hyperfine NAME COMMAND-NAME COMMAND ...: one hyperfine run as deploy.
run_hyperfine() {
	_name=$1
	shift
	bench_say "hyperfine: $_name"
	as_deploy_in "$out" hyperfine -N -i --style basic --warmup "$WARMUP" --runs "$RUNS" \
	    --export-json "$out/decide-$_name.json" "$@" </dev/null ||
	    bench_die "hyperfine $_name failed"
	cp "$out/decide-$_name.json" "$RESULTS/" || bench_die "cannot copy the results"
}

rm -f "$RESULTS"/decide-*.json
k=1
while [ "$k" -le "$REPEAT" ]; do
	run_hyperfine "base.$k" \
	    -n true /bin/true \
	    -n allowed "$CUTOVER -n start nginx" \
	    -n refused "$CUTOVER start apache2" \
	    -n doas "doas -n /bin/true" \
	    -n sudo "sudo -n /bin/true"
	k=$((k + 1))
done

# gen_policy N: the standard policy with N rules, deploy's last.
gen_policy() {
	standard_policy | awk -v n="$1" '
	/^rules = \(/ { skip = 1
		print "rules = ("
		for (i = 1; i < n; i++)
			printf "  { users = [\"u%05d\"]; start = [\"nginx\"]; stop = [\"nginx\"]; },\n", i
		print "  { users = [\"deploy\"]; free = [8080]; start = [\"nginx\"]; stop = [\"nginx\"]; verify = [\"homepage\"]; auth = \"none\"; }"
		print ");"
		next }
	skip && /^\);/ { skip = 0; next }
	!skip { print }'
}

for n in $SCALE; do
	gen_policy "$n" >"$POLICY_DIR/.policy.new" &&
	    chmod 0640 "$POLICY_DIR/.policy.new" &&
	    mv -f "$POLICY_DIR/.policy.new" "$POLICY" || bench_die "cannot write the $n-rule policy"
	"$SRCDIR/$BUILD/cutover" policy check "$POLICY" >"$BENCH_TMP/check.out" 2>&1 ||
	    bench_die "the $n-rule policy is not valid: $(head -n 5 "$BENCH_TMP/check.out")"
	got=$(grep -o '[0-9]* rules\?' "$BENCH_TMP/check.out" | head -n 1)
	[ "$got" = "$n rules" ] || bench_die "the generated policy has $got, not $n rules"
	write_doas "$n"
	got=$(grep -c '^permit ' /etc/doas.conf)
	[ "$got" = "$n" ] || bench_die "the generated doas.conf has $got rules, not $n"
	sanity
	run_hyperfine "rules$n" \
	    -n "allowed-$n" "$CUTOVER -n start nginx" \
	    -n "refused-$n" "$CUTOVER start apache2" \
	    -n "doas-$n" "doas -n /bin/true"
	# where the time goes: the policy library's phases (bench/phases.c)
	"$SRCDIR/$BUILD/bench/phases" "$POLICY" deploy start nginx 50 \
	    >"$RESULTS/decide-phases$n.txt" ||
	    bench_die "bench/phases failed on the $n-rule policy"
done
write_policy "" || bench_die "cannot put the standard policy back"

machine_info >"$RESULTS/machine.txt"
python3 bench/report.py decide "$RESULTS" "$REPEAT" $SCALE | tee "$RESULTS/decide.txt"
bench_rc=0
