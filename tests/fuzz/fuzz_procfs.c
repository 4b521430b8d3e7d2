/*
 * fuzz_procfs.c - the libFuzzer target for the readers of /proc lines
 * (helper/lib/procfs.c, and holder_cgroup_read of helper/act/holders.c):
 * the stat, status, syscall and cgroup files of processes the caller may
 * run.  A command name is its owner's bytes (any but NUL: ")", spaces,
 * newlines); a cgroup path is a name the caller may give its own cgroup.
 * What is read decides which process is a service's holder, and may be
 * signalled.
 *
 * Input: one byte that chooses the mode, then:
 *   0  raw text: every reader on the same bytes;
 *   1  a stat line the kernel would write: a command name of up to 64
 *      bytes from the input, then the fields from the input's bytes;
 *   2  a status file the kernel would write: the name escaped as the
 *      kernel escapes it ("\n" and "\\"), the uids and masks from the input;
 *   3  a cgroup file: one byte for the buffer's size, then the file's
 *      bytes as they are (NUL bytes included);
 *   4  a syscall line: a number from the input and the rest of the line.
 *
 * Whatever the input, it checks:
 *   - a reader that accepts a text accepts it exactly as a reference
 *     written here reads it (the kernel's form: plain digits, one
 *     separator, the fields after the LAST ')' of a stat line, the line
 *     that starts with "Uid:\t"), and a reader refuses what the reference
 *     refuses: nothing lenient (a sign, a blank, "0x") is a value;
 *   - a line the kernel would write is read right whatever the command
 *     name holds: the parent pid, tty_nr, uids, capability masks and
 *     syscall number are those written, so a name with ") R 1 1" or
 *     "\nUid:\t0" cannot shift a field or forge a line;
 *   - a cgroup read gives the whole path of a "0::" line (or, with
 *     none, of a "N:name=systemd:" line), never a part of one nor a path
 *     from inside another line, and never one cut to the buffer; a file
 *     as the kernel writes it, with a path that fits, is read.
 * ASan sees every read past the text: each is an exact-size copy.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper/act/holders.h"
#include "helper/lib/procfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, "fuzz_procfs: " \
	__VA_ARGS__); fputc('\n', stderr); abort(); } } while (0)

/* ---- the reference: one way of reading the kernel's form ------------------ */

/* [S, S+LEN) is all decimal (or lower hex) digits, at most MAX: its value. */
static bool
ref_number(const char *s, size_t len, int base, unsigned long long max,
    unsigned long long *v)
{
	unsigned long long n = 0;
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		const char *digit = strchr("0123456789abcdef", s[i]);
		unsigned d;

		if (s[i] == '\0' || digit == NULL || (d = (unsigned)(digit -
		    "0123456789abcdef")) >= (unsigned)base)
			return false;
		if (__builtin_mul_overflow(n, (unsigned)base, &n) ||
		    __builtin_add_overflow(n, d, &n))
			return false;
	}
	if (n > max)
		return false;
	*v = n;
	return true;
}

/* The length of the field at S up to SEP (or the end of the string). */
static size_t
field_len(const char *s, char sep)
{
	const char *e = strchr(s, sep);

	return e != NULL ? (size_t)(e - s) : strlen(s);
}

static bool
ref_stat(const char *text, pid_t *ppid, unsigned long long *tty)
{
	const char *p = NULL, *f[6];
	unsigned long long v[6];
	size_t i, len = strlen(text);
	int k;

	for (i = len; i > 0; i--)
		if (text[i - 1] == ')') {
			p = text + i;
			break;
		}
	if (p == NULL || *p != ' ')
		return false;
	/* fields 3..7: state, ppid, pgrp, session, tty_nr; then ' ' or '\n' */
	for (k = 0, p++; k < 5; k++) {
		size_t n = field_len(p, ' ');

		f[k] = p;
		if (k == 4) {
			size_t m = field_len(p, '\n');

			if (m < n)
				n = m;
			if (p[n] != ' ' && p[n] != '\n')
				return false;
		} else if (p[n] != ' ')
			return false;
		if (k == 0 ? !(n == 1 && ((*p >= 'a' && *p <= 'z') ||
		    (*p >= 'A' && *p <= 'Z'))) : !ref_number(p, n, 10,
		    k == 4 ? UINT_MAX : INT_MAX, &v[k]))
			return false;
		p += n + 1;
	}
	(void)f;
	*ppid = (pid_t)v[1];
	*tty = v[4];
	return true;
}

