#!/bin/sh
# check.sh - every test layer of `make check`, and one closing line.
#
#   (a) unit       build/unit-tests: the Check suites, normal build
#   (b) unit-asan  build/asan/unit-tests: the same suites built with
#                  AddressSanitizer + UndefinedBehaviorSanitizer
#   (c) cli        tests/cli/run.sh against build/cutover
#   (d) fuzz-replay       build/fuzz-replay-T: each fuzz target T (policy,
#                         argv, audit, verdict) run once on every input
#                         of tests/fuzz/corpus/T
#   (e) fuzz-replay-asan  build/asan/fuzz-replay-T: the same, built with
#                         ASan + UBSan (and LeakSanitizer where it works)
#   (f) system     tests/system/run.sh: build/systest/cutover installed
#                  setuid and run as real users (root only; as another
#                  user it is skipped, and the last line says so)
#   (f2) system-asan  tests/system/asan/t-*.sh through run.sh: cutover
#                  built with ASan+UBSan, run by root, not setuid (root
#                  only, like (f))
#   (g) package    tests/package/run.sh: build the .deb and the .rpm, lint
#                  both, install the .deb on this machine and test what it
#                  installed, then purge it (root only, like (f), and after
#                  it: both create users deploy and intruder)
#   (g2) container tests/container/run.sh: the .deb installed in a
#                  systemd-nspawn container whose PID 1 is systemd 252,
#                  as user deploy there: units through systemd (root only)
#   (h) lint       make lint: cppcheck and clang-tidy over helper/, policy/
#                  and pam/ (.clang-tidy, tests/lint/cppcheck.supp); any
#                  finding is one failure
#   (i) fuzz-run   tests/fuzz/run.sh: libFuzzer on each fuzz target for
#                  FUZZ_CI_SECONDS (16) s, one pass or failure per target;
#                  a crash's input is saved in the target's corpus
#                  (skipped without clang and libFuzzer)
#
# `make check` builds the binaries and then runs this; running it by
# hand after `make check` works too.  Each layer's output is printed as it
# comes.  The last line is "N passed, N failed", the tests of all layers
# added up; the exit status is non-zero if anything failed, including a
# layer that crashed or printed no summary (that counts as one failure).
#
# Environment: BUILD (default build), CC (for the LeakSanitizer probe),
# MAKE (for the lint and fuzz-run layers, default make), FUZZ_CC (clang)
# and FUZZ_CI_SECONDS (16) for fuzz-run.
set -u

cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
CC=${CC:-cc}

total_pass=0
total_fail=0
summary=
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cutover-check.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# note LINE: one line of the summary table printed at the end.
note() {
	summary="$summary$1
"
}

# run_layer NAME CMD...: run CMD, show its output, keep it in $tmp/NAME.out
# and its exit status in $tmp/NAME.rc; then say how long it took.
run_layer() {
	name=$1
	shift
	echo
	echo "=== $name: $* ==="
	started=$(date +%s)
	{ "$@" 2>&1; echo $? >"$tmp/$name.rc"; } | tee "$tmp/$name.out"
	echo "=== $name: $(($(date +%s) - started)) s ==="
}

# check_layer NAME BINARY [ENV=VALUE...]: a Check runner; read its
# "NN%: Checks: N, Failures: F, Errors: E" line.
check_layer() {
	name=$1
	bin=$2
	shift 2
	if [ ! -x "$bin" ]; then
		echo
		echo "=== $name: $bin is missing (run make check) ==="
		total_fail=$((total_fail + 1))
		note "$name: FAILED, $bin is missing"
		return
	fi
	run_layer "$name" env "$@" "$bin"
	rc=$(cat "$tmp/$name.rc")
	line=$(sed -n 's/^.*%: Checks: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\).*$/\1 \2 \3/p' \
	    "$tmp/$name.out" | tail -n 1)
	if [ -z "$line" ]; then
		total_fail=$((total_fail + 1))
		note "$name: FAILED, no Check summary line (exit $rc)"
		return
	fi
	# shellcheck disable=SC2086 # three numbers, split on purpose
	set -- $line
	checks=$1 fails=$2 errors=$3
	bad=$((fails + errors))
	total_pass=$((total_pass + checks - bad))
	total_fail=$((total_fail + bad))
	extra=
	if [ "$bad" -eq 0 ] && [ "$rc" -ne 0 ]; then
		total_fail=$((total_fail + 1))
		extra=", but it exited $rc"
	fi
	if [ "$bad" -eq 0 ] && grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$tmp/$name.out"; then
		total_fail=$((total_fail + 1))
		extra="$extra, and a sanitizer reported an error above"
	fi
	note "$name: $checks checks, $fails failures, $errors errors$extra"
}

