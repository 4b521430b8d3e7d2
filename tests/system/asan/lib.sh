# lib.sh - what tests/system/asan/t-*.sh share: sourced, not run.
#
# The system-asan layer of make check: cutover built with ASan+UBSan
# (build/systest/asan/cutover, the system tests' policy path) and run by
# root, NOT installed setuid - the sanitizers' runtime does not run in a
# setuid process (it reads its options from the environment, which a
# setuid program must not trust, and the loader drops them anyway).  So
# these runs cover what happens after start-up for a caller who is root:
# the policy commands, refusals, and every action against the real
# apache2 and nginx (the steps are entered as for anyone: uid 0 keeps only
# the step's capabilities).  run.sh runs them (SYSTEST_ONLY='asan/t-*')
# after the usual setup.
#
# Every report goes to a file in $SAN_DIR (log_path; world-writable, as
# the children that report may no longer be root); sanitizer_clean fails
# on any and prints it, so that check.sh's grep sees it too.  exitcode=86
# keeps a report from passing for one of cutover's own exit statuses.
# Environment: SYSTEST_ASAN_CUTOVER (the binary), SYSTEST_ASAN_LEAKS (0
# where LeakSanitizer cannot run; check.sh probes it).

# shellcheck source=tests/system/lib.sh
. tests/system/lib.sh

ASAN_CUTOVER=${SYSTEST_ASAN_CUTOVER:-$SRCDIR/${BUILD:-build}/systest/asan/cutover}
SAN_DIR=$TEST_TMPDIR/sanitizer
mkdir -p "$SAN_DIR" && chmod 1777 "$SAN_DIR" || exit 1
ASAN_OPTIONS="halt_on_error=1:detect_leaks=${SYSTEST_ASAN_LEAKS:-1}:exitcode=86:log_path=$SAN_DIR/asan"
UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=86:log_path=$SAN_DIR/ubsan"
export ASAN_OPTIONS UBSAN_OPTIONS
if [ ! -x "$ASAN_CUTOVER" ]; then
	echo "FAIL: no $ASAN_CUTOVER (make systest-build)"
	exit 1
fi
if ! nm "$ASAN_CUTOVER" 2>/dev/null | grep -q __asan_init; then
	echo "FAIL: $ASAN_CUTOVER is not built with AddressSanitizer"
	exit 1
fi

# root_policy [SED-SCRIPT]: the standard policy with root granted what
# deploy is (and SED-SCRIPT applied after).
root_policy() {
	write_policy "s|users  = \\[\"deploy\"\\];|users  = [\"deploy\", \"root\"];|
${1:-}"
}

# sanitizer_clean: no sanitizer wrote a report; each one found is printed
# and counted as a failure.
sanitizer_clean() {
	for _f in "$SAN_DIR"/*; do
		[ -e "$_f" ] || continue
		cat "$_f"
		fail_check "a sanitizer report: $_f"
	done
	return 0
}
