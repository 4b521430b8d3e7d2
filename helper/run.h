/*
 * run.h - one request from decision to result (run.c).
 */
#ifndef CUTOVER_RUN_H
#define CUTOVER_RUN_H

#include "helper/front/request.h"

/*
 * REQ as parsed; MALFORMED is the usage error when parsing failed (the
 * request is then recorded and refused with exit 2).  Returns the exit
 * status.
 */
int run_request(const struct cli_request *req, const char *malformed);

#endif
