/*
 * test_decide.c - the evaluator: deny by default; allow only when a rule
 * names the user or one of its groups and lists the exact target.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "tests/unit/testutil.h"

static struct diags d;
static struct policy *p;

static void
setup(void)
{
	char *text = tu_slurp("tests/unit/data/decide.conf");

	memset(&d, 0, sizeof(d));
	ck_assert_ptr_nonnull(text);
	p = tu_build(&d, text, NULL);
	free(text);
	if (p == NULL)
		tu_dump(&d);
	ck_assert_ptr_nonnull(p);
}

static void
teardown(void)
{
	policy_free(p);
	diags_free(&d);
}

static struct decision
ask(const char *user, const char *const *groups, size_t ngroups,
    enum action a, const char *target)
{
	struct subject s = { user, groups, ngroups };
	struct request rq = { a, target, 0, NULL };
	struct decision dec;

	if (a == ACT_FREE_PORT)
		rq.port = port_from_string(target);
	policy_decide(p, &s, &rq, &dec);
	return dec;
}

START_TEST(user_rule_allows_exactly_its_targets)
{
	struct decision dec = ask("deploy", NULL, 0, ACT_START, "nginx");

	ck_assert_int_eq(dec.verdict, VERDICT_ALLOW);
	ck_assert_str_eq(dec.at.file, "main.conf");
	ck_assert_int_eq(dec.at.line, 20);
	ck_assert_int_eq(dec.rule->at.line, 18);
	ck_assert_int_eq(dec.auth, AUTH_NONE);
	ck_assert_int_eq(ask("deploy", NULL, 0, ACT_FREE_PORT, "8080").verdict,
	    VERDICT_ALLOW);
	ck_assert_int_eq(ask("deploy", NULL, 0, ACT_VERIFY, "homepage").verdict,
	    VERDICT_ALLOW);
	/* listed for start, not for stop; apache2 not at all */
	ck_assert_int_eq(ask("deploy", NULL, 0, ACT_STOP, "nginx").verdict,
	    VERDICT_DENY);
	dec = ask("deploy", NULL, 0, ACT_START, "apache2");
	ck_assert_int_eq(dec.verdict, VERDICT_DENY);
	ck_assert_ptr_null(dec.rule);
	ck_assert_str_eq(dec.reason, "no rule allows it");
	ck_assert_ptr_nonnull(strstr(dec.detail, "none lists this target"));
}
END_TEST

START_TEST(group_rule_applies_to_members_only)
{
	const char *ops[] = { "users", "webops" };
	const char *other[] = { "users", "webops2", "WEBOPS" };
	struct decision dec = ask("alice", ops, 2, ACT_STOP, "nginx");

	ck_assert_int_eq(dec.verdict, VERDICT_ALLOW);
	ck_assert_int_eq(dec.auth, AUTH_PAM);
	ck_assert_int_eq(dec.rule->at.line, 22);
	ck_assert_int_eq(ask("alice", other, 3, ACT_STOP, "nginx").verdict,
	    VERDICT_DENY);
	ck_assert_int_eq(ask("alice", NULL, 0, ACT_STOP, "nginx").verdict,
	    VERDICT_DENY);
}
END_TEST

START_TEST(first_matching_rule_decides)
{
	const char *ops[] = { "webops" };
	/* deploy is also in webops: its own rule (auth none) comes first */
	struct decision dec = ask("deploy", ops, 1, ACT_FREE_PORT, "8080");

	ck_assert_int_eq(dec.verdict, VERDICT_ALLOW);
	ck_assert_int_eq(dec.rule->at.line, 18);
	ck_assert_int_eq(dec.auth, AUTH_NONE);
	/* stop nginx is only in the webops rule */
	dec = ask("deploy", ops, 1, ACT_STOP, "nginx");
	ck_assert_int_eq(dec.rule->at.line, 22);
	ck_assert_int_eq(dec.auth, AUTH_PAM);
}
END_TEST

