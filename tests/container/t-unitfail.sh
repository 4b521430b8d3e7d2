#!/bin/sh
# A unit's failed start, under a real systemd (issue 27, items 2 and 5):
# nginx's config has a second site on a port something else holds
# (8081), which `nginx -t` (ExecStartPre) lets pass, so the start itself
# fails: `bind() to 0.0.0.0:8081 failed (98: Address already in use)`.
# As deploy, `cutover switch newsite` fails at once (not at the start
# timeout), in nginx's own words from the unit's journal, rolls back to
# apache2, and leaves nginx.service reset, not `failed`: with the config
# fixed, deploy switches again without root.  Twice: Debian's own unit
# (Type=forking: the start job fails) and with the handoff drop-in
# (Type=exec: the job is done, then nginx exits while cutover waits for
# it to serve).  Then two units of the test's own: one whose output has
# terminal escapes, a carriage return and a byte that is not text (none
# of it reaches the output or the audit record raw), and one that says
# nothing (systemd's Result= and exit status instead).  A unit failed
# before cutover touched it is still refused (t-switch.sh).  The time
# each failure took is printed, never asserted.  A new unit that crashes
# after it came up (during the check) is reset by the rollback's stop
# too: deploy switches again at once.
. tests/container/site.sh

# policy NAME [NGINX-KEYS]
policy() {
	cat >"$CT_SCRATCH/policy.conf" <<EOF
audit = { syslog = true; file = "/var/log/cutover/audit.jsonl"; };
services = {
$(svc_apache2)
$(svc_nginx "start_timeout = 10.0; ${2:-}")
};
ports = ( { port = 8080; holders = ["apache2", "nginx"]; } );
checks = { homepage = { url = "http://127.0.0.1:8080/"; contains = "$NEW_TEXT"; within = 3.0; }; };
plans = { newsite = { port = 8080; from = "apache2"; to = "nginx"; verify = ["homepage"]; }; };
rules = ( { users = ["deploy"]; switch = ["newsite"]; } );
EOF
	site_policy "$1" "$CT_SCRATCH/policy.conf"
}

SITE=/etc/nginx/sites-available/default

# break NAME: something else holds 8081, and nginx's config has a site on it.
break_config() {
	ct_run "$1" systemd-run -q --unit=other8081 /usr/bin/python3 -m http.server \
	    --bind 0.0.0.0 8081 ||
	    fail_check "the holder of 8081 did not start"
	ct_run "$1" sh -c 'i=0; until ss -Hltn "sport = :8081" | grep -q .; do
	    [ $i -lt 100 ] || exit 1; sleep 0.05; i=$((i+1)); done' ||
	    fail_check "nothing listens on 8081"
	printf 'server { listen 8081; root /srv/new; }\n' >>"$CT_SCRATCH/$1/merged$SITE"
	ct_run "$1" nginx -t -q || fail_check "nginx -t refuses the config (it should pass)"
}

fix_config() {
	sed -i '/listen 8081;/d' "$CT_SCRATCH/$1/merged$SITE"
}

# fails_in_own_words NAME WHAT
fails_in_own_words() {
	t0=$(date +%s.%N)
	expect 1 "$2: switch newsite, nginx cannot bind 8081" as_deploy "$1" cutover switch newsite
	rc=$?
	t1=$(date +%s.%N)
	echo "$2: the failed switch took $(awk "BEGIN { printf \"%.2f\", $t1 - $t0 }") s (start_timeout 10 s)"
	[ $rc = 0 ] || return 1
	printf '%s\n' "$out" | grep 'switch newsite: start nginx:'
	has "start nginx: nginx.service failed (stopped again, failed state reset): " &&
	    has "nginx: [emerg] bind() to 0.0.0.0:8081 failed (98: Address already in use)" &&
	    has "rolled back" && lacks "is held by" && lacks "cutover-handoff:"
	is "$1" apache2 active
	is "$1" nginx inactive
	case $(page "$1") in *"$OLD_TEXT"*) echo "ok: $2: apache2 serves the old page again" ;;
	*) fail_check "$2: apache2 does not serve the old page" "$(page "$1")" ;; esac
	ct_run "$1" grep '"step":"start nginx"' /var/log/cutover/audit.jsonl | tail -n 1 |
	    grep -q 'failed state reset' ||
	    fail_check "$2: the start step's audit record does not say nginx.service was reset" \
	    "$(ct_run "$1" grep '"step":"start nginx"' /var/log/cutover/audit.jsonl | tail -n 1)"
}

# retry NAME WHAT: the config fixed, deploy switches (no root in between)
retry() {
	fix_config "$1"
	expect 0 "$2: switch newsite again, the config fixed" as_deploy "$1" cutover switch newsite &&
	    has "nginx serves port 8080, verified"
	is "$1" nginx active
	is "$1" apache2 inactive
}

