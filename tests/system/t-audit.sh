#!/bin/sh
# The audit record: one JSON line per request (allowed, refused or
# malformed) in the policy's file, written before acting; control
# characters escaped; a record that cannot be written stops everything
# (exit 4).
. tests/system/lib.sh
deploy_uid=$(id -u deploy)

# ---- a refused request: one record, every field --------------------------
audit_mark
expect 3 "refused request" -- as_deploy "$CUTOVER" start apache2
has "cutover: deploy may not start apache2: no rule allows it (policy $POLICY)" err "names caller, request, reason, policy"
if audit_new 1 "refused: one record"; then
	for k in time host pid user uid groups tty action target dry_run decision rule reason; do
		has_key 1 "$k" "refused: the record has $k"
	done
	field_is 1 user "refused: user" '"deploy"'
	field_is 1 uid "refused: uid" "$deploy_uid" "\"$deploy_uid\""
	field_is 1 host "refused: host" "\"$(uname -n)\""
	field_is 1 action "refused: action" '"start"'
	field_is 1 target "refused: target" '"apache2"'
	field_is 1 dry_run "refused: dry_run" false
	field_is 1 decision "refused: decision" '"deny"'
	case $(field 1 groups) in
	*'"cutover"'* | *"$(getent group cutover | cut -d: -f3)"*) ;;
	*) fail_check "refused: groups lists cutover" "$(field 1 groups)" ;;
	esac
	case $(field 1 pid) in
	'' | *[!0-9]*) fail_check "refused: pid is a number" "$(field 1 pid)" ;;
	esac
	case $(field 1 reason) in
	'""' | '' | null) fail_check "refused: a reason" ;;
	esac
fi

# ---- an allowed request: its record (with the rule), then the outcome ----
audit_mark
# (stop nginx: allowed, and with nginx not running it touches nothing)
expect 0 "allowed request: stop nginx, nothing running" -- as_deploy "$CUTOVER" stop nginx
has "the service is not running" out "says what it found"
if audit_new 2 "allowed: the request record and the outcome record"; then
	field_is 1 decision "allowed: decision" '"allow"'
	case $(field 1 rule) in
	*"policy.conf:39"*) ;;
	*) fail_check "allowed: rule names the granting line, policy.conf:39" "$(field 1 rule)" ;;
	esac
	has_key 2 outcome "allowed: the outcome record"
fi

# ---- malformed: recorded (decision error), escaped, exit 2 -----------------
inject=$(printf 'nginx\n{"decision":"allow","user":"root"}')
audit_mark
expect 2 "a target with a newline and JSON in it" -- as_deploy "$CUTOVER" start "$inject"
if audit_new 1 "malformed: one record, still one line"; then
	field_is 1 decision "malformed: decision" '"error"'
fi
if grep -q '^{"decision":"allow","user":"root"}' "$AUDIT" 2>/dev/null; then
	fail_check "the injected line is not a record of its own"
fi
audit_mark
expect 2 "an unknown action with control characters" -- as_deploy "$CUTOVER" "$(printf 're\tboot\033[2J\001')" now
audit_new 1 "unknown action: one record"
audit_mark
expect 2 "a non-UTF-8 target" -- as_deploy "$CUTOVER" stop "$(printf '\377\376nginx')"
audit_new 1 "non-UTF-8 target: one record, valid UTF-8 JSON"
audit_valid "after the malformed requests"

# ---- the record cannot be written: exit 4, nothing done ---------------------
rm -f "$AUDIT" && mkdir "$AUDIT"
expect 4 "audit file is a directory: allowed request not done" -- as_deploy "$CUTOVER" start nginx
lacks "not implemented" err "stopped before the action"
expect 4 "audit file is a directory: -n too" -- as_deploy "$CUTOVER" -n start nginx
expect 4 "audit file is a directory: refused request" -- as_deploy "$CUTOVER" start apache2
rmdir "$AUDIT"

# a missing directory: created (root's, closed to others) with the
# record in it, or exit 4
rm -rf "$AUDIT_DIR"
audit_mark
as_deploy "$CUTOVER" -n start nginx >/dev/null 2>"$TEST_TMPDIR/err"
rc=$?
case $rc in
0)
	audit_new + "audit directory missing: allowed only with the record written"
	for f in "$AUDIT_DIR" "$AUDIT"; do
		case $(stat -c '%a %U' "$f" 2>&1) in
		[0-7][0-7][0145]" root" | [0-7][0145][0145]" root") ;;
		*) fail_check "audit directory missing: $f root's, not writable by others ($(stat -c '%a %U:%G' "$f" 2>&1))" ;;
		esac
	done
	;;
4) ;;
*) fail_check "audit directory missing: exit $rc (0 with a record, or 4)" "$(cat "$TEST_TMPDIR/err")" ;;
esac
rm -rf "$AUDIT_DIR"
install -d -m 0755 "$AUDIT_DIR"

# a full filesystem: a 4k tmpfs, filled
if mount -t tmpfs -o size=4k,mode=0755 cutover-systest "$AUDIT_DIR"; then
	trap 'umount "$AUDIT_DIR" 2>/dev/null' EXIT
	: >"$AUDIT"
	dd if=/dev/zero of="$AUDIT_DIR/fill" bs=1024 count=64 2>/dev/null
	expect 4 "audit filesystem full: allowed request not done" -- as_deploy "$CUTOVER" start nginx
	lacks "not implemented" err "full: stopped before the action"
	expect 4 "audit filesystem full: -n" -- as_deploy "$CUTOVER" -n start nginx
	audit_valid "full: no half record left"
	umount "$AUDIT_DIR" || fail_check "unmount the test tmpfs"
	trap - EXIT
else
	fail_check "mount a 4k tmpfs on $AUDIT_DIR for the full-filesystem test"
fi
finish
