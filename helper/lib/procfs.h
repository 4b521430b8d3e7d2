/*
 * procfs.h - reading a small /proc file whole, and the fields cutover
 * takes from the lines of /proc/PID/{stat,status,syscall}.  Every read of
 * those files goes through these; the walks of /proc and /proc/PID/fd
 * (holders.c, release.c, verify.c) and the kernel's socket tables
 * (holders.c, NETLINK_SOCK_DIAG) their own way.
 *
 * The readers of lines are pure (text in, values out) so that the fuzz
 * target tests/fuzz/fuzz_procfs.c runs exactly them: a process's stat
 * line holds its command name, which is its owner's bytes (any but NUL,
 * ")", spaces and newlines included).  Each accepts only the kernel's own
 * form (plain decimal or hex digits, the one separator) and fails on
 * anything else: a value read wrong would be a wrong process.
 */
#ifndef CUTOVER_PROCFS_H
#define CUTOVER_PROCFS_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Read PATH (at most SIZE - 1 bytes) into BUF, NUL-terminated.  Returns
 * 0, or -1 with errno when it can't be opened or read (ENOENT or ESRCH:
 * the process it belongs to is gone), is empty (ENODATA) or does not fit
 * (EOVERFLOW): a file cut short is not read.  One read(): /proc files of
 * this size are produced whole.
 */
int procfs_read(const char *path, char *buf, size_t size);

/*
 * The number after "NAME:\t" at the start of a line of STATUS (the text of
 * a /proc/.../status), in BASE (16 for the Cap* and Sig* masks, 10 for
 * Threads, NoNewPrivs and the like), into V.  Returns 0, or -1 when the
 * line is missing or the value is not a number that ends the line.
 */
int procfs_status_field(const char *status, const char *name, int base,
    unsigned long long *v);

/*
 * The state, parent pid and tty_nr of a /proc/PID/stat line TEXT: the
 * fields after the command name, which is in parentheses and may hold
 * any bytes, so they are read after the LAST ')'.  0, or -1 when TEXT is
 * not in the kernel's form ("PID (COMM) S PPID PGRP SESSION TTY_NR ...").
 */
struct procfs_stat {
	char state;                     /* 'R', 'S', 'T' (stopped), ... */
	pid_t ppid;
	unsigned long long tty_nr;
};
int procfs_stat_parse(const char *text, struct procfs_stat *st);

/*
 * The real and effective uid of the "Uid:" line of STATUS (the text of a
 * /proc/PID/status: "Uid:\tREAL\tEFFECTIVE\tSAVED\tFS").  0, or -1 when
 * there is no such line or it is not in the kernel's form.
 */
int procfs_status_uids(const char *status, uid_t *uid, uid_t *euid);

/*
 * The system call a process sleeps in, from its /proc/PID/syscall TEXT
 * ("NR ARGS... SP PC"): 0 and *NR; -1 when it is in none ("running",
 * "-1 SP PC") or TEXT is not in the kernel's form.
 */
int procfs_syscall_nr(const char *text, long *nr);

#endif
