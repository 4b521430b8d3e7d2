#!/bin/sh
# --reason and --run-id (issue 30), through the setuid binary: every
# record of a request carries the run id and the caller's reason (a
# roll-out is joined across hosts on them); a rule with reason =
# "required" refuses a request without one (exit 3, saying to give
# --reason, recorded as a refusal) and allows it with one; a bad value is
# a usage error, recorded as such; cutover log finds the request by both.
. tests/system/lib.sh

# ---- an allowed request: the request record and its outcome -------------
audit_mark
expect 0 "stop nginx with a reason and a run id" -- \
    as_deploy "$CUTOVER" --reason 'CHG-1234 "move" to nginx' --run-id r-2026.12:07_1 stop nginx
if audit_new 2 "allowed: the request record and the outcome record"; then
	for n in 1 2; do
		field_is "$n" run_id "record $n: run_id" '"r-2026.12:07_1"'
		field_is "$n" caller_reason "record $n: caller_reason" '"CHG-1234 \"move\" to nginx"'
	done
fi
audit_mark
expect 0 "without them" -- as_deploy "$CUTOVER" -n stop nginx
if audit_new 1 "a dry run: one record"; then
	field_is 1 run_id "no run id: null" null
	field_is 1 caller_reason "no reason: null" null
fi

# ---- reason = "required" --------------------------------------------------
write_policy 's/auth   = "none";/auth   = "none"; reason = "required";/' || exit 1
audit_mark
expect 3 "reason required, none given: refused" -- as_deploy "$CUTOVER" stop nginx
has "deploy may not stop nginx: the rule at $POLICY:36 allows it only with a reason; give one: cutover --reason TEXT stop" err \
    "the refusal names the rule and says to give --reason"
if audit_new 1 "refused: recorded"; then
	field_is 1 decision "refused: deny" '"deny"'
fi
audit_mark
expect 0 "reason required, given: allowed" -- as_deploy "$CUTOVER" --reason=INC-7 stop nginx
if audit_new 2 "allowed with a reason: both records"; then
	field_is 1 caller_reason "the reason recorded" '"INC-7"'
fi
expect 0 "list shows the need" -- as_deploy "$CUTOVER" list
has "(with --reason TEXT)" out "list notes the reason"
write_policy || exit 1

# ---- bad values: usage errors, recorded -----------------------------------
audit_mark
expect 2 "a reason with a newline" -- as_deploy "$CUTOVER" --reason "$(printf 'a\nb')" stop nginx
has "printable ASCII" err "says what a reason may hold"
if audit_new 1 "malformed: one record"; then
	field_is 1 decision "malformed: error" '"error"'
fi
expect 2 "a run id with a slash" -- as_deploy "$CUTOVER" --run-id a/b stop nginx
expect 2 "a reason twice" -- as_deploy "$CUTOVER" --reason a --reason b stop nginx

# ---- cutover log finds them ------------------------------------------------
expect 0 "log --run-id" -- "$CUTOVER" log --run-id r-2026.12:07_1 "$AUDIT"
has "stop nginx" out "log finds the run's request"
expect 0 "log --reason" -- "$CUTOVER" log --reason INC-7 "$AUDIT"
has "stop nginx" out "log finds the request by its reason"
finish
