#!/bin/sh
# PAM ("cutover" service): the account stack for every allowed request,
# the auth stack first when the granting rule says auth = "pam"; a PAM
# refusal is exit 3, names the stage, and is recorded.
. tests/system/lib.sh
permit="auth     required pam_permit.so"
account_permit="account  required pam_permit.so"

# ---- the test stack (setup): allowed ------------------------------------
expect 0 "permit stack: stop nginx allowed (nothing running)" -- as_deploy "$CUTOVER" stop nginx
expect 0 "permit stack: -n start nginx allowed" -- as_deploy "$CUTOVER" -n start nginx

# ---- account requisite pam_deny ----------------------------------------
write_pam "$permit" "account  requisite pam_deny.so"
audit_mark
expect 3 "account denied: refused" -- as_deploy "$CUTOVER" start nginx
has "account" err "account denied: the message names the account stage"
lacks "not implemented" err "account denied: nothing attempted"
if audit_new + "account denied: recorded"; then
	field_is 1 decision "account denied: recorded as refused" '"deny"'
	grep -q account "$TEST_TMPDIR/new.jsonl" || fail_check "account denied: the record says account" "$(cat "$TEST_TMPDIR/new.jsonl")"
fi
expect 3 "account denied: -n is refused too (PAM is part of the decision)" -- as_deploy "$CUTOVER" -n start nginx
# PAM is asked only about allowed requests: a policy refusal stays one
expect 3 "account denied, policy refuses anyway" -- as_deploy "$CUTOVER" start apache2
has "no rule allows it" err "the policy's reason, not PAM's"

# ---- auth = "pam" -------------------------------------------------------
write_policy 's/auth   = "none";/auth   = "pam";/' || exit 1
write_pam "auth     requisite pam_deny.so" "$account_permit"
audit_mark
expect 3 "auth = pam, auth denied: refused" -- as_deploy "$CUTOVER" start nginx
has "auth" err "auth denied: the message names the auth stage"
if audit_new + "auth denied: recorded"; then
	field_is 1 decision "auth denied: recorded as refused" '"deny"'
fi
write_pam "$permit" "$account_permit"
expect 0 "auth = pam, auth permitted: allowed" -- as_deploy "$CUTOVER" -n start nginx
write_policy || exit 1
write_pam "auth     requisite pam_deny.so" "$account_permit"
expect 0 "auth = none: the auth stack is not run" -- as_deploy "$CUTOVER" -n start nginx

# ---- pam_time: a closed window ------------------------------------------
write_pam "$permit" "account  required pam_time.so"
{
	[ ! -f "$STATE/time.conf.orig" ] || cat "$STATE/time.conf.orig"
	echo "cutover;*;deploy;Al0000-2400"
} >"$TIME_CONF"
expect 0 "pam_time, window open all day (the control)" -- as_deploy "$CUTOVER" -n start nginx
{
	[ ! -f "$STATE/time.conf.orig" ] || cat "$STATE/time.conf.orig"
	echo "cutover;*;deploy;!Al0000-2400"
} >"$TIME_CONF"
audit_mark
expect 3 "pam_time, window closed: refused" -- as_deploy "$CUTOVER" start nginx
has "account" err "window closed: the account stage refused"
audit_new + "window closed: recorded"

finish
