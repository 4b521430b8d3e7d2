/*
 * test_logrec.c - an audit record read back (helper/log/logrec.c) and the
 * trail's files (helper/log/logfile.c): records as audit_encode writes
 * them are read back member by member; what is not one record is refused
 * (a repeated member, nesting too deep, a raw control byte, trailing
 * bytes); escapes decode; the filters and the text of a transaction; a
 * gzip'd file reads as the plain one.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper/log/logfile.h"
#include "helper/log/logrec.h"
#include "helper/record/audit.h"

static const char *const groups[] = { "deploy" };

/* A record of EV as the writer makes it, with a chain member. */
static char *
written(const struct audit_event *ev)
{
	static struct caller c;
	struct audit_context ctx = { .host = "web1", .pid = 7, .uid = 1001,
	    .now = { 1765123456, 789000000 }, .prev = "00" };
	struct strbuf sb = STRBUF_INIT;
	struct audit_event e = *ev;

	memset(&c, 0, sizeof(c));
	c.uid = 1001;
	c.name = (char *)"deploy";
	c.subject.groups = groups;
	c.subject.ngroups = 1;
	e.caller = &c;
	audit_encode(&e, &ctx, &sb);
	ck_assert(!sb_failed(&sb));
	sb.s[--sb.len] = '\0';       /* the '\n' */
	return sb.s;
}

static struct audit_event
switch_outcome(const char *outcome, const char *reason)
{
	struct audit_event ev = { .stage = AUDIT_OUTCOME,
	    .txid = "0123456789abcdef0123456789abcdef", .action = "switch",
	    .target = "newsite", .decision = "allow", .rule = "p.conf:3",
	    .reason = reason, .outcome = outcome, .duration = 1.5 };

	return ev;
}

static char *
text_of(const struct logval *v)
{
	static char buf[LOGREC_STR_MAX + 1];

	logrec_text(v, buf, sizeof(buf));
	return buf;
}

START_TEST(reads_what_the_writer_writes)
{
	struct audit_event ev = switch_outcome("rolled-back", "verify failed");
	char *line = written(&ev);
	struct logrec r;

	ck_assert_int_eq(logrec_parse(line, strlen(line), &r), 0);
	ck_assert_str_eq(text_of(&r.v[LK_USER]), "deploy");
	ck_assert_str_eq(text_of(&r.v[LK_ACTION]), "switch");
	ck_assert_str_eq(text_of(&r.v[LK_TARGET]), "newsite");
	ck_assert_str_eq(text_of(&r.v[LK_OUTCOME]), "rolled-back");
	ck_assert_str_eq(text_of(&r.v[LK_TIME]), "2025-12-07T16:04:16.789Z");
	ck_assert_int_eq(r.v[LK_DURATION].kind, LV_OTHER);
	ck_assert_int_eq(r.v[LK_STEP].kind, LV_ABSENT);
	ck_assert_int_eq(logrec_role(&r), ROLE_TRANSACTION);
	free(line);
}
END_TEST

START_TEST(escapes_decode)
{
	struct audit_event ev = switch_outcome("failed", "a\"b\\c\nd\x01"
	    "\xc3\xa9");
	const char *pair = "{\"user\":\"\\ud83d\\ude00 \\ud800x \\/\"}";
	char *line = written(&ev);
	struct logrec r;

	ck_assert_int_eq(logrec_parse(line, strlen(line), &r), 0);
	ck_assert_str_eq(text_of(&r.v[LK_REASON]), "a\"b\\c\nd\x01\xc3\xa9");
	free(line);
	ck_assert_int_eq(logrec_parse(pair, strlen(pair), &r), 0);
	ck_assert_str_eq(text_of(&r.v[LK_USER]),
	    "\xf0\x9f\x98\x80 \xef\xbf\xbdx /");
	ck_assert(logrec_is(&r.v[LK_USER], "\xf0\x9f\x98\x80 \xef\xbf\xbdx /"));
}
END_TEST

START_TEST(not_one_record_refused)
{
	static const char *const bad[] = {
		"", "[]", "{", "{\"user\":\"a\"", "{\"user\":\"a\"}x",
		"{\"user\":\"a\",\"user\":\"b\"}",      /* two readings */
		"{\"user\":\"a\tb\"}",                   /* raw control */
		"{\"user\":\"\\x\"}", "{\"user\":\"\\u12\"}",
		"{\"a\":[[[[[[[[[1]]]]]]]]]}",           /* deeper than 8 */
		"{\"a\":[1}", "{\"a\":}", "{\"a\" 1}", "{\"a\":tru}",
		"{\"a\":-}", "{,}", "{\"a\":1,}",
	};
	const char *nested = " {\"a\":[1,{\"b\":\"]\"}],\"c\":null} ";
	struct logrec r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(logrec_parse(bad[i], strlen(bad[i]), &r) == -1,
		    "accepted: %s", bad[i]);
	ck_assert_int_eq(logrec_parse("{}", 2, &r), 0);
	ck_assert_int_eq(logrec_parse(nested, strlen(nested), &r), 0);
	/* a NUL inside the line is a control byte too */
	ck_assert_int_eq(logrec_parse("{\"user\":\"a\0\"}", 13, &r), -1);
}
END_TEST

