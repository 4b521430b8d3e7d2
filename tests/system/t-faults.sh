#!/bin/sh
# shellcheck disable=SC2016 # awk code: expanded there
# Fault injection on the privileged steps: the installed setuid cutover,
# run as deploy under strace (as t-pidreuse.sh does: strace as root with
# -u deploy, so the setuid exec is honoured and cutover starts as it
# really does), with one system call made to fail where the kernel could
# make it fail: -e inject=SYSCALL:error=ERRNO:when=N.  For each: a
# non-zero exit, a message that names the failed step, no "ok" outcome,
# nothing signalled and nothing started, and nothing done after the
# failure that needs the step's privileges (no holder search, no pidfd,
# no fork).
#
#   privilege_enter (free-port, start): setresgid, setresuid, capset, and
#     prctl at each of its calls that matter (the first bounding-set drop,
#     PR_SET_SECUREBITS, the PR_SET_DUMPABLE after the uid change,
#     PR_SET_NO_NEW_PRIVS) - N found by counting the calls of a reference
#     run that gets that far; openat of /proc/self/status for the read-back;
#   privilege_drop_to_caller (policy check): setresgid, setresuid;
#   the service's child (start): setgroups for nginx; setgroups,
#     setresgid, setresuid, capset for a root service (apache2, which the
#     parent launches before entering any step, so the child's calls are
#     the first of their kind);
#   start-root: the parent's step after a root service was launched;
#   the kill: pidfd_open ESRCH/EPERM, pidfd_send_signal EPERM (liveness
#     check and the stop signal itself) and ESRCH on the stop signal;
#   fork (clone) EAGAIN for start;
#   the audit file: openat ENOSPC, write ENOSPC/EIO, fdatasync EIO (the
#     request record: exit 4, nothing done), write EIO on the outcome
#     record (done, but said to have failed); a full tmpfs under the audit
#     file with a holder on the port: nothing signalled.
# Skipped (77) where strace cannot trace.
. tests/system/lib.sh

command -v strace >/dev/null 2>&1 || { echo "skip: no strace (make deps installs it)"; exit 77; }
if ! strace -o /dev/null -e trace=none true 2>"$TEST_TMPDIR/strace.err"; then
	echo "skip: strace cannot trace here: $(cat "$TEST_TMPDIR/strace.err")"
	exit 77
fi

# holder: a permitted service whose exe is perl (hold_port), quick to
# stop; deploy may also start apache2 (a root service).
FAULT_POLICY="s|^services = {\$|services = { holder = { exe = \"/usr/bin/perl\"; user = \"intruder\"; start = [\"/usr/bin/perl\"]; stop_timeout = 1.0; ports = [$PORT]; };|
s|holders = \\[\"apache2\", \"nginx\"\\]|holders = [\"apache2\", \"nginx\", \"holder\"]|
s|start  = \\[\"nginx\"\\];|start  = [\"nginx\", \"apache2\"];|"
write_policy "$FAULT_POLICY" || exit 1
if ! grep -q '"holder"' "$POLICY" || ! grep -q '"nginx", "apache2"' "$POLICY"; then
	fail_check "the fault policy was written" "$(cat "$POLICY")"
	finish
fi

TRACE=setuid,setgid,setresuid,setresgid,setgroups,capset,prctl,pidfd_open,pidfd_send_signal,clone,clone3,execve,openat,write,fdatasync
LOG=$TEST_TMPDIR/strace.log

# faulted [-f] [-P PATH] INJECT COMMAND...: cutover COMMAND as deploy under
# strace -ff with -e inject=INJECT ("none": no injection), every process
# followed: the front, the transaction and its steps, each logged to its
# own file in $LOG.d (strace counts when= in each process on its own);
# $LOG has them all; a program cutover runs (a service) is let go at its
# execve (-b execve: a daemon must not keep strace waiting).  -P PATH:
# only calls on PATH are traced, counted and injected (the audit file: a
# write to stderr is not the record's; /proc/self/status: only the steps
# read it).
# $out, $err, $rc.  (-f is accepted for the cases written before every
# run followed forks.)  Under timeout: a run that hangs is a failure.
faulted() {
	paths=
	while :; do
		case $1 in
		-f) shift ;;
		-P) paths="-P $2"; shift 2 ;;
		*) break ;;
		esac
	done
	inject="-e inject=$1"
	[ "$1" != none ] || inject=
	shift
	rm -rf "$LOG.d" && mkdir "$LOG.d"
	# shellcheck disable=SC2086 # paths and inject: words or nothing
	timeout 60 strace -ff -b execve -qq -o "$LOG.d/p" -u deploy -e trace="$TRACE" $paths $inject \
	    "$CUTOVER" "$@" </dev/null >"$TEST_TMPDIR/f.out" 2>"$TEST_TMPDIR/f.err"
	rc=$?
	cat "$LOG.d"/p.* >"$LOG" 2>/dev/null
	out=$(cat "$TEST_TMPDIR/f.out")
	err=$(cat "$TEST_TMPDIR/f.err")
}

