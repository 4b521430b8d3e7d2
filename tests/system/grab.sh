# grab.sh - the port grabber of the attack tests (t-attack-gap.sh,
# t-attack-recover.sh), on top of lib.sh: sourced, not run.
#
#   grab SECONDS       grab-port.py as deploy, in the background
#                      ($grabber): it binds port $PORT the moment it can
#   grab_result WHAT   it has ended, it never bound the port, and the
#                      site is served by apache2 or nginx, not by deploy
#   (served, serves, nginx_gone and back_to_apache2: daemons.sh's)
#   switch_bg          deploy's switch newsite in the background, until
#                      its check (test-httpd.py's /slow) is in flight
#
# Needs GRAB_DIR (a directory deploy may write, made by grab_setup) and
# the caller's trap to remove it.

PYTHON=/usr/bin/python3

# grab_setup: grab-port.py where deploy can read it (the tree may be
# root's alone), and GRAB_DIR
grab_setup() {
	install -m 0755 -o root -g root tests/system/grab-port.py "$LIBEXEC_DIR/grab-port.py" &&
	    GRAB_DIR=$(mktemp -d) && chown deploy "$GRAB_DIR"
}


grab() {
	rm -f "$GRAB_DIR/grab.out"
	setpriv --reuid=deploy --regid="$(id -g deploy)" --init-groups -- \
	    "$PYTHON" "$LIBEXEC_DIR/grab-port.py" "$PORT" "$1" "$GRAB_DIR/grab.out" \
	    </dev/null >/dev/null 2>"$GRAB_DIR/grab.err" &
	grabber=$!
	track "$grabber"
}

grab_result() {
	wait "$grabber" 2>/dev/null
	r=$(cat "$GRAB_DIR/grab.out" 2>/dev/null)
	echo "grabber ($1): $r"
	case $r in
	"never $PORT "*) ;;
	*) fail_check "$1: deploy's grabber took port $PORT" "$r $(cat "$GRAB_DIR/grab.err"); the port: $(describe_holders "$PORT"); $(cat "$TEST_TMPDIR/sw.err")" ;;
	esac
	case $(served) in
	*"$OLD_TEXT"* | *"$NEW_TEXT"*) ;;
	*) fail_check "$1: port $PORT does not serve the old or the new site" "$(served)" ;;
	esac
	case $(served) in *hijacked*) fail_check "$1: deploy's page is served" ;; esac
}

# switch_bg: cutover switch newsite as deploy, in the background; the
# front's pid in $front once the check is in flight (its pid in $check).
switch_bg() {
	: >"$TEST_TMPDIR/requests.log"
	setpriv --reuid=deploy --regid="$(id -g deploy)" --init-groups -- \
	    /bin/sh -c "$EXEC_SH" "$CUTOVER" switch newsite \
	    </dev/null >"$TEST_TMPDIR/sw.out" 2>"$TEST_TMPDIR/sw.err" &
	front=$!
	wait_for 15 grep -q "path=/slow" "$TEST_TMPDIR/requests.log" 2>/dev/null ||
	    fail_check "the switch did not reach its check" "$(cat "$TEST_TMPDIR/sw.out" "$TEST_TMPDIR/sw.err")"
	check=$(sed -n 's/.*path=\/slow .* pid=\([0-9]*\) .*/\1/p' "$TEST_TMPDIR/requests.log" | head -n 1)
}