START_TEST(deny_by_default)
{
	struct decision dec = ask("intruder", NULL, 0, ACT_START, "nginx");

	ck_assert_int_eq(dec.verdict, VERDICT_DENY);
	ck_assert_ptr_nonnull(strstr(dec.detail, "no rule names user intruder"));
	dec = ask("deploy", NULL, 0, ACT_FREE_PORT, "22");
	ck_assert_int_eq(dec.verdict, VERDICT_DENY);
	ck_assert_ptr_nonnull(strstr(dec.detail, "does not list port 22 under ports"));
	dec = ask("deploy", NULL, 0, ACT_VERIFY, "nosuch");
	ck_assert_int_eq(dec.verdict, VERDICT_DENY);
	ck_assert_int_eq(ask("", NULL, 0, ACT_START, "nginx").verdict,
	    VERDICT_DENY);
	ck_assert_int_eq(ask(NULL, NULL, 0, ACT_START, "nginx").verdict,
	    VERDICT_DENY);
	ck_assert_int_eq(ask("deploy", NULL, 0, ACT_START, NULL).verdict,
	    VERDICT_DENY);
	/* names are compared exactly: no prefix, no case folding */
	ck_assert_int_eq(ask("deploy", NULL, 0, ACT_START, "nginx ").verdict,
	    VERDICT_DENY);
	ck_assert_int_eq(ask("Deploy", NULL, 0, ACT_START, "nginx").verdict,
	    VERDICT_DENY);
}
END_TEST

START_TEST(empty_policy_denies_everything)
{
	struct diags d2 = { 0 };
	struct policy *empty = tu_build(&d2, "rules = ();\n", NULL);
	struct subject s = { "root", NULL, 0 };
	struct request rq = { ACT_START, "nginx", 0, NULL };
	struct decision dec;

	ck_assert_ptr_nonnull(empty);
	policy_decide(empty, &s, &rq, &dec);
	ck_assert_int_eq(dec.verdict, VERDICT_DENY);
	ck_assert_str_eq(dec.detail, "the policy has no rules");
	policy_free(empty);
	diags_free(&d2);
}
END_TEST

START_TEST(parses_ports_and_actions)
{
	enum action a;

	ck_assert_int_eq(port_from_string("8080"), 8080);
	ck_assert_int_eq(port_from_string("1"), 1);
	ck_assert_int_eq(port_from_string("65535"), 65535);
	ck_assert_int_eq(port_from_string("65536"), -1);
	ck_assert_int_eq(port_from_string("0"), -1);
	ck_assert_int_eq(port_from_string("08080"), -1);
	ck_assert_int_eq(port_from_string("80a"), -1);
	ck_assert_int_eq(port_from_string("-80"), -1);
	ck_assert_int_eq(port_from_string(" 80"), -1);
	ck_assert_int_eq(port_from_string(""), -1);
	ck_assert_int_eq(port_from_string("4294967376"), -1);
	ck_assert_int_eq(action_from_name("free-port", &a), 0);
	ck_assert_int_eq(a, ACT_FREE_PORT);
	ck_assert_int_eq(action_from_name("verify", &a), 0);
	ck_assert_int_eq(a, ACT_VERIFY);
	ck_assert_int_eq(action_from_name("switch", &a), 0);
	ck_assert_int_eq(a, ACT_SWITCH);
	ck_assert_str_eq(action_name(ACT_SWITCH), "switch");
	ck_assert_int_eq(action_from_name("kill", &a), -1);
	ck_assert_str_eq(action_name(ACT_STOP), "stop");
}
END_TEST

/* A plan is granted as a whole: switch PLAN, and none of its steps. */
START_TEST(plan_grants_switch_only)
{
	const struct {
		enum action action;
		const char *target;
	} steps[] = {
		{ ACT_FREE_PORT, "8080" }, { ACT_STOP, "apache2" },
		{ ACT_START, "nginx" }, { ACT_VERIFY, "homepage" },
		{ ACT_STOP, "nginx" }, { ACT_START, "apache2" },
	};
	struct decision dec = ask("switcher", NULL, 0, ACT_SWITCH, "newsite");
	size_t i;

	ck_assert_int_eq(dec.verdict, VERDICT_ALLOW);
	ck_assert_int_eq(dec.rule->at.line, 26);
	ck_assert_int_eq(dec.at.line, 27);
	ck_assert_int_eq(dec.auth, AUTH_NONE);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		dec = ask("switcher", NULL, 0, steps[i].action, steps[i].target);
		ck_assert_msg(dec.verdict == VERDICT_DENY, "switcher may %s %s",
		    action_name(steps[i].action), steps[i].target);
		ck_assert_ptr_nonnull(strstr(dec.detail, "none lists this"));
	}
	dec = ask("switcher", NULL, 0, ACT_SWITCH, "oldsite");
	ck_assert_int_eq(dec.verdict, VERDICT_DENY);
	ck_assert_str_eq(dec.detail, "the policy defines no plan by that name");
	ck_assert_int_eq(ask("switcher", NULL, 0, ACT_SWITCH, NULL).verdict,
	    VERDICT_DENY);
	/* the plan's name is not a service's, nor the other way round */
	ck_assert_int_eq(ask("switcher", NULL, 0, ACT_START, "newsite").verdict,
	    VERDICT_DENY);
	ck_assert_int_eq(ask("deploy", NULL, 0, ACT_SWITCH, "nginx").verdict,
	    VERDICT_DENY);
}
END_TEST

