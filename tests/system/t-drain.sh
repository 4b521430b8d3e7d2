#!/bin/sh
# A graceful stop of a process service: apache2 with drain_signal =
# "WINCH" (its graceful-stop).  As deploy, `cutover stop apache2d` while a
# 20 MB download at 5 MB/s is in flight: apache2 gets SIGWINCH, not the
# stop signal (its error log says so), the download finishes intact, and
# the result says it drained.  With a drain_timeout shorter than the
# download, the master gets the stop signal after it and the result
# counts what still held the port.
. tests/system/lib.sh

install -d -m 0755 -o root -g root "$POLICY_DIR/policy.d" &&
cat >"$POLICY_DIR/policy.d/50-drain.conf" <<EOF &&
services = {
  apache2d = { exe = "/usr/sbin/apache2"; user = "root"; allow_root = true;
               holder_users = ["root", "www-data"]; start = ["/usr/sbin/apache2ctl", "start"];
               ports = [$PORT]; drain_signal = "WINCH"; drain_timeout = 15.0; };
  apache2h = { exe = "/usr/sbin/apache2"; user = "root"; allow_root = true;
               holder_users = ["root", "www-data"]; start = ["/usr/sbin/apache2ctl", "start"];
               ports = [$PORT]; drain_signal = "WINCH"; drain_timeout = 1.0; };
};
rules = ( { users = ["deploy"]; stop = ["apache2d", "apache2h"]; } );
EOF
chmod 0644 "$POLICY_DIR/policy.d/50-drain.conf" || fail_check "write the drop-in"
head -c 20000000 /dev/urandom >"$OLD_ROOT/big.bin"
head -c 100000000 /dev/zero >"$OLD_ROOT/huge.bin"
sum=$(sha256sum <"$OLD_ROOT/big.bin" | cut -d' ' -f1)
log=/var/log/apache2/error.log

# download FILE: in the background, its bytes in $TEST_TMPDIR/got
download() {
	curl -s --limit-rate 5M -o "$TEST_TMPDIR/got" "http://127.0.0.1:$PORT/$1" &
	dl=$!
	sleep 1
}

apache2_start || { fail_check "apache2ctl start"; finish; }
lines=$(wc -l <"$log")
download big.bin
expect 0 "stop apache2d with a download in flight" -- as_deploy "$CUTOVER" stop apache2d
has "drained gracefully" out "the result says it drained"
wait "$dl"
rc=$?
got=$(sha256sum <"$TEST_TMPDIR/got" | cut -d' ' -f1)
[ "$rc" = 0 ] && [ "$got" = "$sum" ] || fail_check "the download was cut (curl exit $rc)"
tail -n +"$((lines + 1))" "$log" | grep -q 'caught SIGWINCH, shutting down gracefully' ||
    fail_check "apache2 was not stopped with SIGWINCH" "$(tail -n +"$((lines + 1))" "$log")"
tail -n +"$((lines + 1))" "$log" | grep -q 'caught SIGTERM' &&
    fail_check "apache2 got SIGTERM too" "$(tail -n +"$((lines + 1))" "$log")"
[ -z "$(port_pids "$PORT")" ] || fail_check "something still listens on $PORT"

apache2_start || { fail_check "apache2ctl start again"; finish; }
download huge.bin
expect 0 "stop apache2h (drain_timeout 1.0) with a download in flight" -- \
    as_deploy "$CUTOVER" stop apache2h
has "still ran at drain_timeout and got the stop signal" out "the result counts them"
wait "$dl"
[ -z "$(port_pids "$PORT")" ] || fail_check "something still listens on $PORT"
rm -f "$OLD_ROOT/big.bin" "$OLD_ROOT/huge.bin"
finish
