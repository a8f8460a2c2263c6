/* child_env.h: the environment exec gives its command: tokenfleet's own, less the variables the
 * inventory reads passwords from, plus the variables of each target under the run's names
 * (targets->env_names; unprefixed for one target, prefixed as in a combined env file for
 * several). */
#ifndef TOKENFLEET_CHILD_ENV_H
#define TOKENFLEET_CHILD_ENV_H

#include <stddef.h>

#include "core/base/errors.h"
#include "core/base/msg.h"
#include "core/envfile.h"
#include "core/keepalive.h"
#include "core/target.h"

struct child_env_request {
    char *const *base;                 /* "NAME=value" entries, NULL-terminated (environ);
                                          borrowed */
    const struct target_list *targets; /* items[0..count) get their variables; the password
                                          and application token sources ({env: NAME}) of all
                                          items[0..total) are left out of base */
    const char *const *tokens;         /* tokens[i] for items[i], i < count; none NULL */
    int keep_password_env;             /* --keep-password-env: leave the password sources in */
};

/* Builds the command's environment for req: every entry of base but those naming a password
 * source or a variable set here (a target's value wins over an inherited one), then the
 * variables of each target (those req->targets->env_names names and the target has a value
 * for, as in its env file) in target order: ASTRA_CLUSTER_ID=... for a single target,
 * ORDERS_US_EAST1_ASTRA_CLUSTER_ID=... (its env_prefix and "_") for several. Returns TF_OK with
 * *out a new NULL-terminated array of new strings (free with child_env_free: it holds tokens);
 * TF_ERR_UNSAFE when a value is not portable (text_is_portable: what an env file would refuse),
 * *bad_target and *bad naming it; TF_ERR_NOMEM. *out is NULL unless TF_OK. */
enum tf_err child_env_build(const struct child_env_request *req, char ***out, size_t *bad_target,
                            enum env_var *bad);

/* child_env_build with the tokens held (held[i].token for items[i]; req->tokens is not read),
 * a failure printed through msg as the reason the command is not started. Returns the new
 * environment (free with child_env_free), or NULL. */
char **child_env_for(const struct child_env_request *req, const struct held_token *held,
                     const struct tf_msg *msg);

/* Wipes and frees an environment child_env_build made. child_env_free(NULL) is a no-op. */
void child_env_free(char **env);

#endif
