/*
 * exitcodes.h - what cutover's exit status means; scripts rely on these.
 */
#ifndef CUTOVER_EXITCODES_H
#define CUTOVER_EXITCODES_H

#define EXIT_DONE     0   /* done (or: allowed, valid, no difference) */
#define EXIT_FAILED   1   /* the permitted action failed (diff: differs) */
#define EXIT_USAGE    2   /* the command line is wrong */
#define EXIT_REFUSED  3   /* refused by the policy (or by PAM) */
#define EXIT_POLICY   4   /* the policy is missing, unsafe or invalid */

#endif
