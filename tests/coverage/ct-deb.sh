#!/bin/sh
# ct-deb.sh - the cutover .deb with the coverage build's programs in it,
# for the container layer of make coverage (tests/coverage/run.sh).
#
# Usage: ct-deb.sh DEB CUTOVER HANDOFF OUTDIR
#
# DEB is the package make deb built; CUTOVER and HANDOFF are the
# --coverage builds of /usr/bin/cutover and /usr/libexec/cutover/
# cutover-handoff with the package's paths (PREFIX=/usr).  Everything else
# of the package stays as it is (its postinst makes cutover setuid through
# dpkg-statoverride, as for the real one), so every container test runs
# the instrumented programs without knowing it.  The collection's package
# (cutover-ansible), which t-fleet.sh looks for beside the .deb, is copied
# beside it.  Prints the new .deb's path.
set -eu

deb=$1 cutover=$2 handoff=$3 out=$4
root=$out/root

rm -rf "$out"
mkdir -p "$out"
dpkg-deb -R "$deb" "$root"
for f in usr/bin/cutover usr/libexec/cutover/cutover-handoff; do
	[ -f "$root/$f" ] || { echo "ct-deb.sh: $deb has no /$f" >&2; exit 1; }
done
install -m 0755 "$cutover" "$root/usr/bin/cutover"
install -m 0755 "$handoff" "$root/usr/libexec/cutover/cutover-handoff"
# dpkg checks nothing against md5sums at install, debsums does: keep them true
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' |
    sort | xargs md5sum) >"$root/DEBIAN/md5sums"
dpkg-deb --root-owner-group -b "$root" "$out/$(basename "$deb")" >/dev/null
rm -rf "$root"
for a in "$(dirname "$deb")"/cutover-ansible_*_all.deb; do
	[ -e "$a" ] && cp "$a" "$out/"
done
echo "$out/$(basename "$deb")"
