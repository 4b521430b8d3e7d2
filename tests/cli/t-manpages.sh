#!/bin/sh
# The man pages, man/cutover.8 and man/cutover-policy.5, against the code:
#   - lint-clean: mandoc -T lint -W warning prints nothing, and man-db's
#     `man --warnings` neither (that part only where man(1) is installed);
#   - every key of every key table of the policy loader (policy/*.c,
#     `static const struct key NAME[]`) has an ".It Cm KEY" in its section of
#     cutover-policy(5), and each such section documents no other key;
#   - the example policies in cutover-policy(5) (marked `.\" example-policy:`)
#     load, and grant what policy/examples/ grants;
#   - the SYNOPSIS of cutover(8) is the usage that `cutover --help` prints,
#     and the outputs and caveats cutover(8) quotes are what cutover does:
#     run where that needs no privilege (a request from a cutover that is
#     not setuid, the start-up limits, a user namespace, the policy
#     commands), otherwise checked against the source, the system tests
#     and the unit tests of PAM; the capability table of PRIVILEGES is
#     helper/priv/privilege.c's, and CAVEATS' make install is the Makefile's.
# Skipped (77) when mandoc is not installed: it is not a build dependency.
. tests/cli/lib.sh

if ! command -v mandoc >/dev/null 2>&1; then
	echo "mandoc is not installed (apt-get install mandoc): man pages not checked"
	exit 77
fi

page8=man/cutover.8
page5=man/cutover-policy.5
for p in "$page8" "$page5"; do
	if [ ! -f "$p" ]; then
		echo "FAIL: $p is missing"
		exit 1
	fi
done

# fail_with WHAT TEXT: one failure, with TEXT indented under it.
fail_with() {
	echo "FAIL: $1"
	printf '%s\n' "$2" | sed 's/^/  /'
	fails=$((fails + 1))
}

# ---- lint ------------------------------------------------------------------
lint=$(mandoc -T lint -W warning "$page8" "$page5" 2>&1)
rc=$?
if [ "$rc" -ne 0 ] || [ -n "$lint" ]; then
	fail_with "mandoc -T lint -W warning $page8 $page5 (exit $rc)" "$lint"
fi

if command -v man >/dev/null 2>&1; then
	for p in "$page8" "$page5"; do
		# stdout is the page; stderr is what groff and man-db warn about
		w=$(LC_ALL=C MANWIDTH=80 MAN_DISABLE_SECCOMP=1 \
		    man --warnings -l "$p" 2>&1 >/dev/null)
		rc=$?
		if [ "$rc" -ne 0 ] || [ -n "$w" ]; then
			fail_with "man --warnings -l $p (exit $rc)" "$w"
		fi
	done
else
	echo "note: man(1) is not installed: the man --warnings part is skipped"
fi

# ---- every policy key documented in its section ------------------------------
# "TABLE KEY" for every { "key", K_... } entry of every key table.
awk '
/struct key [A-Za-z_0-9]+\[\][ \t]*=/ {
	t = $0; sub(/.*struct key /, "", t); sub(/\[.*/, "", t); next
}
t != "" && /^[ \t]*};/ { t = ""; next }
t != "" && match($0, /\{[ \t]*"[^"]+",[ \t]*K_/) {
	k = substr($0, RSTART, RLENGTH)
	sub(/^\{[ \t]*"/, "", k); sub(/".*/, "", k)
	print t, k
}' policy/*.c >"$TEST_TMPDIR/keys"

# The subsection of cutover-policy(5) that documents each table.
section_of() {
	case $1 in
	top_keys) echo "Top-level settings" ;;
	audit_keys) echo "The audit section" ;;
	service_keys) echo "The services section" ;;
	port_keys) echo "The ports section" ;;
	check_keys) echo "The checks section" ;;
	plan_keys) echo "The plans section" ;;
	rule_keys) echo "The rules section" ;;
	*) return 1 ;;
	esac
}

