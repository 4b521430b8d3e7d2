#!/bin/sh
# run.sh - the test layers of make coverage on its --coverage builds, then
# the report and the threshold (tests/coverage/report.py).  Called by the
# Makefile's coverage target, which has built everything first:
#
#   $COV/cutover, $COV/unit-tests     unit and cli layers (counts: $COV/obj)
#   $COV/systest/cutover              system layer, setuid (root only;
#                                     counts: $COV/systest/obj)
#   $COV/ct/cutover, cutover-handoff  container layer (root only), put into
#                                     the .deb $DEB (ct-deb.sh; counts:
#                                     $COV/ct/obj)
#
# Each layer's counts are in a directory of its own, so that the report
# can say what the container layer adds.  COV_LAYERS (default: unit cli
# system container) picks layers; a layer that fails is said, and the
# report is still made from what ran (coverage is measured, not judged,
# here: make check judges the tests).  Logs: $COV/LAYER.out.
set -u

cd "$(dirname "$0")/../.." || exit 2
COV=${COV_BUILD:-build/cov}
LAYERS=${COV_LAYERS:-unit cli system container}
t_all=$(date +%s)

has() {
	case " $LAYERS " in *" $1 "*) return 0 ;; esac
	return 1
}

# searchable DIR: every directory from DIR up to / is searchable by all
# (a setuid run that ends as another user must reach its .gcda files)
searchable() {
	d=$(readlink -f "$1")
	while [ "$d" != / ]; do
		[ "$(($(stat -c 0%a "$d") & 1))" = 1 ] || { echo "$d"; return 1; }
		d=$(dirname "$d")
	done
	return 0
}

# opened OBJDIR PROGRAM [ARGS]: the .gcda files of PROGRAM's objects made
# by one run as root, then writable by every user (0666): a run that
# ends as the caller, the step user or a service's user writes its
# counts into them (it could not create them: the directories stay
# root's 0755).  That run's own counts (a --version, a usage) stay in.
opened() {
	objdir=$1
	shift
	"$@" >/dev/null 2>&1
	n=$(find "$objdir" -name '*.gcda' | wc -l)
	[ "$n" -gt 0 ] || { echo "coverage: $* wrote no .gcda in $objdir"; return 1; }
	find "$objdir" -name '*.gcda' -exec chmod 0666 {} +
}

layer() {
	name=$1
	shift
	t0=$(date +%s)
	"$@" >"$COV/$name.out" 2>&1
	rc=$?
	COV_RAN="$COV_RAN $name"
	printf '%-10s %s (%s s; log %s)\n' "$name" "$(tail -n 1 "$COV/$name.out")" \
	    "$(($(date +%s) - t0))" "$COV/$name.out"
	[ "$rc" = 0 ] || echo "coverage: the $name layer failed (exit $rc): its counts are still reported"
}

# piped CMD...: CMD with its output through a pipe, its exit status kept.
# The unit tests enter the check step, whose RLIMIT_FSIZE is 0, as the
# check user, who may not write the counts: libgcov says so on stderr at
# the child's exit, and written to a file that is SIGXFSZ, which kills
# the child and fails its test (a pipe has no file size).
piped() {
	{ "$@" 2>&1; echo $? >"$COV/piped.rc"; } | cat
	return "$(cat "$COV/piped.rc")"
}

COV_RAN=
find "$COV" -name '*.gcda' -delete

has unit && layer unit piped env BUILD="$COV" "$COV/unit-tests"
has cli && layer cli sh tests/cli/run.sh "$COV/cutover"

root=yes
[ "$(id -u)" = 0 ] || root=no
if has system; then
	if [ $root = no ]; then
		echo "system     not root: not run (the setuid runs are not measured)"
	elif bad=$(searchable "$COV/systest/obj"); then
		opened "$COV/systest/obj" "$COV/systest/cutover" --version &&
		    layer system flock -o -w 3600 /run/cutover-systest.lock \
		    sh tests/system/run.sh "$COV/systest/cutover"
	else
		echo "system     $bad is not searchable by other users: not run"
	fi
fi

if has container; then
	if [ $root = no ]; then
		echo "container  not root: not run"
	elif [ ! -f "${DEB:-}" ]; then
		echo "container  no cutover .deb (make deb): not run"
	elif bad=$(searchable "$COV/ct/obj"); then
		deb=$(sh tests/coverage/ct-deb.sh "$DEB" "$COV/ct/cutover" \
		    "$COV/ct/cutover-handoff" "$COV/ct/deb") &&
		    opened "$COV/ct/obj" "$COV/ct/cutover" --version &&
		    opened "$COV/ct/obj" "$COV/ct/cutover-handoff" &&
		    CT_BIND=$(readlink -f "$COV/ct/obj") && export CT_BIND &&
		    layer container \
		    flock -w 3600 /run/cutover-container.lock \
		    sh tests/container/run.sh "$deb"
	else
		echo "container  $bad is not searchable by other users: not run"
	fi
fi
echo "layers: $(($(date +%s) - t_all)) s"

export COV_RAN
python3 tests/coverage/report.py "$COV"
