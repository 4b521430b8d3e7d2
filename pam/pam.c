/*
 * pam.c - the PAM check of an allowed request (pam.h): the account
 * stage always, authentication first when the granting rule says
 * auth = "pam", each refusal named with its stage and PAM's own words.
 *
 * It must never read a password from anything but the controlling
 * terminal (stdin is the caller's and may be a pipe or a file), never keep
 * a password once PAM has it, and never open a PAM session or set PAM
 * credentials: cutover logs no one in and never becomes the caller's
 * user, so there is nothing for pam_limits, pam_systemd, pam_cap's setcred
 * or a utmp entry to act on; it acts once, as the policy says, and the
 * account stage is what answers "may this user act now?".
 */
#include <security/pam_appl.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "pam/pam.h"
#include "policy/strbuf.h"

#define NOTE_MAX 512            /* one kept message, truncated beyond */

/* What the conversation knows and learns during one authpam_check(). */
struct conv_state {
	bool may_prompt;            /* only inside pam_authenticate() */
	int tty;                    /* /dev/tty once a prompt opened it, or -1 */
	char error[NOTE_MAX];       /* last PAM_ERROR_MSG of this stage */
	char info[NOTE_MAX];        /* last PAM_TEXT_INFO of this stage */
	char note[NOTE_MAX];        /* why the conversation itself failed */
};

/* ---- echo off, and back on even if the caller interrupts ------------ */

/*
 * The caller may signal us (we run with its real uid) while echo is off;
 * dying then would leave its terminal deaf.  The handler puts the saved
 * modes back (tcsetattr is async-signal-safe) and re-raises the signal
 * under its previous disposition.  Stop signals are left alone: nothing
 * dies, and an interactive shell sets its own modes when it takes the
 * terminal back.
 */
static const int echo_signals[] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP };
#define NSIGNALS (sizeof(echo_signals) / sizeof(echo_signals[0]))

static volatile sig_atomic_t echo_fd = -1;
static volatile sig_atomic_t echo_caught;
static struct termios echo_saved;
static struct sigaction echo_old[NSIGNALS];

static void
echo_on_signal(int sig)
{
	int saved_errno = errno;
	size_t i;

	if (echo_fd != -1)
		(void)tcsetattr(echo_fd, TCSANOW, &echo_saved);
	echo_caught = sig;
	for (i = 0; i < NSIGNALS; i++)
		if (echo_signals[i] == sig)
			(void)sigaction(sig, &echo_old[i], NULL);
	(void)raise(sig);     /* delivered when this handler returns */
	errno = saved_errno;
}

/* Handlers first, then echo off: no moment when a signal leaves it off. */
static int
echo_off(int fd)
{
	struct sigaction sa;
	struct termios quiet;
	size_t i;

	if (tcgetattr(fd, &echo_saved) == -1)
		return -1;
	echo_fd = fd;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = echo_on_signal;   /* no SA_RESTART: read() stops */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NSIGNALS; i++) {
		(void)sigaction(echo_signals[i], &sa, &echo_old[i]);
		if (echo_old[i].sa_handler == SIG_IGN)   /* keep it ignored */
			(void)sigaction(echo_signals[i], &echo_old[i], NULL);
	}
	quiet = echo_saved;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
	/* TCSAFLUSH: typed-ahead input was echoed, so it is not used */
	return tcsetattr(fd, TCSAFLUSH, &quiet);
}

static void
echo_restore(int fd)
{
	size_t i;

	(void)tcsetattr(fd, TCSANOW, &echo_saved);
	for (i = 0; i < NSIGNALS; i++)
		(void)sigaction(echo_signals[i], &echo_old[i], NULL);
	echo_fd = -1;
}

/* ---- the terminal ---------------------------------------------------- */

static void
write_all(int fd, const char *s, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, s, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;   /* a message we cannot show is not a refusal */
		s += n;
		len -= (size_t)n;
	}
}

/*
 * Show a module's text: bytes outside printable ASCII (bar newline and
 * tab) become '?', so a message cannot move the cursor or fake a prompt.
 */
static void
show(int fd, const char *msg, bool newline)
{
	char line[NOTE_MAX + 1];
	size_t i;

	for (i = 0; i < NOTE_MAX && msg[i] != '\0'; i++)
		line[i] = (msg[i] >= 0x20 && msg[i] < 0x7f) ||
		    msg[i] == '\n' || msg[i] == '\t' ? msg[i] : '?'; /* NOLINT(bugprone-narrowing-conversions): a char */
	if (newline)
		line[i++] = '\n';
	write_all(fd, line, i);
}

