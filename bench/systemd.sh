#!/bin/sh
# systemd.sh - BENCH=systemd make bench: what a visitor of port 8080 sees
# while `cutover switch newsite` hands it from Debian's apache2.service to
# nginx.service under a real systemd 252 (a systemd-nspawn container,
# tests/container/lib.sh), with and without the socket handoff drop-in,
# ROUNDS (10) rounds a side, each in a fresh container: bench/probe opens
# a new connection every 1 ms inside the container across the switch.
# Prints each round's probe line and, per side, the median and range of
# refused and reset connections and of the longest gap between two good
# answers; writes them to $BUILD/bench/systemd.txt.  Root only.
set -u
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
ROUNDS=${ROUNDS:-10}
VERSION=$(cat VERSION)
[ "$(id -u)" = 0 ] || { echo "systemd.sh: needs root (containers)" >&2; exit 77; }
make --no-print-directory NO_DEPS=1 deb "$BUILD/bench/probe" BUILD="$BUILD" >"$BUILD/bench-systemd-build.log" 2>&1 ||
    { echo "systemd.sh: make deb failed ($BUILD/bench-systemd-build.log)" >&2; exit 1; }
DEB=$(readlink -f "$(ls "$BUILD"/deb/cutover_"$VERSION"_*.deb | head -n 1)")
PROBE=$(readlink -f "$BUILD/bench/probe")
CT_SCRATCH=$(mktemp -d /var/tmp/cutover-bench-systemd.XXXXXX)
export DEB PROBE CT_SCRATCH
. tests/container/site.sh
trap 'ct_cleanup; rm -rf "$CT_SCRATCH"' EXIT
out=$BUILD/bench/systemd.txt
mkdir -p "$BUILD/bench"
: >"$out"

# one_round NAME HANDOFF: a fresh container, the switch under the probe
one_round() {
	site_up "$1" >/dev/null 2>&1 || { echo "container $1 did not come up" >&2; return 1; }
	m=$CT_SCRATCH/$1/merged
	ct_run "$1" install -m 0640 /usr/share/doc/cutover/examples/systemd.conf /etc/cutover/policy.conf
	if [ "$2" = handoff ]; then
		ct_run "$1" install -D -m 0644 /usr/share/doc/cutover/examples/systemd/nginx-cutover-handoff.conf \
		    /etc/systemd/system/nginx.service.d/cutover-handoff.conf
	else
		sed -i 's/socket_handoff = "nginx";//' "$m/etc/cutover/policy.conf"
	fi
	ct_run "$1" systemctl daemon-reload
	cp "$PROBE" "$m/usr/local/bin/probe"
	ct_run "$1" sh -c '/usr/local/bin/probe -i 1000 -t 2000 -r /run/probe.ready >/run/probe.out 2>&1 & echo $! >/run/probe.pid'
	ct_run "$1" sh -c 'i=0; while [ ! -e /run/probe.ready ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done'
	ct_user "$1" deploy cutover switch newsite >"$CT_SCRATCH/$1.switch" 2>&1 ||
	    { echo "the switch failed:" >&2; cat "$CT_SCRATCH/$1.switch" >&2; }
	sleep 0.5
	ct_run "$1" sh -c 'kill -INT "$(cat /run/probe.pid)"; while kill -0 "$(cat /run/probe.pid)" 2>/dev/null; do sleep 0.05; done'
	ct_run "$1" cat /run/probe.out
	ct_poweroff "$1"
}

for side in nohandoff handoff; do
	i=1
	while [ "$i" -le "$ROUNDS" ]; do
		# not in a command substitution: its containers are this shell's
		one_round "r$side$i" "$side" >"$CT_SCRATCH/line"
		echo "$side $i $(cat "$CT_SCRATCH/line")" | tee -a "$out"
		i=$((i + 1))
	done
done
python3 - "$out" <<'EOF' | tee -a "$out"
import sys, statistics
rows = {}
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) < 3 or "=" not in f[2]:
        continue
    kv = dict(x.split("=", 1) for x in f[2:] if "=" in x)
    rows.setdefault(f[0], []).append(kv)
for side, rs in rows.items():
    def col(k):
        v = [float(r[k]) for r in rs]
        return "%g (%g-%g)" % (statistics.median(v), min(v), max(v))
    print("%s: %d rounds; refused %s; reset %s; longest gap ms %s" %
          (side, len(rs), col("refused"), col("reset"), col("max_gap_ms")))
EOF
