/*
 * test_expect.c - policy expectations (policy/expect.c) against policies
 * built from strings: each verb holding and failing with its exact
 * message, subjects by user, user in groups and group, a drop-in that
 * widens the policy named in the message, comments and blank lines not
 * counted, and malformed lines named by their line.
 */
#include <check.h>
#include <string.h>

#include "policy/expect.h"
#include "tests/unit/testutil.h"

#define SERVICES \
	"services = {\n" \
	"  apache2 = { exe = \"/usr/sbin/apache2\"; user = \"www-data\";\n" \
	"    start = [\"/usr/sbin/apache2ctl\", \"start\"]; ports = [8080]; };\n" \
	"  nginx = { exe = \"/usr/sbin/nginx\"; user = \"nginx\";\n" \
	"    start = [\"/usr/sbin/nginx\"]; ports = [8080]; };\n" \
	"};\n" \
	"checks = { homepage = { url = \"http://127.0.0.1:8080/\"; }; };\n"
#define RULES \
	"rules = (\n" \
	"  { users = [\"deploy\"]; start = [\"nginx\"]; },\n" \
	"  { groups = [\"ops\"]; stop = [\"nginx\"]; verify = [\"homepage\"]; }\n" \
	");\n"

static struct strbuf out;
static struct expect_result res;

static void
run(const char *text, const char *dropin)
{
	struct diags d = { 0 };
	struct policy *p = tu_build(&d, SERVICES RULES, dropin, (char *)NULL);

	if (p == NULL)
		tu_dump(&d);
	ck_assert_ptr_nonnull(p);
	sb_free(&out);
	ck_assert_int_eq(policy_expect(p, "e", text, strlen(text), &out, &res),
	    0);
	policy_free(p);
	diags_free(&d);
}

START_TEST(all_hold)
{
	run("# reviewed\n\ndeploy may start nginx\n"
	    "deploy may-not stop nginx   # only ops may\n"
	    "deploy in ops may stop nginx\n"
	    "group ops may-only stop nginx, verify homepage\n"
	    "deploy may-only start nginx\n"
	    "intruder may-nothing\n", NULL);
	ck_assert_str_eq(sb_str(&out), "");
	ck_assert_uint_eq(res.lines, 6);
	ck_assert_uint_eq(res.failed, 0);
}
END_TEST

START_TEST(each_failure_says_why)
{
	run("deploy may stop nginx\n"
	    "deploy may-not start nginx\n"
	    "group ops may-only stop nginx\n"
	    "deploy may-nothing\n"
	    "group ops may-only start nginx, stop nginx, verify homepage\n",
	    NULL);
	ck_assert_str_eq(sb_str(&out),
	    "e:1: deploy may stop nginx: but no rule allows it: 1 rule names "
	    "deploy, but none lists this target\n"
	    "e:2: deploy may-not start nginx: but main.conf:9 allows it\n"
	    "e:3: group ops may-only stop nginx: but it may also verify "
	    "homepage (main.conf:10)\n"
	    "e:4: deploy may-nothing: but it may also start nginx "
	    "(main.conf:9)\n"
	    "e:5: group ops may-only start nginx, stop nginx, verify homepage: "
	    "but it may not start nginx: no rule allows it: 1 rule names group "
	    "ops, but none lists this target\n");
	ck_assert_uint_eq(res.failed, 5);
}
END_TEST

START_TEST(dropins_count)
{
	run("deploy may-only start nginx\n",
	    "rules = ( { users = [\"deploy\"]; start = [\"apache2\"]; } );\n");
	ck_assert_str_eq(sb_str(&out),
	    "e:1: deploy may-only start nginx: but it may also start apache2 "
	    "(policy.d/01.conf:1)\n");
}
END_TEST

START_TEST(malformed_lines_named)
{
	run("deploy\ndeploy may\ndeploy in may start nginx\n"
	    "deploy may start\ndeploy may stop homepage\ndeploy may free-port 80\n"
	    "group\n", NULL);
	ck_assert_uint_eq(res.lines, 7);
	ck_assert_uint_eq(res.failed, 7);
	ck_assert_ptr_nonnull(strstr(sb_str(&out), "e:1: not an expectation"));
	ck_assert_ptr_nonnull(strstr(sb_str(&out), "e:2: may takes one"));
	ck_assert_ptr_nonnull(strstr(sb_str(&out), "e:3: not an expectation"));
	ck_assert_ptr_nonnull(strstr(sb_str(&out), "e:4: an action without"));
	ck_assert_ptr_nonnull(strstr(sb_str(&out),
	    "e:5: the policy defines no service homepage"));
	ck_assert_ptr_nonnull(strstr(sb_str(&out),
	    "e:6: the policy defines no port 80"));
	ck_assert_ptr_nonnull(strstr(sb_str(&out), "e:7: not an expectation"));
}
END_TEST

Suite *
expect_suite(void)
{
	Suite *s = suite_create("expect");
	TCase *tc = tcase_create("expect");

	tcase_add_test(tc, all_hold);
	tcase_add_test(tc, each_failure_says_why);
	tcase_add_test(tc, dropins_count);
	tcase_add_test(tc, malformed_lines_named);
	suite_add_tcase(s, tc);
	return s;
}