/*
 * Read one line into BUF (NUL-terminated).  Returns 0, or -1 with a
 * reason: end of file, an error, a signal, or a line that does not fit
 * (refused rather than cut, so a longer password is never taken for its
 * prefix).  Reads a byte at a time so nothing after the line is taken.
 */
static int
read_line(int fd, char *buf, size_t size, const char **reason)
{
	size_t n = 0;
	bool too_long = false;
	ssize_t r;
	char ch;

	for (;;) {
		r = read(fd, &ch, 1);
		if (r == -1 && errno == EINTR && !echo_caught)
			continue;
		if (r != 1) {
			*reason = echo_caught ? "interrupted" : r == 0 ?
			    "end of input at the password prompt" :
			    "cannot read from the terminal";
			explicit_bzero(buf, size);
			return -1;
		}
		if (ch == '\n' || ch == '\r')
			break;
		if (n + 1 < size)
			buf[n++] = ch;
		else
			too_long = true;
	}
	explicit_bzero(&ch, sizeof(ch));
	buf[n] = '\0';
	if (too_long) {
		explicit_bzero(buf, size);
		*reason = "answer longer than PAM allows";
		return -1;
	}
	return 0;
}

/* Ask PROMPT on the terminal FD; the answer goes to BUF. */
static int
tty_ask(int fd, const char *prompt, bool echo, char *buf, size_t size,
    const char **reason)
{
	int rc;

	echo_caught = 0;
	if (!echo && echo_off(fd) == -1) {
		if (echo_fd != -1)
			echo_restore(fd);
		*reason = "cannot turn off echo on the terminal";
		return -1;
	}
	show(fd, prompt, false);
	rc = read_line(fd, buf, size, reason);
	if (!echo) {
		echo_restore(fd);
		write_all(fd, "\n", 1);   /* the user's newline was not echoed */
	}
	return rc;
}

/* ---- the conversation ------------------------------------------------ */

static void
keep(char *dst, const char *msg)
{
	snprintf(dst, NOTE_MAX, "%s", msg != NULL ? msg : "");
}

static int
prompt(struct conv_state *cs, const struct pam_message *m, char **resp)
{
	char buf[PAM_MAX_RESP_SIZE];
	const char *reason = NULL;

	if (!cs->may_prompt) {
		keep(cs->note, "a module asked for input outside authentication");
		return PAM_CONV_ERR;
	}
	if (cs->tty == -1)
		cs->tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (cs->tty == -1) {
		keep(cs->note, "no terminal to ask for a password on");
		return PAM_CONV_ERR;
	}
	if (tty_ask(cs->tty, m->msg != NULL ? m->msg : "",
	    m->msg_style == PAM_PROMPT_ECHO_ON, buf, sizeof(buf), &reason) == -1) {
		keep(cs->note, reason);
		return PAM_CONV_ERR;
	}
	*resp = strdup(buf);
	explicit_bzero(buf, sizeof(buf));
	return *resp != NULL ? PAM_SUCCESS : PAM_BUF_ERR;
}

static int
answer(struct conv_state *cs, const struct pam_message *m, char **resp)
{
	switch (m->msg_style) {
	case PAM_PROMPT_ECHO_OFF:
	case PAM_PROMPT_ECHO_ON:
		return prompt(cs, m, resp);
	case PAM_ERROR_MSG:
	case PAM_TEXT_INFO:
		keep(m->msg_style == PAM_ERROR_MSG ? cs->error : cs->info, m->msg);
		if (m->msg != NULL)
			show(cs->tty != -1 ? cs->tty : STDERR_FILENO, m->msg, true);
		return PAM_SUCCESS;
	default:
		keep(cs->note, "a module sent a message of unknown type");
		return PAM_CONV_ERR;
	}
}

static void
drop_responses(struct pam_response *r, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (r[i].resp != NULL) {
			explicit_bzero(r[i].resp, strlen(r[i].resp));
			free(r[i].resp);
		}
	free(r);
}