/* The line of TEXT that begins with PREFIX, or NULL. */
static const char *
ref_line(const char *text, const char *prefix)
{
	const char *line = text;

	for (;;) {
		if (strncmp(line, prefix, strlen(prefix)) == 0)
			return line + strlen(prefix);
		if ((line = strchr(line, '\n')) == NULL)
			return NULL;
		line++;
	}
}

static bool
ref_uids(const char *text, uid_t *uid, uid_t *euid)
{
	const char *p = ref_line(text, "Uid:\t");
	unsigned long long r, e;
	size_t n;

	if (p == NULL)
		return false;
	n = field_len(p, '\t');
	if (p[n] != '\t' || !ref_number(p, n, 10, UINT_MAX - 1, &r))
		return false;
	p += n + 1;
	n = field_len(p, '\t');
	if (p[n] != '\t' || !ref_number(p, n, 10, UINT_MAX - 1, &e))
		return false;
	*uid = (uid_t)r;
	*euid = (uid_t)e;
	return true;
}

static bool
ref_field(const char *text, const char *name, int base,
    unsigned long long *v)
{
	char prefix[32];
	const char *p;

	snprintf(prefix, sizeof(prefix), "%s:\t", name);
	if ((p = ref_line(text, prefix)) == NULL)
		return false;
	return ref_number(p, field_len(p, '\n'), base, ULLONG_MAX, v);
}

static bool
ref_syscall(const char *text, long *nr)
{
	unsigned long long v;
	size_t n = field_len(text, ' ');

	if (text[n] != ' ' || !ref_number(text, n, 10, 1UL << 20, &v))
		return false;
	*nr = (long)v;
	return true;
}

/* ---- the readers against it ------------------------------------------------ */

static void
check_stat(const char *text)
{
	struct procfs_stat st;
	unsigned long long tty = 0;
	pid_t ppid = 0;
	bool ok = ref_stat(text, &ppid, &tty);
	int rc = procfs_stat_parse(text, &st);

	CHECK(rc == (ok ? 0 : -1), "stat: %d, the reference %s", rc,
	    ok ? "reads it" : "does not");
	CHECK(!ok || (st.ppid == ppid && st.tty_nr == tty), "stat: ppid %d "
	    "tty %llu, the reference %d %llu", (int)st.ppid, st.tty_nr,
	    (int)ppid, tty);
}

static void
check_status(const char *text)
{
	static const struct { const char *name; int base; } fields[] = {
		{ "CapEff", 16 }, { "CapBnd", 16 }, { "NoNewPrivs", 10 },
		{ "Threads", 10 }, { "SigBlk", 16 },
	};
	unsigned long long v = 0, want = 0;
	uid_t uid = 0, euid = 0, ruid = 0, reuid = 0;
	bool ok = ref_uids(text, &ruid, &reuid);
	size_t i;
	int rc = procfs_status_uids(text, &uid, &euid);

	CHECK(rc == (ok ? 0 : -1), "uids: %d, the reference %s", rc,
	    ok ? "reads them" : "does not");
	CHECK(!ok || (uid == ruid && euid == reuid), "uids %u %u, the "
	    "reference %u %u", uid, euid, ruid, reuid);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		ok = ref_field(text, fields[i].name, fields[i].base, &want);
		rc = procfs_status_field(text, fields[i].name, fields[i].base, &v);
		CHECK(rc == (ok ? 0 : -1), "%s: %d, the reference %s",
		    fields[i].name, rc, ok ? "reads it" : "does not");
		CHECK(!ok || v == want, "%s: %llu, the reference %llu",
		    fields[i].name, v, want);
	}
}

static void
check_syscall(const char *text)
{
	long nr = -7, want = -7;
	bool ok = ref_syscall(text, &want);
	int rc = procfs_syscall_nr(text, &nr);

	CHECK(rc == (ok ? 0 : -1) && (!ok || nr == want), "syscall: %d nr %ld,"
	    " the reference %s %ld", rc, nr, ok ? "reads" : "refuses", want);
}

/* "0::PATH" or "DIGITS:name=systemd:PATH": PATH, else NULL (LINE, N bytes) */
static const char *
cgroup_path(const char *line, size_t n, bool *unified)
{
	size_t i = 0;

	*unified = n >= 3 && memcmp(line, "0::", 3) == 0;
	if (*unified)
		return line + 3;
	while (i < n && line[i] >= '0' && line[i] <= '9')
		i++;
	if (i > 0 && n - i >= 14 && memcmp(line + i, ":name=systemd:", 14) == 0)
		return line + i + 14;
	return NULL;
}

