#!/bin/sh
# The fleet (issues 16 and 30): FLEET_HOSTS hosts (8), each a container with
# systemd 252 as PID 1, Debian's apache2.service serving the old page on
# 8080, the cutover .deb, the package's example policy for a systemd host
# with a reverse plan (oldsite: nginx back to apache2, checked by the old
# page), and user deploy (group cutover) with an ssh key.  Debian's
# ansible-playbook, here on the host, runs rolling-switch.yml of the
# cutover-ansible package over real ssh as deploy, with no become: each
# host's sshd listens on its own loopback only, and ssh reaches it through a
# ProxyCommand that is socat in that container's network namespace.
# Batches 1, 3, 50% (a canary, three, four), two checks a batch 1 s apart
# (one where the bake is not what a run tests):
#   - --check: the preview on every host, nothing changes anywhere;
#   - the last host's policy lacks the grant: the preview stops the run,
#     naming the host, and nothing changes anywhere;
#   - a good roll-out: every host serves the new page, nginx active and
#     enabled, apache2 inactive and disabled; the run id and the reason in
#     every host's switch records; again, all eight in one batch with
#     forks 4: every host "already", changed=0, one bake wait for the
#     batch (not one a round of forks), every host checked twice;
#   - the canary's new page is broken: cutover rolls it back, the roll-out
#     is abandoned, no other host is touched (no switch in its audit file);
#   - host 3 (in the second batch) is broken: host 1 (the canary) and the
#     second batch's others were switched and go back through oldsite;
#     the rest untouched; every host's page, units and boot state checked;
#   - host 2 switches, then its page breaks during the bake: the roll-out
#     is abandoned and every host it switched (host 2 too) goes back;
#   - one host unreachable (its sshd stopped) within a 20% budget: the
#     roll-out goes on, every other host switches, the summary says so.
. tests/container/site.sh

N=${FLEET_HOSTS:-8}
HOSTS=$(seq -s ' ' -f 'host%g' 1 "$N")
# hosts_from I: host I to the last, as the summary lists them
hosts_from() {
	seq -s ' ' -f 'host%g' "$1" "$N"
}
LAST=host$N
. tests/container/fleet.sh
fleet_prepare || finish
fleet_up "$N" || finish
trap 'close_masters; ct_cleanup' EXIT
t_all=$(date +%s%N)

# shellcheck disable=SC2317 # fleet runs through expect
# fleet [OPTION...]: the playbook from the controller, batches 1, 3, 50%,
# two checks a batch, 1 s apart; its output in $out (through expect), its
# time said by took
fleet() {
	t1=$(date +%s%N)
	playbook_run -e reverse_plan=oldsite -e bake_checks=2 -e bake_interval=1 \
	    -e '{"batches": [1, 3, "50%"]}' "$@"
	rc=$?
	t1=$((($(date +%s%N) - t1) / 1000000))
	# (expect runs this in a subshell: the time goes through a file)
	echo "$((t1 / 1000)).$(printf '%03d' $((t1 % 1000))) s" >"$ctl/took"
	echo "$t1" >>"$ctl/took.ms"
	return "$rc"
}
took() {
	echo "  $1: $(cat "$ctl/took")"
}
# said LINE: the summary has the line (its words, as the debug task prints them)
said() {
	printf '%s\n' "$out" | grep -Fq "\"$1\"" ||
	    fail_check "the summary lacks \"$1\"" "$(printf '%s\n' "$out" | sed -n '/TASK \[The roll-out, host by host\]/,/^}/p')"
}
# look: every host at once, one nsenter each (one nsenter a check, host
# after host, cost seconds a scenario): into $ctl/HOST.state its page (one line),
# apache2's and nginx's is-active and is-enabled, and the number of
# switches (not dry runs) in its audit file since the mark
# shellcheck disable=SC2016 # each host's shell expands it
look() {
	for h in $HOSTS; do
		ct_run "$h" sh -c 'curl -s --max-time 5 http://127.0.0.1:8080/ | tr "\n" " "; echo
		    for u in apache2 nginx; do systemctl is-active $u; systemctl is-enabled $u; done
		    tail -n "+$(($1 + 1))" /var/log/cutover/audit.jsonl 2>/dev/null |
		        grep -c "\"action\":\"switch\",\"target\":\"[a-z]*\",\"dry_run\":false"' \
		    sh "$(cat "$ctl/$h.mark")" >"$ctl/$h.state" 2>&1 &
	done
	wait
}
# state HOST N: line N of HOST's look (1 page, 2 and 3 apache2 active and
# enabled, 4 and 5 nginx's, 6 switches since the mark)
state() {
	sed -n "$2p" "$ctl/$1.state"
}
# unit HOST WHEN UNIT LINE on|off: UNIT (at LINE of the look) is active
# and enabled (on) or inactive and disabled (off)
unit() {
	want="inactive disabled"
	[ "$5" = off ] || want="active enabled"
	got="$(state "$1" "$4") $(state "$1" $(($4 + 1)))"
	[ "$got" = "$want" ] || fail_check "$1: $2: $3 is '$got', expected '$want'"
}
# serving HOST WHEN PAGE APACHE2 NGINX: the page has PAGE, and each unit on or off
serving() {
	case $(state "$1" 1) in
	*"$3"*) ;;
	*) fail_check "$1: $2: the page is not '$3'" "$(cat "$ctl/$1.state")" ;;
	esac
	unit "$1" "$2" apache2 2 "$4"
	unit "$1" "$2" nginx 4 "$5"
}
# old HOST WHEN / new HOST WHEN: who serves, what runs, what starts at boot
old() {
	serving "$1" "$2" "$OLD_TEXT" on off
}
new() {
	serving "$1" "$2" "$NEW_TEXT" off on
}
# back: as root, apache2 serving again on every host, as before any switch
back() {
	for h in $HOSTS; do
		(ct_run "$h" systemctl disable --now nginx.service >/dev/null 2>&1
		ct_run "$h" systemctl enable --now apache2.service >/dev/null 2>&1) &
	done
	wait
}
# mark: each host's audit file length now; since HOST: its records since
mark() {
	for h in $HOSTS; do
		ct_run "$h" sh -c 'cat /var/log/cutover/audit.jsonl 2>/dev/null | wc -l' >"$ctl/$h.mark" &
	done
	wait
}
since() {
	ct_run "$1" tail -n "+$(($(cat "$ctl/$1.mark") + 1))" /var/log/cutover/audit.jsonl 2>/dev/null
}
# untouched HOST WHEN: no switch since the mark, and the old site as before
untouched() {
	[ "$(state "$1" 6)" = 0 ] ||
	    fail_check "$1: $2: a switch (not a dry run) since the run began" "$(since "$1" | tail -n 3)"
	old "$1" "$2"
}
broken_page() {
	ct_run "$1" sh -c 'echo "<h1>Under construction</h1>" >/srv/new/index.html'
}
fixed_page() {
	ct_run "$1" sh -c "echo '$NEW_TEXT' >/srv/new/index.html"
}

