#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 the cutover maintainers
# ISC License (see LICENSE in the cutover source)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cutover_facts
short_description: What the connecting user may do with cutover on the host
description:
  - Runs C(cutover list --format=json) on the host as the connecting user and
    sets the fact C(cutover) - the user and each permission the host's policy
    grants it (action, target, effect in words, auth, the policy file and line
    that grants it, and for a plan its port, services and checks).
  - Changes nothing. Runs C(/usr/bin/cutover) with an argument vector, never a
    shell.
version_added: 0.1.0
author:
  - the cutover maintainers (!UNKNOWN)
extends_documentation_fragment:
  - cutover.deploy.cutover
"""

EXAMPLES = r"""
- name: What may deploy do here?
  cutover.deploy.cutover_facts:

- name: This host grants the plan
  ansible.builtin.assert:
    that: "'newsite' in (cutover.permissions | selectattr('action', 'eq', 'switch') | map(attribute='target'))"
"""

RETURN = r"""
ansible_facts:
  description: The fact C(cutover).
  returned: always
  type: dict
  contains:
    cutover:
      description: C(user) and C(permissions), as C(cutover list --format=json) prints them.
      type: dict
      returned: always
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.cutover.deploy.plugins.module_utils.cutover import (
    DEFAULT_CUTOVER, run_json)


def main():
    module = AnsibleModule(
        argument_spec=dict(cutover=dict(type="path", default=DEFAULT_CUTOVER)),
        supports_check_mode=True,
    )
    rc, listed, err = run_json(module, ["list", "--format=json"])
    if rc != 0 or listed is None:
        module.fail_json(msg="cutover list failed (exit %d): %s" % (rc, err),
                         rc=rc, stderr=err)
    module.exit_json(changed=False, ansible_facts=dict(cutover=listed))


if __name__ == "__main__":
    main()
