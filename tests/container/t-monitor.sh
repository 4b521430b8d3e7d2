#!/bin/sh
# Monitoring after the switch (issue 17), under a real systemd with the
# .deb installed: the package's cutover-verify@.timer runs the check
# homepage every minute as the package's user _cutover-monitor, whose
# only grant is the example drop-in's; a failed check fails the unit,
# whose OnFailure= unit writes one line at priority err with the check,
# its URL and what was wrong; the textfile for node_exporter says up 1
# or up 0; a drop-in changes the schedule.
#   - systemd-analyze verify passes the three units;
#   - _cutover-monitor: a system user in group cutover, no home, no
#     shell; it may verify homepage and nothing else;
#   - the switch's last line and its JSON say whether the timer of the
#     plan's check watches it, and how to turn it on;
#   - the service succeeds on the right page, the textfile says up 1,
#     0644 root, and nothing else is in the directory; Debian's
#     prometheus-node-exporter (running in the container) reads it
#     without a scrape error and serves up 1;
#   - the page broken: the next run of the timer fails, within a minute
#     and the check's own within (10 s in the example: 70 s, and 5 s for
#     the scheduler), the err line is in the journal, the textfile says
#     up 0;
#   - a drop-in makes it every 5 s; the page fixed: it recovers.
. tests/container/site.sh

ex=/usr/share/doc/cutover/examples
units="cutover-verify@homepage.service cutover-verify@homepage.timer cutover-verify-failed@homepage.service"
prom=/var/lib/prometheus/node-exporter/cutover_homepage.prom

site_up a || { fail_check "the container did not come up"; finish; }
ct_run a install -m 0640 "$ex/systemd.conf" /etc/cutover/policy.conf &&
    ct_run a install -D -m 0644 "$ex/systemd/nginx-cutover-handoff.conf" \
    /etc/systemd/system/nginx.service.d/cutover-handoff.conf &&
    ct_run a install -m 0640 "$ex/monitoring/60-monitoring.conf" \
    /etc/cutover/policy.d/60-monitoring.conf &&
    ct_run a systemctl daemon-reload || { fail_check "the example policy and drop-ins"; finish; }
# Debian's prometheus-node-exporter is installed and running (the
# container root has it): its textfile directory is root's, 0755
expect 0 "node_exporter's textfile directory" ct_run a stat -c '%a %U' /var/lib/prometheus/node-exporter &&
    has "755 root"
is a prometheus-node-exporter active
# the switch's last line says the check is not watched yet, and how to
expect 0 "switch newsite (nginx serves the page the check wants)" as_deploy a cutover switch newsite &&
    has "; not watched: systemctl enable --now cutover-verify@homepage.timer"

# ---- the units and the user --------------------------------------------------------
# (--man=no: the container has no man; Documentation= names cutover(8))
# shellcheck disable=SC2086 # the unit names, one word each
expect 0 "systemd-analyze verify of the three units" ct_run a systemd-analyze verify --man=no $units
[ -z "$out" ] || fail_check "systemd-analyze verify says something" "$out"
expect 0 "the monitoring user" ct_run a getent passwd _cutover-monitor &&
    case $out in
    *:/nonexistent:/usr/sbin/nologin) ;;
    *) fail_check "_cutover-monitor has a home or a shell" "$out" ;;
    esac
expect 0 "its groups" ct_run a id -nG _cutover-monitor && has "cutover"
expect 0 "_cutover-monitor may verify homepage" ct_user a _cutover-monitor cutover verify homepage &&
    has "homepage OK: 200"
expect 0 "what _cutover-monitor may do" ct_user a _cutover-monitor cutover list
has "verify homepage"
lacks "switch"
lacks "stop"
expect 3 "_cutover-monitor may not switch" ct_user a _cutover-monitor cutover -n switch newsite
expect 3 "_cutover-monitor may not stop nginx" ct_user a _cutover-monitor cutover stop nginx
is a nginx active

# ---- the right page: the unit succeeds, up 1 ---------------------------------------
expect 0 "enable --now the timer" ct_run a systemctl enable --now cutover-verify@homepage.timer
expect 0 "a run of the service" ct_run a systemctl start cutover-verify@homepage.service
expect 0 "its result" ct_run a systemctl show -P Result cutover-verify@homepage.service && has success
expect 0 "its line in the journal" ct_run a journalctl -q -o cat -u cutover-verify@homepage.service &&
    has "CUTOVER OK: homepage http://127.0.0.1:8080/ - 200"
