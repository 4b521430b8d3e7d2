/*
 * hygiene.h - start-up scrubbing of what the caller controls.
 */
#ifndef CUTOVER_HYGIENE_H
#define CUTOVER_HYGIENE_H

#include <stddef.h>

/*
 * Called first thing in main().  Exits 2 when argv is unusable; otherwise
 * leaves fds 0-2 open and nothing above them, the environment empty,
 * rlimits, signals and umask reset, no core dumps, and the cwd at "/".
 */
void hygiene_start(int argc, char **argv);

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
int hygiene_caller_cwd(void);

#endif
