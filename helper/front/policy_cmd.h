/*
 * policy_cmd.h - `cutover policy check|explain|test|diff`: the commands
 * security reviewers and packagers use to audit a policy.
 */
#ifndef CUTOVER_POLICY_CMD_H
#define CUTOVER_POLICY_CMD_H

/* argv[0] is the subcommand.  Returns an exit status (exitcodes.h). */
int policy_command(int argc, char **argv);

#endif
