/*
 * main.c - the one Check runner for every unit test suite: build/unit-tests.
 *
 * It declares and runs the suites listed in suites.h, in that order, in one
 * SRunner, and exits 0 only when every test passed.  The output ends with
 * Check's summary line ("100%: Checks: N, Failures: F, Errors: E"), which
 * tests/check.sh reads.
 *
 * Run it from the repository root: tests read policy/examples/ and
 * tests/unit/data/ by relative path.  Check's own environment variables
 * select and shape a run: CK_RUN_SUITE=NAME, CK_RUN_CASE=NAME,
 * CK_VERBOSITY=silent|minimal|normal|verbose, CK_FORK=no (for gdb),
 * CK_DEFAULT_TIMEOUT=SECONDS, CK_TIMEOUT_MULTIPLIER=N.
 *
 * It must never hold test logic of its own: a test belongs in a suite.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define SUITE(name) Suite *name##_suite(void);
#include "tests/unit/suites.h"
#undef SUITE

static Suite *(*const suites[])(void) = {
#define SUITE(name) name##_suite,
#include "tests/unit/suites.h"
#undef SUITE
};

int
main(void)
{
	SRunner *sr;
	size_t i;
	int failed;

	if (access("tests/unit", F_OK) != 0 ||
	    access("policy/examples", F_OK) != 0) {
		fprintf(stderr, "unit-tests: run me from the repository root "
		    "(tests read policy/examples/ and tests/unit/data/)\n");
		return 2;
	}

	sr = srunner_create(NULL);
	for (i = 0; i < sizeof suites / sizeof suites[0]; i++)
		srunner_add_suite(sr, suites[i]());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