# ---- --check: the preview, nothing changes --------------------------------------
mark
expect 0 "rolling-switch --check on $N hosts" fleet --check &&
    said "untouched: $HOSTS"
took "--check"
has "host1: would switch: "
look
for h in $HOSTS; do
	untouched "$h" "after --check"
done

# ---- the last host does not grant the plan: stopped before anything is done -------
ct_run "$LAST" sed -i 's/^    switch = \["newsite", "oldsite"\];/    switch = ["oldsite"];/' /etc/cutover/policy.conf
mark
expect 2 "rolling-switch, $LAST lacks the grant: the preview stops it" fleet &&
    has "$LAST: the preview failed: deploy may not switch newsite: " &&
    has "ABANDONED: the preview failed on $LAST" && said "failed: $LAST"
took "the refused roll-out"
lacks "TASK [Switch]"
look
for h in $HOSTS; do
	untouched "$h" "after the refused roll-out"
done
site_policy "$LAST" "$policy"

# ---- a good roll-out in batches; then again: nothing to do ----------------------
mark
expect 0 "rolling-switch on $N hosts in batches" fleet -e run_id=fleet-good-1 \
    -e '{"reason": "CHG-1234 apache2 to nginx"}'
took "the $N-host roll-out (batches 1, 3, 4, baked)"
said "roll-out fleet-good-1: done"
said "switched: $HOSTS"
printf '%s\n' "$out" | grep -E '^(PLAY \[|TASK \[Switch\]|changed: )' | sed 's/^/  | /' | head -n 40
look
for h in $HOSTS; do
	new "$h" "after the roll-out"
	recs=$(since "$h" | grep '"action":"switch","target":"newsite","dry_run":false')
	n=$(printf '%s\n' "$recs" | grep -c '"run_id":"fleet-good-1","caller_reason":"CHG-1234 apache2 to nginx"')
	[ "$n" -ge 2 ] && [ "$n" = "$(printf '%s\n' "$recs" | grep -c .)" ] ||
	    fail_check "$h: every switch record carries the run id and the reason ($n of them do)" "$recs"
done
# one batch of all eight, forks 4: the batch takes two rounds of forks, yet
# its bake waits once (before, the wait was each host's, once a round: none
# said "Pausing", and the bake took 2 s)
expect 0 "rolling-switch again, one batch, forks 4" fleet -f 4 -e run_id=fleet-good-2 \
    -e '{"batches": ["100%"]}'
took "the second run (one batch, forks 4)"
said "already: $HOSTS"
n=$(printf '%s\n' "$out" | grep -c '^Pausing for 1 seconds')
[ "$n" = 1 ] || fail_check "one bake wait for the batch: $n" \
    "$(printf '%s\n' "$out" | grep -E '^(TASK \[Bake|Pausing|ok: \[host)')"
