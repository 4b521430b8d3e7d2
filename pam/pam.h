/*
 * pam.h - PAM for an allowed request: the account check always
 * (expired or locked accounts, pam_time/pam_access windows), and
 * authentication first when the granting rule says auth = "pam".
 * Implemented in pam/pam.c; the stack is pam/cutover (/etc/pam.d/cutover).
 */
#ifndef CUTOVER_PAM_H
#define CUTOVER_PAM_H

#include <stdbool.h>
#include <stddef.h>

#include "helper/front/caller.h"

#define CUTOVER_PAM_SERVICE "cutover"

/*
 * Run the "cutover" PAM stack for C: pam_start with user C->name,
 * PAM_RUSER = C->name, PAM_TTY = C->tty ("" when it has none; never left
 * unset, or pam_time/pam_access would look at stdin), no PAM_RHOST; then
 * pam_authenticate when AUTHENTICATE, then pam_acct_mgmt, both with
 * PAM_DISALLOW_NULL_AUTHTOK.  No session is opened, no credentials set.
 *
 * Prompts are asked on the controlling terminal (/dev/tty) only, and only
 * during authentication; stdin is never read.  Module messages are shown
 * on that terminal during authentication, on stderr otherwise.
 *
 * CONFDIR is NULL for the system's /etc/pam.d; tests of a non-setuid build
 * pass their own directory (pam_start_confdir).  In the setuid build call
 * it with euid 0: pam_unix reads /etc/shadow and pam_faillock writes its
 * tally as root.
 *
 * Returns 0 when PAM allows, or -1 with WHY (one line, bytes outside
 * printable ASCII escaped as \xNN) = "STAGE: WHAT (DETAILS)":
 *   STAGE   "auth", "account", or "setup" (the stack could not be started
 *           or its items set; the request is refused just the same)
 *   WHAT    pam_strerror() of PAM's result, or for PAM_NEW_AUTHTOK_REQD
 *           "password expired, change it with passwd first"
 *   DETAILS when there are any, joined by "; ": why the conversation
 *           failed (e.g. "no terminal to ask for a password on"), the
 *           stage's last PAM_ERROR_MSG, its last PAM_TEXT_INFO
 * e.g. "account: Permission denied" (pam_time, which sends no message) or
 * "auth: Authentication token manipulation error (no terminal to ask
 * for a password on)" (pam_unix reports the conversation failure so).
 */
int authpam_check(const struct caller *c, bool authenticate,
    const char *confdir, char *why, size_t whylen);

#endif
