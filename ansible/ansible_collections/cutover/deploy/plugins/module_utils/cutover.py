# -*- coding: utf-8 -*-
# Copyright (c) 2026 the cutover maintainers
# ISC License (see LICENSE in the cutover source)
"""What the cutover modules share: run cutover with an argv (never a
shell, never a PATH search) and read the one JSON object it prints."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

DEFAULT_CUTOVER = "/usr/bin/cutover"


def note_args(module):
    """--reason and --run-id for the module's reason and run_id, when set:
    each its own argv word, so no value is ever split or interpreted."""
    args = []
    if module.params.get("reason") is not None:
        args += ["--reason", module.params["reason"]]
    if module.params.get("run_id") is not None:
        args += ["--run-id", module.params["run_id"]]
    return args


def run_json(module, args):
    """Run CUTOVER ARGS...; return (rc, the JSON object or None, stderr)."""
    argv = [module.params["cutover"]] + list(args)
    rc, out, err = module.run_command(argv, use_unsafe_shell=False)
    report = None
    lines = [line for line in out.splitlines() if line.strip()]
    if lines:
        try:
            report = json.loads(lines[-1])
        except ValueError:
            report = None
    if not isinstance(report, dict):
        report = None
    return rc, report, err.strip()
