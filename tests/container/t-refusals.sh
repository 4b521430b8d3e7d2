#!/bin/sh
# Every refusal has its report (issue 29, item 7).  `cutover switch
# --format=json` prints one JSON object however it ends, for a script or
# the Ansible module (which otherwise says "cutover printed no report"):
# two concurrent switches of one site, the second started while the first
# holds nginx's start open (a slow ExecStartPre=/bin/sleep 3): the loser
# is refused by the lock (exit 3) and prints a report that says so, with
# its own txid; the winner's report is ok.  A policy that cannot be used
# (writable by others: exit 4) and a plan the caller may not switch
# (exit 3) print theirs too.  (Before: the lock refusal and the unusable
# policy printed nothing on standard output.)
. tests/container/site.sh

site_up a || { fail_check "the container did not come up"; finish; }
cat >"$CT_SCRATCH/policy.conf" <<EOF
audit = { syslog = true; file = "/var/log/cutover/audit.jsonl"; };
services = {
$(svc_apache2)
$(svc_nginx 'socket_handoff = "nginx"; start_timeout = 20.0;')
};
ports = ( { port = 8080; holders = ["apache2", "nginx"]; } );
checks = { homepage = { url = "http://127.0.0.1:8080/"; contains = "$NEW_TEXT"; within = 3.0; }; };
plans = { newsite = { port = 8080; from = "apache2"; to = "nginx"; verify = ["homepage"]; };
          other = { port = 8080; from = "apache2"; to = "nginx"; }; };
rules = ( { users = ["deploy"]; switch = ["newsite"]; } );
EOF
site_policy a "$CT_SCRATCH/policy.conf"
m=$CT_SCRATCH/a/merged
mkdir -p "$m/etc/systemd/system/nginx.service.d"
cp "$m/usr/share/doc/cutover/examples/systemd/nginx-cutover-handoff.conf" \
    "$m/etc/systemd/system/nginx.service.d/cutover-handoff.conf"
printf '[Service]\nExecStartPre=/bin/sleep 3\n' >"$m/etc/systemd/system/nginx.service.d/slow.conf"
ct_run a systemctl daemon-reload

# one_report WHAT FILE WANT_EXIT WANT_OUTCOME: FILE (a run's stdout) is
# one line of JSON whose exit and outcome are these, with a txid
one_report() {
	n=$(wc -l <"$2")
	line=$(cat "$2")
	if [ "$n" != 1 ]; then
		fail_check "$1: $n lines on stdout, not one JSON report" "$line"
		return 1
	fi
	out=$line
	has "\"exit\":$3,"
	has "\"outcome\":\"$4\""
	has '"plan":"'
	echo "ok: $1: the report: $(echo "$line" | cut -c1-200)"
}

as_deploy a cutover switch --format=json newsite >"$CT_SCRATCH/first" 2>"$CT_SCRATCH/first.err" &
first=$!
i=0
until [ "$(ct_run a systemctl is-active nginx)" = activating ] || [ "$i" -ge 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ "$i" -lt 100 ] || fail_check "the first switch did not reach nginx's start"
as_deploy a cutover switch --format=json newsite >"$CT_SCRATCH/second" 2>"$CT_SCRATCH/second.err"
rc=$?
wait "$first"
rc1=$?
[ "$rc" = 3 ] || fail_check "the second switch: exit $rc, expected 3 (refused)" "$(cat "$CT_SCRATCH/second.err")"
one_report "the lock's loser" "$CT_SCRATCH/second" 3 refused &&
    has '"txid":"' && has "another cutover request is working on"
[ "$rc1" = 0 ] || fail_check "the first switch: exit $rc1" "$(cat "$CT_SCRATCH/first.err")"
one_report "the winner" "$CT_SCRATCH/first" 0 ok
t1=$(sed -n 's/.*"txid":"\([0-9a-f]*\)".*/\1/p' "$CT_SCRATCH/first")
t2=$(sed -n 's/.*"txid":"\([0-9a-f]*\)".*/\1/p' "$CT_SCRATCH/second")
[ -n "$t2" ] && [ "$t1" != "$t2" ] || fail_check "the loser's txid '$t2' is not its own (the winner's: $t1)"

as_deploy a cutover switch --format=json other >"$CT_SCRATCH/denied" 2>/dev/null
rc=$?
[ "$rc" = 3 ] || fail_check "a plan deploy may not switch: exit $rc, expected 3"
one_report "a plan deploy may not switch" "$CT_SCRATCH/denied" 3 refused && has "may not switch other"

chmod 0666 "$m/etc/cutover/policy.conf"
as_deploy a cutover switch --format=json newsite >"$CT_SCRATCH/unsafe" 2>/dev/null
rc=$?
chmod 0644 "$m/etc/cutover/policy.conf"
[ "$rc" = 4 ] || fail_check "an unsafe policy: exit $rc, expected 4"
one_report "an unsafe policy" "$CT_SCRATCH/unsafe" 4 failed && has "missing, unsafe or invalid"
finish
