#!/bin/sh
# Policy expectations: each example's NAME.expect holds, through `policy
# check` (it lies beside the policy) and `policy test --expect`; each kind
# of failure is named FILE:LINE with the rule that decides (or why none
# does); a drop-in that widens the policy breaks them; policy check then
# exits 4.
. tests/cli/lib.sh
T=$TEST_TMPDIR
for n in deploy site systemd teams deny-all; do
	expect 0 "policy check $n.conf runs $n.expect" -- "$CUTOVER" policy check "policy/examples/$n.conf" &&
		has "policy/examples/$n.expect:" out "$n: ran" && has "all hold" out "$n: all hold"
	expect 0 "policy test $n.conf --expect $n.expect" -- \
	    "$CUTOVER" policy test "policy/examples/$n.conf" --expect "policy/examples/$n.expect"
done

cat >"$T/wrong.expect" <<'X'
# every line but the first two fails
deploy may switch newsite
group webops may-nothing    # deploy.conf names no webops
deploy may start apache2
deploy may-not stop nginx
deploy may-only free-port 8080, start nginx
group cutover may-only verify homepage
deploy may start apach2
deploy may verify
deploy may frobnicate nginx
deploy may start nginx, stop nginx
intruder may-nothing start nginx
may start nginx
X
expect 1 "expectations that do not hold" -- "$CUTOVER" policy test policy/examples/deploy.conf --expect "$T/wrong.expect"
w=$T/wrong.expect
has "$w:4: deploy may start apache2: but no rule allows it: 1 rule names deploy, but none lists this target" out "may: why not"
has "$w:5: deploy may-not stop nginx: but policy/examples/deploy.conf:39 allows it" out "may-not: the rule"
has "$w:6: deploy may-only free-port 8080, start nginx: but it may also stop nginx (policy/examples/deploy.conf:39)" out "may-only: one more"
has "$w:6: deploy may-only free-port 8080, start nginx: but it may also switch newsite (policy/examples/deploy.conf:42)" out "may-only: each one"
has "$w:7: group cutover may-only verify homepage: but it may not verify homepage: no rule allows it: no rule names group cutover" out "may-only: one missing, for a group"
has "$w:8: the policy defines no service apach2 (a typo?)" out "a typo is an error"
has "$w:9: an action without its target" out "no target"
has "$w:10: \"frobnicate\" is not an action" out "no such action"
has "$w:11: may takes one ACTION TARGET" out "may: one"
has "$w:12: may-nothing takes no ACTION TARGET" out "may-nothing: none"
has "$w:13: not an expectation" out "no subject"
lacks "$w:2:" out "line 2 holds"
lacks "$w:3:" out "line 3 holds"
has "$w: 10 of 12 expectations do not hold" out "summary"
printf 'deploy may-not start apache2\n\000deploy may start apache2\n' >"$T/nul.expect"
expect 1 "a NUL byte hides nothing" -- "$CUTOVER" policy test policy/examples/deploy.conf --expect "$T/nul.expect" &&
	has "nul.expect:2: not an expectation: longer than 1023 bytes or 64 words, or a NUL byte in it" out "named"
expect 1 "missing expectations" -- "$CUTOVER" policy test policy/examples/deploy.conf --expect "$T/nope" &&
	has "$T/nope: No such file or directory" err "says so"

# beside a policy, with a drop-in that widens it: policy check exits 4
mkdir -p "$T/etc/policy.d"
cp policy/examples/deploy.conf "$T/etc/policy.conf"
cp policy/examples/deploy.expect "$T/etc/policy.expect"
expect 0 "policy.expect beside policy.conf" -- "$CUTOVER" policy check "$T/etc/policy.conf" &&
	has "$T/etc/policy.expect: 8 expectations, all hold" out "holds"
printf 'rules = ( { users = ["deploy"]; start = ["apache2"]; } );\n' >"$T/etc/policy.d/50-more.conf"
expect 4 "a drop-in breaks the reviewed answers" -- "$CUTOVER" policy check "$T/etc/policy.conf" &&
	has "$T/etc/policy.expect:7: deploy may-only free-port 8080, start nginx, stop nginx, verify homepage, switch newsite: but it may also start apache2 ($T/etc/policy.d/50-more.conf:1)" out "may-only names the drop-in" &&
	has "$T/etc/policy.expect:10: deploy may-not start apache2: but $T/etc/policy.d/50-more.conf:1 allows it" out "may-not names the drop-in" &&
	has "2 of 8 expectations do not hold" out "summary"
chmod 000 "$T/etc/policy.expect"
if [ "$(id -u)" != 0 ]; then
	expect 4 "unreadable expectations" -- "$CUTOVER" policy check "$T/etc/policy.conf" &&
		has "Permission denied" err "says so"
fi
finish
