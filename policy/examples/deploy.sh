#!/bin/sh
# deploy.sh - hand port 8080 from apache2 to nginx and check the new
# content, as the unprivileged user deploy, with no sudo: one request,
# cutover switch newsite, that the root-owned policy
# (/etc/cutover/policy.conf, the deploy.conf example) must grant.  cutover
# runs the plan as one transaction - pre-flight, free the port, start
# nginx on the socket it hands over, check the page - and puts apache2
# back if any step fails.  Each step is recorded in
# /var/log/cutover/audit.jsonl.
#
# Usage: deploy.sh        (as a member of group cutover named by the policy)
# Environment: CUTOVER, the cutover to run (default: cutover, from PATH);
# PLAN, the plan (default: newsite).
#
# cutover's exit statuses:
#   0  done: nginx serves 8080 and the check passed.
#   1  a step failed.  cutover's last line says at which step and what
#      state that leaves: "rolled back, apache2 serving 8080 again
#      (verified listening)", or, if the rollback itself failed, who holds
#      port 8080 now.
#   2  usage: this script called cutover wrongly.
#   3  refused: the policy does not grant this user the plan, PAM said
#      no, or the pre-flight found the switch cannot be done now (port
#      8080 held by something other than apache2, an unsafe binary, an
#      unknown user).  Nothing was done.
#   4  cutover cannot run safely here: the policy is missing, invalid or
#      unsafe, the audit record could not be written (a full disk, or
#      syslog on with no /dev/log), or cutover is not installed setuid.
#      Nothing was done.  Ask an administrator.
# The script exits with cutover's status.
set -u

CUTOVER=${CUTOVER:-cutover}
PLAN=${PLAN:-newsite}

echo "deploy: $CUTOVER switch $PLAN"
"$CUTOVER" switch "$PLAN"
rc=$?
case $rc in
0) echo "deploy: done: nginx serves port 8080 and the homepage check passed"
   exit 0 ;;
1) what="a step failed; cutover's last line above says whether apache2 serves again" ;;
2) what="usage error: this script called cutover wrongly" ;;
3) what="refused by the policy, PAM or the pre-flight; nothing was done" ;;
4) what="cutover cannot run safely (policy, audit log or installation); nothing was done" ;;
126 | 127) what="cutover could not be run (not installed, or you are not in group cutover)" ;;
*) what="unexpected exit status" ;;
esac
echo "deploy: 'switch $PLAN' failed with exit status $rc: $what" >&2
exit "$rc"
