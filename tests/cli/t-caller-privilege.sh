#!/bin/sh
# Run setuid root, the policy commands read a caller-named file (and the
# system policy) with the caller's own rights, never root's: otherwise
# `policy check /etc/shadow` would leak root-only files through its error
# messages.  Needs root (to make a setuid copy) and a filesystem without
# nosuid; skipped (77) otherwise.
. tests/cli/lib.sh
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
command -v setpriv >/dev/null || { echo "skip: no setpriv"; exit 77; }

dir=
for base in /var/tmp /tmp "$SRCDIR/build"; do
	case $(findmnt -no OPTIONS -T "$base" 2>/dev/null) in
	*nosuid*) continue ;;
	esac
	dir=$(mktemp -d "$base/cutover-suid.XXXXXX") && break
done
[ -n "$dir" ] || { echo "skip: no filesystem allows setuid here"; exit 77; }
trap 'rm -rf "$dir"' EXIT
chmod 0755 "$dir"
install -m 4755 -o root -g root "$CUTOVER" "$dir/cutover"
secret=$dir/secret.conf
printf 'rules = ();\nroot-only secret line\n' >"$secret"
chmod 0600 "$secret"
cp policy/examples/deploy.conf "$dir/public.conf"
chmod 0644 "$dir/public.conf"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }

# The control: as root the file is read, and its contents show in the error.
expect 4 "root reads the secret (control)" -- "$dir/cutover" policy check "$secret"
has "secret.conf:2" err "root sees the line"

expect 4 "setuid, as nobody: secret file" -- as_nobody "$dir/cutover" policy check "$secret"
has "Permission denied" err "opened as the caller"
lacks "secret.conf:2" err "nothing of the file leaks"
expect 4 "setuid, as nobody: /etc/shadow" -- as_nobody "$dir/cutover" policy check /etc/shadow
has "Permission denied" err "shadow not readable"
expect 0 "setuid, as nobody: a readable file works" -- as_nobody "$dir/cutover" policy check "$dir/public.conf"
expect 4 "setuid, as nobody: explain" -- as_nobody "$dir/cutover" policy explain "$secret"
expect 4 "setuid, as nobody: diff" -- as_nobody "$dir/cutover" policy diff "$dir/public.conf" "$secret"
has "Permission denied" err "diff reads as the caller"
finish
