# lib.sh - helpers for the cli tests: sourced, not run.
# expect STATUS DESCRIPTION -- COMMAND...: run COMMAND, keep its stdout in
# $out and stderr in $err, and fail the test when the status differs.
fails=0
expect() {
	want=$1 what=$2
	shift 3
	out=$("$@" 2>"$TEST_TMPDIR/stderr")
	got=$?
	err=$(cat "$TEST_TMPDIR/stderr")
	if [ "$got" != "$want" ]; then
		echo "FAIL: $what: exit $got, wanted $want"
		echo "  stdout: $out"
		echo "  stderr: $err"
		fails=$((fails + 1))
		return 1
	fi
	return 0
}
# has TEXT WHERE DESCRIPTION: WHERE ("out" or "err") must contain TEXT.
has() {
	if [ "$2" = out ]; then hay=$out; else hay=$err; fi
	case $hay in
	*"$1"*) return 0 ;;
	esac
	echo "FAIL: $3: no \"$1\" in std$2:"
	echo "$hay" | sed 's/^/  /'
	fails=$((fails + 1))
	return 1
}
lacks() {
	if [ "$2" = out ]; then hay=$out; else hay=$err; fi
	case $hay in
	*"$1"*)
		echo "FAIL: $3: \"$1\" in std$2"
		fails=$((fails + 1))
		return 1 ;;
	esac
	return 0
}
finish() {
	[ "$fails" -eq 0 ]
	exit $?
}
