#!/bin/sh
# run.sh - the container tests: the cutover .deb installed in a
# systemd-nspawn container whose PID 1 is a real systemd 252 (lib.sh), with
# Debian's own apache2.service and nginx.service, and a real unprivileged
# user deploy inside.  Root only; needs systemd-nspawn (systemd-container)
# and debootstrap (make check as root installs them).
#
# Usage: tests/container/run.sh [DEB]   (default: $BUILD/deb/cutover_*.deb,
#                                        built with make deb when missing)
#
# Each tests/container/t-*.sh runs in a shell of its own, with CT_SCRATCH
# (its own directory: its containers' overlays), DEB and lib.sh, site.sh
# to source; it boots what it needs and its trap removes it (lib.sh's
# ct_cleanup), and this runner checks afterwards that no container, mount
# or cgroup of the run is left.  Exit 0 pass, 77 skip, else fail; under
# timeout(1), CT_TIMEOUT seconds (default 300).  A failed test's output is
# printed (every test's with VERBOSE=1).
#
# Prints ok/FAIL/skip per file, then "N passed, N failed" (", N skipped").
set -u

cd "$(dirname "$0")/../.." || exit 2
BUILD=${BUILD:-build}
VERSION=$(cat VERSION)

if [ "$(id -u)" != 0 ]; then
	echo "container: needs root (mounts, cgroups, systemd-nspawn): not run"
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
fi
for tool in systemd-nspawn debootstrap nsenter; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "container: no $tool (make deps as root installs systemd-container and debootstrap)"
		echo "0 passed, 1 failed"
		exit 1
	fi
done

deb=${1:-}
if [ -z "$deb" ]; then
	deb=$(ls "$BUILD"/deb/cutover_"$VERSION"_*.deb 2>/dev/null | head -n 1)
	if [ -z "$deb" ]; then
		echo "container: building the .deb (make deb)"
		"${MAKE:-make}" --no-print-directory deb BUILD="$BUILD" >"$BUILD/container-deb.log" 2>&1 ||
		    { echo "FAIL make deb (see $BUILD/container-deb.log)"; echo "0 passed, 1 failed"; exit 1; }
		deb=$(ls "$BUILD"/deb/cutover_"$VERSION"_*.deb | head -n 1)
	fi
fi
DEB=$(readlink -f "$deb")
# the collection's package, built with it (t-fleet.sh runs the collection
# from it, as a controller that installed it would)
ANSIBLE_DEB=$(ls "$(dirname "$DEB")"/cutover-ansible_"$VERSION"_all.deb 2>/dev/null)
# the switch's probe (bench/probe.c: libc only, so it runs in the bookworm
# container as it is)
PROBE=$BUILD/bench/probe
# always through make: an older probe lacks what newer tests ask of it
"${MAKE:-make}" --no-print-directory "$PROBE" BUILD="$BUILD" >/dev/null 2>&1 ||
    { echo "FAIL make $PROBE"; echo "0 passed, 1 failed"; exit 1; }
PROBE=$(readlink -f "$PROBE")
# cutover with ASan and UBSan for t-asan.sh: the package's paths, the
# sanitizer runtimes linked in (the container has no libasan)
ASAN_CUTOVER=$BUILD/ct/asan/cutover
"${MAKE:-make}" --no-print-directory NO_DEPS=1 BUILD="$BUILD/ct" PREFIX=/usr \
    SAN_LDFLAGS='-pie -Wl,-z,relro -Wl,-z,now -fsanitize=address,undefined -static-libasan -static-libubsan' \
    "$ASAN_CUTOVER" >"$BUILD/container-asan.log" 2>&1 ||
    { echo "FAIL make $ASAN_CUTOVER (see $BUILD/container-asan.log)"; echo "0 passed, 1 failed"; exit 1; }
ASAN_CUTOVER=$(readlink -f "$ASAN_CUTOVER")
export DEB ANSIBLE_DEB PROBE ASAN_CUTOVER

. tests/container/lib.sh
# the cached root, built once here rather than inside the first test
started=$(date +%s)
ct_root >/dev/null || { echo "FAIL the container root (debootstrap)"; echo "0 passed, 1 failed"; exit 1; }
echo "container: root $(ct_root) ready after $(($(date +%s) - started)) s"

scratch=$(mktemp -d /var/tmp/cutover-container-run.XXXXXX) || exit 2
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM
passed=0 failed=0 skipped=0

for t in tests/container/${CT_ONLY:-t-*}.sh; do
	[ -e "$t" ] || continue
	name=${t#tests/container/}
	dir=$scratch/${name%.sh}
	mkdir -p "$dir"
	t0=$(date +%s)
	CT_SCRATCH=$dir timeout "${CT_TIMEOUT:-300}" sh "$t" >"$dir.out" 2>&1 </dev/null
	rc=$?
	# what a test must never leave: its containers, their mounts, cgroups
	left=$(grep -F " $dir/" /proc/mounts | cut -d' ' -f2)
	left="$left$(find /sys/fs/cgroup /sys/fs/cgroup/systemd /sys/fs/cgroup/unified \
	    -maxdepth 1 -name 'cutover-ct-*' 2>/dev/null)"
	if [ -n "$left" ]; then
		echo "left behind: $left" >>"$dir.out"
		rc=1
	fi
	secs=$(($(date +%s) - t0))
	case $rc in
	0) echo "ok   $name ($secs s)"; passed=$((passed + 1)) ;;
	77) echo "skip $name"; skipped=$((skipped + 1)); sed 's/^/    | /' "$dir.out" ;;
	*) echo "FAIL $name (exit $rc, $secs s)"; failed=$((failed + 1)); sed 's/^/    | /' "$dir.out" ;;
	esac
	[ "${VERBOSE:-0}" = 1 ] && [ "$rc" = 0 ] && sed 's/^/    | /' "$dir.out"
done

if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
