#!/bin/sh
# verify over HTTPS against a real nginx, as operators check their own
# host: the setuid cutover, run as deploy, checks https://www.example.org/
# at this host's own server (connect_to a free port of 127.0.0.1), with
# the name, SNI and the certificate checked for www.example.org.  A test
# CA and a server certificate for www.example.org (20 days) are made here
# with openssl; nginx serves them with http2 and a page that answers 500.
#
# Shown: connect_to + ca_file passes over HTTP/2 and reports the expiry,
# to 127.0.0.1 and to [::1]
# (also after a redirect followed on the same connection);
# without ca_file the certificate is not trusted; a wrong pinned_key
# fails, the right one passes; cert_min_days above the days left fails
# (nagios WARNING, exit 1), below passes; the JSON and the Prometheus
# metrics carry the version and the expiry; a ca_file that others may
# write is refused; a 500 with within = 10 fails at once (the time is
# printed, never asserted); a server that refuses at first and is up
# after 2 s still passes.
#
# nginx is this test's own (as root, workers as www-data, daemon off), on
# a configuration in its temporary directory, stopped by its trap; the CA
# file is in $SYSTEST_ROOT (a ca_file must be reached through root-only
# directories) and removed by the trap.
. tests/system/lib.sh

NGINX=/usr/sbin/nginx
OPENSSL=/usr/bin/openssl
for need in "$NGINX" "$OPENSSL"; do
	if [ ! -x "$need" ]; then
		echo "no $need (make deps installs it): HTTPS checks are not tested"
		exit 77
	fi
done

dir=$TEST_TMPDIR/nginx-tls
cadir=$SYSTEST_ROOT/verify-tls
mkdir -p "$dir/www" "$dir/tmp" || exit 1
printf '<!doctype html>\n<title>Shop</title>\n<h1>Fall collection</h1>\n' >"$dir/www/index.html"
chmod -R a+rX "$dir"

nginx_pid=
# shellcheck disable=SC2317 # also run by the trap
stop_nginx() {
	if [ -n "$nginx_pid" ]; then
		kill "$nginx_pid" 2>/dev/null
		wait "$nginx_pid" 2>/dev/null
	fi
	nginx_pid=
}
# shellcheck disable=SC2317 # run by the trap
cleanup() {
	stop_nginx
	rm -rf "$cadir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- a test CA, and www.example.org's certificate from it ------------------
install -d -m 0755 -o root -g root "$cadir" || exit 1
if ! {
	"$OPENSSL" req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -days 30 -subj "/CN=cutover test CA" -keyout "$dir/ca.key" \
	    -out "$cadir/ca.pem" &&
	"$OPENSSL" req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -subj /CN=www.example.org -keyout "$dir/server.key" \
	    -out "$dir/server.csr" &&
	printf 'subjectAltName=DNS:www.example.org\n' >"$dir/server.ext" &&
	"$OPENSSL" x509 -req -in "$dir/server.csr" -CA "$cadir/ca.pem" \
	    -CAkey "$dir/ca.key" -CAcreateserial -days 20 \
	    -extfile "$dir/server.ext" -out "$dir/server.pem"
} >"$dir/openssl.out" 2>&1; then
	fail_check "could not make the test certificates" "$(cat "$dir/openssl.out")"
	finish
fi
chmod 0644 "$cadir/ca.pem"
# the pin of the server's key, and of another key
pin=sha256//$("$OPENSSL" x509 -in "$dir/server.pem" -pubkey -noout |
    "$OPENSSL" pkey -pubin -outform der | "$OPENSSL" dgst -sha256 -binary |
    base64)
wrong_pin=sha256//$("$OPENSSL" pkey -in "$dir/ca.key" -pubout -outform der |
    "$OPENSSL" dgst -sha256 -binary | base64)
expiry=$("$OPENSSL" x509 -in "$dir/server.pem" -noout -enddate | sed 's/^notAfter=//')
expiry_epoch=$(date -u -d "$expiry" +%s)
expiry_day=$(date -u -d "$expiry" +%F)
days_left=$(((expiry_epoch - $(date +%s)) / 86400))
echo "the server certificate expires $expiry_day ($days_left days left)"

# free_port: a port of 127.0.0.1 that nothing listens on now.
free_port() {
	p=$((20000 + ($$ * 11 + $(date +%N | sed 's/^0*//;s/^$/0/')) % 40000))
	while ss -Hltn "sport = :$p" | grep -q .; do
		p=$((p + 1))
	done
	echo "$p"
}

