#!/bin/sh
# cutover log as real users, on records real runs wrote, rotated by the
# real logrotate with the package's own configuration (weekly, compress,
# delaycompress: audit.jsonl.1 plain, audit.jsonl.2.gz compressed):
#   - the setuid binary reads with the caller's rights, never root's:
#     deploy alone is refused the 0640 root:adm file by the kernel, deploy
#     with group adm (the log's readers) reads it;
#   - the chain runs on across both rotations: --verify holds over
#     .2.gz, .1 and the live file, and names the break when .1 is left out;
#   - the filters pick the transactions, from the gzip'd file too.
. tests/system/lib.sh
if ! command -v logrotate >/dev/null 2>&1; then
	echo "skip: no logrotate (apt-get install logrotate; make deps as root)"
	exit 77
fi
write_policy || exit 1
conf=$TEST_TMPDIR/logrotate.conf
sed "s|/var/log/cutover/audit.jsonl|$AUDIT|" packaging/debian/cutover.logrotate >"$conf"
rotate() {
	logrotate -f -s "$TEST_TMPDIR/logrotate.state" "$conf" ||
	    fail_check "logrotate -f $conf"
}
adm=$(getent group adm | cut -d: -f3)
# deploy, with group adm added to its own: a member of the log's group
as_reader() {
	setpriv --reuid=deploy --regid="$(id -g deploy)" \
	    --groups="$(id -G deploy | tr ' ' ,),$adm" -- /bin/sh -c "$EXEC_SH" "$@"
}

expect 3 "a refusal" -- as_deploy "$CUTOVER" start apache2
expect 0 "stop nginx (not running)" -- as_deploy "$CUTOVER" stop nginx
rotate
[ -f "$AUDIT.1" ] && [ ! -s "$AUDIT" ] || fail_check "rotated once: $AUDIT.1 and an empty $AUDIT" "$(ls -l "$AUDIT_DIR")"
expect 0 "a dry run" -- as_deploy "$CUTOVER" -n stop nginx
rotate
[ -f "$AUDIT.2.gz" ] || fail_check "rotated twice: $AUDIT.2.gz" "$(ls -l "$AUDIT_DIR")"
expect 3 "a refusal after both rotations" -- as_deploy "$CUTOVER" start apache2
audit_valid "the live file"
ALL="$AUDIT.2.gz $AUDIT.1 $AUDIT"

# ---- whose rights ---------------------------------------------------------
expect 1 "deploy, not in adm, cannot read the log" -- as_deploy "$CUTOVER" log "$AUDIT" &&
	has "$AUDIT: Permission denied" err "the kernel refused deploy, not root"
expect 1 "nor verify it" -- as_deploy "$CUTOVER" log --verify "$AUDIT"

# ---- the chain across rotation ----------------------------------------------
expect 0 "the chain holds over .2.gz, .1 and the live file" -- as_reader "$CUTOVER" log --verify $ALL &&
	has "$AUDIT.2.gz:1: the chain starts here" out "it starts in the oldest" &&
	has "in 3 files: the chain holds" out "and holds"
first=$(head -n 1 "$AUDIT" | sed 's/.*"prev":"\([0-9a-f]*\)"}$/\1/')
want=$(tail -n 1 "$AUDIT.1" | tr -d '\n' | sha256sum | cut -c1-64)
[ "$first" = "$want" ] || fail_check "the live file's first record links to $AUDIT.1's last line" "prev $first, hash $want"
expect 1 ".1 left out" -- as_reader "$CUTOVER" log --verify "$AUDIT.2.gz" "$AUDIT" &&
	has "$AUDIT:1: does not link to the last line of the file before it" out "named where"
last=$(tail -n 1 "$AUDIT" | tr -d '\n' | sha256sum | cut -c1-64)
expect 0 "--last, the live file's last record" -- as_reader "$CUTOVER" log --verify --last="$last" $ALL

# ---- listing and filters ------------------------------------------------------
expect 0 "list" -- as_reader "$CUTOVER" log $ALL &&
	[ "$(printf '%s\n' "$out" | wc -l)" = 4 ] || fail_check "four transactions" "$out"
expect 0 "--outcome refused" -- as_reader "$CUTOVER" log --outcome refused $ALL &&
	[ "$(printf '%s\n' "$out" | grep -c 'deploy start apache2: refused: no rule allows it')" = 2 ] ||
	fail_check "both refusals, from the .gz and the live file" "$out"
expect 0 "--action stop" -- as_reader "$CUTOVER" log --action stop --user deploy $ALL &&
	has "deploy stop nginx: ok" out "the stop" && has "deploy -n stop nginx: allowed" out "the dry run, which has no outcome" &&
	lacks "apache2" out "nothing else"
expect 0 "the gzip'd file alone" -- as_reader "$CUTOVER" log "$AUDIT.2.gz" &&
	has "deploy start apache2: refused" out "read through zlib" && has "deploy stop nginx: ok" out "both"
today=$(date -u +%Y-%m-%d)
expect 0 "--since today" -- as_reader "$CUTOVER" log --since "$today" $ALL &&
	[ "$(printf '%s\n' "$out" | wc -l)" = 4 ] || fail_check "today's four" "$out"
expect 0 "--until 2000" -- as_reader "$CUTOVER" log --until 2000 $ALL && [ -z "$out" ] ||
	fail_check "none before 2000" "$out"
expect 0 "--format=json" -- as_reader "$CUTOVER" log --format=json --outcome refused "$AUDIT" &&
	[ "$out" = "$(cat "$AUDIT")" ] || fail_check "the record as written" "$out"
finish
