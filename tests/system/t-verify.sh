#!/bin/sh
# verify: the setuid cutover, run as deploy, fetches each check from
# tests/system/test-httpd.py (a server under this test's control on
# 127.0.0.1) and gives the right verdict, line and exit status in each
# format: the right page, the wrong content, the wrong status, a wrong
# header or hash, a slow response, a body over the cap (with and without
# Content-Length), redirects (same host followed, another host never, a
# loop cut), a page that is right only after a few seconds (within), a
# closed port, a self-signed certificate; proxies in the environment
# change nothing; and --format=nagios turns every other ending into one
# UNKNOWN line, exit 3.
#
# And the proof that the fetch holds nothing: at request time the server
# reads, as root, the client socket's uid column in /proc/net/tcp and the
# status of the process holding that socket: the check user's uid and
# gid (not deploy's: deploy must not be able to kill or stop it), no
# supplementary group, no capability in any set, no_new_privs, and no
# descriptor of the audit log.
. tests/system/lib.sh

PYTHON=/usr/bin/python3
if [ ! -x "$PYTHON" ]; then
	echo "no $PYTHON (make deps installs python3): the test server cannot run"
	exit 77
fi
check_uid=$(id -u "$CHECK_USER")
check_gid=$(id -g "$CHECK_USER")

server_pids=
# shellcheck disable=SC2317 # run by the trap
stop_servers() {
	for p in $server_pids; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	server_pids=
}
trap stop_servers EXIT
trap 'exit 130' INT TERM

# start_server DIR [--tls CERT KEY]: test-httpd.py on a port the kernel
# picks (it writes DIR/port once it listens), in $started_port; stdio
# never the runner's.  Not in a $(...): the trap must know its pid.
start_server() {
	mkdir -p "$1" || return 1
	"$PYTHON" tests/system/test-httpd.py "$@" </dev/null >"$1/server.out" 2>&1 &
	server_pids="$server_pids $!"
	n=0
	while [ ! -s "$1/port" ]; do
		n=$((n + 1))
		if [ "$n" -gt 100 ] || ! kill -0 "$!" 2>/dev/null; then
			fail_check "test-httpd.py did not start" "$(cat "$1/server.out")"
			return 1
		fi
		sleep 0.1
	done
	started_port=$(cat "$1/port")
}

srv=$TEST_TMPDIR/httpd
start_server "$srv" || finish
port=$started_port
u=http://127.0.0.1:$port
ok_sha=$(sha256sum "$srv/ok.html" | cut -d' ' -f1)
ok_bytes=$(wc -c <"$srv/ok.html" | tr -d ' ')

