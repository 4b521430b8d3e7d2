#!/bin/sh
# A whole site moved as one (issue 27): Debian's apache2.service with
# mod_ssl's default-ssl site serves the old page on 80 and 443 (one
# dual-stack socket each, the snakeoil certificate of ssl-cert), and
# nginx.service, with the package's handoff drop-in, is to serve the new
# page on both.  As deploy, `cutover switch site` (ports = [80, 443])
# takes over both listening sockets - a take-port step and a record for
# each - and hands both to nginx in one start: the same two inodes serve
# after it, and four probes (a new connection every 1 ms over http and
# https, IPv4 and IPv6) count no refused or reset connection.  A plan
# whose check fails rolls the whole site back to apache2 (both ports):
# apache2 was only paused while nginx was checked, so it goes on with the
# same master and sockets, and the probes count nothing failed across
# that rollback either (before, apache2 was started again and bound
# afresh: about 100 ms refused).  A site whose 443 socket cannot be
# handed over (bound to 127.0.0.1 only) is not half handed: the switch
# takes the gap for both ports and says so.  Debian's shipped nginx site
# (listen 80; listen [::]:80;), which could not take apache2's dual-stack
# sockets, and an invalid nginx configuration are refused by the
# pre-flight, with the line to change or nginx's own words.
. tests/container/site.sh

# Each port's sockets: "PORT INODE" lines, sorted.
sockets() {
	for p in 80 443; do
		ct_run "$1" ss -Hltne "sport = :$p" | sed -n "s/.* ino:\([0-9]*\).*/$p \1/p"
	done | sort
}

# probes_start NAME: a probe per port and family, 1 ms apart each.
probes_start() {
	for spec in "h4 127.0.0.1 80 200" "h6 ::1 80 200" "s4 127.0.0.1 443 400" "s6 ::1 443 400"; do
		set -- $spec
		ct_run a sh -c "/usr/local/bin/probe -a $2 -p $3 -e $4 -i 1000 -t 2000 \
		    -r /run/probe-$1.ready >/run/probe-$1.out 2>&1 & echo \$! >/run/probe-$1.pid"
	done
	ct_run a sh -c 'for p in h4 h6 s4 s6; do i=0; while [ ! -e /run/probe-$p.ready ] &&
	    [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done; done'
}

# probes_stop WHAT: stop them; each one's line, judged when WHAT is "judge".
probes_stop() {
	sleep 0.3
	ct_run a sh -c 'for p in h4 h6 s4 s6; do kill -INT "$(cat /run/probe-$p.pid)"; done
	    for p in h4 h6 s4 s6; do while kill -0 "$(cat /run/probe-$p.pid)" 2>/dev/null; do
	    sleep 0.05; done; rm -f /run/probe-$p.ready; done'
	for p in h4 h6 s4 s6; do
		line=$(ct_run a cat "/run/probe-$p.out")
		echo "probe $p ($2): $line"
		[ "$1" = judge ] || continue
		case $line in
		*" refused=0 reset=0 short=0 badstatus=0 timeout=0 error=0 "*) ;;
		*) fail_check "probe $p saw failed requests across the switch" "$line" ;;
		esac
	done
}

# site_up_web NAME: the site (site.sh), with the handoff drop-in
site_up_web() {
	site_up_tls "$1" || return 1
	cp "$CT_SCRATCH/$1/merged/usr/share/doc/cutover/examples/systemd/nginx-cutover-handoff.conf" \
	    "$CT_SCRATCH/$1/merged/etc/systemd/system/nginx.service.d/cutover-handoff.conf"
	ct_run "$1" systemctl daemon-reload
}

# serves NAME URL TEXT: curl (the snakeoil certificate trusted for it) sees TEXT.
serves() {
	got=$(ct_run "$1" curl -sk --max-time 5 "$2")
	case $got in
	*"$3"*) echo "ok: $2 serves '$3'" ;;
	*) fail_check "$2 does not serve '$3'" "$got" ;;
	esac
}

site_up_web a || { fail_check "the container did not come up"; finish; }
PORT="80, 443"
# the snakeoil certificate's name (the host's, when ssl-cert made it) and
# its public key's pin, as curl's pinned_key spells it
snake=/etc/ssl/certs/ssl-cert-snakeoil.pem
cn=$(ct_run a openssl x509 -in "$snake" -noout -subject | sed -n 's/.*CN *= *//p')
pin=sha256//$(ct_run a sh -c "openssl x509 -in $snake -pubkey -noout |
    openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64")
