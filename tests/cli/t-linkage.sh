#!/bin/sh
# What the setuid binary loads before main: libcurl and what it drags in
# (GnuTLS, Kerberos, LDAP, ... ~30 libraries) must not be among it - the
# verify child loads libcurl itself, after giving up privilege
# (helper/verify/curlapi.h) - and cutover needs no executable stack.
. tests/cli/lib.sh

if ! command -v readelf >/dev/null 2>&1; then
	echo "readelf is not installed (binutils): linkage not checked"
	exit 77
fi
needed=$(readelf -d "$CUTOVER" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')
[ -n "$needed" ] || { echo "FAIL: readelf -d $CUTOVER lists no NEEDED library"; exit 1; }
for lib in $needed; do
	case $lib in
	libc.so.* | libpam.so.* | libconfig.so.* | libcap.so.*) ;;
	*)
		echo "FAIL: $CUTOVER links $lib (only libc, libpam, libconfig, libcap belong there)"
		fails=$((fails + 1))
		;;
	esac
done
if readelf -lW "$CUTOVER" | grep -q 'GNU_STACK.*RWE'; then
	echo "FAIL: $CUTOVER asks for an executable stack"
	fails=$((fails + 1))
fi
finish
