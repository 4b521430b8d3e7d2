#!/bin/sh
# Under ASan+UBSan, as root: cutover switch newsite (the deploy.conf
# plan: take over apache2's socket, start nginx on it, stop apache2
# gracefully, verify homepage, roll back on a failure) - its -n, a switch
# that succeeds, one whose check fails and is rolled back, and one whose
# nginx cannot start (apache2 is never stopped).
. tests/system/asan/lib.sh
root_policy "" || exit 1
grep -q '"deploy", "root"' "$POLICY" || { fail_check "the policy grants root"; finish; }
new_page=$NEW_ROOT/index.html
cp -p "$new_page" "$TEST_TMPDIR/index.html.orig" || exit 1
cp -p "$NGINX_CONF" "$TEST_TMPDIR/nginx.conf.orig" || exit 1
trap 'cp -p "$TEST_TMPDIR/index.html.orig" "$new_page"; cp -p "$TEST_TMPDIR/nginx.conf.orig" "$NGINX_CONF"' EXIT

serves() {
	case $(curl -s --max-time 5 "http://127.0.0.1:$PORT/") in
	*"$1"*) return 0 ;;
	esac
	return 1
}

apache2_start || { fail_check "apache2ctl start"; finish; }
expect 0 "switch -n newsite" -- "$ASAN_CUTOVER" -n switch newsite
has "take over port $PORT's listening socket from apache2" out "-n lists the take-port step"
serves "$OLD_TEXT" || fail_check "-n changed nothing: apache2 serves the old page"

audit_mark
expect_files 0 "switch newsite" -- "$ASAN_CUTOVER" switch newsite
wait_for 10 serves "$NEW_TEXT" || fail_check "nginx serves the new page after the switch"
[ -z "$(apache2_procs)" ] || fail_check "apache2 is stopped after the switch"
audit_new + "switch newsite: its records"
expect 0 "stop nginx" -- "$ASAN_CUTOVER" stop nginx
wait_for 10 not_listening "$PORT" || fail_check "$PORT is free after stop nginx"

# a broken new site: the check fails, the switch rolls back to apache2
apache2_start || { fail_check "apache2ctl start"; finish; }
echo "<h1>broken</h1>" >"$new_page"
expect_files 1 "switch newsite with a broken site: rolled back" -- "$ASAN_CUTOVER" switch newsite
has "rolled back" err "says it rolled back"
wait_for 10 serves "$OLD_TEXT" || fail_check "apache2 serves the old page again"
[ -z "$(nginx_procs)" ] || fail_check "nginx is stopped after the rollback"
cp -p "$TEST_TMPDIR/index.html.orig" "$new_page"

# nginx's configuration invalid: the pre-flight (nginx -T, read by a
# child with no privilege) refuses it, nothing is done
master=$(apache2_pid)
echo "no_such_directive cutover-asan;" >>"$NGINX_CONF"
expect_files 3 "switch newsite, nginx's configuration invalid: refused" -- "$ASAN_CUTOVER" switch newsite
has 'unknown directive "no_such_directive"' err "says nginx's own words"
[ "$(apache2_pid)" = "$master" ] || fail_check "apache2's master changed"
cp -p "$TEST_TMPDIR/nginx.conf.orig" "$NGINX_CONF"

# nginx cannot start (a second listen on a port another user holds, which
# nginx -t does not try): apache2, never stopped, serves on
hold_port intruder 8082 || fail_check "intruder could not hold port 8082"
sed -i 's|^\(\s*listen .*default_server;\)$|\1 listen 127.0.0.1:8082;|' "$NGINX_CONF"
expect_files 1 "switch newsite, nginx cannot start: fails" -- "$ASAN_CUTOVER" switch newsite
has "apache2 was never stopped" err "says apache2 was never stopped"
[ "$(apache2_pid)" = "$master" ] || fail_check "apache2's master changed"
serves "$OLD_TEXT" || fail_check "apache2 serves the old page on"
kill "$held" 2>/dev/null
cp -p "$TEST_TMPDIR/nginx.conf.orig" "$NGINX_CONF"

audit_valid "the records of the sanitizer runs"
sanitizer_clean
finish