[ -n "$cn" ] && [ "${#pin}" -gt 40 ] || fail_check "no name or pin of the snakeoil certificate" "$cn $pin"
tls="url = \"https://$cn/\"; connect_to = \"127.0.0.1\"; ca_file = \"$snake\";"
cat >"$CT_SCRATCH/policy.conf" <<EOF
audit = { syslog = true; file = "/var/log/cutover/audit.jsonl"; };
services = {
$(svc_apache2)
$(svc_nginx 'socket_handoff = "nginx";')
};
ports = ( { port = 80; holders = ["apache2", "nginx"]; },
          { port = 443; holders = ["apache2", "nginx"]; } );
checks = {
  homepage = { url = "http://127.0.0.1/"; contains = "$NEW_TEXT"; within = 3.0; };
  broken   = { url = "http://127.0.0.1/"; contains = "on no page at all"; };
  # the site's own name over HTTPS, at this host's server, its CA only
  tls      = { $tls pinned_key = "$pin"; cert_min_days = 14;
               contains = "$NEW_TEXT"; within = 3.0; };
  tls6     = { url = "https://$cn/"; connect_to = "::1"; ca_file = "$snake"; contains = "$NEW_TEXT"; };
  expiring = { $tls cert_min_days = 3650; };   # the snakeoil lasts 10 years, from when it was made
  wrongpin = { $tls pinned_key = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="; };
  untrusted = { url = "https://$cn/"; connect_to = "127.0.0.1"; };
};
plans = {
  site       = { ports = [80, 443]; from = "apache2"; to = "nginx"; verify = ["homepage", "tls"]; };
  brokensite = { ports = [80, 443]; from = "apache2"; to = "nginx"; verify = ["broken"]; };
};
rules = ( { users = ["deploy"]; switch = ["site", "brokensite"];
            verify = ["tls", "tls6", "expiring", "wrongpin", "untrusted"]; } );
EOF
site_policy a "$CT_SCRATCH/policy.conf"
serves a https://127.0.0.1/ "$OLD_TEXT"
serves a "https://[::1]/" "$OLD_TEXT"

# Debian's shipped nginx site (listen 80; listen [::]:80;) cannot take
# apache2's one dual-stack socket: the pre-flight says so, naming the
# line and what to write, and nothing is touched
m=$CT_SCRATCH/a/merged
cp "$m/etc/nginx/sites-available/default" "$CT_SCRATCH/ours"
cp "$(ct_root)/etc/nginx/sites-available/default" "$m/etc/nginx/sites-available/default"
t0=$(date +%s.%N)
expect 3 "switch site with Debian's shipped nginx site" as_deploy a cutover switch site &&
    has "/etc/nginx/sites-enabled/default:22: 'listen 80 default_server' asks for an address of port 80" &&
    has "write 'listen [::]:80 ipv6only=off;' in its place" && has "nothing was done"
echo "refused after $(awk "BEGIN { printf \"%.2f\", $(date +%s.%N) - $t0 }") s"
expect 3 "its dry run" as_deploy a cutover -n switch site && has "sites-enabled/default:22:"
is a apache2 active
is a nginx inactive
# an nginx configuration that is not valid: nginx's own words
printf 'server { listen [::]:80 ipv6only=off; bogus_directive on; }\n' \
    >"$m/etc/nginx/sites-available/default"
expect 3 "switch site with an invalid nginx configuration" as_deploy a cutover switch site &&
    has "nginx's configuration is not valid, so it could not start" &&
    has 'unknown directive "bogus_directive"'
cp "$CT_SCRATCH/ours" "$m/etc/nginx/sites-available/default"

expect 0 "the dry run" as_deploy a cutover -n switch site &&
    has "take over every listening socket of ports 80 and 443 from apache2" &&
    has "pre-flight: ok"

before=$(sockets a)
[ "$(echo "$before" | wc -l)" = 2 ] || fail_check "apache2 does not have one socket on each port" "$before"
probes_start a
expect 0 "switch site (80 and 443)" as_deploy a cutover switch site &&
    has "take-port 80: took over" && has "take-port 443: took over" &&
    has "nginx serves ports 80 and 443, verified"
printf '%s\n' "$out" | sed 's/^/  /'     # what the README's first screen shows
probes_stop judge "across the switch"
after=$(sockets a)
[ "$before" = "$after" ] || fail_check "nginx does not serve on apache2's own sockets" \
    "before: $before; after: $after"
ct_run a journalctl -q -u nginx.service 2>/dev/null | grep -q 'takes over 2 listening sockets from cutover' ||
    fail_check "the journal lacks cutover-handoff's line for 2 sockets" \
    "$(ct_run a journalctl -q -u nginx.service 2>/dev/null | tail -n 5)"
is a nginx active
is a nginx enabled
is a apache2 inactive
is a apache2 disabled
for u in http://127.0.0.1/ "http://[::1]/" https://127.0.0.1/ "https://[::1]/"; do
	serves a "$u" "$NEW_TEXT"
done
steps=$(ct_run a sh -c 'grep "\"plan\":\"site\"\|\"target\":\"site\"" /var/log/cutover/audit.jsonl' | grep -c '"step":"take-port ')
[ "$steps" = 2 ] || fail_check "the audit trail has $steps take-port records, not 2"

# the HTTPS checks against the snakeoil site: each passes or fails as it must
expect 0 "verify tls (connect_to, ca_file, pinned_key, cert_min_days 14)" as_deploy a cutover verify tls &&
    has "HTTP/2" && has "certificate expires"
expect 0 "verify tls6 (connect_to ::1)" as_deploy a cutover verify tls6
expect 0 "verify --format=prometheus tls" as_deploy a cutover verify --format=prometheus tls &&
    has 'cutover_check_cert_expiry_seconds{check="tls"}'
expect 1 "verify expiring (cert_min_days 3650)" as_deploy a cutover verify expiring
expect 1 "verify wrongpin" as_deploy a cutover verify wrongpin
expect 1 "verify untrusted (no ca_file)" as_deploy a cutover verify untrusted

# back to apache2 by hand, then a switch whose check fails: the whole
# site rolls back
ct_run a systemctl disable --now nginx.service >/dev/null 2>&1
ct_run a systemctl enable --now apache2.service >/dev/null 2>&1
serves a https://127.0.0.1/ "$OLD_TEXT"
master=$(ct_run a systemctl show -P MainPID apache2.service)
before=$(sockets a)
probes_start a
expect 1 "switch brokensite (its check fails)" as_deploy a cutover switch brokensite &&
    has "rolled back: apache2 was only paused while nginx was checked, and serves ports 80 and 443 on"
probes_stop judge "across the switch and its rollback"
[ "$(ct_run a systemctl show -P MainPID apache2.service)" = "$master" ] ||
    fail_check "apache2 was started again by the rollback (main pid $master, now $(ct_run a systemctl show -P MainPID apache2.service))"
[ "$(sockets a)" = "$before" ] || fail_check "the rollback bound the site afresh" "$before / $(sockets a)"
ct_run a sh -c 'for p in $(pgrep -x apache2); do [ "$(cut -d" " -f3 /proc/$p/stat)" != T ] || exit 1; done' ||
    fail_check "an apache2 process is still stopped after the rollback"
is a apache2 active
is a apache2 enabled
is a nginx inactive
serves a https://127.0.0.1/ "$OLD_TEXT"
serves a "http://[::1]/" "$OLD_TEXT"

# a new site that answers 500: how long it is public before the rollback
# (printed, not judged: the check ends at the 500, the switch then rolls
# back; apache2 is paused while the check runs, so the probe meets nginx
# alone then)
cp "$m/etc/nginx/sites-available/default" "$CT_SCRATCH/ours"
sed -i 's|index index.html;|location / { return 500; }|' "$m/etc/nginx/sites-available/default"
ct_run a sh -c '/usr/local/bin/probe -p 80 -i 1000 -t 2000 -l /run/probe-500.log \
    -r /run/probe-500.ready >/run/probe-500.out 2>&1 & echo $! >/run/probe-500.pid'
ct_run a sh -c 'i=0; while [ ! -e /run/probe-500.ready ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done'
t0=$(date +%s.%N)
expect 1 "switch site to a site that answers 500" as_deploy a cutover switch site &&
    has "rolled back: apache2 was only paused"
echo "the 500 switch took $(awk "BEGIN { printf \"%.2f\", $(date +%s.%N) - $t0 }") s"
sleep 0.3
ct_run a sh -c 'kill -INT "$(cat /run/probe-500.pid)"; while kill -0 "$(cat /run/probe-500.pid)" 2>/dev/null; do sleep 0.05; done'
echo "probe across it: $(ct_run a cat /run/probe-500.out)"
ct_run a awk '$3 == "badstatus" { n++; if (!f) f = $1; l = $2 }
    END { printf "the 500 page was served %d times, for %.0f ms\n", n, l - f }' /run/probe-500.log
cp "$CT_SCRATCH/ours" "$m/etc/nginx/sites-available/default"
is a apache2 active

# all or nothing: apache2's 443 socket bound to 127.0.0.1 only cannot be
# handed over, so neither port's is; the site takes the gap as one
sed -i 's/^\(\s*\)Listen 443$/\1Listen 127.0.0.1:443/' "$CT_SCRATCH/a/merged/etc/apache2/ports.conf"
ct_run a systemctl restart apache2.service
expect 0 "switch site, 443 not fit to hand over" as_deploy a cutover switch site &&
    has "not every port's listening sockets could be taken over, so none is" &&
    has "nginx serves ports 80 and 443, verified"
serves a https://127.0.0.1/ "$NEW_TEXT"
serves a "http://[::1]/" "$NEW_TEXT"

finish
