/*
 * suites.h - the Check suites linked into build/unit-tests: an X-macro list.
 *
 * One line per tests/unit/NAME.c, which defines `Suite *NAME_suite(void)`.
 * Add your line once your .c file is in the tree: the Makefile builds every
 * .c file under tests/unit/, and a line without its file breaks the link.
 * The runner, tests/unit/main.c, includes this file twice with different SUITE()
 * definitions, so it has no include guard and holds nothing but SUITE lines
 * and comments.
 */
SUITE(strbuf)
SUITE(hygiene)
SUITE(lib)
SUITE(explain)
SUITE(load)
SUITE(decide)
SUITE(request)
SUITE(files)
SUITE(safepath)
SUITE(pam)
SUITE(audit)
SUITE(chain)
SUITE(logrec)
SUITE(expect)
SUITE(privilege)
SUITE(service)
SUITE(ports)
SUITE(verify)
SUITE(lock)
SUITE(switch)
SUITE(metrics)
SUITE(listens)
SUITE(unitlog)
SUITE(portguard)
SUITE(handoff)
SUITE(systemd)
SUITE(intent)
