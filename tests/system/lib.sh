# lib.sh - what the system tests share: sourced by run.sh, setup.sh,
# teardown.sh and every tests/system/t-*.sh, not run.
#
# The names below are fixed: the system-test binary is built with
# SYSCONFDIR=/etc/cutover-systest (make systest-build), so its policy is
# $POLICY, and the policy it is given records to $AUDIT.  Nothing here
# touches /etc/cutover or /var/log/cutover.
#
# For the t-*.sh files it adds, to tests/cli/lib.sh's expect/has/lacks/
# finish: as_user/as_deploy, the audit-log helpers (audit_mark,
# audit_new, field_is, audit_valid), write_policy and write_pam.

# shellcheck source=tests/cli/lib.sh
. "${SRCDIR:-.}/tests/cli/lib.sh"

# shellcheck disable=SC2034 # used by the files that source this one
{

SYSTEST_ROOT=/etc/cutover-systest
POLICY_DIR=$SYSTEST_ROOT/cutover
POLICY=$POLICY_DIR/policy.conf
LIBEXEC_DIR=/usr/local/libexec/cutover-systest
CUTOVER=$LIBEXEC_DIR/cutover
AUDIT_DIR=/var/log/cutover-systest
AUDIT=$AUDIT_DIR/audit.jsonl
# the switches' journals of intent (make systest-build: INTENT_DIR)
INTENT_DIR=/var/lib/cutover-systest/intent
PAM_FILE=/etc/pam.d/cutover
TIME_CONF=/etc/security/time.conf
# Backups, what setup created, probe output: root only.
STATE=/var/tmp/cutover-systest
JSONL_CHECK=${SRCDIR:-.}/${BUILD:-build}/jsonl-check
DEVLOG_LISTEN=${SRCDIR:-.}/${BUILD:-build}/devlog-listen
# One run at a time on a machine (tests/check.sh and demo.sh take it with
# flock): runs share the users, these files, apache2's configuration and
# port 8080.
SYSTEST_LOCK=/run/cutover-systest.lock
# The users and groups the tests create (and teardown removes).
SYSTEST_GROUP=cutover
SYSTEST_OPS_GROUP=cutover-ops
SYSTEST_USERS="deploy intruder"
# The step user (Makefile STEP_USER, the same name as the package's).
STEP_USER=_cutover
# The check user a check's fetch runs as (Makefile CHECK_USER).
CHECK_USER=_cutover-check
}

# fail_check DESCRIPTION [DETAIL]: count a failed check that is not an
# exit status (lib.sh's expect/has/lacks count their own).
fail_check() {
	echo "FAIL: $1"
	[ $# -lt 2 ] || printf '%s\n' "$2" | sed 's/^/  /'
	fails=$((fails + 1))
	return 1
}

# setpriv (util-linux 2.38) still holds root's capabilities when it
# execve()s its command, so a command it runs directly is exec'd with
# CAP_DAC_OVERRIDE: a 4750 root:cutover file would run for anyone.  Every
# command is therefore exec'd by a shell that setpriv starts, with the
# user's credentials and no capabilities:
#   setpriv OPTIONS -- /bin/sh -c "$EXEC_SH" COMMAND ARGS...
# shellcheck disable=SC2016,SC2034 # expanded by that shell; used by tests
EXEC_SH='exec "$0" "$@"'

# as_user USER COMMAND...: run COMMAND with USER's real and effective
# uid, primary gid and groups from the group database; the environment
# is whatever the test gives (setpriv keeps it).
as_user() {
	u=$1
	shift
	setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups -- /bin/sh -c "$EXEC_SH" "$@"
}
as_deploy() {
	as_user deploy "$@"
}

# audit_count: number of lines in the audit file (0 if there is none).
audit_count() {
	if [ -f "$AUDIT" ]; then
		wc -l <"$AUDIT" | tr -d ' '
	else
		echo 0
	fi
}

# audit_mark: remember where the audit file ends now.
audit_mark() {
	audit_mark=$(audit_count)
}

# audit_new N DESCRIPTION: the records since audit_mark, in
# $TEST_TMPDIR/new.jsonl, must be exactly N complete JSON objects
# (N may be "+" for at least one).  Returns 1 (and counts a failure)
# when not.
audit_new() {
	if [ -f "$AUDIT" ]; then
		tail -n +"$((audit_mark + 1))" "$AUDIT" >"$TEST_TMPDIR/new.jsonl"
	else
		: >"$TEST_TMPDIR/new.jsonl"
	fi
	if ! "$JSONL_CHECK" "$TEST_TMPDIR/new.jsonl" >/dev/null 2>"$TEST_TMPDIR/jsonl.err"; then
		fail_check "$2: the new audit records are not complete JSON objects" \
		    "$(cat "$TEST_TMPDIR/jsonl.err"; cat -v "$TEST_TMPDIR/new.jsonl")"
		return 1
	fi
	got=$(wc -l <"$TEST_TMPDIR/new.jsonl" | tr -d ' ')
	case $1 in
	+) [ "$got" -ge 1 ] && return 0 ;;
	*) [ "$got" = "$1" ] && return 0 ;;
	esac
	fail_check "$2: $got new audit records, wanted $1" "$(cat -v "$TEST_TMPDIR/new.jsonl")"
	return 1
}

