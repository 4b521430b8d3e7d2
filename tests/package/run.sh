#!/bin/sh
# run.sh - the package layer of make check (issue #6): build the .deb and
# the .rpm, lint both, and test what they install.  Root only (it installs
# the .deb on this machine, creates users and removes it all again).
#
#   tests/package/run.sh        (from make check, after the system layer)
#
# Steps, each reported "ok NAME" or "FAIL NAME" with its time; a step whose
# prerequisite failed is reported failed too ("not run: ..."):
#   build-deb      make deb (packaging/debian, dpkg-buildpackage): cutover
#                  and cutover-ansible (arch all)
#   build-rpm      make rpm (packaging/rpm/cutover.spec, rpmbuild): cutover
#                  and cutover-ansible (noarch)
#   lintian        lintian on the .changes (all three .debs): no error, warning
#                  or info tag that is not overridden with its reason
#   hardening      hardening-check on the binary of each package
#   rpmlint        rpmlint with packaging/rpm/cutover.rpmlintrc: 0 errors,
#                  0 warnings, for both .rpms and the spec
#   rpm-contents   rpm -qlvp (modes, owners), config files, %pre; the
#                  collection's files in cutover-ansible
#   rpm-root       rpm -i into a scratch root (rpm --root), rpm -V, rpm -e
#   deb-install    apt-get install ./cutover_*.deb
#   deb-files      what it installed: modes, owners, statoverrides,
#                  conffiles, the group, the PAM stack, man pages, examples
#   deb-default    the shipped policy: valid, refuses deploy, recorded;
#                  a user outside group cutover cannot run it at all
#   deb-deploy     the deploy scenario against the installed package: the
#                  grant that the shipped policy's comments show, as a
#                  drop-in; deploy runs list, -n free-port, free-port,
#                  start nginx, verify homepage, stop nginx and the shipped
#                  deploy.sh; each decided, PAM-checked and recorded
#   deb-monitoring the monitoring examples: the drop-in lets
#                  _cutover-monitor verify homepage and nothing else;
#                  icinga2 daemon -C takes the Icinga 2 example (deb-deploy
#                  runs the NRPE example's command line as deploy)
#   deb-purge      apt-get remove (conffiles and log stay), then purge:
#                  nothing left but the system group and user, which Debian
#                  packages keep
#   deb-ansible    apt-get install ./cutover-ansible_*_all.deb: the
#                  collection's files, found by Debian's ansible-core where
#                  it looks by default (ansible-doc of each module,
#                  ansible-galaxy collection list, the playbook's
#                  --syntax-check, as nobody); purged, nothing left
#
# Everything it creates is listed in $STATE/created, and removed from a
# trap on EXIT, INT and TERM, also when a step fails; a run that was killed
# hard is cleaned up by the next one (or: tests/package/run.sh --cleanup).
# It refuses to install the .deb when cutover, its files, group cutover or
# users deploy, intruder exist already and are not its own (a developer's
# make install, or the system tests still running).
#
# Prints "N passed, N failed"; exits 1 if anything failed, 77 when not root.
# Environment: BUILD (default build), MAKE (default make), VERBOSE=1 (print
# the output of every step, not only of failed ones).
set -u

cd "$(dirname "$0")/../.." || exit 2
SRCDIR=$(pwd)
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
export SRCDIR BUILD

if [ "$(id -u)" != 0 ]; then
	echo "package: needs root (it installs the .deb and creates users): not run"
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
fi

TEST_TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/cutover-package.XXXXXX") || exit 2
chmod 0755 "$TEST_TMPDIR"
export TEST_TMPDIR
# shellcheck source=tests/system/lib.sh
. tests/system/lib.sh

# What this layer works on: the installed package, not the build tree.
CUTOVER=/usr/bin/cutover
POLICY=/etc/cutover/policy.conf
DROPIN=/etc/cutover/policy.d/50-deploy.conf
AUDIT_DIR=/var/log/cutover
AUDIT=$AUDIT_DIR/audit.jsonl
EXAMPLES=/usr/share/doc/cutover/examples
STATE=/var/tmp/cutover-pkgtest
VERSION=$(cat VERSION)
DEB_DIR=$BUILD/deb
RPM_DIR=$BUILD/rpm
# nginx as the examples set it up (policy/examples/nginx.conf)
NGINX_CONF=/etc/cutover/nginx.conf
NGINX_DIRS="/var/lib/cutover-nginx /var/log/cutover-nginx /var/www/cutover-nginx"

deb='' changes='' rpmfile='' installed='' ansible_deb='' ansible_rpm=''
# where the collection goes (cutover-ansible)
COLLECTION=/usr/share/ansible/collections/ansible_collections/cutover/deploy

# ---- state: what this layer created, for the cleanup ------------------------
created() {
	mkdir -p "$STATE" && chmod 0700 "$STATE"
	grep -qx "$1 $2" "$STATE/created" 2>/dev/null || echo "$1 $2" >>"$STATE/created"
}
ours() {
	grep -qx "$1 $2" "$STATE/created" 2>/dev/null
}

# stop_ours PIDFILE EXE USER: kill the process the pid file names, only if
# it still is EXE running as USER.
stop_ours() {
	[ -f "$1" ] || return 0
	pid=$(cat "$1" 2>/dev/null)
	case $pid in '' | *[!0-9]*) return 0 ;; esac
	[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$2" ] || return 0
	[ "$(stat -c %U "/proc/$pid" 2>/dev/null)" = "$3" ] || return 0
	kill "$pid" 2>/dev/null
	i=0
	while [ -d "/proc/$pid" ] && [ "$i" -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

cleanup() {
	trap - EXIT INT TERM
	[ -f "$STATE/created" ] || { rm -rf "$TEST_TMPDIR"; return 0; }
	bad=0
	if ours process devlog-listen && [ -f "$STATE/devlog.pid" ]; then
		pid=$(cat "$STATE/devlog.pid")
		case $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) in
		*devlog-listen*) kill "$pid" 2>/dev/null ;;
		esac
	fi
	if ours file /dev/log; then
		rm -f /dev/log
	fi
	if ours package cutover-ansible; then
		case $(dpkg-query -W -f='${db:Status-Status}' cutover-ansible 2>/dev/null) in
		'' | not-installed) ;;
		*) dpkg --purge cutover-ansible >"$TEST_TMPDIR/purge.out" 2>&1 ||
			{ echo "package: cleanup: dpkg --purge cutover-ansible failed:"; cat "$TEST_TMPDIR/purge.out"; bad=1; } ;;
		esac
	fi
	if ours user nginx; then
		stop_ours /var/lib/cutover-nginx/nginx.pid /usr/sbin/nginx nginx
	fi
	if ours package cutover; then
		rm -f "$DROPIN" "$NGINX_CONF"
		case $(dpkg-query -W -f='${db:Status-Status}' cutover 2>/dev/null) in
		'' | not-installed) ;;
		*) dpkg --purge cutover >"$TEST_TMPDIR/purge.out" 2>&1 ||
			{ echo "package: cleanup: dpkg --purge cutover failed:"; cat "$TEST_TMPDIR/purge.out"; bad=1; } ;;
		esac
		for p in /usr/bin/cutover /var/log/cutover; do
			if dpkg-statoverride --list "$p" >/dev/null 2>&1; then
				dpkg-statoverride --remove "$p" || bad=1
			fi
		done
	fi
	tac "$STATE/created" | while read -r kind name; do
		case $kind in
		dir) rm -rf "$name" ;;
		user) if getent passwd "$name" >/dev/null; then userdel "$name" || echo "package: cleanup: userdel $name failed"; fi ;;
		group) if getent group "$name" >/dev/null; then groupdel "$name" || echo "package: cleanup: groupdel $name failed"; fi ;;
		esac
	done
	for kind in user group; do
		for name in $(sed -n "s/^$kind //p" "$STATE/created"); do
			if getent "$( [ "$kind" = user ] && echo passwd || echo group)" "$name" >/dev/null; then
				echo "package: cleanup: the $kind $name is still there"
				bad=1
			fi
		done
	done
	if [ "$bad" = 0 ]; then
		rm -rf "$STATE"
	else
		echo "package: cleanup left something behind; $STATE lists it (tests/package/run.sh --cleanup)"
	fi
	rm -rf "$TEST_TMPDIR"
}

