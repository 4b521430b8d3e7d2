#!/bin/sh
# A switch that survives faults (issue 29, items 1, 2 and 5): the journal
# of intent, and its recovery by the killed transaction's guardian (at
# once: (a), (d), (e)) and at boot.  The
# example's switch with the socket handoff, and a fault at three points:
#   (a) SIGKILL of the transaction (what the OOM killer sends) while
#       nginx starts (held open by a slow ExecStartPre=): before, the
#       orphaned step left apache2 and nginx serving the one socket, and
#       every switch refused until root stopped one;
#   (b) a power cut (every process of the container killed, then a boot
#       from the same disk) during apache2's drain: before, the boot
#       brought the old site back with nothing to say why, or both (the
#       drain now comes after the checks, so the recovery goes forward);
#   (c) a power cut during persist (held open by a generator that makes
#       systemd's reload slow): before, the next boot could start both.
# After each: the site served by exactly one of the two, the boot state
# its, no unit failed, the audit trail telling what happened (decided,
# recovered, the interrupted txid), and both the switch and its reverse
# plan working for deploy with no root repair.
. tests/container/site.sh

site_up a || { fail_check "the container did not come up"; finish; }
cat >"$CT_SCRATCH/policy.conf" <<EOF
audit = { syslog = true; file = "/var/log/cutover/audit.jsonl"; };
services = {
$(svc_apache2 'stop_timeout = 20.0;')
$(svc_nginx 'socket_handoff = "nginx"; start_timeout = 20.0;')
};
ports = ( { port = 8080; holders = ["apache2", "nginx"]; } );
checks = {
  newpage = { url = "http://127.0.0.1:8080/"; contains = "$NEW_TEXT"; within = 3.0; };
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
ct_run a systemctl daemon-reload
head -c 20000000 /dev/zero >"$m/var/www/html/big.bin"
# wait_for, find_txn, consistent, recorded, both_ways, interrupted_txid,
# power_cut and JOURNAL: site.sh's

# ---- (a) SIGKILL of the transaction while nginx starts ----------------------
cat >"$m/etc/systemd/system/nginx.service.d/slow.conf" <<EOF
[Service]
ExecStartPre=/bin/sleep 4
EOF
ct_run a systemctl daemon-reload
as_deploy a cutover switch newsite >"$CT_SCRATCH/out" 2>&1 &
sw=$!
if wait_for "nginx's start" sh -c '[ "$(systemctl is-active nginx)" = activating ]'; then
	txid=$(interrupted_txid)
	txn=$(ct_run a sh -c "$find_txn")
	[ -n "$txn" ] && ct_run a kill -KILL "$txn" && echo "ok: (a) the transaction ($txn) killed during nginx's start"
fi
wait "$sw"
[ -n "$txid" ] || fail_check "(a) no journal of intent before the kill"
# the orphaned step ends on its own, holding the plan's locks until then;
# then the guardian takes them and goes back
guarded "$txid" "(a)" "undone: stop nginx"
echo "(a) after the kill: apache2 $(ct_run a systemctl is-active apache2), nginx $(ct_run a systemctl is-active nginx)"
rm -f "$m/etc/systemd/system/nginx.service.d/slow.conf"
ct_run a systemctl daemon-reload
expect 0 "(a) the next request (the reverse plan) has nothing to recover or do" \
    as_deploy a cutover switch oldsite
lacks "recovering"
has "nothing to do: apache2 already serves"
consistent apache2 "(a) after the recovery"
recorded "$txid" "(a)"
both_ways "(a)"

# ---- (b) a power cut during apache2's drain --------------------------------
ct_run a sh -c 'curl -s --limit-rate 2M -o /root/got.bin http://127.0.0.1:8080/big.bin' &
dl=$!
sleep 0.5
as_deploy a cutover switch newsite >"$CT_SCRATCH/out" 2>&1 &
sw=$!
if wait_for "apache2's drain" sh -c '[ "$(systemctl is-active apache2)" = deactivating ]'; then
	txid=$(interrupted_txid)
	power_cut
	echo "ok: (b) power cut during the drain, booted again"
fi
wait "$sw" 2>/dev/null
wait "$dl" 2>/dev/null
[ -n "$txid" ] || fail_check "(b) no journal of intent during the drain"
is a cutover-recover.service inactive
ct_run a journalctl -b -u cutover-recover.service --no-pager >"$CT_SCRATCH/recover.log" 2>&1
out=$(cat "$CT_SCRATCH/recover.log")
# the drain comes after the checks passed (apache2 was only paused while
# they ran): verified, so forward
has "interrupted switch newsite (txid $txid) finished"
consistent nginx "(b) after the boot"
recorded "$txid" "(b)"
both_ways "(b)"

# ---- (c) a power cut during persist ----------------------------------------
# a generator that makes systemd's reload (persist's last call) take 8 s,
# only while /run/cutover-slow-reload exists (not at the next boot)
mkdir -p "$m/etc/systemd/system-generators"
cat >"$m/etc/systemd/system-generators/slow-reload" <<'EOF'
#!/bin/sh
[ -e /run/cutover-slow-reload ] && sleep 8
exit 0
EOF
chmod 0755 "$m/etc/systemd/system-generators/slow-reload"
ct_run a touch /run/cutover-slow-reload
as_deploy a cutover switch newsite >"$CT_SCRATCH/out" 2>&1 &
sw=$!
if wait_for "persist" grep -q "^marks.*persisting" "$JOURNAL"; then
	txid=$(interrupted_txid)
	sleep 1
	power_cut
	echo "ok: (c) power cut during persist, booted again"
fi
wait "$sw" 2>/dev/null
ct_run a journalctl -b -u cutover-recover.service --no-pager >"$CT_SCRATCH/recover.log" 2>&1
out=$(cat "$CT_SCRATCH/recover.log")
has "interrupted switch newsite (txid $txid) finished"
consistent nginx "(c) after the boot"
recorded "$txid" "(c)"
both_ways "(c)"

# ---- (d) SIGKILL of the transaction during apache2's drain -----------------
ct_run a sh -c 'curl -s --limit-rate 2M -o /dev/null http://127.0.0.1:8080/big.bin' &
dl=$!
sleep 0.5
as_deploy a cutover switch newsite >"$CT_SCRATCH/out" 2>&1 &
sw=$!
if wait_for "apache2's drain" sh -c '[ "$(systemctl is-active apache2)" = deactivating ]'; then
	txid=$(interrupted_txid)
	txn=$(ct_run a sh -c "$find_txn")
	[ -n "$txn" ] && ct_run a kill -KILL "$txn" && echo "ok: (d) the transaction killed during the drain"
fi
wait "$sw"
wait "$dl"
# forward: verified before the drain
guarded "$txid" "(d)" "finished"
expect 0 "(d) the next switch has nothing to recover or do" as_deploy a cutover switch newsite
lacks "recovering"
has "nothing to do: nginx already serves"
consistent nginx "(d) after the recovery and the switch"
recorded "$txid" "(d)"
both_ways "(d)"

# ---- (e) SIGKILL of the transaction during persist --------------------------
ct_run a touch /run/cutover-slow-reload
as_deploy a cutover switch newsite >"$CT_SCRATCH/out" 2>&1 &
sw=$!
if wait_for "persist" grep -q "^marks.*persisting" "$JOURNAL"; then
	txid=$(interrupted_txid)
	txn=$(ct_run a sh -c "$find_txn")
	[ -n "$txn" ] && ct_run a kill -KILL "$txn" && echo "ok: (e) the transaction killed during persist"
fi
ct_run a rm -f /run/cutover-slow-reload
wait "$sw"
guarded "$txid" "(e)" "finished"
expect 0 "(e) the reverse plan switches back" as_deploy a cutover switch oldsite
lacks "recovering"
has "switch oldsite: done in"
consistent apache2 "(e) after the recovery and the reverse switch"
recorded "$txid" "(e)"
both_ways "(e)"

# ---- (f) a power cut during nginx's start ----------------------------------
printf '[Service]\nExecStartPre=/bin/sleep 4\n' >"$m/etc/systemd/system/nginx.service.d/slow.conf"
ct_run a systemctl daemon-reload
as_deploy a cutover switch newsite >"$CT_SCRATCH/out" 2>&1 &
sw=$!
if wait_for "nginx's start" sh -c '[ "$(systemctl is-active nginx)" = activating ]'; then
	txid=$(interrupted_txid)
	power_cut
	echo "ok: (f) power cut during nginx's start, booted again"
fi
wait "$sw" 2>/dev/null
rm -f "$m/etc/systemd/system/nginx.service.d/slow.conf"
ct_run a systemctl daemon-reload
ct_run a journalctl -b -u cutover-recover.service --no-pager >"$CT_SCRATCH/recover.log" 2>&1
out=$(cat "$CT_SCRATCH/recover.log")
has "interrupted switch newsite (txid $txid) undone"
consistent apache2 "(f) after the boot"
recorded "$txid" "(f)"
both_ways "(f)"
finish

