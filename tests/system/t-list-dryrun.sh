#!/bin/sh
# -n decides and records but does not act; list (and -l) prints what the
# caller may do.
. tests/system/lib.sh
deploy_uid=$(id -u deploy)

# -n on an allowed request: exit 0, one record with dry_run true
audit_mark
expect 0 "-n start nginx: allowed, nothing to do" -- as_deploy "$CUTOVER" -n start nginx
if audit_new + "-n start nginx recorded"; then
	field_is 1 decision "-n start nginx: decision" '"allow"'
	field_is 1 dry_run "-n start nginx: dry_run" true
	field_is 1 action "-n start nginx: action" '"start"'
	field_is 1 target "-n start nginx: target" '"nginx"'
fi
lacks "not implemented" err "-n does not pretend to act"

for rq in "free-port 8080" "stop nginx"; do
	audit_mark
	# shellcheck disable=SC2086 # two words on purpose
	expect 0 "-n $rq: allowed" -- as_deploy "$CUTOVER" -n $rq
	if audit_new + "-n $rq recorded"; then
		field_is 1 dry_run "-n $rq: dry_run" true
		field_is 1 decision "-n $rq: decision" '"allow"'
	fi
done

# -n on a refused request: still refused, recorded as a dry run
audit_mark
expect 3 "-n start apache2: refused" -- as_deploy "$CUTOVER" -n start apache2
has "cutover: deploy may not start apache2: no rule allows it (policy $POLICY)" err "says who, what and why"
if audit_new 1 "-n start apache2 recorded once"; then
	field_is 1 decision "-n start apache2: decision" '"deny"'
	field_is 1 dry_run "-n start apache2: dry_run" true
fi

# without -n: dry_run false, and the action done (stop nginx: not running)
audit_mark
expect 0 "stop nginx: allowed and done (nothing running)" -- as_deploy "$CUTOVER" stop nginx
has "the service is not running" out "says what it found"
if audit_new 2 "stop nginx: a request record and an outcome record"; then
	field_is 1 decision "stop nginx: decision" '"allow"'
	field_is 1 dry_run "stop nginx: dry_run" false
	field_is 1 uid "stop nginx: uid" "$deploy_uid" "\"$deploy_uid\""
	has_key 2 outcome "stop nginx: the second record is the outcome"
fi

# -n belongs to free-port/start/stop only
expect 2 "-n verify is a usage error" -- as_deploy "$CUTOVER" -n verify homepage
expect 2 "-n alone is a usage error" -- as_deploy "$CUTOVER" -n

# list and -l: what deploy may do
expect 0 "list as deploy" -- as_deploy "$CUTOVER" list
list_out=$out
for want in 'free[- ]port[^0-9]*8080' 'start[^a-z0-9]*nginx' 'stop[^a-z0-9]*nginx' 'verify[^a-z0-9]*homepage'; do
	printf '%s\n' "$list_out" | grep -Eq "$want" || fail_check "list shows /$want/" "$list_out"
done
# (a switch's line names "start apache2 again", its rollback step: only a
# line of its own that begins with start would grant it)
if printf '%s\n' "$list_out" | grep -Eq '^ *start[^a-z0-9]*apache2'; then
	fail_check "list does not offer start apache2" "$list_out"
fi
printf '%s\n' "$list_out" | grep -Eq '^ *switch newsite' || fail_check "list shows switch newsite" "$list_out"
expect 0 "-l as deploy" -- as_deploy "$CUTOVER" -l
[ "$out" = "$list_out" ] || fail_check "-l prints the same as list" "list: $list_out
-l: $out"
# --format=json: one JSON line, the same grants (issue 16)
expect 0 "list --format=json as deploy" -- as_deploy "$CUTOVER" list --format=json
[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && printf '%s\n' "$out" | "$JSONL_CHECK" >/dev/null 2>&1 ||
    fail_check "list --format=json is one line of JSON" "$out"
[ "$(printf '%s\n' "$out" | "$JSONL_CHECK" -f user)" = '"deploy"' ] || fail_check "list --format=json names deploy" "$out"
for want in '"action":"switch","target":"newsite"' '"action":"start","target":"nginx"' '"action":"free-port","target":"8080"'; do
	case $out in *"$want"*) ;; *) fail_check "list --format=json has $want" "$out" ;; esac
done
case $out in *'"action":"start","target":"apache2"'*) fail_check "list --format=json offers start apache2" "$out" ;; esac
expect 2 "list --format=nagios: usage" -- as_deploy "$CUTOVER" list --format=nagios

# a member of cutover whom no rule names: nothing, and it says so
write_policy 's/users  = \["deploy"\];/users  = ["somebody-else"];/' || exit 1
expect 0 "list for a member with no rules" -- as_deploy "$CUTOVER" list
[ -n "$out$err" ] || fail_check "list with no rules says so (it printed nothing)"
case $out in
*8080* | *nginx* | *homepage*) fail_check "list with no rules offers nothing" "$out" ;;
esac
expect 3 "and a request is refused" -- as_deploy "$CUTOVER" -n start nginx
finish