expect 0 "the textfile" ct_run a cat "$prom" && has 'cutover_check_up{check="homepage"} 1'
expect 0 "the textfile's mode" ct_run a stat -c '%a %U %G' "$prom" && has "644 root root"
expect 0 "the textfile directory" ct_run a ls -A /var/lib/prometheus/node-exporter
[ "$out" = cutover_homepage.prom ] || fail_check "the directory holds the file and nothing else" "$out"
# what Debian's node_exporter makes of it: read, no scrape error, up 1
exporter() {
	ct_run a curl -s --max-time 5 http://127.0.0.1:9100/metrics
}
expect 0 "node_exporter's /metrics" exporter &&
    has 'cutover_check_up{check="homepage"} 1' && has 'node_textfile_scrape_error 0' &&
    has 'cutover_check_http_status{check="homepage"} 200'
is a cutover-verify@homepage.timer active
# now the switch says so (done already: only the checks run)
expect 0 "switch newsite again, the timer on" as_deploy a cutover switch newsite &&
    has "nothing to do: nginx already serves port 8080, verified; watched by cutover-verify@homepage.timer"
expect 0 "switch --format=json newsite, the timer on" as_deploy a cutover switch --format=json newsite &&
    has '"watched":["homepage"],"unwatched":[]'

# ---- the page broken: failed within 70 s (+5), the err line, up 0 -----------------
ct_run a sh -c 'echo "<h1>Under construction</h1>" >/srv/new/index.html'
t0=$(date +%s)
while ! ct_run a systemctl is-failed -q cutover-verify@homepage.service &&
    [ $(($(date +%s) - t0)) -le 80 ]; do
	sleep 1
done
secs=$(($(date +%s) - t0))
if ct_run a systemctl is-failed -q cutover-verify@homepage.service; then
	echo "the broken page was seen by the timer's run after $secs s"
	[ "$secs" -le 75 ] || fail_check "the failure came after $secs s, more than 60 + 10 + 5"
else
	fail_check "80 s after the page broke the unit has not failed" \
	    "$(ct_run a systemctl status --no-pager cutover-verify@homepage.service cutover-verify@homepage.timer 2>&1)"
fi
# the OnFailure= unit's line, at priority err (3) and only that
line=
i=0
while [ -z "$line" ] && [ "$i" -lt 50 ]; do
	line=$(ct_run a journalctl -q -o cat -p 3..3 -t cutover-verify 2>/dev/null)
	[ -n "$line" ] || { sleep 0.2; i=$((i + 1)); }
done
echo "the err line: $line"
case $line in
*"check homepage FAILED (cutover-verify@homepage.service: exit-code, exit status 2): CUTOVER CRITICAL: homepage http://127.0.0.1:8080/ - \"Fall collection\" not found"*) ;;
*) fail_check "the journal's err line names the check, its URL and what was wrong" "$line" ;;
esac
[ "$(printf '%s\n' "$line" | wc -l)" = 1 ] || fail_check "one err line per failed run" "$line"
expect 0 "the textfile after the failure" ct_run a cat "$prom" &&
    has 'cutover_check_up{check="homepage"} 0' && has 'cutover_check_http_status{check="homepage"} 200'
expect 0 "node_exporter after the failure" exporter &&
    has 'cutover_check_up{check="homepage"} 0' && has 'node_textfile_scrape_error 0'

# ---- every 5 s with a drop-in; the page fixed: it recovers -------------------------
ct_run a install -D -m 0644 /dev/stdin /etc/systemd/system/cutover-verify@homepage.timer.d/often.conf <<'EOF'
[Timer]
OnCalendar=
OnCalendar=*:*:0/5
EOF
ct_run a systemctl daemon-reload
ct_run a systemctl restart cutover-verify@homepage.timer
ct_run a sh -c "echo '$NEW_TEXT' >/srv/new/index.html"
# recovered: a run since the fix passed (the textfile says up 1, the unit
# is not failed)
t0=$(date +%s)
until ct_run a grep -qx 'cutover_check_up{check="homepage"} 1' "$prom" &&
    ! ct_run a systemctl is-failed -q cutover-verify@homepage.service ||
    [ $(($(date +%s) - t0)) -gt 30 ]; do
	sleep 1
done
echo "recovered after $(($(date +%s) - t0)) s (every 5 s)"
expect 0 "the result after the fix" ct_run a systemctl show -P Result cutover-verify@homepage.service &&
    has success
expect 0 "the textfile after the fix" ct_run a cat "$prom" && has 'cutover_check_up{check="homepage"} 1'
expect 0 "node_exporter after the fix" exporter && has 'cutover_check_up{check="homepage"} 1'
ct_run a systemctl disable --now cutover-verify@homepage.timer >/dev/null 2>&1
finish
