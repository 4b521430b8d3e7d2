#!/bin/sh
# The fault cells of issue 29 that t-recover.sh, t-reexec.sh and
# t-auditfault.sh do not perform, on the example's switch with the
# socket handoff (apache2.service to nginx.service on 8080):
#   1. SIGKILL of the transaction right after take-port, before nginx's
#      start begins;
#   2. a power cut at the same point;
#   3. a power cut during a check;
#   4. systemctl daemon-reexec during a check (not a failure: the switch
#      ends ok);
#   5. the audit filesystem read-only, then full, during nginx's start
#      (the rollback brings apache2 back, the report says which records
#      were lost, exit 1).
# After 1-4: the site served by exactly one of the two, the boot state
# its, no unit failed, no journal of intent left, the trail telling what
# happened ("recover newsite" decided, its steps, recovered, naming the
# interrupted txid), and deploy switching both ways with no root repair.
#
# The point after take-port is held open by the host's strace on the
# switch (as tests/system/t-faults.sh runs cutover; root's strace, so the
# setuid exec is honoured): every fdatasync - one per audit record - is
# held 1.5 s on its way back, so take-port's record is in the file while
# the transaction still waits in its fdatasync, and the start step is not
# yet forked.  A check is held open by its page: nginx answers 503 for
# /ready.html until /srv/new/ready exists, and the check (within = 30)
# asks again until then.
. tests/container/site.sh

command -v strace >/dev/null 2>&1 || { echo "skip: no strace on the host (make deps installs it)"; exit 77; }
started=$(date +%s)
site_up a || { fail_check "the container did not come up"; finish; }
cat >"$CT_SCRATCH/policy.conf" <<EOF
audit = { syslog = true; file = "/var/log/cutover/audit.jsonl"; };
services = {
$(svc_apache2 'stop_timeout = 20.0;')
$(svc_nginx 'socket_handoff = "nginx"; start_timeout = 20.0;')
};
ports = ( { port = 8080; holders = ["apache2", "nginx"]; } );
checks = {
  newpage = { url = "http://127.0.0.1:8080/ready.html"; contains = "$NEW_TEXT"; within = 30.0; };
  oldpage = { url = "http://127.0.0.1:8080/"; contains = "$OLD_TEXT"; within = 3.0; };
};
plans = {
  newsite = { port = 8080; from = "apache2"; to = "nginx"; verify = ["newpage"]; };
  oldsite = { port = 8080; from = "nginx"; to = "apache2"; verify = ["oldpage"]; };
};
rules = ( { users = ["deploy"]; switch = ["newsite", "oldsite"]; } );
EOF
site_policy a "$CT_SCRATCH/policy.conf"
m=$CT_SCRATCH/a/merged
mkdir -p "$m/etc/systemd/system/nginx.service.d"
cp "$m/usr/share/doc/cutover/examples/systemd/nginx-cutover-handoff.conf" \
    "$m/etc/systemd/system/nginx.service.d/cutover-handoff.conf"
# the check's page: 503 (not ready, asked again) until the file exists
sed -i 's|^\([[:space:]]*\)root /srv/new;|&\n\1location = /ready.html { if (!-f /srv/new/ready) { return 503; } }|' \
    "$m/etc/nginx/sites-available/default"
grep -q 'location = /ready.html' "$m/etc/nginx/sites-available/default" ||
    fail_check "nginx's site has no /ready.html"
echo "$NEW_TEXT" >"$m/srv/new/ready.html"
touch "$m/srv/new/ready"
ct_run a systemctl daemon-reload
echo "the site is up after $(($(date +%s) - started)) s"

# cell NAME: its time, from the last call
cell_t0=$(date +%s)
cell() {
	now=$(date +%s)
	echo "---- $1 ($((now - cell_t0)) s)"
	cell_t0=$now
}

# held_switch PLAN: deploy's switch of PLAN under the host's strace,
# every fdatasync held 1.5 s on its way back; in the background ($sw)
held_switch() {
	pid1=$(cat "$CT_SCRATCH/a/pid1")
	audit=/proc/$pid1/root/var/log/cutover/audit.jsonl
	# the records before this switch's
	seen=$(cat "$audit" 2>/dev/null | wc -l)
	g=$(ct_run a id -g deploy)
	strace -f -qq -o /dev/null -e trace=fdatasync -e inject=fdatasync:delay_exit=1500000 \
	    nsenter -t "$pid1" -a -r -w -- /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	    LANG=C.UTF-8 setpriv --reuid=deploy --regid="$g" --init-groups --inh-caps=-all \
	    -- /usr/bin/cutover switch "$1" >"$CT_SCRATCH/out" 2>&1 </dev/null &
	sw=$!
}

