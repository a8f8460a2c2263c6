/* driver.h: runs the auth requests of many targets concurrently on one libcurl multi handle. */
#ifndef TOKENFLEET_DRIVER_H
#define TOKENFLEET_DRIVER_H

#include <stddef.h>

#include "config/targets.h"
#include "core/errors.h"
#include "core/msg.h"
#include "core/result.h"

/* Largest response body kept; a larger one is cut off and the target is bad_response. */
#define DRIVER_MAX_RESPONSE (64 * 1024)

struct driver_options {
    long concurrency;                /* transfers in flight at most (>= 1) */
    long timeout_ms;                 /* whole request, connect included */
    long connect_timeout_ms;         /* connection set-up; 0 = libcurl's default */
    const char *cacert;              /* CA bundle file; NULL = the system's */
    const char *const *connect_to;   /* curl-style HOST:PORT:HOST2:PORT2 entries */
    size_t n_connect_to;
    const struct tf_msg *msg;        /* -v lines go here */
};

/* Sends one auth request for each of the n targets and fills results[i] for targets->items[i]
 * (results must hold targets->count zeroed entries; the caller frees them with results_free).
 * Every target ends with a status other than pending, whatever happens to the others. Returns
 * TF_OK, TF_ERR_CURL when libcurl could not be set up (errbuf-style text printed through msg),
 * or TF_ERR_NOMEM. */
enum tf_err driver_run(const struct driver_options *opt, const struct target_list *targets,
                       struct result *results);

#endif
