#!/bin/sh
# The unit code under AddressSanitizer and UBSan: cutover built with both
# (statically linked sanitizer runtimes, the package's paths: $ASAN_CUTOVER,
# which run.sh builds), run by root and not setuid (the sanitizers do not
# run setuid), against Debian's units in the container: policy check, the
# dry run, the switch with the socket handoff, stop, start, free-port of a
# unit, and a switch that rolls back.
# Any sanitizer report, in any process of it (the transaction, each step),
# fails the test.
. tests/container/site.sh

[ -x "${ASAN_CUTOVER:-}" ] || { fail_check "no ASan build of cutover (run.sh builds ASAN_CUTOVER)"; finish; }
site_up a || { fail_check "the container did not come up"; finish; }
m=$CT_SCRATCH/a/merged
cp "$ASAN_CUTOVER" "$m/usr/local/sbin/cutover-asan"
ct_run a install -D -m 0644 /usr/share/doc/cutover/examples/systemd/nginx-cutover-handoff.conf \
    /etc/systemd/system/nginx.service.d/cutover-handoff.conf
ct_run a systemctl daemon-reload
sed -e 's/{ users  = \["deploy"\];/{ users = ["root"]; free = [8080]; /' \
    -e 's/    start  = \["nginx"\];/    start  = ["nginx", "apache2"];/' \
    -e 's/within = 10.0;/within = 2.0;/' \
    "$m/usr/share/doc/cutover/examples/systemd.conf" >"$CT_SCRATCH/policy.conf"
site_policy a "$CT_SCRATCH/policy.conf"
ct_run a install -d -m 1777 /tmp/san

# san CMD...: cutover-asan as root with the sanitizers' reports in /tmp/san
san() {
	ct_run a env ASAN_OPTIONS=halt_on_error=1:detect_leaks=0:exitcode=86:log_path=/tmp/san/asan \
	    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=86:log_path=/tmp/san/ubsan \
	    /usr/local/sbin/cutover-asan "$@"
}

expect 0 "policy check" san policy check
expect 0 "switch -n newsite" san -n switch newsite
expect 0 "switch newsite (handoff)" san switch newsite && has "at boot: nginx.service enabled"
expect 0 "stop nginx" san stop nginx && has "systemd stopped nginx"
expect 0 "start apache2" san start apache2
expect 0 "free-port 8080 (a unit holds it)" san free-port 8080 && has "systemd stopped apache2"
expect 0 "start apache2 again" san start apache2
echo "not the new page" >"$m/srv/new/index.html"
expect 1 "switch newsite to a broken page" san switch newsite &&
    has "rolled back: apache2 was only paused while nginx was checked, and serves port 8080 on" &&
    has "at boot as before (unchanged): apache2.service disabled, nginx.service enabled"
reports=$(ct_run a sh -c 'cat /tmp/san/* 2>/dev/null')
[ -z "$reports" ] && echo "ok: no sanitizer report" ||
    fail_check "sanitizer reports" "$reports"
finish
