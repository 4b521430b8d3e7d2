#!/bin/sh
# run.sh - the system tests: the installed setuid cutover, run as real
# unprivileged users (issue #3, the setuid front).  Root only.
#
# Usage: tests/system/run.sh [BINARY]   (default: build/systest/cutover,
#                                        from make systest-build)
#
# Sets the machine up (setup.sh: users deploy and intruder, group cutover,
# the binary installed root:cutover 4750 in /usr/local/libexec/
# cutover-systest, its policy in /etc/cutover-systest, a PAM test stack),
# runs each tests/system/t-*.sh from the same starting state
# (setup.sh --reset), and removes everything again (teardown.sh, from a
# trap on EXIT, INT and TERM, also when a test fails).  Never touches
# /etc/cutover.
#
# What a test file gets: cwd the repository root; SRCDIR, BUILD, and
# TEST_TMPDIR (an empty directory, mode 0755 so the test users can read
# what a test puts there); tests/system/lib.sh to source.  Exit 0 pass,
# 77 skip, anything else fail; under timeout(1), SYSTEST_TIMEOUT seconds
# (default 180).  The output of a failed or skipped test is printed (of
# every test with VERBOSE=1).
#
# Prints ok/FAIL/skip per file, then "N passed, N failed" (", N skipped"
# when there are any); exits 1 if anything failed, 77 when not root.
set -u

cd "$(dirname "$0")/../.." || exit 2
SRCDIR=$(pwd)
BUILD=${BUILD:-build}
export SRCDIR BUILD
bin=${1:-$BUILD/systest/cutover}

if [ "$(id -u)" != 0 ]; then
	echo "system: needs root (users, a setuid install, PAM): not run"
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
fi
if [ ! -x "$BUILD/jsonl-check" ]; then
	echo "system: no $BUILD/jsonl-check (run make systest-build)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

timeout=${SYSTEST_TIMEOUT:-180}
passed=0
failed=0
skipped=0
scratch=$(mktemp -d "${TMPDIR:-/tmp}/cutover-system.XXXXXX") || exit 2
chmod 0755 "$scratch"
test_pid=
cleanup() {
	trap - EXIT INT TERM
	# a test still running (interrupted): stop it before removing its users
	if [ -n "$test_pid" ]; then
		kill "$test_pid" 2>/dev/null
		wait "$test_pid" 2>/dev/null
	fi
	sh tests/system/teardown.sh || echo "system: teardown left something behind (see above)" >&2
	rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! TEST_TMPDIR=$scratch sh tests/system/setup.sh "$bin" >"$scratch/setup.out" 2>&1; then
	echo "FAIL setup"
	sed 's/^/    | /' "$scratch/setup.out"
	echo "0 passed, 1 failed"
	exit 1
fi

# SYSTEST_ONLY=t-switch runs one file (a glob, without .sh).
for t in tests/system/${SYSTEST_ONLY:-t-*}.sh; do
	[ -e "$t" ] || continue
	name=${t#tests/system/}
	tmpdir=$scratch/${name%.sh}
	mkdir -p "$tmpdir" && chmod 0755 "$tmpdir"
	if ! TEST_TMPDIR=$tmpdir sh tests/system/setup.sh --reset >"$scratch/out" 2>&1; then
		echo "FAIL $name (could not reset the test state)"
		sed 's/^/    | /' "$scratch/out"
		failed=$((failed + 1))
		continue
	fi
	set -- sh "$t"
	if command -v timeout >/dev/null 2>&1; then
		set -- timeout "$timeout" "$@"
	fi
	TEST_TMPDIR=$tmpdir "$@" >"$scratch/out" 2>&1 </dev/null &
	test_pid=$!
	wait "$test_pid"
	rc=$?
	test_pid=
	case $rc in
	0)
		echo "ok   $name"
		passed=$((passed + 1))
		show=${VERBOSE:-0}
		;;
	77)
		echo "skip $name"
		skipped=$((skipped + 1))
		show=1
		;;
	*)
		if [ "$rc" = 124 ]; then
			echo "FAIL $name (timed out after ${timeout}s)"
		else
			echo "FAIL $name (exit $rc)"
		fi
		failed=$((failed + 1))
		show=1
		;;
	esac
	if [ "$show" = 1 ] && [ -s "$scratch/out" ]; then
		sed 's/^/    | /' "$scratch/out"
	fi
	rm -rf "$tmpdir"
done

if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