/* Holding every step of a plan does not grant the plan. */
START_TEST(steps_do_not_grant_the_plan)
{
	const char *ops[] = { "webops" };
	struct decision dec;

	/* deploy may free 8080, start nginx and verify homepage; webops stop */
	ck_assert_int_eq(ask("deploy", ops, 1, ACT_FREE_PORT, "8080").verdict,
	    VERDICT_ALLOW);
	ck_assert_int_eq(ask("deploy", ops, 1, ACT_START, "nginx").verdict,
	    VERDICT_ALLOW);
	dec = ask("deploy", ops, 1, ACT_SWITCH, "newsite");
	ck_assert_int_eq(dec.verdict, VERDICT_DENY);
	ck_assert_ptr_null(dec.rule);
	ck_assert_str_eq(dec.detail, "2 rules name deploy, but none lists "
	    "this target");
}
END_TEST

/*
 * reason = "required": the rule allows only with --reason; the first rule
 * that lists the target decides (as auth), and the refusal says what to do.
 */
START_TEST(reason_required_refuses_without_one)
{
	struct diags d2 = { 0 };
	struct policy *rp = tu_build(&d2,
	    "services = { nginx = { exe = \"/usr/sbin/nginx\"; user = \"www-data\";\n"
	    "  start = [\"/usr/sbin/nginx\"]; }; };\n"
	    "rules = (\n"
	    "  { users = [\"deploy\"]; start = [\"nginx\"]; reason = \"required\"; },\n"
	    "  { users = [\"deploy\", \"ci\"]; start = [\"nginx\"]; stop = [\"nginx\"]; }\n"
	    ");\n", NULL);
	struct subject deploy = { "deploy", NULL, 0 }, ci = { "ci", NULL, 0 };
	struct request rq = { ACT_START, "nginx", 0, NULL };
	struct decision dec;

	if (rp == NULL)
		tu_dump(&d2);
	ck_assert_ptr_nonnull(rp);
	ck_assert(rp->rules[0].reason_required);
	ck_assert(!rp->rules[1].reason_required);
	policy_decide(rp, &deploy, &rq, &dec);
	ck_assert_int_eq(dec.verdict, VERDICT_DENY);
	ck_assert_ptr_null(dec.rule);
	ck_assert_str_eq(dec.reason, "the rule at main.conf:4 allows it only "
	    "with a reason; give one: cutover --reason TEXT start ...");
	ck_assert_ptr_nonnull(strstr(dec.detail, "reason = \"required\""));
	rq.reason = "CHG-1";
	policy_decide(rp, &deploy, &rq, &dec);
	ck_assert_int_eq(dec.verdict, VERDICT_ALLOW);
	ck_assert_int_eq(dec.rule->at.line, 4);
	/* ci's rule asks for none; deploy's stop is the second rule's */
	rq.reason = NULL;
	policy_decide(rp, &ci, &rq, &dec);
	ck_assert_int_eq(dec.verdict, VERDICT_ALLOW);
	rq.action = ACT_STOP;
	policy_decide(rp, &deploy, &rq, &dec);
	ck_assert_int_eq(dec.verdict, VERDICT_ALLOW);
	ck_assert_int_eq(dec.rule->at.line, 5);
	policy_free(rp);
	diags_free(&d2);
}
END_TEST

Suite *
decide_suite(void)
{
	Suite *s = suite_create("decide");
	TCase *tc = tcase_create("decide");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, user_rule_allows_exactly_its_targets);
	tcase_add_test(tc, group_rule_applies_to_members_only);
	tcase_add_test(tc, first_matching_rule_decides);
	tcase_add_test(tc, deny_by_default);
	tcase_add_test(tc, empty_policy_denies_everything);
	tcase_add_test(tc, parses_ports_and_actions);
	tcase_add_test(tc, plan_grants_switch_only);
	tcase_add_test(tc, steps_do_not_grant_the_plan);
	tcase_add_test(tc, reason_required_refuses_without_one);
	suite_add_tcase(s, tc);
	return s;
}
