#!/bin/sh
# bench/careful-switch.sh NGINX_CONF - the careful root script of
# bench/traffic.sh (issue 15): what a careful operator's deploy script
# does, as root - stop apache2 as Debian does, wait until nothing listens
# on 8080 any more (up to 10 s), then start nginx the way the policy's
# nginx service does (as user nginx, no capabilities).  Unlike the seed's
# script it never starts nginx on a port apache2 still holds.  Exit:
# nginx's, or 1 if 8080 stayed held.
apache2ctl stop </dev/null >/dev/null 2>&1
n=0
while ss -Htln 'sport = :8080' | grep -q .; do
	n=$((n + 1))
	[ "$n" -le 1000 ] || exit 1
	sleep 0.01
done
# shellcheck disable=SC2016 # expanded by that shell (see EXEC_SH in tests/system/lib.sh)
exec setpriv --reuid=nginx --regid=nginx --init-groups --inh-caps=-all -- \
    /bin/sh -c 'exec "$0" "$@"' /usr/sbin/nginx -c "$1" </dev/null >/dev/null 2>&1