# front_log: the log of the run's front (the process strace started);
# step_log: of its step, the first child of the transaction, which is
# the front's child (the pids from the logged clone() results).
child_of() {
	pid=$(grep -E '^(clone|clone3)\(' "$1" 2>/dev/null | head -n 1 | sed -n 's/.*= \([0-9][0-9]*\)$/\1/p')
	[ -n "$pid" ] && [ -f "$LOG.d/p.$pid" ] && echo "$LOG.d/p.$pid"
}
step_log() {
	txn=$(child_of "$(front_log)") && child_of "$txn"
}
front_log() {
	grep -l '^execve(' "$LOG.d"/p.* 2>/dev/null | head -n 1
}

# injected DESC SYSCALL: the log shows SYSCALL failing as injected (else
# the case tested nothing).
injected() {
	grep -q "^\([0-9]* *\)\?$2(.*(INJECTED)" "$LOG" ||
	    fail_check "$1: strace injected a failure into $2" "$(grep "$2(" "$LOG" | tail -n 5)"
}

# status DESC WANT MESSAGE: exit WANT, stderr has MESSAGE.
status() {
	[ "$rc" = "$2" ] || fail_check "$1: exit $2, got $rc" "stdout: $out
stderr: $err"
	case $err in
	*"$3"*) ;;
	*) fail_check "$1: stderr says \"$3\"" "$err" ;;
	esac
	case $out in
	*"stopped "* | *"started "* | *": started"*) fail_check "$1: stdout claims success" "$out" ;;
	esac
}

# no_signal DESC: no stop signal (anything but 0) was sent, successfully
# or not.
no_signal() {
	if grep -Eq 'pidfd_send_signal\([0-9]+, SIG[A-Z0-9]+' "$LOG"; then
		fail_check "$1: nothing was signalled" "$(grep pidfd_send_signal "$LOG")"
	fi
}

# no_exec DESC: nothing was executed after cutover itself.
no_exec() {
	n=$(grep -c 'execve(' "$LOG")
	[ "$n" -le 1 ] || fail_check "$1: nothing was executed" "$(grep 'execve(' "$LOG")"
}

# after DESC PATTERN FORBIDDEN [FILE]: in each process (or in FILE's
# alone), no line matching FORBIDDEN comes after the first line matching
# PATTERN (the injected failure): nothing that needs the step's
# privileges ran once entering it failed.
after() {
	for f in ${4:-"$LOG.d"/p.*}; do
		bad=$(awk -v at="$2" -v no="$3" 'seen && $0 ~ no { print; exit } $0 ~ at { seen = 1 }' "$f")
		[ -z "$bad" ] || fail_check "$1: nothing after the failure: $bad" "$(tail -n 20 "$f")"
	done
}

