#!/bin/sh
# bench/profile.sh - where cutover's time goes on the decide path (issue
# #7), beside doas.  Root only; not part of make bench (run it by hand:
# sh bench/profile.sh, after make bench has built and installed what it
# needs).  As user deploy, with the example policy and pam/cutover, as
# bench/decide.sh: strace -f -tt -T of one `cutover -n start nginx` and of
# one `doas -n /bin/true` (the syscalls and their times), strace -c of 200
# runs of each, and perf stat of 200 runs; results in $RESULTS
# (build/bench) profile-*.txt.
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
bench_rc=0
