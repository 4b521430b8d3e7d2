/*
 * test_listens.c - nginx's listen directives read from its configuration
 * dump, judged against the sockets a switch hands it (listens.c).
 * tests/unit/data/nginx-T-debian.txt is Debian 12's own nginx.conf and
 * sites-available/default as nginx -T dumps them.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "helper/act/switch/listens.h"
#include "tests/unit/testutil.h"

static struct listen_set ls;
static char why[1024];

static int
judge_text(const char *dump, const int *ports, const unsigned *handed,
    size_t n)
{
	ck_assert_int_eq(listens_parse(dump, strlen(dump), &ls, why,
	    sizeof(why)), 0);
	why[0] = '\0';
	return listens_judge(&ls, ports, handed, n, why, sizeof(why));
}

#define ck_why_has(words) \
	ck_assert_msg(strstr(why, (words)) != NULL, "why: %s", why)

static const int port80[] = { 80 };
static const int site[] = { 80, 443 };
static const unsigned dual[] = { HANDED_DUAL, HANDED_DUAL };
static const unsigned four[] = { HANDED_V4 };
static const unsigned pair[] = { HANDED_PAIR, HANDED_PAIR };

START_TEST(debian_default_site_is_refused_with_the_line)
{
	char *dump = tu_slurp("tests/unit/data/nginx-T-debian.txt");

	ck_assert_int_eq(judge_text(dump, port80, dual, 1), -1);
	/* its file, its line in that file, what to write instead */
	ck_why_has("/etc/nginx/sites-enabled/default:22: 'listen 80 "
	    "default_server' asks for an address of port 80 that is not one "
	    "it is handed (one dual-stack socket, [::]:80, that serves IPv4 "
	    "too)");
	ck_why_has("write 'listen [::]:80 ipv6only=off;' in its place");
	ck_why_has("(and 1 more such line)");
	/* the commented-out ones are not read */
	ck_assert_uint_eq(ls.n, 2);
	ck_assert_int_eq(ls.v[1].line, 23);
	ck_assert_int_eq(ls.v[1].kind, LISTEN_V6_ONLY);
	free(dump);
}
END_TEST

START_TEST(one_dual_stack_listen_per_port_fits)
{
	ck_assert_int_eq(judge_text("server {\n listen [::]:80 ipv6only=off "
	    "default_server;\n listen [::]:443 ssl http2 ipv6only=off;\n"
	    " listen 8443 ssl; }\n", site, dual, 2), 0);
	/* every server block may say it again */
	ck_assert_int_eq(judge_text("server { listen [::]:80 ipv6only=off; }\n"
	    "server { listen [::]:80 ipv6only=off; server_name b; }\n",
	    port80, dual, 1), 0);
	/* handed an IPv4 socket: listen 80 is it */
	ck_assert_int_eq(judge_text("server { listen 80; }", port80, four, 1), 0);
	ck_assert_int_eq(judge_text("server { listen *:80; }", port80, four,
	    1), 0);
}
END_TEST

START_TEST(each_misfit_says_why)
{
	ck_assert_int_eq(judge_text("server { listen [::]:80; }", port80, dual,
	    1), -1);
	ck_why_has("'listen [::]:80' is IPv6 alone");
	ck_assert_int_eq(judge_text("server { listen [::]:80 ipv6only=off "
	    "reuseport; }", port80, dual, 1), -1);
	ck_why_has("has reuseport");
	ck_assert_int_eq(judge_text("server { listen [::]:80 ipv6only=off; }\n"
	    "server { listen 127.0.0.1:80; }", port80, dual, 1), -1);
	ck_why_has("(nginx -T):2: 'listen 127.0.0.1:80' asks for an address");
	ck_assert_int_eq(judge_text("server { listen localhost:80; "
	    "listen [::]:80 ipv6only=off; }", port80, dual, 1), -1);
	ck_why_has("'listen localhost:80'");
	ck_assert_int_eq(judge_text("server { listen [::]:80 ipv6only=off; }",
	    port80, four, 1), -1);
	ck_why_has("write 'listen 80;' in its place");
	/* a port of the plan that nginx does not listen on */
	ck_assert_int_eq(judge_text("server { listen [::]:80 ipv6only=off; }",
	    site, dual, 2), -1);
	ck_why_has("nginx's configuration has no 'listen [::]:443 "
	    "ipv6only=off;' for the socket of port 443 the switch hands it");
}
END_TEST

