#!/bin/sh
# 200 concurrent requests: 200 more records, each one complete JSON object
# on its own line (no interleaving, no lost or torn writes).
. tests/system/lib.sh
n=${SYSTEST_CONCURRENCY:-200}

# one request first, so that the 200 append to an existing file
expect 3 "the first request" -- as_deploy "$CUTOVER" start apache2
audit_mark
i=0
while [ "$i" -lt "$n" ]; do
	i=$((i + 1))
	{
		as_deploy "$CUTOVER" start apache2 >/dev/null 2>&1
		echo $? >"$TEST_TMPDIR/rc.$i"
	} &
done
wait
bad=$(cat "$TEST_TMPDIR"/rc.* | grep -cvx 3)
[ "$bad" = 0 ] || fail_check "all $n refused with exit 3 ($bad were not)" "$(cat "$TEST_TMPDIR"/rc.* | sort | uniq -c)"
if audit_new "$n" "$n concurrent requests: $n records"; then
	pids=$("$JSONL_CHECK" -f pid "$TEST_TMPDIR/new.jsonl" | sort -u | wc -l | tr -d ' ')
	[ "$pids" = "$n" ] || fail_check "$n records from $n different processes (pids: $pids distinct)"
	denies=$("$JSONL_CHECK" -f decision "$TEST_TMPDIR/new.jsonl" | grep -cx '"deny"')
	[ "$denies" = "$n" ] || fail_check "$n deny records ($denies)"
fi
audit_valid "after $n concurrent requests"
finish