write_nginx_conf() {
	cat >"$dir/nginx.conf" <<EOF
user www-data;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 64; }
http {
	access_log $dir/access.log;
	client_body_temp_path $dir/tmp/body;
	proxy_temp_path $dir/tmp/proxy;
	fastcgi_temp_path $dir/tmp/fastcgi;
	uwsgi_temp_path $dir/tmp/uwsgi;
	scgi_temp_path $dir/tmp/scgi;
	types { text/html html; }
	server {
		listen 127.0.0.1:$port ssl http2;
		listen [::1]:$port ssl http2;
		server_name www.example.org;
		ssl_certificate $dir/server.pem;
		ssl_certificate_key $dir/server.key;
		root $dir/www;
		location = /broken { return 500; }
		# to https://www.example.org/: the same connection, kept
		port_in_redirect off;
		location = /moved { return 302 /; }
	}
}
EOF
}

# run_nginx: nginx on $port, in the foreground of this shell's child;
# 0 once it listens.
run_nginx() {
	"$NGINX" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" \
	    -g 'daemon off;' </dev/null >"$dir/nginx.out" 2>&1 &
	nginx_pid=$!
	n=0
	while [ "$n" -lt 50 ] && kill -0 "$nginx_pid" 2>/dev/null; do
		if ss -Hltn "sport = :$port" | grep -q .; then
			return 0
		fi
		sleep 0.1
		n=$((n + 1))
	done
	stop_nginx
	echo "note: nginx did not listen on $port:"
	cat "$dir/error.log" "$dir/nginx.out" 2>/dev/null
	return 1
}

started=
for _ in 1 2 3 4 5; do
	port=$(free_port)
	write_nginx_conf
	if run_nginx; then
		started=1
		break
	fi
done
if [ -z "$started" ]; then
	fail_check "nginx could not be started with TLS and http2"
	finish
fi

