#!/bin/sh
# served_by (issue 28, item 4): a check that knows who answered.  As user
# deploy, through the installed setuid binary, with the real apache2 and
# nginx on port 8080:
#
#   - served_by = "apache2" with apache2 on the port passes, and the line,
#     the nagios line, the JSON and the metrics say who served (apache2's
#     pid, user root);
#   - served_by = "nginx" with apache2 on the port fails, naming apache2;
#   - the audit's impostor: deploy's own HTTP server on 8080 serving the
#     right page (apache2 stopped): the plain content check says OK - what
#     finding 1 saw -, served_by fails (exit 1; nagios CRITICAL, exit 2),
#     saying deploy's pid, exe and user, the JSON's served_by.result
#     "other", cutover_check_served 0 and cutover_check_up 0;
#   - a plan's check looks for the plan's new service by default: the
#     switch's verify step says "served by nginx (pid ..., user ...)";
#   - the policy: served_by naming no service, with follow = true, or on
#     a host name without connect_to is refused with its file:line.
. tests/system/lib.sh
PYTHON=/usr/bin/python3

apache2_start || { fail_check "apache2ctl start"; finish; }

# served_by checks beside the standard policy's homepage
policy_with() {
	write_policy "s|^  homepage = .*\$|&\\
  by_apache2 = { url = \"http://127.0.0.1:$PORT/\"; contains = \"$OLD_TEXT\"; served_by = \"apache2\"; };\\
  by_nginx = { url = \"http://127.0.0.1:$PORT/\"; served_by = \"nginx\"; };\\
  plain = { url = \"http://127.0.0.1:$PORT/\"; contains = \"$NEW_TEXT\"; };\\
  new_by_nginx = { url = \"http://localhost:$PORT/\"; contains = \"$NEW_TEXT\"; served_by = \"nginx\"; };|
/# checks they may run/s|verify = \\[\"homepage\"\\];|verify = [\"homepage\", \"by_apache2\", \"by_nginx\", \"plain\", \"new_by_nginx\"];|
$1"
}
policy_with "" || { fail_check "cannot write the policy"; finish; }

apid=$(apache2_pid)
# ---- the right holder: passes, and says who ----------------------------------
expect 0 "verify by_apache2 with apache2 on $PORT" -- as_deploy "$CUTOVER" verify by_apache2
printf '%s\n' "$out" | grep -Eq "^by_apache2 OK: 200, .*, served by apache2 \\(pid $apid, user root\\)\$" ||
	fail_check "the line names apache2's master" "$out"
expect 0 "verify --format=nagios by_apache2" -- as_deploy "$CUTOVER" verify --format=nagios by_apache2
printf '%s\n' "$out" | grep -Eq "^CUTOVER OK: by_apache2 .* served by apache2 \\(pid $apid, user root\\)\\|" ||
	fail_check "the nagios line names apache2" "$out"
expect 0 "verify --format=json by_apache2" -- as_deploy "$CUTOVER" verify --format=json by_apache2
has "\"served_by\":{\"service\":\"apache2\",\"result\":\"ok\",\"port\":$PORT,\"pid\":$apid,\"user\":\"root\",\"exe\":\"/usr/sbin/apache2\",\"detail\":null}" out "the JSON's served_by"
expect 0 "verify --format=prometheus by_apache2" -- as_deploy "$CUTOVER" verify --format=prometheus by_apache2
has "cutover_check_served{check=\"by_apache2\",service=\"apache2\",pid=\"$apid\",user=\"root\",exe=\"/usr/sbin/apache2\"} 1" out "the metric cutover_check_served 1"

# ---- another permitted service on the port: fails, naming it -----------------
expect 1 "verify by_nginx with apache2 on $PORT" -- as_deploy "$CUTOVER" verify by_nginx
printf '%s\n' "$out" | grep -Eq "^by_nginx FAILED: port $PORT is held by pid [0-9]+ \\(/usr/sbin/apache2, user (root|www-data), .*not by nginx: its executable is not /usr/sbin/nginx \\(nginx's\\)" ||
	fail_check "the line names apache2 as the holder, not nginx" "$out"

# ---- the impostor: deploy's own server with the right page -------------------
apache2_stop || fail_check "apache2ctl stop"
mkdir -p "$TEST_TMPDIR/www" && cp "$NEW_ROOT/index.html" "$TEST_TMPDIR/www/" &&
    chmod -R a+rX "$TEST_TMPDIR/www"
setpriv --reuid=deploy --regid="$(id -g deploy)" --init-groups -- \
    /bin/sh -c "$EXEC_SH" "$PYTHON" -m http.server --bind 0.0.0.0 \
    --directory "$TEST_TMPDIR/www" "$PORT" </dev/null >/dev/null 2>&1 &
impostor=$!
wait_for 10 listening "$PORT" || fail_check "deploy's server did not listen"
track "$impostor"
ipid=$(port_pids "$PORT" | head -n 1)
iexe=$(proc_exe "$ipid")
expect 0 "verify plain: the content check alone is fooled (finding 1)" -- as_deploy "$CUTOVER" verify plain
expect 1 "verify new_by_nginx against deploy's server: FAILED" -- as_deploy "$CUTOVER" verify new_by_nginx
has "new_by_nginx FAILED: port $PORT is held by pid $ipid ($iexe, user deploy, uid $(id -u deploy)), not by nginx" out "the line names the impostor"
expect 2 "verify --format=nagios new_by_nginx: CRITICAL" -- as_deploy "$CUTOVER" verify --format=nagios new_by_nginx
has "CUTOVER CRITICAL: new_by_nginx http://localhost:$PORT/ - port $PORT is held by pid $ipid" out "nagios names the impostor"
expect 1 "verify --format=json new_by_nginx" -- as_deploy "$CUTOVER" verify --format=json new_by_nginx
has "\"result\":\"failed\"" out "the JSON's result"
has "\"served_by\":{\"service\":\"nginx\",\"result\":\"other\",\"port\":$PORT,\"pid\":$ipid,\"user\":\"deploy\",\"exe\":\"$iexe\"" out "the JSON names the impostor"
expect 1 "verify --format=prometheus new_by_nginx" -- as_deploy "$CUTOVER" verify --format=prometheus new_by_nginx
has "cutover_check_up{check=\"new_by_nginx\"} 0" out "cutover_check_up 0"
has "cutover_check_served{check=\"new_by_nginx\",service=\"nginx\",pid=\"$ipid\",user=\"deploy\",exe=\"$iexe\"} 0" out "cutover_check_served 0, naming the impostor"
kill "$impostor" 2>/dev/null
wait_for 10 not_listening "$PORT" || fail_check "deploy's server did not stop"

# ---- a plan's check: the new service by default -----------------------------
apache2_start || fail_check "apache2ctl start"
audit_mark
expect 0 "switch newsite: its check looks for nginx" -- as_deploy "$CUTOVER" switch newsite
printf '%s\n' "$out" | grep -Eq "verify homepage: homepage OK: .*, served by nginx \\(pid [0-9]+, user (nginx|root)\\)\$" ||
	fail_check "the switch's verify step says nginx served" "$out"
expect 0 "verify new_by_nginx after the switch" -- as_deploy "$CUTOVER" verify new_by_nginx
has ", served by nginx (pid " out "nginx serves"

# ---- the policy: what cannot be looked at is refused where it is written ----
bad_policy() {
	policy_with "$1" || fail_check "cannot write the policy"
	expect 4 "$2" -- as_deploy "$CUTOVER" verify by_apache2
	has "$3" err "$2: the error"
}
bad_policy 's|served_by = "nginx"; };|served_by = "nginks"; };|' "served_by naming no service" \
    "served_by of check \"nginks\" is not a defined service"
bad_policy 's|url = "http://127.0.0.1:'"$PORT"'/"; served_by = "nginx"; };|url = "http://127.0.0.1:'"$PORT"'/"; served_by = "nginx"; follow = true; };|' \
    "served_by with follow" "cannot be used with follow = true"
bad_policy 's|http://localhost:'"$PORT"'/|http://www.example.org:'"$PORT"'/|' "served_by on a DNS name" \
    "needs the check to connect to an address of this host"

audit_valid "after served_by"
finish