# count_layer NAME BINARY ARGS...: a runner that ends with "N passed, N
# failed" (the fuzz replays), run with the VAR=VALUE words of $layer_env
# in its environment; a crash, a missing line, a non-zero exit with no
# failure counted or a sanitizer report is a failure.
# Under timeout(1) when there is one (FUZZ_REPLAY_TIMEOUT seconds, 600):
# a hang in the loader must not hang make check.
count_layer() {
	name=$1
	bin=$2
	shift 2
	if [ ! -x "$bin" ]; then
		echo
		echo "=== $name: $bin is missing (run make check) ==="
		total_fail=$((total_fail + 1))
		note "$name: FAILED, $bin is missing"
		return
	fi
	set -- "$bin" "$@"
	if command -v timeout >/dev/null 2>&1; then
		set -- timeout "${FUZZ_REPLAY_TIMEOUT:-600}" "$@"
	fi
	# shellcheck disable=SC2086 # VAR=VALUE words, split on purpose
	run_layer "$name" env ${layer_env:-} "$@"
	rc=$(cat "$tmp/$name.rc")
	line=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*$/\1 \2/p' \
	    "$tmp/$name.out" | tail -n 1)
	if [ -z "$line" ]; then
		total_fail=$((total_fail + 1))
		note "$name: FAILED, no 'N passed, N failed' line (exit $rc: crashed, aborted or timed out)"
		return
	fi
	# shellcheck disable=SC2086 # two numbers, split on purpose
	set -- $line
	total_pass=$((total_pass + $1))
	total_fail=$((total_fail + $2))
	extra=
	if [ "$2" -eq 0 ] && [ "$rc" -ne 0 ]; then
		total_fail=$((total_fail + 1))
		extra=", but it exited $rc"
	fi
	if grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$tmp/$name.out"; then
		total_fail=$((total_fail + 1))
		extra="$extra, and a sanitizer reported an error above"
	fi
	note "$name: $1 ok, $2 FAIL$extra"
}

# tally NAME: add up layer NAME, whose output ends with "N passed, N
# failed"; a missing line, or a non-zero exit with nothing failed, is one
# failure.
tally() {
	name=$1
	rc=$(cat "$tmp/$name.rc")
	line=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*$/\1 \2/p' "$tmp/$name.out" | tail -n 1)
	if [ -z "$line" ]; then
		total_fail=$((total_fail + 1))
		note "$name: FAILED, no 'N passed, N failed' line (exit $rc)"
		return
	fi
	# shellcheck disable=SC2086 # two numbers, split on purpose
	set -- $line
	total_pass=$((total_pass + $1))
	total_fail=$((total_fail + $2))
	if [ "$2" -eq 0 ] && [ "$rc" -ne 0 ]; then
		total_fail=$((total_fail + 1))
		note "$name: $1 ok, $2 FAIL, but it exited $rc"
	else
		note "$name: $1 ok, $2 FAIL"
	fi
}

# LeakSanitizer stops the world with ptrace; in some containers it cannot,
# and then every sanitized process dies with a LeakSanitizer fatal error.
# Probe once with a program that leaks on purpose.
lsan_works() {
	mkdir -p "$BUILD/asan" || return 1
	printf '%s\n' '#include <stdlib.h>' \
	    'void *volatile leak;' \
	    'int main(void) { leak = malloc(42); leak = 0; return 0; }' \
	    >"$tmp/lsan-probe.c"
	if ! "$CC" -fsanitize=address -g -o "$BUILD/asan/lsan-probe" "$tmp/lsan-probe.c" 2>"$tmp/probe.err"; then
		echo "note: cannot build the LeakSanitizer probe:" >&2
		cat "$tmp/probe.err" >&2
		return 1
	fi
	ASAN_OPTIONS=detect_leaks=1 "$BUILD/asan/lsan-probe" >"$tmp/probe.out" 2>&1
	! grep -Eq 'LeakSanitizer has encountered a fatal error|LeakSanitizer does not work under ptrace' "$tmp/probe.out"
}

# (a) the unit tests, normal build
check_layer unit "$BUILD/unit-tests"

# (b) the same tests under ASan + UBSan
leaks=1
if ! lsan_works; then
	leaks=0
	echo
	echo "note: LeakSanitizer cannot run here (it needs ptrace, which this environment refuses);"
	echo "note: the sanitizer layer runs with detect_leaks=0. Leaks are NOT checked in this run."