/* An old server with an IPv4 and an IPv6-only socket: Debian's site fits. */
START_TEST(an_ipv4_and_ipv6_pair_takes_debians_pair)
{
	char *dump = tu_slurp("tests/unit/data/nginx-T-debian.txt");

	ck_assert_int_eq(judge_text(dump, port80, pair, 1), 0);
	free(dump);
	ck_assert_int_eq(judge_text("server { listen 80; listen [::]:80 "
	    "ipv6only=on; listen 443 ssl; listen [::]:443 ssl; }", site, pair,
	    2), 0);
	/* half of the pair: nginx would close the other */
	ck_assert_int_eq(judge_text("server { listen 80; }", port80, pair, 1),
	    -1);
	ck_why_has("no 'listen 80; listen [::]:80;' for the sockets of port 80");
	/* dual-stack where it is handed the pair: it would bind beside them */
	ck_assert_int_eq(judge_text("server { listen [::]:80 ipv6only=off; }",
	    port80, pair, 1), -1);
	ck_why_has("(an IPv4 socket, 0.0.0.0:80, and an IPv6-only one, [::]:80)");
}
END_TEST

START_TEST(the_dump_is_read_as_nginx_reads_it)
{
	const char *dump =
	    "# configuration file /etc/nginx/nginx.conf:\n"
	    "http {\n"
	    "  # listen 81;\n"
	    "  include /etc/nginx/sites-enabled/*;\n"
	    "}\n"
	    "\n"
	    "# configuration file /etc/nginx/sites-enabled/a:\n"
	    "server {\n"
	    "  \"listen\" '[::]:82' ipv6only=off; # a comment; listen 83;\n"
	    "  listen unix:/run/a.sock;\n"
	    "  listen\n"
	    "    84;\n"
	    "  return 200 \"listen 85;\";\n"
	    "}\n";

	ck_assert_int_eq(listens_parse(dump, strlen(dump), &ls, why,
	    sizeof(why)), 0);
	ck_assert_uint_eq(ls.n, 2);
	ck_assert_str_eq(ls.v[0].file, "/etc/nginx/sites-enabled/a");
	ck_assert_int_eq(ls.v[0].line, 2);
	ck_assert_int_eq(ls.v[0].port, 82);
	ck_assert_int_eq(ls.v[0].kind, LISTEN_V6_DUAL);
	ck_assert_str_eq(ls.v[0].text, "listen [::]:82 ipv6only=off");
	ck_assert_int_eq(ls.v[1].line, 4);
	ck_assert_int_eq(ls.v[1].port, 84);
	ck_assert_int_eq(ls.v[1].kind, LISTEN_V4_ANY);
}
END_TEST

START_TEST(hostile_dumps_are_bounded)
{
	static char big[LISTENS_MAX * 12 + 64];
	size_t i, len = 0;

	/* an unterminated quote */
	ck_assert_int_eq(listens_parse("listen \"80;", 11, &ls, why,
	    sizeof(why)), -1);
	ck_assert_msg(strstr(why, "unterminated quote") != NULL, "%s", why);
	/* more listens than are kept */
	for (i = 0; i <= LISTENS_MAX; i++)
		len += (size_t)snprintf(big + len, sizeof(big) - len,
		    "listen 80;\n");
	ck_assert_int_eq(listens_parse(big, len, &ls, why, sizeof(why)), -1);
	ck_assert_msg(strstr(why, "more than 4096 listen") != NULL, "%s", why);
	/* bad ports, control bytes, NULs: read, never kept as they are */
	ck_assert_int_eq(listens_parse("listen 0; listen 65536; listen [::]:x;"
	    " listen \x1b[31m80;\n# configuration file \x07/x:\nlisten 9\0;", 77,
	    &ls, why, sizeof(why)), 0);
	for (i = 0; i < ls.n; i++) {
		ck_assert(ls.v[i].port >= 1 && ls.v[i].port <= 65535);
		ck_assert(strchr(ls.v[i].text, '\x1b') == NULL);
		ck_assert(strchr(ls.v[i].file, '\x07') == NULL);
	}
}
END_TEST

Suite *
listens_suite(void)
{
	Suite *s = suite_create("listens");
	TCase *tc = tcase_create("listens");

	tcase_add_test(tc, debian_default_site_is_refused_with_the_line);
	tcase_add_test(tc, one_dual_stack_listen_per_port_fits);
	tcase_add_test(tc, each_misfit_says_why);
	tcase_add_test(tc, an_ipv4_and_ipv6_pair_takes_debians_pair);
	tcase_add_test(tc, the_dump_is_read_as_nginx_reads_it);
	tcase_add_test(tc, hostile_dumps_are_bounded);
	suite_add_tcase(s, tc);
	return s;
}
