#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 the cutover maintainers
# ISC License (see LICENSE in the cutover source)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cutover_switch
short_description: Run a cutover plan - hand a port from one service to another, checked
description:
  - Runs C(cutover switch --format=json PLAN) on the host, as the connecting user,
    without become. The host's root-owned cutover policy decides whether that
    user may run the plan; cutover records the request and every step in its
    audit log.
  - The new service starts on the old one's own listening socket while the old
    one still serves; the old one is then stopped gracefully; the plan's checks
    run; on a failure cutover rolls back.
  - A plan that was done already (the new service serves the port) changes
    nothing and only runs its checks, so the task is idempotent.
  - In check mode, runs C(cutover -n switch ...), the plan's pre-flight, and
    nothing is done; C(changed) then says whether a real run would change
    something.
  - Runs C(/usr/bin/cutover) with an argument vector, never a shell. Needs only
    cutover and Python on the host.
version_added: 0.1.0
author:
  - the cutover maintainers (!UNKNOWN)
options:
  plan:
    description: The name of a plan in the host's cutover policy (C(plans)).
    type: str
    required: true
extends_documentation_fragment:
  - cutover.deploy.cutover
  - cutover.deploy.cutover.audit
notes:
  - Fails on anything but a switch that ended C(ok) - refused by the policy or
    its pre-flight, failed, rolled back, or a rollback that failed - with
    cutover's own last line as the message.
seealso:
  - name: cutover(8)
    description: The man page of cutover, section on C(switch).
    link: https://example.invalid/cutover
"""

EXAMPLES = r"""
- name: Hand port 8080 from apache2 to nginx
  cutover.deploy.cutover_switch:
    plan: newsite

- name: The same, with the change's ticket and the roll-out's id in every audit record
  cutover.deploy.cutover_switch:
    plan: newsite
    reason: CHG-1234 apache2 to nginx
    run_id: rollout-20261207-1

- name: Only the pre-flight (nothing is done)
  cutover.deploy.cutover_switch:
    plan: newsite
  check_mode: true
"""

RETURN = r"""
outcome:
  description: How the switch ended (ok, rolled-back, rollback-failed, failed, refused).
  returned: always
  type: str
  sample: ok
txid:
  description: The transaction id of the switch's audit records on the host.
  returned: when cutover ran the switch
  type: str
  sample: 5abee844f5bad75931e1f19113d44cb5
steps:
  description: Each step, with its outcome, reason, duration and whether it changed something.
  returned: always
  type: list
  elements: dict
  sample: [{"step": "take-port 8080", "outcome": "ok", "reason": "took over ...", "seconds": 0.001, "changed": false}]
would_change:
  description: In check mode, whether a real run would change something (false when the plan is done already).
  returned: always
  type: bool
touched:
  description: Whether any step changed something, even if a rollback undid it.
  returned: always
  type: bool
result:
  description: cutover's last line, for people.
  returned: always
  type: str
  sample: "switch newsite: done in 1.05 s: nginx serves port 8080, verified"
rc:
  description: cutover's exit status (0 done, 1 failed, 3 refused, 4 policy or audit unusable).
  returned: always
  type: int
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.cutover.deploy.plugins.module_utils.cutover import (
    DEFAULT_CUTOVER, note_args, run_json)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            plan=dict(type="str", required=True),
            cutover=dict(type="path", default=DEFAULT_CUTOVER),
            reason=dict(type="str"),
            run_id=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    args = ["-n"] if module.check_mode else []
    args += note_args(module)
    args += ["switch", "--format=json", module.params["plan"]]
    rc, report, err = run_json(module, args)
    if report is None:
        module.fail_json(msg="cutover printed no report (exit %d): %s" % (rc, err),
                         rc=rc, stderr=err)
    if module.check_mode:
        changed = bool(report.get("would_change"))
    else:
        changed = bool(report.get("changed"))
    result = dict(changed=changed, would_change=bool(report.get("would_change")),
                  outcome=report.get("outcome"),
                  txid=report.get("txid"), steps=report.get("steps", []),
                  touched=bool(report.get("touched")),
                  result=report.get("result", ""), rc=rc, stderr=err)
    if rc != 0 or report.get("outcome") != "ok":
        module.fail_json(msg=report.get("result") or err, **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
