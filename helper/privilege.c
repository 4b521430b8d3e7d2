/*
 * privilege.c - the one file that changes credentials, and the table of
 * what each step may hold.  A reviewer reads this file to know everything
 * cutover can ever do with root's powers.
 *
 * Model: cutover starts as euid 0 (setuid root).  It stays root only
 * while it reads the policy, asks PAM and writes the audit record.  Then
 * privilege_enter() makes it the caller (real, effective and saved uid and
 * gid) holding exactly the capabilities of the step its action needs, in
 * permitted and effective only, with the bounding set cut down to the same
 * set, inheritable and ambient empty, securebits locked so that no uid
 * change can bring root's powers back, and no_new_privs set.  Becoming the
 * caller rather than staying uid 0 without capabilities matters: uid 0
 * still owns /etc, and DAC lets an owner write its files.
 */
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/securebits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "privilege.h"

/*
 * The capability table.  Every capability cutover ever uses after its
 * decision is listed here, with the reason.
 */
static const struct step_caps {
	enum priv_step step;
	const char *name;
	cap_value_t caps[4];
	size_t ncaps;
	const char *why;
} table[] = {
	{ STEP_CALLER, "caller", { 0 }, 0,
	    "list, verify, the policy commands and refusals: nothing but "
	    "the caller's own rights (verify parses untrusted HTTP)" },
	{ STEP_FREE_PORT, "free-port",
	    { CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH, CAP_KILL }, 3,
	    "read other users' /proc/PID/fd and exe to find and re-verify "
	    "port holders; signal a permitted holder through its pidfd" },
	{ STEP_STOP, "stop",
	    { CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH, CAP_KILL }, 3,
	    "as free-port, for the processes of one service" },
	{ STEP_START, "start",
	    { CAP_SETUID, CAP_SETGID, CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH }, 4,
	    "switch the child to the service's user and groups; see who "
	    "holds its ports before and after (plus the service's own "
	    "listed capabilities, passed on as ambient)" },
};

static const struct step_caps *
step_of(enum priv_step step)
{
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].step == step)
			return &table[i];
	return NULL;
}

const char *
privilege_step_name(enum priv_step step)
{
	const struct step_caps *s = step_of(step);

	return s ? s->name : "?";
}

static int
failed(const char *what)
{
	fprintf(stderr, "cutover: cannot set up privileges (%s: %s); "
	    "refusing to go on\n", what, strerror(errno ? errno : EPERM));
	return -1;
}

/* The bit mask of the step's capabilities plus EXTRA. */
static unsigned long long
wanted_mask(const struct step_caps *s, const cap_value_t *extra, size_t n)
{
	unsigned long long mask = 0;
	size_t i;

	for (i = 0; i < s->ncaps; i++)
		mask |= 1ULL << s->caps[i];
	for (i = 0; i < n; i++)
		mask |= 1ULL << extra[i];
	return mask;
}

static int
cut_bounding_set(unsigned long long keep)
{
	int c, last = (int)cap_max_bits();

	for (c = 0; c < last && c < 64; c++)
		if (!(keep & (1ULL << c)) && cap_drop_bound((cap_value_t)c) == -1)
			return failed("cap_drop_bound");
	return 0;
}

/*
 * NOROOT: uid 0 gets no capabilities from exec; NO_SETUID_FIXUP: changing
 * uids keeps the set we choose (and never restores a full one); both
 * locked, as is KEEP_CAPS off.  A step that starts a service leaves
 * ambient raising open, for the child's own listed capabilities.
 */
static int
lock_securebits(bool allow_ambient)
{
	unsigned long bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
	    SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
	    SECBIT_KEEP_CAPS_LOCKED;

	if (!allow_ambient)
		bits |= SECBIT_NO_CAP_AMBIENT_RAISE |
		    SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
	if (prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) == -1)
		return failed("PR_SET_SECUREBITS");
	return 0;
}

static int
set_capabilities(unsigned long long mask)
{
	cap_t caps = cap_init();
	cap_value_t c;
	int rc = 0;

	if (caps == NULL)
		return failed("cap_init");
	for (c = 0; c < 64; c++)
		if (mask & (1ULL << c))
			if (cap_set_flag(caps, CAP_PERMITTED, 1, &c, CAP_SET) ||
			    cap_set_flag(caps, CAP_EFFECTIVE, 1, &c, CAP_SET))
				rc = -1;
	if (rc == 0 && cap_set_proc(caps) == -1)
		rc = -1;
	cap_free(caps);
	if (rc == -1)
		return failed("cap_set_proc");
	if (cap_reset_ambient() == -1)
		return failed("cap_reset_ambient");
	return 0;
}

