#!/bin/sh
# The fleet (issue 16): four hosts, each a container with systemd 252 as
# PID 1, Debian's apache2.service serving the old page on 8080, the
# cutover .deb, the package's own example policy for a systemd host, and
# user deploy (group cutover) with an ssh key.  Debian's ansible-playbook,
# here on the host, runs rolling-switch.yml of the cutover-ansible package
# (the collection as a controller installs it) over real ssh
# as deploy, with no become: each host's sshd listens on its own loopback
# only, and ssh reaches it through a ProxyCommand that is socat in that
# container's network namespace (no address is configured anywhere).
#   - --check: nothing changes on any host;
#   - host 4's policy lacks the grant: the pre-flight play stops the run,
#     names host 4 and the grant, and nothing changes anywhere;
#   - four good hosts, serial 1: all four serve the new page, then a
#     second run changes nothing (changed=0 on each);
#   - host 3 of 4 with a broken new page: hosts 1-2 switched, host 3
#     rolled back by cutover (apache2 serves the old page, enabled as
#     before), host 4 untouched, the play failed naming host 3 and why.
. tests/container/site.sh

HOSTS="host1 host2 host3 host4"
ctl=$CT_SCRATCH/controller
ex=/usr/share/doc/cutover/examples
command -v ansible-playbook >/dev/null ||
    { fail_check "no ansible-playbook (make check as root installs ansible-core)"; finish; }
command -v socat >/dev/null || { fail_check "no socat (make check as root installs it)"; finish; }

mkdir -p "$ctl/tmp" && chmod 0700 "$ctl" &&
    ssh-keygen -q -t ed25519 -N '' -C cutover-fleet-test -f "$ctl/id" ||
    { fail_check "ssh-keygen"; finish; }
# the collection as the cutover-ansible package installs it (run.sh finds
# the package beside the cutover .deb)
[ -n "${ANSIBLE_DEB:-}" ] || { fail_check "no cutover-ansible .deb beside $DEB (make deb builds it)"; finish; }
dpkg-deb -x "$ANSIBLE_DEB" "$ctl/pkg" || { fail_check "dpkg-deb -x $ANSIBLE_DEB"; finish; }
COLLECTIONS=$ctl/pkg/usr/share/ansible/collections
playbook=$COLLECTIONS/ansible_collections/cutover/deploy/playbooks/rolling-switch.yml

# host_up NAME: the site, the example policy and its handoff drop-in,
# deploy's authorized key; its ssh route and host key for the controller.
host_up() {
	site_up "$1" || return 1
	ct_run "$1" install -m 0640 "$ex/systemd.conf" /etc/cutover/policy.conf || return 1
	ct_run "$1" install -D -m 0644 "$ex/systemd/nginx-cutover-handoff.conf" \
	    /etc/systemd/system/nginx.service.d/cutover-handoff.conf || return 1
	ct_run "$1" systemctl daemon-reload || return 1
	ct_run "$1" install -d -o deploy -g deploy -m 0700 /home/deploy/.ssh || return 1
	install -m 0644 "$ctl/id.pub" "$CT_SCRATCH/$1/merged/home/deploy/.ssh/authorized_keys" &&
	    ct_run "$1" chown deploy:deploy /home/deploy/.ssh/authorized_keys || return 1
	printf 'Host %s\n  ProxyCommand nsenter -t %s -n socat STDIO TCP:127.0.0.1:22\n' \
	    "$1" "$(cat "$CT_SCRATCH/$1/pid1")" >>"$ctl/ssh_config"
	key=$(ct_run "$1" cat /etc/ssh/ssh_host_ed25519_key.pub) || return 1
	echo "$1 ${key% *}" >>"$ctl/known_hosts"
	printf '%s ansible_user=deploy ansible_python_interpreter=/usr/bin/python3\n' "$1" >>"$ctl/hosts"
}

t0=$(date +%s)
printf '[web]\n' >"$ctl/hosts"
for h in $HOSTS; do
	host_up "$h" || { fail_check "$h did not come up"; finish; }
done
cat >>"$ctl/ssh_config" <<EOF
Host *
  IdentityFile $ctl/id
  IdentitiesOnly yes
  UserKnownHostsFile $ctl/known_hosts
  StrictHostKeyChecking yes
  BatchMode yes
EOF
echo "four hosts up in $(($(date +%s) - t0)) s"

