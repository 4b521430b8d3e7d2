# -*- coding: utf-8 -*-
# Copyright (c) 2026 the cutover maintainers
# ISC License (see LICENSE in the cutover source)
"""The cutover modules' shared option documentation, one text for each:
the program (every module) and the request's audit notes (the modules
that act or check, whose requests a roll-out joins across hosts)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """extends_documentation_fragment: cutover.deploy.cutover (the program)
    and cutover.deploy.cutover.audit (reason and run_id)."""

    DOCUMENTATION = r"""
options:
  cutover:
    description: The cutover program (an absolute path).
    type: path
    default: /usr/bin/cutover
"""

    AUDIT = r"""
options:
  reason:
    description:
      - Why, in words (a ticket or change number), passed as C(--reason); 1 to 200
        bytes of printable ASCII. Recorded in every audit record of the request;
        a policy rule with C(reason = "required") refuses the request without it.
    type: str
  run_id:
    description:
      - The roll-out this request belongs to, passed as C(--run-id) (1 to 64 letters,
        digits, C(.), C(_), C(:) and C(-)), recorded in every audit record of the
        request so that one roll-out can be found across many hosts' logs
        (C(cutover log --run-id ID)).
    type: str
"""
