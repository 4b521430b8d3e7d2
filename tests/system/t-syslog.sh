#!/bin/sh
# syslog = true: each record also goes to /dev/log (LOG_AUTHPRIV), the same
# JSON as in the file with its chain hash after it ("hash"), sent as root (SCM_CREDENTIALS uid 0; a forged line
# shows its real sender); with syslog on and no /dev/log, nothing is done
# (exit 4: a configured sink that cannot take the record).  Uses
# build/devlog-listen as /dev/log, only where there is no /dev/log (no
# syslog daemon to disturb); skipped otherwise.
. tests/system/lib.sh
if [ -e /dev/log ] || [ -L /dev/log ]; then
	echo "skip: /dev/log exists (a syslog daemon): not replaced"
	exit 77
fi
if [ ! -x "$DEVLOG_LISTEN" ]; then
	echo "skip: no $DEVLOG_LISTEN (make it first)"
	exit 77
fi

write_policy 's|syslog = false;|syslog = true; |' || exit 1

# no /dev/log at all: the syslog sink cannot take the record
expect 4 "syslog on, no /dev/log: nothing done" -- as_deploy "$CUTOVER" -n start nginx

log=$TEST_TMPDIR/devlog.out
: >"$log"
touch "$STATE/devlog.created"
creds=$TEST_TMPDIR/devlog.creds
: >"$creds"
"$DEVLOG_LISTEN" /dev/log "$log" "$creds" </dev/null >/dev/null 2>&1 &
pid=$!
echo "$pid" >"$STATE/devlog.pid"
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -f /dev/log "$STATE/devlog.pid" "$STATE/devlog.created"' EXIT
i=0
while [ ! -S /dev/log ] && [ "$i" -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -S /dev/log ] || { fail_check "devlog-listen bound /dev/log"; finish; }

# wait_lines N: until the listener has written N lines (5 s at most)
wait_lines() {
	i=0
	while [ "$(wc -l <"$log")" -lt "$1" ] && [ "$i" -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

audit_mark
expect 3 "syslog on: refused request" -- as_deploy "$CUTOVER" start apache2
wait_lines 1
if audit_new 1 "syslog on: the file still gets its record"; then
	rec=$(cat "$TEST_TMPDIR/new.jsonl")
	n=$(wc -l <"$log")
	[ "$n" = 1 ] || fail_check "one datagram for one record ($n)" "$(cat -v "$log")"
	first=$(head -n 1 "$log")
	case $first in
	"<8"[0-7]">"*) ;;
	*) fail_check "the datagram is LOG_AUTHPRIV (<80>..<87>)" "$first" ;;
	esac
	# the file's record, and its hash (the chain's, sha256 of the line)
	hash=$(printf '%s' "$rec" | sha256sum | cut -d' ' -f1)
	case $first in
	*"${rec%\}},\"hash\":\"$hash\"}") ;;
	*) fail_check "the datagram carries the file's JSON and its hash" "file:   $rec
hash:   $hash
syslog: $first" ;;
	esac
fi

audit_mark
expect 0 "syslog on: allowed request (stop nginx, nothing running)" -- as_deploy "$CUTOVER" stop nginx
wait_lines 3
audit_new 2 "syslog on: request and outcome in the file"
n=$(wc -l <"$log")
[ "$n" = 3 ] || fail_check "syslog on: request and outcome sent too (3 datagrams in all, got $n)" "$(cat -v "$log")"

# Every record was sent as root (the sender's uid the daemon sees, e.g.
# journald's _UID=0), also the refusal, which the front (real uid deploy)
# sends, and the outcome, which the transaction sends.  A line anyone can
# write to /dev/log shows its sender: deploy's forgery is told apart.
[ "$(wc -l <"$creds")" = 3 ] || fail_check "the credentials of each datagram" "$(cat "$creds")"
if grep -qv '^uid=0 gid=0 ' "$creds"; then
	fail_check "every record was sent with uid 0 (what journald shows as _UID)" "$(cat "$creds")"
fi
as_deploy logger -u /dev/log -t cutover '{"forged":"by deploy"}' ||
    fail_check "deploy can write to /dev/log (the forgery below is real)"
wait_lines 4
tail -n 1 "$log" | grep -q forged || fail_check "the forged line arrived" "$(cat -v "$log")"
[ "$(tail -n 1 "$creds" | cut -d' ' -f1)" = "uid=$(id -u deploy)" ] ||
    fail_check "the forged line shows deploy's uid, not 0" "$(cat "$creds")"
finish