fi
check_layer unit-asan "$BUILD/asan/unit-tests" \
    ASAN_OPTIONS="halt_on_error=1:detect_leaks=$leaks" \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    CK_TIMEOUT_MULTIPLIER=4
if [ "$leaks" = 0 ]; then
	note "unit-asan: (detect_leaks=0: LeakSanitizer unavailable here)"
fi

# (c) the command-line tests against the built binary
run_layer cli sh tests/cli/run.sh "$BUILD/cutover"
tally cli

# (d) each fuzz target on its corpus, normal build
fuzz_targets="policy argv audit verdict listens certdate logread expect procfs sockdiag unitlog handoff dbus intent"
layer_env=
for t in $fuzz_targets; do
	count_layer "fuzz-replay-$t" "$BUILD/fuzz-replay-$t" -q "tests/fuzz/corpus/$t"
done

# (e) the same under ASan + UBSan
# (lsan.supp: a leak inside libconfig 1.5 itself, see the file)
layer_env="ASAN_OPTIONS=halt_on_error=1:detect_leaks=$leaks UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1"
layer_env="$layer_env LSAN_OPTIONS=suppressions=$(pwd)/tests/fuzz/lsan.supp:print_suppressions=0"
for t in $fuzz_targets; do
	count_layer "fuzz-replay-asan-$t" "$BUILD/asan/fuzz-replay-$t" -q "tests/fuzz/corpus/$t"
done
layer_env=
if [ "$leaks" = 0 ]; then
	note "fuzz-replay-asan: (detect_leaks=0: LeakSanitizer unavailable here)"
fi

# (f) the system tests: the setuid binary as real users; they create
# users, a PAM stack and a setuid install, so only as root
total_skip=0
if [ "$(id -u)" = 0 ]; then
	# One system-test run at a time on a machine: they share the users,
	# /etc/cutover-systest, apache2's configuration and port 8080, so wait
	# for another make check's (or make demo's) to end (lock: lib.sh).
	set -- sh tests/system/run.sh "$BUILD/systest/cutover"
	if command -v flock >/dev/null 2>&1; then
		set -- flock -o -w 3600 /run/cutover-systest.lock "$@"
	fi
	run_layer system "$@"
	rc=$(cat "$tmp/system.rc")
	line=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*$/\1 \2/p' "$tmp/system.out" | tail -n 1)
	if [ -z "$line" ]; then
		total_fail=$((total_fail + 1))
		note "system: FAILED, no 'N passed, N failed' line (exit $rc)"
	else
		# shellcheck disable=SC2086 # two numbers, split on purpose
		set -- $line
		total_pass=$((total_pass + $1))
		total_fail=$((total_fail + $2))
		skips=$(sed -n 's/^[0-9]* passed, [0-9]* failed, \([0-9]*\) skipped.*$/\1/p' "$tmp/system.out" | tail -n 1)
		total_skip=$((total_skip + ${skips:-0}))
		if [ "$2" -eq 0 ] && [ "$rc" -ne 0 ]; then
			total_fail=$((total_fail + 1))
			note "system: $1 ok, $2 FAIL, ${skips:-0} skipped, but it exited $rc"
		else
			note "system: $1 ok, $2 FAIL, ${skips:-0} skipped"
		fi
	fi
else
	echo
	echo "=== system: skipped: tests/system/run.sh needs root (users, PAM, a setuid install) ==="
	total_skip=$((total_skip + 1))
	note "system: SKIPPED, not root (run make check as root to include it)"
fi

# (f2) system-asan: build/systest/asan/cutover (ASan+UBSan) run by root,
# not setuid (the sanitizers do not run setuid), through the same set-up:
# tests/system/asan/t-*.sh - policy commands, refusals, every action with
# the real apache2 and nginx.  Any sanitizer report fails.
if [ "$(id -u)" = 0 ]; then
	set -- env SYSTEST_ONLY='asan/t-*' SYSTEST_ASAN_LEAKS="$leaks" \
	    sh tests/system/run.sh "$BUILD/systest/cutover"
	if command -v flock >/dev/null 2>&1; then
		set -- flock -o -w 3600 /run/cutover-systest.lock "$@"
	fi
	run_layer system-asan "$@"
	rc=$(cat "$tmp/system-asan.rc")
	line=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*$/\1 \2/p' "$tmp/system-asan.out" | tail -n 1)
	if [ -z "$line" ]; then
		total_fail=$((total_fail + 1))
		note "system-asan: FAILED, no 'N passed, N failed' line (exit $rc)"
	else
		# shellcheck disable=SC2086 # two numbers, split on purpose
		set -- $line
		total_pass=$((total_pass + $1))
		total_fail=$((total_fail + $2))
		extra=
		if [ "$2" -eq 0 ] && [ "$rc" -ne 0 ]; then
			total_fail=$((total_fail + 1))
			extra=", but it exited $rc"
		fi
		if grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$tmp/system-asan.out"; then
			total_fail=$((total_fail + 1))
			extra="$extra, and a sanitizer reported an error above"
		fi
		note "system-asan: $1 ok, $2 FAIL$extra"
	fi
	if [ "$leaks" = 0 ]; then
		note "system-asan: (detect_leaks=0: LeakSanitizer unavailable here)"
	fi
