/*
 * hygiene.h - start-up scrubbing of what the caller controls.
 */
#ifndef CUTOVER_HYGIENE_H
#define CUTOVER_HYGIENE_H

#include <stddef.h>

/*
 * Called first thing in main().  Exits 2 when argv is unusable, 1 when
 * hygiene_reset_process() fails; otherwise leaves fds 0-2 open and
 * nothing above them, the environment empty, the process reset as below,
 * no core dumps, and the cwd at "/".
 */
void hygiene_start(int argc, char **argv);

/*
 * Reset what a process inherits and the caller can set: every signal
 * disposition to default but SIGPIPE and SIGXFSZ (ignored: a write fails
 * instead of killing), an empty signal mask, every rlimit (the kernel's
 * defaults; CORE 0, FSIZE unlimited; a hard limit the caller lowered and
 * root can't raise is refused only below what cutover needs: FSIZE
 * unlimited, NOFILE 64), umask 022, scheduling policy
 * SCHED_OTHER without SCHED_RESET_ON_FORK, nice 0, I/O class none, CPU
 * affinity every CPU the cpuset allows, oom_score_adj 0, personality
 * PER_LINUX, timer slack 50 us.  Each is read back.  Not fds, cwd or the
 * environment.  May be called again (in a process forked later, which
 * the caller could have reniced or prlimit'ed meanwhile); raising nice,
 * leaving SCHED_IDLE, lowering oom_score_adj and raising hard limits need
 * root's CAP_SYS_NICE and CAP_SYS_RESOURCE, without which only what is
 * not already at its default fails.  0, or -1 with the reason in WHY.
 */
int hygiene_reset_process(char *why, size_t whylen);

/*
 * hygiene_reset_process(), but every soft limit must reach its default
 * (not only what cutover needs: a service is not started crippled; NPROC
 * and SIGPENDING, whose defaults depend on the machine, as high as the
 * hard limit allows), and
 * SIGPIPE and SIGXFSZ back to default too (an ignored signal survives
 * execve): for a child about to exec a service.  0, or -1 with the
 * reason in WHY.
 */
int hygiene_reset_for_exec(char *why, size_t whylen);

/*
 * This process's oom_score_adj made ADJ (written only when it differs,
 * read back): 0, or -1 with WHY.  Below the floor the caller's session
 * left needs CAP_SYS_RESOURCE.
 */
int hygiene_oom_score_adj(int adj, char *why, size_t whylen);

/*
 * 0 when the process really holds root's privileges (effective uid 0 in
 * the initial user namespace); otherwise the exit status to refuse with,
 * and the reason in WHY: EXIT_REFUSED in a user namespace, EXIT_POLICY
 * when not installed setuid root.
 */
int hygiene_privileged(char *why, size_t whylen);

/*
 * The caller's working directory as an O_PATH descriptor (or -1), handed
 * over once: only use it after dropping to the caller's credentials, and
 * close it otherwise.
 */
int hygiene_take_caller_cwd(void);

#endif
