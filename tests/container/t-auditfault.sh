#!/bin/sh
# Restoring service beats recording it (issue 29, item 3).  The audit
# file lives on a small filesystem of its own (an 8 MiB ext4 at
# /var/log/cutover, the policy's syslog on too), which fails while a
# switch with the socket handoff is at one of its steps: read-only (an
# ext4 error) and full during apache2's drain (held open by a 20 MB
# download at 2 MB/s), read-only during a check (its page comes after
# 5 s) and during persist (a generator makes its daemon-reload take 2 s).
# The step's record cannot be written, so the step fails and the switch
# rolls back - and the rollback's own records cannot be written either,
# which must not stop it: apache2 serves the old page again, nginx is
# stopped, the boot state is apache2's, the exit status is 1 (never 0
# without an outcome record), the JSON report says which records were not
# written ("recorded":false), and the journal has the outcome record the
# file lost.  (Before: the lost record of a rollback step counted as its
# failure, apache2 was never started again and the site went dark.)
. tests/container/site.sh

site_up a || { fail_check "the container did not come up"; finish; }
cat >"$CT_SCRATCH/policy.conf" <<EOF
audit = { syslog = true; file = "/var/log/cutover/audit.jsonl"; };
services = {
$(svc_apache2 "stop_timeout = 20.0;")
$(svc_nginx 'socket_handoff = "nginx";')
};
ports = ( { port = 8080; holders = ["apache2", "nginx"]; } );
checks = { homepage = { url = "http://127.0.0.1:8080/"; contains = "$NEW_TEXT"; within = 3.0; };
           slow = { url = "http://127.0.0.1:8081/"; contains = "$NEW_TEXT"; timeout = 15.0; }; };
plans = { newsite = { port = 8080; from = "apache2"; to = "nginx"; verify = ["homepage"]; };
          slowsite = { port = 8080; from = "apache2"; to = "nginx"; verify = ["slow"]; }; };
rules = ( { users = ["deploy"]; switch = ["newsite", "slowsite"]; } );
EOF
site_policy a "$CT_SCRATCH/policy.conf"
m=$CT_SCRATCH/a/merged
mkdir -p "$m/etc/systemd/system/nginx.service.d"
cp "$m/usr/share/doc/cutover/examples/systemd/nginx-cutover-handoff.conf" \
    "$m/etc/systemd/system/nginx.service.d/cutover-handoff.conf"
ct_run a systemctl daemon-reload
head -c 20000000 /dev/zero >"$m/var/www/html/big.bin"

# audit_has WORDS: the audit file has a line with WORDS (within 30 s)
audit_has() {
	ct_run a sh -c "i=0; until grep -qF '$1' /var/log/cutover/audit.jsonl 2>/dev/null; do
	    i=\$((i + 1)); [ \$i -lt 600 ] || exit 1; sleep 0.05; done"
}

# during_drain FAULT [PLAN [STEP]]: switch PLAN (newsite), and FAULT (a
# command of the host's) once STEP's record is written (resume apache2:
# nginx has passed its check while apache2 was paused, and apache2 now
# drains a download)
during_drain() {
	dl=
	if [ -z "${3:-}" ]; then
		ct_run a sh -c 'curl -s --limit-rate 2M -o /dev/null http://127.0.0.1:8080/big.bin' &
		dl=$!
		sleep 0.5
	fi
	as_deploy a cutover switch --format=json "${2:-newsite}" >"$CT_SCRATCH/json" 2>"$CT_SCRATCH/err" &
	sw=$!
	if audit_has "\"step\":\"${3:-resume apache2}\""; then
		eval "$1" || fail_check "the fault '$1' could not be made"
	else
		fail_check "the switch did not reach its start"
	fi
	wait "$sw"
	rc=$?
	[ -z "$dl" ] || wait "$dl"
	out="$(cat "$CT_SCRATCH/json" "$CT_SCRATCH/err")"
	txid=$(sed -n 's/.*"txid":"\([0-9a-f]*\)".*/\1/p' "$CT_SCRATCH/json")
	echo "exit $rc: $(tail -n 1 "$CT_SCRATCH/err")"
}

