#!/bin/sh
# fleet.sh - BENCH=fleet make bench (issue 30): how long a roll-out of
# rolling-switch.yml takes as the fleet grows, and with which batches.
# MAX (12) hosts are brought up at once (tests/container/fleet.sh: systemd
# 252 containers, Debian's apache2.service serving, reached over real ssh
# as deploy); then for each fleet size of SIZES (2 4 8 12) and each batch
# list of BATCHES, every host is put back on apache2 (as root) and the
# good roll-out is timed: preview, batches, a bake of one check a batch
# (BAKE_CHECKS=1, no pause: the mechanism, not the operator's bake time),
# summary.  Also the preview alone (--check) per size, and, on the MAX
# hosts in one batch, the bake of BAKE_WAIT (3 checks 2 s apart) with each
# forks of BAKE_FORKS (2 and MAX): the bake waits once a batch, so the
# narrower forks costs only its switching rounds, not a bake a round.  Writes
# $BUILD/bench/fleet.txt: one line a run (size, batches, number of batches,
# seconds).  Root only; not a test.
set -u
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
MAX=${MAX:-12}
SIZES=${SIZES:-2 4 8 12}
BATCHES=${BATCHES:-'[1] [1,5,"25%"] ["100%"]'}
BAKE_CHECKS=${BAKE_CHECKS:-1}
BAKE_FORKS=${BAKE_FORKS:-2 $MAX}
VERSION=$(cat VERSION)
[ "$(id -u)" = 0 ] || { echo "fleet.sh: needs root (containers)" >&2; exit 77; }
make --no-print-directory NO_DEPS=1 deb BUILD="$BUILD" >"$BUILD/bench-fleet-build.log" 2>&1 ||
    { echo "fleet.sh: make deb failed ($BUILD/bench-fleet-build.log)" >&2; exit 1; }
DEB=$(readlink -f "$(ls "$BUILD"/deb/cutover_"$VERSION"_*.deb | head -n 1)")
ANSIBLE_DEB=$(readlink -f "$(ls "$BUILD"/deb/cutover-ansible_"$VERSION"_all.deb | head -n 1)")
CT_SCRATCH=$(mktemp -d /var/tmp/cutover-bench-fleet.XXXXXX)
export DEB ANSIBLE_DEB CT_SCRATCH
# one container run at a time on the machine (the container tests' lock)
exec 9>/run/cutover-container.lock
flock -w 3600 9 || { echo "fleet.sh: the container lock" >&2; exit 1; }
. tests/container/site.sh
. tests/container/fleet.sh
trap 'close_masters; ct_cleanup; rm -rf "$CT_SCRATCH"' EXIT
out=$BUILD/bench/fleet.txt
mkdir -p "$BUILD/bench"

fleet_prepare || exit 1
fleet_up "$MAX" >"$out" || exit 1
cat "$out"
echo "size batches nbatches seconds rc" | tee -a "$out"

# seconds: the time since $t0, in seconds with milliseconds
seconds() {
	ms=$((($(date +%s%N) - t0) / 1000000))
	echo "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
}
# nbatches SIZE BATCHES: how many batches Ansible makes of SIZE hosts
nbatches() {
	python3 -c '
import json, math, sys
n, left, out = int(sys.argv[1]), int(sys.argv[1]), 0
b = json.loads(sys.argv[2])
i = 0
while left > 0:
    s = b[min(i, len(b) - 1)]
    s = max(1, math.floor(n * int(s[:-1]) / 100)) if isinstance(s, str) else s
    left -= s; out += 1; i += 1
print(out)' "$1" "$2"
}

for n in $SIZES; do
	fleet_inventory "$n"
	t0=$(date +%s%N)
	playbook_run --check >"$CT_SCRATCH/run.out" 2>&1
	echo "$n preview 1 $(seconds) $?" | tee -a "$out"
	for b in $BATCHES; do
		for h in $(seq -s ' ' -f 'host%g' 1 "$n"); do
			ct_run "$h" systemctl disable --now nginx.service >/dev/null 2>&1
			ct_run "$h" systemctl enable --now apache2.service >/dev/null 2>&1
		done
		t0=$(date +%s%N)
		playbook_run -e reverse_plan=oldsite -e bake_checks="$BAKE_CHECKS" -e bake_interval=0 \
		    -e "{\"batches\": $b}" >"$CT_SCRATCH/run.out" 2>&1
		rc=$?
		echo "$n $b $(nbatches "$n" "$b") $(seconds) $rc" | tee -a "$out"
		[ "$rc" = 0 ] || tail -n 30 "$CT_SCRATCH/run.out" >&2
	done
done

# the bake, once a batch whatever the forks: MAX hosts in one batch, three
# checks two seconds apart (4 s of waits), with forks of BAKE_FORKS
fleet_inventory "$MAX"
for f in $BAKE_FORKS; do
	for h in $(seq -s ' ' -f 'host%g' 1 "$MAX"); do
		ct_run "$h" systemctl disable --now nginx.service >/dev/null 2>&1
		ct_run "$h" systemctl enable --now apache2.service >/dev/null 2>&1
	done
	t0=$(date +%s%N)
	playbook_run -f "$f" -e reverse_plan=oldsite -e bake_checks=3 -e bake_interval=2 \
	    -e '{"batches": ["100%"]}' >"$CT_SCRATCH/run.out" 2>&1
	rc=$?
	echo "$MAX bake-forks-$f 1 $(seconds) $rc pauses $(grep -c '^Pausing for' "$CT_SCRATCH/run.out")" | tee -a "$out"
	[ "$rc" = 0 ] || tail -n 30 "$CT_SCRATCH/run.out" >&2
done
