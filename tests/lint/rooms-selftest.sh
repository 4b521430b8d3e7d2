#!/bin/sh
# rooms-selftest.sh - tests/lint/rooms.sh must fail on each kind of
# violation it exists for, planted in a copy of the tree, and pass on the
# tree itself (make lint runs both).
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
pass=0 failed=0

copy() {
	rm -rf "$tmp/t" && mkdir "$tmp/t" &&
	(cd "$here" && tar -cf - helper policy pam) | tar -xf - -C "$tmp/t"
}
# expect NAME WANT(0|1) FILE LINE: append LINE to FILE in a fresh copy
expect() {
	copy
	[ -n "$3" ] && printf '%s\n' "$4" >>"$tmp/t/$3"
	sh "$here/tests/lint/rooms.sh" "$tmp/t" >"$tmp/out" 2>&1
	rc=$?
	if [ "$rc" = "$2" ]; then pass=$((pass + 1)); echo "ok   $1"
	else failed=$((failed + 1)); echo "FAIL $1 (exit $rc, wanted $2)"; sed 's/^/    | /' "$tmp/out"; fi
}

expect "the tree keeps the rules" 0 "" ""
expect "setresuid in run.c" 1 helper/run.c 'static void x(void) { (void)setresuid(0, 0, 0); }'
expect "setgroups in the front" 1 helper/front/caller.c 'static void y(void) { (void)setgroups (0, NULL); }'
expect "cap_set_proc in an action" 1 helper/act/actions.c 'static void z(cap_t c) { (void)cap_set_proc(c); }'
expect "capset in pam/" 1 pam/pam.c 'static void w(void) { capset(0, 0); }'
expect "no_new_privs prctl in verify" 1 helper/verify/verify.c 'static void v(void) { prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); }'
expect "securebits prctl" 1 helper/act/svc/proc.c 'static void u(void) { prctl(PR_SET_SECUREBITS, 0); }'
expect "a comment naming setresuid is fine" 0 helper/run.c '/* setresuid(0, 0, 0) is priv/'"'"'s */'
expect "a string naming setuid is fine" 0 helper/run.c 'static const char *s = "setuid(0) failed";'
expect "policy/ includes helper/" 1 policy/decide.c '#include "helper/record/audit.h"'
expect "policy/ includes pam/" 1 policy/load.c '#include "pam/pam.h"'
expect "an include not by path" 1 helper/run.c '#include "audit.h"'
echo "rooms-selftest: $pass passed, $failed failed"
[ "$failed" = 0 ]
