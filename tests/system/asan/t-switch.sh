#!/bin/sh
# Under ASan+UBSan, as root: cutover switch newsite (the deploy.conf
# plan: free 8080 from apache2, start nginx with the socket handed over,
# verify homepage, roll back on a failure) - its -n, a switch that
# succeeds, and one whose check fails and is rolled back.
. tests/system/asan/lib.sh
root_policy "" || exit 1
grep -q '"deploy", "root"' "$POLICY" || { fail_check "the policy grants root"; finish; }
new_page=$NEW_ROOT/index.html
cp -p "$new_page" "$TEST_TMPDIR/index.html.orig" || exit 1
trap 'cp -p "$TEST_TMPDIR/index.html.orig" "$new_page"' EXIT

serves() {
	case $(curl -s --max-time 5 "http://127.0.0.1:$PORT/") in
	*"$1"*) return 0 ;;
	esac
	return 1
}

apache2_start || { fail_check "apache2ctl start"; finish; }
expect 0 "switch -n newsite" -- "$ASAN_CUTOVER" -n switch newsite
has "free port $PORT from apache2" out "-n lists the free-port step"
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

audit_valid "the records of the sanitizer runs"
sanitizer_clean
finish
