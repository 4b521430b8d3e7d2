#!/bin/sh
# policy test resolves a real user's groups from the group database: a
# member of webops gets the webops rule, a non-member does not.  Needs root
# to create the user and group; removes both afterwards, even on failure.
. tests/cli/lib.sh
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
command -v useradd >/dev/null || { echo "skip: no useradd"; exit 77; }
grp=cotestops$$ usr=cotestu$$
trap 'userdel "$usr" 2>/dev/null; groupdel "$grp" 2>/dev/null' EXIT
groupadd "$grp" && useradd -M -N -G "$grp" "$usr" || exit 1
sed "s/\"webops\"/\"$grp\"/" policy/examples/teams.conf >"$TEST_TMPDIR/teams.conf"

expect 0 "member of the group may stop nginx" -- "$CUTOVER" policy test "$TEST_TMPDIR/teams.conf" "$usr" stop nginx
has "$usr may stop nginx" out "allowed through the group"
has "(PAM authentication first)" out "the group rule's auth"
gpasswd -d "$usr" "$grp" >/dev/null || exit 1
expect 3 "after leaving the group, refused" -- "$CUTOVER" policy test "$TEST_TMPDIR/teams.conf" "$usr" stop nginx
has "no rule names user $usr" out "says why"
finish
