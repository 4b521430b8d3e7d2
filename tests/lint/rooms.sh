#!/bin/sh
# rooms.sh [TREE] - the house rules a compiler cannot see (make lint).
#
#   1. Only helper/priv/ changes credentials or capabilities: no other C
#      file calls set*id, setgroups, initgroups, capset, cap_set_proc,
#      cap_set_ambient, cap_drop_bound, or prctl with a securebits,
#      keep-caps, no_new_privs, ambient or bounding-set option.
#   2. policy/ is pure: it includes nothing from helper/ or pam/.
#   3. Every quoted #include names a file by its path from the top of the
#      tree ("helper/priv/privilege.h"), so each dependency shows in the
#      code; the build has -I. and nothing else of ours.
#
# Comments and strings are removed before matching, so that a comment
# naming setresuid is no violation.  Exit 0 when the tree
# keeps the rules, 1 with each violation named (file:line) otherwise.
# tests/lint/rooms-selftest.sh plants one violation of each kind and
# checks that this script fails on it.
set -u
tree=${1:-.}
cd "$tree" || exit 2
bad=0
say() { echo "rooms: $*" >&2; bad=1; }

creds='\<(set(res|re|e)?[ug]id|setfs[ug]id|setgroups|initgroups|capset|cap_set_proc|cap_set_ambient|cap_drop_bound|cap_reset_ambient)[[:space:]]*\('
prctls='PR_SET_SECUREBITS|PR_SET_KEEPCAPS|PR_SET_NO_NEW_PRIVS|PR_CAP_AMBIENT|PR_CAPBSET_DROP'

# code FILE: FILE with its comments and string contents removed, one
# output line per input line (so grep -n's numbers are FILE's).
code() {
	sed -e 's://.*$::' "$1" | awk '
	    { out = ""; s = $0
	      while (s != "") {
	        if (incomment) {
	          i = index(s, "*/"); if (i == 0) { s = ""; break }
	          s = substr(s, i + 2); incomment = 0; continue }
	        i = index(s, "/*"); if (i == 0) { out = out s; s = ""; break }
	        out = out substr(s, 1, i - 1); s = substr(s, i + 2); incomment = 1 }
	      gsub(/"([^"\\]|\\.)*"/, "\"\"", out)
	      print out }'
}

for f in $(find helper policy pam -name '*.[ch]' | sort); do
	case $f in helper/priv/*) ;; *)
		code "$f" | grep -nE "$creds" | while IFS=: read -r n _; do
			echo "$f:$n"; done >"${TMPDIR:-/tmp}/rooms.$$"
		code "$f" | grep -nE "prctl[[:space:]]*\(.*($prctls)" | while IFS=: read -r n _; do
			echo "$f:$n"; done >>"${TMPDIR:-/tmp}/rooms.$$"
		while read -r at; do
			say "$at: a credential or capability change outside helper/priv/ (call privilege.h instead)"
		done <"${TMPDIR:-/tmp}/rooms.$$"
		rm -f "${TMPDIR:-/tmp}/rooms.$$"
	esac
	grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" | while IFS= read -r l; do
		n=${l%%:*}; h=$(echo "$l" | sed 's/.*include[[:space:]]*"\([^"]*\)".*/\1/')
		[ -f "$h" ] || echo "$f:$n: #include \"$h\" does not name a file from the top of the tree"
		case $f:$h in policy/*:helper/*|policy/*:pam/*)
			echo "$f:$n: policy/ includes $h (the policy is pure: nothing of helper/ or pam/)";; esac
	done >"${TMPDIR:-/tmp}/rooms-inc.$$"
	while read -r m; do say "$m"; done <"${TMPDIR:-/tmp}/rooms-inc.$$"
	rm -f "${TMPDIR:-/tmp}/rooms-inc.$$"
done
[ $bad = 0 ] && echo "rooms: clean ($(find helper policy pam -name '*.[ch]' | wc -l) files)"
exit $bad
