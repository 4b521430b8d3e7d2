/*
 * portguard.h - the plan's ports, for a switch's life, bindable by root
 * and the plan's services' users alone (portguard.c).
 *
 * A switch lets go of a port in two places: a rollback's start of an old
 * service that cannot take a socket (Debian's apache2 binds its own), and
 * a switch that takes the gap.  Between the last socket closing and the
 * service binding, any process that may bind the port could take it: a
 * deploy process retrying bind() every 0.2 ms did, in the second audit.
 * The guard is a cgroup BPF program on the bind() of IPv4 and IPv6 TCP
 * sockets at the root of the cgroup v2 tree - every process of this
 * host, or of this container, is below it - that refuses (EPERM) a bind
 * to one of the ports by any uid but those allowed.  It is attached as a
 * bpf_link held by the transaction alone: when the transaction ends,
 * however it ends, the kernel detaches it.
 */
#ifndef CUTOVER_PORTGUARD_H
#define CUTOVER_PORTGUARD_H

#include <sys/types.h>

#include <linux/bpf.h>
#include <stddef.h>

#define PORT_GUARD_PORTS_MAX 4
#define PORT_GUARD_UIDS_MAX 40
/* the program's length at most: 2 + a jump per port + 1 + 4 + a jump per
   uid + 4 */
#define PORT_GUARD_INSNS_MAX (11 + PORT_GUARD_PORTS_MAX + PORT_GUARD_UIDS_MAX)

struct port_guard {
	int links[2];           /* IPv4 and IPv6 bind; -1: none */
};

#define PORT_GUARD_NONE { { -1, -1 } }

/*
 * The program: 1 (allow) unless the socket is TCP, its port one of
 * PORTS[0..NPORTS) and the caller's uid none of UIDS[0..NUIDS); 0 (the
 * bind fails with EPERM) then.  Into INSNS (PORT_GUARD_INSNS_MAX); its
 * length.  Pure, for the tests.
 */
size_t port_guard_program(struct bpf_insn *insns, const int *ports,
    size_t nports, const uid_t *uids, size_t nuids);

/*
 * Attach the guard (G, PORT_GUARD_NONE before) for PORTS to every process
 * of this host's (or container's) cgroup tree: 0, or -1 with WHY (no
 * cgroup v2 tree, a kernel or a container that refuses BPF, no
 * privilege), nothing attached.
 */
int port_guard_raise(struct port_guard *g, const int *ports, size_t nports,
    const uid_t *uids, size_t nuids, char *why, size_t whylen);

/* Detach it (in the transaction), or drop a child's copy: either way. */
void port_guard_close(struct port_guard *g);

/*
 * Could a process without CAP_NET_BIND_SERVICE bind PORT here (at or
 * above net.ipv4.ip_unprivileged_port_start)?  1 yes, 0 no, -1 cannot
 * tell (then take it as yes).
 */
int port_unprivileged(int port);

#endif
