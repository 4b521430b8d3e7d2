/*
 * test_portguard.c - the bind guard's program (portguard.c), run here by
 * a small interpreter of the instructions it uses, so that what it
 * decides is tested without the kernel: a bind of a guarded TCP port by
 * a uid not allowed is refused (0), anything else allowed (1).  That the
 * kernel loads it and enforces it is the system test t-attack-gap.sh's.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "helper/act/portguard.h"

struct bind_call {
	uint32_t port;          /* host byte order */
	uint32_t protocol;
	uint32_t uid;
};

/* The program on CALL: its r0 at exit; -1 for an instruction it must not
   have, a jump out of it, or a run that does not end. */
static long long
run(const struct bpf_insn *p, size_t n, const struct bind_call *call)
{
	uint64_t r[11] = { 0 };
	size_t pc = 0, steps = 0;

	while (pc < n && steps++ < 1000) {
		const struct bpf_insn *i = &p[pc++];
		uint32_t lo = (uint32_t)r[i->dst_reg];

		switch (i->code) {
		case BPF_ALU64 | BPF_MOV | BPF_X:
			r[i->dst_reg] = r[i->src_reg];
			break;
		case BPF_ALU64 | BPF_MOV | BPF_K:
			r[i->dst_reg] = (uint64_t)(int64_t)i->imm;
			break;
		case BPF_ALU | BPF_MOV | BPF_X:
			r[i->dst_reg] = (uint32_t)r[i->src_reg];
			break;
		case BPF_LDX | BPF_MEM | BPF_W:
			ck_assert_int_eq(i->src_reg, BPF_REG_6);
			if (i->off == offsetof(struct bpf_sock_addr, user_port))
				r[i->dst_reg] = htons((uint16_t)call->port);
			else if (i->off == offsetof(struct bpf_sock_addr, protocol))
				r[i->dst_reg] = call->protocol;
			else
				return -1;
			break;
		case BPF_JMP32 | BPF_JEQ | BPF_K:
			if (lo == (uint32_t)i->imm)
				pc += (size_t)(ptrdiff_t)i->off;
			break;
		case BPF_JMP32 | BPF_JNE | BPF_K:
			if (lo != (uint32_t)i->imm)
				pc += (size_t)(ptrdiff_t)i->off;
			break;
		case BPF_JMP | BPF_JA:
			pc += (size_t)(ptrdiff_t)i->off;
			break;
		case BPF_JMP | BPF_CALL:
			ck_assert_int_eq(i->imm, BPF_FUNC_get_current_uid_gid);
			r[0] = (uint64_t)4242 << 32 | call->uid;   /* gid, uid */
			r[1] = r[2] = r[3] = r[4] = r[5] = 0xdead;  /* clobbered */
			break;
		case BPF_JMP | BPF_EXIT:
			return (long long)r[0];
		default:
			return -1;
		}
	}
	return -1;
}

static const int ports[] = { 8080, 443 };
static const uid_t uids[] = { 0, 33, 4294967294u };

START_TEST(guarded_ports_bind_only_for_allowed_uids)
{
	struct bpf_insn p[PORT_GUARD_INSNS_MAX];
	size_t n = port_guard_program(p, ports, 2, uids, 3);
	struct bind_call c;

	ck_assert_uint_le(n, PORT_GUARD_INSNS_MAX);
	/* deploy on a guarded port, TCP: refused */
	c = (struct bind_call){ 8080, IPPROTO_TCP, 1001 };
	ck_assert_int_eq(run(p, n, &c), 0);
	c.port = 443;
	ck_assert_int_eq(run(p, n, &c), 0);
	/* root, www-data, and a uid above 2^31 (no sign extension): allowed */
	c.uid = 0;
	ck_assert_int_eq(run(p, n, &c), 1);
	c.uid = 33;
	ck_assert_int_eq(run(p, n, &c), 1);
	c.uid = 4294967294u;
	ck_assert_int_eq(run(p, n, &c), 1);
	c.uid = 4294967293u;
	ck_assert_int_eq(run(p, n, &c), 0);
	/* another port, or not TCP: none of the guard's business */
	c = (struct bind_call){ 8081, IPPROTO_TCP, 1001 };
	ck_assert_int_eq(run(p, n, &c), 1);
	c = (struct bind_call){ 8080, IPPROTO_UDP, 1001 };
	ck_assert_int_eq(run(p, n, &c), 1);
	/* 8080 and 36895 share no byte order trick: htons(8080) = 36895 */
	c = (struct bind_call){ 36895, IPPROTO_TCP, 1001 };
	ck_assert_int_eq(run(p, n, &c), 1);
}
END_TEST

START_TEST(every_size_ends_in_an_exit)
{
	static const int many[PORT_GUARD_PORTS_MAX] = { 1, 2, 3, 65535 };
	static uid_t lots[PORT_GUARD_UIDS_MAX];
	struct bpf_insn p[PORT_GUARD_INSNS_MAX];
	struct bind_call c;
	size_t np, nu, n, i;

	for (i = 0; i < PORT_GUARD_UIDS_MAX; i++)
		lots[i] = (uid_t)(100 + i);
	for (np = 1; np <= PORT_GUARD_PORTS_MAX; np++)
		for (nu = 0; nu <= PORT_GUARD_UIDS_MAX; nu++) {
			n = port_guard_program(p, many, np, lots, nu);
			ck_assert_uint_le(n, PORT_GUARD_INSNS_MAX);
			c = (struct bind_call){ (uint32_t)many[np - 1],
			    IPPROTO_TCP, 1 };
			ck_assert_int_eq(run(p, n, &c), 0);
			if (nu > 0) {
				c.uid = (uint32_t)lots[nu - 1];
				ck_assert_int_eq(run(p, n, &c), 1);
			}
		}
}
END_TEST

Suite *
portguard_suite(void)
{
	Suite *s = suite_create("portguard");
	TCase *tc = tcase_create("portguard");

	tcase_add_test(tc, guarded_ports_bind_only_for_allowed_uids);
	tcase_add_test(tc, every_size_ends_in_an_exit);
	suite_add_tcase(s, tc);
	return s;
}
