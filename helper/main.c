/*
 * main.c - argv -> command; the only place that turns an outcome into an
 * exit status.  Never prints argv[0]: messages say "cutover".
 *
 * This build carries the policy language and its audit commands; the
 * actions (free-port, start, stop, verify, list) are decided and run by
 * the setuid front and the action work that follow, and until then say
 * so and fail (exit 1) instead of pretending.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exitcodes.h"
#include "hygiene.h"
#include "policy_cmd.h"

static const char *const unbuilt[] = {
	"free-port", "start", "stop", "verify", "list", "-l", "-n", NULL
};

static int
usage(FILE *out, int status)
{
	fputs("usage: cutover [-n] free-port PORT\n"
	    "       cutover [-n] start SERVICE\n"
	    "       cutover [-n] stop SERVICE\n"
	    "       cutover verify CHECK\n"
	    "       cutover list | -l\n"
	    "       cutover policy check [FILE]\n"
	    "       cutover policy explain [FILE] [--format=text|json]\n"
	    "       cutover policy test [FILE] USER ACTION TARGET\n"
	    "       cutover policy diff OLD NEW\n"
	    "       cutover --help | --version\n"
	    "exit: 0 done, 1 failed, 2 usage, 3 refused, 4 policy invalid\n",
	    out);
	return status;
}

int
main(int argc, char **argv)
{
	int fd, i;

	hygiene_start(argc, argv);
	if (argc < 2)
		return usage(stderr, EXIT_USAGE);
	if (strcmp(argv[1], "policy") == 0)
		return policy_command(argc - 2, argv + 2);
	/* Nothing below runs as the caller in a directory of theirs. */
	if ((fd = hygiene_caller_cwd()) != -1)
		close(fd);
	if (strcmp(argv[1], "--help") == 0)
		return usage(stdout, EXIT_DONE);
	if (strcmp(argv[1], "--version") == 0) {
		puts("cutover " CUTOVER_VERSION);
		return EXIT_DONE;
	}
	for (i = 0; unbuilt[i] != NULL; i++)
		if (strcmp(argv[1], unbuilt[i]) == 0) {
			fprintf(stderr, "cutover: %s is not implemented in "
			    "this build yet; only the policy commands are\n",
			    argv[1]);
			return EXIT_FAILED;
		}
	fputs("cutover: unknown command; see cutover --help\n", stderr);
	return EXIT_USAGE;
}