# outcome DESC REQUEST-DECISION [OUTCOME [PIDS]]: the records since
# audit_mark: the request record, and the outcome record OUTCOME (none if
# not given) listing PIDS (default "[]"; "-": not checked).
outcome() {
	if [ $# -ge 3 ]; then
		audit_new 2 "$1" || return 1
		field_is 2 outcome "$1: outcome" "\"$3\""
		[ "${4:-[]}" = - ] || field_is 2 pids "$1: the pids in the outcome record" "${4:-[]}"
	else
		audit_new 1 "$1" || return 1
	fi
	field_is 1 stage "$1: the request record" '"request"'
	field_is 1 decision "$1: the decision" "\"$2\""
	grep -q '"outcome" *: *"ok"' "$TEST_TMPDIR/new.jsonl" &&
	    fail_check "$1: no ok outcome" "$(cat "$TEST_TMPDIR/new.jsonl")"
	return 0
}

# holder_intact DESC: the holder started by hold_port still runs and
# $PORT is still held by it alone.
holder_intact() {
	gone "$held" && fail_check "$1: the holder (pid $held) still runs"
	[ "$(port_pids "$PORT" | tr '\n' ' ')" = "$held " ] ||
	    fail_check "$1: the holder still holds $PORT, alone" "$(describe_holders "$PORT")"
}

# nothing_started DESC: no nginx, no apache2, $PORT free.
nothing_started() {
	[ -z "$(nginx_procs)" ] || fail_check "$1: no nginx runs ($(nginx_procs | tr '\n' ' '))"
	[ -z "$(apache2_procs)" ] || fail_check "$1: no apache2 runs ($(apache2_procs | tr '\n' ' '))"
	listening "$PORT" && fail_check "$1: $PORT is still free" "$(describe_holders "$PORT")"
	return 0
}

# nth LOG SYSCALL PATTERN [ANCHOR [MIN]]: how many calls of SYSCALL the
# (single-process) LOG has up to and including the first that matches
# PATTERN (after the first line matching ANCHOR) and is past the MIN-th;
# empty if none does.  (MIN: the front's own count, so that when=N, which
# strace counts in every process, reaches the step's call alone.)
nth() {
	awk -v sc="$2(" -v pat="$3" -v anchor="${4:-.}" -v min="${5:-0}" '
	    $0 ~ anchor { armed = 1 }
	    index($0, sc) == 1 { n++; if (armed && n > min && $0 ~ pat) { print n; exit } }' "$1"
}

hold_port intruder "$PORT" || { fail_check "a permitted holder (perl as intruder) on $PORT"; finish; }

# ---- the reference run: every call counted, nothing signalled -------------
# pidfd_open EPERM: the holder is found, then cannot be opened: refused
# before any signal.  Its log gives the position of each prctl.
audit_mark
faulted pidfd_open:error=EPERM:when=1 free-port "$PORT"
injected "pidfd_open EPERM" pidfd_open
status "pidfd_open EPERM" 1 "nothing was signalled"
no_signal "pidfd_open EPERM"
outcome "pidfd_open EPERM" allow failed
holder_intact "pidfd_open EPERM"
cp "$(step_log)" "$TEST_TMPDIR/reference.log" ||
    fail_check "the reference run has a step process" "$(ls "$LOG.d")"
cp "$(front_log)" "$TEST_TMPDIR/reference-front.log" ||
    fail_check "the reference run has a front" "$(ls "$LOG.d")"

# ---- privilege_enter for free-port ---------------------------------------
# enter_fault DESC INJECT MESSAGE [PATH]: free-port with INJECT (only on
# PATH's calls, if given) fails in the step's privilege_enter: exit 1,
# MESSAGE, the outcome "failed", no holder search in the step (no
# /proc/net/tcp), no pidfd, no signal, the holder intact.
enter_fault() {
	audit_mark
	if [ $# -ge 4 ]; then
		faulted -P "$4" "$2" free-port "$PORT"
	else
		faulted "$2" free-port "$PORT"
	fi
	injected "$1" "${2%%:*}"
	status "$1" 1 "$3"
	has "refusing to go on" err "$1: says it stops"
	no_signal "$1"
	after "$1" "INJECTED" 'pidfd_open|/proc/net/tcp|clone' "$(step_log)"
	outcome "$1" allow failed
	holder_intact "$1"
}
enter_fault "setresgid EPERM" setresgid:error=EPERM:when=1 "setresgid: Operation not permitted"
enter_fault "setresgid EAGAIN" setresgid:error=EAGAIN:when=1 "setresgid: Resource temporarily unavailable"
enter_fault "setresuid EAGAIN" setresuid:error=EAGAIN:when=1 "setresuid: Resource temporarily unavailable"
enter_fault "setresuid EPERM" setresuid:error=EPERM:when=1 "setresuid: Operation not permitted"
enter_fault "capset EPERM" capset:error=EPERM:when=1 "cap_set_proc"

ref=$TEST_TMPDIR/reference.log
front_prctls=$(grep -c '^prctl(' "$TEST_TMPDIR/reference-front.log")
# prctl: CALL, the message, the anchor after which to look for CALL
# (hygiene's PR_SET_DUMPABLE comes earlier).  Not injected: libcap's
# PR_CAP_AMBIENT_IS_SET probes in cap_reset_ambient, whose failure libcap
# itself ignores (then privilege_verify reads CapAmb back).
for what in "PR_CAPBSET_DROP cap_drop_bound ." "PR_SET_SECUREBITS PR_SET_SECUREBITS ." \
    "PR_SET_DUMPABLE PR_SET_DUMPABLE ^setresuid" "PR_SET_NO_NEW_PRIVS PR_SET_NO_NEW_PRIVS ."; do
	# shellcheck disable=SC2086 # three words, split on purpose
	set -- $what
	n=$(nth "$ref" prctl "$1" "$3" "$front_prctls")
	if [ -z "$n" ]; then
		fail_check "the reference run has a prctl($1) after $3" "$(grep -E 'prctl|setres|capset' "$ref" | tail -n 60)"
		continue
	fi
	enter_fault "prctl #$n ($1) EPERM" "prctl:error=EPERM:when=$n" "$2"
done

# privilege_verify cannot read /proc/self/status back: refused all the same
# (only the steps open it: traced with -P, the first is the read-back)
n=$(nth "$ref" openat /proc/self/status ^setresuid)
if [ -n "$n" ]; then
	enter_fault "openat of /proc/self/status (the read-back) EACCES" "openat:error=EACCES:when=1" \
	    "/proc/self/status" /proc/self/status
else
	fail_check "the reference run reads /proc/self/status back" "$(grep -E 'openat|setres' "$ref" | tail -n 20)"
fi

# ---- privilege_drop_to_caller: the policy commands ---------------------------
for inj in setgid:error=EPERM:when=1 setuid:error=EAGAIN:when=1; do
	faulted "$inj" policy check "$POLICY"
	injected "policy check, $inj" "${inj%%:*}"
	[ "$rc" != 0 ] || fail_check "policy check, $inj: refused (non-zero exit)"
	case $err in
	*"cannot set up privileges (${inj%%:*}"*) ;;
	*) fail_check "policy check, $inj: says why" "$err" ;;
	esac
	case $out in
	*valid*) fail_check "policy check, $inj: no verdict on the policy" "$out" ;;
	esac
	after "policy check, $inj" "INJECTED" "cutover-systest/cutover/policy.conf"