# ---- the checks, in the standard policy -----------------------------------
url='https://www.example.org/'
to="connect_to = \"127.0.0.1:$port\";"
ca="ca_file = \"$cadir/ca.pem\";"
fall='contains = "Fall collection";'
checks="  tls = { url = \"$url\"; $to $ca $fall };
  noca = { url = \"$url\"; $to $fall };
  v6 = { url = \"$url\"; connect_to = \"[::1]:$port\"; $ca $fall };
  pinright = { url = \"$url\"; $to $ca pinned_key = \"$pin\"; };
  pinwrong = { url = \"$url\"; $to $ca pinned_key = \"$wrong_pin\"; };
  dayslow = { url = \"$url\"; $to $ca cert_min_days = 10; };
  dayshigh = { url = \"$url\"; $to $ca cert_min_days = 25; };
  unsafeca = { url = \"$url\"; $to ca_file = \"$dir/server.pem\"; };
  moved = { url = \"${url}moved\"; $to $ca follow = true; cert_min_days = 10; };
  broken = { url = \"${url}broken\"; $to $ca within = 10.0; };
  late = { url = \"$url\"; $to $ca $fall within = 10.0; };"
names='"tls", "v6", "noca", "pinright", "pinwrong", "dayslow", "dayshigh", "unsafeca", "moved", "broken", "late"'
# sed: each line of $checks after homepage's; deploy may run them all
sed_checks=$(printf '%s\n' "$checks" | sed 's/[|&]/\\&/g; s/$/\\/')
write_policy "s|^  homepage = .*\$|&\\
${sed_checks%\\}|
s|^    verify = \\[\"homepage\"\\];|    verify = [\"homepage\", $names];|" ||
	{ fail_check "cannot write the policy"; finish; }
expect 0 "the policy with the HTTPS checks is valid" -- "$CUTOVER" policy check "$POLICY"

v() {
	want=$1
	shift
	expect "$want" "verify $*" -- as_deploy "$CUTOVER" verify "$@"
}

# connect_to + ca_file: HTTP/2 over TLS, the expiry
v 0 tls && has "tls OK: 200, " out "tls passes" &&
	has '"Fall collection" found, HTTP/2, certificate expires' out "tls: HTTP/2 and the expiry"
printf '%s\n' "$out" | grep -Eq "^tls OK: 200, [0-9]+ bytes, [0-9]+ ms, \"Fall collection\" found, HTTP/2, certificate expires $expiry_day \\(($days_left|$((days_left - 1))) days\\)\$" ||
	fail_check "tls: the result line" "$out"
grep -q 'GET / HTTP/2.0' "$dir/access.log" ||
	fail_check "nginx served the check over HTTP/2" "$(cat "$dir/access.log")"
v 0 --format=nagios tls &&
	has "CUTOVER OK: tls $url - 200, " out "tls, nagios" &&
	has ", HTTP/2, certificate expires $expiry_day (" out "tls, nagios: HTTP/2 and the expiry"
v 0 --format=json tls
json_field() {
	printf '%s\n' "$out" | "$JSONL_CHECK" -f "$1"
}
[ "$(json_field http_version)" = '"HTTP/2"' ] || fail_check "tls, json: http_version" "$out"
case $(json_field cert_expiry) in
"\"${expiry_day}T"*Z\") ;;
*) fail_check "tls, json: cert_expiry" "$out" ;;
esac
case $(json_field cert_days_left) in
"$days_left" | "$((days_left - 1))") ;;
*) fail_check "tls, json: cert_days_left" "$out" ;;
esac
v 0 --format=prometheus tls
printf '%s\n' "$out" | grep -qx "cutover_check_cert_expiry_seconds{check=\"tls\"} $expiry_epoch" ||
	fail_check "tls, prometheus: cutover_check_cert_expiry_seconds" "$out"
printf '%s\n' "$out" | grep -qx 'cutover_check_http_version{check="tls"} 2.0' ||
	fail_check "tls, prometheus: cutover_check_http_version" "$out"

# connect_to an IPv6 address: the same, over ::1
v 0 v6 && has "v6 OK: 200, " out "v6 passes" && has ", HTTP/2, certificate expires" out "v6: HTTP/2"
tail -n 1 "$dir/access.log" | grep -q '^::1 ' ||
	fail_check "v6: nginx logged the request from ::1" "$(tail -n 1 "$dir/access.log")"

# without ca_file: the system's CAs do not know the test CA
v 1 noca && has "noca FAILED: TLS failed: " out "noca: the certificate is not trusted"
v 2 --format=nagios noca && has "CUTOVER CRITICAL: noca " out "noca, nagios: CRITICAL"
v 1 --format=prometheus noca
printf '%s\n' "$out" | grep -qx 'cutover_check_cert_expiry_seconds{check="noca"} NaN' ||
	fail_check "noca, prometheus: no certificate seen, NaN" "$out"

# pinned_key
v 0 pinright && has "pinright OK: 200" out "the right pin passes"
v 1 pinwrong && has "pinwrong FAILED: TLS failed: " out "a wrong pin fails"

# cert_min_days: 10 passes, 25 (above the days left) fails, nagios WARNING
v 0 dayslow && has "dayslow OK: 200" out "cert_min_days 10 passes"
v 1 dayshigh && has "dayshigh FAILED: certificate expires $expiry_day (" out "cert_min_days 25 fails" &&
	has "cert_min_days is 25" out "cert_min_days 25: said"
v 1 --format=nagios dayshigh && has "CUTOVER WARNING: dayshigh " out "cert_min_days 25, nagios: WARNING"
v 1 --format=json dayshigh
[ "$(json_field result)" = '"warning"' ] || fail_check "dayshigh, json: result warning" "$out"
[ "$(json_field differs)" = '["cert_min_days"]' ] || fail_check "dayshigh, json: differs" "$out"

# a redirect followed on the connection kept from the first request (no
# new handshake): the certificate is still the one that was checked
v 0 moved && has "moved OK: 200, " out "moved: the redirect followed" &&
	has "HTTP/2, certificate expires $expiry_day (" out "moved: the expiry, across the kept connection"

# a ca_file others may write (here: under /tmp) is refused: not run
v 1 unsafeca && has "unsafeca FAILED: could not run the check: ca_file: " out "a ca_file in /tmp is refused"
v 3 --format=nagios unsafeca

# a 500 with within = 10: a definite answer, not waited for
t0=$(date +%s%N)
v 1 broken
t1=$(date +%s%N)
echo "a 500 with within = 10: failed in $(((t1 - t0) / 1000000)) ms: $out"
has "broken FAILED: status 500, expected 200 (a definite answer after 1 attempt in " out "broken: one attempt"

# refused at first, up after 2 s: waited for, and passes
stop_nginx
t0=$(date +%s%N)
as_deploy "$CUTOVER" verify late >"$dir/late.out" 2>&1 &
late_pid=$!
sleep 2
run_nginx || fail_check "nginx could not be started again on $port"
wait "$late_pid"
late_rc=$?
t1=$(date +%s%N)
out=$(cat "$dir/late.out")
echo "nginx up after 2 s: the check passed in $(((t1 - t0) / 1000000)) ms: $out"
[ "$late_rc" = 0 ] || fail_check "late: exit $late_rc, wanted 0" "$out"
printf '%s\n' "$out" | grep -Eq '^late OK: 200, .*, after [0-9]+ attempts in [0-9.]+ s$' ||
	fail_check "late: passed after several attempts" "$out"

finish
