/*
 * fuzz_audit.c - the libFuzzer target for the audit record: audit_encode()
 * (helper/record/audit.c), which turns an event into the one JSON line that goes
 * to the log file and to syslog.  Its strings come from the caller (argv,
 * for a malformed request), the password and group databases and the
 * policy; a byte that ended the line or the string early would let a
 * caller forge a record.
 *
 * Input: a fixed header, then strings separated by NUL bytes (see struct
 * head and read_event below); what is missing reads as zeros and "".
 *
 * Whatever the input, it checks that the record
 *   - is exactly one line: one '\n', at the end, and no other byte below
 *     0x20, no raw DEL, U+2028 or U+2029 anywhere;
 *   - is valid JSON (json_check.c): one object whose keys are exactly the
 *     ones audit.h lists, in its order, for the record's stage;
 *   - holds every string as given: null for NULL; otherwise, decoded, the
 *     string with each byte that is not valid UTF-8 replaced by U+FFFD;
 *     a string longer than its cap (AUDIT_STR_MAX, AUDIT_NAME_MAX,
 *     AUDIT_ENTRY_MAX) is its first cap bytes, less at most 3 so as not
 *     to split a UTF-8 sequence of a valid string, then
 *     "…(truncated, N bytes)" with N its real length;
 *   - holds lists (groups, users, pids) cut at AUDIT_NAMES_MAX and
 *     AUDIT_PIDS_MAX entries, then "…(truncated, N more)"; numbers (pid,
 *     uid, pids) as given; duration to the millisecond, or null when it
 *     is not a finite non-negative number; time as RFC 3339 UTC with
 *     milliseconds (a four-digit year), or null when there is no such
 *     date;
 *   - ends, when the context has a "prev" (bit 15 of the header's nulls),
 *     with that member, last, where chain_prev_of finds it (chain.h);
 *   - stays below 8 KiB for a request record whose only odd bytes are in
 *     action and target, the ones a caller controls (audit.h's promise,
 *     rsyslog's default message size), with its chain member and the
 *     "hash" member syslog's copy adds.
 * A broken invariant prints what broke and the record, and calls abort().
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "helper/record/audit.h"
#include "helper/record/chain.h"
#include "tests/fuzz/json_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ELLIPSIS        "\xe2\x80\xa6"
#define MAX_STRINGS     64          /* list entries come from these */
#define MAX_ENTRIES     300         /* more than every list cap */
#define RECORD_LIMIT    8192

static const char *record;          /* for the message of broken() */