done

# ---- the kill: pidfd_open, pidfd_send_signal --------------------------------
audit_mark
faulted pidfd_open:error=ESRCH:when=1 free-port "$PORT"
injected "pidfd_open ESRCH" pidfd_open
status "pidfd_open ESRCH (the holder looks gone, but still holds)" 1 "still held"
no_signal "pidfd_open ESRCH"
outcome "pidfd_open ESRCH" allow failed
holder_intact "pidfd_open ESRCH"

audit_mark
faulted pidfd_send_signal:error=EPERM:when=1 free-port "$PORT"
injected "pidfd_send_signal(0) EPERM" pidfd_send_signal
status "pidfd_send_signal(0) EPERM (liveness check)" 1 "nothing was signalled"
no_signal "pidfd_send_signal(0) EPERM"
outcome "pidfd_send_signal(0) EPERM" allow failed
holder_intact "pidfd_send_signal(0) EPERM"

# the stop signal itself: N = its position among pidfd_send_signal calls
# (one holder: the liveness check after pidfd_open, the one before the
# signal, then the signal: 3; checked below)
sig_n=3
for e in EPERM ESRCH; do
	audit_mark
	faulted "pidfd_send_signal:error=$e:when=$sig_n" free-port "$PORT"
	injected "the stop signal $e" pidfd_send_signal
	grep -Eq "pidfd_send_signal\([0-9]+, SIGTERM.*$e.*INJECTED" "$LOG" ||
	    fail_check "the stop signal $e: call $sig_n is the SIGTERM" "$(grep pidfd_send_signal "$LOG")"
	if [ "$e" = EPERM ]; then
		status "the stop signal EPERM" 1 "cannot signal pid $held"
	else
		status "the stop signal ESRCH (the holder looks gone, but still holds)" 1 "still held"
	fi
	outcome "the stop signal $e" allow failed
	holder_intact "the stop signal $e"
