# site.sh - the site of the container tests, on top of lib.sh: Debian's
# own apache2.service serving the old page on 8080 (enabled, as the
# package leaves it), nginx.service installed with the new page on 8080
# but disabled and stopped, the cutover .deb ($DEB) installed, and a
# real user deploy in group cutover.  Sourced by each t-*.sh, which then
# writes its policy (site_policy) and runs its checks (expect, has).
#
#   site_up NAME           create, set up and boot container NAME
#   site_up_tls NAME       the same, the site on 80 and 443 (TLS)
#   site_policy NAME FILE  install FILE as NAME's /etc/cutover/policy.conf
#   svc_apache2, svc_nginx [KEYS]  the policy's entry for Debian's unit
#   as_deploy NAME CMD...  CMD as deploy in NAME
#   expect WANT DESC CMD...  run CMD, fail unless it exits WANT; its
#                          output in $out
#   has WORDS / lacks WORDS  $out (does not) contain WORDS
#   page NAME              what NAME serves on 8080
#   finish                 exit 0 if no check failed, else 1

. tests/container/lib.sh

PORT=8080
OLD_TEXT="the old site"
NEW_TEXT="the new site: the Fall collection"
fails=0
out=

# the loop devices of audit_fs (below) go after the containers
loops=
trap 'ct_cleanup; for l in $loops; do losetup -d "$l"; done' EXIT
trap 'exit 130' INT TERM

site_up() {
	ct_create "$1" || return 1
	m=$CT_SCRATCH/$1/merged
	sed -i "s/^Listen 80\$/Listen $PORT/" "$m/etc/apache2/ports.conf"
	echo "$OLD_TEXT" >"$m/var/www/html/index.html"
	mkdir -p "$m/srv/new"
	echo "$NEW_TEXT" >"$m/srv/new/index.html"
	# one dual-stack listener, as apache2's own socket is (what a socket
	# handoff needs; cutover-policy(5), socket_handoff)
	sed -i -e "s/listen 80 default_server;/listen [::]:$PORT ipv6only=off default_server;/" \
	    -e "/listen \[::\]:80 default_server;/d" \
	    -e 's|root /var/www/html;|root /srv/new;|' \
	    "$m/etc/nginx/sites-available/default"
	# installed, not enabled: as on the host before the switch
	rm -f "$m/etc/systemd/system/multi-user.target.wants/nginx.service"
	cp "$DEB" "$m/root/cutover.deb"
	ct_boot "$1" || return 1
	ct_run "$1" dpkg -i /root/cutover.deb >"$CT_SCRATCH/$1/dpkg.log" 2>&1 ||
	    { cat "$CT_SCRATCH/$1/dpkg.log"; return 1; }
	ct_run "$1" useradd -m -G cutover deploy || return 1
}

# site_up_tls NAME: a whole site, as t-site.sh and t-nginx-user.sh have it:
# Debian's apache2 with mod_ssl's default-ssl site serving the old page on
# 80 and 443 (one dual-stack socket each, the snakeoil certificate),
# nginx's site for the new page on the same sockets (one dual-stack
# listen per port) but nginx disabled and stopped, the probe in
# /usr/local/bin, the .deb installed, deploy in group cutover.
site_up_tls() {
	ct_create "$1" || return 1
	m=$CT_SCRATCH/$1/merged
	echo "$OLD_TEXT" >"$m/var/www/html/index.html"
	mkdir -p "$m/srv/new"
	echo "$NEW_TEXT" >"$m/srv/new/index.html"
	# a2enmod ssl, a2ensite default-ssl: Debian's own TLS site on 443
	for f in mods-available/ssl.conf mods-available/ssl.load \
	    mods-available/socache_shmcb.load; do
		ln -sf "../$f" "$m/etc/apache2/mods-enabled/${f#mods-available/}"
	done
	ln -sf ../sites-available/default-ssl.conf "$m/etc/apache2/sites-enabled/default-ssl.conf"
	cat >"$m/etc/nginx/sites-available/default" <<'EOF'
server {
	listen [::]:80 ipv6only=off default_server;
	listen [::]:443 ssl http2 ipv6only=off default_server;
	ssl_certificate /etc/ssl/certs/ssl-cert-snakeoil.pem;
	ssl_certificate_key /etc/ssl/private/ssl-cert-snakeoil.key;
	root /srv/new;
	index index.html;
}
EOF
	rm -f "$m/etc/systemd/system/multi-user.target.wants/nginx.service"
	mkdir -p "$m/etc/systemd/system/nginx.service.d"
	cp "$DEB" "$m/root/cutover.deb"
	cp "$PROBE" "$m/usr/local/bin/probe"
	ct_boot "$1" || return 1
	# the snakeoil certificate, where ssl-cert's postinst did not make it
	if [ ! -e "$m/etc/ssl/private/ssl-cert-snakeoil.key" ]; then
		ct_run "$1" make-ssl-cert generate-default-snakeoil --force-overwrite &&
		    ct_run "$1" systemctl restart apache2 || return 1
	fi
	ct_run "$1" dpkg -i /root/cutover.deb >"$CT_SCRATCH/$1/dpkg.log" 2>&1 ||
	    { cat "$CT_SCRATCH/$1/dpkg.log"; return 1; }
	ct_run "$1" useradd -m -G cutover deploy
}

