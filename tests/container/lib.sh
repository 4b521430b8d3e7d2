# lib.sh - a real systemd 252 as PID 1 of a systemd-nspawn container, for
# the container tests (tests/container/run.sh).  Sourced; root only.
#
# The root is Debian bookworm from debootstrap (minbase, with systemd,
# dbus, apache2 and nginx and what the cutover .deb depends on), built
# once into $CT_CACHE and reused; a root whose package list differs, or
# an interrupted build, is built again.  Every container boots on an
# overlay of its own (lower: the cached root, read-only; upper: the test's
# scratch directory), so a test starts from the clean image, and a reboot
# of the same container (ct_poweroff, then ct_boot again) keeps what the
# test changed, as a real disk would.
#
# The host has no systemd: systemd-nspawn runs with --register=no and
# --keep-unit, in a cgroup of its own per container (in every hierarchy
# nspawn uses), which ct_cleanup kills and removes with whatever nspawn
# left in it.  The container has its own network namespace
# (--private-network: only its loopback), no console (--console=passive),
# and nspawn's output goes to a log file, never to the runner's stdout or
# stderr (a daemon holding CI's pipe would keep CI waiting).
#
#   ct_root                the cached root's path (built when missing)
#   ct_create NAME         container NAME's overlay, not booted: its root
#                          is $CT_SCRATCH/NAME/merged, for the test to set up
#   ct_boot NAME           boot container NAME (again, after a poweroff)
#   ct_run NAME CMD...     run CMD in it as root (all its namespaces)
#   ct_user NAME USER CMD  run CMD in it as USER (no capabilities)
#   ct_poweroff NAME       shut it down cleanly, wait for nspawn to end
#   ct_powercut NAME       a power cut: every process killed at once, the
#                          container's cgroups and mounts gone, its disk
#                          (the overlay) kept for ct_boot
#   ct_cleanup             stop and remove every container of this run
#
# Needs: CT_SCRATCH, a directory of the test's (the overlays live there).
# CT_BIND (optional): a host directory every container sees at the same
# path, read-write (make coverage: the instrumented cutover's counts,
# tests/coverage/run.sh).

