#!/bin/sh
# verify --format=nagios speaks the monitoring-plugin protocol even when
# it cannot serve the request at all: one line on stdout, CUTOVER UNKNOWN,
# exit 3.  Here the binary is not setuid (as make builds it), so every
# request ends before the policy is read (tests/system/t-verify.sh covers
# the setuid binary: usage errors, refusals and the checks themselves).
. tests/cli/lib.sh

# as_unprivileged COMMAND...: as nobody when this test runs as root, so
# that build/cutover is not effectively root.
# shellcheck disable=SC2317 # run through expect
as_unprivileged() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
	else
		"$@"
	fi
}
if [ "$(id -u)" = 0 ] && ! command -v setpriv >/dev/null 2>&1; then
	echo "root and no setpriv(1): cannot run cutover unprivileged"
	exit 77
fi

for args in "verify --format=nagios homepage" "verify --format=nagios" \
    "-n verify --format=nagios homepage"; do
	# shellcheck disable=SC2086 # the words of the command line, on purpose
	expect 3 "cutover $args, not setuid: UNKNOWN" -- as_unprivileged "$CUTOVER" $args || continue
	case $out in
	"CUTOVER UNKNOWN: "*) ;;
	*) echo "FAIL: cutover $args: stdout is not a CUTOVER UNKNOWN line: $out"; fails=$((fails + 1)) ;;
	esac
	[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] ||
		{ echo "FAIL: cutover $args: more than one line on stdout: $out"; fails=$((fails + 1)); }
	lacks "|" out "cutover $args: no performance data in an UNKNOWN line"
done

# Without nagios the statuses are cutover's own (4: not setuid root; 3
# inside a user namespace), and stdout stays empty.
want=4
for m in /proc/self/uid_map /proc/self/gid_map; do
	[ "$(awk 'NR == 1 && $1 == 0 && $2 == 0 && $3 == 4294967295 { ok = 1 }
	    END { print (ok && NR == 1) ? "yes" : "no" }' "$m" 2>/dev/null)" = yes ] || want=3
done
for f in "" --format=text --format=json; do
	# shellcheck disable=SC2086 # an empty option is no option
	expect "$want" "cutover verify $f homepage, not setuid: exit $want" -- \
	    as_unprivileged "$CUTOVER" verify $f homepage &&
		{ [ -z "$out" ] || { echo "FAIL: verify $f: stdout not empty: $out"; fails=$((fails + 1)); }; }
done
finish
