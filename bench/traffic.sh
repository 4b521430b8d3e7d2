#!/bin/sh
# bench/traffic.sh - what visitors under real traffic see while port 8080
# goes from apache2 to nginx (issue 15).  Root only; BENCH=traffic make
# bench runs it.  Not part of make check: nothing here is asserted.
#
# With the system tests' set-up (as bench/switch.sh), per side ROUNDS (10)
# rounds of bench/traffic.py: the 1 ms probe throughout; an idle part
# (wrk -t2 -c64, keep-alive, IDLE_S = 3 s); then wrk -t2 -c64 for LOAD_S
# (6 s), a 200 MB download at 25 MB/s started at 1 s (checked by sha256),
# and the side's switch at 2 s.  Before each round: nginx stopped,
# apache2 started and serving 8080.  Sides (SIDES):
#   seed     bench/seed-switch.sh, as root: apache2ctl stop; nginx at once
#   careful  bench/careful-switch.sh, as root: apache2ctl stop, wait
#            until 8080 is free, then nginx
#   cutover  cutover switch newsite as user deploy, with
#            policy/examples/deploy.conf (process mode: overlap on the
#            handed socket, apache2 drained with SIGWINCH)
#   systemd  the same under systemd, in a container: Debian's
#            apache2.service (with a drain drop-in) to nginx.service
#            (with the handoff drop-in), examples/systemd.conf
#            (bench/traffic-systemd.sh)
#   https    a whole site, 80 and 443, under systemd in a container:
#            h2load over TLS (HTTP/1.1 and HTTP/2) on 443 and wrk on 80
#            (HTTPS_LOAD_S, 12 s), the probe on both ports, a download on
#            each, `cutover switch site` at 2 s (bench/traffic-https.sh;
#            its own table in the report)
# The file both servers serve, big.bin (DOWNLOAD_MB, 200 MB of random
# bytes), is made once in each document root and removed at the end.
#
# Results: $RESULTS (build/bench) traffic-SIDE.jsonl (one line per round),
# traffic-SIDE.N.log (the probe's requests), traffic.txt (the summary,
# also printed; bench/traffic.py report).
. "$(dirname "$0")/lib.sh"
bench_begin traffic "$@"

ROUNDS=${ROUNDS:-10}
SIDES=${SIDES:-seed careful cutover systemd https}
DOWNLOAD_MB=${DOWNLOAD_MB:-200}
KALOAD=$SRCDIR/$BUILD/bench/kaload
export BENCH_TMP RESULTS PROBE KALOAD ROUNDS
[ -x "$PROBE" ] && [ -x "$KALOAD" ] || bench_die "no $PROBE or $KALOAD (make bench builds them)"
tools="wrk curl ss sha256sum"
case " $SIDES " in *" https "*) tools="$tools h2load" ;; esac
for t in $tools; do
	command -v "$t" >/dev/null 2>&1 || bench_die "no $t (make bench installs it)"
done

on_exit "rm -f '$OLD_ROOT/big.bin' '$NEW_ROOT/big.bin'"
head -c "$((DOWNLOAD_MB * 1000000))" /dev/urandom >"$OLD_ROOT/big.bin" &&
    cp "$OLD_ROOT/big.bin" "$NEW_ROOT/big.bin" &&
    chmod 0644 "$OLD_ROOT/big.bin" "$NEW_ROOT/big.bin" || bench_die "cannot write big.bin"
BIG_SHA256=$(sha256sum <"$OLD_ROOT/big.bin" | cut -d' ' -f1)
export BIG_SHA256

write_policy "" || bench_die "cannot write the policy"
deploy_gid=$(id -g deploy)
for side in $SIDES; do
	case $side in
	seed) cmd="sh $SRCDIR/bench/seed-switch.sh $NGINX_CONF" ;;
	careful) cmd="sh $SRCDIR/bench/careful-switch.sh $NGINX_CONF" ;;
	systemd)
		rm -f "$RESULTS/traffic-systemd.jsonl"
		bench_say "systemd: $ROUNDS rounds (in a container)"
		OLD_ROOT_BIG=$OLD_ROOT/big.bin ROUNDS=$ROUNDS sh bench/traffic-systemd.sh ||
		    bench_die "the systemd side failed"
		continue ;;
	https)
		rm -f "$RESULTS/traffic-https.jsonl"
		bench_say "https: $ROUNDS rounds (in a container)"
		OLD_ROOT_BIG=$OLD_ROOT/big.bin ROUNDS=$ROUNDS sh bench/traffic-https.sh ||
		    bench_die "the https side failed"
		continue ;;
	cutover)
		# shellcheck disable=SC2016 # for that shell
		cmd="setpriv --reuid=deploy --regid=$deploy_gid --init-groups -- /bin/sh -c 'exec \"\$0\" \"\$@\"' $CUTOVER switch newsite" ;;
	*) bench_die "unknown side $side (seed, careful, cutover, systemd, https)" ;;
	esac
	rm -f "$RESULTS/traffic-$side.jsonl" "$RESULTS"/traffic-"$side".*.log
	bench_say "$side: $ROUNDS rounds"
	n=1
	while [ "$n" -le "$ROUNDS" ]; do
		stop_daemons >"$BENCH_TMP/reset.out" 2>&1 && apache2_start >>"$BENCH_TMP/reset.out" 2>&1 ||
		    { cat "$BENCH_TMP/reset.out" >&2; bench_die "$side round $n: cannot reset to apache2"; }
		python3 bench/traffic.py round "$side" "$n" "$cmd" || bench_die "$side round $n failed"
		n=$((n + 1))
	done
	stop_daemons >/dev/null 2>&1
done

machine_info >"$RESULTS/machine.txt"
python3 bench/traffic.py report "$RESULTS" | tee "$RESULTS/traffic.txt"
bench_rc=0
