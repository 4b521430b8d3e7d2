#!/bin/sh
# teardown.sh - undo setup.sh (as root): run.sh runs it from a trap on
# EXIT, INT and TERM; run it by hand after a run that was killed hard.
# Idempotent.  Removes only what $STATE/created lists, restores the backed
# up /etc/pam.d/cutover and /etc/security/time.conf, stops devlog-listen
# (if a test left it) and unmounts a tmpfs left on the audit directory.
# Exits 1 if something could not be removed (and says what).
set -u
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
TEST_TMPDIR=${TEST_TMPDIR:-/tmp}
# shellcheck source=tests/system/lib.sh
. "$SRCDIR/tests/system/lib.sh"

[ "$(id -u)" = 0 ] || { echo "teardown: needs root" >&2; exit 1; }
[ -d "$STATE" ] || exit 0
bad=0
problem() {
	echo "teardown: $*" >&2
	bad=1
}

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

if [ "$bad" = 0 ]; then
	rm -rf "$STATE"
else
	echo "teardown: $STATE is kept (it lists what is left)" >&2
fi
exit "$bad"
