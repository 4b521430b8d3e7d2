# bench/lib.sh - what bench/decide.sh and bench/switch.sh share; sourced,
# not run.  Root only.
#
# bench_begin NAME "$@": take the machine-wide system-test lock (the
# script runs itself again under flock -o, as demo.sh does: the benches
# use the same users, apache2, nginx and port 8080 as the system tests),
# make the scratch directory $BENCH_TMP (0755: user deploy writes its
# hyperfine results there) and the results directory $RESULTS, set the
# system tests up (tests/system/setup.sh: users deploy and intruder,
# group cutover, the setuid build in /usr/local/libexec/cutover-systest,
# apache2 and nginx configured for 8080), and install the EXIT trap that
# undoes all of it (bench_cleanup, then teardown.sh) even on failure.
# A script adds its own undo steps with `on_exit COMMAND`.
set -u
cd "$(dirname "$0")/.." || exit 2
SRCDIR=$(pwd)
BUILD=${BUILD:-build}
export SRCDIR BUILD
RESULTS=${RESULTS:-$SRCDIR/$BUILD/bench}
PROBE=$SRCDIR/$BUILD/bench/probe

bench_say() {
	printf '%s: %s\n' "$BENCH_NAME" "$*"
}
bench_die() {
	printf '%s: %s\n' "$BENCH_NAME" "$*" >&2
	exit 1
}

bench_undo=
# on_exit COMMAND: run COMMAND (a shell string) at exit, newest first.
on_exit() {
	bench_undo="$1
$bench_undo"
}

bench_cleanup() {
	trap - EXIT INT TERM
	bench_rc=${bench_rc:-$?}
	cd "$SRCDIR" || exit 2
	printf '%s\n' "$bench_undo" | while IFS= read -r cmd; do
		[ -n "$cmd" ] || continue
		eval "$cmd" || echo "$BENCH_NAME: cleanup step failed: $cmd" >&2
	done
	if [ -n "${bench_setup_done:-}" ]; then
		sh tests/system/teardown.sh || {
			echo "$BENCH_NAME: teardown left something behind; run sh tests/system/teardown.sh" >&2
			bench_rc=1
		}
	fi
	rm -rf "$BENCH_TMP"
	exit "$bench_rc"
}

bench_begin() {
	BENCH_NAME=$1
	shift
	[ "$(id -u)" = 0 ] || { echo "$BENCH_NAME: needs root (users, a setuid install, apache2, nginx)" >&2; exit 1; }
	if [ -z "${BENCH_LOCKED:-}" ]; then
		if ! flock -n /run/cutover-systest.lock true; then
			echo "$BENCH_NAME: waiting for the system-test lock (/run/cutover-systest.lock)"
		fi
		BENCH_LOCKED=1 exec flock -o -w 3600 /run/cutover-systest.lock sh "$0" "$@"
	fi
	BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/cutover-bench.XXXXXX") || exit 2
	chmod 0755 "$BENCH_TMP"
	TEST_TMPDIR=$BENCH_TMP
	export TEST_TMPDIR
	# shellcheck source=tests/system/lib.sh
	. tests/system/lib.sh
	trap bench_cleanup EXIT
	trap 'bench_rc=130; exit 130' INT TERM
	mkdir -p "$RESULTS" || bench_die "cannot make $RESULTS"
	for t in hyperfine setpriv flock python3; do
		command -v "$t" >/dev/null 2>&1 || bench_die "no $t (make bench installs what it needs)"
	done
	bench_setup_done=1
	if ! sh tests/system/setup.sh "$BUILD/systest/cutover" >"$BENCH_TMP/setup.out" 2>&1; then
		cat "$BENCH_TMP/setup.out" >&2
		bench_die "tests/system/setup.sh failed"
	fi
}

# as_deploy_in DIR COMMAND...: as_deploy with DIR as the working directory
# (the checkout may be unreadable for deploy).
as_deploy_in() {
	_dir=$1
	shift
	(cd "$_dir" && as_deploy "$@")
}

# machine_info: the lines bench/README.md quotes.
machine_info() {
	echo "date:     $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "cpu:      $(nproc) x $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	echo "kernel:   $(uname -r)"
	echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min, when the bench ended)"
	echo "debian:   $(cat /etc/debian_version)"
	for p in apache2 nginx opendoas sudo hyperfine; do
		echo "$p: $(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || echo '?')"
	done
}