# The ".It Cm KEY" keys of subsection $1 of the policy page, sorted.
documented() {
	awk -v want="$1" '
	/^\.S[hs][ \t]/ {
		h = $0; sub(/^\.S[hs][ \t]+/, "", h); gsub(/"/, "", h)
		inside = (h == want); next
	}
	inside && /^\.It[ \t]+Cm[ \t]/ { print $3 }' "$page5" | sort -u
}

for t in top_keys audit_keys service_keys port_keys check_keys plan_keys rule_keys; do
	if ! grep -q "^$t " "$TEST_TMPDIR/keys"; then
		fail_with "no keys found for the loader table $t" \
		    "(renamed or moved? update section_of in $0)"
	fi
done
cut -d' ' -f1 "$TEST_TMPDIR/keys" | sort -u >"$TEST_TMPDIR/tables"
while read -r t; do
	if ! section=$(section_of "$t"); then
		fail_with "the loader has a new key table, $t" \
		    "document its keys in $page5 and add the table to section_of in $0"
		continue
	fi
	if ! grep -q "^\\.S[hs] \"*$section\"*\$" "$page5"; then
		fail_with "$page5 has no subsection \"$section\" (for $t)" ""
		continue
	fi
	grep "^$t " "$TEST_TMPDIR/keys" | cut -d' ' -f2 | sort -u >"$TEST_TMPDIR/code"
	documented "$section" >"$TEST_TMPDIR/doc"
	missing=$(comm -23 "$TEST_TMPDIR/code" "$TEST_TMPDIR/doc")
	extra=$(comm -13 "$TEST_TMPDIR/code" "$TEST_TMPDIR/doc")
	if [ -n "$missing" ]; then
		fail_with "keys of $t not documented in \"$section\" of $page5 (as .It Cm KEY)" "$missing"
	fi
	if [ -n "$extra" ]; then
		fail_with "\"$section\" of $page5 documents keys $t does not have" "$extra"
	fi
done <"$TEST_TMPDIR/tables"

# ---- the example policies of cutover-policy(5) -------------------------------
# example NAME FILE: the literal display after `.\" example-policy: NAME`,
# with the roff escapes it may use undone.
example() {
	awk -v want="$1" '
	/^\.\\" example-policy: / { on = ($3 == want); next }
	on && /^\.Bd/ { body = 1; next }
	on && body && /^\.Ed/ { exit }
	on && body { print }' "$page5" | sed 's/\\e/\\/g; s/\\&//g' >"$2"
	if [ ! -s "$2" ]; then
		fail_with "no example policy \"$1\" in $page5" \
		    "(a .\\\" example-policy: $1 line before its .Bd -literal)"
		return 1
	fi
}

for name in deploy teams; do
	f=$TEST_TMPDIR/$name.conf
	example "$name" "$f" || continue
	expect 0 "example $name of $page5 is valid" -- "$CUTOVER" policy check "$f"
	expect 0 "example $name of $page5 grants what policy/examples/$name.conf grants" -- \
	    "$CUTOVER" policy diff "$f" "policy/examples/$name.conf" &&
		has "no change in permissions" out "example $name, diff"
done

mkdir "$TEST_TMPDIR/etc" "$TEST_TMPDIR/etc/policy.d"
cp policy/examples/deny-all.conf "$TEST_TMPDIR/etc/policy.conf"
if example dropin "$TEST_TMPDIR/etc/policy.d/50-nginx.conf"; then
	sys=$TEST_TMPDIR/etc/policy.conf
	expect 0 "drop-in example on deny-all is valid" -- "$CUTOVER" policy check "$sys" &&
		has "from 2 files" out "drop-in read"
	for req in "free-port 8080" "start nginx" "stop nginx"; do
		# shellcheck disable=SC2086 # ACTION TARGET, split on purpose
		expect 0 "drop-in example grants deploy $req" -- \
		    "$CUTOVER" policy test "$sys" deploy $req
	done
	expect 3 "drop-in example grants nothing else" -- \
	    "$CUTOVER" policy test "$sys" deploy start apache2
fi

# ---- cutover(8) against the program --------------------------------------------
# The SYNOPSIS, as mandoc renders it, is the usage of `cutover --help`
# (case aside: the page writes arguments in italics, the usage in capitals).
norm() {
	tr '[:upper:]' '[:lower:]' | sed 's/^usage://; s/[ \t][ \t]*/ /g; s/^ //; s/ $//'
}
mandoc -T ascii -O width=200 "$page8" | sed 's/.\x08//g' |
	sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | grep '^ *cutover ' | norm >"$TEST_TMPDIR/synopsis"
if expect 0 "--help" -- "$CUTOVER" --help; then
	printf '%s\n' "$out" | grep -E '^(usage:)? *cutover ' | norm >"$TEST_TMPDIR/usage"
	d=$(diff "$TEST_TMPDIR/usage" "$TEST_TMPDIR/synopsis")
	if [ -n "$d" ]; then
		fail_with "SYNOPSIS of $page8 differs from cutover --help (< usage, > page)" "$d"
	fi
fi

# The outputs the page quotes, for policy/examples/deploy.conf.
quoted() {
	sed -n "s/^\\.Ql \\($1.*\\)\$/\\1/p" "$page8" | sed 's/ *[.,;]$//' | head -n 1
}
# shellcheck disable=SC2317 # run through expect
in_examples() {
	(cd policy/examples && exec "$@")
}
q=$(quoted 'deploy.conf: valid:')
expect 0 "policy check, as quoted in $page8" -- in_examples "$CUTOVER" policy check deploy.conf &&
	has "${q:-(nothing quoted)}" out "quoted policy check output"
q=$(quoted 'deploy may start nginx:')
expect 0 "policy test start nginx, as quoted in $page8" -- \
    in_examples "$CUTOVER" policy test deploy.conf deploy start nginx &&
	has "${q:-(nothing quoted)}" out "quoted allow"
q=$(quoted 'deploy may not start apache2:')
expect 3 "policy test start apache2, as quoted in $page8" -- \
    in_examples "$CUTOVER" policy test deploy.conf deploy start apache2 &&
	has "${q:-(nothing quoted)}" out "quoted refusal"

# ---- cutover(8): the requests ----------------------------------------------
# A request is served only by a cutover that runs as root (setuid) in the
# initial user namespace, with the system policy /etc/cutover/policy.conf,
# and it is recorded where that policy says: this test never makes one get
# that far (tests/system/ does, with its own policy).  What it checks is
# what happens before: the privilege check, the start-up, and the options
# that need no privilege; the other messages the page quotes are checked
# against the source and the system tests.

# as_unprivileged COMMAND...: run COMMAND as a user other than root
# (nobody, when this test runs as root), so that build/cutover is what
# `make install` makes of it: not setuid.
as_unprivileged() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
	else
		"$@"
	fi
}
# in_initial_userns: this process is in the initial user namespace.
in_initial_userns() {
	for m in /proc/self/uid_map /proc/self/gid_map; do
		[ "$(awk 'NR == 1 && $1 == 0 && $2 == 0 && $3 == 4294967295 { ok = 1 }
		    END { print (ok && NR == 1) ? "yes" : "no" }' "$m" 2>/dev/null)" = yes ] || return 1
	done
}

q_setuid=$(quoted 'cutover: not installed setuid root')
q_userns=$(quoted 'cutover: refusing to run inside a user namespace')
if [ "$(id -u)" = 0 ] && ! command -v setpriv >/dev/null 2>&1; then
	echo "note: root and no setpriv(1): the unprivileged requests are not checked"
elif ! as_unprivileged test -x "$CUTOVER"; then
	echo "note: $CUTOVER is not executable for an unprivileged user here: the unprivileged requests are not checked"
else
	# Not setuid: every request, well-formed or not, is refused before the
	# policy is read (exit 4; exit 3 inside a user namespace).
	if in_initial_userns; then
		want=4 q=$q_setuid
	else
		want=3 q=$q_userns
	fi
	for a in "free-port 8080" "start nginx" "stop nginx" "verify homepage" list -l \
	    "-n start nginx" "-n free-port 8080" "-n verify homepage" "start" "bogus" ""; do
		# shellcheck disable=SC2086 # ACTION TARGET, split on purpose
		expect "$want" "cutover $a, not setuid: refused first, as $page8 says" -- \
		    as_unprivileged "$CUTOVER" $a &&
			has "${q:-(nothing quoted)}" err "cutover $a, not setuid"
	done
	# --help and --version need no privilege
	expect 0 "--help, unprivileged" -- as_unprivileged "$CUTOVER" --help
	expect 0 "--version, unprivileged" -- as_unprivileged "$CUTOVER" --version &&
		has "cutover " out "--version, unprivileged"

	# START-UP: the resource limits the page names (a user who is not root
	# cannot raise a hard limit, so cutover must refuse)
	if command -v prlimit >/dev/null 2>&1; then
		q=$(quoted 'cutover: the resource limit fsize is too low')
		expect 1 "hard RLIMIT_FSIZE 1 MB: refused, as $page8 says" -- \
		    as_unprivileged prlimit --fsize=1048576:1048576 -- "$CUTOVER" --version &&
			has "${q:-(nothing quoted)}" err "RLIMIT_FSIZE"
		expect 1 "hard RLIMIT_NOFILE 63: refused, as $page8 says (at least 64)" -- \
		    as_unprivileged prlimit --nofile=63:63 -- "$CUTOVER" --version &&
			has "$(printf '%s\n' "$q" | sed 's/ fsize / nofile /')" err "RLIMIT_NOFILE"
		expect 0 "hard RLIMIT_NOFILE 64: enough, as $page8 says" -- \
		    as_unprivileged prlimit --nofile=64:64 -- "$CUTOVER" --version
	else
		echo "note: no prlimit(1): the resource limits are not checked"
	fi
fi

# A user namespace: root there is not root (no record, nothing read).
if unshare -U -r true 2>/dev/null; then
	expect 3 "in a user namespace: refused, as $page8 says" -- \
	    unshare -U -r "$CUTOVER" -n start nginx &&
		has "${q_userns:-(nothing quoted)}" err "user namespace"
else
	echo "note: no user namespaces here (unshare -U -r): that refusal is not checked"
fi

# argc 0
if command -v perl >/dev/null 2>&1; then
	q=$(quoted 'cutover: refusing to run without a program name')
	# shellcheck disable=SC2016 # perl code
	expect 2 "argc 0, as $page8 says" -- perl -e 'exec { $ARGV[0] } ()' "$CUTOVER" &&
		has "${q:-(nothing quoted)}" err "argc 0"
fi

# The last line of an invalid policy (for a file with 2 errors).
printf 'unknown_a = 1;\nunknown_b = 2;\n' >"$TEST_TMPDIR/two-errors.conf"
q=$(quoted 'cutover: the policy is invalid:' | sed 's/ N errors;/ 2 errors;/')
expect 4 "an invalid policy's last line, as $page8 quotes it" -- \
    "$CUTOVER" policy check "$TEST_TMPDIR/two-errors.conf" &&
	has "${q:-(nothing quoted)}" err "invalid policy"

# Messages of a served request, against the source: the page's example
# (deploy, start nginx, line 38 of /etc/cutover/policy.conf) turned back
# into the format string, which must be in helper/ or policy/ (adjacent C
# string literals joined).
joined() {
	cat "$@" | tr '\n' ' ' | sed 's/"[[:space:]]*"//g'
}
joined $(find helper policy pam -name "*.c" | sort) >"$TEST_TMPDIR/source"
in_source() {
	if ! grep -qF -- "$1" "$TEST_TMPDIR/source"; then
		fail_with "$page8 quotes $2, but the source has no \"$1\"" ""
	fi
}
as_format() {
	sed 's/^cutover: //; s/deploy/%s/; s/start nginx/%s/; s|/etc/cutover/policy.conf:38)|%s:%d)|'
}
q=$(quoted 'cutover: deploy may start nginx (')
in_source "$(printf '%s\n' "${q:-(nothing quoted)}" | as_format)" "the dry run's line"
# The actions' lines (ACTIONS), back into the source's format strings.
q=$(quoted 'cutover: free port 8080: stopped')
in_source "$(printf '%s\n' "${q:-(nothing quoted)}" |
    sed 's/^cutover: free port 8080: //; s/stopped apache2 in 0.41 s/stopped %s in %.2f s/; s/(signalled pid 123)/(signalled pid %s%s%s)/')" \
    "free-port's report line"
