#!/bin/sh
# teardown.sh - undo setup.sh (as root): run.sh runs it from a trap on
# EXIT, INT and TERM; run it by hand after a run that was killed hard.
# Idempotent.  Removes only what $STATE/created lists, restores the backed
# up /etc/pam.d/cutover and /etc/security/time.conf, stops devlog-listen
# (if a test left it) and unmounts a tmpfs left on the audit directory.
# First of all it stops what the tests started (daemons.sh: their tracked
# port holders, the system tests' nginx, apache2 - by apache2ctl stop - and
# any process left of a user setup created), then puts apache2's
# configuration back (ports.conf, the 000-default site; apache2 is started
# again if it ran before setup).
# Exits 1 if something could not be removed (and says what).
set -u
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
TEST_TMPDIR=${TEST_TMPDIR:-/tmp}
# shellcheck source=tests/system/lib.sh
. "$SRCDIR/tests/system/lib.sh"

[ "$(id -u)" = 0 ] || { echo "teardown: needs root" >&2; exit 1; }
[ -d "$STATE" ] || exit 0
if ! owned_by "$PPID"; then
	echo "teardown: another system-test run owns this machine's test state ($(owner_words)); leaving it to that run" >&2
	exit 1
fi
bad=0
problem() {
	echo "teardown: $*" >&2
	bad=1
}

# The tests' processes and daemons, before the users they run as go.
stop_daemons || problem "port $PORT is still held after stopping what the tests started"
if [ -f "$STATE/created" ]; then
	while read -r kind name; do
		[ "$kind" = user ] || continue
		uid=$(id -u "$name" 2>/dev/null) || continue
		for d in /proc/[0-9]*; do
			# a container's processes have uids of their own
			# (a container test's nginx may be uid 999 there)
			ours "$d" || continue
			[ "$(awk '$1 == "Uid:" { print $2 }' "$d/status" 2>/dev/null)" = "$uid" ] || continue
			gone "${d#/proc/}" && continue     # a zombie: nothing left to stop
			echo "teardown: killing pid ${d#/proc/} of test user $name ($(proc_exe "${d#/proc/}"))" >&2
			kill -KILL "${d#/proc/}" 2>/dev/null
			wait_for 5 gone "${d#/proc/}" || problem "pid ${d#/proc/} of $name does not go away"
		done
	done <"$STATE/created"
fi

# apache2's configuration, as it was.
if [ -e "$STATE/apache2.saved" ]; then
	rm -f "$APACHE_SITE_LINK" "$APACHE_SITE" || problem "cannot remove $APACHE_SITE"
	if [ -f "$STATE/apache2-ports.conf.orig" ]; then
		if cp -p "$STATE/apache2-ports.conf.orig" "$APACHE_PORTS_CONF"; then
			rm -f "$STATE/apache2-ports.conf.orig"
		else
			problem "cannot restore $APACHE_PORTS_CONF"
		fi
	fi
	if [ -f "$STATE/apache2-default.link" ]; then
		if ln -sfn "$(cat "$STATE/apache2-default.link")" "$APACHE_DEFAULT_LINK"; then
			rm -f "$STATE/apache2-default.link"
		else
			problem "cannot re-enable $APACHE_DEFAULT_LINK"
		fi
	fi
	if [ -e "$STATE/apache2.was-running" ]; then
		apache2ctl start </dev/null >/dev/null 2>&1 || problem "cannot start apache2 again (it ran before the tests)"
		rm -f "$STATE/apache2.was-running"
	fi
	rm -f "$STATE/apache2.saved"
fi

# devlog-listen, by the pid its test wrote, and only if it still is it.
if [ -f "$STATE/devlog.pid" ]; then
	pid=$(cat "$STATE/devlog.pid")
	case $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) in
	*devlog-listen*) kill "$pid" 2>/dev/null ;;
	esac
	rm -f "$STATE/devlog.pid"
fi
if [ -f "$STATE/devlog.created" ]; then
	rm -f /dev/log
	rm -f "$STATE/devlog.created"
fi

# A tmpfs from the full-filesystem test.
n=0
while mountpoint -q "$AUDIT_DIR" 2>/dev/null && [ "$n" -lt 5 ]; do
	umount "$AUDIT_DIR" || umount -l "$AUDIT_DIR" || break
	n=$((n + 1))
done
mountpoint -q "$AUDIT_DIR" 2>/dev/null && problem "$AUDIT_DIR is still a mount point"

# PAM and time.conf: back as they were.
if [ -e "$STATE/pam.saved" ]; then
	if [ -e "$STATE/pam.orig" ] || [ -L "$STATE/pam.orig" ]; then
		mv -f "$STATE/pam.orig" "$PAM_FILE" || problem "cannot restore $PAM_FILE"
	else
		rm -f "$PAM_FILE" || problem "cannot remove $PAM_FILE"
	fi
	rm -f "$PAM_FILE.systest-new" "$STATE/pam.saved"
fi
if [ -e "$STATE/time.saved" ]; then
	if [ -e "$STATE/time.conf.orig" ]; then
		if cp -p "$STATE/time.conf.orig" "$TIME_CONF"; then
			rm -f "$STATE/time.conf.orig"
		else
			problem "cannot restore $TIME_CONF"
		fi
	else
		rm -f "$TIME_CONF"
	fi
	rm -f "$STATE/time.saved"
fi

# What setup created, newest first: files and directories, users, groups.
if [ -f "$STATE/created" ]; then
	tac "$STATE/created" >"$STATE/created.rev"
	while read -r kind name; do
		case $kind in
		dir)
			case $name in
			/usr/local/libexec) rmdir "$name" 2>/dev/null || : ;;
			*) rm -rf "$name" || problem "cannot remove $name" ;;
			esac
			;;
		user)
			if getent passwd "$name" >/dev/null; then
				userdel "$name" || problem "cannot remove user $name"
			fi
			;;
		group)
			if getent group "$name" >/dev/null; then
				groupdel "$name" || problem "cannot remove group $name"
			fi
			;;
		esac
	done <"$STATE/created.rev"
fi

# The system-test build's lock files (helper/act/lock.c; /run, a tmpfs): made
# at run time by the tests' requests, not by setup.
rm -rf /run/cutover-systest || problem "cannot remove /run/cutover-systest"
rm -rf "${INTENT_DIR%/*}" || problem "cannot remove ${INTENT_DIR%/*}"

if [ "$bad" = 0 ]; then
	rm -rf "$STATE"
else
	echo "teardown: $STATE is kept (it lists what is left)" >&2
fi
exit "$bad"