/* Linux-PAM's layout: MSG is an array of N pointers. */
static int
converse(int n, const struct pam_message **msg, struct pam_response **resp,
    void *data)
{
	struct conv_state *cs = data;
	struct pam_response *r;
	int i, rc = PAM_SUCCESS;

	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	r = calloc((size_t)n, sizeof(*r));
	if (r == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n && rc == PAM_SUCCESS; i++)
		rc = answer(cs, msg[i], &r[i].resp);
	if (rc != PAM_SUCCESS) {
		drop_responses(r, n);
		return rc;
	}
	*resp = r;
	return PAM_SUCCESS;
}

/* ---- the stages ------------------------------------------------------ */

/*
 * "STAGE: WHAT (note; error; info)", escaped for a terminal or a log
 * line: module messages are not ours to trust byte for byte.
 */
static void
refuse(char *why, size_t whylen, const char *stage, const char *what,
    const struct conv_state *cs)
{
	const char *parts[] = { cs->note, cs->error, cs->info };
	struct strbuf sb = STRBUF_INIT;
	const char *sep = " (";
	size_t i;

	sb_printf(&sb, "%s: ", stage);
	sb_printable(&sb, what);
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (parts[i][0] == '\0')
			continue;
		sb_puts(&sb, sep);
		sb_printable(&sb, parts[i]);
		sep = "; ";
	}
	if (sep[0] == ';')
		sb_puts(&sb, ")");
	snprintf(why, whylen, "%s", sb_failed(&sb) ? stage : sb_str(&sb));
	sb_free(&sb);
}

static void
stage_begin(struct conv_state *cs)
{
	cs->error[0] = cs->info[0] = cs->note[0] = '\0';
}

/*
 * The user is the caller and so is the requesting user; there is no
 * remote host.  PAM_TTY is always set ("" without a terminal): left
 * unset, pam_time and pam_access would call ttyname() on stdin, which
 * the caller chooses.
 */
static int
set_items(pam_handle_t *h, const struct caller *c)
{
	int rc = pam_set_item(h, PAM_RUSER, c->name);

	if (rc == PAM_SUCCESS)
		rc = pam_set_item(h, PAM_TTY, c->tty);
	return rc;
}

static int
authenticate_caller(pam_handle_t *h, struct conv_state *cs)
{
	int rc;

	stage_begin(cs);
	cs->may_prompt = true;
	rc = pam_authenticate(h, PAM_DISALLOW_NULL_AUTHTOK);
	cs->may_prompt = false;
	if (cs->tty != -1) {
		close(cs->tty);
		cs->tty = -1;
	}
	return rc;
}

static int
start(const struct caller *c, const char *confdir, struct pam_conv *conv,
    pam_handle_t **h)
{
	*h = NULL;
	if (confdir != NULL)
		return pam_start_confdir(CUTOVER_PAM_SERVICE, c->name, conv,
		    confdir, h);
	return pam_start(CUTOVER_PAM_SERVICE, c->name, conv, h);
}

int
authpam_check(const struct caller *c, bool authenticate,
    const char *confdir, char *why, size_t whylen)
{
	struct conv_state cs = { .tty = -1 };
	struct pam_conv conv = { converse, &cs };
	pam_handle_t *h;
	int rc;

	if (c == NULL || c->name == NULL) {   /* PAM would ask for a name */
		snprintf(why, whylen, "setup: no caller name");
		return -1;
	}
	rc = start(c, confdir, &conv, &h);
	if (rc != PAM_SUCCESS) {
		refuse(why, whylen, "setup", pam_strerror(h, rc), &cs);
		return -1;
	}
	rc = set_items(h, c);
	if (rc != PAM_SUCCESS) {
		refuse(why, whylen, "setup", pam_strerror(h, rc), &cs);
	} else if (authenticate &&
	    (rc = authenticate_caller(h, &cs)) != PAM_SUCCESS) {
		refuse(why, whylen, "auth", pam_strerror(h, rc), &cs);
	} else {
		stage_begin(&cs);
		rc = pam_acct_mgmt(h, PAM_DISALLOW_NULL_AUTHTOK);
		if (rc == PAM_NEW_AUTHTOK_REQD)
			refuse(why, whylen, "account", "password expired, "
			    "change it with passwd first", &cs);
		else if (rc != PAM_SUCCESS)
			refuse(why, whylen, "account", pam_strerror(h, rc), &cs);
	}
	pam_end(h, rc);
	return rc == PAM_SUCCESS ? 0 : -1;
}
