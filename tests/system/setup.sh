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
# and for the real services (issue #4; names in daemons.sh):
#   user and group nginx (system, nologin) if there is none;
#   /etc/cutover-systest/nginx.conf: policy/examples/nginx.conf with its
#     directories renamed to /var/lib/cutover-systest-nginx (nginx:nginx)
#     and /var/log/cutover-systest-nginx (nginx:adm), serving
#     /var/www/cutover-systest-new ("Fall collection"); its dual-stack
#     [::]:8080 listen made 8080 (IPv4) on a host without IPv6;
#   apache2 on 8080 only, serving /var/www/cutover-systest-old ("Summer
#     collection"): /etc/apache2/ports.conf backed up and replaced by
#     "Listen 8080", the 000-default site disabled, the site
#     cutover-systest added; an apache2 running before is stopped (and
#     started again by teardown).  The tests start apache2 themselves, with
#     apache2ctl start, as Debian does.
# Port 8080 must be free (no test depends on port 80).
#
# The policy every test starts from (standard_policy in lib.sh) is
# policy/examples/deploy.conf - services apache2 (root, allow_root,
# apache2ctl start) and nginx (nginx:nginx, nginx -c $NGINX_CONF), port
# 8080 held by either, the homepage check, deploy's rule - with its audit
# settings changed: syslog = false (a CI machine has no /dev/log; t-syslog
# turns it on with a stand-in) and file = /var/log/cutover-systest/
# audit.jsonl; line numbers as in the example.
#
# --reset also stops what a test left running (its tracked holders, the
# system tests' nginx, apache2) and fails if port 8080 is not free then.
# The process that runs setup.sh BINARY owns the test state until its
# teardown ($STATE/owner, daemons.sh): while it lives, setup.sh and
# teardown.sh refuse to act for any other process, so two runs on one
# machine cannot undo each other (tests/check.sh also waits on
# $SYSTEST_LOCK).
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
	stop_daemons || die "cannot free port $PORT for the next test"
	write_nginx_conf || die "cannot write $NGINX_CONF"
	if mountpoint -q "$AUDIT_DIR" 2>/dev/null; then
		umount "$AUDIT_DIR" || die "cannot unmount $AUDIT_DIR"
	fi
	rm -rf "$AUDIT_DIR" || die "cannot remove $AUDIT_DIR"
	# one test's interrupted switch is not the next one's to recover
	rm -rf "${INTENT_DIR%/*}" || die "cannot remove ${INTENT_DIR%/*}"
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

# write_nginx_conf: the system tests' nginx.conf, from the example.
write_nginx_conf() {
	if [ -e /proc/net/tcp6 ]; then
		v6=
	else
		v6='s/listen \[::\]:8080 ipv6only=off/listen 8080/'
	fi
	sed -e "s|/var/lib/cutover-nginx|$NGINX_STATE|g" \
	    -e "s|/var/log/cutover-nginx|$NGINX_LOGS|g" \
	    -e "s|/var/www/cutover-nginx|$NEW_ROOT|g" \
	    -e "$v6" \
	    "$SRCDIR/policy/examples/nginx.conf" >"$NGINX_CONF.new" &&
	    chmod 0644 "$NGINX_CONF.new" && mv -f "$NGINX_CONF.new" "$NGINX_CONF"
}

# setup_nginx: user nginx, its directories, the new page, the config.
setup_nginx() {
	if ! getent passwd nginx >/dev/null; then
		if getent group nginx >/dev/null; then
			set -- --gid nginx
		else
			set -- --user-group
			created group nginx
		fi
		useradd --system "$@" --no-create-home --home-dir /nonexistent \
		    --shell /usr/sbin/nologin nginx || die "useradd nginx"
		created user nginx
	fi
	for d in "$NGINX_STATE" "$NGINX_LOGS" "$NEW_ROOT"; do
		[ -e "$d" ] && ! ours dir "$d" && die "$d exists and is not the system tests' own"
		created dir "$d"
	done
	install -d -m 0750 -o nginx -g nginx "$NGINX_STATE" || die "mkdir $NGINX_STATE"
	install -d -m 0750 -o nginx -g adm "$NGINX_LOGS" || die "mkdir $NGINX_LOGS"
	install -d -m 0755 -o root -g root "$NEW_ROOT" || die "mkdir $NEW_ROOT"
	printf '<!doctype html>\n<title>new</title>\n<h1>%s</h1>\n<p>served by nginx</p>\n' \
	    "$NEW_TEXT" >"$NEW_ROOT/index.html" || die "cannot write the new page"
	install -d -m 0755 -o root -g root "$SYSTEST_ROOT" || die "mkdir $SYSTEST_ROOT"
	created dir "$SYSTEST_ROOT"
	write_nginx_conf || die "cannot write $NGINX_CONF"
	# the example works as nginx with no capabilities (-t opens its logs)
	as_user nginx /usr/sbin/nginx -t -q -c "$NGINX_CONF" </dev/null >"$STATE/nginx-t.out" 2>&1 ||
	    die "nginx -t as nginx fails with $NGINX_CONF: $(cat "$STATE/nginx-t.out")"
}

