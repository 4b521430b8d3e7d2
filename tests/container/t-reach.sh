#!/bin/sh
# The caller's cgroup: a deploy user whose session runs in a cgroup it
# owns (a systemd --user delegation, here made by hand) freezes it in the
# middle of an action.  On a systemd host the transaction has moved into a
# scope of its own (cutover-TXID.scope) before it acts, so only the front
# is frozen: the stop goes on, its outcome record is written, apache2 is
# stopped; thawed, the front prints the result.
. tests/container/site.sh

site_up a || { fail_check "the container did not come up"; finish; }
cat >"$CT_SCRATCH/policy.conf" <<EOF
audit = { syslog = true; file = "/var/log/cutover/audit.jsonl"; };
services = {
$(svc_apache2 "stop_timeout = 15.0;")
};
rules = ( { users = ["deploy"]; stop = ["apache2"]; } );
EOF
site_policy a "$CT_SCRATCH/policy.conf"
m=$CT_SCRATCH/a/merged
head -c 15000000 /dev/zero >"$m/var/www/html/big.bin"

# a cgroup of deploy's own, as a delegation gives it
cg=/sys/fs/cgroup/unified/caller
ct_run a sh -c "mkdir $cg && chown deploy $cg $cg/cgroup.procs $cg/cgroup.freeze" ||
    { fail_check "cannot make deploy a cgroup of its own"; finish; }
gid=$(ct_run a id -g deploy)

# a download keeps apache2's graceful stop busy for about 2 s
ct_run a sh -c 'curl -s --limit-rate 5M -o /dev/null http://127.0.0.1:8080/big.bin' &
dl=$!
sleep 0.5
# the caller, in its cgroup (moved there by root: nsenter's process starts
# outside the container's tree), stops apache2
ct_run a sh -c "echo \$\$ >$cg/cgroup.procs && exec setpriv --reuid=deploy --regid=$gid \
    --init-groups --inh-caps=-all -- /bin/sh -c 'exec cutover stop apache2'" \
    >"$CT_SCRATCH/front.out" 2>&1 &
front=$!
sleep 0.3
ct_user a deploy sh -c "echo 1 >$cg/cgroup.freeze" || fail_check "deploy could not freeze its cgroup"
# freezing is not instant: cgroup.events says "frozen 1" once every
# process of it is (the fresh chroot read 0 right after the write)
i=0
while frozen=$(ct_run a cat "$cg/cgroup.events" | sed -n 's/^frozen //p') &&
    [ "$frozen" != 1 ] && [ $i -lt 40 ]; do
	sleep 0.05
	i=$((i + 1))
done
[ "$frozen" = 1 ] && echo "ok: deploy froze its cgroup" || fail_check "the cgroup is not frozen ($frozen)"
# the transaction is not in it: the stop finishes while the front is frozen
i=0
while [ "$(ct_run a systemctl is-active apache2)" != inactive ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
is a apache2 inactive
n=$(ct_run a grep -c '"stage":"outcome".*"action":"stop".*"outcome":"ok"' /var/log/cutover/audit.jsonl)
[ "$n" = 1 ] && echo "ok: the outcome record was written while the front was frozen" ||
    fail_check "$n outcome records while the front was frozen"
ct_user a deploy sh -c "echo 0 >$cg/cgroup.freeze"
wait "$front"
rc=$?
[ "$rc" = 0 ] && echo "ok: thawed, the front ended with the result" ||
    fail_check "the front exited $rc" "$(cat "$CT_SCRATCH/front.out")"
grep -q "systemd stopped apache2" "$CT_SCRATCH/front.out" ||
    fail_check "the front did not print the result" "$(cat "$CT_SCRATCH/front.out")"
wait "$dl"
ct_run a rmdir "$cg" 2>/dev/null
finish