# unit_service NAME UNIT EXE [KEY=VALUE;...]: the policy's entry for a
# service that is Debian's unit UNIT (a root master, www-data workers).
unit_service() {
	printf '  %s = { unit = "%s"; exe = "%s"; user = "root"; allow_root = true;\n' "$1" "$2" "$3"
	printf '    holder_users = ["root", "www-data"]; ports = [%s]; %s };\n' "$PORT" "${4:-}"
}
svc_apache2() {
	unit_service "${2:-apache2}" apache2.service /usr/sbin/apache2 "${1:-}"
}
svc_nginx() {
	unit_service nginx nginx.service /usr/sbin/nginx "${1:-}"
}

site_policy() {
	install -m 0644 -o root -g root "$2" "$CT_SCRATCH/$1/merged/etc/cutover/policy.conf"
}

as_deploy() {
	n=$1
	shift
	ct_user "$n" deploy "$@"
}

fail_check() {
	echo "FAIL: $1"
	[ $# -lt 2 ] || printf '%s\n' "$2" | sed 's/^/  | /'
	fails=$((fails + 1))
	return 1
}

expect() {
	want=$1
	desc=$2
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" != "$want" ]; then
		fail_check "$desc: exit $rc, expected $want" "$out"
		return 1
	fi
	echo "ok: $desc"
}

has() {
	case $out in
	*"$1"*) return 0 ;;
	esac
	fail_check "the output lacks '$1'" "$out"
}

lacks() {
	case $out in
	*"$1"*) fail_check "the output has '$1'" "$out" ;;
	esac
	return 0
}

page() {
	ct_run "$1" curl -s --max-time 5 "http://127.0.0.1:$PORT/"
}

# is NAME UNIT STATE: systemctl is-active (or is-enabled, for the words
# enabled, disabled, masked and static) says STATE.
is() {
	case $3 in
	enabled | disabled | masked | static) got=$(ct_run "$1" systemctl is-enabled "$2" 2>&1) ;;
	*) got=$(ct_run "$1" systemctl is-active "$2" 2>&1) ;;
	esac
	[ "$got" = "$3" ] || fail_check "$2 is '$got', expected '$3'"
}

finish() {
	if [ "$fails" -gt 0 ]; then
		echo "$fails check(s) failed"
		exit 1
	fi
	exit 0
}

# ---- faults (issue 29): t-recover.sh, t-reexec.sh, t-auditfault.sh, t-faults.sh
# Each on the site container "a", as those tests have it.
#
#   wait_for WHAT CMD...   until CMD succeeds in a (30 s at most)
#   find_txn               sh code for a: prints the transaction's pid
#   power_cut              every process of a killed at once, then a boot
#   interrupted_txid       the txid of newsite's journal of intent
#   consistent SERVER WHEN only SERVER runs, is enabled and serves, no
#                          unit failed, no journal of intent left
#   recorded TXID WHEN     the trail has the recovery of switch TXID, in
#                          order, and the chain verifies
#   guarded TXID WHEN WORDS  the killed transaction TXID's guardian has
#                          recovered it ("... (txid TXID) WORDS") and
#                          written its outcome; no cutover process left
#   both_ways WHEN         deploy switches to nginx and back, no root repair
#   back_to_apache2        the site as before a switch, by root
#   audit_fs IMAGE         a fresh 8 MiB ext4 at a's /var/log/cutover (a
#                          loop device of the host's, in $loops)
#   audit_fill             sh code for a: that filesystem filled to its
#                          last byte, the audit file's last block padded
#   rolled_back_unrecorded WHEN  exit 1, the report's records lost, the
#                          journal has the outcome the file lost