static void broken(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void
broken(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("fuzz_audit: invariant broken: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nrecord: %s\n", record ? record : "(none yet)");
	abort();
}

#define CHECK(cond, ...) do { if (!(cond)) broken(__VA_ARGS__); } while (0)

/* ---- input -> event ---------------------------------------------------- */

/* Flags of the header's first byte. */
#define F_OUTCOME       0x01
#define F_DRY_RUN       0x02
#define F_CALLER        0x04
#define F_GROUPS_NULL   0x08        /* groups == NULL with ngroups > 0 */
#define F_USERS_NULL    0x10
#define F_PIDS_NULL     0x20
#define F_NULL_ENTRIES  0x40        /* every third list entry NULL */
#define F_STEP          0x80        /* a switch's step record (over F_OUTCOME) */
/* Bit of head.nulls past the strings': the context carries a "prev". */
#define N_PREV          0x8000

/* The strings, in input order; bit i of head.nulls makes string i NULL. */
enum { S_HOST, S_TXID, S_NAME, S_TTY, S_ACTION, S_TARGET, S_DECISION,
	S_RULE, S_REASON, S_OUTCOME, S_STEP, S_RUN_ID, S_CALLER_REASON,
	S_FIXED };

struct head {
	uint8_t flags;
	uint16_t nulls;
	uint8_t ngroups, nusers;
	uint16_t npids;
	int64_t sec, nsec;
	uint64_t duration;          /* the bits of a double */
	int32_t pid, pidseed;
	uint32_t uid, caller_uid;
};

struct input {
	struct head h;
	char *s[MAX_STRINGS];       /* every string of the input */
	size_t ns;
	const char *f[S_FIXED];     /* the fixed ones, NULL where head.nulls says */
	const char *groups[MAX_ENTRIES], *users[MAX_ENTRIES];
	pid_t pids[MAX_ENTRIES];
	struct caller caller;
	struct audit_event ev;
	struct audit_context ctx;
	char prev[CHAIN_HEX_SIZE];
	double duration;
};

/* N bytes from the input, zeros once it is used up. */
static void
take(const uint8_t **p, const uint8_t *end, void *out, size_t n)
{
	size_t have = (size_t)(end - *p) < n ? (size_t)(end - *p) : n;

	memset(out, 0, n);
	memcpy(out, *p, have);
	*p += have;
}

static void
read_head(const uint8_t **p, const uint8_t *end, struct head *h)
{
	take(p, end, &h->flags, 1);
	take(p, end, &h->nulls, 2);
	take(p, end, &h->ngroups, 1);
	take(p, end, &h->nusers, 1);
	take(p, end, &h->npids, 2);
	take(p, end, &h->sec, 8);
	take(p, end, &h->nsec, 8);
	take(p, end, &h->duration, 8);
	take(p, end, &h->pid, 4);
	take(p, end, &h->pidseed, 4);
	take(p, end, &h->uid, 4);
	take(p, end, &h->caller_uid, 4);
	h->npids %= MAX_ENTRIES;
}

static void
read_strings(const uint8_t *p, const uint8_t *end, struct input *in)
{
	const uint8_t *nul;
	size_t len;

	/* the fixed strings always (as "" past the end), then the pool */
	for (in->ns = 0; in->ns < MAX_STRINGS && (in->ns < S_FIXED || p < end);
	    in->ns++) {
		nul = p < end ? memchr(p, '\0', (size_t)(end - p)) : NULL;
		len = p < end ? (size_t)((nul ? nul : end) - p) : 0;
		if ((in->s[in->ns] = malloc(len + 1)) == NULL)
			broken("out of memory");
		memcpy(in->s[in->ns], p, len);
		in->s[in->ns][len] = '\0';
		p = nul ? nul + 1 : end;
	}
}

/* Entry I of a list: a string past the fixed ones, or "", or NULL. */
static const char *
entry(const struct input *in, size_t i)
{
	size_t pool = in->ns - S_FIXED;

	if ((in->h.flags & F_NULL_ENTRIES) && i % 3 == 2)
		return NULL;
	return pool > 0 ? in->s[S_FIXED + i % pool] : "";
}

static void
read_caller(struct input *in)
{
	struct caller *c = &in->caller;

	memset(c, 0, sizeof(*c));
	c->uid = in->h.caller_uid;
	c->name = (char *)in->f[S_NAME];
	/* tty: a char array, "" for none (NULL here means no terminal) */
	snprintf(c->tty, sizeof(c->tty), "%s", in->f[S_TTY] ? in->f[S_TTY] : "");
	c->subject.user = c->name;
	c->subject.groups = in->h.flags & F_GROUPS_NULL ? NULL : in->groups;
	c->subject.ngroups = in->h.ngroups;
}

static void
read_event(const uint8_t *data, size_t size, struct input *in)
{
	const uint8_t *p = data, *end = data + size;
	struct audit_event *ev = &in->ev;
	size_t i;

	memset(in, 0, sizeof(*in));
	read_head(&p, end, &in->h);
	read_strings(p, end, in);
	for (i = 0; i < S_FIXED; i++)
		in->f[i] = (in->h.nulls >> i) & 1 ? NULL : in->s[i];
	for (i = 0; i < MAX_ENTRIES; i++) {
		in->groups[i] = entry(in, i);
		in->users[i] = entry(in, i + 1);
		in->pids[i] = (pid_t)((uint32_t)in->h.pidseed * (uint32_t)(i + 1));
	}
	read_caller(in);
	memcpy(&in->duration, &in->h.duration, sizeof(in->duration));
	ev->stage = in->h.flags & F_STEP ? AUDIT_STEP : in->h.flags &
	    F_OUTCOME ? AUDIT_OUTCOME : AUDIT_REQUEST;
	ev->step = in->f[S_STEP];
	ev->txid = in->f[S_TXID];
	ev->caller = in->h.flags & F_CALLER ? &in->caller : NULL;
	ev->action = in->f[S_ACTION];
	ev->target = in->f[S_TARGET];
	ev->dry_run = in->h.flags & F_DRY_RUN;
	ev->run_id = in->f[S_RUN_ID];
	ev->caller_reason = in->f[S_CALLER_REASON];
	ev->decision = in->f[S_DECISION];
	ev->rule = in->f[S_RULE];
	ev->reason = in->f[S_REASON];
	ev->outcome = in->f[S_OUTCOME];
	ev->pids = in->h.flags & F_PIDS_NULL ? NULL : in->pids;
	ev->npids = in->h.npids;
	ev->users = in->h.flags & F_USERS_NULL ? NULL : in->users;
	ev->nusers = in->h.nusers;
	ev->duration = in->duration;
	in->ctx.host = in->f[S_HOST];
	in->ctx.pid = (pid_t)in->h.pid;
	in->ctx.uid = in->h.uid;
	in->ctx.now.tv_sec = (time_t)in->h.sec;
	in->ctx.now.tv_nsec = (long)in->h.nsec;
	if (in->h.nulls & N_PREV) {
		for (i = 0; i < 8; i++)
			snprintf(in->prev + 8 * i, 9, "%08x",
			    (uint32_t)in->h.pidseed * (uint32_t)(i + 7));
		in->ctx.prev = in->prev;
	}
}

static void
free_input(struct input *in)
{
	size_t i;

	for (i = 0; i < in->ns; i++)
		free(in->s[i]);
}

/* ---- the reference: what sb_json_string promises to keep --------------- */

/*
 * The length of the valid UTF-8 sequence at S (N bytes left), or 0:
 * RFC 3629's table, written out (no overlong form, no surrogate, nothing
 * above U+10FFFF).
 */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

static bool
utf8_valid(const char *s, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i += k)
		if ((k = utf8_seq((const unsigned char *)s + i, n - i)) == 0)
			return false;
	return true;
}