# after_take_port: once take-port's record is in the file, and nginx's
# start not begun, the transaction's pid in $txn (else fails)
after_take_port() {
	txn=
	i=0
	until tail -n +$((seen + 1)) "$audit" 2>/dev/null | grep -q '"step":"take-port 8080"'; do
		i=$((i + 1))
		[ "$i" -lt 600 ] || { fail_check "no take-port record" "$(cat "$CT_SCRATCH/out")"; return 1; }
		sleep 0.05
	done
	txn=$(ct_run a sh -c "$find_txn")
	[ -n "$txn" ] || { fail_check "no transaction after take-port"; return 1; }
	# still in the record's fdatasync: no start record, nginx untouched
	if tail -n +$((seen + 1)) "$audit" | grep -q '"step":"start nginx"' ||
	    [ "$(ct_run a systemctl is-active nginx)" != inactive ]; then
		fail_check "nginx's start had begun" "$(tail -n +$((seen + 1)) "$audit")"
		return 1
	fi
}

# page_not_ready: the check's page answers 503, nginx's log emptied
page_not_ready() {
	ct_run a sh -c 'rm -f /srv/new/ready; : >/var/log/nginx/access.log'
}
# check_waits: the switch's check has asked nginx for its page (a 503)
check_waits() {
	wait_for "the check's first attempt" grep -q 'GET /ready.html.* 503 ' /var/log/nginx/access.log
}

# ---- 1. SIGKILL of the transaction right after take-port --------------------
cell "setup"
held_switch newsite
if after_take_port; then
	txid=$(interrupted_txid)
	ct_run a kill -KILL "$txn" && echo "ok: (1) the transaction ($txn) killed right after take-port"
fi
wait "$sw"
[ -n "$txid" ] || fail_check "(1) no journal of intent before the kill"
# it had reached nothing: its guardian goes back at once
guarded "$txid" "(1)" "undone"
is a nginx inactive
expect 0 "(1) the next request (the reverse plan) has nothing to recover or do" \
    as_deploy a cutover switch oldsite
lacks "recovering"
has "nothing to do: apache2 already serves"
consistent apache2 "(1) after the recovery"
recorded "$txid" "(1)"
both_ways "(1)"
cell "1. SIGKILL right after take-port"

# ---- 2. a power cut right after take-port -----------------------------------
held_switch newsite
if after_take_port; then
	txid=$(interrupted_txid)
	power_cut
	echo "ok: (2) power cut right after take-port, booted again"
fi
wait "$sw" 2>/dev/null
[ -n "$txid" ] || fail_check "(2) no journal of intent after take-port"
is a cutover-recover.service inactive
out=$(ct_run a journalctl -b -u cutover-recover.service --no-pager 2>&1)
has "interrupted switch newsite (txid $txid) undone"
consistent apache2 "(2) after the boot"
recorded "$txid" "(2)"
both_ways "(2)"
cell "2. power cut right after take-port"

# ---- 3. a power cut during a check --------------------------------------------
page_not_ready
as_deploy a cutover switch newsite >"$CT_SCRATCH/out" 2>&1 &
sw=$!
txid=
if check_waits; then
	txid=$(interrupted_txid)
	power_cut
	echo "ok: (3) power cut during the check, booted again"
fi
wait "$sw" 2>/dev/null
[ -n "$txid" ] || fail_check "(3) no journal of intent during the check"
is a cutover-recover.service inactive
out=$(ct_run a journalctl -b -u cutover-recover.service --no-pager 2>&1)
has "interrupted switch newsite (txid $txid) undone"
consistent apache2 "(3) after the boot"
recorded "$txid" "(3)"
ct_run a touch /srv/new/ready
both_ways "(3)"
cell "3. power cut during a check"

# ---- 4. systemctl daemon-reexec during a check --------------------------------
# a generator that makes the re-exec take 4 s, once: the check's page
# comes meanwhile, so the check ends (and its look at who serves runs)
# while systemd is re-executing
mkdir -p "$m/etc/systemd/system-generators"
cat >"$m/etc/systemd/system-generators/slow-once" <<'EOF'
#!/bin/sh
if [ -e /run/cutover-slow-once ]; then rm -f /run/cutover-slow-once; sleep 4; fi
exit 0
EOF
chmod 0755 "$m/etc/systemd/system-generators/slow-once"
page_not_ready
as_deploy a cutover switch newsite >"$CT_SCRATCH/out" 2>&1 &
sw=$!
if check_waits; then
	ct_run a touch /run/cutover-slow-once
	ct_run a systemctl daemon-reexec >"$CT_SCRATCH/reexec.out" 2>&1 &
	rx=$!
	sleep 0.5
	ct_run a touch /srv/new/ready
	echo "ok: (4) systemd re-executing during the check; its page comes"