for h in $HOSTS; do
	n=$(printf '%s\n' "$out" | awk -v h="ok: [$h]" '/^TASK \[/ { bake = /^TASK \[Bake - check / }
	    bake && $0 == h { n++ } END { print n + 0 }')
	[ "$n" = 2 ] || fail_check "$h: checked twice in its batch's bake: $n"
done
look
for h in $HOSTS; do
	printf '%s\n' "$out" | grep -Eq "^$h +: ok=[0-9]+ +changed=0 +unreachable=0 +failed=0 " ||
	    fail_check "$h: the second run changed something" "$(printf '%s\n' "$out" | grep -A12 'PLAY RECAP')"
	new "$h" "after the second run"
done

# ---- the canary's page is broken: rolled back, nothing else touched --------------
back
broken_page host1
mark
expect 2 "rolling-switch, the canary's page broken: abandoned" fleet -e run_id=fleet-canary -e bake_checks=1
took "the canary's failure"
has "ABANDONED: 1 of $N hosts failed or unreachable (host1)"
said "failed: host1"
said "untouched: $(hosts_from 2)"
has "rolled back, apache2 serving 8080 again"
look
for h in $HOSTS; do
	[ "$h" = host1 ] && { old host1 "the canary, rolled back by cutover"; continue; }
	untouched "$h" "after the canary failed"
done
fixed_page host1

# ---- a failure in the second batch: what this run switched goes back ------------
broken_page host3
mark
expect 2 "rolling-switch, host3 (second batch) broken: abandoned, reverted" fleet -e run_id=fleet-batch2 \
    -e bake_checks=1 -e '{"reason": "CHG-1235 second try"}'
took "the second batch's failure and the revert"
has "ABANDONED: 1 of $N hosts failed or unreachable (host3)"
said "reverted: host1 host2 host4"
said "failed: host3"
said "untouched: $(hosts_from 5)"
look
for h in host1 host2 host4; do
	old "$h" "$h: switched, then reverted through oldsite"
	since "$h" | grep '"action":"switch","target":"oldsite","dry_run":false' |
	    grep -q '"run_id":"fleet-batch2","caller_reason":"CHG-1235 second try"' ||
	    fail_check "$h: the revert's records carry the run id and the reason" "$(since "$h" | tail -n 4)"
done
old host3 "host3, rolled back by cutover"
for h in $(hosts_from 5); do
	untouched "$h" "after the second batch failed"
done
fixed_page host3

# ---- host2 switches, then fails its bake: what this run switched goes back -------
# The page breaks once the bake's first check of host2 passed (its verify
# record with the run id), a second before the second check.
mark
# shellcheck disable=SC2016 # host2's shell expands it
ct_run host2 sh -c 'for i in $(seq 300); do
	grep -F "\"action\":\"verify\"" /var/log/cutover/audit.jsonl | grep -F "\"run_id\":\"fleet-bake\"" |
	    grep -qF "\"outcome\":\"ok\"" && { echo "<h1>Under construction</h1>" >/srv/new/index.html; exit 0; }
	sleep 0.1
done' &
breaker=$!
expect 2 "rolling-switch, host2 fails its bake: abandoned, reverted" fleet -e run_id=fleet-bake
took "host2's failed bake and the revert"
wait "$breaker"
has "ABANDONED: 1 of $N hosts failed or unreachable (host2)"
said "reverted: host1 host2 host3 host4"
said "untouched: $(hosts_from 5)"
has "host2: the bake failed at check 2 of 2: check homepage: "
has "; reverted: switch oldsite: done"
since host2 | grep -q '"action":"switch","target":"newsite","dry_run":false,"run_id":"fleet-bake".*"outcome":"ok"' ||
    fail_check "host2 switched before its bake failed" "$(since host2 | tail -n 6)"
look
for h in host1 host2 host3 host4; do
	old "$h" "$h: switched, then reverted through oldsite"
done
for h in $(hosts_from 5); do
	untouched "$h" "after host2 failed its bake"
done
fixed_page host2

# ---- one host unreachable, within a 20% budget: the roll-out goes on -------------
ct_run host6 systemctl stop ssh.service
ssh -F "$ctl/ssh_config" -O exit host6 >/dev/null 2>&1     # its connection too
mark
expect 0 "rolling-switch, host6 unreachable within the budget" fleet -e run_id=fleet-away \
    -e failure_budget_percent=20 -e bake_checks=1
took "the roll-out with host6 unreachable"
said "unreachable: host6"
said "roll-out fleet-away: done"
look
for h in $HOSTS; do
	[ "$h" = host6 ] && { untouched host6 "host6, unreachable"; continue; }
	new "$h" "after the roll-out without host6"
done
# where the time went: the playbook runs, and the rest (the looks, the
# marks, the pages broken and fixed) after the hosts were up
ms=$((($(date +%s%N) - t_all) / 1000000))
runs=$(awk '{ n += $1 } END { print n + 0 }' "$ctl/took.ms")
echo "  $(grep -c . "$ctl/took.ms") playbook runs $((runs / 1000)).$(printf '%03d' $((runs % 1000))) s," \
    "the rest $(((ms - runs) / 1000)).$(printf '%03d' $(((ms - runs) % 1000))) s, after the hosts were up"
close_masters
finish
