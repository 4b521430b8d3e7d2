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

trap 'ct_cleanup' EXIT
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
