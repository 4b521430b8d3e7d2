#!/bin/sh
# What a transaction creates is root's, group too (issue 28, item 5): the
# setuid process keeps the caller's gids (STEP_CALLER needs them), so a
# lock file made by a request of deploy's was root:deploy's group 0600.
# As deploy, with the lock directory removed first: stop nginx (nothing
# to do, but it locks the service and its port) makes the lock directory
# and its files, each owned by root and group root from their creation.
. tests/system/lib.sh
LOCK_DIR=/run/cutover-systest/lock

rm -rf "$LOCK_DIR" || { fail_check "cannot remove $LOCK_DIR"; finish; }
expect 0 "stop nginx as deploy (nothing to do; it takes its locks)" -- \
    as_deploy "$CUTOVER" stop nginx
has "nothing to do" out "the stop had nothing to do"
[ -d "$LOCK_DIR" ] || fail_check "no $LOCK_DIR after the stop"
n=0
for f in "$LOCK_DIR" "$LOCK_DIR"/*; do
	[ -e "$f" ] || continue
	n=$((n + 1))
	got=$(stat -c '%U:%G %a' "$f")
	case $f in
	"$LOCK_DIR") want="root:root 700" ;;
	*) want="root:root 600" ;;
	esac
	if [ "$got" = "$want" ]; then
		echo "ok: $f is $got"
	else
		fail_check "$f is $got, wanted $want"
	fi
done
[ "$n" -ge 3 ] || fail_check "the directory and its lock files: $n found" "$(ls -la "$LOCK_DIR")"
finish
