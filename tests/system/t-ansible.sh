#!/bin/sh
# The Ansible collection (ansible/, issue 16) driving the installed setuid
# cutover on this machine, as user deploy, without become: Debian's
# ansible-playbook with the local connection and one host, the example
# playbook rolling-switch.yml (pre-flight play, serial switch, final
# verify):
#   - --check: the pre-flight runs, nothing changes (apache2 serves on);
#   - the roll-out: nginx serves the new page, the switch task changed;
#   - again: changed=0 (cutover: nothing to do, already served);
#   - a broken new page: the play fails at the switch, cutover rolled
#     back (apache2 serves the old page), the failure says so;
#   - a deadline already passed: abandoned before the first batch,
#     nothing done, the summary says why;
#   - a policy that does not grant the plan: the pre-flight play stops
#     the run before anything is done;
#   - ansible-lint (production profile) is clean on the collection and
#     its playbook, and ansible-doc renders each module's documentation,
#     the options shared through the collection's doc fragment too;
#   - ansible-test sanity passes on the collection, its pep8, pylint,
#     validate-modules and yamllint with Debian's packages of those.
. tests/system/lib.sh
new_page=$NEW_ROOT/index.html
cp -p "$new_page" "$TEST_TMPDIR/index.html.orig" || exit 1
trap 'cp -p "$TEST_TMPDIR/index.html.orig" "$new_page"' EXIT
command -v ansible-playbook >/dev/null || { fail_check "no ansible-playbook (make deps installs ansible-core)"; finish; }

# deploy's own copy of the collection and a home for Ansible's files
home=$TEST_TMPDIR/deploy-home
install -d -o deploy -m 0700 "$home" && cp -r ansible "$home/collections" &&
    chown -R deploy "$home/collections" || { fail_check "copy the collection"; finish; }
printf '[web]\nlocal ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n' >"$home/hosts"
chown deploy "$home/hosts"
playbook=$home/collections/ansible_collections/cutover/deploy/playbooks/rolling-switch.yml

# play [OPTION...]: the playbook as deploy, its output in $out and $err
play() {
	as_deploy env -i HOME="$home" PATH=/usr/bin:/bin LANG=C.UTF-8 \
	    ANSIBLE_COLLECTIONS_PATH="$home/collections" ANSIBLE_LOCAL_TEMP="$home/tmp" \
	    ANSIBLE_REMOTE_TEMP="$home/tmp" ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 \
	    ansible-playbook -i "$home/hosts" -e cutover_bin="$CUTOVER" "$@" "$playbook"
}
# recap N: the PLAY RECAP line says changed=N for the host
recap() {
	printf '%s\n' "$out" | grep -Eq "^local +: ok=[0-9]+ +changed=$1 " ||
	    fail_check "$2: the recap does not say changed=$1" "$(printf '%s\n' "$out" | tail -n 5)"
}

# ansible-lint, production profile (.ansible-lint in the collection), on
# deploy's copy: clean; its warnings that it cannot load the modules for
# options validation are ansible-lint 6.13's own (ansible-doc loads them)
coll=$home/collections/ansible_collections/cutover/deploy
expect 0 "ansible-lint on the collection and its playbook" -- \
    sh -c 'cd "$1" && HOME="$2" ANSIBLE_COLLECTIONS_PATH="$3" ansible-lint --offline --nocolor \
    galaxy.yml playbooks/rolling-switch.yml playbooks/tasks/bake.yml changelogs/changelog.yaml' sh "$coll" "$TEST_TMPDIR/lint-home" \
    "$home/collections" && has "Passed with production profile: 0 failure(s), 0 warning(s)" err "ansible-lint passes"
