#!/bin/sh
# bench/traffic-systemd.sh - the systemd side of bench/traffic.sh: the
# same rounds (bench/traffic.py) against a real systemd 252 as PID 1 in a
# systemd-nspawn container (tests/container/lib.sh), with Debian's own
# apache2.service and nginx.service and the shipped example
# (examples/systemd.conf, the nginx handoff drop-in).  The clients (probe,
# kaload, wrk, curl) are this host's programs run in the container's
# network namespace (nsenter -n); the switch is `cutover switch newsite`
# as the container's user deploy.  Run by traffic.sh (root; RESULTS,
# BENCH_TMP, PROBE, KALOAD, BIG_SHA256 and ROUNDS from it), which then
# reports all sides together.
#
# Debian's apache2.service is used as it is: its stop (ExecStop=apachectl
# graceful-stop) lets the download in flight finish, measured.
set -u
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
VERSION=$(cat VERSION)
make --no-print-directory NO_DEPS=1 deb BUILD="$BUILD" >"$BENCH_TMP/deb.log" 2>&1 ||
    { echo "traffic-systemd: make deb failed ($BENCH_TMP/deb.log)" >&2; exit 1; }
DEB=$(readlink -f "$(ls "$BUILD"/deb/cutover_"$VERSION"_*.deb | head -n 1)")
CT_SCRATCH=$(mktemp -d /var/tmp/cutover-bench-traffic.XXXXXX)
export DEB CT_SCRATCH
. tests/container/site.sh
trap 'ct_cleanup; rm -rf "$CT_SCRATCH"' EXIT

site_up t >"$BENCH_TMP/site.log" 2>&1 ||
    { cat "$BENCH_TMP/site.log" >&2; echo "traffic-systemd: the container did not come up" >&2; exit 1; }
m=$CT_SCRATCH/t/merged
ct_run t install -m 0640 /usr/share/doc/cutover/examples/systemd.conf /etc/cutover/policy.conf &&
    ct_run t install -D -m 0644 /usr/share/doc/cutover/examples/systemd/nginx-cutover-handoff.conf \
    /etc/systemd/system/nginx.service.d/cutover-handoff.conf || exit 1
ct_run t systemctl daemon-reload || exit 1
cp "$OLD_ROOT_BIG" "$m/var/www/html/big.bin" && cp "$OLD_ROOT_BIG" "$m/srv/new/big.bin" &&
    chmod 0644 "$m/var/www/html/big.bin" "$m/srv/new/big.bin" || exit 1

pid1=$(cat "$CT_SCRATCH/t/pid1")
gid=$(ct_run t id -g deploy) || exit 1
NETNS="nsenter -t $pid1 -n --"
export NETNS
# shellcheck disable=SC2016 # for that shell
cmd="nsenter -t $pid1 -a -- /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 setpriv --reuid=deploy --regid=$gid --init-groups --inh-caps=-all -- /bin/sh -c 'exec \"\$0\" \"\$@\"' cutover switch newsite"

rm -f "$RESULTS/traffic-systemd.jsonl" "$RESULTS"/traffic-systemd.*.log
n=1
while [ "$n" -le "${ROUNDS:-10}" ]; do
	# back to apache2, at boot as well (the switch's persist changed it)
	ct_run t sh -c 'systemctl stop nginx.service; systemctl disable --quiet nginx.service;
	    systemctl enable --quiet apache2.service; systemctl start apache2.service' ||
	    { echo "traffic-systemd: round $n: cannot reset to apache2" >&2; exit 1; }
	i=0
	until [ "$(page t)" = "$OLD_TEXT" ]; do
		i=$((i + 1))
		[ "$i" -lt 100 ] || { echo "traffic-systemd: apache2 does not serve" >&2; exit 1; }
		sleep 0.1
	done
	python3 bench/traffic.py round systemd "$n" "$cmd" || exit 1
	n=$((n + 1))
done
ct_poweroff t >/dev/null 2>&1
exit 0