fi
wait "$sw"
rc=$?
wait "$rx" || fail_check "(4) systemctl daemon-reexec failed" "$(cat "$CT_SCRATCH/reexec.out")"
out=$(cat "$CT_SCRATCH/out")
echo "(4) exit $rc: $(echo "$out" | tail -n 1)"
[ "$rc" = 0 ] || fail_check "(4) the switch did not end ok" "$out"
lacks "rolling back"
# the look at who serves, after the fetch, lost systemd and looked again
has "verify newpage: (systemd re-executed meanwhile; asked again) newpage OK"
consistent nginx "(4) after the switch"
rm -f "$m/etc/systemd/system-generators/slow-once"
ct_run a systemctl daemon-reload
both_ways "(4)"
cell "4. daemon-reexec during a check"

# ---- 5. the audit filesystem read-only, then full, during nginx's start -------
# nginx's start held open 3 s by a slow ExecStartPre=; the fault once
# take-port's record is written.  The start's record is lost, so the
# switch rolls back, and its rollback's records are lost too, which must
# not stop it: apache2 serves, the boot state is apache2's, exit 1.
printf '[Service]\nExecStartPre=/bin/sleep 3\n' >"$m/etc/systemd/system/nginx.service.d/slow.conf"
ct_run a systemctl daemon-reload
# during_start FAULT: switch newsite (JSON), FAULT (a command of the
# host's) once nginx is starting
during_start() {
	as_deploy a cutover switch --format=json newsite >"$CT_SCRATCH/json" 2>"$CT_SCRATCH/err" &
	sw=$!
	if wait_for "nginx's start" sh -c '[ "$(systemctl is-active nginx)" = activating ]'; then
		eval "$1" || fail_check "the fault '$1' could not be made"
	fi
	wait "$sw"
	rc=$?
	out="$(cat "$CT_SCRATCH/json" "$CT_SCRATCH/err")"
	txid=$(sed -n 's/.*"txid":"\([0-9a-f]*\)".*/\1/p' "$CT_SCRATCH/json")
	echo "exit $rc: $(tail -n 1 "$CT_SCRATCH/err")"
}
# rolled_back WHEN: apache2 serves and is enabled, nginx stopped, disabled
rolled_back() {
	case $(page a) in
	*"$OLD_TEXT"*) echo "ok: $1: apache2 serves the old page" ;;
	*) fail_check "$1: the site is dark or wrong" "$(page a)" ;;
	esac
	is a apache2 active
	is a apache2 enabled
	is a nginx inactive
	is a nginx disabled
	failed=$(ct_run a systemctl --failed --no-legend --plain)
	[ -z "$failed" ] || fail_check "$1: units left failed" "$failed"
	left=$(ct_run a ls -A /var/lib/cutover/intent 2>/dev/null)
	[ -z "$left" ] || fail_check "$1: a journal of intent is left: $left"
}

audit_fs ro.img || fail_check "cannot mount the small audit filesystem"
# an ext4 error, as a failing disk makes one: the kernel remounts it
# read-only under the open audit file
during_start "echo 1 >/sys/fs/ext4/\${loop#/dev/}/trigger_fs_error"
rolled_back "(5) read-only during nginx's start"
rolled_back_unrecorded "(5) read-only during nginx's start"
has '"step":"start nginx","outcome":"failed"'
# the outcome names the records lost, the start's first
has "the audit records of start nginx, "

audit_fs full.img || fail_check "cannot mount the small audit filesystem"
back_to_apache2
during_start 'ct_run a sh -c "$audit_fill"'
rolled_back "(5) full during nginx's start"
rolled_back_unrecorded "(5) full during nginx's start"
has '"step":"start nginx","outcome":"failed"'
has "the audit records of start nginx, "

# the disk replaced (the file back on the container's own disk): deploy
# switches both ways, no repair of cutover's
ct_run a umount /var/log/cutover
rm -f "$m/etc/systemd/system/nginx.service.d/slow.conf"
ct_run a systemctl daemon-reload
both_ways "(5)"
cell "5. the audit filesystem read-only, then full, during nginx's start"
echo "t-faults: $(($(date +%s) - started)) s in all"
finish
