#!/bin/sh
# bench/seed-switch.sh NGINX_CONF - side (a) of bench/switch.sh: the way the
# seed's deploy script switched port 8080, as root: stop apache2 as Debian
# does, then start nginx the way the policy's nginx service does (as user
# nginx, no capabilities, /usr/sbin/nginx -c NGINX_CONF; nginx detaches
# once it has bound its ports, or gives up after its own five tries).
# Nothing checks that apache2 has let go of the port first: that is the
# seed's behaviour being measured.  Exit: nginx's.
apache2ctl stop </dev/null >/dev/null 2>&1
# shellcheck disable=SC2016 # expanded by that shell (see EXEC_SH in tests/system/lib.sh)
exec setpriv --reuid=nginx --regid=nginx --init-groups --inh-caps=-all -- \
    /bin/sh -c 'exec "$0" "$@"' /usr/sbin/nginx -c "$1" </dev/null >/dev/null 2>&1
