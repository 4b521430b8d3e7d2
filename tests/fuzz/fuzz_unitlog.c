/*
 * fuzz_unitlog.c - the libFuzzer target for what cutover makes of a
 * unit's journal (helper/act/svc/unitlog.c): the MESSAGE of each entry a
 * failed start left is a server's output, any bytes at all (terminal
 * escapes, control characters, invalid UTF-8, any length), and it goes to
 * the caller's terminal and into the audit record.  journal.c only hands
 * sd-journal's bytes (less "MESSAGE=") to unitlog_clean.
 *
 * Input: one byte for the output buffer's size (4 to UNITLOG_LINE_MAX),
 * one byte for the mode, then:
 *   mode even: the message's bytes as they are (an exact-size copy);
 *   mode odd:  pieces, each a byte that says what it is and bytes of it:
 *              printable text, blanks, or an escape sequence built whole
 *              (CSI with parameters and a final byte, OSC/DCS/APC/PM to
 *              BEL or to ST, ESC and one byte), so that what the line
 *              must come to is known: the text pieces, blanks made one.
 *
 * Whatever the input, it checks:
 *   - the line is terminated in its buffer, printable ASCII only (no
 *     ESC, no control byte, nothing above 0x7e), no blank at either end
 *     and never two together (but before the "..." of a cut line);
 *   - a cut changes nothing before it: the line in SIZE is the line in a
 *     buffer of 64 KiB when that fits, or its first SIZE - 4 bytes and
 *     "...", SIZE - 1 bytes in all;
 *   - cleaning a line it gave leaves it as it is;
 *   - mode odd: the line is exactly the text pieces with the blanks
 *     between them made one space: an escape sequence neither survives
 *     nor takes text that follows it;
 *   - unitlog_say with such lines (and with none) says UNIT and "failed"
 *     first, stays in its buffer, and is printable ASCII.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper/act/svc/unitlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, "fuzz_unitlog: " \
	__VA_ARGS__); fputc('\n', stderr); abort(); } } while (0)

#define BIG 65536
#define PRINTABLE " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ" \
	"[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"

static char whole[BIG], again[BIG], line[UNITLOG_LINE_MAX];
static char built[BIG], want[BIG];

static void
check_form(const char *s, size_t size, bool cut)
{
	size_t len = strnlen(s, size), i, body;

	CHECK(len < size, "the line is not terminated in %zu bytes", size);
	for (i = 0; i < len; i++)
		CHECK(s[i] >= 0x20 && s[i] <= 0x7e, "byte 0x%02x at %zu",
		    (unsigned char)s[i], i);
	body = cut && len >= 3 ? len - 3 : len;
	CHECK(len == 0 || (s[0] != ' ' && s[len - 1] != ' '), "a blank at an "
	    "end of '%s'", s);
	for (i = 1; i < body; i++)
		CHECK(!(s[i] == ' ' && s[i - 1] == ' '), "two blanks in '%s'", s);
}

static void
check_clean(const uint8_t *msg, size_t n, size_t size)
{
	size_t len;
	bool cut;

	unitlog_clean(msg, n, whole, sizeof(whole));
	unitlog_clean(msg, n, line, size);
	len = strlen(whole);
	cut = len > size - 1;
	check_form(whole, sizeof(whole), strlen(whole) == sizeof(whole) - 1);
	check_form(line, size, cut);
	if (!cut)
		CHECK(strcmp(line, whole) == 0, "'%s' in %zu bytes, '%s' in 64 KiB",
		    line, size, whole);
	else
		CHECK(strlen(line) == size - 1 && strncmp(line, whole, size - 4) == 0 &&
		    strcmp(line + size - 4, "...") == 0, "cut to %zu: '%s' of '%s'",
		    size, line, whole);
	if (len < sizeof(whole) - 1) {
		unitlog_clean(whole, len, again, sizeof(again));
		CHECK(strcmp(again, whole) == 0, "cleaned again: '%s' of '%s'",
		    again, whole);
	}
}

/* Mode odd: the message into BUILT, what it must come to into WANT. */
static size_t
build(const uint8_t *d, size_t n, size_t *wlen)
{
	static const char finals[] = "mHJKABCDhlsu@`~";
	size_t len = 0, k, i;
	bool blank = false;

	*wlen = 0;
	while (n >= 2 && len + 600 < sizeof(built)) {
		unsigned kind = d[0] % 6, arg = d[1];

		d += 2;
		n -= 2;
		k = arg % 32 < n ? arg % 32 : n;
		switch (kind) {
		case 0:         /* text: printable, no blank */
			for (i = 0; i < k; i++) {
				char c = (char)(0x21 + d[i] % 94);

				if (blank && *wlen > 0)
					want[(*wlen)++] = ' ';
				blank = false;
				built[len++] = c;
				want[(*wlen)++] = c;
			}
			d += k;
			n -= k;
			break;
		case 1:         /* blanks */
			for (i = 0; i <= arg % 4; i++)
				built[len++] = " \t\n\r"[(arg >> 2) % 4];
			blank = true;
			break;
		case 2:         /* CSI: parameters, then a final byte */
			built[len++] = 0x1b;
			built[len++] = '[';
			for (i = 0; i < k; i++)
				built[len++] = (char)(0x20 + d[i] % 0x20);
			built[len++] = finals[arg % (sizeof(finals) - 1)];
			d += k;
			n -= k;
			break;
		case 3:         /* OSC, DCS, APC, PM: a string to BEL or ST */
		case 4:
			built[len++] = 0x1b;
			built[len++] = "]P_^"[arg % 4];
			for (i = 0; i < k; i++) {
				char c = (char)d[i];

				/* anything but its ends: BEL, ESC */
				built[len++] = c == 0x07 || c == 0x1b ? 'x' : c;
			}
			if (kind == 3)
				built[len++] = 0x07;
			else {
				built[len++] = 0x1b;
				built[len++] = '\\';
			}
			d += k;
			n -= k;
			break;
		case 5:         /* ESC and one byte that starts no string */
			built[len++] = 0x1b;
			built[len++] = (char)(strchr("[]P_^", arg) != NULL ||
			    arg == 0 ? 'c' : arg);
			break;
		}
	}
	want[*wlen] = '\0';
	return len;
}

