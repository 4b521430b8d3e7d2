/*
 * log_cmd.h - `cutover log`: the audit trail read back, listed, filtered
 * and its hash chain verified.  It needs no privilege and takes none: the
 * setuid binary gives up root for good before it opens anything, so the
 * files are read with the caller's own rights (a member of the log's
 * group adm may read /var/log/cutover; anyone else is refused by the
 * kernel, not by us).
 */
#ifndef CUTOVER_LOG_CMD_H
#define CUTOVER_LOG_CMD_H

#include <stdbool.h>

#include "helper/log/logrec.h"

/* The default trail: the shipped policy's file, and logrotate's older. */
#define LOG_DEFAULT_FILE CUTOVER_LOCALSTATEDIR "/log/cutover/audit.jsonl"

struct log_opts {
	bool verify;                /* --verify: the chain, not the records */
	const char *last;           /* --last=HASH: what syslog saw last */
	bool steps;                 /* --steps: each transaction's steps */
	bool all;                   /* --all: every record, one line each */
	bool json;                  /* --format=json: the records as written */
	struct logfilter filter;
	char **files;
	int nfiles;
};

/* argv after "log".  The exit status. */
int log_command(int argc, char **argv);

/* For log_list.c and log_verify.c: the files in order, oldest first. */
int log_list(const struct log_opts *);
int log_verify(const struct log_opts *);

#endif