/* S[0..N) with every byte that starts no valid sequence as U+FFFD. */
static bool
same_as_clean(const char *got, size_t glen, const char *s, size_t n)
{
	size_t i = 0, j = 0, k;

	while (i < n) {
		if ((k = utf8_seq((const unsigned char *)s + i, n - i)) == 0) {
			if (glen - j < 3 || memcmp(got + j, "\xef\xbf\xbd", 3) != 0)
				return false;
			i++;
			j += 3;
			continue;
		}
		if (glen - j < k || memcmp(got + j, s + i, k) != 0)
			return false;
		i += k;
		j += k;
	}
	return j == glen;
}

/* ---- the record, read back (it passed json_check first) ----------------- */

enum jkind { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR };

struct jval {
	enum jkind kind;
	char *str;                  /* J_STR: decoded; J_NUM: its text */
	size_t len;
	bool truth;                 /* J_BOOL */
	struct jval *items;         /* J_ARR */
	size_t n;
};

#define MAX_MEMBERS 32

struct members {
	char *key[MAX_MEMBERS];
	struct jval v[MAX_MEMBERS];
	size_t n;
};

static void
put_utf8(char *out, size_t *j, unsigned long cp)
{
	if (cp < 0x80)
		out[(*j)++] = (char)cp;
	else if (cp < 0x800) {
		out[(*j)++] = (char)(0xc0 | cp >> 6);
		out[(*j)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		out[(*j)++] = (char)(0xe0 | cp >> 12);
		out[(*j)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*j)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		out[(*j)++] = (char)(0xf0 | cp >> 18);
		out[(*j)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[(*j)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*j)++] = (char)(0x80 | (cp & 0x3f));
	}
}

/* The string literal at P, decoded into V; returns what follows it. */
static const char *
read_string(const char *p, struct jval *v)
{
	static const char esc[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
	unsigned long cp, lo;
	const char *e;
	size_t j = 0;

	/* decoded, a literal is never longer than it is written */
	for (e = p + 1; *e != '"'; e += *e == '\\' ? 2 : 1)
		;
	if ((v->str = malloc((size_t)(e - p))) == NULL)
		broken("out of memory");
	v->kind = J_STR;
	for (p++; *p != '"'; p++) {
		if (*p != '\\') {
			v->str[j++] = *p;
			continue;
		}
		if (*++p != 'u') {
			e = strchr(esc, *p);    /* json_check let only these by */
			v->str[j++] = e[1];
			continue;
		}
		cp = strtoul((char[]){ p[1], p[2], p[3], p[4], 0 }, NULL, 16);
		p += 4;
		if (cp >= 0xd800 && cp <= 0xdbff) {  /* a pair, json_check says */
			lo = strtoul((char[]){ p[3], p[4], p[5], p[6], 0 }, NULL, 16);
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			p += 6;
		}
		put_utf8(v->str, &j, cp);
	}
	v->str[j] = '\0';
	v->len = j;
	return p + 1;
}

static const char *read_value(const char *p, struct jval *v);

static const char *
read_array(const char *p, struct jval *v)
{
	struct jval *more;

	v->kind = J_ARR;
	for (p++; *p != ']'; p += *p == ',') {
		if ((more = realloc(v->items, (v->n + 1) * sizeof(*more))) == NULL)
			broken("out of memory");
		v->items = more;
		p = read_value(p, &v->items[v->n++]);
	}
	return p + 1;
}

/* The record has no blanks between tokens: audit.c writes none. */
static const char *
read_value(const char *p, struct jval *v)
{
	size_t n;

	memset(v, 0, sizeof(*v));
	if (*p == '"')
		return read_string(p, v);
	if (*p == '[')
		return read_array(p, v);
	if (strncmp(p, "null", 4) == 0)
		return p + 4;
	if (strncmp(p, "true", 4) == 0 || strncmp(p, "false", 5) == 0) {
		v->kind = J_BOOL;
		v->truth = *p == 't';
		return p + (v->truth ? 4 : 5);
	}
	CHECK(*p == '-' || isdigit((unsigned char)*p), "a value at \"%.20s\" "
	    "that is no string, list, null, boolean or number", p);
	n = strspn(p, "-+.eE0123456789");
	v->kind = J_NUM;
	if ((v->str = strndup(p, n)) == NULL)
		broken("out of memory");
	v->len = n;
	return p + n;
}

static void
read_record(const char *rec, struct members *ms)
{
	const char *p = rec;
	struct jval key;

	memset(ms, 0, sizeof(*ms));
	CHECK(*p == '{', "the record is not an object");
	for (p++; *p != '}'; p += *p == ',') {
		CHECK(ms->n < MAX_MEMBERS, "more than %d keys", MAX_MEMBERS);
		CHECK(*p == '"', "no key at \"%.20s\"", p);
		p = read_string(p, &key);
		ms->key[ms->n] = key.str;
		CHECK(*p == ':', "no ':' after the key \"%s\"", key.str);
		p = read_value(p + 1, &ms->v[ms->n++]);
	}
	CHECK(strcmp(p, "}\n") == 0, "the record goes on after its object");
}

static void
free_value(struct jval *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free_value(&v->items[i]);
	free(v->items);
	free(v->str);
}

static void
free_members(struct members *ms)
{
	size_t i;

	for (i = 0; i < ms->n; i++) {
		free(ms->key[i]);
		free_value(&ms->v[i]);
	}
}

/* ---- the checks ------------------------------------------------------------- */

/* The value of KEY; the keys' order is checked once, in check_keys. */
static const struct jval *
member(const struct members *ms, const char *key)
{
	size_t i;

	for (i = 0; i < ms->n; i++)
		if (strcmp(ms->key[i], key) == 0)
			return &ms->v[i];
	broken("no key \"%s\"", key);
}

static void
check_keys(const struct members *ms, enum audit_stage stage, bool prev)
{
	static const char *const keys[] = { "time", "host", "pid", "txid",
	    "stage", "user", "uid", "groups", "tty", "action", "target",
	    "dry_run", "run_id", "caller_reason", "decision", "rule",
	    "reason", "outcome", "pids", "users", "duration" };
	size_t i, k, n = stage == AUDIT_REQUEST ? 17 : 21;
	size_t step = stage == AUDIT_STEP;  /* "step" follows "stage" */

	CHECK(ms->n == n + step + prev, "%zu keys, expected %zu", ms->n,
	    n + step + prev);
	CHECK(!prev || strcmp(ms->key[ms->n - 1], "prev") == 0,
	    "the last key is \"%s\", not \"prev\"", ms->key[ms->n - 1]);
	for (i = k = 0; i < n; i++, k++) {
		CHECK(strcmp(ms->key[k], keys[i]) == 0, "key %zu is \"%s\", "
		    "expected \"%s\"", k, ms->key[k], keys[i]);
		if (step && strcmp(keys[i], "stage") == 0) {
			k++;
			CHECK(strcmp(ms->key[k], "step") == 0, "key %zu is "
			    "\"%s\", expected \"step\"", k, ms->key[k]);
		}
	}
}

/* A string S (NULL: null) capped at CAP bytes, as the record holds it. */
static void
check_string(const struct jval *v, const char *what, const char *s,
    size_t cap)
{
	char suffix[64];
	size_t len, slen, plen, k;

	if (s == NULL) {
		CHECK(v->kind == J_NULL, "%s: NULL given, not null in the "
		    "record", what);
		return;
	}
	CHECK(v->kind == J_STR, "%s: not a string", what);
	if ((len = strlen(s)) <= cap) {
		CHECK(same_as_clean(v->str, v->len, s, len), "%s: \"%s\" is "
		    "not the %zu bytes given", what, v->str, len);
		return;
	}
	slen = (size_t)snprintf(suffix, sizeof(suffix),
	    ELLIPSIS "(truncated, %zu bytes)", len);
	CHECK(v->len >= slen && memcmp(v->str + v->len - slen, suffix,
	    slen) == 0, "%s: %zu bytes, cut at %zu, without \"%s\"", what,
	    len, cap, suffix);
	plen = v->len - slen;
	for (k = cap; k + 3 >= cap; k--)
		if (same_as_clean(v->str, plen, s, k) || k == 0)
			break;
	CHECK(same_as_clean(v->str, plen, s, k), "%s: the cut string is no "
	    "prefix of %zu to %zu bytes of the one given", what,
	    cap > 3 ? cap - 3 : 0, cap);
	/* a valid string is cut between two characters */
	CHECK(!utf8_valid(s, len) || (((unsigned char)s[k] & 0xc0) != 0x80 &&
	    utf8_valid(s, k)), "%s: a UTF-8 sequence cut at %zu", what, k);
}

static long long
number(const struct jval *v, const char *what)
{
	CHECK(v->kind == J_NUM, "%s: not a number", what);
	return strtoll(v->str, NULL, 10);
}

/* A list of names or pids: cut at MAX with "…(truncated, N more)". */
static void
check_list(const struct jval *v, const char *what, const char *const *names,
    const pid_t *pids, size_t n, size_t max)
{
	char cut[64];
	size_t i, shown = n < max ? n : max;

	if ((names == NULL && pids == NULL) && n > 0) {
		CHECK(v->kind == J_NULL, "%s: NULL list, not null", what);
		return;
	}
	CHECK(v->kind == J_ARR && v->n == shown + (n > max), "%s: %zu entries "
	    "for %zu given", what, v->kind == J_ARR ? v->n : 0, n);
	for (i = 0; i < shown; i++)
		if (names != NULL)
			check_string(&v->items[i], what, names[i],
			    AUDIT_ENTRY_MAX);
		else
			CHECK(number(&v->items[i], what) == pids[i], "%s: "
			    "entry %zu is %s, given %ld", what, i,
			    v->items[i].str, (long)pids[i]);
	if (n > max) {
		snprintf(cut, sizeof(cut), ELLIPSIS "(truncated, %zu more)",
		    n - max);
		CHECK(v->items[shown].kind == J_STR &&
		    strcmp(v->items[shown].str, cut) == 0,
		    "%s: the last entry is not \"%s\"", what, cut);
	}
}

/* RFC 3339 with milliseconds; null for a year it cannot spell. */
static void
check_time(const struct jval *v, const struct timespec *now)
{
	struct tm tm;
	long ms;

	if (gmtime_r(&now->tv_sec, &tm) == NULL ||
	    (long)tm.tm_year + 1900 < 0 || (long)tm.tm_year + 1900 > 9999) {
		CHECK(v->kind == J_NULL, "time: no RFC 3339 date, but not null");
		return;
	}
	CHECK(v->kind == J_STR, "time: not a string");
	CHECK(v->len == 24 && v->str[4] == '-' && v->str[10] == 'T' &&
	    v->str[19] == '.' && v->str[23] == 'Z', "time: \"%s\" is not "
	    "YYYY-MM-DDTHH:MM:SS.mmmZ", v->str);
	memset(&tm, 0, sizeof(tm));
	CHECK(strptime(v->str, "%Y-%m-%dT%H:%M:%S", &tm) == v->str + 19 &&
	    timegm(&tm) == now->tv_sec, "time: \"%s\" is not %lld s",
	    v->str, (long long)now->tv_sec);
	ms = now->tv_nsec >= 0 && now->tv_nsec < 1000000000L ?
	    now->tv_nsec / 1000000L : 0;
	CHECK(strtol(v->str + 20, NULL, 10) == ms, "time: \"%s\", "
	    "milliseconds %ld", v->str, ms);
}

static void
check_who(const struct members *ms, const struct input *in)
{
	const struct caller *c = in->ev.caller;

	CHECK(number(member(ms, "pid"), "pid") == in->ctx.pid, "pid");
	CHECK(number(member(ms, "uid"), "uid") ==
	    (long long)(c ? c->uid : in->ctx.uid), "uid");
	check_string(member(ms, "host"), "host", in->ctx.host, AUDIT_NAME_MAX);
	check_string(member(ms, "txid"), "txid", in->ev.txid, AUDIT_NAME_MAX);
	check_string(member(ms, "user"), "user", c ? c->name : NULL,
	    AUDIT_NAME_MAX);
	check_string(member(ms, "tty"), "tty", c && c->tty[0] ? c->tty : NULL,
	    AUDIT_NAME_MAX);
	if (c == NULL)
		CHECK(member(ms, "groups")->kind == J_NULL, "groups: no "
		    "caller, not null");
	else
		check_list(member(ms, "groups"), "groups", c->subject.groups,
		    NULL, c->subject.ngroups, AUDIT_NAMES_MAX);
}

static void
check_request(const struct members *ms, const struct audit_event *ev)
{
	const struct jval *v = member(ms, "dry_run");

	CHECK(strcmp(member(ms, "stage")->str, ev->stage == AUDIT_OUTCOME ?
	    "outcome" : ev->stage == AUDIT_STEP ? "step" : "request") == 0,
	    "stage");
	if (ev->stage == AUDIT_STEP)
		check_string(member(ms, "step"), "step", ev->step,
		    AUDIT_STR_MAX);
	CHECK(v->kind == J_BOOL && v->truth == ev->dry_run, "dry_run");
	check_string(member(ms, "run_id"), "run_id", ev->run_id,
	    AUDIT_NAME_MAX);
	check_string(member(ms, "caller_reason"), "caller_reason",
	    ev->caller_reason, AUDIT_STR_MAX);
	check_string(member(ms, "action"), "action", ev->action, AUDIT_STR_MAX);
	check_string(member(ms, "target"), "target", ev->target, AUDIT_STR_MAX);
	check_string(member(ms, "decision"), "decision", ev->decision,
	    AUDIT_NAME_MAX);
	check_string(member(ms, "rule"), "rule", ev->rule, AUDIT_STR_MAX);
	check_string(member(ms, "reason"), "reason", ev->reason, AUDIT_STR_MAX);
}

static void
check_outcome(const struct members *ms, const struct audit_event *ev)
{
	const struct jval *v = member(ms, "duration");
	double d = ev->duration;

	check_string(member(ms, "outcome"), "outcome", ev->outcome,
	    AUDIT_NAME_MAX);
	check_list(member(ms, "pids"), "pids", NULL, ev->pids, ev->npids,
	    AUDIT_PIDS_MAX);
	check_list(member(ms, "users"), "users", ev->users, NULL, ev->nusers,
	    AUDIT_NAMES_MAX);
	if (!isfinite(d) || d < 0) {
		CHECK(v->kind == J_NULL, "duration: %g, not null", d);
		return;
	}
	CHECK(v->kind == J_NUM && fabs(strtod(v->str, NULL) - d) <=
	    0.0005 + d * 1e-15, "duration: %s for %.17g", v->str, d);
}

/* One line: one '\n', at the end; nothing a terminal or a parser splits on. */
static void
check_line(const char *rec, size_t len)
{
	size_t i;

	CHECK(len > 0 && rec[len - 1] == '\n', "the record does not end "
	    "with a newline");
	CHECK(strlen(rec) == len, "a NUL byte inside the record");
	for (i = 0; i + 1 < len; i++)
		CHECK((unsigned char)rec[i] >= 0x20 && rec[i] != 0x7f,
		    "the raw byte 0x%02x at offset %zu", (unsigned char)rec[i], i);
	CHECK(strstr(rec, "\xe2\x80\xa8") == NULL &&
	    strstr(rec, "\xe2\x80\xa9") == NULL, "a raw U+2028 or U+2029");
}

static bool
printable(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if (*s < 0x20 || *s >= 0x7f)
			return false;
	return true;
}

/* Odd bytes only where the caller puts them: in action and target. */
static bool
only_caller_odd(const struct input *in)
{
	size_t i;

	for (i = 0; i < S_FIXED; i++)
		if (i != S_ACTION && i != S_TARGET && !printable(in->f[i]))
			return false;
	for (i = 0; i < in->h.ngroups; i++)
		if (!printable(in->groups[i]))
			return false;
	return true;
}

/* The chain member: last, as given, where chain_prev_of finds it. */
static void
check_prev(const struct members *ms, const struct strbuf *out,
    const struct input *in)
{
	char got[CHAIN_HEX_SIZE];
	bool found = chain_prev_of(out->s, out->len - 1, got);

	CHECK(found == (in->ctx.prev != NULL), "chain_prev_of says %d", found);
	if (found) {
		CHECK(strcmp(got, in->prev) == 0, "prev %s, given %s", got,
		    in->prev);
		check_string(member(ms, "prev"), "prev", in->prev,
		    CHAIN_HEX_SIZE - 1);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct input in;     /* 8 KiB: not on the stack */
	struct strbuf out = STRBUF_INIT, again = STRBUF_INIT;
	struct members ms;
	const char *why = NULL;
	size_t where = 0;

	read_event(data, size, &in);
	audit_encode(&in.ev, &in.ctx, &out);
	CHECK(!sb_failed(&out) && out.s != NULL, "audit_encode failed");
	record = out.s;
	check_line(out.s, out.len);
	CHECK(json_check(out.s, out.len, &where, &why), "not valid JSON: %s "
	    "expected at offset %zu", why ? why : "?", where);
	audit_encode(&in.ev, &in.ctx, &again);
	CHECK(again.len == out.len && memcmp(again.s, out.s, out.len) == 0,
	    "two encodings of the same event differ");
	read_record(out.s, &ms);
	check_keys(&ms, in.ev.stage, in.ctx.prev != NULL);
	check_prev(&ms, &out, &in);
	check_time(member(&ms, "time"), &in.ctx.now);
	check_who(&ms, &in);
	check_request(&ms, &in.ev);
	if (in.ev.stage != AUDIT_REQUEST)
		check_outcome(&ms, &in.ev);
	else if (only_caller_odd(&in))
		CHECK(out.len + (in.ctx.prev ? 0 : CHAIN_TAIL_LEN) +
		    CHAIN_TAIL_LEN < RECORD_LIMIT, "a request record of %zu "
		    "bytes", out.len);
	record = NULL;
	free_members(&ms);
	sb_free(&out);
	sb_free(&again);
	free_input(&in);
	return 0;
}
