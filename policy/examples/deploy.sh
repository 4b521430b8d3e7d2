#!/bin/sh
# deploy.sh - hand port 8080 from apache2 to nginx and check the new
# content, as the unprivileged user deploy, with no sudo: each step is a
# cutover request that the root-owned policy (/etc/cutover/policy.conf,
# the deploy.conf example) must grant, and each is recorded in
# /var/log/cutover/audit.jsonl before it is done.
#
# Usage: deploy.sh        (as a member of group cutover named by the policy)
# Environment: CUTOVER, the cutover to run (default: cutover, from PATH).
#
# Every exit status of every step is checked; the script stops at the
# first step that does not succeed and says what state that leaves.
# cutover's exit statuses:
#   0  done.
#   1  the step was allowed but failed (nothing held 8080 that the policy
#      lets go, nginx did not start or did not take the port, the content
#      check did not pass).  cutover's message says which.
#   2  usage: this script called cutover wrongly.
#   3  refused: the policy does not grant this user the step, or PAM said
#      no.  Nothing was done.  Fix the policy (an administrator's job:
#      cutover policy test /etc/cutover/policy.conf deploy start nginx),
#      not this script.
#   4  cutover cannot run safely here: the policy is missing, invalid or
#      unsafe, the audit record could not be written (a full disk, or
#      syslog on with no /dev/log), or cutover is not installed setuid.
#      Nothing was done.  Ask an administrator.
# The script exits with the status of the step that failed (0 when all
# three passed).
set -u

CUTOVER=${CUTOVER:-cutover}
port=8080
freed=no

# explain STATUS STEP: say what a failed step's status means.
explain() {
	case $1 in
	1) what="allowed, but it failed" ;;
	2) what="usage error: this script called cutover wrongly" ;;
	3) what="refused by the policy or PAM; nothing was done" ;;
	4) what="cutover cannot run safely (policy, audit log or installation); nothing was done" ;;
	126 | 127) what="cutover could not be run (not installed, or you are not in group cutover)" ;;
	*) what="unexpected exit status" ;;
	esac
	echo "deploy: '$2' failed with exit status $1: $what" >&2
}

# step DESCRIPTION COMMAND...: run one step; on failure say what it
# means and what state the port is in, and exit with its status.
step() {
	what=$1
	shift
	echo "deploy: $what: $*"
	"$@"
	rc=$?
	[ "$rc" -eq 0 ] && return 0
	explain "$rc" "$*"
	if [ "$freed" = yes ]; then
		echo "deploy: WARNING: apache2 no longer holds port $port (stopped, or it was not running)" >&2
		echo "deploy: and nginx is not confirmed serving it: the site may be down. Ask an administrator." >&2
	else
		echo "deploy: port $port was not touched: apache2 still serves the old content." >&2
	fi
	exit "$rc"
}

step "free port $port from apache2" "$CUTOVER" free-port "$port"
freed=yes
step "start nginx as user nginx" "$CUTOVER" start nginx
step "check the new content" "$CUTOVER" verify homepage
echo "deploy: done: nginx serves port $port and the homepage check passed"
exit 0
