#!/bin/sh
# The system policy must be root's and safe, or nothing is allowed: an
# unsafe, missing or invalid policy is exit 4 (and says why), also for a
# request the good policy allows.
. tests/system/lib.sh

ok() {
	expect 0 "$1 (the control): allowed" -- as_deploy "$CUTOVER" -n start nginx
}
unsafe() {
	expect 4 "$1: refused" -- as_deploy "$CUTOVER" -n start nginx
	[ -n "$err" ] || fail_check "$1: says why"
	lacks "may start" err "$1: no decision made"
}

ok "the standard policy"

chmod 0660 "$POLICY"
unsafe "policy group-writable"
chmod 0642 "$POLICY"
unsafe "policy world-writable"
chmod 0640 "$POLICY"
ok "mode 0640 again"

chown deploy "$POLICY"
unsafe "policy owned by deploy"
chown root:cutover "$POLICY"
chmod 0660 "$POLICY"
unsafe "policy root:cutover 0660"
chown root:root "$POLICY"
chmod 0640 "$POLICY"

mv "$POLICY" "$POLICY_DIR/policy.real"
ln -s policy.real "$POLICY"
unsafe "policy is a symlink (to a safe file)"
rm -f "$POLICY"
mv "$POLICY_DIR/policy.real" "$POLICY"
ok "a regular file again"

chmod 0775 "$POLICY_DIR"
unsafe "its directory group-writable"
chmod 0755 "$POLICY_DIR"
chmod 0775 "$SYSTEST_ROOT"
unsafe "the directory above group-writable"
chmod 0755 "$SYSTEST_ROOT"
chown deploy "$SYSTEST_ROOT"
unsafe "the directory above owned by deploy"
chown root "$SYSTEST_ROOT"
ok "directories safe again"

# a drop-in in policy.d: unsafe, or granting through a symlink
install -d -m 0755 "$POLICY_DIR/policy.d"
printf 'rules = ( { users = ["deploy"]; start = ["apache2"]; } );\n' >"$POLICY_DIR/policy.d/extra.conf"
chmod 0664 "$POLICY_DIR/policy.d/extra.conf"
unsafe "a group-writable drop-in"
chmod 0644 "$POLICY_DIR/policy.d/extra.conf"
chown deploy "$POLICY_DIR/policy.d/extra.conf"
unsafe "a drop-in owned by deploy"
chown root "$POLICY_DIR/policy.d/extra.conf"
chmod 0777 "$POLICY_DIR/policy.d"
unsafe "policy.d world-writable"
chmod 0755 "$POLICY_DIR/policy.d"
expect 0 "a safe drop-in counts" -- as_deploy "$CUTOVER" -n start apache2
rm -rf "$POLICY_DIR/policy.d"

rm -f "$POLICY"
unsafe "policy missing"
has "$POLICY" err "missing: names the file"

write_policy '1i\
unknown_key = 1;' || exit 1
unsafe "policy invalid"
has "$POLICY:1:" err "invalid: FILE:LINE of the error"

write_policy 's/ports = \[8080\];                           # what/ports = [80800];   # what/' || exit 1
unsafe "policy invalid (port out of range)"
has "$POLICY:14:" err "invalid: the line of the bad port"

write_policy || exit 1
ok "the standard policy again"
finish