# fleet [OPTION...]: the playbook from the controller, its output in $out
# (ssh without a control master: nothing of ssh outlives the run)
fleet() {
	env -i HOME="$ctl" PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
	    ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS" ANSIBLE_SSH_ARGS="-F $ctl/ssh_config" \
	    ANSIBLE_PIPELINING=1 ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 \
	    ANSIBLE_LOCAL_TEMP="$ctl/tmp" ANSIBLE_FORCE_COLOR=0 \
	    ansible-playbook -i "$ctl/hosts" "$@" "$playbook"
}
# recap HOST OK CHANGED FAILED: the PLAY RECAP line for HOST
recap() {
	printf '%s\n' "$out" | grep -Eq "^$1 +: ok=$2 +changed=$3 +unreachable=0 +failed=$4 " ||
	    fail_check "$1: the recap is not ok=$2 changed=$3 failed=$4" "$(printf '%s\n' "$out" | grep -A6 'PLAY RECAP')"
}
serves() {
	case $(page "$1") in
	*"$2"*) return 0 ;;
	esac
	fail_check "$1: $3: the page is not '$2'" "$(page "$1")"
}
# old HOST / new HOST: which service serves, and starts at boot
old() {
	serves "$1" "$OLD_TEXT" "$2"
	is "$1" apache2 active
	is "$1" apache2 enabled
	is "$1" nginx inactive
	is "$1" nginx disabled
}
new() {
	serves "$1" "$NEW_TEXT" "$2"
	is "$1" nginx active
	is "$1" nginx enabled
	is "$1" apache2 inactive
	is "$1" apache2 disabled
}
# back HOST: as root, apache2 serving again as before the switch
back() {
	ct_run "$1" systemctl disable --now nginx.service >/dev/null 2>&1
	ct_run "$1" systemctl enable --now apache2.service >/dev/null 2>&1
}

# ---- check mode: nothing changes --------------------------------------------------
# (the switch task says changed: a real run would change the host; the
# final check is skipped, as nothing was switched)
expect 0 "rolling-switch --check on four hosts" fleet --check
for h in $HOSTS; do
	recap "$h" 4 1 0
	old "$h" "after --check"
done

# ---- host 4 does not grant the plan: stopped before anything is done --------------
ct_run host4 sed -i '/^    switch = \["newsite"\];/d' /etc/cutover/policy.conf
expect 2 "rolling-switch, host4 lacks the grant: the pre-flight play stops it" fleet &&
    has "host4: the cutover policy does not grant switch newsite to deploy"
lacks "TASK [Switch]"
for h in $HOSTS; do
	old "$h" "after the refused roll-out"
done
ct_run host4 install -m 0640 "$ex/systemd.conf" /etc/cutover/policy.conf

# ---- four good hosts, one at a time; then again: changed=0 ------------------------
t0=$(date +%s%N)
expect 0 "rolling-switch on four hosts" fleet
ms=$((($(date +%s%N) - t0) / 1000000))
echo "the four-host rolling switch took $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s"
for h in $HOSTS; do
	recap "$h" 5 1 0
	new "$h" "after the roll-out"
done
expect 0 "rolling-switch again" fleet
for h in $HOSTS; do
	recap "$h" 5 0 0
	new "$h" "after the second run"
done

# ---- host 3 has a broken page: 1-2 switched, 3 rolled back, 4 untouched -----------
for h in $HOSTS; do
	back "$h"
	old "$h" "put back by root"
done
ct_run host3 sh -c 'echo "<h1>Under construction</h1>" >/srv/new/index.html'
seen=$(ct_run host4 sh -c 'wc -l </var/log/cutover/audit.jsonl')
expect 2 "rolling-switch, host3's new page broken: the play fails" fleet &&
    has "fatal: [host3]: FAILED!" && has "rolled back, apache2 serving 8080 again"
printf '%s\n' "$out" | grep -E '^fatal: ' | sed 's/^/  what the play said: /' | cut -c1-400
# (the roll-out stops at host3: no host gets to the final check)
recap host1 4 1 0
recap host2 4 1 0
recap host3 3 0 1
recap host4 3 0 0
new host1 "host1, switched before host3"
new host2 "host2, switched before host3"
old host3 "host3, rolled back"
old host4 "host4, never switched"
ct_run host4 tail -n "+$((seen + 1))" /var/log/cutover/audit.jsonl |
    grep -q '"action":"switch","target":"newsite","dry_run":false' &&
    fail_check "host4's audit log has a switch since the run began that was not a dry run"
finish
