#!/bin/sh
# policy check: valid examples exit 0; errors are FILE:LINE and exit 4.
. tests/cli/lib.sh
for f in policy/examples/*.conf; do
	# nginx.conf is nginx's configuration (for the examples), not a policy
	[ "$f" = policy/examples/nginx.conf ] && continue
	expect 0 "check $f" -- "$CUTOVER" policy check "$f" && has "$f: valid:" out "check $f"
done
expect 0 "warns on deny-all" -- "$CUTOVER" policy check policy/examples/deny-all.conf &&
	has "policy/examples/deny-all.conf: warning: no rules: every request will be refused" err "deny-all warning"

bad=$TEST_TMPDIR/bad.conf
sed 's|exe  = "/usr/sbin/apache2";|exe  = "apache2";|; s|start  = \["nginx"\];|start  = ["ngnix"];|' \
	policy/examples/deploy.conf >"$bad"
expect 4 "invalid policy" -- "$CUTOVER" policy check "$bad"
has "$bad:8: exe in service apache2 must be an absolute path" err "relative exe, with its line"
has "$bad:38: start \"ngnix\" is not a defined service; define it under services or write \"nginx\"" err "typo, with its line"
has "nothing would be allowed" err "says what it means"

expect 4 "missing file" -- "$CUTOVER" policy check "$TEST_TMPDIR/nope.conf"
has "cannot open the policy: No such file or directory" err "missing file"
printf 'rules = ();\n@include "/etc/passwd"\n' >"$TEST_TMPDIR/inc.conf"
expect 4 "@include" -- "$CUTOVER" policy check "$TEST_TMPDIR/inc.conf"
has "inc.conf:2: @include is not allowed" err "@include refused with line"

# drop-ins beside a named file are read too, and named in errors
mkdir "$TEST_TMPDIR/etc" "$TEST_TMPDIR/etc/policy.d"
cp policy/examples/deploy.conf "$TEST_TMPDIR/etc/policy.conf"
printf 'services = {\n  nginx = { exe = "/x"; user = "x"; start = ["/x"]; };\n};\n' \
	>"$TEST_TMPDIR/etc/policy.d/50-dup.conf"
expect 4 "name defined twice across files" -- "$CUTOVER" policy check "$TEST_TMPDIR/etc/policy.conf"
has "policy.d/50-dup.conf:2: service nginx is already defined at $TEST_TMPDIR/etc/policy.conf:" err "both places"
# a unit this host has no file for: valid, with a warning that says so
printf 'services = {\n  g = { unit = "cutover-test-ghost.service"; exe = "/x"; user = "x"; };\n};\nrules = ( { users = ["x"]; start = ["g"]; } );\n' \
	>"$TEST_TMPDIR/ghost.conf"
expect 0 "a unit that is not here" -- "$CUTOVER" policy check "$TEST_TMPDIR/ghost.conf" &&
	has "ghost.conf:2: warning: unit cutover-test-ghost.service of service g does not exist on this host" err "missing unit warned"
expect 2 "usage" -- "$CUTOVER" policy check a b
expect 2 "unknown subcommand" -- "$CUTOVER" policy frobnicate
finish