# The checks, on one line in place of the example's homepage (so the
# rule's line numbers stay), all granted to deploy.
fc='contains = "Fall collection";'
checks="homepage = { url = \"$u/ok\"; $fc };
 ok = { url = \"$u/ok\"; $fc header = \"Content-Type: text/html\"; sha256 = \"$ok_sha\"; };
 wrong = { url = \"$u/wrong\"; $fc };
 status500 = { url = \"$u/status500\"; $fc };
 slow = { url = \"$u/slow\"; timeout = 1.0; };
 big = { url = \"$u/big\"; };
 bigchunked = { url = \"$u/big-chunked\"; };
 samehost = { url = \"$u/redirect-same-host\"; follow = true; $fc };
 nofollow = { url = \"$u/redirect-same-host\"; $fc };
 offsite = { url = \"$u/redirect-other-host\"; follow = true; };
 loop = { url = \"$u/redirect-loop\"; follow = true; };
 late = { url = \"$u/late/a\"; $fc within = 15.0; };
 latefail = { url = \"$u/late/b\"; $fc within = 1.0; };
 plain = { url = \"$u/plain\"; header = \"Content-Type: text/html\"; };
 badhash = { url = \"$u/ok\"; sha256 = \"$(printf '%064d' 0)\"; };
 closed = { url = \"http://127.0.0.1:1/\"; };"
names=$(printf '%s\n' "$checks" | sed -n 's/^ *\([a-z0-9]*\) = {.*/"\1"/p' | paste -sd, - | sed 's/,/, /g')
if ! write_policy "s|^  homepage = .*\$|  $(printf '%s' "$checks" | tr '\n' ' ')|
s|verify = \\[\"homepage\"\\];|verify = [$names];|"; then
	fail_check "cannot write the policy"
	finish
fi
expect 0 "the test policy is valid" -- "$CUTOVER" policy check "$POLICY" ||
	{ cat "$POLICY"; finish; }

# verify WANT CHECK [OPTION]: run as deploy; $out, $err as expect keeps them.
verify() {
	want=$1 name=$2
	shift 2
	expect "$want" "verify $* $name" -- as_deploy "$CUTOVER" verify "$@" "$name"
}
# one_line WHAT: stdout is exactly one line.
one_line() {
	if [ -z "$out" ] || [ "$(printf '%s\n' "$out" | wc -l)" != 1 ]; then
		fail_check "$1: one line on stdout" "$out"
	fi
}
# matches ERE WHAT: stdout matches the extended regular expression.
matches() {
	printf '%s\n' "$out" | grep -Eq -- "$1" || fail_check "$2: stdout is not /$1/" "$out"
}
# json_field KEY: the raw JSON text of KEY in the object on stdout.
json_field() {
	printf '%s\n' "$out" | "$JSONL_CHECK" -f "$1"
}

# ---- the right page, three ways ---------------------------------------------
audit_mark
t0=$(date +%s%N)
verify 0 ok
t1=$(date +%s%N)
echo "one verify run (setuid, fork, libcurl, one request): $(((t1 - t0) / 1000000)) ms"
one_line "ok, text"
matches "^ok OK: 200, $ok_bytes bytes, [0-9]+ ms, \"Fall collection\" found, sha256 matches, header Content-Type matches, HTTP/1\\.1\$" "ok, text"
if audit_new 2 "ok: a request record and an outcome record"; then
	field_is 1 decision "ok: allowed" '"allow"'
	field_is 2 stage "ok: the outcome" '"outcome"'
	field_is 2 outcome "ok: the outcome is ok" '"ok"'
	case $(field 2 reason) in
	'"ok OK: 200, '*) ;;
	*) fail_check "ok: the outcome record carries the result line" "$(field 2 reason)" ;;
	esac
fi

verify 0 ok --format=nagios
one_line "ok, nagios"
matches "^CUTOVER OK: ok $u/ok - 200, $ok_bytes bytes in [0-9]+\\.[0-9]{3} s, HTTP/1\\.1\\|time=[0-9]+\\.[0-9]{3}s;;;0 size=${ok_bytes}B;;;0\$" "ok, nagios"

verify 0 ok --format=json
one_line "ok, json"
printf '%s\n' "$out" | "$JSONL_CHECK" >/dev/null || fail_check "ok, json: one JSON object" "$out"
[ "$(json_field result)" = '"ok"' ] || fail_check "ok, json: result ok" "$out"
[ "$(json_field sha256)" = "\"$ok_sha\"" ] || fail_check "ok, json: the body's sha256" "$out"
[ "$(json_field status)" = 200 ] || fail_check "ok, json: status 200" "$out"

# --format=prometheus: node_exporter's text format, six gauges (their
# strict reading is the unit tests', test_metrics.c)
verify 0 ok --format=prometheus
matches '^cutover_check_up\{check="ok"\} 1$' "ok, prometheus: up 1"
matches '^cutover_check_http_status\{check="ok"\} 200$' "ok, prometheus: the status"
matches "^cutover_check_body_bytes\\{check=\"ok\"\\} $ok_bytes\$" "ok, prometheus: the bytes"
[ "$(printf '%s\n' "$out" | grep -c '^# TYPE cutover_check_[a-z_]* gauge$')" = 6 ] ||
    fail_check "ok, prometheus: six gauges" "$out"
matches '^cutover_check_http_version\{check="ok"\} 1\.1$' "ok, prometheus: HTTP/1.1"
printf '%s\n' "$out" | grep -q cert_expiry &&
    fail_check "ok, prometheus: no certificate series over http" "$out"
verify 1 wrong --format=prometheus
matches '^cutover_check_up\{check="wrong"\} 0$' "wrong, prometheus: up 0"
# --textfile: the metrics into the build's fixed directory, as root
# (the system tests' build: /run/cutover-systest/textfile).  Missing: the
# check's line comes, the file does not, and a passed check ends UNKNOWN
# (a monitor must not read success from a textfile that went stale).
tdir=/run/cutover-systest/textfile
rm -rf "$tdir"
verify 3 ok --format=nagios --textfile
matches "^CUTOVER OK: ok " "ok, --textfile: the line"
case $err in
*"the metrics were not written: cannot open $tdir"*"install prometheus-node-exporter"*) ;;
*) fail_check "ok, --textfile without the directory: said why" "$err" ;;
esac
# there, root's: the file is written whole, 0644 root, and replaced
install -d -m 0755 -o root -g root "$tdir"
verify 0 ok --format=nagios --textfile
grep -qx 'cutover_check_up{check="ok"} 1' "$tdir/cutover_ok.prom" ||
    fail_check "--textfile: the file says up 1" "$(cat "$tdir/cutover_ok.prom" 2>&1)"
[ "$(stat -c '%a %U %G' "$tdir/cutover_ok.prom")" = "644 root root" ] ||
    fail_check "--textfile: the file is 0644 root:root" "$(ls -l "$tdir")"
verify 2 wrong --format=nagios --textfile
grep -qx 'cutover_check_up{check="wrong"} 0' "$tdir/cutover_wrong.prom" ||
    fail_check "--textfile: a failed check's file says up 0" "$(cat "$tdir/cutover_wrong.prom" 2>&1)"
verify 0 ok --textfile
[ "$(ls -A "$tdir" | tr '\n' ' ')" = "cutover_ok.prom cutover_wrong.prom " ] ||
    fail_check "--textfile: one file per check, nothing else left" "$(ls -A "$tdir")"
# deploy's own directory is no place for it: group-writable is refused
chmod 0775 "$tdir"
verify 3 ok --format=nagios --textfile
case $err in
*"is not safe to write metrics into"*) ;;
*) fail_check "--textfile into a group-writable directory: refused" "$err" ;;
esac
rm -rf "$tdir"
expect 2 "verify --textfile twice is a usage error" -- as_deploy "$CUTOVER" verify --textfile --textfile ok
expect 2 "verify --format=prometheus after the name is a usage error" -- \
    as_deploy "$CUTOVER" verify ok --format=prometheus

# ---- no privilege at all, as the server sees the client -------------------
last=$(grep ' path=/ok ' "$srv/requests.log" | tail -n 1)
field_of() {
	printf '%s\n' "$last" | tr ' ' '\n' | sed -n "s/^$1=//p"
}
[ "$(field_of tcp_uid)" = "$check_uid" ] ||
	fail_check "the client socket belongs to $CHECK_USER (uid column of /proc/net/tcp)" "$last"
[ "$(field_of exe)" = "$CUTOVER" ] ||
	fail_check "the socket's holder is cutover" "$last"
[ "$(field_of Uid)" = "$check_uid,$check_uid,$check_uid,$check_uid" ] ||
	fail_check "real, effective, saved and filesystem uid are $CHECK_USER's" "$last"
[ "$(field_of Gid)" = "$check_gid,$check_gid,$check_gid,$check_gid" ] ||
	fail_check "real, effective, saved and filesystem gid are $CHECK_USER's" "$last"
[ "$(field_of Groups)" = "-" ] ||
	fail_check "no supplementary group" "$last"
for set in CapInh CapPrm CapEff CapBnd CapAmb; do
	[ "$(field_of $set)" = 0000000000000000 ] ||
		fail_check "$set is empty at request time" "$last"
done
[ "$(field_of NoNewPrivs)" = 1 ] || fail_check "no_new_privs is set" "$last"
case ,$(field_of fds), in
*",$AUDIT,"* | *":$AUDIT,"* | *"/dev/log"*) fail_check "the fetching process holds no audit descriptor" "$last" ;;
esac
# 0-2 on /dev/null, the result pipe, sockets: no file of any kind
if field_of fds | tr ',' '\n' | cut -d: -f2- | grep -v '^/dev/null$' | grep -q '^/'; then
	fail_check "the fetching process has no file open but /dev/null" "$last"
fi

# ---- what differs, said --------------------------------------------------------
audit_mark
verify 1 wrong
matches "^wrong FAILED: \"Fall collection\" not found in [0-9]+ bytes\$" "wrong content"
if audit_new 2 "wrong: recorded"; then
	field_is 2 outcome "wrong: outcome failed" '"failed"'
	case $(field 2 reason) in
	*'not found'*) ;;
	*) fail_check "wrong: the outcome record says what differed" "$(field 2 reason)" ;;
	esac
fi
verify 2 wrong --format=nagios
one_line "wrong, nagios"
matches "^CUTOVER CRITICAL: wrong $u/wrong - \"Fall collection\" not found in [0-9]+ bytes\\|time=[0-9.]+s;;;0 size=[0-9]+B;;;0\$" "wrong, nagios"
verify 1 wrong --format=json
if [ "$(json_field result)" != '"failed"' ] || [ "$(json_field differs)" != '["contains"]' ]; then
	fail_check "wrong, json: failed, contains differs" "$out"
fi

verify 1 status500
matches '^status500 FAILED: status 500, expected 200$' "wrong status"
verify 2 status500 --format=nagios

verify 1 plain
matches '^plain FAILED: header Content-Type: "text/plain", expected "text/html"$' "wrong header"

verify 1 badhash
matches "^badhash FAILED: sha256 $(printf '%.12s' "$ok_sha")\\.\\.\\., expected 000000000000\\.\\.\\.\$" "wrong hash"

t0=$(date +%s)
verify 1 slow
t1=$(date +%s)
matches '^slow FAILED: no response within 1\.0 s$' "slow response"
[ $((t1 - t0)) -lt 4 ] || fail_check "slow: given up after the 1 s timeout, not the server's 5 s ($((t1 - t0)) s)"

for c in big bigchunked; do
	verify 1 "$c"
	matches "^$c FAILED: body larger than 1048576 bytes\$" "$c: over the cap"
	verify 2 "$c" --format=nagios
done

verify 1 closed
matches '^closed FAILED: cannot connect: ' "closed port"

# ---- redirects -------------------------------------------------------------------
verify 0 samehost
matches '^samehost OK: 200, ' "same-host redirect followed"
verify 1 nofollow
matches "^nofollow FAILED: status 302, expected 200 \\(redirect to $u/ok, not followed: follow is off\\)\$" "redirect without follow"
before=$(grep -c ' path=/ok ' "$srv/requests.log")
verify 1 offsite
matches "^offsite FAILED: redirect to another host, not followed: http://localhost:$port/ok\$" "redirect to another host"
after=$(grep -c ' path=/ok ' "$srv/requests.log")
[ "$before" = "$after" ] || fail_check "offsite: the other host was never asked"
verify 1 loop
matches '^loop FAILED: more than 5 redirects$' "redirect loop"

# ---- within: a page that is right only after a few seconds -----------------
verify 0 late --format=json
[ "$(json_field result)" = '"ok"' ] || fail_check "late: passes within 15 s" "$out"
attempts=$(json_field attempts)
[ "${attempts:-0}" -ge 2 ] || fail_check "late: took more than one attempt" "$out"
verify 1 latefail
matches '^latefail FAILED: status 503, expected 200 \(timed out after [0-9]+ attempts in 1\.[0-9] s\)$' "late, within 1 s"

# ---- TLS is verified: a self-signed certificate fails ----------------------
if command -v openssl >/dev/null 2>&1; then
	tls=$TEST_TMPDIR/tls
	mkdir -p "$tls"
	if openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
	    -addext subjectAltName=IP:127.0.0.1 -keyout "$tls/key.pem" \
	    -out "$tls/cert.pem" >"$tls/openssl.out" 2>&1 &&
	    start_server "$tls" --tls "$tls/cert.pem" "$tls/key.pem"; then
		write_policy "s|^  homepage = .*\$|  homepage = { url = \"https://127.0.0.1:$started_port/ok\"; };|" ||
			fail_check "cannot write the TLS policy"
		verify 1 homepage
		matches '^homepage FAILED: TLS failed: ' "self-signed certificate refused"
	else
		fail_check "could not make a self-signed certificate" "$(cat "$tls/openssl.out")"
	fi
else
	echo "note: no openssl(1): the self-signed certificate case is not checked"
fi

# ---- proxies from the environment are never used ---------------------------
write_policy "s|^  homepage = .*\$|  homepage = { url = \"$u/ok\"; $fc };|" ||
	fail_check "cannot write the policy"
expect 0 "proxy variables change nothing" -- as_deploy env \
    http_proxy=http://127.0.0.1:1 HTTP_PROXY=http://127.0.0.1:1 \
    https_proxy=http://127.0.0.1:1 ALL_PROXY=http://127.0.0.1:1 \
    all_proxy=socks5://127.0.0.1:1 NO_PROXY= CURL_CA_BUNDLE=/nonexistent \
    "$CUTOVER" verify homepage

# ---- --format=nagios: every other ending is UNKNOWN, exit 3 ----------------
expect 3 "verify --format=nagios without a check: UNKNOWN" -- \
    as_deploy "$CUTOVER" verify --format=nagios
one_line "usage, nagios"
matches '^CUTOVER UNKNOWN: verify takes a check name' "usage, nagios"
audit_mark
expect 3 "verify --format=nagios of a check deploy may not run: UNKNOWN" -- \
    as_deploy "$CUTOVER" verify --format=nagios secret
one_line "refusal, nagios"
matches '^CUTOVER UNKNOWN: deploy may not verify secret: ' "refusal, nagios"
audit_new 1 "the refusal is recorded" && field_is 1 decision "refused" '"deny"'
expect 2 "an unknown format is a usage error" -- as_deploy "$CUTOVER" verify --format=xml ok
[ -z "$out" ] || fail_check "a usage error prints nothing on stdout without nagios" "$out"
expect 3 "a refusal without a format: exit 3, nothing on stdout" -- \
    as_deploy "$CUTOVER" verify secret
[ -z "$out" ] || fail_check "a refusal prints nothing on stdout" "$out"

audit_valid "after every verify"
finish