static void
check_cgroup(const char *file, size_t n, size_t size)
{
	char buf[HOLDER_CGROUP_MAX];
	const char *line, *end, *path;
	size_t len, nunified = 0;
	bool unified, found = false, kernel_form = n > 0 && file[n - 1] == '\n' &&
	    memchr(file, '\0', n) == NULL;
	FILE *f = fmemopen((void *)file, n, "r");
	int rc;

	if (f == NULL)
		return;         /* fmemopen refuses n == 0 */
	memset(buf, 0x5a, sizeof(buf));
	rc = holder_cgroup_read(f, buf, size);
	fclose(f);
	CHECK(rc == 0 || rc == -1, "cgroup: %d", rc);
	CHECK(rc == -1 || memchr(buf, '\0', size) != NULL, "cgroup: the path "
	    "is not terminated in its buffer");
	for (line = file; line < file + n; line = end + 1) {
		end = memchr(line, '\n', (size_t)(file + n - line));
		if (end == NULL)
			end = file + n;
		if ((size_t)(end - line) >= HOLDER_CGROUP_MAX + 30)
			kernel_form = false;
		if ((path = cgroup_path(line, (size_t)(end - line), &unified)) == NULL)
			continue;
		len = (size_t)(end - path);
		nunified += unified;
		if (unified && (len >= size || path[0] != '/'))
			kernel_form = false;
		/* the path it gave is this line's whole path */
		if (rc == 0 && !found && strlen(buf) == len &&
		    memcmp(buf, path, len) == 0 && memchr(path, '\0', len) == NULL &&
		    (unified || nunified == 0))
			found = true;
	}
	CHECK(rc == -1 || found, "cgroup: '%s' is not the whole path of a line "
	    "that names one", buf);
	/* a unified path is preferred over any v1 line before or after it */
	if (rc == 0 && nunified > 0) {
		bool is_unified = false;

		for (line = file; line < file + n; line = end + 1) {
			end = memchr(line, '\n', (size_t)(file + n - line));
			if (end == NULL)
				end = file + n;
			path = cgroup_path(line, (size_t)(end - line), &unified);
			if (path != NULL && unified && (size_t)(end - path) ==
			    strlen(buf) && memcmp(buf, path, strlen(buf)) == 0)
				is_unified = true;
		}
		CHECK(is_unified, "cgroup: '%s' taken over the 0:: line", buf);
	}
	CHECK(!(kernel_form && nunified == 1) || rc == 0, "cgroup: a file in "
	    "the kernel's form was not read");
}

/* ---- the kernel's own lines, from the input's bytes ---------------------- */

static uint32_t
take32(const uint8_t **d, size_t *n)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++)
		if (*n > 0) {
			v = v << 8 | **d;
			(*d)++;
			(*n)--;
		}
	return v;
}

/* Bytes of the input as a command name: up to 64, NUL bytes made '?'. */
static size_t
take_comm(const uint8_t **d, size_t *n, char *comm)
{
	size_t len = *n > 0 ? **d % 65 : 0, i;

	if (*n > 0) {
		(*d)++;
		(*n)--;
	}
	if (len > *n)
		len = *n;
	for (i = 0; i < len; i++)
		comm[i] = (*d)[i] != 0 ? (char)(*d)[i] : '?';
	comm[len] = '\0';
	*d += len;
	*n -= len;
	return len;
}

static void
kernel_stat(const uint8_t *d, size_t n)
{
	static const char states[] = "RSDTtXZPIWK";
	char comm[65], line[512], state;
	struct procfs_stat st;
	int ppid, pgrp, session, tty;

	take_comm(&d, &n, comm);
	state = states[(n > 0 ? *d : 0) % (sizeof(states) - 1)];
	ppid = (int)(take32(&d, &n) & 0x7fffffff);
	pgrp = (int)(take32(&d, &n) & 0x7fffffff);
	session = (int)(take32(&d, &n) & 0x7fffffff);
	tty = (int)(take32(&d, &n) & 0x7fffffff);
	snprintf(line, sizeof(line), "%d (%s) %c %d %d %d %d -1 4194560 112 0 "
	    "0 0 0 0 0 0 20 0 1 0 812 2580480 219 18446744073709551615 1 1 0 "
	    "0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
	    (int)take32(&d, &n) & 0x7fffffff, comm, state, ppid, pgrp,
	    session, tty);
	CHECK(procfs_stat_parse(line, &st) == 0, "stat: refused '%s'", line);
	CHECK(st.ppid == ppid && st.tty_nr == (unsigned)tty, "stat: ppid %d "
	    "tty %llu of '%s'", (int)st.ppid, st.tty_nr, line);
	check_stat(line);
}