JOURNAL=/var/lib/cutover/intent/newsite

wait_for() {
	what=$1
	shift
	i=0
	until ct_run a "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -lt 300 ] || { fail_check "$what did not come"; return 1; }
		sleep 0.1
	done
}

# the transaction: the cutover process in a cutover-TXID.scope whose
# parent (the front) is not in one
# shellcheck disable=SC2016 # expanded in the container
find_txn='for p in $(pgrep -x cutover); do
	grep -q "cutover-.*\.scope" /proc/$p/cgroup || continue
	pp=$(ps -o ppid= -p $p | tr -d " ")
	grep -q "cutover-.*\.scope" /proc/$pp/cgroup || { echo $p; exit 0; }
done; exit 1'

power_cut() {
	ct_powercut a
	ct_boot a 2>"$CT_SCRATCH/boot.err" ||
	    fail_check "the container did not boot again after the power cut" \
	    "$(cat "$CT_SCRATCH/boot.err"; ct_run a journalctl -b --no-pager -u cutover-recover \
	    -u apache2 -u nginx | tail -n 30)"
}

interrupted_txid() {
	ct_run a sed -n 's/^txid //p' "$JOURNAL"
}

consistent() {
	if [ "$1" = nginx ]; then other=apache2 text=$NEW_TEXT; else other=nginx text=$OLD_TEXT; fi
	case $(page a) in
	*"$text"*) echo "ok: $2: $1 serves the site" ;;
	*) fail_check "$2: $1 does not serve the site" "$(page a)" ;;
	esac
	is a "$1" active
	is a "$1" enabled
	is a "$other" inactive
	is a "$other" disabled
	failed=$(ct_run a systemctl --failed --no-legend --plain)
	[ -z "$failed" ] || fail_check "$2: units left failed" "$failed"
	left=$(ct_run a ls -A /var/lib/cutover/intent 2>/dev/null)
	[ -z "$left" ] || fail_check "$2: a journal of intent is left: $left"
	return 0
}

# recorded TXID WHEN: "recover PLAN" decided, naming TXID, then its
# steps, then "recovered" naming TXID (the steps' count printed)
recorded() {
	ct_run a grep -n "txid $1)" /var/log/cutover/audit.jsonl >"$CT_SCRATCH/trail" 2>&1
	decided=$(grep '"outcome":"decided"' "$CT_SCRATCH/trail" | head -n 1 | cut -d: -f1)
	recovered=$(grep '"outcome":"recovered"' "$CT_SCRATCH/trail" | tail -n 1 | cut -d: -f1)
	if [ -z "$decided" ] || [ -z "$recovered" ] || [ "$decided" -ge "$recovered" ]; then
		fail_check "$2: the trail lacks 'decided' then 'recovered' for txid $1" \
		    "$(ct_run a tail -n 8 /var/log/cutover/audit.jsonl)"
	else
		steps=$(ct_run a sed -n "$((decided + 1)),$((recovered - 1))p" /var/log/cutover/audit.jsonl |
		    grep -c '"step":"recover: ')
		echo "ok: $2: the trail has decided, $steps step(s), recovered (txid $1)"
	fi
	ct_run a cutover log --verify >/dev/null 2>&1 ||
	    fail_check "$2: the audit chain does not verify" "$(ct_run a cutover log --verify 2>&1)"
}

guarded() {
	wait_for "$2: the guardian's recovery" sh -c \
	    "! pgrep -x cutover-guard && ! pgrep -x cutover && [ ! -e $JOURNAL ]"
	ct_run a grep "\"txid\":\"$1\"" /var/log/cutover/audit.jsonl >"$CT_SCRATCH/trail" 2>&1
	if grep -q "interrupted switch newsite (txid $1) $3" "$CT_SCRATCH/trail" &&
	    grep '"stage":"outcome"' "$CT_SCRATCH/trail" | grep -q "killed before its outcome; its guardian recovered the switch"; then
		echo "ok: $2: its guardian recovered it at once: $3"
	else
		fail_check "$2: no recovery by the guardian ('$3') in the trail of txid $1" "$(tail -n 4 "$CT_SCRATCH/trail")"
	fi
}