# field N KEY: raw JSON text of KEY in new record N (1 = first).
field() {
	sed -n "$1p" "$TEST_TMPDIR/new.jsonl" | "$JSONL_CHECK" -f "$2"
}

# field_is N KEY DESCRIPTION WANT...: KEY of new record N is one of the
# WANTs (raw JSON text: '"deploy"', 'true', '1001').
field_is() {
	n=$1 key=$2 what=$3
	shift 3
	got=$(field "$n" "$key")
	for want in "$@"; do
		[ "$got" = "$want" ] && return 0
	done
	fail_check "$what: record $n has $key = ${got:-(missing)}, wanted $*" \
	    "$(sed -n "${n}p" "$TEST_TMPDIR/new.jsonl" | cat -v)"
}

# has_key N KEY DESCRIPTION: new record N has the member KEY.
has_key() {
	if sed -n "$1p" "$TEST_TMPDIR/new.jsonl" | grep -q "\"$2\"[[:space:]]*:"; then
		return 0
	fi
	fail_check "$3: record $1 has no \"$2\"" "$(sed -n "$1p" "$TEST_TMPDIR/new.jsonl" | cat -v)"
}

# audit_valid DESCRIPTION: every line of the whole audit file is one
# complete JSON object.
audit_valid() {
	[ -e "$AUDIT" ] || return 0
	if "$JSONL_CHECK" "$AUDIT" >/dev/null 2>"$TEST_TMPDIR/jsonl.err"; then
		return 0
	fi
	fail_check "$1: the audit file is not one JSON object per line" \
	    "$(cat "$TEST_TMPDIR/jsonl.err"; tail -n 5 "$AUDIT" | cat -v)"
}

# standard_policy: policy/examples/deploy.conf with the audit going to
# $AUDIT only (no syslog) and nginx started with the system tests' copy of
# policy/examples/nginx.conf ($NGINX_CONF, daemons.sh); line numbers are
# unchanged (the rule's start item is line 38, as in the README).
standard_policy() {
	sed -e 's|syslog = true;|syslog = false;|' \
	    -e "s|/var/log/cutover/audit.jsonl|$AUDIT|" \
	    -e "s|\"/etc/cutover/nginx.conf\"|\"$NGINX_CONF\"|" \
	    "${SRCDIR:-.}/policy/examples/deploy.conf"
}

# write_policy [SED-SCRIPT]: install the standard policy (edited by
# SED-SCRIPT), root:root 0640, replaced atomically.
write_policy() {
	standard_policy | sed -e "${1:-}" >"$POLICY_DIR/.policy.new" &&
	    chown root:root "$POLICY_DIR/.policy.new" &&
	    chmod 0640 "$POLICY_DIR/.policy.new" &&
	    mv -f "$POLICY_DIR/.policy.new" "$POLICY"
}

# write_pam LINE...: /etc/pam.d/cutover is exactly these lines.
write_pam() {
	{
		echo "# cutover system tests (tests/system): a temporary stack,"
		echo "# removed (or the original restored) by tests/system/teardown.sh"
		printf '%s\n' "$@"
	} >"$PAM_FILE.systest-new" &&
	    chmod 0644 "$PAM_FILE.systest-new" &&
	    mv -f "$PAM_FILE.systest-new" "$PAM_FILE"
}

# The stack every test starts with: PAM allows.
standard_pam() {
	write_pam "auth     required pam_permit.so" "account  required pam_permit.so"
}

# apache2, nginx and the port holders of the issue #4 tests.
# shellcheck source=tests/system/daemons.sh
. "${SRCDIR:-.}/tests/system/daemons.sh"