# ---- a: Debian's nginx.service (Type=forking): the start job fails ----------------
site_up a || { fail_check "container a did not come up"; finish; }
policy a
break_config a
fails_in_own_words a "Debian's unit"
retry a "Debian's unit"

# ---- a, again: nginx crashes after it came up, during the check --------------------
# Back to apache2; a watcher kills nginx's master (SIGKILL, as the OOM
# killer would) once apache2 is stopped: the check fails, the switch rolls
# back, and its stop of nginx finds the unit failed and resets it, so
# that deploy's next switch is not refused (before: locked out until root
# ran reset-failed).
ct_run a systemctl disable --now nginx.service >/dev/null 2>&1
ct_run a systemctl enable --now apache2.service >/dev/null 2>&1
ct_run a sh -c 'timeout 60 sh -c "until [ -s /run/nginx.pid ] && ! pgrep -x apache2 >/dev/null; do
    sleep 0.01; done; kill -KILL \$(cat /run/nginx.pid)" >/dev/null 2>&1 &'
expect 1 "switch newsite, nginx killed during the check" as_deploy a cutover switch newsite &&
    has "rolled back" && has "rollback: stop nginx: nothing to do, the service is not running (its unit had failed"
is a nginx inactive
is a apache2 active
expect 0 "switch newsite after the crash, no root in between" as_deploy a cutover switch newsite &&
    has "nginx serves port 8080, verified"

# ---- b: the handoff drop-in (Type=exec): nginx exits while cutover waits -----------
site_up b || { fail_check "container b did not come up"; finish; }
policy b 'socket_handoff = "nginx";'
m=$CT_SCRATCH/b/merged
mkdir -p "$m/etc/systemd/system/nginx.service.d"
cp "$m/usr/share/doc/cutover/examples/systemd/nginx-cutover-handoff.conf" \
    "$m/etc/systemd/system/nginx.service.d/cutover-handoff.conf"
ct_run b systemctl daemon-reload
break_config b
fails_in_own_words b "the handoff drop-in"
retry b "the handoff drop-in"

# ---- c: what a server writes is cleaned; with nothing written, systemd's words -------
# Two units of this test's own: "liar" writes a window title, a colour, a
# carriage return and a byte that is not text to its journal and exits 3;
# "mute" exits 1 and writes nothing.  Both fail as soon as they exit.
site_up c || { fail_check "container c did not come up"; finish; }
m=$CT_SCRATCH/c/merged
cat >"$m/etc/systemd/system/liar.service" <<'UNIT'
[Service]
ExecStart=/usr/bin/dash -c 'printf "\\033]0;pwned\\007\\033[31mliar: [emerg] it was\\rnot me \\377\\n" >&2; sleep 0.2; exit 3'
UNIT
cat >"$m/etc/systemd/system/mute.service" <<'UNIT'
[Service]
ExecStart=/usr/bin/dash -c 'sleep 0.2; exit 1'
UNIT
ct_run c systemctl daemon-reload
cat >"$CT_SCRATCH/policy.conf" <<EOF
audit = { syslog = true; file = "/var/log/cutover/audit.jsonl"; };
services = {
  liar = { unit = "liar.service"; exe = "/usr/bin/dash"; user = "root"; allow_root = true;
           ports = [8090]; start_timeout = 10.0; };
  mute = { unit = "mute.service"; exe = "/usr/bin/dash"; user = "root"; allow_root = true;
           ports = [8091]; start_timeout = 10.0; };
};
rules = ( { users = ["deploy"]; start = ["liar", "mute"]; } );
EOF
site_policy c "$CT_SCRATCH/policy.conf"
expect 1 "start liar, whose output has escapes" as_deploy c cutover start liar &&
    has "liar.service failed (stopped again, failed state reset): liar: [emerg] it was not me ?" &&
    lacks "pwned" && lacks "not ready within"
case $out in
*"$(printf '\033')"* | *"$(printf '\r')"* | *"$(printf '\377')"*)
	fail_check "a raw escape, carriage return or non-text byte reached the output" "$out" ;;
*) echo "ok: nothing of the server's output reached the terminal raw" ;;
esac
ct_run c grep '"action":"start"' /var/log/cutover/audit.jsonl | tail -n 1 |
    grep -qF 'liar: [emerg] it was not me ?' ||
    fail_check "the audit record lacks liar's cleaned words" "$(ct_run c tail -n 1 /var/log/cutover/audit.jsonl)"
is c liar inactive
expect 1 "start mute, which says nothing" as_deploy c cutover start mute &&
    has "mute.service failed (stopped again, failed state reset; systemd: Result=exit-code, exit status 1; its journal has nothing of this start)"
is c mute inactive
finish