# each module's options: its own and the shared ones of the collection's
# doc fragment (plugins/doc_fragments/cutover.py), whose words are nowhere
# else
for m in cutover_switch:plan cutover_verify:check cutover_facts:; do
	own=${m#*:} m=${m%:*}
	expect 0 "ansible-doc renders $m" -- env ANSIBLE_COLLECTIONS_PATH=ansible ansible-doc "cutover.deploy.$m" &&
	    has "$m" out "ansible-doc $m names the module" &&
	    has "- cutover" out "ansible-doc $m: the option cutover (the fragment)" || continue
	[ -z "$own" ] || has "= $own" out "ansible-doc $m: its own option $own"
	[ -z "$own" ] || has "- reason" out "ansible-doc $m: reason (the fragment's audit)"
	[ -z "$own" ] || has "- run_id" out "ansible-doc $m: run_id (the fragment's audit)"
done
shared=$(grep -rlF -e 'passed as C(--reason)' -e 'The cutover program (an absolute path).' \
    --include='*.py' ansible/ansible_collections/cutover/deploy/plugins)
[ "$shared" = ansible/ansible_collections/cutover/deploy/plugins/doc_fragments/cutover.py ] ||
    fail_check "the shared option docs are the doc fragment's alone" "$shared"

# ansible-test sanity, every test of ansible-test 2.14, on deploy's copy as
# deploy: pep8, pylint, validate-modules and yamllint with Debian's
# pycodestyle, pylint, voluptuous and yamllint (ansible/ansible-test-debian.py:
# ansible-test itself would have pip fetch the versions it pins)
sanity_home=$TEST_TMPDIR/sanity-home
install -d -o deploy -m 0700 "$sanity_home"
# a copy deploy can read: the checkout may be root's alone (/root/cutover)
install -m 0644 ansible/ansible-test-debian.py "$sanity_home/ansible-test-debian.py"
pyver=$(/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
expect 0 "ansible-test sanity on the collection" -- as_deploy sh -c 'cd "$1" && env -i HOME="$2" \
    PATH=/usr/bin:/bin LANG=C.UTF-8 /usr/bin/python3 "$3" sanity --python "$4" --color no' sh "$coll" \
    "$sanity_home" "$sanity_home/ansible-test-debian.py" "$pyver" &&
    lacks "Skipping" out "no sanity test is skipped"
for t in pep8 pylint validate-modules yamllint ansible-doc import compile; do
	has "Running sanity test \"$t\"" out "ansible-test ran $t"
done

apache2_start || { fail_check "apache2ctl start"; finish; }
wait_for 10 serves "$OLD_TEXT" || fail_check "apache2 serves the old page"

expect 0 "rolling-switch --check" -- play --check
serves "$OLD_TEXT" || fail_check "--check changed the site" "$(served)"
[ -z "$(nginx_procs)" ] || fail_check "--check started nginx"

audit_mark
expect 0 "rolling-switch" -- play
recap 1 "the roll-out"
serves "$NEW_TEXT" || fail_check "after the roll-out nginx serves the new page" "$(served)"
[ -z "$(apache2_procs)" ] || fail_check "apache2 still runs after the roll-out"

expect 0 "rolling-switch again" -- play
recap 0 "the second run"
serves "$NEW_TEXT" || fail_check "the second run changed the site" "$(served)"

# back to apache2, and a broken new page: the switch fails, cutover rolls back
for p in $(nginx_procs); do kill -TERM "$p" 2>/dev/null; done
wait_for 10 not_listening "$PORT" || fail_check "nginx stopped"
apache2_start || fail_check "apache2ctl start again"
wait_for 10 serves "$OLD_TEXT" || fail_check "apache2 serves the old page again"
printf '<h1>Under construction</h1>\n' >"$new_page"
expect 2 "rolling-switch, a broken page: the play fails" -- play
has "rolled back: apache2 was only paused while nginx was checked, and serves port $PORT on" out "the failure says cutover rolled back"
serves "$OLD_TEXT" || fail_check "after the failed roll-out apache2 serves the old page" "$(served)"
cp -p "$TEST_TMPDIR/index.html.orig" "$new_page"

# a deadline already passed (issue 30): abandoned before the first batch,
# nothing switched (apache2 serves on), the summary says why
expect 2 "rolling-switch past its deadline: abandoned" -- play -e deadline_seconds=-1
has "ABANDONED: the deadline of -1 s passed before this batch (local)" out "the summary says the deadline passed"
has "untouched: local" out "the host is untouched"
serves "$OLD_TEXT" || fail_check "a roll-out past its deadline changed the site" "$(served)"

# a policy that does not grant the plan: stopped before anything is done
write_policy 's/^    switch = \["newsite"\];.*$//' || fail_check "write the policy without switch"
expect 2 "rolling-switch, the plan not granted: stopped by the pre-flight play" -- play
has "local: the preview failed: deploy may not switch newsite: " out "the summary names the missing grant"
serves "$OLD_TEXT" || fail_check "a refused roll-out changed the site" "$(served)"
write_policy "" || fail_check "restore the policy"
finish
