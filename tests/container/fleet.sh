# shellcheck shell=sh
# fleet.sh - a fleet of site.sh hosts driven by Ansible over real ssh, for
# t-fleet.sh and bench/fleet.sh: sourced after site.sh, not run.
#
#   fleet_prepare    the controller in $CT_SCRATCH/controller: an ssh key,
#                    the collection from $ANSIBLE_DEB, and the policy: the
#                    package's systemd example with a reverse plan, oldsite
#                    (nginx back to apache2, checked by the old page)
#   fleet_up N       host1..hostN up at once, each with that policy, the
#                    handoff drop-in and deploy's key; the ssh routes and
#                    the inventory (group web); says how long it took
#   fleet_inventory N  the inventory holds host1..hostN only
#   playbook_run ARG...  rolling-switch.yml from the controller, as deploy
#   close_masters    each host's ssh master closed
# Each host's sshd listens on its own loopback only; ssh reaches it through
# a ProxyCommand that is socat in that container's network namespace (no
# address is configured anywhere), one master connection a host.
ctl=$CT_SCRATCH/controller
ex=/usr/share/doc/cutover/examples

fleet_prepare() {
	command -v ansible-playbook >/dev/null ||
	    { fail_check "no ansible-playbook (make check as root installs ansible-core)"; return 1; }
	command -v socat >/dev/null || { fail_check "no socat (make check as root installs it)"; return 1; }
	mkdir -p "$ctl/tmp" && chmod 0700 "$ctl" &&
	    ssh-keygen -q -t ed25519 -N '' -C cutover-fleet-test -f "$ctl/id" ||
	    { fail_check "ssh-keygen"; return 1; }
	# the collection as the cutover-ansible package installs it (run.sh
	# finds the package beside the cutover .deb)
	[ -n "${ANSIBLE_DEB:-}" ] || { fail_check "no cutover-ansible .deb beside $DEB (make deb builds it)"; return 1; }
	dpkg-deb -x "$ANSIBLE_DEB" "$ctl/pkg" || { fail_check "dpkg-deb -x $ANSIBLE_DEB"; return 1; }
	COLLECTIONS=$ctl/pkg/usr/share/ansible/collections
	playbook=$COLLECTIONS/ansible_collections/cutover/deploy/playbooks/rolling-switch.yml
	policy=$ctl/policy.conf
	sed -e 's|^  homepage = {.*|&\n  oldhome = { url = "http://127.0.0.1:8080/"; status = 200; contains = "the old site"; within = 10.0; };|' \
	    -e 's|^              rollback = true; persist = "disable"; };|&\n  oldsite = { port = 8080; from = "nginx"; to = "apache2"; verify = ["oldhome"];\n              rollback = true; persist = "disable"; };|' \
	    -e 's|^    switch = \["newsite"\];|    switch = ["newsite", "oldsite"];|' \
	    -e 's|^    verify = \["homepage"\];|    verify = ["homepage", "oldhome"];|' \
	    policy/examples/systemd.conf >"$policy"
	if ! grep -q 'oldsite = {' "$policy" || ! grep -q '"newsite", "oldsite"' "$policy"; then
		fail_check "the fleet's policy lacks the reverse plan" "$(cat "$policy")"
		return 1
	fi
}

# host_up NAME: the site, the policy and the handoff drop-in, deploy's
# authorized key; its ssh route and host key in files of its own.
host_up() {
	site_up "$1" || return 1
	site_policy "$1" "$policy" || return 1
	ct_run "$1" install -D -m 0644 "$ex/systemd/nginx-cutover-handoff.conf" \
	    /etc/systemd/system/nginx.service.d/cutover-handoff.conf || return 1
	ct_run "$1" systemctl daemon-reload || return 1
	ct_run "$1" install -d -o deploy -g deploy -m 0700 /home/deploy/.ssh || return 1
	install -m 0644 "$ctl/id.pub" "$CT_SCRATCH/$1/merged/home/deploy/.ssh/authorized_keys" &&
	    ct_run "$1" chown deploy:deploy /home/deploy/.ssh/authorized_keys || return 1
	printf 'Host %s\n  ProxyCommand nsenter -t %s -n socat STDIO TCP:127.0.0.1:22\n' \
	    "$1" "$(cat "$CT_SCRATCH/$1/pid1")" >"$ctl/$1.ssh"
	key=$(ct_run "$1" cat /etc/ssh/ssh_host_ed25519_key.pub) || return 1
	echo "$1 ${key% *}" >"$ctl/$1.known"
}

fleet_inventory() {
	printf '[web]\n' >"$ctl/hosts"
	for h in $(seq -s ' ' -f 'host%g' 1 "$1"); do
		printf '%s ansible_user=deploy ansible_python_interpreter=/usr/bin/python3\n' "$h" >>"$ctl/hosts"
	done
}

fleet_up() {
	t0=$(date +%s%N)
	for h in $(seq -s ' ' -f 'host%g' 1 "$1"); do
		(host_up "$h" >"$ctl/$h.up" 2>&1 || echo "$h did not come up" >>"$ctl/$h.up") &
	done
	wait
	for h in $(seq -s ' ' -f 'host%g' 1 "$1"); do
		if grep -q "did not come up" "$ctl/$h.up" || [ ! -s "$ctl/$h.known" ]; then
			fail_check "$h did not come up" "$(tail -n 20 "$ctl/$h.up")"
			return 1
		fi
		cat "$ctl/$h.ssh" >>"$ctl/ssh_config"
		cat "$ctl/$h.known" >>"$ctl/known_hosts"
	done
	fleet_inventory "$1"
	cat >>"$ctl/ssh_config" <<EOF
Host *
  IdentityFile $ctl/id
  IdentitiesOnly yes
  UserKnownHostsFile $ctl/known_hosts
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 5
  ControlMaster auto
  ControlPath $ctl/cm-%h
  ControlPersist 30
EOF
	ms=$((($(date +%s%N) - t0) / 1000000))
	echo "$1 hosts up in $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s (at once)"
}

# One ssh connection a host for the whole run (a new one for every task
# cost about a second a task); the caller closes them (its EXIT trap).
close_masters() {
	for cm in "$ctl"/cm-*; do
		[ -e "$cm" ] || continue
		ssh -F "$ctl/ssh_config" -O exit "${cm##*/cm-}" >/dev/null 2>&1
	done
}

# playbook_run ARG...: ansible-playbook with a clean environment (forks 10)
playbook_run() {
	env -i HOME="$ctl" PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
	    ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS" ANSIBLE_SSH_ARGS="-F $ctl/ssh_config" \
	    ANSIBLE_PIPELINING=1 ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 \
	    ANSIBLE_LOCAL_TEMP="$ctl/tmp" ANSIBLE_FORCE_COLOR=0 ANSIBLE_FORKS="${FORKS:-10}" \
	    ansible-playbook -i "$ctl/hosts" "$@" "$playbook"
}
