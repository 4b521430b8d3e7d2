#!/bin/sh
# policy test / explain / diff on the shipped examples.
. tests/cli/lib.sh
deploy=policy/examples/deploy.conf
teams=policy/examples/teams.conf

expect 0 "deploy may start nginx" -- "$CUTOVER" policy test $deploy deploy start nginx
has "deploy may start nginx" out "allowed"
has "$deploy:38" out "names the granting line"
expect 0 "deploy may free 8080" -- "$CUTOVER" policy test $deploy deploy free-port 8080
expect 3 "deploy may not start apache2" -- "$CUTOVER" policy test $deploy deploy start apache2
has "deploy may not start apache2" out "refused"
expect 3 "deploy may not free 22" -- "$CUTOVER" policy test $deploy deploy free-port 22
expect 3 "intruder may do nothing" -- "$CUTOVER" policy test $deploy intruder start nginx
expect 2 "bad action" -- "$CUTOVER" policy test $deploy deploy kill nginx
has "unknown action" err "bad action named"
has "free-port, start, stop, verify or switch" err "bad action: the actions listed"
expect 0 "deploy may switch newsite" -- "$CUTOVER" policy test $deploy deploy switch newsite
has "deploy may switch newsite: granted by rule at $deploy:42 (switch newsite: " out "switch allowed"
expect 3 "deploy may not switch a plan that is not defined" -- "$CUTOVER" policy test $deploy deploy switch nginx
has "the policy defines no plan by that name" out "undefined plan"
expect 2 "bad port" -- "$CUTOVER" policy test $deploy deploy free-port 80x
expect 2 "too few arguments" -- "$CUTOVER" policy test deploy start

expect 0 "explain text" -- "$CUTOVER" policy explain $deploy
has "user deploy may:" out "subject"
has "start nginx as nginx:nginx with no capabilities: /usr/sbin/nginx -c /etc/cutover/nginx.conf (listens on 8080; in a switch, inherits the port's listening socket as fd 3 with NGINX=3;)" out "start effect"
has "switch newsite: start nginx on port 8080's listening socket while apache2 serves, pause apache2, verify homepage, then stop apache2; on failure let apache2 go on, stop nginx and start apache2 again if it was stopped. Steps: " out "switch effect"
has "free port 8080 by stopping apache2" out "free effect"
has "[$deploy:40]" out "file:line"
expect 0 "explain json" -- "$CUTOVER" policy explain --format=json $deploy
has '"kind":"user","name":"deploy"' out "json subject"
has '"granted_at":"policy/examples/deploy.conf:38"' out "json origin"
has '"plan":{"ports":[8080],"from":"apache2","to":"nginx","verify":["homepage"],"rollback":true}' out "json plan"
expect 2 "explain bad format" -- "$CUTOVER" policy explain --format=xml $deploy
expect 0 "explain no rules" -- "$CUTOVER" policy explain policy/examples/deny-all.conf
has "nobody may do anything" out "deny-all explained"

expect 0 "diff of a policy with itself" -- "$CUTOVER" policy diff $deploy $deploy
has "no change in permissions" out "no change"
sed 's|user  = "nginx";|user = "root"; allow_root = true;|' $deploy >"$TEST_TMPDIR/root.conf"
expect 1 "diff: nginx now runs as root" -- "$CUTOVER" policy diff $deploy "$TEST_TMPDIR/root.conf"
has "~ user deploy: start nginx" out "effect change shown"
has "as root" out "new effect shown"
has "~ user deploy: switch newsite" out "the switch that starts nginx changed too"
sed 's|rollback = true;|rollback = false;|' $deploy >"$TEST_TMPDIR/norollback.conf"
expect 1 "diff: newsite no longer rolls back" -- "$CUTOVER" policy diff $deploy "$TEST_TMPDIR/norollback.conf"
has "~ user deploy: switch newsite: was" out "changed plan shown"
has "; no rollback. Steps: " out "new plan shown"
expect 1 "diff deploy -> deny-all" -- "$CUTOVER" policy diff $deploy policy/examples/deny-all.conf
has "- user deploy: free port 8080" out "lost permission"
expect 4 "diff with an invalid side" -- "$CUTOVER" policy diff $deploy "$TEST_TMPDIR/none.conf"
finish
