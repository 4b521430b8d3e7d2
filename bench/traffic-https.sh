#!/bin/sh
# bench/traffic-https.sh - the HTTPS side of bench/traffic.sh (issue 27):
# a whole site, 80 and 443, moved from apache2 to nginx under load, with
# a real systemd 252 as PID 1 in a systemd-nspawn container
# (tests/container/site.sh's site_up_tls: Debian's apache2 with mod_ssl's
# default-ssl site, nginx with the ssl-cert snakeoil certificate and the
# package's handoff drop-in).  The clients are this host's programs run
# in the container's network namespace (nsenter -n): h2load (HTTP/1.1
# and HTTP/2 over TLS on 443), wrk (plain HTTP on 80), the 1 ms probe on
# each port and a download on each; the switch is `cutover switch site`
# (ports = [80, 443]) as the container's user deploy, at 2 s.  Each
# round (bench/traffic.py round-https) starts from apache2 serving both
# ports.  Run by traffic.sh (root; RESULTS, BENCH_TMP, PROBE,
# OLD_ROOT_BIG, BIG_SHA256 and ROUNDS from it), which reports all sides.
# Measured, never asserted.
set -u
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
VERSION=$(cat VERSION)
command -v h2load >/dev/null 2>&1 ||
    { echo "traffic-https: no h2load (nghttp2-client; make bench installs it)" >&2; exit 1; }
make --no-print-directory NO_DEPS=1 deb BUILD="$BUILD" >"$BENCH_TMP/deb.log" 2>&1 ||
    { echo "traffic-https: make deb failed ($BENCH_TMP/deb.log)" >&2; exit 1; }
DEB=$(readlink -f "$(ls "$BUILD"/deb/cutover_"$VERSION"_*.deb | head -n 1)")
CT_SCRATCH=$(mktemp -d /var/tmp/cutover-bench-https.XXXXXX)
export DEB CT_SCRATCH
. tests/container/site.sh
trap 'ct_cleanup; rm -rf "$CT_SCRATCH"' EXIT

site_up_tls t >"$BENCH_TMP/site.log" 2>&1 ||
    { cat "$BENCH_TMP/site.log" >&2; echo "traffic-https: the container did not come up" >&2; exit 1; }
m=$CT_SCRATCH/t/merged
PORT="80, 443"      # the services' ports in the policy (site.sh's unit_service)
# HTTP/2 on apache2 too (a2enmod http2: Protocols h2 h2c http/1.1), so
# that the HTTP/2 load is HTTP/2 before the switch as after it
for f in http2.load http2.conf; do
	ln -sf "../mods-available/$f" "$m/etc/apache2/mods-enabled/$f"
done
ct_run t systemctl restart apache2 || exit 1
ct_run t install -D -m 0644 /usr/share/doc/cutover/examples/systemd/nginx-cutover-handoff.conf \
    /etc/systemd/system/nginx.service.d/cutover-handoff.conf || exit 1
ct_run t systemctl daemon-reload || exit 1
cp "$OLD_ROOT_BIG" "$m/var/www/html/big.bin" && cp "$OLD_ROOT_BIG" "$m/srv/new/big.bin" &&
    chmod 0644 "$m/var/www/html/big.bin" "$m/srv/new/big.bin" || exit 1
# the plan's checks: the page on 80, and on 443 by the certificate's own
# name at this host's server, its CA the snakeoil certificate itself
snake=/etc/ssl/certs/ssl-cert-snakeoil.pem
cn=$(ct_run t openssl x509 -in "$snake" -noout -subject | sed -n 's/.*CN *= *//p')
[ -n "$cn" ] || { echo "traffic-https: no name in the snakeoil certificate" >&2; exit 1; }
cat >"$CT_SCRATCH/policy.conf" <<POLICY
services = {
$(svc_apache2 'stop_timeout = 30.0;')
$(svc_nginx 'socket_handoff = "nginx";')
};
ports = ( { port = 80; holders = ["apache2", "nginx"]; },
          { port = 443; holders = ["apache2", "nginx"]; } );
checks = {
  homepage = { url = "http://127.0.0.1/"; contains = "$NEW_TEXT"; within = 10.0; };
  tls = { url = "https://$cn/"; connect_to = "127.0.0.1"; ca_file = "$snake";
          contains = "$NEW_TEXT"; within = 10.0; };
};
plans = { site = { ports = [80, 443]; from = "apache2"; to = "nginx"; verify = ["homepage", "tls"]; }; };
rules = ( { users = ["deploy"]; switch = ["site"]; } );
POLICY
site_policy t "$CT_SCRATCH/policy.conf"

pid1=$(cat "$CT_SCRATCH/t/pid1")
gid=$(ct_run t id -g deploy) || exit 1
NETNS="nsenter -t $pid1 -n --"
export NETNS
# shellcheck disable=SC2016 # for that shell
cmd="nsenter -t $pid1 -a -- /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 setpriv --reuid=deploy --regid=$gid --init-groups --inh-caps=-all -- /bin/sh -c 'exec \"\$0\" \"\$@\"' cutover switch site"

rm -f "$RESULTS/traffic-https.jsonl" "$RESULTS"/traffic-https.*
n=1
while [ "$n" -le "${ROUNDS:-10}" ]; do
	# back to apache2 on both ports, at boot as well
	ct_run t sh -c 'systemctl stop nginx.service; systemctl disable --quiet nginx.service;
	    systemctl enable --quiet apache2.service; systemctl start apache2.service' ||
	    { echo "traffic-https: round $n: cannot reset to apache2" >&2; exit 1; }
	i=0
	until [ "$(ct_run t curl -sk --max-time 5 https://127.0.0.1/)" = "$OLD_TEXT" ] &&
	    [ "$(ct_run t curl -s --max-time 5 http://127.0.0.1/)" = "$OLD_TEXT" ]; do
		i=$((i + 1))
		[ "$i" -lt 100 ] || { echo "traffic-https: apache2 does not serve" >&2; exit 1; }
		sleep 0.1
	done
	python3 bench/traffic.py round-https "$n" "$cmd" || exit 1
	n=$((n + 1))
done
ct_poweroff t >/dev/null 2>&1
exit 0
