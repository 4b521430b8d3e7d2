#!/bin/bash
# run-in-chroot.sh - try the README's two commands on a fresh Debian 12.
#
# A developer tool, not part of `make check` or CI: it needs root, mounts,
# a network path to Debian's archive and a few minutes.
#
# Usage (as root, from anywhere in the checkout):
#   tests/fresh/run-in-chroot.sh [ROOT]
#
# ROOT is an untouched `debootstrap --variant=minbase bookworm ROOT` tree
# (default /srv/fresh/root); it is never modified.  The script
#   1. copies ROOT to a scratch copy beside it (run-PID),
#   2. copies this checkout into /root/cutover there: the git-tracked files
#      plus untracked files that .gitignore does not exclude (so build/ and
#      anything ignored stays out, as in a fresh clone),
#   3. binds /proc, /sys (with its cgroup mounts), /dev, /dev/pts and
#      /dev/shm (Ansible's multiprocessing needs it),
#      copies /etc/resolv.conf and
#      writes a policy-rc.d that keeps package installs from starting
#      services,
#   4. runs, with a clean environment, `cd /root/cutover && DEMO` and then
#      `cd /root/cutover && TEST`, where DEMO and TEST are the lines under
#      the <!-- demo-command --> and <!-- test-command --> markers of
#      README.md: exactly what the README tells a reader to type,
#   5. reports each exit status and time, unmounts (always, by trap) and
#      deletes the scratch copy.
#
# Environment:
#   KEEP=1      keep the scratch copy (to look around in it afterwards)
#   SEPARATE=1  run the test command in a second fresh copy, so neither
#               command profits from what the other installed
#   LOGDIR      where the two logs go (default /tmp)
set -euo pipefail

root=${1:-/srv/fresh/root}
keep=${KEEP:-0}
separate=${SEPARATE:-0}
logdir=${LOGDIR:-/tmp}

die() { echo "run-in-chroot: $*" >&2; exit 2; }

[ "$(id -u)" = 0 ] || die "must run as root (chroot, mount)"
[ -f "$root/etc/debian_version" ] || die "$root is not a Debian root (no etc/debian_version)"
root=$(cd "$root" && pwd -P)

here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(git -C "$here" rev-parse --show-toplevel) || die "not in a git checkout"
readme=$repo/README.md
[ -f "$readme" ] || die "no README.md in $repo"

# The first line after MARKER that is neither blank nor a ``` fence.
readme_command() {
	awk -v marker="<!-- $1 -->" '
		index($0, marker) { found = 1; next }
		found && /^[[:space:]]*$/ { next }
		found && /^[[:space:]]*```/ { next }
		found { print; exit }
	' "$readme"
}
demo_cmd=$(readme_command demo-command)
test_cmd=$(readme_command test-command)
[ -n "$demo_cmd" ] || die "README.md has no line under <!-- demo-command -->"
[ -n "$test_cmd" ] || die "README.md has no line under <!-- test-command -->"

scratches=()
mounted=()

# Unmount everything under one scratch copy, innermost first.
unmount_all() {
	local i m
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		m=${mounted[i]}
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null ||
			echo "run-in-chroot: could not unmount $m" >&2
	done
	mounted=()
}

# True when anything is still mounted at or under $1.
mounted_under() {
	awk -v p="$1" '$2 == p || index($2, p "/") == 1 { found = 1 } END { exit !found }' /proc/self/mounts
}

cleanup() {
	local s
	unmount_all
	for s in "${scratches[@]}"; do
		if mounted_under "$s"; then
			echo "run-in-chroot: something is still mounted under $s: NOT deleting it" >&2
		elif [ "$keep" = 1 ]; then
			echo "run-in-chroot: kept $s (KEEP=1)"
		else
			rm -rf --one-file-system "$s"
		fi
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# prepare: make a scratch copy with the checkout in it; sets $scratch.
prepare() {
	scratch=$(dirname "$root")/run-$$-$1
	[ ! -e "$scratch" ] || die "$scratch exists already"
	scratches+=("$scratch")
	echo "run-in-chroot: copying $root to $scratch"
	cp -a "$root" "$scratch"

	echo "run-in-chroot: copying the checkout to $scratch/root/cutover"
	mkdir -p "$scratch/root/cutover"
	# Tracked files deleted in the work tree are skipped, like a clone of
	# what is here now.
	(cd "$repo" && git ls-files -co --exclude-standard -z |
		while IFS= read -r -d '' f; do
			if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
		done |
		tar --null -T - --owner=0 --group=0 -cf -) |
		tar -C "$scratch/root/cutover" -xf -

	cp -L /etc/resolv.conf "$scratch/etc/resolv.conf"
	printf '#!/bin/sh\nexit 101\n' >"$scratch/usr/sbin/policy-rc.d"
	chmod 0755 "$scratch/usr/sbin/policy-rc.d"

	local m
	# the root a mount point of its own, as a machine's is: systemd-nspawn
	# (the container layer) remounts / as a slave, which a plain
	# directory refuses (EINVAL)
	mount --bind "$scratch" "$scratch"
	mounted+=("$scratch")
	for m in proc sys dev dev/pts dev/shm; do
		mount --bind "/$m" "$scratch/$m"
		mounted+=("$scratch/$m")
	done
	# the cgroup file systems below /sys (a bind of /sys does not carry
	# them): the container layer's systemd-nspawn needs them
	while read -r m; do
		mount --bind "$m" "$scratch$m"
		mounted+=("$scratch$m")
	done < <(awk '$2 == "/sys/fs/cgroup" || index($2, "/sys/fs/cgroup/") == 1 { print $2 }' \
	    /proc/self/mounts | sort)
}

# run NAME COMMAND: run COMMAND in the chroot from /root/cutover with the
# environment of a root login; sets $rc and $secs.
run() {
	local name=$1 cmd=$2 log=$logdir/cutover-fresh-$$-$1.log start
	echo
	echo "run-in-chroot: [$name] cd /root/cutover && $cmd   (log: $log)"
	start=$(date +%s)
	set +e
	chroot "$scratch" /usr/bin/env -i \
		HOME=/root USER=root LOGNAME=root SHELL=/bin/sh TERM=dumb \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/sh -c "cd /root/cutover && $cmd" </dev/null 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	set -e
	secs=$(($(date +%s) - start))
	echo "run-in-chroot: [$name] exit $rc after ${secs}s"
}

prepare a
run demo "$demo_cmd"
demo_rc=$rc demo_secs=$secs

if [ "$separate" = 1 ]; then
	unmount_all
	prepare b
fi
run test "$test_cmd"
test_rc=$rc test_secs=$secs

echo
echo "run-in-chroot: README demo command: exit $demo_rc (${demo_secs}s): $demo_cmd"
echo "run-in-chroot: README test command: exit $test_rc (${test_secs}s): $test_cmd"
[ "$demo_rc" = 0 ] && [ "$test_rc" = 0 ]
