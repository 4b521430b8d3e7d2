#!/bin/sh
# shellcheck disable=SC2016 # sh -c and perl -e code: expanded there
# Only root and group cutover can run it: the install is root:cutover 4750,
# so for intruder (not in the group) exec itself fails, nothing runs and
# nothing is recorded.
. tests/system/lib.sh

mode=$(stat -c '%a %U %G' "$CUTOVER")
[ "$mode" = "4750 root cutover" ] || fail_check "installed root:cutover 4750 (is $mode)"

audit_mark
expect 126 "intruder cannot execute it" -- as_user intruder "$CUTOVER" --version
has "Permission denied" err "exec refused by the kernel"
expect 126 "intruder cannot execute it through a shell either" -- \
	as_user intruder /bin/sh -c '"$1" start nginx; exit $?' sh "$CUTOVER"
expect 126 "nor with argc 0" -- as_user intruder perl -e 'exec { $ARGV[0] } () or exit 126' "$CUTOVER"
audit_new 0 "nothing recorded for intruder"

# The control: the same commands work for deploy (a member of cutover).
expect 0 "deploy, a member of cutover, can run it" -- as_deploy "$CUTOVER" --version
has "cutover " out "deploy gets the version"
finish