done

# ---- the audit file ------------------------------------------------------------
# audit_fault DESC INJECT: the request record cannot be written (by the
# transaction, or the log not even opened by the front): exit 4, nothing
# done (the holder intact: nothing signalled), no record or no complete
# one.  Traced with -P: only the audit file's calls are counted.
audit_fault() {
	audit_mark
	faulted -P "$AUDIT" "$2" free-port "$PORT"
	injected "$1" "${2%%:*}"
	status "$1" 4 "nothing was done"
	holder_intact "$1"
	audit_valid "$1: no partial record"
	if tail -n +"$((audit_mark + 1))" "$AUDIT" 2>/dev/null | grep -q '"outcome"'; then
		fail_check "$1: no outcome record" "$(tail -n 2 "$AUDIT")"
	fi
	return 0
}
# the front opens the audit file (the transaction inherits the
# descriptor): its N-th openat, N counted in the reference run's front;
# once it fails there is no transaction to count others
n=$(nth "$TEST_TMPDIR/reference-front.log" openat "audit.jsonl")
if [ -n "$n" ]; then
	audit_mark
	faulted "openat:error=ENOSPC:when=$n" free-port "$PORT"
	injected "openat of the audit file ENOSPC" openat
	status "openat of the audit file ENOSPC" 4 "nothing was done"
	no_signal "openat of the audit file ENOSPC"
	holder_intact "openat of the audit file ENOSPC"
else
	fail_check "the reference run opened the audit file" "$(grep openat "$TEST_TMPDIR/reference-front.log" | tail -n 20)"
fi
audit_fault "write of the request record ENOSPC" write:error=ENOSPC:when=1
audit_fault "write of the request record EIO" write:error=EIO:when=1
audit_fault "fdatasync of the request record EIO" fdatasync:error=EIO:when=1

# ---- fork for start: EAGAIN ------------------------------------------------------
kill_tracked
wait_for 5 not_listening "$PORT" || fail_check "the port is free for the start cases"
audit_mark
faulted -f clone:error=EAGAIN:when=1 start nginx
injected "fork EAGAIN" clone
status "fork EAGAIN" 1 "fork: Resource temporarily unavailable"
no_exec "fork EAGAIN"
outcome "fork EAGAIN" allow failed
nothing_started "fork EAGAIN"

# ---- privilege_enter for start (nginx): nothing forked ------------------------
for inj in setgroups:error=EPERM:when=1 setresgid:error=EPERM:when=1 setresuid:error=EAGAIN:when=1 \
    capset:error=EPERM:when=1; do
	audit_mark
	faulted -f "$inj" start nginx
	injected "start nginx, $inj" "${inj%%:*}"
	status "start nginx, $inj" 1 "nothing was started"
	after "start nginx, $inj" "INJECTED" 'clone|execve|/proc/net/tcp'
	no_exec "start nginx, $inj"
	outcome "start nginx, $inj" allow failed
	nothing_started "start nginx, $inj"
done

# (nginx's child's own setgroups can no longer be faulted alone: strace
# counts when= in each process, and the start step's own setgroups - it
# runs as the step user, with no supplementary groups - comes first; the
# loop above faults that one, the apache2 case below a child's.)

# ---- the child of a root service (apache2): its calls come first ------------
for inj in setgroups:error=EPERM:when=1 setresgid:error=EAGAIN:when=1 \
    setresuid:error=EAGAIN:when=1 capset:error=EPERM:when=1; do
	audit_mark
	faulted -f "$inj" start apache2
	injected "apache2's child: $inj" "${inj%%:*}"
	status "apache2's child: $inj" 1 "could not start apache2"
	has "nothing runs" err "apache2's child: $inj: says nothing runs"
	no_exec "apache2's child: $inj"
	outcome "apache2's child: $inj" allow failed -
	nothing_started "apache2's child: $inj"
done

