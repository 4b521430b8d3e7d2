#!/bin/sh
# run.sh - run every tests/cli/t-*.sh against the built binary.
#
# Usage: tests/cli/run.sh [BINARY]       (default: build/cutover)
#
# What a test file gets:
#   cwd          the repository root
#   CUTOVER      absolute path of the binary under test
#   SRCDIR       absolute path of the repository root
#   TEST_TMPDIR  a fresh empty directory, removed afterwards
# A test is run by its #! line when it is executable, else with sh, under a
# time limit (CLI_TIMEOUT seconds, default 60).  Exit 0 is a pass, 77 a
# skip, anything else a failure.  The output of a failed test is printed
# (of every test with VERBOSE=1).
#
# Prints ok/FAIL/skip per file and ends with the line
# "N passed, N failed" (", N skipped" when there are any); exits 1 if any
# test failed.
set -u

cd "$(dirname "$0")/../.." || exit 2
SRCDIR=$(pwd)
bin=${1:-build/cutover}
case $bin in
/*) ;;
*) bin=$SRCDIR/$bin ;;
esac
if [ ! -x "$bin" ]; then
	echo "cli: no executable $bin (run make first)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

timeout=${CLI_TIMEOUT:-60}
passed=0
failed=0
skipped=0
scratch=$(mktemp -d "${TMPDIR:-/tmp}/cutover-cli.XXXXXX") || exit 2
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM

for t in tests/cli/t-*.sh; do
	[ -e "$t" ] || continue            # no tests yet: the glob stays literal
	name=${t#tests/cli/}
	tmpdir=$scratch/${name%.sh}
	mkdir -p "$tmpdir"
	if [ -x "$t" ]; then
		set -- "./$t"
	else
		set -- sh "$t"
	fi
	if command -v timeout >/dev/null 2>&1; then
		set -- timeout "$timeout" "$@"
	fi
	CUTOVER=$bin SRCDIR=$SRCDIR TEST_TMPDIR=$tmpdir \
	    "$@" >"$scratch/out" 2>&1 </dev/null
	rc=$?
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