static void
kernel_status(const uint8_t *d, size_t n)
{
	char comm[65], name[140], text[2048];
	unsigned long long cap, eff = 0;
	uid_t uid, euid, got_uid = 0, got_euid = 0;
	size_t i, k = 0, len = take_comm(&d, &n, comm);

	for (i = 0; i < len; i++) {     /* proc_task_name: "\n\\" escaped */
		if (comm[i] == '\n' || comm[i] == '\\') {
			name[k++] = '\\';
			name[k++] = comm[i] == '\n' ? 'n' : '\\';
		} else
			name[k++] = comm[i];
	}
	name[k] = '\0';
	uid = take32(&d, &n) % UINT_MAX;
	euid = take32(&d, &n) % UINT_MAX;
	cap = (unsigned long long)take32(&d, &n) << 32;
	cap |= take32(&d, &n);
	snprintf(text, sizeof(text), "Name:\t%s\nUmask:\t0022\nState:\tS "
	    "(sleeping)\nTgid:\t1\nNgid:\t0\nPid:\t1\nPPid:\t0\nTracerPid:\t0\n"
	    "Uid:\t%u\t%u\t%u\t%u\nGid:\t0\t0\t0\t0\nFDSize:\t128\nGroups:\t\n"
	    "Threads:\t1\nSigBlk:\t0000000000000000\nCapInh:\t0000000000000000\n"
	    "CapPrm:\t%016llx\nCapEff:\t%016llx\nCapBnd:\t000001ffffffffff\n"
	    "NoNewPrivs:\t0\n", name, uid, euid, uid, uid, cap, cap);
	CHECK(procfs_status_uids(text, &got_uid, &got_euid) == 0 &&
	    got_uid == uid && got_euid == euid, "status: uids %u %u of %u %u",
	    got_uid, got_euid, uid, euid);
	CHECK(procfs_status_field(text, "CapEff", 16, &eff) == 0 && eff == cap,
	    "status: CapEff %llx of %llx", eff, cap);
	check_status(text);
}

static void
kernel_syscall(const uint8_t *d, size_t n)
{
	char line[256], rest[64];
	long nr = -1, want = (long)(take32(&d, &n) % 1024);
	size_t i;

	for (i = 0; i < n && i + 1 < sizeof(rest); i++)
		rest[i] = d[i] != 0 ? (char)d[i] : ' ';
	rest[i] = '\0';
	snprintf(line, sizeof(line), "%ld 0x3 0x7ffd0 0x200 0x0 0x0 0x0 "
	    "0x7ffe8 0x7f12%s\n", want, rest);
	CHECK(procfs_syscall_nr(line, &nr) == 0 && nr == want, "syscall: %ld "
	    "of '%s'", nr, line);
	CHECK(procfs_syscall_nr("running\n", &nr) == -1 &&
	    procfs_syscall_nr("-1 0x7ffd0 0x7f12\n", &nr) == -1,
	    "syscall: running or in no call read as a call");
	check_syscall(line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;
	size_t size_cg;

	if (size < 1)
		return 0;
	switch (data[0] % 5) {
	case 0:
		/* the text as procfs_read leaves it: up to its first NUL */
		if ((text = malloc(size)) == NULL)
			return 0;
		memcpy(text, data + 1, size - 1);
		text[size - 1] = '\0';
		check_stat(text);
		check_status(text);
		check_syscall(text);
		free(text);
		break;
	case 1:
		kernel_stat(data + 1, size - 1);
		break;
	case 2:
		kernel_status(data + 1, size - 1);
		break;
	case 3:
		if (size < 2)
			return 0;
		size_cg = 1 + (size_t)data[1] * HOLDER_CGROUP_MAX / 256;
		if ((text = malloc(size - 2 + 1)) == NULL)
			return 0;
		memcpy(text, data + 2, size - 2);
		check_cgroup(text, size - 2, data[1] == 255 ? HOLDER_CGROUP_MAX :
		    size_cg);
		free(text);
		break;
	case 4:
		kernel_syscall(data + 1, size - 1);
		break;
	}
	return 0;
}