# ---- start-root: apache2 launched as root, then the parent cannot drop ------
# The designed exception: the launch happens before the step; if the step
# then fails, cutover must not go on (no wait) and must say that the
# service was launched.  N: the parent's PR_SET_SECUREBITS in a reference
# start of apache2 (which really starts it; the child is not traced).
audit_mark
faulted none start apache2
[ "$rc" = 0 ] || fail_check "start apache2 (the reference run): exit 0, got $rc" "$err"
audit_new 2 "start apache2 (the reference run)" &&
    field_is 2 outcome "start apache2 (the reference run)" '"ok"'
[ -n "$(apache2_pid)" ] || fail_check "start apache2 (the reference run): apache2 runs"
apache2_stop || fail_check "apache2 stopped after the reference start"
wait_for 5 not_listening "$PORT" || fail_check "the port is free after the reference start"
n=$(nth "$(step_log)" prctl PR_SET_SECUREBITS)
if [ -n "$n" ]; then
	audit_mark
	faulted "prctl:error=EPERM:when=$n" start apache2
	injected "start-root: PR_SET_SECUREBITS EPERM" prctl
	status "start-root: PR_SET_SECUREBITS EPERM" 1 "could not give up root"
	has "launched (pid" err "start-root: says it was launched, and which pid"
	after "start-root: PR_SET_SECUREBITS EPERM" "INJECTED" '/proc/net/tcp|execve' "$(step_log)"
	outcome "start-root: PR_SET_SECUREBITS EPERM" allow failed -
	# it was launched: let it come up (it daemonizes on its own), then stop it
	wait_for 10 listening "$PORT"
	apache2_stop
else
	fail_check "the reference start of apache2 has a PR_SET_SECUREBITS" "$(grep prctl "$LOG" | tail -n 20)"
fi
wait_for 10 not_listening "$PORT" || fail_check "the port is free after the start-root case"

# ---- the outcome record cannot be written: done, but not "ok" -----------------
# (the last case: the holder is stopped for real)
hold_port intruder "$PORT" || { fail_check "a permitted holder (perl as intruder) on $PORT"; finish; }
audit_mark
faulted -P "$AUDIT" write:error=EIO:when=2 free-port "$PORT"
injected "write of the outcome record EIO" write
[ "$rc" = 1 ] || fail_check "write of the outcome record EIO: exit 1, got $rc" "$err"
has "cannot write the outcome record" err "write of the outcome record EIO: says so"
audit_new 1 "write of the outcome record EIO: the request record only" &&
    field_is 1 decision "write of the outcome record EIO" '"allow"'
gone "$held" ||
    fail_check "write of the outcome record EIO: the holder was stopped before (this case is real)"

# ---- a full filesystem under the audit file, a holder on the port -----------
kill_tracked
wait_for 5 not_listening "$PORT" || fail_check "the port is free again"
hold_port intruder "$PORT" || { fail_check "a permitted holder (perl as intruder) on $PORT"; finish; }
if mount -t tmpfs -o size=4k,mode=0755 cutover-systest "$AUDIT_DIR"; then
	# fill it: whatever fits, then nothing more
	dd if=/dev/zero of="$AUDIT_DIR/filler" bs=1k count=64 2>/dev/null
	audit_mark
	expect 4 "audit filesystem full: free-port refused" -- as_deploy "$CUTOVER" free-port "$PORT"
	has "nothing was done" err "audit filesystem full: says nothing was done"
	holder_intact "audit filesystem full"
	umount "$AUDIT_DIR" || fail_check "unmount the test tmpfs"
else
	fail_check "mount a 4k tmpfs on $AUDIT_DIR for the full-filesystem test"
fi
kill_tracked

# ---- the start command itself fails (launched, then exits 1) ---------------
write_policy "$FAULT_POLICY
s|\"$NGINX_CONF\"|\"/nonexistent/nginx.conf\"|" || exit 1
grep -q /nonexistent/nginx.conf "$POLICY" || fail_check "the broken nginx policy was written"
audit_mark
expect_files 1 "start nginx with a missing config: fails" -- as_deploy "$CUTOVER" start nginx
has "nginx did not start: its start command" err "says the start command failed"
outcome "start nginx with a missing config" allow failed -
nothing_started "start nginx with a missing config"

audit_valid "after the faults"
finish