if [ "${1:-}" = --cleanup ]; then
	cleanup
	exit 0
fi
# A run killed hard left its state: clean that up first.
if [ -f "$STATE/created" ]; then
	echo "package: cleaning up after an earlier run that did not finish"
	cleanup
	TEST_TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/cutover-package.XXXXXX") || exit 2
	chmod 0755 "$TEST_TMPDIR"
fi
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- steps -------------------------------------------------------------------
passed=0
failed=0

# step NAME FUNCTION: run FUNCTION (in this shell, output to a file), count
# it: ok when it returned 0 and counted no failure.
step() {
	name=$1
	fails=0
	t0=$(date +%s)
	"$2" >"$TEST_TMPDIR/step.out" 2>&1
	rc=$?
	t=$(($(date +%s) - t0))
	if [ "$rc" = 0 ] && [ "$fails" = 0 ]; then
		echo "ok   $name (${t} s)"
		passed=$((passed + 1))
		show=${VERBOSE:-0}
	else
		echo "FAIL $name (${t} s)"
		failed=$((failed + 1))
		show=1
	fi
	if [ "$show" = 1 ] && [ -s "$TEST_TMPDIR/step.out" ]; then
		sed 's/^/    | /' "$TEST_TMPDIR/step.out"
	fi
}

# need WHAT VALUE: a prerequisite; when VALUE is empty, say so and fail.
need() {
	[ -n "$2" ] && return 0
	echo "not run: $1"
	return 1
}

# run_logged DESCRIPTION COMMAND...: run COMMAND into a log; on failure
# show the log's end and count a failure.
run_logged() {
	what=$1
	shift
	"$@" >"$TEST_TMPDIR/cmd.log" 2>&1
	rc=$?
	[ "$rc" = 0 ] && return 0
	fail_check "$what: exit $rc ($*)" "$(tail -n 40 "$TEST_TMPDIR/cmd.log")"
}

# mode_is PATH WANT: stat's "mode owner group" of PATH is WANT.
mode_is() {
	got=$(stat -c '%a %U %G' "$1" 2>&1)
	[ "$got" = "$2" ] || fail_check "$1 is $2" "it is: $got"
}

absent() {
	if [ -e "$1" ] || [ -L "$1" ]; then
		fail_check "$1 is gone" "$(ls -ld "$1" 2>&1)"
	fi
}

do_build_deb() {
	run_logged "make deb" "$MAKE" --no-print-directory deb || return 1
	deb=$(ls "$DEB_DIR"/cutover_"$VERSION"_*.deb 2>/dev/null | head -n 1)
	changes=$(ls "$DEB_DIR"/cutover_"$VERSION"_*.changes 2>/dev/null | head -n 1)
	[ -n "$deb" ] && [ -n "$changes" ] ||
		fail_check "make deb made cutover_${VERSION}_*.deb and .changes" "$(ls -l "$DEB_DIR")"
	ansible_deb=$(ls "$DEB_DIR"/cutover-ansible_"$VERSION"_all.deb 2>/dev/null)
	[ -n "$ansible_deb" ] ||
		fail_check "make deb made cutover-ansible_${VERSION}_all.deb" "$(ls -l "$DEB_DIR")"
	grep -q '^100%: Checks: [0-9]*, Failures: 0, Errors: 0' "$TEST_TMPDIR/cmd.log" ||
		fail_check "the unit tests ran in the package build (dh_auto_test)" \
		    "$(grep 'Checks:' "$TEST_TMPDIR/cmd.log")"
	return 0
}