CT_CACHE=${CUTOVER_CT_CACHE:-/var/tmp/cutover-container}
CT_SUITE=bookworm
CT_MIRROR=${CUTOVER_CT_MIRROR:-http://deb.debian.org/debian}
# adduser, libcurl4, libconfig9, libcap2: the .deb's dependencies (the
# container has no network, so nothing can be fetched later); curl, procps
# and iproute2 for the tests themselves; openssh-server and python3 for
# the fleet test (t-fleet.sh: Ansible over ssh, its modules in Python);
# prometheus-node-exporter for the monitoring test (t-monitor.sh: Debian's
# exporter reads the metrics cutover writes); ssl-cert for the real-site
# tests (its postinst makes the snakeoil certificate that Debian's
# default-ssl site and an nginx on 443 serve).
CT_PACKAGES=systemd,systemd-sysv,dbus,apache2,nginx,adduser,libcurl4,libconfig9,libcap2,passwd,curl,procps,iproute2,openssh-server,python3,prometheus-node-exporter,ssl-cert,logrotate
CT_CGROUP_FS=/sys/fs/cgroup

ct_say() {
	echo "container: $*" >&2
}

# ct_root: print the root's path; debootstrap it first when it is missing.
ct_root() {
	key=$(printf '%s %s %s\n' "$CT_SUITE" "$CT_PACKAGES" 2 | sha256sum | cut -c1-12)
	root=$CT_CACHE/root-$key
	if [ -e "$root/.complete" ]; then
		touch "$root"   # in use: not an old root (below)
		echo "$root"
		return 0
	fi
	mkdir -p "$CT_CACHE" || return 1
	rm -rf "$root.build"
	ct_say "building $root (debootstrap $CT_SUITE, about a minute; cached afterwards)"
	if ! debootstrap --variant=minbase --include="$CT_PACKAGES" "$CT_SUITE" \
	    "$root.build" "$CT_MIRROR" >"$CT_CACHE/debootstrap.log" 2>&1; then
		ct_say "debootstrap failed; its log: $CT_CACHE/debootstrap.log"
		tail -n 20 "$CT_CACHE/debootstrap.log" >&2
		rm -rf "$root.build"
		return 1
	fi
	# apache2's and nginx's own packages stay, for the upgrade tests (dpkg
	# -i of the same version runs its postinst, as apt-get install
	# --reinstall would; the container has no network); the rest of apt's
	# cache goes
	find "$root.build/var/cache/apt/archives" -name '*.deb' ! -name 'apache2*' \
	    ! -name 'nginx*' ! -name 'libnginx*' -delete
	# roots of another package list go once unused for a week (another
	# checkout, another branch, may still use one meanwhile)
	find "$CT_CACHE" -mindepth 1 -maxdepth 1 -name 'root-*' ! -name "root-$key*" \
	    -mtime +7 -exec rm -rf {} +
	mv "$root.build" "$root" && touch "$root/.complete" || return 1
	echo "$root"
}

# The cgroup directories of container NAME: one per hierarchy nspawn uses
# (cgroup v2 alone, or the hybrid layout's name=systemd and unified).
ct_cgroups() {
	for h in "$CT_CGROUP_FS" "$CT_CGROUP_FS/systemd" "$CT_CGROUP_FS/unified"; do
		[ -e "$h/cgroup.procs" ] && echo "$h/cutover-ct-$1-$$"
	done
}

# ct_create NAME: container NAME's root, $CT_SCRATCH/NAME/merged, an
# overlay on the cached root; nothing runs in it yet.
ct_create() {
	dir=$CT_SCRATCH/$1
	root=$(ct_root) || return 1
	if [ ! -d "$dir/merged" ]; then
		mkdir -p "$dir/upper" "$dir/work" "$dir/merged" || return 1
	fi
	mountpoint -q "$dir/merged" && return 0
	mount -t overlay overlay \
	    -o "lowerdir=$root,upperdir=$dir/upper,workdir=$dir/work" "$dir/merged"
}

# ct_boot NAME: boot (or boot again) container NAME (ct_create first when
# it does not exist); wait until systemd says the system is up.
ct_boot() {
	name=$1
	dir=$CT_SCRATCH/$name
	ct_create "$name" || return 1
	for cg in $(ct_cgroups "$name"); do
		mkdir -p "$cg" || return 1
	done
	# --system-call-filter=bpf: nspawn's own filter refuses bpf(), which a
	# host allows root: cutover's bind guard (helper/act/portguard.c) needs
	# it, as on the hosts these containers stand for
	# shellcheck disable=SC2016 # expanded by that shell
	setsid sh -c 'for cg in $1; do echo $$ >"$cg/cgroup.procs" || exit 1; done; shift
	    exec "$@"' sh "$(ct_cgroups "$name" | tr '\n' ' ')" \
	    systemd-nspawn -q -D "$dir/merged" -M "cutover-$name" \
	    --private-network --register=no --keep-unit --console=passive -b \
	    --system-call-filter=bpf ${CT_BIND:+"--bind=$CT_BIND"} \
	    </dev/null >>"$dir/nspawn.log" 2>&1 &
	echo $! >"$dir/nspawn.pid"
	i=0
	while :; do
		pid1=$(ct_pid1 "$name")
		[ -n "$pid1" ] && break
		i=$((i + 1))
		if [ "$i" -gt 100 ] || ! kill -0 "$(cat "$dir/nspawn.pid")" 2>/dev/null; then
			ct_say "$name: systemd did not start; nspawn's log:"
			tail -n 20 "$dir/nspawn.log" >&2
			return 1
		fi
		sleep 0.1
	done
	echo "$pid1" >"$dir/pid1"
	# systemd's bus may not be up yet when PID 1 is (a loaded 2-core CI
	# runner took more than 5 s): wait for its private socket, for up to
	# 60 s, then ask; ask again while it still cannot connect.
	i=0
	while [ ! -S "/proc/$pid1/root/run/systemd/private" ] && [ "$i" -lt 600 ]; do
		kill -0 "$pid1" 2>/dev/null || break
		i=$((i + 1))
		sleep 0.1
	done
	i=0
	while :; do
		state=$(ct_run "$name" timeout 60 systemctl is-system-running --wait 2>&1)
		case $state in
		*"Failed to connect to bus"*) ;;
		*) break ;;
		esac
		i=$((i + 1))
		[ "$i" -lt 40 ] || break
		sleep 0.5
	done
	case $state in
	running) return 0 ;;
	esac
	ct_say "$name: systemd says '$state'; failed units:"
	ct_run "$name" systemctl --no-pager --failed >&2
	return 1
}

