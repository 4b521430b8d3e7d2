#!/bin/sh
# bench/profile.sh - where cutover's time goes on the decide path (issue
# #7), beside doas.  Root only; not part of make bench (run it by hand:
# sh bench/profile.sh, after make bench has built and installed what it
# needs).  As user deploy, with the example policy and pam/cutover, as
# bench/decide.sh: strace -f -tt -T of one `cutover -n start nginx` and of
# one `doas -n /bin/true` (the syscalls and their times), strace -c of 200
# runs of each, and perf stat of 200 runs; results in $RESULTS
# (build/bench) profile-*.txt.  Then the same objects linked without
# libcurl (a stub), installed setuid beside it and timed with it and doas
# in one hyperfine run: profile-nocurl.{txt,json}.
. "$(dirname "$0")/lib.sh"
bench_begin profile "$@"
cp pam/cutover "$PAM_FILE" && chmod 0644 "$PAM_FILE" || bench_die "cannot install $PAM_FILE"
if [ -e /etc/doas.conf ]; then
	cp -p /etc/doas.conf "$STATE/doas.conf.bench-orig" || bench_die "cannot keep /etc/doas.conf"
	on_exit "mv -f '$STATE/doas.conf.bench-orig' /etc/doas.conf"
else
	on_exit "rm -f /etc/doas.conf"
fi
printf '%s\n' 'permit nopass deploy as root cmd /bin/true' >/etc/doas.conf && chmod 0400 /etc/doas.conf ||
    bench_die "cannot write /etc/doas.conf"
out=$BENCH_TMP/out
mkdir -p "$out" && chown deploy "$out"
cd "$out" || exit 1

# strace -u runs the command as deploy with the setuid bit honoured.
strace -u deploy -f -tt -T -o "$RESULTS/profile-strace-cutover.txt" "$CUTOVER" -n start nginx >/dev/null 2>&1
strace -u deploy -f -tt -T -o "$RESULTS/profile-strace-doas.txt" doas -n /bin/true >/dev/null 2>&1
for c in cutover doas; do
	case $c in
	cutover) set -- "$CUTOVER" -n start nginx ;;
	doas) set -- doas -n /bin/true ;;
	esac
	: >"$BENCH_TMP/c.txt"
	i=0
	while [ $i -lt 200 ]; do
		strace -u deploy -c -f -o "$BENCH_TMP/c1.txt" "$@" >/dev/null 2>&1
		cat "$BENCH_TMP/c1.txt" >>"$BENCH_TMP/c.txt"
		i=$((i + 1))
	done
	# add the 200 tables up: calls and seconds per syscall
	awk '$1 ~ /^[0-9.]+$/ && NF >= 5 { name = $NF; sec[name] += $2; calls[name] += $4 }
	     END { for (n in sec) printf "%10.6f s %8d calls  %s\n", sec[n] / 200, calls[n] / 200, n }' \
	    "$BENCH_TMP/c.txt" | sort -rn | head -n 25 >"$RESULTS/profile-strace-c-$c.txt"
	if command -v perf >/dev/null 2>&1; then
		perf stat -r 200 -e task-clock,page-faults,context-switches -- \
		    setpriv --reuid=deploy --regid="$(id -g deploy)" --init-groups -- /bin/sh -c "$EXEC_SH" "$@" \
		    >/dev/null 2>"$RESULTS/profile-perf-stat-$c.txt"
	fi
done

# perf, system-wide sampling while deploy runs each 300 times: where the
# cutover (or doas) process spends its CPU time, by library and symbol.
if command -v perf >/dev/null 2>&1; then
	for c in cutover doas; do
		case $c in
		cutover) cmd="$CUTOVER -n start nginx" ;;
		doas) cmd="doas -n /bin/true" ;;
		esac
		perf record -a -g -F 5000 -o "$RESULTS/profile-perf-$c.data" -- \
		    setpriv --reuid=deploy --regid="$(id -g deploy)" --init-groups -- \
		    /bin/sh -c "i=0; while [ \$i -lt 300 ]; do $cmd >/dev/null 2>&1; i=\$((i + 1)); done" \
		    >/dev/null 2>&1
		{
			echo "# perf: samples of comm $c (300 runs), self time by shared object"
			perf report -i "$RESULTS/profile-perf-$c.data" --comm "$c" --no-children --sort dso,sym \
			    --percentage relative --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' >"$BENCH_TMP/syms"
			awk '{ sub(/%$/, "", $1); s[$2] += $1 } END { for (d in s) printf "%7.2f%%  %s\n", s[d], d }' \
			    "$BENCH_TMP/syms" | sort -rn | head -n 25
			echo "# by symbol"
			head -n 40 "$BENCH_TMP/syms"
		} >"$RESULTS/profile-perf-$c.txt"
	done
fi

# The cheap fix, measured: the same objects linked without libcurl (a stub
# for its 13 functions: -n start never fetches anything), installed
# setuid beside the real one, in one hyperfine run with doas.  The copy
# lives in the system tests' libexec directory, which teardown removes.
cd "$SRCDIR" || exit 1
obj=$SRCDIR/$BUILD/systest
nm -u "$obj/cutover" | sed -n 's/^ *U \(curl_[a-z_]*\)@.*/\1/p' | sort -u |
    awk '{ printf "void *%s(void) { return 0; }\n", $1 }' >"$BENCH_TMP/curlstub.c"
flags=$(cat "$obj/flags")
# shellcheck disable=SC2086 # the recorded compiler command line, word-split
set -- $flags
cc=$1
ldflags=$(printf '%s\n' "$flags" | grep -o -- '-Wl,[^ ]*\|-pie\|-fPIE' | tr '\n' ' ')
# shellcheck disable=SC2086
"$cc" -O2 -fPIE -c -o "$BENCH_TMP/curlstub.o" "$BENCH_TMP/curlstub.c" &&
    "$cc" $ldflags -o "$BENCH_TMP/cutover-nocurl" "$obj/obj/helper/main.o" "$obj/libhelper.a" \
    "$obj/libpolicy.a" "$BENCH_TMP/curlstub.o" $(pkg-config --libs pam libconfig libcap) ||
    bench_die "cannot link cutover without libcurl"
install -m 4750 -o root -g cutover "$BENCH_TMP/cutover-nocurl" "$LIBEXEC_DIR/cutover-nocurl" ||
    bench_die "cannot install cutover-nocurl"
ldd "$LIBEXEC_DIR/cutover-nocurl" | grep -c '=>' >"$BENCH_TMP/nlibs"
as_deploy_in "$out" "$LIBEXEC_DIR/cutover-nocurl" -n start nginx >/dev/null 2>&1 ||
    bench_die "cutover-nocurl -n start nginx fails"
as_deploy_in "$out" hyperfine -N -i --style basic --warmup 20 --runs 500 \
    --export-json "$out/profile-nocurl.json" \
    -n allowed "$CUTOVER -n start nginx" \
    -n allowed-nocurl "$LIBEXEC_DIR/cutover-nocurl -n start nginx" \
    -n refused "$CUTOVER start apache2" \
    -n refused-nocurl "$LIBEXEC_DIR/cutover-nocurl start apache2" \
    -n doas "doas -n /bin/true" </dev/null >"$RESULTS/profile-nocurl.txt" 2>&1 ||
    bench_die "hyperfine (nocurl) failed"
cp "$out/profile-nocurl.json" "$RESULTS/"
echo "libraries: cutover $(ldd "$CUTOVER" | grep -c '=>'), cutover-nocurl $(cat "$BENCH_TMP/nlibs")" >>"$RESULTS/profile-nocurl.txt"
bench_rc=0