START_TEST(roles_and_outcome_words)
{
	struct logrec r;
	char word[32];
	const char *deny = "{\"stage\":\"request\",\"decision\":\"deny\"}";
	const char *err = "{\"stage\":\"request\",\"decision\":\"error\"}";
	const char *allow = "{\"stage\":\"request\",\"decision\":\"allow\"}";
	const char *step = "{\"stage\":\"step\",\"outcome\":\"ok\"}";
	const char *dry = "{\"stage\":\"request\",\"decision\":\"allow\","
	    "\"dry_run\":true}";
	const char *list = "{\"stage\":\"request\",\"decision\":\"allow\","
	    "\"action\":\"list\",\"dry_run\":false}";

	ck_assert_int_eq(logrec_parse(deny, strlen(deny), &r), 0);
	ck_assert_int_eq(logrec_role(&r), ROLE_TRANSACTION);
	logrec_outcome(&r, word, sizeof(word));
	ck_assert_str_eq(word, "refused");
	ck_assert_int_eq(logrec_parse(err, strlen(err), &r), 0);
	logrec_outcome(&r, word, sizeof(word));
	ck_assert_str_eq(word, "error");
	ck_assert_int_eq(logrec_parse(allow, strlen(allow), &r), 0);
	ck_assert_int_eq(logrec_role(&r), ROLE_REQUEST);
	/* a dry run and list have no outcome record: the request is all */
	ck_assert_int_eq(logrec_parse(dry, strlen(dry), &r), 0);
	ck_assert_int_eq(logrec_role(&r), ROLE_TRANSACTION);
	logrec_outcome(&r, word, sizeof(word));
	ck_assert_str_eq(word, "allowed");
	ck_assert_int_eq(logrec_parse(list, strlen(list), &r), 0);
	ck_assert_int_eq(logrec_role(&r), ROLE_TRANSACTION);
	ck_assert_int_eq(logrec_parse(step, strlen(step), &r), 0);
	ck_assert_int_eq(logrec_role(&r), ROLE_STEP);
}
END_TEST

START_TEST(filters)
{
	struct audit_event ev = switch_outcome("failed", "verify failed");
	char *line = written(&ev);
	struct logrec r;
	struct logfilter f;

	ck_assert_int_eq(logrec_parse(line, strlen(line), &r), 0);
	memset(&f, 0, sizeof(f));
	ck_assert(logfilter_match(&f, &r));
	f.user = "deploy";
	f.outcome = "failed";
	f.action = "switch";
	f.target = "newsite";
	f.txid = "0123";
	f.since = "2025-12-07";
	f.until = "2025-12-07";         /* the whole day */
	ck_assert(logfilter_match(&f, &r));
	f.until = "2025-12-07T16:04:15";
	ck_assert(!logfilter_match(&f, &r));
	f.until = NULL;
	f.since = "2025-12-08";
	ck_assert(!logfilter_match(&f, &r));
	f.since = NULL;
	f.user = "deplo";
	ck_assert(!logfilter_match(&f, &r));
	f.user = "deploy";
	f.txid = "1";
	ck_assert(!logfilter_match(&f, &r));
	f.txid = NULL;
	f.outcome = "ok";
	ck_assert(!logfilter_match(&f, &r));
	ck_assert(logfilter_time_ok("2025-12-07T16:04"));
	ck_assert(!logfilter_time_ok("2025-12-7"));
	ck_assert(!logfilter_time_ok("yesterday"));
	ck_assert(!logfilter_time_ok(""));
	free(line);
}
END_TEST

/* --run-id (the whole id) and --reason (found in the caller's reason) */
START_TEST(filters_of_a_roll_out)
{
	struct audit_event ev = switch_outcome("ok", "granted");
	struct strbuf sb = STRBUF_INIT;
	struct logrec r;
	struct logfilter f;
	char *line;

	ev.run_id = "r-2026.12:07_1";
	ev.caller_reason = "CHG-1234 move to nginx";
	line = written(&ev);
	ck_assert_int_eq(logrec_parse(line, strlen(line), &r), 0);
	memset(&f, 0, sizeof(f));
	f.run_id = "r-2026.12:07_1";
	f.reason = "CHG-1234";
	ck_assert(logfilter_match(&f, &r));
	f.run_id = "r-2026";            /* a whole id, not a prefix */
	ck_assert(!logfilter_match(&f, &r));
	f.run_id = NULL;
	f.reason = "CHG-1235";
	ck_assert(!logfilter_match(&f, &r));
	logrec_render(&r, false, &sb);
	ck_assert_str_eq(sb_str(&sb), "2025-12-07T16:04:16.789Z deploy switch "
	    "newsite: ok, 1.500 s, txid 01234567, run r-2026.12:07_1");
	sb_free(&sb);
	free(line);
	/* a record without them (or written before them) matches neither */
	ev.run_id = ev.caller_reason = NULL;
	line = written(&ev);
	ck_assert_int_eq(logrec_parse(line, strlen(line), &r), 0);
	f.reason = "CHG";
	ck_assert(!logfilter_match(&f, &r));
	f.reason = NULL;
	f.run_id = "r1";
	ck_assert(!logfilter_match(&f, &r));
	free(line);
}
END_TEST