q=$(quoted 'cutover: free port 8080: port 8080 is held by')
in_source "$(printf '%s\n' "${q:-(nothing quoted)}" |
    sed 's/^cutover: free port 8080: port 8080/port %d/; s/pid 4242 (\/usr\/bin\/python3.11, user intruder, uid 1000), which/%s, which/; s/holders: its executable.*;/holders: %s;/')" \
    "free-port's refusal"
q=$(quoted 'cutover: start nginx: nginx listens on')
in_source "$(printf '%s\n' "${q:-(nothing quoted)}" |
    sed 's/^cutover: start nginx: nginx listens on 8080 (pid 5150, as nginx) after 0.12 s/%s listens on %s (pid %s, as %s) after %.2f s/')" \
    "start's report line"
q=$(quoted 'free it first (cutover free-port')
in_source "$(printf '%s\n' "${q:-(nothing quoted)}" | sed 's/free-port 8080)/free-port %d)/')" \
    "start's hint"
q=$(quoted 'cutover: another cutover request is working on')
in_source "$(printf '%s\n' "${q:-(nothing quoted)}" |
    sed 's/^cutover: //; s/port 8080 (txid [0-9a-f]*)/%s (txid %s)/; s/; nothing was done$//')" \
    "the refusal of a request racing another one"
