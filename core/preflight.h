/* preflight.h: the one answer to "can this run go ahead?": every check that can refuse a run
 * before anything is sent or written, for provision and check, and for validate given the same
 * output options. */
#ifndef TOKENFLEET_PREFLIGHT_H
#define TOKENFLEET_PREFLIGHT_H

#include <stddef.h>

#include "core/base/diag.h"
#include "core/base/msg.h"
#include "core/outputs.h"
#include "core/target.h"

/* What a run would need. */
struct preflight_request {
    const struct output_options *outputs;
    int verify;     /* check --verify: every target needs its keyspace_url */
    int exec;       /* exec: the variables go into a command's environment: portable values only,
                       and with more than one target, prefixes a variable name can start with */
    int keep_alive; /* exec --keep-alive: every target needs its keyspace_url (the proofs) */
};

/* Checks targets against what the run needs: values the env format cannot hold (with an env
 * output or exec), env-file prefixes a variable name cannot start with (--env-file, exec with
 * several targets), targets without a REST URL (--verify, --keep-alive), and output places that
 * cannot be written (folders that are not there or not writable, a folder named where a file must
 * be). Problems at a place in the inventory go to d (printed as FILE:LINE:COL: error: ...), the
 * others through msg. Writes nothing, creates nothing. Returns how many problems there were (0: the
 * run may go ahead). */
size_t preflight_check(const struct preflight_request *req, const struct target_list *targets,
                       struct diag *d, const struct tf_msg *msg);

/* preflight_check with a collection of its own for targets->source, printed (sorted by place)
 * to msg's stream; what validate, provision and check all call. Returns the number of
 * problems. */
size_t preflight_run(const struct preflight_request *req, const struct target_list *targets,
                     const struct tf_msg *msg);

#endif
