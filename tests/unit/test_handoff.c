/*
 * test_handoff.c - what handoff/cutover-handoff.c reads: the offer's
 * control message (handed_fds) and the server's pid file (pid_text_names).
 * The helper is one file with its own main(), included here whole with
 * its main renamed, as tests/fuzz/fuzz_handoff.c does; its I/O is the
 * container tests' (t-handoff.sh).
 */
#define main handoff_main
#include "handoff/cutover-handoff.c"
#undef main

#include <check.h>

/* A control buffer of one or two messages, each (level, type, fds). */
struct ctl {
	union {
		char buf[CMSG_SPACE(sizeof(int) * 16) * 2];
		struct cmsghdr align;
	} u;
	struct msghdr msg;
};

static struct cmsghdr *
add(struct ctl *c, struct cmsghdr *after, int type, size_t nfds)
{
	struct cmsghdr *cm = after == NULL ? (struct cmsghdr *)(void *)c->u.buf :
	    (struct cmsghdr *)(void *)((char *)after + CMSG_SPACE(
	    after->cmsg_len - CMSG_LEN(0)));
	size_t i;

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = type;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
	for (i = 0; i < nfds; i++)
		((int *)(void *)CMSG_DATA(cm))[i] = 10 + (int)i;
	c->msg.msg_control = c->u.buf;
	c->msg.msg_controllen = (size_t)((char *)cm - c->u.buf) +
	    CMSG_SPACE(sizeof(int) * nfds);
	return cm;
}

/*
 * Found by fuzz_handoff: a length that lies (longer than the buffer,
 * shorter than a header) was copied from (a read and a write past the
 * ends), a second SCM_RIGHTS replaced the first (whose sockets stayed
 * open, unplaced), more than FDS_MAX were written past the array.
 */
START_TEST(handed_fds_trusts_no_length)
{
	struct ctl c;
	struct cmsghdr *cm;
	int fds[FDS_MAX + 8];

	memset(&c, 0, sizeof(c));
	add(&c, NULL, SCM_RIGHTS, 2);
	ck_assert_int_eq(handed_fds(&c.msg, fds), 2);
	ck_assert_int_eq(fds[0], 10);
	ck_assert_int_eq(fds[1], 11);
	cm = add(&c, NULL, SCM_CREDENTIALS, 3);
	add(&c, cm, SCM_RIGHTS, 1);
	ck_assert_int_eq(handed_fds(&c.msg, fds), 1);
	cm = add(&c, NULL, SCM_RIGHTS, 1);
	add(&c, cm, SCM_RIGHTS, 1);
	ck_assert_int_eq(handed_fds(&c.msg, fds), -1);
	add(&c, NULL, SCM_RIGHTS, FDS_MAX + 1);
	ck_assert_int_eq(handed_fds(&c.msg, fds), -1);
	cm = add(&c, NULL, SCM_RIGHTS, 1);
	cm->cmsg_len = 4096;
	ck_assert_int_eq(handed_fds(&c.msg, fds), -1);
	cm->cmsg_len = 4;
	ck_assert_int_eq(handed_fds(&c.msg, fds), -1);
	c.msg.msg_controllen = 0;
	ck_assert_int_eq(handed_fds(&c.msg, fds), 0);
}
END_TEST

/* strtol took " 1234", "+1234" and "01234" for 1234. */
START_TEST(a_pid_file_is_plain_digits)
{
	ck_assert_int_eq(pid_text_names("1234\n", 1234), 1);
	ck_assert_int_eq(pid_text_names("1234", 1234), 1);
	ck_assert_int_eq(pid_text_names("1235\n", 1234), 0);
	ck_assert_int_eq(pid_text_names(" 1234\n", 1234), 0);
	ck_assert_int_eq(pid_text_names("+1234\n", 1234), 0);
	ck_assert_int_eq(pid_text_names("01234\n", 1234), 0);
	ck_assert_int_eq(pid_text_names("1234\n\n", 1234), 0);
	ck_assert_int_eq(pid_text_names("", 1234), 0);
}
END_TEST

/*
 * Sockets systemd kept (its fd store) are taken only when LISTEN_PID
 * names this process, and only 1 to FDS_MAX of them.
 */
START_TEST(stored_sockets_are_this_process_s)
{
	ck_assert_int_eq(stored_count(NULL, NULL, 40), 0);
	ck_assert_int_eq(stored_count("2", NULL, 40), 0);
	ck_assert_int_eq(stored_count("2", "41", 40), 0);      /* another's */
	ck_assert_int_eq(stored_count("2", "040", 40), 0);
	ck_assert_int_eq(stored_count("2", "40", 40), 2);
	ck_assert_int_eq(stored_count("8", "40", 40), FDS_MAX);
	ck_assert_int_eq(stored_count("9", "40", 40), -1);
	ck_assert_int_eq(stored_count("0", "40", 40), -1);
	ck_assert_int_eq(stored_count("-1", "40", 40), -1);
	ck_assert_int_eq(stored_count(" 2", "40", 40), -1);
	ck_assert_int_eq(stored_count("2x", "40", 40), -1);
	ck_assert_int_eq(stored_count("99999999999999999999", "40", 40), -1);
}
END_TEST

/* NOTIFY_SOCKET: a path (its NUL counted) or "@" for the abstract one. */
START_TEST(the_notify_address_is_a_path_or_abstract)
{
	struct sockaddr_un sa;
	char big[200];

	ck_assert_uint_eq(notify_address("/run/systemd/notify", &sa),
	    offsetof(struct sockaddr_un, sun_path) + 20);
	ck_assert_str_eq(sa.sun_path, "/run/systemd/notify");
	ck_assert_uint_eq(notify_address("@x/y", &sa),
	    offsetof(struct sockaddr_un, sun_path) + 4);
	ck_assert_int_eq(sa.sun_path[0], '\0');
	ck_assert_int_eq(memcmp(sa.sun_path + 1, "x/y", 3), 0);
	ck_assert_uint_eq(notify_address(NULL, &sa), 0);
	ck_assert_uint_eq(notify_address("run/notify", &sa), 0);
	memset(big, 'a', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';
	ck_assert_uint_eq(notify_address(big, &sa), 0);
}
END_TEST

Suite *
handoff_suite(void)
{
	Suite *s = suite_create("handoff");
	TCase *tc = tcase_create("handoff");

	tcase_add_test(tc, handed_fds_trusts_no_length);
	tcase_add_test(tc, a_pid_file_is_plain_digits);
	tcase_add_test(tc, stored_sockets_are_this_process_s);
	tcase_add_test(tc, the_notify_address_is_a_path_or_abstract);
	suite_add_tcase(s, tc);
	return s;
}
