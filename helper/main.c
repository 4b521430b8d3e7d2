/*
 * main.c - argv -> request -> the path that serves it; the exit status
 * comes back up as a value.  Never prints argv[0]: messages say "cutover".
 *
 *   policy …           the audit commands: privilege dropped for good first
 *   log …              the audit trail read back: the same, as the caller
 *   --help, --version  no privilege, no record
 *   anything else      a request: decided, recorded, acted on (run.c)
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "helper/exitcodes.h"
#include "helper/front/hygiene.h"
#include "helper/front/policy_cmd.h"
#include "helper/priv/privilege.h"
#include "helper/front/request.h"
#include "helper/log/log_cmd.h"
#include "helper/run.h"

static void
usage(FILE *out)
{
	fputs("usage: cutover [-n] [--reason TEXT] [--run-id ID] free-port PORT\n"
	    "       cutover [-n] [--reason TEXT] [--run-id ID] start SERVICE\n"
	    "       cutover [-n] [--reason TEXT] [--run-id ID] stop SERVICE\n"
	    "       cutover [--reason TEXT] [--run-id ID] verify "
	    "[--format=text|nagios|json|prometheus] [--textfile] CHECK\n"
	    "       cutover [-n] [--reason TEXT] [--run-id ID] switch "
	    "[--format=text|json] PLAN\n"
	    "       cutover list | -l [--format=text|json]\n"
	    "       cutover recover [--boot]\n"
	    "       cutover policy check [FILE]\n"
	    "       cutover policy explain [FILE] [--format=text|json]\n"
	    "       cutover policy test [FILE] USER ACTION TARGET\n"
	    "       cutover policy test [FILE] --expect EXPECTATIONS\n"
	    "       cutover policy diff OLD NEW\n"
	    "       cutover log [--steps|--all] [--format=text|json] [FILTER...] "
	    "[FILE...]\n"
	    "       cutover log --verify [--last=HASH] [FILE...]\n"
	    "       cutover --help | --version\n"
	    "exit: 0 done, 1 failed (a switch: rolled back, or not), 2 usage,\n"
	    "      3 refused (policy, PAM or a switch's pre-flight),\n"
	    "      4 policy missing/unsafe/invalid, audit not writable, or not "
	    "setuid root\n",
	    out);
}

/* Output that could not be written is a failure, not a success. */
static int
finish(int status)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		return status == EXIT_DONE ? EXIT_FAILED : status;
	return status;
}

int
main(int argc, char **argv)
{
	struct cli_request req;
	char why[512];
	int parsed, fd;

	hygiene_start(argc, argv);
	/* log reads files: as the caller, for good, before it opens any */
	if (argc >= 2 && strcmp(argv[1], "log") == 0)
		return finish(log_command(argc - 2, argv + 2));
	parsed = request_parse(argc, argv, &req, why, sizeof(why));
	if (parsed == 0 && req.cmd == CMD_POLICY)
		return finish(policy_command(req.policy_argc, req.policy_argv));
	/* Nothing below runs as the caller in a directory of theirs. */
	if ((fd = hygiene_take_caller_cwd()) != -1)
		close(fd);
	if (parsed == 0 && (req.cmd == CMD_HELP || req.cmd == CMD_VERSION)) {
		if (privilege_drop_to_caller() == -1)
			return EXIT_FAILED;
		if (req.cmd == CMD_HELP)
			usage(stdout);
		else
			puts("cutover " CUTOVER_VERSION);
		return finish(EXIT_DONE);
	}
	/*
	 * An action's status is the action's: a caller who closed stdout
	 * (setuid glibc then points it at /dev/full) must not be told that a
	 * port was not freed when it was.
	 */
	if (parsed == 0 && req.cmd == CMD_ACTION)
		return run_request(&req, NULL);
	return finish(run_request(&req, parsed == 0 ? NULL : why));
}
