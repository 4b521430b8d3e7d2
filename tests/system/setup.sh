#!/bin/sh
# setup.sh - prepare the machine for the system tests (as root; run.sh
# calls it, and undoes it with teardown.sh from a trap).  Idempotent.
#
#   tests/system/setup.sh BINARY     create everything, install BINARY
#   tests/system/setup.sh --reset    put back the state every test starts
#                                    from (policy, PAM stack, time.conf,
#                                    empty audit directory)
#
# What it creates, each listed in $STATE/created so that teardown removes
# exactly that (never a user, group or directory that was there before):
#   group cutover (system), group cutover-ops (for the current-groups test),
#   users deploy (member of cutover) and intruder (not), no home, nologin;
#   /usr/local/libexec/cutover-systest/cutover  root:cutover 4750
#   /etc/cutover-systest/cutover/policy.conf    root:root 0640 (dirs 0755)
#   /var/log/cutover-systest/                   the audit file goes there
#   /etc/pam.d/cutover (a test stack; an existing one is backed up)
#   a backup of /etc/security/time.conf (restored by teardown)
# Environment: SRCDIR (the repository root), BUILD (default build).
set -u
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
TEST_TMPDIR=${TEST_TMPDIR:-/tmp}
# shellcheck source=tests/system/lib.sh
. "$SRCDIR/tests/system/lib.sh"

die() {
	echo "setup: $*" >&2
	exit 1
}

# created KIND NAME: remember that setup made it.
created() {
	grep -qx "$1 $2" "$STATE/created" 2>/dev/null || echo "$1 $2" >>"$STATE/created"
}
ours() {
	grep -qx "$1 $2" "$STATE/created" 2>/dev/null
}

# reset: the state each t-*.sh starts from.
reset() {
	if mountpoint -q "$AUDIT_DIR" 2>/dev/null; then
		umount "$AUDIT_DIR" || die "cannot unmount $AUDIT_DIR"
	fi
	rm -rf "$AUDIT_DIR" || die "cannot remove $AUDIT_DIR"
	install -d -m 0755 -o root -g root "$AUDIT_DIR" || die "cannot make $AUDIT_DIR"
	install -d -m 0755 -o root -g root "$SYSTEST_ROOT" "$POLICY_DIR" || die "cannot make $POLICY_DIR"
	rm -rf "$POLICY_DIR/policy.d" "$POLICY_DIR/policy.real"
	write_policy "" || die "cannot write $POLICY"
	standard_pam || die "cannot write $PAM_FILE"
	if [ -f "$STATE/time.conf.orig" ]; then
		cp -p "$STATE/time.conf.orig" "$TIME_CONF" || die "cannot restore $TIME_CONF"
	elif [ -e "$STATE/time.saved" ]; then
		rm -f "$TIME_CONF"
	fi
	rm -f "$STATE/probe.out"
	gpasswd -d deploy "$SYSTEST_OPS_GROUP" >/dev/null 2>&1 || :
	return 0
}

[ "$(id -u)" = 0 ] || die "needs root"
install -d -m 0700 -o root -g root "$STATE" || die "cannot make $STATE"

if [ "${1:-}" = --reset ]; then
	reset
	exit 0
fi

bin=${1:?usage: setup.sh BINARY | --reset}
[ -x "$bin" ] || die "no executable $bin (make systest-build)"
grep -q "$POLICY" "$bin" 2>/dev/null ||
    die "$bin does not read $POLICY: build it with make systest-build (SYSCONFDIR=$SYSTEST_ROOT)"
for tool in setpriv useradd groupadd gpasswd userdel groupdel mountpoint; do
	command -v "$tool" >/dev/null 2>&1 || die "no $tool (make deps installs passwd)"
done

# Groups and users: ours, or refuse (teardown would delete someone's).
for g in "$SYSTEST_GROUP" "$SYSTEST_OPS_GROUP"; do
	if getent group "$g" >/dev/null; then
		ours group "$g" || die "group $g exists and is not the system tests' own; refusing to use it"
	else
		if [ "$g" = "$SYSTEST_GROUP" ]; then
			groupadd -r "$g" || die "groupadd $g"
		else
			groupadd "$g" || die "groupadd $g"
		fi
		created group "$g"
	fi
done
for u in $SYSTEST_USERS; do
	if getent passwd "$u" >/dev/null; then
		ours user "$u" || die "user $u exists and is not the system tests' own; refusing to use it"
	else
		useradd -M -N -d /nonexistent -s /usr/sbin/nologin "$u" || die "useradd $u"
		created user "$u"
	fi
done
usermod -G "$SYSTEST_GROUP" deploy || die "usermod deploy"
usermod -G "" intruder || die "usermod intruder"

# The binary, setuid root, group cutover, on a filesystem that honours it.
if [ ! -d /usr/local/libexec ]; then
	install -d -m 0755 /usr/local/libexec || die "mkdir /usr/local/libexec"
	created dir /usr/local/libexec
fi
install -d -m 0755 -o root -g root "$LIBEXEC_DIR" || die "mkdir $LIBEXEC_DIR"
created dir "$LIBEXEC_DIR"
case $(findmnt -no OPTIONS -T "$LIBEXEC_DIR" 2>/dev/null) in
*nosuid*) die "$LIBEXEC_DIR is on a nosuid filesystem: setuid cannot be tested here" ;;
esac
install -m 4750 -o root -g "$SYSTEST_GROUP" "$bin" "$CUTOVER" || die "install $CUTOVER"

created dir "$SYSTEST_ROOT"
created dir "$AUDIT_DIR"

# Backups before the first change.
if [ ! -e "$STATE/pam.saved" ]; then
	if [ -e "$PAM_FILE" ] || [ -L "$PAM_FILE" ]; then
		cp -a "$PAM_FILE" "$STATE/pam.orig" || die "cannot back up $PAM_FILE"
	fi
	touch "$STATE/pam.saved"
fi
if [ ! -e "$STATE/time.saved" ]; then
	if [ -e "$TIME_CONF" ]; then
		cp -p "$TIME_CONF" "$STATE/time.conf.orig" || die "cannot back up $TIME_CONF"
	fi
	touch "$STATE/time.saved"
fi

reset