# served_by_apache2 WHEN: the site is apache2's again, as before
served_by_apache2() {
	case $(page a) in
	*"$OLD_TEXT"*) echo "ok: $1: apache2 serves the old page" ;;
	*) fail_check "$1: the site is dark or wrong" "$(page a)" ;;
	esac
	is a apache2 active
	is a nginx inactive
	is a apache2 enabled
	is a nginx disabled
}

audit_fs ro.img || fail_check "cannot mount the small audit filesystem"
# an ext4 error, as a failing disk makes one: the kernel remounts it
# read-only under the open audit file (mount -o remount,ro would be
# refused while the transaction has it open for writing)
during_drain "echo 1 >/sys/fs/ext4/${loop#/dev/}/trigger_fs_error"

served_by_apache2 "read-only during the drain"
rolled_back_unrecorded "read-only during the drain"

# each case from the same start, whatever the last one left (site.sh)
back_to_apache2
audit_fs full.img || fail_check "cannot mount the small audit filesystem"
during_drain 'ct_run a sh -c "$audit_fill"'
served_by_apache2 "full during the drain"
rolled_back_unrecorded "full during the drain"

# during a check: the plan's check waits 5 s for its page (a server of
# the test's on 8081), and the filesystem turns read-only meanwhile: the
# check's record is lost, so the switch rolls back, and its rollback is
# not stopped by the records it cannot write
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
back_to_apache2
audit_fs ro2.img || fail_check "cannot mount the small audit filesystem"
during_drain "echo 1 >/sys/fs/ext4/\${loop#/dev/}/trigger_fs_error" slowsite "pause apache2"
served_by_apache2 "read-only during the check"
rolled_back_unrecorded "read-only during the check"
has '"step":"verify slow","outcome":"failed"'

# the same check, the filesystem full meanwhile
back_to_apache2
audit_fs full2.img || fail_check "cannot mount the small audit filesystem"
during_drain 'ct_run a sh -c "$audit_fill"' slowsite "pause apache2"
served_by_apache2 "full during the check"
rolled_back_unrecorded "full during the check"

# during persist: a generator that takes 2 s makes each daemon-reload
# (persist's, after it enabled nginx and disabled apache2) as slow; the
# rollback then puts the boot state back too
ct_run a systemctl stop slowpage
back_to_apache2
mkdir -p "$m/etc/systemd/system-generators"
printf '#!/bin/sh\nsleep 2\n' >"$m/etc/systemd/system-generators/slow"
chmod 0755 "$m/etc/systemd/system-generators/slow"
audit_fs ro3.img || fail_check "cannot mount the small audit filesystem"
during_drain "echo 1 >/sys/fs/ext4/\${loop#/dev/}/trigger_fs_error" newsite "stop apache2"
rm -f "$m/etc/systemd/system-generators/slow"
served_by_apache2 "read-only during persist"
rolled_back_unrecorded "read-only during persist"
has '"step":"rollback: restore boot","outcome":"ok"'

# persist again, the filesystem full meanwhile
back_to_apache2
printf '#!/bin/sh\nsleep 2\n' >"$m/etc/systemd/system-generators/slow"
chmod 0755 "$m/etc/systemd/system-generators/slow"
audit_fs full3.img || fail_check "cannot mount the small audit filesystem"
during_drain 'ct_run a sh -c "$audit_fill"' newsite "stop apache2"
rm -f "$m/etc/systemd/system-generators/slow"
served_by_apache2 "full during persist"
rolled_back_unrecorded "full during persist"
has '"step":"rollback: restore boot","outcome":"ok"'
# nothing left to recover: each rollback ended, and removed its journal
ct_run a sh -c '! ls /var/lib/cutover/intent/* 2>/dev/null' ||
    fail_check "a journal of intent was left" "$(ct_run a ls -l /var/lib/cutover/intent)"
finish