else
	echo
	echo "=== system-asan: skipped: needs root (it shares the system tests' set-up) ==="
	total_skip=$((total_skip + 1))
	note "system-asan: SKIPPED, not root"
fi

# (g) the packages, installed on this machine (root only)
if [ "$(id -u)" = 0 ]; then
	# it creates deploy and intruder too: tests/package/run.sh takes the
	# system tests' lock itself, for its install step only
	run_layer package sh tests/package/run.sh
	tally package
else
	echo
	echo "=== package: skipped: tests/package/run.sh needs root (it installs the .deb) ==="
	total_skip=$((total_skip + 1))
	note "package: SKIPPED, not root (run make check as root to include it)"
fi

# (g2) a real systemd as PID 1 of a container, the .deb installed in it
# (root only; after (g), whose make deb it uses)
if [ "$(id -u)" = 0 ]; then
	run_layer container env BUILD="$BUILD" sh tests/container/run.sh
	tally container
else
	echo
	echo "=== container: skipped: tests/container/run.sh needs root (mounts, cgroups, nspawn) ==="
	total_skip=$((total_skip + 1))
	note "container: SKIPPED, not root (run make check as root to include it)"
fi

# (h) static analysis: one pass or one failure
run_layer lint "${MAKE:-make}" --no-print-directory lint BUILD="$BUILD"
if [ "$(cat "$tmp/lint.rc")" = 0 ]; then
	total_pass=$((total_pass + 1))
	note "lint: clean (cppcheck, clang-tidy)"
else
	total_fail=$((total_fail + 1))
	note "lint: FAILED, findings above (exit $(cat "$tmp/lint.rc"))"
fi

# (i) libFuzzer itself, briefly: each target FUZZ_CI_SECONDS (16) s from
# its corpus, so every run explores a little beyond the seeds.  Needs
# clang and libFuzzer (clang, libclang-rt-14-dev: make deps); without
# them it is skipped, and the last line says so.
fuzz_cc=${FUZZ_CC:-clang}
libfuzzer_works() {
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
	    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
	    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
	    >"$tmp/fuzz-probe.c"
	command -v "$fuzz_cc" >/dev/null 2>&1 &&
	    "$fuzz_cc" -fsanitize=fuzzer -o "$tmp/fuzz-probe" "$tmp/fuzz-probe.c" >/dev/null 2>&1
}
if libfuzzer_works; then
	run_layer fuzz-build "${MAKE:-make}" --no-print-directory fuzz-build BUILD="$BUILD"
	if [ "$(cat "$tmp/fuzz-build.rc")" != 0 ]; then
		total_fail=$((total_fail + 1))
		note "fuzz-run: FAILED, make fuzz-build exited $(cat "$tmp/fuzz-build.rc")"
	else
		layer_env="FUZZ_BUILD=$BUILD/fuzz ASAN_OPTIONS=detect_leaks=$leaks"
		# shellcheck disable=SC2086 # the targets, split on purpose
		count_layer fuzz-run tests/fuzz/run.sh "${FUZZ_CI_SECONDS:-16}" $fuzz_targets
		layer_env=
	fi
else
	echo
	echo "=== fuzz-run: skipped: no $fuzz_cc with libFuzzer (make deps as root installs clang libclang-rt-14-dev) ==="
	total_skip=$((total_skip + 1))
	note "fuzz-run: SKIPPED, no libFuzzer (clang, libclang-rt-14-dev)"
fi

echo
echo "=== summary ==="
printf '%s' "$summary"
if [ "$total_skip" -gt 0 ]; then
	echo "$total_pass passed, $total_fail failed, $total_skip skipped"
else
	echo "$total_pass passed, $total_fail failed"
fi
[ "$total_fail" -eq 0 ]
