#!/bin/sh
# Who is asking is the real uid and the current groups of the process:
# never $USER/$LOGNAME, never the group database's idea of the user's
# groups; a uid with no passwd entry is refused (and recorded).
. tests/system/lib.sh
deploy_uid=$(id -u deploy)
cutover_gid=$(getent group cutover | cut -d: -f3)
ops_gid=$(getent group cutover-ops | cut -d: -f3)

# $USER, $LOGNAME, $HOME, $SUDO_USER say root: decided as deploy
audit_mark
expect 3 "USER=root as deploy: decided as deploy" -- \
	as_deploy env USER=root LOGNAME=root HOME=/root SUDO_USER=root SUDO_UID=0 \
	"$CUTOVER" start apache2
has "cutover: deploy may not start apache2: no rule allows it (policy $POLICY)" err "the caller named is deploy"
lacks "root may" err "not decided as root"
if audit_new 1 "recorded once"; then
	field_is 1 user "recorded as deploy" '"deploy"'
	field_is 1 uid "recorded with deploy's uid" "$deploy_uid" "\"$deploy_uid\""
	field_is 1 decision "recorded as refused" '"deny"'
fi

# USER=deploy does not make another user deploy: a uid with no name is
# refused, even though the environment claims otherwise
audit_mark
expect 3 "uid 4242 (not in passwd), USER=deploy: refused" -- \
	env USER=deploy LOGNAME=deploy setpriv --reuid=4242 --regid="$cutover_gid" --clear-groups -- \
	/bin/sh -c "$EXEC_SH" "$CUTOVER" -n start nginx
lacks "deploy may" err "not decided as deploy"
if audit_new 1 "the unknown uid's request is recorded"; then
	field_is 1 uid "recorded with uid 4242" 4242 '"4242"'
	field_is 1 decision "recorded as refused" '"deny"' '"error"'
fi

# current groups, not the database: a rule for group cutover-ops grants
# start apache2.  deploy is not in cutover-ops in /etc/group ...
write_policy '/^rules = (/a\
  { groups = ["cutover-ops"]; start = ["apache2"]; },' || exit 1
expect 3 "not in cutover-ops: start apache2 refused" -- as_deploy "$CUTOVER" -n start apache2
# ... but the process has it as a supplementary group: allowed
expect 0 "cutover-ops among the current groups: allowed" -- \
	setpriv --reuid=deploy --regid="$(id -g deploy)" --groups="$cutover_gid,$ops_gid" -- \
	/bin/sh -c "$EXEC_SH" "$CUTOVER" -n start apache2
# and the other way: in cutover-ops in /etc/group, but the process dropped it
gpasswd -a deploy cutover-ops >/dev/null || exit 1
expect 3 "in cutover-ops in /etc/group but not in the process: refused" -- \
	setpriv --reuid=deploy --regid="$(id -g deploy)" --groups="$cutover_gid" -- \
	/bin/sh -c "$EXEC_SH" "$CUTOVER" -n start apache2
expect 0 "in cutover-ops in both: allowed" -- as_deploy "$CUTOVER" -n start apache2
gpasswd -d deploy cutover-ops >/dev/null || exit 1

# the real uid decides, not the effective one: root running it gets
# root's answer, deploy's setuid run is deploy's (the control for the
# tests above: the rule names deploy, not root)
expect 3 "root is not deploy" -- "$CUTOVER" -n start nginx
finish
