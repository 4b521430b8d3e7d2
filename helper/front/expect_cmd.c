/*
 * expect_cmd.c - an expectations file read and checked (expect_cmd.h).
 * The checking is policy/expect.c's (pure); here: the file, the output.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper/front/expect_cmd.h"
#include "policy/expect.h"
#include "policy/strbuf.h"

char *
expect_path_beside(const char *policy_path)
{
	size_t n = strlen(policy_path);
	char *path;

	if (n > 5 && strcmp(policy_path + n - 5, ".conf") == 0)
		n -= 5;
	if (asprintf(&path, "%.*s.expect", (int)n, policy_path) == -1)
		return NULL;
	return path;
}

/* PATH whole into TEXT (NUL after it).  0, -1 with errno. */
static int
read_whole(const char *path, struct strbuf *text)
{
	char buf[65536];
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), e;

	if (fd == -1)
		return -1;
	while ((got = read(fd, buf, sizeof(buf))) > 0 &&
	    text->len + (size_t)got <= EXPECT_FILE_MAX)
		sb_append(text, buf, (size_t)got);
	e = got == -1 ? errno : got > 0 ? EFBIG : 0;
	close(fd);
	if (e == 0 && sb_failed(text))
		e = ENOMEM;
	errno = e;
	return e == 0 ? 0 : -1;
}

int
expect_file_check(const struct policy *p, const char *path, bool missing_ok)
{
	struct strbuf text = STRBUF_INIT, out = STRBUF_INIT;
	struct expect_result res;
	int status;

	if (read_whole(path, &text) == -1) {
		sb_free(&text);
		if (missing_ok && errno == ENOENT)
			return 0;
		printable_line(stderr, "cutover: expectations %s: %s", path,
		    strerror(errno));
		return 2;
	}
	if (policy_expect(p, path, text.s ? text.s : "", text.len, &out,
	    &res) == -1) {
		fputs("cutover: out of memory\n", stderr);
		status = 2;
	} else {
		printable_fputs(sb_str(&out), stdout);
		if (res.failed == 0)
			printable_line(stdout, "%s: %zu expectation%s, all hold",
			    path, res.lines, res.lines == 1 ? "" : "s");
		else
			printable_line(stdout, "%s: %zu of %zu expectation%s do "
			    "not hold", path, res.failed, res.lines,
			    res.lines == 1 ? "" : "s");
		status = res.failed == 0 ? 0 : 1;
	}
	sb_free(&text);
	sb_free(&out);
	return status;
}