static void
check_say(size_t size)
{
	static const struct unitlog_exit ex[] = {
		{ "exit-code", 1, 1 }, { "signal", 2, 9 }, { "", 3, 6 },
		{ NULL, 0, 0 },
	};
	char lines[UNITLOG_LINES][UNITLOG_LINE_MAX], buf[512];
	size_t i, n = strlen(line) % (UNITLOG_LINES + 1);

	for (i = 0; i < n; i++)
		snprintf(lines[i], sizeof(lines[i]), "%s", line + i);
	for (i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		memset(buf, 'Z', sizeof(buf));
		unitlog_say(buf, size % 2 ? sizeof(buf) : 64, "nginx.service",
		    i % 2 ? "stopped again" : "", (const char (*)[UNITLOG_LINE_MAX])
		    lines, i < 2 ? n : 0, &ex[i]);
		CHECK(strnlen(buf, size % 2 ? sizeof(buf) : 64) <
		    (size % 2 ? sizeof(buf) : 64), "say: not terminated");
		CHECK(strspn(buf, PRINTABLE) == strlen(buf), "say: '%s'", buf);
		CHECK(strncmp(buf, "nginx.service failed", 20) == 0, "'%s'", buf);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;
	size_t out, n, wlen;

	if (size < 2)
		return 0;
	out = 4 + (size_t)data[0] * (UNITLOG_LINE_MAX - 4) / 255;
	if (data[1] % 2 == 0) {
		n = size - 2;
		if ((copy = malloc(n > 0 ? n : 1)) == NULL)
			return 0;
		memcpy(copy, data + 2, n);
		check_clean(copy, n, out);
		free(copy);
	} else {
		n = build(data + 2, size - 2, &wlen);
		check_clean((const uint8_t *)built, n, out);
		CHECK(strcmp(whole, want) == 0, "'%s', the text pieces '%s'", whole,
		    want);
	}
	check_say(out);
	return 0;
}
