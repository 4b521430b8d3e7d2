#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 the cutover maintainers
# ISC License (see LICENSE in the cutover source)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cutover_verify
short_description: Run one of the host's cutover checks
description:
  - Runs C(cutover verify --format=json CHECK) on the host as the connecting
    user, without become. The check (a URL, the status and content it must
    answer with) is defined in the host's root-owned cutover policy, and the
    policy decides whether this user may run it.
  - Changes nothing; fails when the check fails, so it fits C(until) and
    C(retries) loops.
  - Runs C(/usr/bin/cutover) with an argument vector, never a shell.
version_added: 0.1.0
author:
  - the cutover maintainers (!UNKNOWN)
options:
  check:
    description: The name of a check in the host's cutover policy (C(checks)).
    type: str
    required: true
extends_documentation_fragment:
  - cutover.deploy.cutover
  - cutover.deploy.cutover.audit
"""

EXAMPLES = r"""
- name: The homepage answers with the new content
  cutover.deploy.cutover_verify:
    check: homepage
  register: home
  until: home is succeeded
  retries: 5
  delay: 2
"""

RETURN = r"""
verdict:
  description: cutover's JSON verdict of the check (result, reason, status, bytes, sha256, ...).
  returned: when cutover ran the check
  type: dict
  sample: {"check": "homepage", "result": "ok", "status": 200}
rc:
  description: cutover's exit status (0 passed, 1 failed, 3 refused).
  returned: always
  type: int
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.cutover.deploy.plugins.module_utils.cutover import (
    DEFAULT_CUTOVER, note_args, run_json)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            check=dict(type="str", required=True),
            cutover=dict(type="path", default=DEFAULT_CUTOVER),
            reason=dict(type="str"),
            run_id=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    rc, verdict, err = run_json(module, note_args(module) + [
        "verify", "--format=json", module.params["check"]])
    result = dict(changed=False, verdict=verdict, rc=rc, stderr=err)
    if verdict is None or rc != 0 or verdict.get("result") != "ok":
        reason = verdict.get("reason") if verdict else err
        module.fail_json(msg="check %s: %s" % (module.params["check"], reason),
                         **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
