/* driver.h: runs the auth requests of many targets concurrently on one libcurl multi handle. */
#ifndef TOKENFLEET_DRIVER_H
#define TOKENFLEET_DRIVER_H

#include <stddef.h>

#include "core/target.h"
#include "core/base/errors.h"
#include "core/base/msg.h"
#include "core/result.h"
#include "core/decide.h"
#include "core/proxy.h"

/* Largest response body kept; a larger one is cut off and the target is bad_response. */
#define DRIVER_MAX_RESPONSE (64 * 1024)

struct driver_options {
    long concurrency;              /* transfers in flight at most (>= 1) */
    long timeout_ms;               /* whole request, connect included */
    long connect_timeout_ms;       /* connection set-up; 0 = libcurl's default */
    const char *cacert;            /* CA bundle file; NULL = the system's */
    const char *capath;            /* CA folder, only when asked for (it defeats libcurl's
                                      CA cache: files are read per connection); NULL = none */
    const char *const *connect_to; /* curl-style HOST:PORT:HOST2:PORT2 entries */
    size_t n_connect_to;
    struct proxy_config proxy; /* the proxies (--proxy, --noproxy, the environment's); zeroed =
                                  none: libcurl is told the proxy of every request and never
                                  reads the environment itself */
    struct retry_policy retry; /* --retries, --retry-delay, --retry-max-wait */
    int verify;                /* check --verify: after a token, GET the target's
                                  keyspace_url with it (every target must have one) */
    const unsigned char *first_step; /* per target, its first request (enum request_step);
                                        NULL = STEP_AUTH for all. A target starting with
                                        STEP_KEYSPACE proves the token its result holds
                                        (results[i].token and issued_at_ms set by the caller) */
    int renew;                       /* a proof that is refused (401/403) is followed by a new token
                                        (STEP_AUTH) for the target: what keeps a fleet alive */
    long deadline_ms;                /* whole run (--deadline); 0 = none */
    int stop_fd;                     /* readable when the run must stop (a signal); -1 = none */
    /* Called once per target as soon as its result is final (ok, failed after its retries, or
     * cancelled), so that outputs can be written while the run goes on; may be NULL. */
    void (*on_final)(void *ctx, size_t target, struct result *r);
    void *on_final_ctx;
    /* Called on every turn of the loop (at least once a second), e.g. to redraw progress; gets
     * on_final_ctx; may be NULL. */
    void (*on_tick)(void *ctx);
    const struct tf_msg *msg; /* -v lines go here */
};

/* Why a run ended before every target finished. */
enum driver_stop { DRIVER_FINISHED, DRIVER_DEADLINE, DRIVER_INTERRUPTED };

/* Sends the auth requests of every target, retrying what the policy allows with back-off
 * timers inside the loop (nothing sleeps; one waiting target never delays another), and fills
 * results[i] for targets->items[i] (results must hold targets->count zeroed entries; the caller
 * frees them with results_free). Every target ends with a status other than pending, whatever
 * happens to the others: at the deadline or when stop_fd becomes readable, transfers in flight
 * are aborted and the unfinished targets are cancelled; *stop says which happened. Returns
 * TF_OK, TF_ERR_CURL when libcurl could not be set up (printed through msg), or TF_ERR_NOMEM. */
enum tf_err driver_run(const struct driver_options *opt, const struct target_list *targets,
                       struct result *results, enum driver_stop *stop);

#endif
