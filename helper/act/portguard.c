/*
 * portguard.c - the plan's ports bindable by the plan's users alone, for
 * a switch's life (portguard.h).  The program is a dozen instructions,
 * written out here rather than compiled with clang and loaded by libbpf:
 * one more dependency and toolchain for what a reader can check by eye.
 */
#include <sys/statfs.h>
#include <sys/syscall.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/magic.h>

#include "helper/act/portguard.h"
#include "helper/lib/procfs.h"
#include "helper/lib/why.h"

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), \
	.dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

size_t
port_guard_program(struct bpf_insn *p, const int *ports, size_t nports,
    const uid_t *uids, size_t nuids)
{
	/* where the jumps go: CHECK after the ports' tests, ALLOW at the end */
	size_t check = 2 + nports + 1, allow = check + 4 + nuids + 2, n = 0, i;

	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_1, 0, 0);
	p[n++] = INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_6,
	    offsetof(struct bpf_sock_addr, user_port), 0);
	/* user_port is in network byte order */
	for (i = 0; i < nports; i++, n++)
		p[n] = INSN(BPF_JMP32 | BPF_JEQ | BPF_K, BPF_REG_2, 0,
		    (short)(check - n - 1), htons((uint16_t)ports[i]));
	p[n] = INSN(BPF_JMP | BPF_JA, 0, 0, (short)(allow - n - 1), 0);
	n++;
	/* CHECK: one of the ports: TCP? */
	p[n++] = INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_6,
	    offsetof(struct bpf_sock_addr, protocol), 0);
	p[n] = INSN(BPF_JMP32 | BPF_JNE | BPF_K, BPF_REG_2, 0,
	    (short)(allow - n - 1), IPPROTO_TCP);
	n++;
	/* the caller's uid: the low 32 bits of get_current_uid_gid */
	p[n++] = INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_get_current_uid_gid);
	p[n++] = INSN(BPF_ALU | BPF_MOV | BPF_X, BPF_REG_0, BPF_REG_0, 0, 0);
	for (i = 0; i < nuids; i++, n++)
		p[n] = INSN(BPF_JMP32 | BPF_JEQ | BPF_K, BPF_REG_0, 0,
		    (short)(allow - n - 1), (int32_t)uids[i]);
	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
	p[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	/* ALLOW */
	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1);
	p[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return n;
}

static int
bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/* The root of the cgroup v2 tree as this process sees it: an fd, or -1. */
static int
cgroup2_root(void)
{
	static const char *const at[] = { "/sys/fs/cgroup",
	    "/sys/fs/cgroup/unified" };
	struct statfs fs;
	size_t i;

	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		if (statfs(at[i], &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC)
			return open(at[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	errno = ENOENT;
	return -1;
}

/* The program for ATTACH loaded: its fd, or -1; LOG: the verifier's. */
static int
load(enum bpf_attach_type attach, const struct bpf_insn *insns, size_t n,
    char *log, size_t logsize)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_SOCK_ADDR;
	a.expected_attach_type = attach;
	a.insns = (uintptr_t)insns;
	a.insn_cnt = (uint32_t)n;
	a.license = (uintptr_t)"ISC";
	if (log != NULL) {
		a.log_buf = (uintptr_t)log;
		a.log_size = (uint32_t)logsize;
		a.log_level = 1;
	}
	return bpf(BPF_PROG_LOAD, &a);
}

/* The program for bind() of ATTACH (IPv4 or IPv6), linked to CGROUP. */
static int
link_one(enum bpf_attach_type attach, int cgroup, const struct bpf_insn *insns,
    size_t n, char *why, size_t whylen)
{
	union bpf_attr a;
	char *log, *last = NULL;
	int prog, link, e;

	if ((prog = load(attach, insns, n, NULL, 0)) == -1) {
		/* again, for the verifier's words: its last line says why */
		e = errno;
		if ((log = calloc(1, 65536)) != NULL &&
		    (prog = load(attach, insns, n, log, 65536)) == -1) {
			while ((last = strrchr(log, '\n')) != NULL && last[1] == '\0')
				*last = '\0';
			last = strrchr(log, '\n');
			last = last != NULL ? last + 1 : log;
		}
		why_set(why, whylen, "the kernel did not load the bind guard: "
		    "%s%s%s", strerror(e), last ? ": " : "", last ? last : "");
		free(log);
		if (prog != -1)
			close(prog);
		return -1;
	}
	memset(&a, 0, sizeof(a));
	a.link_create.prog_fd = (uint32_t)prog;
	a.link_create.target_fd = (uint32_t)cgroup;
	a.link_create.attach_type = attach;
	link = bpf(BPF_LINK_CREATE, &a);
	e = errno;
	close(prog);            /* the link holds the program */
	if (link == -1)
		return why_set(why, whylen, "the kernel did not attach the bind "
		    "guard: %s", strerror(e)), -1;
	(void)fcntl(link, F_SETFD, FD_CLOEXEC);
	return link;
}

int
port_guard_raise(struct port_guard *g, const int *ports, size_t nports,
    const uid_t *uids, size_t nuids, char *why, size_t whylen)
{
	struct bpf_insn insns[PORT_GUARD_INSNS_MAX];
	size_t n;
	int cg;

	if (nports == 0 || nports > PORT_GUARD_PORTS_MAX ||
	    nuids > PORT_GUARD_UIDS_MAX)
		return why_set(why, whylen, "too many ports or users for the "
		    "bind guard"), -1;
	n = port_guard_program(insns, ports, nports, uids, nuids);
	g->links[0] = g->links[1] = -1;
	if ((cg = cgroup2_root()) == -1)
		return why_errno(why, whylen, "no cgroup v2 tree to guard the "
		    "ports' bind() in"), -1;
	g->links[0] = link_one(BPF_CGROUP_INET4_BIND, cg, insns, n, why, whylen);
	if (g->links[0] != -1)
		g->links[1] = link_one(BPF_CGROUP_INET6_BIND, cg, insns, n, why,
		    whylen);
	close(cg);
	if (g->links[1] == -1) {
		port_guard_close(g);
		return -1;
	}
	return 0;
}

void
port_guard_close(struct port_guard *g)
{
	size_t i;

	for (i = 0; i < 2; i++)
		if (g->links[i] != -1) {
			close(g->links[i]);
			g->links[i] = -1;
		}
}

int
port_unprivileged(int port)
{
	char buf[32], *end;
	long start;

	if (procfs_read("/proc/sys/net/ipv4/ip_unprivileged_port_start", buf,
	    sizeof(buf)) == -1)
		return -1;
	start = strtol(buf, &end, 10);
	if (end == buf || (*end != '\n' && *end != '\0'))
		return -1;
	return port >= start;
}
