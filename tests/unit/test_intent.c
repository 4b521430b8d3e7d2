/*
 * test_intent.c - the journal of intent (helper/act/intent.h): its text
 * both ways, the parser's refusals, the files in a directory of the
 * test's own; and the recovery's decision (switch/recover.h), a pure
 * function of the journal and of who holds the site.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper/act/intent.h"
#include "helper/act/switch/recover.h"
#include "tests/unit/testutil.h"

#define TXID "0123456789abcdef0123456789abcdef"

static struct intent
sample(void)
{
	struct intent i = { .txid = TXID, .plan = "newsite", .from = "apache2",
	    .to = "nginx", .ports = { 80, 443 }, .nports = 2,
	    .old_held_port = true, .from_boot = "enabled",
	    .to_boot = "disabled",
	    .marks = INTENT_STARTED_NEW | INTENT_STOPPED_OLD };
	return i;
}

static int
parse(const char *text, struct intent *i)
{
	char why[200];

	return intent_parse(text, strlen(text), i, why, sizeof(why));
}

START_TEST(round_trip)
{
	struct intent i = sample(), j;
	char text[INTENT_TEXT_MAX], why[200];

	ck_assert_int_eq(intent_format(&i, text, sizeof(text)), 0);
	ck_assert_ptr_nonnull(strstr(text, "ports 80 443\n"));
	ck_assert_ptr_nonnull(strstr(text, "marks started-new stopped-old\n"));
	ck_assert_int_eq(intent_parse(text, strlen(text), &j, why,
	    sizeof(why)), 0);
	ck_assert_int_eq(memcmp(&i, &j, sizeof(i)), 0);
	/* a process service has no boot state: "-" */
	memset(i.from_boot, 0, sizeof(i.from_boot));
	memset(i.to_boot, 0, sizeof(i.to_boot));
	i.marks = 0;
	ck_assert_int_eq(intent_format(&i, text, sizeof(text)), 0);
	ck_assert_ptr_nonnull(strstr(text, "from-boot -\n"));
	ck_assert_ptr_nonnull(strstr(text, "marks\n"));
	ck_assert_int_eq(parse(text, &j), 0);
	ck_assert_int_eq(memcmp(&i, &j, sizeof(i)), 0);
}
END_TEST

/* Each line of a good journal replaced by BAD must be refused. */
static void
refused_with(const char *key, const char *bad)
{
	struct intent i = sample(), j;
	char text[INTENT_TEXT_MAX], out[INTENT_TEXT_MAX], *at, *eol;

	ck_assert_int_eq(intent_format(&i, text, sizeof(text)), 0);
	at = strstr(text, key);
	ck_assert_ptr_nonnull(at);
	eol = strchr(at, '\n');
	snprintf(out, sizeof(out), "%.*s%s%s", (int)(at - text), text, bad,
	    eol);
	ck_assert_msg(parse(out, &j) == -1, "accepted: %s", out);
}

START_TEST(refusals)
{
	struct intent j;

	refused_with("txid ", "txid 0123");
	refused_with("txid ", "txid 0123456789ABCDEF0123456789ABCDEF");
	refused_with("plan ", "plan ../etc");
	refused_with("plan ", "plan");
	refused_with("to ", "to apache2");              /* from = to */
	refused_with("ports ", "ports 0");
	refused_with("ports ", "ports 080");
	refused_with("ports ", "ports 65536");
	refused_with("ports ", "ports 1 2 3 4 5");
	refused_with("ports ", "ports +80");
	refused_with("ports ", "ports");
	refused_with("old-held-port ", "old-held-port 1");
	refused_with("from-boot ", "from-boot Enabled");
	refused_with("marks ", "marks verified verified");
	refused_with("marks ", "marks done");
	refused_with("to-boot ", "colour blue");        /* unknown; to-boot gone */
	refused_with("txid ", "plan other");            /* twice; txid gone */
	ck_assert_int_eq(parse("", &j), -1);
	ck_assert_int_eq(parse("cutover-intent 2\n", &j), -1);
	ck_assert_int_eq(parse("cutover-intent 1", &j), -1);
	ck_assert_int_eq(intent_parse("cutover-intent 1\n\0x\n", 19, &j,
	    (char[64]){ 0 }, 64), -1);
}
END_TEST