# ct_pid1 NAME: the host pid of the container's systemd (comm systemd,
# pid 1 in its own namespace, in the container's cgroup).
ct_pid1() {
	cg=$(ct_cgroups "$1" | tail -n 1)
	cg=${cg#"$CT_CGROUP_FS"}
	cg=${cg#/systemd}
	cg=${cg#/unified}
	for st in /proc/[0-9]*/status; do
		p=${st%/status}
		p=${p#/proc/}
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = systemd ] || continue
		nspid=$(sed -n 's/^NSpid:[[:space:]]*//p' "$st" 2>/dev/null)
		case $nspid in *[[:space:]]1) ;; *) continue ;; esac
		grep -q "$cg" "/proc/$p/cgroup" 2>/dev/null && { echo "$p"; return 0; }
	done
	return 1
}

# ct_run NAME CMD...: CMD in every namespace of the container, as root,
# with a clean environment, in its root directory (-r -w: entering the
# mount namespace alone lands at that namespace's first root, which is the
# container's only when the host's / is where nspawn put it - not in a
# chroot, tests/fresh/run-in-chroot.sh).
ct_run() {
	pid1=$(cat "$CT_SCRATCH/$1/pid1") || return 1
	shift
	nsenter -t "$pid1" -a -r -w -- /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	    LANG=C.UTF-8 "$@"
}

# ct_user NAME USER CMD...: CMD as USER (its uid, gid and groups; no
# capabilities: setpriv's own are dropped by the shell it execs; the
# bounding set stays whole, as a login's, or setuid root would not work).
ct_user() {
	n=$1
	u=$2
	shift 2
	g=$(ct_run "$n" id -g "$u") || return 1
	# shellcheck disable=SC2016 # expanded by that shell
	ct_run "$n" setpriv --reuid="$u" --regid="$g" --init-groups --inh-caps=-all \
	    -- /bin/sh -c 'exec "$0" "$@"' "$@"
}

# ct_poweroff NAME: a clean shutdown (systemctl poweroff); nspawn must
# end within 30 s, or the container's processes are killed.
ct_poweroff() {
	dir=$CT_SCRATCH/$1
	pid=$(cat "$dir/nspawn.pid" 2>/dev/null) || return 0
	ct_run "$1" systemctl poweroff >/dev/null 2>&1
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		if [ "$i" -gt 300 ]; then
			ct_say "$1: did not power off within 30 s; killing it"
			ct_kill "$1"
			break
		fi
		sleep 0.1
	done
	wait "$pid" 2>/dev/null
	rm -f "$dir/nspawn.pid" "$dir/pid1"
	return 0
}

# ct_powercut NAME: what a power cut leaves - nothing running, the disk
# as it was; then ct_boot NAME boots it again.  (Data the kernel had not
# yet written is not lost, as it would be on real hardware: the journal's
# own fsync is what a power cut tests, and nspawn cannot drop a page cache.)
ct_powercut() {
	dir=$CT_SCRATCH/$1
	pid=$(cat "$dir/nspawn.pid" 2>/dev/null)
	old=$(cat "$dir/pid1" 2>/dev/null)
	ct_kill "$1"
	[ -n "$pid" ] && wait "$pid" 2>/dev/null
	# the old systemd, until reaped, would be taken for the new one's
	i=0
	while [ -n "$old" ] && [ -e "/proc/$old" ] && [ "$i" -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	for cg in $(ct_cgroups "$1"); do
		[ -d "$cg" ] || continue
		i=0
		while [ -n "$(find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null)" ] &&
		    [ "$i" -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	grep " $dir/merged/" /proc/mounts | cut -d' ' -f2 | sort -r |
	    while read -r m; do umount -l "$m" 2>/dev/null; done
	rm -f "$dir/nspawn.pid" "$dir/pid1"
}

# ct_kill NAME: SIGKILL every process in the container's cgroups.
ct_kill() {
	for cg in $(ct_cgroups "$1"); do
		[ -d "$cg" ] || continue
		if [ -e "$cg/cgroup.kill" ]; then
			echo 1 >"$cg/cgroup.kill" 2>/dev/null
		fi
		find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null |
		    while read -r p; do kill -9 "$p" 2>/dev/null; done
	done
}

# ct_cleanup: every container of this run stopped, its cgroups, mounts
# and overlay removed (the test's trap calls it, also on failure).  The
# containers are found in $CT_SCRATCH, not in a variable: one made in a
# subshell (a command substitution) is found too.
ct_cleanup() {
	for dir in "$CT_SCRATCH"/*/; do
		[ -d "$dir/merged" ] || continue
		dir=${dir%/}
		n=${dir##*/}
		ct_kill "$n"
		for cg in $(ct_cgroups "$n"); do
			[ -d "$cg" ] || continue
			# a killed process leaves its cgroup only once it is reaped
			i=0
			while [ -n "$(find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null)" ] &&
			    [ "$i" -lt 100 ]; do
				sleep 0.1
				i=$((i + 1))
			done
			# nspawn leaves payload/ and supervisor/ behind: deepest first
			find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
			[ -d "$cg" ] && ct_say "$n: could not remove $cg"
		done
		# mounts the container left below its root, then the root itself
		grep " $dir/merged" /proc/mounts | cut -d' ' -f2 | sort -r |
		    while read -r m; do umount -l "$m" 2>/dev/null; done
		mountpoint -q "$dir/merged" && umount -l "$dir/merged"
		rm -rf "$dir"
	done
}
