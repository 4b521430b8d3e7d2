#!/bin/sh
# The caller cannot force a rollback by harming the check (issue 28, item
# 2), on systemd 252 with the installed .deb (its postinst made the check
# user _cutover-check): deploy's switch of Debian's apache2.service to
# nginx.service (the socket handoff) has a check whose page comes after
# 5 s (a server of the test's on 8081); meanwhile deploy sends SIGSTOP,
# SIGKILL and SIGTERM to the check's fetch (the process connected to the
# page) and to its step, both the check user's, and tries prlimit on them: each fails with EPERM, and the switch ends
# done, exit 0, nginx serving the new page, apache2 stopped.  Before, the
# check ran as deploy, whose SIGKILL rolled the switch back.
. tests/container/site.sh

site_up a || { fail_check "the container did not come up"; finish; }
cat >"$CT_SCRATCH/policy.conf" <<EOF
audit = { syslog = true; file = "/var/log/cutover/audit.jsonl"; };
services = {
$(svc_apache2 "")
$(svc_nginx 'socket_handoff = "nginx";')
};
ports = ( { port = 8080; holders = ["apache2", "nginx"]; } );
checks = { slow = { url = "http://127.0.0.1:8081/"; contains = "$NEW_TEXT"; timeout = 15.0; }; };
plans = { slowsite = { port = 8080; from = "apache2"; to = "nginx"; verify = ["slow"]; }; };
rules = ( { users = ["deploy"]; switch = ["slowsite"]; } );
EOF
site_policy a "$CT_SCRATCH/policy.conf"
m=$CT_SCRATCH/a/merged
mkdir -p "$m/etc/systemd/system/nginx.service.d"
cp "$m/usr/share/doc/cutover/examples/systemd/nginx-cutover-handoff.conf" \
    "$m/etc/systemd/system/nginx.service.d/cutover-handoff.conf"
ct_run a systemctl daemon-reload
cat >"$m/root/slow.py" <<EOF
import http.server, time
class Slow(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(5)
        body = b"$NEW_TEXT\\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", 8081), Slow).serve_forever()
EOF
ct_run a systemd-run -q --unit=slowpage python3 /root/slow.py || fail_check "the slow page's server did not start"

check_uid=$(ct_run a id -u _cutover-check) || fail_check "the package made the check user _cutover-check"
[ "$(ct_run a id -Gn _cutover-check)" = _cutover-check ] ||
    fail_check "_cutover-check is in its own group alone" "$(ct_run a id _cutover-check)"

# the check's fetch: the process with a connection to the slow page
fetch_pid() {
	ct_run a ss -Htnp state established dst 127.0.0.1:8081 |
	    sed -n 's/.*pid=\([0-9]*\),.*/\1/p' | head -n 1
}

as_deploy a cutover switch slowsite >"$CT_SCRATCH/sw.out" 2>&1 &
sw=$!
fetch=
n=0
while [ -z "$fetch" ] && [ "$n" -lt 100 ]; do
	sleep 0.1
	fetch=$(fetch_pid)
	n=$((n + 1))
done
[ -n "$fetch" ] || fail_check "no check in flight during the switch" "$(cat "$CT_SCRATCH/sw.out")"
# the fetch and the check's step, its parent
pids="$fetch $(ct_run a ps -o ppid= -p "$fetch" | tr -d ' ')"
for p in $pids; do
	uid=$(ct_run a ps -o uid= -p "$p" | tr -d ' ')
	if [ -z "$check_uid" ] || [ "$uid" != "$check_uid" ]; then
		fail_check "the check's pid $p runs as _cutover-check ($check_uid), not uid $uid"
	fi
	[ "$(ct_run a sed -n 's/^Groups:[[:space:]]*//p' "/proc/$p/status")" = "" ] ||
	    fail_check "the check's pid $p has no supplementary group"
	ct_run a grep -q '^Max open files  *256  *256 ' "/proc/$p/limits" ||
	    fail_check "the check's pid $p has its own RLIMIT_NOFILE (256)" "$(ct_run a cat "/proc/$p/limits")"
	for sig in STOP KILL TERM; do
		if o=$(as_deploy a kill -s "$sig" "$p" 2>&1); then
			fail_check "deploy sent SIG$sig to the check's pid $p"
		else
			case $o in
			*"not permitted"*) echo "ok: deploy's SIG$sig to the check's pid $p: $o" ;;
			*) fail_check "deploy's SIG$sig to the check's pid $p failed, but not with EPERM" "$o" ;;
			esac
		fi
	done
	as_deploy a prlimit --pid "$p" --nofile=1:1 >/dev/null 2>&1 &&
	    fail_check "deploy lowered the check's RLIMIT_NOFILE (pid $p)"
done
wait "$sw"
rc=$?
out=$(cat "$CT_SCRATCH/sw.out")
[ "$rc" = 0 ] || fail_check "the switch was harmed: exit $rc, wanted 0" "$out"
has "switch slowsite: done in"
lacks "rolling back"
is a nginx.service active
is a apache2.service inactive
case $(page a) in
*"$NEW_TEXT"*) echo "ok: nginx serves the new page" ;;
*) fail_check "the new page is served" "$(page a)" ;;
esac
finish
