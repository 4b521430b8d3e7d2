/*
 * hygiene.h - start-up scrubbing of what the caller controls.
 */
#ifndef CUTOVER_HYGIENE_H
#define CUTOVER_HYGIENE_H

/*
 * Called first thing in main().  Exits 2 when argv is unusable; otherwise
 * leaves fds 0-2 open, the environment empty and the cwd at "/".
 */
void hygiene_start(int argc, char **argv);

/*
 * The caller's working directory as an O_PATH descriptor (or -1), handed
 * over once: only use it after dropping to the caller's credentials, and
 * close it otherwise.
 */
int hygiene_caller_cwd(void);

#endif
