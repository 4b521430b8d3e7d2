#!/bin/sh
# Start-up hygiene that the policy commands already rely on: argc 0, closed
# standard fds, a hostile environment, and never printing argv[0].
. tests/cli/lib.sh

# argc == 0 (PwnKit): perl's exec with an empty list gives an empty argv.
expect 2 "argc 0" -- perl -e 'exec { $ARGV[0] } ()' "$CUTOVER"
has "refusing to run without a program name" err "argc 0 refused"
expect 2 "empty argv[0]" -- perl -e 'exec { $ARGV[0] } ("", "--version")' "$CUTOVER"

# argv[0] is never printed
expect 2 "odd argv[0]" -- perl -e 'exec { $ARGV[0] } ("\e]0;pwned\a", "policy", "bogus")' "$CUTOVER"
lacks "pwned" err "argv[0] not echoed"
has "usage: cutover policy" err "says cutover"

# closed stdin/stdout/stderr: still runs, and a policy error never lands
# in a file that took fd 1 or 2
expect 0 "closed stdin" -- sh -c '"$1" policy check policy/examples/deploy.conf <&-' sh "$CUTOVER"
expect 4 "closed stdout and stderr" -- sh -c '"$1" policy check /nonexistent >&- 2>&-' sh "$CUTOVER"

# the environment is dropped: a relative policy path is still the caller's,
# and nothing from LD_* or GCONV_PATH changes the outcome
expect 0 "hostile environment" -- env -i LD_DEBUG=all GCONV_PATH=/tmp \
	LANG=xx_XX.UTF-8 TZ=../../../etc/shadow "$CUTOVER" policy check policy/examples/deploy.conf
has "valid" out "works with a hostile environment"
# Requests need the setuid install (tests/system runs them); without it,
# as an unprivileged user, every request is refused before anything else.
if [ "$(id -u)" = 0 ]; then
	nobody="setpriv --reuid=65534 --regid=65534 --clear-groups --"
else
	nobody=
fi
for req in "free-port 8080" "start nginx" "list" "bogus"; do
	# shellcheck disable=SC2086 # word splitting wanted
	expect 4 "unprivileged: $req refused" -- $nobody "$CUTOVER" $req
	has "not installed setuid root" err "says why ($req)"
done
expect 0 "version" -- "$CUTOVER" --version
has "cutover " out "version printed"
finish
