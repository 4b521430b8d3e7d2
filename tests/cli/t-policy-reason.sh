#!/bin/sh
# reason = "required" in a rule (issue 30): policy check names a bad value
# by file:line; policy test refuses the request (exit 3) and says to give
# --reason; explain shows the grant "(with --reason TEXT)"; policy diff
# shows a rule that starts to require a reason as a changed permission.
. tests/cli/lib.sh
plain=$TEST_TMPDIR/plain.conf
wants=$TEST_TMPDIR/wants.conf
bad=$TEST_TMPDIR/bad.conf
cp policy/examples/deploy.conf "$plain"
sed 's|^    switch = \["newsite"\]; .*|    switch = ["newsite"]; reason = "required";|' \
    policy/examples/deploy.conf >"$wants"
sed 's|^    switch = \["newsite"\]; .*|    switch = ["newsite"]; reason = "yes";|' \
    policy/examples/deploy.conf >"$bad"
line=$(grep -n 'reason = "yes"' "$bad" | cut -d: -f1)

expect 0 "a rule with reason = required is valid" -- "$CUTOVER" policy check "$wants"
expect 4 "reason = yes is refused" -- "$CUTOVER" policy check "$bad"
has "$bad:$line: reason must be \"required\" or \"optional\", not \"yes\"" err \
    "the error names file:line and the two values"

expect 3 "policy test: without --reason, refused" -- \
    "$CUTOVER" policy test "$wants" deploy switch newsite
has "allows it only with a reason; give one: cutover --reason TEXT switch" out \
    "says to give --reason"
has "reason = \"required\" in the rule at $wants:36" out "names the rule"
expect 3 "policy test: every grant of the rule wants the reason" -- \
    "$CUTOVER" policy test "$wants" deploy start nginx
expect 0 "policy test: the plain example allows the switch" -- \
    "$CUTOVER" policy test "$plain" deploy switch newsite

expect 0 "explain" -- "$CUTOVER" policy explain "$wants"
has "(with --reason TEXT)" out "explain notes the reason"
expect 0 "explain as JSON" -- "$CUTOVER" policy explain "$wants" --format=json
has '"action":"switch","target":"newsite"' out "the switch grant" &&
    has '"auth":"none","reason":"required"' out "JSON says the reason is required"
expect 0 "explain of the plain example" -- "$CUTOVER" policy explain "$plain"
lacks "with --reason" out "no note without the key"

expect 1 "diff: a permission changed" -- "$CUTOVER" policy diff "$plain" "$wants"
has "(with --reason TEXT)" out "diff shows the new need"
finish
