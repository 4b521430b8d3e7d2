#!/bin/sh
# verify against a real nginx: the setuid cutover, run as deploy, checks a
# page nginx serves ("Fall collection"), by content and by sha256, and
# notices when the page changes.  This test starts its own nginx (as root,
# workers as www-data, daemon off, stdio redirected) with a minimal
# configuration in its temporary directory, on a free port of 127.0.0.1,
# and stops it in its trap, whatever happens; it never touches a system
# nginx or its configuration.
. tests/system/lib.sh

NGINX=/usr/sbin/nginx
if [ ! -x "$NGINX" ]; then
	echo "no $NGINX (make deps installs nginx): the real nginx is not checked"
	exit 77
fi

dir=$TEST_TMPDIR/nginx
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
trap stop_nginx EXIT
trap 'exit 130' INT TERM

# free_port: a port of 127.0.0.1 that nothing listens on now.
free_port() {
	p=$((20000 + ($$ * 7 + $(date +%N | sed 's/^0*//;s/^$/0/')) % 40000))
	while ss -Hltn "sport = :$p" | grep -q .; do
		p=$((p + 1))
	done
	echo "$p"
}

# start_nginx: on a free port (another one if it was taken meanwhile);
# sets $port.  The master runs in the foreground of this shell's child.
start_nginx() {
	for try in 1 2 3 4 5; do
		port=$(free_port)
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
		listen 127.0.0.1:$port;
		root $dir/www;
	}
}
EOF
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
		echo "note: nginx did not listen on $port (try $try):"
		cat "$dir/error.log" "$dir/nginx.out" 2>/dev/null
	done
	return 1
}

if ! start_nginx; then
	fail_check "nginx could not be started"
	finish
fi
sha=$(sha256sum "$dir/www/index.html" | cut -d' ' -f1)
bytes=$(wc -c <"$dir/www/index.html" | tr -d ' ')

# homepage as the example policy has it (within = 10.0; WITHIN, once the
# page is known to be right, so that the failures below take 1 s, not
# 10), on nginx's port; and a check of its hash.
policy_within() {
	write_policy "s|http://127.0.0.1:8080/|http://127.0.0.1:$port/|
s|within = 10.0;|within = $1;|
s|^  homepage = .*\$|&\\
  pinned = { url = \"http://127.0.0.1:$port/\"; sha256 = \"$sha\"; header = \"Content-Type: text/html\"; };|
s|verify = \\[\"homepage\"\\];|verify = [\"homepage\", \"pinned\"];|"
}
policy_within 10.0 || { fail_check "cannot write the policy"; finish; }

audit_mark
expect 0 "verify homepage against nginx" -- as_deploy "$CUTOVER" verify homepage
printf '%s\n' "$out" | grep -Eq "^homepage OK: 200, $bytes bytes, [0-9]+ ms, \"Fall collection\" found, HTTP/1\\.1\$" ||
	fail_check "the homepage line" "$out"
if audit_new 2 "verify homepage: request and outcome recorded"; then
	field_is 2 outcome "the outcome is ok" '"ok"'
fi
expect 0 "verify pinned (sha256, header) against nginx" -- as_deploy "$CUTOVER" verify pinned
printf '%s\n' "$out" | grep -q "sha256 matches, header Content-Type matches" ||
	fail_check "the pinned line" "$out"
expect 0 "verify --format=nagios homepage against nginx" -- \
    as_deploy "$CUTOVER" verify --format=nagios homepage
printf '%s\n' "$out" | grep -Eq "^CUTOVER OK: homepage http://[0-9.:]+/ - 200, $bytes bytes in [0-9.]+ s, HTTP/1\\.1\\|time=[0-9.]+s;;;0 size=${bytes}B;;;0\$" ||
	fail_check "the nagios line" "$out"

# nginx's access log: the request came, as cutover/VERSION
grep -q '"cutover/' "$dir/access.log" ||
	fail_check "nginx logged cutover's requests with its user agent" "$(cat "$dir/access.log")"

# the page changes: both checks fail, each saying why
policy_within 1.0 || fail_check "cannot write the policy"
printf '<!doctype html>\n<h1>Summer collection</h1>\n' >"$dir/www/index.html"
expect 1 "verify homepage after the page changed" -- as_deploy "$CUTOVER" verify homepage
printf '%s\n' "$out" | grep -q '^homepage FAILED: "Fall collection" not found in ' ||
	fail_check "the changed page's line" "$out"
expect 1 "verify pinned after the page changed" -- as_deploy "$CUTOVER" verify pinned
printf '%s\n' "$out" | grep -q "^pinned FAILED: sha256 .*, expected $(printf '%.12s' "$sha")" ||
	fail_check "the changed page's hash" "$out"
expect 2 "verify --format=nagios homepage after the page changed: CRITICAL" -- \
    as_deploy "$CUTOVER" verify --format=nagios homepage

# nginx gone: within retries, then a connection failure, exit 1
stop_nginx
expect 1 "verify homepage with nginx stopped" -- as_deploy "$CUTOVER" verify homepage
printf '%s\n' "$out" | grep -Eq '^homepage FAILED: cannot connect: .* \(timed out after [0-9]+ attempts in 1\.[0-9] s\)$' ||
	fail_check "the stopped nginx's line (retried for 1 s)" "$out"

audit_valid "after verify against nginx"
finish
