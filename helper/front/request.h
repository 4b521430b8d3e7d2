/*
 * request.h - argv -> what the caller asks for.  Validates every byte:
 * an over-long, non-ASCII or otherwise odd argument is a usage error
 * (exit 2), never truncated or "cleaned".
 */
#ifndef CUTOVER_REQUEST_H
#define CUTOVER_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "helper/lib/format.h"
#include "policy/policy.h"

/*
 * --reason TEXT: the operator's words for an action (a ticket, a change
 * number), printable ASCII; --run-id ID: one roll-out across many hosts,
 * letters, digits and . _ : -.  Both go into every audit record of the
 * request, so a reviewer can join many hosts' trails on the id.
 */
#define REQUEST_REASON_MAX 200
#define REQUEST_RUN_ID_MAX 64

enum command { CMD_ACTION, CMD_LIST, CMD_RECOVER, CMD_POLICY, CMD_HELP,
	CMD_VERSION };

struct cli_request {
	enum command cmd;
	bool dry_run;               /* -n */
	enum output_format format;  /* verify --format=; FORMAT_TEXT otherwise */
	bool textfile;              /* verify --textfile: the check's metrics
	                               into CUTOVER_TEXTFILE_DIR too */
	bool boot;                  /* recover --boot */
	struct request rq;          /* CMD_ACTION; rq.target -> target,
	                               rq.reason -> reason when given */
	char target[POLICY_NAME_MAX + 1];
	char reason[REQUEST_REASON_MAX + 1];        /* "" when not given */
	char run_id[REQUEST_RUN_ID_MAX + 1];        /* "" when not given */
	int policy_argc;            /* CMD_POLICY: argv after "policy" */
	char **policy_argv;
	/* For the audit record of a malformed request: what was given. */
	const char *raw_action;
	const char *raw_target;
};

/* Returns 0, or -1 with a message for the user in WHY (exit 2). */
int request_parse(int argc, char **argv, struct cli_request *,
    char *why, size_t whylen);

#endif