START_TEST(files)
{
	char dir[] = "/tmp/cutover-intent-XXXXXX", why[300];
	struct intent i = sample(), v[4];
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(intent_list_at(fd, geteuid(), v, 4, why, sizeof(why)),
	    0);
	ck_assert_int_eq(intent_write_at(fd, geteuid(), &i, why, sizeof(why)),
	    0);
	i.marks |= INTENT_VERIFIED;     /* written again: replaced whole */
	ck_assert_int_eq(intent_write_at(fd, geteuid(), &i, why, sizeof(why)),
	    0);
	ck_assert_int_eq(intent_list_at(fd, geteuid(), v, 4, why, sizeof(why)),
	    1);
	ck_assert_int_eq(memcmp(&v[0], &i, sizeof(i)), 0);
	/* someone else's file is not a journal */
	ck_assert_int_eq(intent_list_at(fd, geteuid() + 1, v, 4, why,
	    sizeof(why)), -1);
	ck_assert_int_eq(intent_clear_at(fd, "newsite", why, sizeof(why)), 0);
	ck_assert_int_eq(intent_clear_at(fd, "newsite", why, sizeof(why)), 0);
	ck_assert_int_eq(intent_list_at(fd, geteuid(), v, 4, why, sizeof(why)),
	    0);
	close(fd);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* ---- recover_decide ------------------------------------------------------ */

static struct rc_todo
decide(unsigned marks, bool held, bool boot, struct rc_view view)
{
	struct intent i = sample();
	struct rc_todo t;

	i.marks = marks;
	i.old_held_port = held;
	recover_decide(&i, true, boot, &view, &t);
	return t;
}

START_TEST(decide_back)
{
	/* killed during the new one's start: both on one socket */
	struct rc_todo t = decide(0, true, false, (struct rc_view){
	    .to_all = true, .from_all = true, .to_any = true,
	    .from_any = true });

	ck_assert(!t.forward && t.stop_to && t.restore_boot && !t.start_from);
	/* killed during the drain: the old one gone, the new one not checked */
	t = decide(INTENT_STARTED_NEW | INTENT_STOPPED_OLD, true, false,
	    (struct rc_view){ .to_all = true, .to_any = true });
	ck_assert(!t.forward && t.stop_to && t.start_from && t.restore_boot);
	/* the old one held nothing before: not started again */
	t = decide(INTENT_STARTED_NEW, false, false, (struct rc_view){
	    .to_all = true, .to_any = true });
	ck_assert(!t.forward && t.stop_to && !t.start_from);
	/* verified, but the new one has died since: back */
	t = decide(INTENT_STARTED_NEW | INTENT_STOPPED_OLD | INTENT_VERIFIED,
	    true, false, (struct rc_view){ 0 });
	ck_assert(!t.forward && !t.stop_to && t.start_from);
	/* killed in the rollback: it is finished, whatever it had reached */
	t = decide(INTENT_VERIFIED | INTENT_PERSISTING | INTENT_UNDOING, true,
	    false, (struct rc_view){ .to_all = true, .to_any = true });
	ck_assert(!t.forward && t.stop_to && t.start_from);
	ck_assert(!t.resume_from);
	/* killed during a check, the old one paused: it goes on first */
	t = decide(INTENT_STARTED_NEW | INTENT_PAUSED_OLD, true, false,
	    (struct rc_view){ .to_all = true, .from_all = true, .to_any = true,
	    .from_any = true });
	ck_assert(t.resume_from && !t.forward && t.stop_to && !t.start_from);
	/* during boot nothing is paused any more */
	t = decide(INTENT_STARTED_NEW | INTENT_PAUSED_OLD, true, true,
	    (struct rc_view){ 0 });
	ck_assert(!t.resume_from);
}
END_TEST

START_TEST(decide_forward)
{
	/* verified, killed in persist: finished */
	struct rc_todo t = decide(INTENT_STARTED_NEW | INTENT_STOPPED_OLD |
	    INTENT_VERIFIED | INTENT_PERSISTING, true, false, (struct rc_view){
	    .to_all = true, .to_any = true });

	ck_assert(t.forward && t.persist && !t.stop_from && !t.stop_to &&
	    !t.start_from && !t.restore_boot);
	/* after a boot that started both (persist half done): old one stopped */
	t = decide(INTENT_VERIFIED | INTENT_PERSISTING, true, false,
	    (struct rc_view){ .to_all = true, .to_any = true,
	    .from_any = true });
	ck_assert(t.forward && t.stop_from && t.persist);
	/* verified, killed while the paused one went on to drain */
	t = decide(INTENT_STARTED_NEW | INTENT_PAUSED_OLD | INTENT_VERIFIED,
	    true, false, (struct rc_view){ .to_all = true, .to_any = true,
	    .from_all = true, .from_any = true });
	ck_assert(t.forward && t.resume_from && t.stop_from && t.persist);
}
END_TEST

START_TEST(decide_boot)
{
	/* during boot nothing runs: the journal alone decides */
	struct rc_todo t = decide(INTENT_VERIFIED, true, true,
	    (struct rc_view){ 0 });

	ck_assert(t.forward && t.persist);
	t = decide(INTENT_STARTED_NEW | INTENT_STOPPED_OLD, true, true,
	    (struct rc_view){ 0 });
	ck_assert(!t.forward && t.restore_boot);
}
END_TEST

Suite *
intent_suite(void)
{
	Suite *s = suite_create("intent");
	TCase *tc = tcase_create("journal");

	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, files);
	suite_add_tcase(s, tc);
	tc = tcase_create("recover_decide");
	tcase_add_test(tc, decide_back);
	tcase_add_test(tc, decide_forward);
	tcase_add_test(tc, decide_boot);
	suite_add_tcase(s, tc);
	return s;
}
