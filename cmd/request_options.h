/* request_options.h: the request options of the command line (-j, --timeout, --retries,
 * --connect-to, the CAs, --deadline, --proxy and --noproxy, or the environment's proxies) as
 * core's driver options, for every command that sends requests. */
#ifndef TOKENFLEET_REQUEST_OPTIONS_H
#define TOKENFLEET_REQUEST_OPTIONS_H

#include "cmd/options.h"
#include "core/driver.h"

/* Returns the driver options that cli's request options ask for, messages going to msg. Points
 * into cli (its --connect-to list, its CA paths, its proxy), the environment (its proxy
 * variables) and at msg: all must outlive the result. No
 * stop_fd (-1), no step and no callbacks: those are the caller's. */
struct driver_options request_options(const struct cli *cli, const struct tf_msg *msg);

#endif