both_ways() {
	if [ "$(ct_run a systemctl is-active nginx)" = active ]; then
		expect 0 "$1: then switch oldsite" as_deploy a cutover switch oldsite
		expect 0 "$1: and switch newsite" as_deploy a cutover switch newsite
		expect 0 "$1: and back (oldsite)" as_deploy a cutover switch oldsite
	else
		expect 0 "$1: then switch newsite" as_deploy a cutover switch newsite
		expect 0 "$1: and the reverse plan" as_deploy a cutover switch oldsite
	fi
	consistent apache2 "$1, both ways"
}

back_to_apache2() {
	ct_run a sh -c 'systemctl stop nginx; systemctl disable -q nginx; systemctl reset-failed;
	    systemctl enable -q --now apache2' >/dev/null 2>&1
}

# (no blocks reserved for root; errors remount it read-only; the
# container has no loop-control, so the host makes the loop device)
audit_fs() {
	ct_run a sh -c 'umount /var/log/cutover 2>/dev/null; rm -f /dev/cutover-audit'
	truncate -s 8M "$CT_SCRATCH/$1" && mkfs.ext4 -q -F -m 0 -b 4096 "$CT_SCRATCH/$1" &&
	    loop=$(losetup -f --show "$CT_SCRATCH/$1") || return 1
	loops="$loops $loop"
	dev=$(stat -c '%t %T' "$loop")
	# shellcheck disable=SC2086 # major and minor, in hex
	ct_run a mknod /dev/cutover-audit b $((0x${dev% *})) $((0x${dev#* })) &&
	    ct_run a mkdir -p /var/log/cutover &&
	    ct_run a mount -o errors=remount-ro /dev/cutover-audit /var/log/cutover &&
	    ct_run a chmod 0750 /var/log/cutover && ct_run a chgrp adm /var/log/cutover &&
	    ct_run a rmdir /var/log/cutover/lost+found
}

# full: the audit file's last block padded out first (a record that fits
# in it is written, full disk or not), then the rest filled: most of it
# at once, then block by block until none is left
# shellcheck disable=SC2016 # expanded in the container
audit_fill='f=/var/log/cutover/audit.jsonl
n=$((4096 - $(stat -c %s $f) % 4096))
[ $n -ge 16 ] || n=$((n + 4096))
printf "{\"pad\":\"%s\"}\n" "$(head -c $((n - 11)) /dev/zero | tr "\0" x)" >>$f
av=$(df -k --output=avail /var/log/cutover | tail -n 1)
fallocate -l $(((av - 16) * 1024)) /var/log/cutover/fill
i=0
while [ $i -lt 100 ] && head -c 4096 /dev/zero >>/var/log/cutover/fill 2>/dev/null; do i=$((i + 1)); done
[ $(($(stat -c %s $f) % 4096)) = 0 ] && ! head -c 100 /dev/zero >>$f.probe 2>/dev/null'

# rolled_back_unrecorded WHEN: after switch --format=json (its output in
# $out, exit $rc, txid $txid): never 0 without an outcome record, the
# report names what was not recorded, the journal has the outcome
rolled_back_unrecorded() {
	[ "$rc" != 0 ] || fail_check "$1: exit 0 without an outcome record in the file" "$out"
	[ "$rc" = 1 ] || fail_check "$1: exit $rc, expected 1 (rolled back)" "$out"
	has '"outcome":"rolled-back"'
	has '"recorded":false'
	has "could not be written everywhere"
	if [ -n "$txid" ] && ct_run a journalctl -q -o cat -t cutover 2>/dev/null |
	    grep "\"txid\":\"$txid\"" | grep -q '"stage":"outcome"'; then
		echo "ok: $1: the journal has the outcome record the file lost"
	else
		fail_check "$1: the journal lacks the outcome record (txid '$txid')" \
		    "$(ct_run a journalctl -q -o cat -t cutover 2>/dev/null | tail -n 5)"
	fi
	if ct_run a grep -q "\"txid\":\"$txid\".*\"stage\":\"outcome\"" /var/log/cutover/audit.jsonl; then
		fail_check "$1: the file has an outcome record it should not have been able to take"
	fi
}