for m in 'nothing to do, the port is already free' 'nothing to do, the service is not running'; do
	if ! grep -qF -- "$m" "$page8"; then
		fail_with "$page8 does not say \"$m\"" ""
	fi
	in_source "$(printf '%s\n' "$m" | sed 's/^nothing to do, //')" "\"$m\""
done
q=$(quoted 'deploy may do nothing:')
in_source "$(printf '%s\n' "${q:-(nothing quoted)}" | sed 's/^deploy//')" "the empty list"
for m in 'cutover: cannot open the audit log' 'cutover: cannot write the audit record'; do
	q=$(quoted "$m")
	in_source "$(printf '%s\n' "${q:-(nothing quoted)}" | sed 's/^cutover: //')" "\"$m\""
done
q=$(quoted 'cutover: cannot establish who you are')
in_source "$(printf '%s\n' "${q:-(nothing quoted)}" |
    sed 's/^cutover: //; s/( Ns Ar [a-z]* Ns )/(%s)/')" "the unknown caller's refusal"

# The refusal: its reason is what policy test says, the format is the
# source's, and the system tests (tests/system/, run as root) see exactly
# that line from the setuid binary (their policy path is $POLICY).
q=$(quoted 'cutover: deploy may not start apache2:')
r=${q#cutover: }
r=${r% (policy*}
expect 3 "the refusal's reason, as quoted in $page8" -- \
    in_examples "$CUTOVER" policy test deploy.conf deploy start apache2 &&
	has "${r:-(nothing quoted)}" out "quoted refusal"
in_source '%s may not %s: %s (policy ' "the refusal"
# shellcheck disable=SC2016 # a literal $POLICY, as the system tests write it
pin=$(printf '%s\n' "$q" | sed 's|/etc/cutover/policy.conf)$|$POLICY)|')
if ! grep -qF -- "\"${pin:-(nothing quoted)}\"" tests/system/*.sh; then
	fail_with "the refusal $page8 quotes is not what tests/system/ expects" \
	    "(no \"$pin\" in tests/system/*.sh)"
fi

# verify's lines (VERIFY), as the unit tests (tests/unit/test_verify.c)
# get them exactly; roff's \(dq is the C string's \".
joined tests/unit/test_verify.c >"$TEST_TMPDIR/test_verify"
for m in 'homepage OK: 200' 'CUTOVER OK: homepage' 'status 500, expected 200' \
    'header Content-Type: ' 'body larger than' 'no header'; do
	q=$(quoted "$m" | sed 's/\\(dq/\\"/g')
	q=${q:-(nothing quoted: $m)}
	if ! grep -qF -- "$q" "$TEST_TMPDIR/test_verify"; then
		fail_with "$page8 quotes \"$q\" as a verify line; tests/unit/test_verify.c has no such line" ""
	fi
done

# PAM's reasons, as the PAM unit tests (tests/unit/test_pam.c) get them.
for m in 'PAM account: Permission' 'PAM account: password expired'; do
	q=$(quoted "$m")
	q=${q:-PAM (nothing quoted: $m)}
	if ! grep -qF -- "\"${q#PAM }\"" tests/unit/test_pam.c; then
		fail_with "$page8 quotes \"$q\" as a PAM refusal; tests/unit/test_pam.c has no \"${q#PAM }\"" ""
	fi
done

# PRIVILEGES: each step of the capability table (table[] in
# helper/priv/privilege.c) has exactly its capabilities in the page; the step
# "caller" is the page's "list", "check" its "verify".
awk '
/^} table\[\] = \{/ { on = 1; next }
on && /^};/ { exit }
on && match($0, /\{ STEP_[A-Z_]+, "[^"]+"/) {
	step = substr($0, RSTART, RLENGTH); sub(/.*, "/, "", step); sub(/"$/, "", step)
	if (step == "caller") step = "list"
	if (step == "check") step = "verify"
	print step, "-"
}
on && step != "" {
	line = $0
	while (match(line, /CAP_[A-Z_]+/)) {
		print step, substr(line, RSTART, RLENGTH)
		line = substr(line, RSTART + RLENGTH)
	}
}' helper/priv/privilege.c | sort -u >"$TEST_TMPDIR/caps-code"
awk '
/^\.Sh / { sec = $2; names = ""; next }
sec != "PRIVILEGES" { next }
/^\.It Cm / {
	names = ""
	for (i = 3; i <= NF; i++) if ($i != ",") { names = names " " $i; print $i, "-" }
	next
}
/^\.El/ { names = "" }
names != "" && /^\.Dv CAP_/ {
	n = split(names, a, " ")
	for (i = 1; i <= n; i++) print a[i], $2
}' "$page8" | sort -u >"$TEST_TMPDIR/caps-page"
if [ ! -s "$TEST_TMPDIR/caps-code" ]; then
	fail_with "no capability table found in helper/priv/privilege.c (moved? update $0)" ""
else
	cut -d' ' -f1 "$TEST_TMPDIR/caps-code" | sort -u >"$TEST_TMPDIR/steps"
	while read -r step; do
		grep "^$step " "$TEST_TMPDIR/caps-code" >"$TEST_TMPDIR/c1"
		grep "^$step " "$TEST_TMPDIR/caps-page" >"$TEST_TMPDIR/c2"
		d=$(diff "$TEST_TMPDIR/c1" "$TEST_TMPDIR/c2")
		if [ -n "$d" ]; then
			fail_with "PRIVILEGES of $page8: the capabilities of step $step differ from helper/priv/privilege.c (< code, > page)" "$d"
		fi
	done <"$TEST_TMPDIR/steps"
fi

# CAVEATS and FILES say what make install does: as root without DESTDIR,
# 4750 root:cutover (the group created if missing), otherwise 0755; and
# pam/cutover as /etc/pam.d/cutover.  When the recipe changes, the pages
# must say what it does instead.
sed -n '/^install:/,/^$/p' Makefile >"$TEST_TMPDIR/install"
# shellcheck disable=SC2016 # make's $(...), literally
for want in 'groupadd --system cutover' \
    '$(INSTALL) -m 4750 -o root -g cutover $(CUTOVER) ' \
    '$(INSTALL) -m 0755 $(CUTOVER) $(DESTDIR)$(BINDIR)/cutover' \
    '$(INSTALL) -m 0644 pam/cutover $(DESTDIR)$(SYSCONFDIR)/pam.d/cutover'; do
	if ! grep -qF -- "$want" "$TEST_TMPDIR/install"; then
		fail_with "the install target of the Makefile has no \"$want\" any more" \
		    "update CAVEATS and FILES of $page8 (and then this check)"
	fi
done

finish
