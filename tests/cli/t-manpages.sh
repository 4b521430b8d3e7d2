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
#     and the outputs and caveats cutover(8) quotes are what cutover does.
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

for t in top_keys audit_keys service_keys port_keys check_keys rule_keys; do
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

# CAVEATS says the actions are not implemented: when they are, the pages
# must say what they do instead.
for a in "free-port 8080" "start nginx" "stop nginx" "verify homepage" list -l "-n start nginx"; do
	# shellcheck disable=SC2086
	expect 1 "cutover $a is not implemented, as $page8 says (update the pages when it is)" -- \
	    "$CUTOVER" $a &&
		has "is not implemented in this build yet; only the policy commands are" err "cutover $a"
done

finish