START_TEST(text_of_a_transaction)
{
	struct audit_event ev = switch_outcome("rolled-back",
	    "verify homepage failed\x1b[2J");
	struct strbuf sb = STRBUF_INIT;
	char *line = written(&ev);
	struct logrec r;

	ck_assert_int_eq(logrec_parse(line, strlen(line), &r), 0);
	logrec_render(&r, false, &sb);
	ck_assert_str_eq(sb_str(&sb), "2025-12-07T16:04:16.789Z deploy switch "
	    "newsite: rolled-back: verify homepage failed\\x1b[2J, 1.500 s, "
	    "txid 01234567");
	sb_free(&sb);
	free(line);
	ev = switch_outcome("ok", "granted");
	ev.stage = AUDIT_STEP;
	ev.step = "start nginx";
	line = written(&ev);
	ck_assert_int_eq(logrec_parse(line, strlen(line), &r), 0);
	logrec_render(&r, true, &sb);
	ck_assert_str_eq(sb_str(&sb), "    step start nginx: ok, 1.500 s");
	sb_free(&sb);
	free(line);
}
END_TEST

/* ---- files --------------------------------------------------------------- */

static void
read_all(const char *path, struct strbuf *out, bool *cut)
{
	char why[512];
	struct logfile *f = logfile_open(path, why, sizeof(why));
	const char *line;
	bool longline, this_cut;
	size_t len;
	int rc;

	ck_assert_msg(f != NULL, "%s", why);
	*cut = false;
	while ((rc = logfile_next(f, &line, &len, &this_cut, &longline, why,
	    sizeof(why))) == 1) {
		*cut |= this_cut;
		sb_append(out, line, len);
		sb_puts(out, longline ? "<long>|" : "|");
	}
	ck_assert_msg(rc == 0, "%s", why);
	logfile_close(f);
}

START_TEST(plain_and_gzip_read_alike)
{
	char dir[] = "/tmp/cutover-logfile-XXXXXX", path[64], cmd[160];
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	bool cut = false;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/audit.jsonl", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("{\"n\":1}\n\n{\"n\":3}\nlast", f);
	fclose(f);
	read_all(path, &a, &cut);
	ck_assert_str_eq(sb_str(&a), "{\"n\":1}||{\"n\":3}|last|");
	ck_assert(cut);
	snprintf(cmd, sizeof(cmd), "gzip -k -- '%s'", path);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/audit.jsonl.gz", dir);
	read_all(path, &b, &cut);
	ck_assert_str_eq(sb_str(&b), sb_str(&a));
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	sb_free(&a);
	sb_free(&b);
}
END_TEST

START_TEST(long_line_skipped_whole)
{
	char path[] = "/tmp/cutover-logfile-XXXXXX";
	struct strbuf a = STRBUF_INIT;
	size_t big = LOGFILE_LINE_MAX * 2 + 10;
	char *text = malloc(big + 8);
	bool cut = false;
	int fd = mkstemp(path);

	ck_assert_int_ne(fd, -1);
	ck_assert_ptr_nonnull(text);
	memset(text, 'x', big);
	memcpy(text + big, "\nok\n", 4);
	ck_assert_int_eq(write(fd, text, big + 4), (ssize_t)(big + 4));
	close(fd);
	read_all(path, &a, &cut);
	ck_assert_str_eq(sb_str(&a), "<long>|ok|");
	ck_assert(!cut);
	unlink(path);
	free(text);
	sb_free(&a);
}
END_TEST

Suite *
logrec_suite(void)
{
	Suite *s = suite_create("logrec");
	TCase *rec = tcase_create("record");
	TCase *file = tcase_create("file");

	tcase_add_test(rec, reads_what_the_writer_writes);
	tcase_add_test(rec, escapes_decode);
	tcase_add_test(rec, not_one_record_refused);
	tcase_add_test(rec, roles_and_outcome_words);
	tcase_add_test(rec, filters);
	tcase_add_test(rec, text_of_a_transaction);
	tcase_add_test(rec, filters_of_a_roll_out);
	suite_add_tcase(s, rec);
	tcase_add_test(file, plain_and_gzip_read_alike);
	tcase_add_test(file, long_line_skipped_whole);
	suite_add_tcase(s, file);
	return s;
}