static int
become(uid_t uid, gid_t gid)
{
	/* Group first: once the uid is dropped the gid can't be. */
	if (setresgid(gid, gid, gid) == -1)
		return failed("setresgid");
	if (setresuid(uid, uid, uid) == -1)
		return failed("setresuid");
	/* A credential change resets dumpable from fs.suid_dumpable. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		return failed("PR_SET_DUMPABLE");
	return 0;
}

int
privilege_enter(enum priv_step step, const cap_value_t *extra, size_t nextra)
{
	const struct step_caps *s = step_of(step);
	unsigned long long mask;
	uid_t uid = getuid();
	gid_t gid = getgid();

	errno = 0;
	if (s == NULL || geteuid() != 0)
		return failed("not running as root");
	mask = wanted_mask(s, extra, nextra);
	if (cut_bounding_set(mask) == -1 ||
	    lock_securebits(step == STEP_START) == -1 ||
	    become(uid, gid) == -1 ||
	    set_capabilities(mask) == -1)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return failed("PR_SET_NO_NEW_PRIVS");
	return privilege_verify(uid, gid, mask);
}

/* The hex value of "NAME:\t..." in /proc/self/status. */
static int
status_hex(const char *status, const char *name, unsigned long long *v)
{
	const char *p = strstr(status, name);

	if (p == NULL || (p != status && p[-1] != '\n'))
		return -1;
	return sscanf(p + strlen(name), ":\t%llx", v) == 1 ? 0 : -1;
}

static int
read_status(char *buf, size_t size)
{
	ssize_t n;
	int fd;

	if ((fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/*
 * Read back what the kernel says we hold: ids, every capability set, the
 * securebits' effect and no_new_privs.  Any difference refuses.
 */
int
privilege_verify(uid_t uid, gid_t gid, unsigned long long mask)
{
	unsigned long long inh, prm, eff, bnd, amb, nnp;
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	char status[8192];

	errno = EPERM;
	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1 ||
	    ru != uid || eu != uid || su != uid ||
	    rg != gid || eg != gid || sg != gid)
		return failed("the uid/gid read back differ");
	if (read_status(status, sizeof(status)) == -1 ||
	    status_hex(status, "CapInh", &inh) || status_hex(status, "CapPrm", &prm) ||
	    status_hex(status, "CapEff", &eff) || status_hex(status, "CapBnd", &bnd) ||
	    status_hex(status, "CapAmb", &amb) ||
	    sscanf(strstr(status, "NoNewPrivs:") ? strstr(status,
	    "NoNewPrivs:") : "", "NoNewPrivs:\t%llu", &nnp) != 1)
		return failed("/proc/self/status");
	if (inh != 0 || amb != 0 || prm != mask || eff != mask ||
	    bnd != mask || nnp != 1)
		return failed("the capabilities read back differ");
	if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
		return failed("still dumpable");
	/* POS37-C: without CAP_SETUID, root must be out of reach. */
	if (uid != 0 && !(mask & (1ULL << CAP_SETUID)) && setuid(0) != -1)
		return failed("setuid(0) still works");
	return 0;
}

/*
 * The policy commands: become the caller for good, whatever this process
 * is (setuid root, or an unprivileged run).  Only ids are changed: an
 * unprivileged process has nothing more to drop, and a setuid one loses
 * every capability with its uid (no securebits are set yet).
 */
int
privilege_drop_to_caller(void)
{
	uid_t uid = getuid(), ru, eu, su;
	gid_t gid = getgid(), rg, eg, sg;

	errno = 0;
	if (setresgid(gid, gid, gid) == -1)
		return failed("setresgid");
	if (setresuid(uid, uid, uid) == -1)
		return failed("setresuid");
	errno = EPERM;
	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1 ||
	    ru != uid || eu != uid || su != uid ||
	    rg != gid || eg != gid || sg != gid)
		return failed("the uid/gid read back differ");
	if (uid != 0 && setuid(0) != -1)
		return failed("setuid(0) still works");
	return 0;
}
