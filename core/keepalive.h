/* keepalive.h: keeping a fleet's tokens alive, for watch and exec --keep-alive. A Stargate token
 * lives 30 minutes after its last use and there is no refresh call: a cycle proves each token in
 * hand with one authenticated call (the REST keyspace GET, which also restarts its 30 minutes),
 * and gets a new token where there is none, where the proof is refused, or where the token is
 * older than the rotation age. */
#ifndef TOKENFLEET_KEEPALIVE_H
#define TOKENFLEET_KEEPALIVE_H

#include <stdint.h>

#include "core/driver.h"
#include "core/result.h"
#include "core/target.h"

/* The token a target holds now (the one in its env file, or in a child's environment). */
struct held_token {
    char *token;          /* NULL: none (or the last one was refused); owned, wiped when freed */
    int64_t issued_at_ms; /* wall-clock ms since the epoch; 0 when not known */
    int had;              /* a token was held at some time (a new one then replaces it) */
};

/* What a cycle did for a target. */
enum keepalive_event {
    KEEPALIVE_KEPT,     /* its token was proven: nothing changes */
    KEEPALIVE_ISSUED,   /* it had no token and got one */
    KEEPALIVE_REPLACED, /* its token was refused or too old, and it got a new one */
    KEEPALIVE_FAILED,   /* no working token this cycle (the result says why); what it held is
                           kept unless the server refused it */
};

/* Returns the event's name as logs and TOKENFLEET_EVENT spell it ("kept", "issued", ...). */
const char *keepalive_event_name(enum keepalive_event e);

struct keepalive {
    const struct target_list *targets; /* borrowed; its keyspace_urls set */
    struct held_token *held;           /* one per target; owned */
    long max_age_ms;                   /* replace tokens at least this old; 0 = never */
};

/* Sets ka up for targets, holding no token. Returns TF_OK or TF_ERR_NOMEM. */
enum tf_err keepalive_init(struct keepalive *ka, const struct target_list *targets,
                           long max_age_ms);

/* Frees what ka holds (tokens wiped). Safe on a zeroed struct. */
void keepalive_free(struct keepalive *ka);

/* Switches ka to targets (a reloaded inventory): a target of the same name keeps its token
 * when its cluster id and region are the same; the others start with none. Returns TF_OK or
 * TF_ERR_NOMEM (ka unchanged). */
enum tf_err keepalive_adopt(struct keepalive *ka, const struct target_list *targets);

/* Called once per target as its result of the cycle is final. r->token, for an ok result, is
 * the token now held (the held copy is ka's). */
typedef void (*keepalive_final_fn)(void *ctx, size_t i, struct result *r,
                                   enum keepalive_event event);

/* Runs one cycle over every target with the driver options base (requests, time bounds,
 * stop_fd; its step and callback fields are the cycle's own): proves what is held, gets new
 * tokens where needed, and fills results (targets->count zeroed entries; free with
 * results_free). *stop as driver_run. Returns as driver_run. */
enum tf_err keepalive_cycle(struct keepalive *ka, const struct driver_options *base,
                            struct result *results, enum driver_stop *stop,
                            keepalive_final_fn on_final, void *ctx);

#endif