do_build_rpm() {
	run_logged "make rpm" "$MAKE" --no-print-directory rpm || return 1
	rpmfile=$(ls "$RPM_DIR"/RPMS/*/cutover-"$VERSION"-*.rpm 2>/dev/null | head -n 1)
	[ -n "$rpmfile" ] || fail_check "make rpm made cutover-$VERSION-*.rpm" "$(ls -lR "$RPM_DIR/RPMS")"
	ansible_rpm=$(ls "$RPM_DIR"/RPMS/noarch/cutover-ansible-"$VERSION"-*.noarch.rpm 2>/dev/null)
	[ -n "$ansible_rpm" ] ||
		fail_check "make rpm made cutover-ansible-$VERSION-*.noarch.rpm" "$(ls -lR "$RPM_DIR/RPMS")"
	return 0
}

do_lintian() {
	need "no .deb (build-deb failed)" "$changes" || return 1
	# --fail-on: any error, warning, info or pedantic tag fails; overridden
	# tags (each with its reason in packaging/debian/cutover.lintian-overrides)
	# do not.  Then once more with the overrides shown, for the record.
	lintian --pedantic -I --fail-on error,warning,info,pedantic "$changes" \
	    >"$TEST_TMPDIR/lintian.out" 2>&1
	rc=$?
	grep -v '^running with root privileges is not recommended!$' "$TEST_TMPDIR/lintian.out"
	[ "$rc" = 0 ] || fail_check "lintian exited $rc"
	if grep -Eq '^[EWIPX]: ' "$TEST_TMPDIR/lintian.out"; then
		fail_check "lintian: no tag that is not overridden" "$(grep -E '^[EWIPX]: ' "$TEST_TMPDIR/lintian.out")"
	fi
	echo "the overrides (packaging/debian/cutover.lintian-overrides):"
	lintian --pedantic -I --show-overrides "$changes" 2>&1 |
	    grep -v '^running with root privileges is not recommended!$'
	return 0
}

# --nocfprotection: Debian 12's glibc start files (Scrt1.o) carry no
# IBT/SHSTK property, so no program linked on it has one (hardening-check
# says "Control flow integrity: no" for /usr/bin/su too).  PIE, stack
# protector, fortify, relro and bindnow are all required.
do_hardening() {
	need "no packages (build-deb or build-rpm failed)" "$deb$rpmfile" || return 1
	if [ -n "$deb" ]; then
		mkdir -p "$TEST_TMPDIR/deb-x" && dpkg-deb -x "$deb" "$TEST_TMPDIR/deb-x" || return 1
		echo "the .deb's /usr/bin/cutover:"
		hardening-check --nocfprotection "$TEST_TMPDIR/deb-x/usr/bin/cutover" ||
			fail_check "hardening-check on the .deb's binary"
	else
		fail_check "no .deb to check"
	fi
	if [ -n "$rpmfile" ]; then
		rpm_x || return 1
		echo "the .rpm's /usr/bin/cutover:"
		hardening-check --nocfprotection "$TEST_TMPDIR/rpm-x/usr/bin/cutover" ||
			fail_check "hardening-check on the .rpm's binary"
	else
		fail_check "no .rpm to check"
	fi
	return 0
}

# rpm_x: the .rpm's files, unpacked in $TEST_TMPDIR/rpm-x (once).
rpm_x() {
	[ -d "$TEST_TMPDIR/rpm-x" ] && return 0
	mkdir -p "$TEST_TMPDIR/rpm-x" &&
		(cd "$TEST_TMPDIR/rpm-x" && rpm2cpio "$SRCDIR/$rpmfile" | cpio -idm --quiet)
}

do_rpmlint() {
	need "no .rpm (build-rpm failed)" "$rpmfile" || return 1
	rpmlint -r packaging/rpm/cutover.rpmlintrc "$rpmfile" $ansible_rpm "$RPM_DIR/SPECS/cutover.spec" \
	    >"$TEST_TMPDIR/rpmlint.out" 2>&1
	rc=$?
	cat "$TEST_TMPDIR/rpmlint.out"
	[ "$rc" = 0 ] || fail_check "rpmlint exited $rc"
	grep -q ' 0 errors, 0 warnings' "$TEST_TMPDIR/rpmlint.out" ||
		fail_check "rpmlint: 0 errors, 0 warnings (each filter in cutover.rpmlintrc has its reason)"
	return 0
}

# rpm_has LISTING PATTERN DESCRIPTION: a line of LISTING matches PATTERN.
rpm_has() {
	grep -Eq "$2" "$1" || fail_check "$3" "$(cat "$1")"
}

do_rpm_contents() {
	need "no .rpm (build-rpm failed)" "$rpmfile" || return 1
	rpm -qlvp "$rpmfile" >"$TEST_TMPDIR/qlvp" || return 1
	cat "$TEST_TMPDIR/qlvp"
	l=$TEST_TMPDIR/qlvp
	rpm_has "$l" '^-rwsr-x--- +1 root +cutover .* /usr/bin/cutover$' "/usr/bin/cutover 4750 root:cutover"
	rpm_has "$l" '^-rw-r----- +1 root +root .* /etc/cutover/policy.conf$' "policy.conf 0640 root:root"
	rpm_has "$l" '^drwxr-xr-x +[0-9]+ root +root .* /etc/cutover/policy.d$' "policy.d/"
	rpm_has "$l" '^-rw-r--r-- +1 root +root .* /etc/pam.d/cutover$' "/etc/pam.d/cutover"
	rpm_has "$l" '^-rw-r--r-- +1 root +root .* /etc/logrotate.d/cutover$' "the logrotate snippet"
	rpm_has "$l" '^drwxr-x--- +[0-9]+ root +adm .* /var/log/cutover$' "/var/log/cutover 0750 root:adm"
	rpm_has "$l" ' /usr/share/man/man8/cutover\.8' "cutover(8)"
	rpm_has "$l" ' /usr/share/man/man5/cutover-policy\.5' "cutover-policy(5)"
	for f in README deny-all.conf deploy.conf teams.conf nginx.conf deploy.sh systemd.conf site.conf deploy.expect; do
		rpm_has "$l" " /usr/share/doc/cutover/examples/$f\$" "examples/$f"
	done
	for f in monitoring/60-monitoring.conf monitoring/nrpe-cutover.cfg monitoring/icinga2-cutover.conf; do
		rpm_has "$l" " /usr/share/doc/cutover/examples/$f\$" "examples/$f"
	done
	for u in cutover-verify@.service cutover-verify@.timer cutover-verify-failed@.service; do
		rpm_has "$l" "^-rw-r--r-- .* root +root .* /usr/lib/systemd/system/$u\$" "the unit $u"
	done
	rpm_has "$l" '^-rwxr-xr-x .* root +root .* /usr/libexec/cutover/cutover-verify-failed$' "cutover-verify-failed"
	rpm -qpc "$rpmfile" >"$TEST_TMPDIR/qpc" || return 1
	for f in /etc/cutover/policy.conf /etc/pam.d/cutover /etc/logrotate.d/cutover; do
		grep -qx "$f" "$TEST_TMPDIR/qpc" || fail_check "$f is a %config file" "$(cat "$TEST_TMPDIR/qpc")"
	done
	rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$rpmfile" >"$TEST_TMPDIR/flags"
	grep -q '^cn /etc/cutover/policy.conf$' "$TEST_TMPDIR/flags" ||
		fail_check "policy.conf is %config(noreplace)" "$(grep policy.conf "$TEST_TMPDIR/flags")"
	rpm -qp --scripts "$rpmfile" >"$TEST_TMPDIR/scripts"
	grep -q 'groupadd -r cutover' "$TEST_TMPDIR/scripts" ||
		fail_check "%pre creates group cutover as a system group" "$(cat "$TEST_TMPDIR/scripts")"
	rpm_x || return 1
	grep -q 'include *system-auth' "$TEST_TMPDIR/rpm-x/etc/pam.d/cutover" ||
		fail_check "the rpm's PAM stack is in the RPM distributions' style (system-auth)"
	cmp -s policy/examples/deny-all.conf "$TEST_TMPDIR/rpm-x/etc/cutover/policy.conf" ||
		fail_check "the rpm's policy.conf is policy/examples/deny-all.conf"
	ansible_rpm_contents
	return 0
}

# collection_files: the collection's files in the source tree, as paths
# below its directory (what make install-ansible installs: no byte code,
# no dot files).
collection_files() {
	(cd ansible/ansible_collections/cutover/deploy &&
	    find . -name __pycache__ -prune -o -type f ! -name '.*' -print | sed 's|^\./||' | sort)
}

# cutover-ansible.noarch: the collection, every file 0644 root:root, and
# nothing else but its README and the licence.
ansible_rpm_contents() {
	need "no cutover-ansible .rpm" "$ansible_rpm" || return 1
	rpm -qlvp "$ansible_rpm" >"$TEST_TMPDIR/qlvp-ansible" || return 1
	echo "cutover-ansible:"
	cat "$TEST_TMPDIR/qlvp-ansible"
	[ "$(rpm -qp --qf '%{ARCH}' "$ansible_rpm")" = noarch ] || fail_check "cutover-ansible is noarch"
	sed -n "s|^-rw-r--r-- .* root *root .* $COLLECTION/||p" "$TEST_TMPDIR/qlvp-ansible" | sort \
	    >"$TEST_TMPDIR/ansible-rpm-files"
	collection_files >"$TEST_TMPDIR/collection-files"
	cmp -s "$TEST_TMPDIR/collection-files" "$TEST_TMPDIR/ansible-rpm-files" ||
		fail_check "the rpm has the collection's files, each 0644 root:root" \
		    "$(diff "$TEST_TMPDIR/collection-files" "$TEST_TMPDIR/ansible-rpm-files")"
	rpm_has "$TEST_TMPDIR/qlvp-ansible" ' /usr/share/licenses/cutover-ansible/LICENSE$' "its licence"
	rpm_has "$TEST_TMPDIR/qlvp-ansible" ' /usr/share/doc/cutover-ansible/README.md$' "its README"
	others=$(grep -Ev " ($COLLECTION(/.*)?|/usr/share/ansible(/collections(/ansible_collections(/cutover)?)?)?|/usr/share/(doc|licenses)/cutover-ansible(/.*)?)\$" \
	    "$TEST_TMPDIR/qlvp-ansible")
	[ -z "$others" ] || fail_check "cutover-ansible has nothing but the collection" "$others"
	rpm -qpR "$ansible_rpm" | grep -q '^ansible-core >= 2.14' ||
		fail_check "cutover-ansible requires ansible-core" "$(rpm -qpR "$ansible_rpm")"
}

# Into a scratch root.  Without --noscripts rpm would run %pre there, with
# no shell in it; the group that %pre would create is put into the root's
# /etc/group beforehand, so that rpm gives the file to it by name.
do_rpm_root() {
	need "no .rpm (build-rpm failed)" "$rpmfile" || return 1
	r=$TEST_TMPDIR/rpmroot
	mkdir -p "$r/etc" || return 1
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$r/etc/passwd"
	printf 'root:x:0:\nadm:x:4:\ncutover:x:987:\n' >"$r/etc/group"
	run_logged "rpm --initdb" rpm --root "$r" --initdb || return 1
	run_logged "rpm -i --test" rpm -i --test --nodeps --root "$r" "$rpmfile" || return 1
	run_logged "rpm -i --root" rpm -i --nodeps --noscripts --root "$r" "$rpmfile" || return 1
	got=$(stat -c '%a %u %g' "$r/usr/bin/cutover")
	[ "$got" = "4750 0 987" ] || fail_check "installed 4750 root:cutover (gid 987 in the scratch root)" "$got"
	got=$(stat -c '%a %u %g' "$r/etc/cutover/policy.conf")
	[ "$got" = "640 0 0" ] || fail_check "policy.conf installed 0640 root:root" "$got"
	got=$(stat -c '%a %u %g' "$r/var/log/cutover")
	[ "$got" = "750 0 4" ] || fail_check "/var/log/cutover installed 0750 root:adm" "$got"
	[ -d "$r/etc/cutover/policy.d" ] || fail_check "policy.d/ installed"
	rpm -V --nodeps --root "$r" cutover >"$TEST_TMPDIR/verify" 2>&1 ||
		fail_check "rpm -V finds the installed files as packaged" "$(cat "$TEST_TMPDIR/verify")"
	run_logged "rpm -e --root" rpm -e --nodeps --noscripts --root "$r" cutover || return 1
	[ ! -e "$r/usr/bin/cutover" ] || fail_check "rpm -e removed /usr/bin/cutover"
	return 0
}

# What must not be here before the .deb goes in (else it is someone's).
preexisting() {
	st=$(dpkg-query -W -f='${db:Status-Status}' cutover 2>/dev/null)
	case $st in
	'' | not-installed) ;;
	*) echo "the package cutover is $st" ;;
	esac
	for p in /usr/bin/cutover /etc/cutover /etc/pam.d/cutover /var/log/cutover \
	    /etc/logrotate.d/cutover; do
		if [ -e "$p" ] || [ -L "$p" ]; then echo "$p exists"; fi
	done
	getent group cutover >/dev/null && echo "group cutover exists"
	for u in deploy intruder; do
		getent passwd "$u" >/dev/null && echo "user $u exists"
	done
	[ -d /var/tmp/cutover-systest ] && echo "the system tests are running (/var/tmp/cutover-systest)"
}

do_deb_install() {
	need "no .deb (build-deb failed)" "$deb" || return 1
	# One run at a time that creates users deploy and intruder and group
	# cutover: wait for the system tests of another make check (they hold
	# this lock, tests/system/lib.sh); held until this script exits.
	if command -v flock >/dev/null 2>&1; then
		exec 9>"$SYSTEST_LOCK"
		flock -w 3600 9 || { fail_check "waited an hour for $SYSTEST_LOCK"; return 1; }
	fi
	p=$(preexisting)
	if [ -n "$p" ]; then
		fail_check "refusing to install the .deb over what is here already (not this test's):" "$p"
		return 1
	fi
	created group cutover
	# the step user: the package's (postinst), unless it exists already
	# (a system-test run's, say: then it is left as it was)
	if ! getent passwd _cutover-monitor >/dev/null; then
		created group _cutover-monitor
		created user _cutover-monitor
	fi
	if ! getent passwd _cutover >/dev/null; then
		created group _cutover
		created user _cutover
	fi
	if ! getent passwd _cutover-check >/dev/null; then
		created group _cutover-check
		created user _cutover-check
	fi
	created package cutover
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	    "$SRCDIR/$deb" >"$TEST_TMPDIR/apt.out" 2>&1
	rc=$?
	cat "$TEST_TMPDIR/apt.out"
	[ "$rc" = 0 ] || { fail_check "apt-get install ./$deb exited $rc"; return 1; }
	st=$(dpkg-query -W -f='${db:Status-Abbrev}${Version}' cutover 2>&1)
	[ "$st" = "ii $VERSION" ] || { fail_check "dpkg says cutover $VERSION is installed" "$st"; return 1; }
	installed=yes
}

do_deb_files() {
	need "the .deb is not installed (deb-install failed)" "$installed" || return 1
	stat -c '%A %U:%G %n' /usr/bin/cutover /etc/cutover /etc/cutover/policy.conf \
	    /etc/cutover/policy.d /etc/pam.d/cutover /etc/logrotate.d/cutover /var/log/cutover
	dpkg-statoverride --list | grep cutover
	getent group cutover
	mode_is /usr/bin/cutover "4750 root cutover"
	got=$(dpkg-statoverride --list /usr/bin/cutover)
	[ "$got" = "root cutover 4750 /usr/bin/cutover" ] ||
		fail_check "the mode is a dpkg statoverride (dpkg keeps it on upgrades)" "$got"
	mode_is /var/log/cutover "750 root adm"
	got=$(dpkg-statoverride --list /var/log/cutover)
	[ "$got" = "root adm 750 /var/log/cutover" ] ||
		fail_check "/var/log/cutover's mode is a dpkg statoverride" "$got"
	mode_is /etc/cutover "755 root root"
	mode_is /etc/cutover/policy.d "755 root root"
	mode_is "$POLICY" "640 root root"
	mode_is /etc/pam.d/cutover "644 root root"
	mode_is /etc/logrotate.d/cutover "644 root root"
	cmp -s "$POLICY" policy/examples/deny-all.conf ||
		fail_check "$POLICY is policy/examples/deny-all.conf"
	dpkg-query -W -f='${Conffiles}\n' cutover >"$TEST_TMPDIR/conffiles"
	for f in "$POLICY" /etc/pam.d/cutover /etc/logrotate.d/cutover; do
		grep -q "^ $f " "$TEST_TMPDIR/conffiles" ||
			fail_check "$f is a conffile" "$(cat "$TEST_TMPDIR/conffiles")"
	done

	# the group: a system group (adduser's FIRST_SYSTEM_GID..LAST_SYSTEM_GID)
	gid=$(getent group cutover | cut -d: -f3)
	if [ -z "$gid" ]; then
		fail_check "the package created group cutover"
	elif [ "$gid" -lt 100 ] || [ "$gid" -gt 999 ]; then
		fail_check "group cutover is a system group (gid 100-999)" "gid $gid"
	fi
	getent passwd cutover >/dev/null && fail_check "the package created no user cutover"
	# the step user: a system user of its own group, no home, no shell
	su=$(getent passwd _cutover)
	case $su in
	_cutover:x:*:*::/nonexistent:/usr/sbin/nologin) ;;
	*) fail_check "the package created the step user _cutover (no home, nologin)" "$su" ;;
	esac
	uid=$(echo "$su" | cut -d: -f3)
	[ -n "$uid" ] && [ "$uid" -ge 100 ] && [ "$uid" -le 999 ] ||
		fail_check "_cutover is a system user (uid 100-999)" "$su"
	[ "$(id -gn _cutover 2>/dev/null)" = _cutover ] ||
		fail_check "_cutover's group is _cutover" "$(id _cutover 2>&1)"
	# the check user: the same, in no other group
	case $(getent passwd _cutover-check) in
	_cutover-check:x:*:*::/nonexistent:/usr/sbin/nologin) ;;
	*) fail_check "the package created the check user _cutover-check (no home, nologin)" \
	    "$(getent passwd _cutover-check)" ;;
	esac
	[ "$(id -Gn _cutover-check 2>/dev/null)" = _cutover-check ] ||
		fail_check "_cutover-check is in its own group alone" "$(id _cutover-check 2>&1)"
	# the monitoring units' user: the same, and a member of group cutover
	case $(getent passwd _cutover-monitor) in
	_cutover-monitor:x:*:*::/nonexistent:/usr/sbin/nologin) ;;
	*) fail_check "the package created _cutover-monitor (no home, nologin)" \
	    "$(getent passwd _cutover-monitor)" ;;
	esac
	[ "$(id -nG _cutover-monitor 2>/dev/null)" = "_cutover-monitor cutover" ] ||
		fail_check "_cutover-monitor's groups are its own and cutover" "$(id _cutover-monitor 2>&1)"
	# the monitoring units and their hook, where systemd looks
	for u in cutover-verify@.service cutover-verify@.timer cutover-verify-failed@.service; do
		mode_is "/lib/systemd/system/$u" "644 root root"
	done
	mode_is /usr/libexec/cutover/cutover-verify-failed "755 root root"
	grep -qx 'ExecStart=/usr/bin/cutover verify --format=nagios --textfile %i' \
	    /lib/systemd/system/cutover-verify@.service ||
		fail_check "cutover-verify@.service runs the installed cutover"

	# the PAM stack, Debian's way, and no session stack that nothing opens
	cmp -s /etc/pam.d/cutover pam/cutover || fail_check "/etc/pam.d/cutover is pam/cutover"
	for inc in common-auth common-account; do
		grep -q "^@include $inc\$" /etc/pam.d/cutover || fail_check "/etc/pam.d/cutover includes $inc"
	done
	if grep -rq --include='*.c' 'pam_open_session' pam helper; then
		grep -q '^@include common-session-noninteractive$' /etc/pam.d/cutover ||
			fail_check "cutover opens a PAM session now: the stack needs @include common-session-noninteractive"
	elif grep -Eq '^[[:space:]]*(-?session|@include common-session)' /etc/pam.d/cutover; then
		fail_check "a session line in /etc/pam.d/cutover, but cutover opens no PAM session" \
		    "$(grep -E 'session' /etc/pam.d/cutover)"
	fi

	# logrotate: the audit log, as cutover creates it
	grep -q '^/var/log/cutover/audit.jsonl {' /etc/logrotate.d/cutover ||
		fail_check "the logrotate snippet rotates /var/log/cutover/audit.jsonl"
	grep -q 'create 0640 root adm' /etc/logrotate.d/cutover ||
		fail_check "logrotate recreates the log 0640 root:adm (what cutover accepts)"
	if command -v logrotate >/dev/null 2>&1; then
		logrotate -d /etc/logrotate.d/cutover >"$TEST_TMPDIR/logrotate" 2>&1 ||
			fail_check "logrotate -d accepts the snippet" "$(cat "$TEST_TMPDIR/logrotate")"
	fi

	# man pages, lint-clean as installed
	for m in man8/cutover.8.gz man5/cutover-policy.5.gz; do
		f=/usr/share/man/$m
		if [ ! -f "$f" ]; then
			fail_check "$f installed"
			continue
		fi
		lint=$(zcat "$f" | mandoc -T lint -W warning 2>&1)
		[ -z "$lint" ] || fail_check "mandoc -T lint -W warning $f" "$lint"
		lexgrog "$f" || fail_check "lexgrog $f (man-db can index it)"
	done
	man -w cutover >/dev/null 2>&1 || fail_check "man -w cutover finds cutover(8)"
	man -w 5 cutover-policy >/dev/null 2>&1 || fail_check "man -w 5 cutover-policy finds it"

	# docs and examples
	for f in README deny-all.conf deploy.conf teams.conf nginx.conf deploy.sh \
	    deny-all.expect deploy.expect teams.expect site.expect systemd.expect \
	    monitoring/60-monitoring.conf monitoring/nrpe-cutover.cfg monitoring/icinga2-cutover.conf; do
		[ -f "$EXAMPLES/$f" ] || fail_check "$EXAMPLES/$f installed"
	done
	[ -x "$EXAMPLES/deploy.sh" ] || fail_check "$EXAMPLES/deploy.sh is executable"
	for f in copyright SECURITY.md.gz README.md.gz changelog.gz; do
		[ -f "/usr/share/doc/cutover/$f" ] || fail_check "/usr/share/doc/cutover/$f installed"
	done
	"$CUTOVER" --version | grep -qx "cutover $VERSION" ||
		fail_check "the installed cutover is version $VERSION" "$("$CUTOVER" --version 2>&1)"
	return 0
}

# A /dev/log for the shipped policy's syslog = true: the host's, or
# build/devlog-listen where there is none.
devlog() {
	[ -S /dev/log ] && return 0
	if [ -e /dev/log ] || [ -L /dev/log ]; then
		fail_check "/dev/log exists and is not a socket" "$(ls -l /dev/log)"
		return 1
	fi
	[ -x "$DEVLOG_LISTEN" ] || { fail_check "no $DEVLOG_LISTEN (make check builds it)"; return 1; }
	created file /dev/log
	created process devlog-listen
	"$DEVLOG_LISTEN" /dev/log "$TEST_TMPDIR/syslog.out" </dev/null >/dev/null 2>&1 9>&- &
	echo $! >"$STATE/devlog.pid"
	i=0
	while [ ! -S /dev/log ] && [ "$i" -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -S /dev/log ] || { fail_check "devlog-listen made /dev/log"; return 1; }
}

# port_held PORT: something listens on TCP PORT (IPv4 or IPv6).
port_held() {
	hex=$(printf '%04X' "$1")
	awk -v p=":$hex" '$2 ~ p"$" && $4 == "0A" { found = 1 } END { exit !found }' \
	    /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

add_user() {
	useradd -M -N -d /nonexistent -s /usr/sbin/nologin "$@" || return 1
	eval "u=\${$#}"
	created user "$u"
}

do_deb_default() {
	need "the .deb is not installed (deb-install failed)" "$installed" || return 1
	add_user -G cutover deploy || { fail_check "useradd deploy"; return 1; }
	add_user intruder || { fail_check "useradd intruder"; return 1; }

	expect 0 "policy check of the installed policy" -- "$CUTOVER" policy check &&
		has "$POLICY: valid:" out "policy check: valid" &&
		has "warning: no rules: every request will be refused" err "policy check: deny-all"
	expect 0 "policy explain of the installed policy" -- "$CUTOVER" policy explain &&
		has "nobody may do anything" out "explain: nothing granted"
	expect 3 "policy test: deploy may not start nginx" -- "$CUTOVER" policy test deploy start nginx

	# With syslog = true and no /dev/log, nothing is done at all (exit 4)
	if [ ! -e /dev/log ] && [ ! -L /dev/log ]; then
		expect 4 "no /dev/log: the shipped policy (syslog on) refuses, exit 4" -- \
		    as_deploy "$CUTOVER" -n start nginx &&
			has "/dev/log" err "says it is the syslog sink"
	fi
	devlog || return 1

	audit_mark
	expect 3 "the shipped policy refuses deploy" -- as_deploy "$CUTOVER" -n start nginx &&
		has "cutover: deploy may not start nginx: " err "names who, what and why"
	if audit_new 1 "the refusal is recorded"; then
		field_is 1 user "refusal: user" '"deploy"'
		field_is 1 decision "refusal: decision" '"deny"'
	fi
	expect 3 "and free-port too" -- as_deploy "$CUTOVER" free-port 8080
	mode_is "$AUDIT" "640 root adm"
	audit_mark
	expect 126 "intruder (not in group cutover) cannot run it" -- as_user intruder "$CUTOVER" --version &&
		has "Permission denied" err "exec refused by the kernel"
	audit_new 0 "nothing recorded for intruder"
	expect 0 "deploy (in group cutover) can" -- as_deploy "$CUTOVER" --version
	return 0
}

# nginx set up as examples/nginx.conf says, when nginx is installed and
# none of it exists yet; else start/verify/stop are checked as decided and
# recorded only.
setup_nginx() {
	[ -x /usr/sbin/nginx ] || { echo "note: no /usr/sbin/nginx: start, verify and stop not acted on"; return 1; }
	getent passwd nginx >/dev/null && { echo "note: a user nginx exists (not ours): not used"; return 1; }
	getent group nginx >/dev/null && { echo "note: a group nginx exists (not ours): not used"; return 1; }
	for d in $NGINX_DIRS; do
		[ -e "$d" ] && { echo "note: $d exists (not ours): nginx not set up"; return 1; }
	done
	useradd --system --user-group --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin nginx || return 1
	created group nginx
	created user nginx
	for d in $NGINX_DIRS; do created dir "$d"; done
	install -d -o nginx -g nginx -m 0750 /var/lib/cutover-nginx &&
		install -d -o nginx -g adm -m 0750 /var/log/cutover-nginx &&
		install -d -m 0755 /var/www/cutover-nginx &&
		printf '<html><body><h1>Fall collection</h1></body></html>\n' \
		    >/var/www/cutover-nginx/index.html &&
		install -m 0644 "$EXAMPLES/nginx.conf" "$NGINX_CONF" || return 1
}

# act WANT_IF_DONE DESCRIPTION ACTION...: deploy runs `cutover ACTION`;
# done (WANT_IF_DONE), or, in a build that does not implement the action
# yet, exit 1 saying "not implemented".  Either way: decided (allowed) and
# recorded, with an outcome record.  When every action is implemented,
# the "not implemented" branch goes.
act() {
	want=$1 what=$2
	shift 2
	audit_mark
	as_deploy "$CUTOVER" "$@" >"$TEST_TMPDIR/act.out" 2>"$TEST_TMPDIR/act.err"
	rc=$?
	out=$(cat "$TEST_TMPDIR/act.out") err=$(cat "$TEST_TMPDIR/act.err")
	echo "cutover $*: exit $rc: $out$err"
	case $rc:$err in
	"$want":*) ;;
	1:*"not implemented"*) echo "  (not implemented in this build)" ;;
	*) fail_check "$what: exit $rc, wanted $want (or 1, not implemented)" "stdout: $out
stderr: $err" ;;
	esac
	if audit_new + "$what: recorded"; then
		field_is 1 user "$what: user" '"deploy"'
		field_is 1 action "$what: action" "\"$1\""
		field_is 1 decision "$what: decision" '"allow"'
		[ "$(wc -l <"$TEST_TMPDIR/new.jsonl")" -ge 2 ] && has_key 2 outcome "$what: outcome recorded"
	fi
}

do_deb_deploy() {
	need "the .deb is not installed (deb-install failed)" "$installed" || return 1
	getent passwd deploy >/dev/null || { fail_check "user deploy (deb-default failed)"; return 1; }
	devlog || return 1

	# The grant, exactly as the shipped policy's comments show it.
	awk '/^#   services = \{$/ { on = 1 }
	    on { l = $0; sub(/^#   /, "", l); print l; if ($0 ~ /^#   \);$/) exit }' \
	    "$POLICY" >"$TEST_TMPDIR/grant.conf"
	[ -s "$TEST_TMPDIR/grant.conf" ] ||
		{ fail_check "the shipped policy's comments show the grant (#   services = { ... #   );)"; return 1; }
	install -m 0640 -o root -g root "$TEST_TMPDIR/grant.conf" "$DROPIN" || return 1
	expect 0 "policy check with the grant as a drop-in" -- "$CUTOVER" policy check &&
		has "from 2 files" out "the drop-in is read"
	expect 0 "the grant is the deploy.conf example's, no more, no less" -- \
	    "$CUTOVER" policy diff "$POLICY" "$EXAMPLES/deploy.conf" &&
		has "no change in permissions" out "diff against examples/deploy.conf"
	for rq in "free-port 8080" "start nginx" "stop nginx" "verify homepage"; do
		# shellcheck disable=SC2086 # ACTION TARGET
		expect 0 "policy test: deploy may $rq" -- "$CUTOVER" policy test deploy $rq
	done
	expect 3 "policy test: and not start apache2" -- "$CUTOVER" policy test deploy start apache2
	# the example's expectations, against the installed policy and its drop-in
	expect 0 "examples/deploy.expect holds for the installed policy" -- \
	    "$CUTOVER" policy test --expect "$EXAMPLES/deploy.expect" &&
		has "$EXAMPLES/deploy.expect: 8 expectations, all hold" out "all hold"
	install -m 0644 -o root -g root "$EXAMPLES/deploy.expect" /etc/cutover/policy.expect || return 1
	expect 0 "policy check runs /etc/cutover/policy.expect" -- "$CUTOVER" policy check &&
		has "/etc/cutover/policy.expect: 8 expectations, all hold" out "beside the policy"
	rm -f /etc/cutover/policy.expect

	# The actions act on port 8080: like the system tests, only when
	# nothing else holds it (a service of this machine must not be stopped
	# by a test, and a holder cutover may not stop makes free-port exit 3).
	if port_held 8080; then
		fail_check "port 8080 is in use; the deploy scenario needs it free" \
		    "$(grep -i ':1F90 ' /proc/net/tcp /proc/net/tcp6 2>/dev/null)"
		rm -f "$DROPIN"
		return 1
	fi

	nginx=no
	setup_nginx && nginx=yes

	# deploy, as the deploy script would, one request at a time
	audit_mark
	expect 0 "list" -- as_deploy "$CUTOVER" list
	for want in '8080' 'nginx' 'homepage'; do
		printf '%s\n' "$out" | grep -q "$want" || fail_check "list shows $want" "$out"
	done
	audit_new + "list recorded" && field_is 1 user "list: user" '"deploy"'
	audit_mark
	expect 0 "-n free-port 8080" -- as_deploy "$CUTOVER" -n free-port 8080 &&
		has "dry run, nothing done" out "-n does nothing"
	audit_new 1 "-n free-port recorded" && field_is 1 dry_run "-n: dry_run" true

	act 0 "free-port 8080 (nothing holds it)" free-port 8080
	if [ "$nginx" = yes ]; then
		act 0 "start nginx" start nginx
		# the check passes only if nginx was started (exit 1: it fails)
		if [ "$rc" = 0 ]; then
			act 0 "verify homepage, nginx started" verify homepage
			nrpe_command
		else
			act 1 "verify homepage, nginx not started" verify homepage
		fi
		act 0 "stop nginx" stop nginx
	else
		# without nginx, an implemented start cannot succeed: decided and
		# recorded is what is checked
		for a in "start nginx" "verify homepage"; do
			audit_mark
			# shellcheck disable=SC2086 # ACTION TARGET
			as_deploy "$CUTOVER" $a >/dev/null 2>&1
			audit_new + "$a recorded (no nginx here)" && field_is 1 decision "$a: decision" '"allow"'
		done
	fi

	# The shipped deploy script, sudo-free, against the installed cutover:
	# cutover switch newsite, and its status.
	audit_mark
	as_deploy env CUTOVER="$CUTOVER" sh "$EXAMPLES/deploy.sh" >"$TEST_TMPDIR/deploy.out" 2>&1
	rc=$?
	cat "$TEST_TMPDIR/deploy.out"
	case $rc in
	0)
		grep -q '^deploy: done' "$TEST_TMPDIR/deploy.out" || fail_check "deploy.sh says done"
		[ "$nginx" = yes ] && as_deploy "$CUTOVER" stop nginx >/dev/null 2>&1
		;;
	1)
		grep -q "failed with exit status 1" "$TEST_TMPDIR/deploy.out" &&
			grep -q "switch newsite failed at" "$TEST_TMPDIR/deploy.out" ||
			fail_check "deploy.sh explains the failed step (exit 1)"
		[ "$nginx" = yes ] && ! grep -q "not implemented" "$TEST_TMPDIR/deploy.out" &&
			fail_check "deploy.sh failed with nginx set up and every step implemented"
		;;
	*) fail_check "deploy.sh exited $rc (wanted 0, or 1 in a build that does not implement a step)" ;;
	esac
	audit_new + "deploy.sh's requests are recorded"
	audit_valid "the installed audit log"
	mode_is "$AUDIT" "640 root adm"
	rm -f "$DROPIN"
	if [ "$nginx" = yes ]; then
		stop_ours /var/lib/cutover-nginx/nginx.pid /usr/sbin/nginx nginx
		rm -f "$NGINX_CONF"
	fi
	return 0
}

# The NRPE example's command line, run as NRPE runs it (its words, no
# shell) as deploy, whom the grant lets verify homepage: one plugin line.
nrpe_command() {
	cmd=$(sed -n 's/^command\[check_cutover_homepage\]=//p' "$EXAMPLES/monitoring/nrpe-cutover.cfg")
	[ -n "$cmd" ] || { fail_check "examples/monitoring/nrpe-cutover.cfg has command[check_cutover_homepage]"; return; }
	# shellcheck disable=SC2086 # NRPE splits the command line on blanks
	expect 0 "the NRPE example's command, as deploy" -- as_deploy $cmd &&
		has "CUTOVER OK: homepage http://127.0.0.1:8080/ - 200, " out "the plugin line" &&
		has "|time=" out "with performance data" &&
		echo "the NRPE example's command as deploy: $out"
}

# The monitoring examples against the installed package: the drop-in
# examples/monitoring/60-monitoring.conf, beside the deploy grant, lets
# _cutover-monitor verify homepage and nothing else; Debian's icinga2
# (icinga2 daemon -C) takes examples/monitoring/icinga2-cutover.conf and
# makes one service of it for a host that lists the check.
do_deb_monitoring() {
	need "the .deb is not installed (deb-install failed)" "$installed" || return 1
	[ -s "$TEST_TMPDIR/grant.conf" ] || { fail_check "no grant (deb-deploy failed)"; return 1; }
	mon=/etc/cutover/policy.d/60-monitoring.conf
	install -m 0640 -o root -g root "$TEST_TMPDIR/grant.conf" "$DROPIN" &&
		install -m 0640 -o root -g root "$EXAMPLES/monitoring/60-monitoring.conf" "$mon" || return 1
	expect 0 "policy check with the monitoring drop-in" -- "$CUTOVER" policy check &&
		has "from 3 files" out "the drop-in is read"
	expect 0 "policy test: _cutover-monitor may verify homepage" -- \
	    "$CUTOVER" policy test _cutover-monitor verify homepage
	# the drop-in counts: deploy.expect said _cutover-monitor may do nothing
	expect 1 "the monitoring drop-in breaks examples/deploy.expect" -- \
	    "$CUTOVER" policy test --expect "$EXAMPLES/deploy.expect" &&
		has "_cutover-monitor may-nothing: but it may also verify homepage ($mon:" out "names the drop-in"
	for rq in "free-port 8080" "start nginx" "stop nginx" "switch newsite"; do
		# shellcheck disable=SC2086 # ACTION TARGET
		expect 3 "policy test: _cutover-monitor may not $rq" -- \
		    "$CUTOVER" policy test _cutover-monitor $rq
	done
	rm -f "$DROPIN" "$mon"
	if ! command -v icinga2 >/dev/null 2>&1; then
		fail_check "no icinga2 (make check as root installs icinga2-bin)"
		return 1
	fi
	mkdir -p "$TEST_TMPDIR/icinga2"
	{
		echo 'const PluginDir = "/usr/lib/nagios/plugins"'
		echo 'include <itl>'
		echo 'include <plugins>'
		echo 'object Host "web1" {'
		echo '  check_command = "dummy"'
		echo '  vars.cutover_checks = [ "homepage" ]'
		echo '}'
		echo "include \"$EXAMPLES/monitoring/icinga2-cutover.conf\""
	} >"$TEST_TMPDIR/icinga2/main.conf"
	expect 0 "icinga2 daemon -C with the Icinga 2 example" -- \
	    icinga2 daemon -C -c "$TEST_TMPDIR/icinga2/main.conf" &&
		has "Instantiated 1 Service." out "one service for the host's check" &&
		echo "icinga2 daemon -C: the example is valid, one service for the host's check"
	return 0
}

do_deb_purge() {
	need "the .deb is not installed (deb-install failed)" "$installed" || return 1
	rm -f "$DROPIN" "$NGINX_CONF"
	echo "policy.conf edited by the admin: kept on remove, gone on purge" >>"$POLICY"
	run_logged "apt-get remove cutover" env DEBIAN_FRONTEND=noninteractive apt-get remove -y cutover || return 1
	absent /usr/bin/cutover
	absent /usr/share/man/man8/cutover.8.gz
	absent /usr/share/doc/cutover
	[ -f "$POLICY" ] || fail_check "remove keeps the conffile $POLICY"
	[ -f /etc/pam.d/cutover ] || fail_check "remove keeps the conffile /etc/pam.d/cutover"
	[ -f "$AUDIT" ] || fail_check "remove keeps the audit log"
	run_logged "apt-get purge cutover" env DEBIAN_FRONTEND=noninteractive apt-get purge -y cutover || return 1
	installed=
	st=$(dpkg-query -W -f='${db:Status-Status}' cutover 2>/dev/null)
	case $st in
	'' | not-installed) ;;
	*) fail_check "purged: dpkg says cutover is $st" ;;
	esac
	for p in /usr/bin/cutover /etc/cutover /etc/pam.d/cutover /etc/logrotate.d/cutover \
	    /var/log/cutover /usr/share/doc/cutover /usr/share/man/man8/cutover.8.gz \
	    /usr/share/man/man5/cutover-policy.5.gz /run/cutover; do
		absent "$p"
	done
	for p in /usr/bin/cutover /var/log/cutover; do
		got=$(dpkg-statoverride --list "$p")
		[ -z "$got" ] || fail_check "purge removed the statoverride of $p" "$got"
	done
	# What stays, as Debian packages keep their system users and groups.
	getent group cutover >/dev/null ||
		fail_check "purge keeps the system group cutover (a file may still be its)"
	getent passwd _cutover >/dev/null ||
		fail_check "purge keeps the system user _cutover (a file may still be its)"
	getent passwd _cutover-monitor >/dev/null ||
		fail_check "purge keeps the system user _cutover-monitor"
	for u in cutover-verify@.service cutover-verify@.timer cutover-verify-failed@.service; do
		absent "/lib/systemd/system/$u"
	done
	return 0
}

# The collection on a controller: cutover-ansible installed with apt, and
# Debian's ansible-core finds it where it looks by default (no
# ANSIBLE_COLLECTIONS_PATH): ansible-doc renders each module,
# ansible-galaxy lists it, the playbook passes --syntax-check; as a user
# with nothing of their own.  Then purged: nothing left of it.
do_deb_ansible() {
	need "no cutover-ansible .deb (build-deb failed)" "$ansible_deb" || return 1
	case $(dpkg-query -W -f='${db:Status-Status}' cutover-ansible 2>/dev/null) in
	'' | not-installed) ;;
	*) fail_check "refusing to install cutover-ansible: it is installed already (not this test's)"; return 1 ;;
	esac
	if [ -e "$COLLECTION" ]; then
		fail_check "refusing to install cutover-ansible: $COLLECTION exists (not this test's)"
		return 1
	fi
	created package cutover-ansible
	run_logged "apt-get install ./$ansible_deb" env DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y --no-install-recommends "$SRCDIR/$ansible_deb" || return 1
	collection_files >"$TEST_TMPDIR/collection-files"
	(cd "$COLLECTION" && find . -type f -perm 0644 -user root -group root | sed 's|^\./||' | sort) \
	    >"$TEST_TMPDIR/ansible-deb-files"
	cmp -s "$TEST_TMPDIR/collection-files" "$TEST_TMPDIR/ansible-deb-files" ||
		fail_check "the .deb installed the collection's files, each 0644 root:root" \
		    "$(diff "$TEST_TMPDIR/collection-files" "$TEST_TMPDIR/ansible-deb-files")"
	home=$TEST_TMPDIR/ansible-home
	install -d -m 0700 -o nobody "$home" || return 1
	for m in cutover_switch cutover_verify cutover_facts; do
		got=$(setpriv --reuid=nobody --regid=nogroup --clear-groups env -i HOME="$home" \
		    PATH=/usr/bin:/bin LANG=C.UTF-8 ANSIBLE_NOCOLOR=1 ansible-doc "cutover.deploy.$m" 2>&1)
		case $got in
		*"($COLLECTION/plugins/modules/$m.py)"*EXAMPLES:*"RETURN VALUES:"*)
			echo "ansible-doc cutover.deploy.$m: renders, from $COLLECTION" ;;
		*) fail_check "ansible-doc cutover.deploy.$m renders without ANSIBLE_COLLECTIONS_PATH" "$got" ;;
		esac
	done
	got=$(setpriv --reuid=nobody --regid=nogroup --clear-groups env -i HOME="$home" \
	    PATH=/usr/bin:/bin LANG=C.UTF-8 ansible-galaxy collection list cutover.deploy 2>&1)
	printf '%s\n' "$got"
	printf '%s\n' "$got" | grep -Eq "^cutover\.deploy +$VERSION *\$" ||
		fail_check "ansible-galaxy lists cutover.deploy $VERSION"
	run_logged "ansible-playbook --syntax-check of the installed playbook" \
	    setpriv --reuid=nobody --regid=nogroup --clear-groups env -i HOME="$home" \
	    PATH=/usr/bin:/bin LANG=C.UTF-8 ansible-playbook -i localhost, --syntax-check \
	    "$COLLECTION/playbooks/rolling-switch.yml"
	run_logged "apt-get purge cutover-ansible" env DEBIAN_FRONTEND=noninteractive \
	    apt-get purge -y cutover-ansible || return 1
	absent /usr/share/ansible/collections/ansible_collections/cutover
	absent /usr/share/doc/cutover-ansible
	return 0
}

# ---- run ---------------------------------------------------------------------
step build-deb do_build_deb
step build-rpm do_build_rpm
step lintian do_lintian
step hardening do_hardening
step rpmlint do_rpmlint
step rpm-contents do_rpm_contents
step rpm-root do_rpm_root
step deb-install do_deb_install
step deb-files do_deb_files
step deb-default do_deb_default
step deb-deploy do_deb_deploy
step deb-monitoring do_deb_monitoring
step deb-purge do_deb_purge
step deb-ansible do_deb_ansible

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
