/*
 * exitcodes.h - the one status.  Every action, step, pre-flight and run
 * ends in one of these; the value is cutover's exit status, which scripts
 * rely on, and status_outcome() is the one mapping to the outcome word of
 * the audit record (a switch words its rollbacks itself: switch.c).
 */
#ifndef CUTOVER_EXITCODES_H
#define CUTOVER_EXITCODES_H

enum status {
	EXIT_DONE = 0,      /* done (or: allowed, valid, no difference) */
	EXIT_FAILED = 1,    /* the action failed (policy diff: it differs) */
	EXIT_USAGE = 2,     /* the command line is wrong */
	EXIT_REFUSED = 3,   /* refused by the policy, PAM, or an unsafe system */
	EXIT_POLICY = 4,    /* the policy is missing, unsafe or invalid */
};

/* The audit record's outcome for STATUS: "ok", "refused" or "failed". */
static inline const char *
status_outcome(int status)
{
	return status == EXIT_DONE ? "ok" : status == EXIT_REFUSED ?
	    "refused" : "failed";
}

#endif
