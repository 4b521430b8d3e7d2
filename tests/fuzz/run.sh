#!/bin/sh
# run.sh - libFuzzer on each named target for SECONDS: make fuzz, and the
# fuzz-run layer of make check.
#
#   tests/fuzz/run.sh SECONDS TARGET...
#
# Each build/fuzz/fuzz-TARGET (make fuzz-build) runs on a copy of
# tests/fuzz/corpus/TARGET in $FUZZ_BUILD/TARGET/corpus, with
# tests/fuzz/TARGET.dict when there is one.  One line per target:
#   fuzz TARGET: ok, 16 s: 251234 runs, 15702 exec/s, cov 412, ft 1893,
#     corpus 143 (+56 new), peak 61 MB
# or FOUND with where the reproducer was saved: FUZZ_CRASH_DIR, or the
# target's own corpus by default (so make check replays it from then on).
# Then "N passed, N failed" (one per target); exit 1 if any failed.
#
# Environment: FUZZ_BUILD (build/fuzz), FUZZ_CRASH_DIR, FUZZ_ARGS (more
# libFuzzer options), FUZZ_RUNS (stop after that many executions, or
# SECONDS, whichever comes first: make fuzz-long), FUZZ_FIGURES (a file
# the result lines are appended to), ASAN_OPTIONS, UBSAN_OPTIONS,
# LSAN_OPTIONS.
set -u

cd "$(dirname "$0")/../.." || exit 2
if [ $# -lt 2 ]; then
	echo "usage: $0 SECONDS TARGET..." >&2
	exit 2
fi
seconds=$1
shift
FUZZ_BUILD=${FUZZ_BUILD:-build/fuzz}
passed=0
failed=0

# The libFuzzer log's figures, as one line (its last status line and the
# final stats print_final_stats=1 adds).
figures() {
	awk '
	/^#[0-9]+/ && / cov: / {
		for (i = 1; i <= NF; i++) {
			if ($i == "cov:") cov = $(i + 1)
			if ($i == "ft:") ft = $(i + 1)
			if ($i == "corp:") { corp = $(i + 1); sub(/\/.*/, "", corp) }
		}
	}
	/^stat::number_of_executed_units:/ { runs = $2 }
	/^stat::average_exec_per_sec:/ { eps = $2 }
	/^stat::new_units_added:/ { added = $2 }
	/^stat::peak_rss_mb:/ { rss = $2 }
	END {
		printf "%s runs, %s exec/s, cov %s, ft %s, corpus %s (+%s new), peak %s MB\n",
		    runs, eps, cov, ft, corp, added, rss
	}' "$1"
}

# save_artifacts TARGET DIR: copy what libFuzzer left in DIR to the crash
# directory; print the saved paths.
save_artifacts() {
	dest=${FUZZ_CRASH_DIR:-tests/fuzz/corpus/$1}
	for f in "$2"/*; do
		[ -f "$f" ] || continue
		mkdir -p "$dest" && cp "$f" "$dest/" || return 1
		printf ' %s' "$dest/${f##*/}"
	done
}

run_one() {
	t=$1
	bin=$FUZZ_BUILD/fuzz-$t
	dir=$FUZZ_BUILD/$t
	if [ ! -x "$bin" ]; then
		echo "fuzz $t: FAILED, $bin is missing (make fuzz-build)"
		return 1
	fi
	rm -rf "$dir"
	mkdir -p "$dir/corpus" "$dir/artifacts" || return 1
	cp tests/fuzz/corpus/"$t"/* "$dir/corpus/" 2>/dev/null
	set --
	[ -f "tests/fuzz/$t.dict" ] && set -- "-dict=tests/fuzz/$t.dict"
	[ -n "${FUZZ_RUNS:-}" ] && set -- "$@" "-runs=$FUZZ_RUNS"
	echo "fuzzing $t for $seconds s${FUZZ_RUNS:+ or $FUZZ_RUNS runs} (log: $dir/fuzz.log)"
	start=$(date +%s)
	# shellcheck disable=SC2086 # FUZZ_ARGS: options, split on purpose
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
	LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$(pwd)/tests/fuzz/lsan.supp:print_suppressions=0} \
	    "$bin" -max_total_time="$seconds" -timeout=10 -max_len=8192 \
	    -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "$@" \
	    ${FUZZ_ARGS:-} "$dir/corpus" >"$dir/fuzz.log" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	saved=$(save_artifacts "$t" "$dir/artifacts") || saved=" (could not copy $dir/artifacts)"
	if [ -n "$saved" ]; then
		# what broke, and the stack, for the CI log
		grep -E 'invariant broken|ERROR: |runtime error|SUMMARY' "$dir/fuzz.log" | head -n 5
		echo "fuzz $t: FOUND after $took s, reproducer saved as:$saved"
		echo "fuzz $t: reproduce with $bin FILE or build/asan/fuzz-replay-$t FILE (log: $dir/fuzz.log)"
		return 1
	fi
	if [ "$rc" != 0 ]; then
		tail -n 20 "$dir/fuzz.log"
		echo "fuzz $t: FAILED, libFuzzer exited $rc (log: $dir/fuzz.log)"
		return 1
	fi
	echo "fuzz $t: ok, $took s: $(figures "$dir/fuzz.log")"
}

for t in "$@"; do
	if run_one "$t" >"$FUZZ_BUILD/run-$t.out"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
	cat "$FUZZ_BUILD/run-$t.out"
	[ -n "${FUZZ_FIGURES:-}" ] && grep "^fuzz $t: " "$FUZZ_BUILD/run-$t.out" >>"$FUZZ_FIGURES"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
