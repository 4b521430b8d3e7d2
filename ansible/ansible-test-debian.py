#!/usr/bin/python3
"""ansible-test with Debian's own linters: run as ansible-test (the same
arguments), from the collection's directory.

ansible-test 2.14 runs its pep8, pylint, validate-modules and yamllint
sanity tests in virtual environments of its own, into which pip installs
the exact versions it pins (pylint 2.15.5, astroid 2.12.12, yamllint
1.28.0, pycodestyle 2.9.1, voluptuous 0.13.1): offline, that fails, and
no Debian package makes it work.  Here those tests run with the
controller's Python, /usr/bin/python3, and Debian 12's packages (pylint
2.16, yamllint 1.29, python3-pycodestyle 2.10, python3-voluptuous 0.12):
the same test code, configuration and ignore files as ansible-test's own,
only the linters' versions differ.  Nothing is installed and nothing is
fetched.  It replaces two functions of ansible-test's (2.14), by name:
another ansible-core may need another way."""

import sys

# pylint: disable=import-error  # Debian's ansible-core, not a pip one
import ansible_test._internal.commands.sanity as sanity
from ansible_test._internal import main


def controller_python(args, python, name, coverage=False, minimize=False):
    """In place of create_sanity_virtualenv: the controller's Python, whose
    site packages are Debian's, instead of a virtual environment."""
    del args, name, coverage, minimize
    return python


def controller_yaml(python):
    """In place of check_sanity_virtualenv_yaml (which reads what the
    virtual environment's creation wrote): whether PyYAML has libyaml."""
    return sanity.yamlcheck(python)


if __name__ == "__main__":
    sanity.create_sanity_virtualenv = controller_python
    sanity.check_sanity_virtualenv_yaml = controller_yaml
    sys.exit(main())