# setup_apache2: apache2 on $PORT only, with the old page.  Backups first.
setup_apache2() {
	if [ ! -e "$STATE/apache2.saved" ]; then
		if [ -n "$(apache2_pid)" ]; then
			touch "$STATE/apache2.was-running"
			apache2_stop || die "cannot stop the running apache2 (apache2ctl stop)"
		fi
		cp -p "$APACHE_PORTS_CONF" "$STATE/apache2-ports.conf.orig" ||
		    die "cannot back up $APACHE_PORTS_CONF"
		if [ -L "$APACHE_DEFAULT_LINK" ]; then
			readlink "$APACHE_DEFAULT_LINK" >"$STATE/apache2-default.link" ||
			    die "cannot read $APACHE_DEFAULT_LINK"
		fi
		[ -e "$APACHE_SITE" ] && die "$APACHE_SITE exists and is not the system tests' own"
		[ -e "$OLD_ROOT" ] && die "$OLD_ROOT exists and is not the system tests' own"
		touch "$STATE/apache2.saved"
	fi
	created dir "$OLD_ROOT"
	install -d -m 0755 -o root -g root "$OLD_ROOT" || die "mkdir $OLD_ROOT"
	printf '<!doctype html>\n<title>old</title>\n<h1>%s</h1>\n<p>served by apache2</p>\n' \
	    "$OLD_TEXT" >"$OLD_ROOT/index.html" || die "cannot write the old page"
	{
		echo "# cutover system tests: apache2 on port $PORT only; the original"
		echo "# is restored by tests/system/teardown.sh"
		echo "Listen $PORT"
	} >"$APACHE_PORTS_CONF" || die "cannot write $APACHE_PORTS_CONF"
	{
		echo "# cutover system tests (tests/system/setup.sh): the old page on $PORT"
		echo "<VirtualHost *:$PORT>"
		echo "	DocumentRoot $OLD_ROOT"
		echo "	ErrorLog \${APACHE_LOG_DIR}/error.log"
		echo "	CustomLog \${APACHE_LOG_DIR}/access.log combined"
		echo "</VirtualHost>"
	} >"$APACHE_SITE" || die "cannot write $APACHE_SITE"
	rm -f "$APACHE_DEFAULT_LINK"
	ln -sf "../sites-available/$APACHE_SITE_NAME.conf" "$APACHE_SITE_LINK" ||
	    die "cannot enable $APACHE_SITE_NAME"
	apache2ctl configtest </dev/null >"$STATE/apache2-t.out" 2>&1 ||
	    die "apache2ctl configtest: $(cat "$STATE/apache2-t.out")"
}

[ "$(id -u)" = 0 ] || die "needs root"
install -d -m 0700 -o root -g root "$STATE" || die "cannot make $STATE"
# One run at a time: the caller (run.sh, demo.sh) owns the state.
owned_by "$PPID" || die "another system-test run owns this machine's test state ($(owner_words)); wait for it to end"

if [ "${1:-}" = --reset ]; then
	reset
	exit 0
fi
claim "$PPID"

bin=${1:?usage: setup.sh BINARY | --reset}
[ -x "$bin" ] || die "no executable $bin (make systest-build)"
grep -q "$POLICY" "$bin" 2>/dev/null ||
    die "$bin does not read $POLICY: build it with make systest-build (SYSCONFDIR=$SYSTEST_ROOT)"
for tool in setpriv useradd groupadd gpasswd userdel groupdel mountpoint; do
	command -v "$tool" >/dev/null 2>&1 || die "no $tool (make deps installs passwd)"
done
for tool in /usr/sbin/apache2 /usr/sbin/apache2ctl /usr/sbin/nginx /usr/bin/curl /usr/bin/perl; do
	[ -x "$tool" ] || die "no $tool (make deps installs apache2, nginx and curl)"
done
if listening "$PORT"; then
	die "port $PORT is in use; the system tests need it free:
$(describe_holders "$PORT")"
fi

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
# The step user every action's steps run as (CUTOVER_STEP_USER): the
# package's own when it is installed, else ours.
if ! getent passwd "$STEP_USER" >/dev/null; then
	useradd --system --user-group -M -d /nonexistent -s /usr/sbin/nologin \
	    "$STEP_USER" || die "useradd $STEP_USER"
	created group "$STEP_USER"
	created user "$STEP_USER"
fi
# The check user a check's fetch runs as (CUTOVER_CHECK_USER), likewise.
if ! getent passwd "$CHECK_USER" >/dev/null; then
	useradd --system --user-group -M -d /nonexistent -s /usr/sbin/nologin \
	    "$CHECK_USER" || die "useradd $CHECK_USER"
	created group "$CHECK_USER"
	created user "$CHECK_USER"
fi
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
# The port holder runs as other users: the checkout may sit where they
# can't read (a clone under /root), so they get a copy here.
install -m 0755 -o root -g root "$SRCDIR/tests/system/hold-port.pl" \
    "$HOLD_PORT" || die "install $HOLD_PORT"
# the service of t-switch-systemd.sh: a start command must be root-owned
install -m 0755 -o root -g root "$SRCDIR/tests/system/sd-listen.py" \
    "$SD_LISTEN" || die "install $SD_LISTEN"

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

setup_nginx
setup_apache2
reset
