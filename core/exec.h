/* exec.h: `tokenfleet exec`, in order: refuse what cannot go ahead (preflight.h), get a token
 * for every chosen target (a first keep-alive cycle, keepalive.h), then either become the
 * command (execvp: same process id, the tokens in its environment, child_env.h) or, with
 * --keep-alive, stay its parent (supervise.h). */
#ifndef TOKENFLEET_EXEC_H
#define TOKENFLEET_EXEC_H

#include "core/base/msg.h"
#include "core/driver.h"
#include "core/target.h"

struct exec_options {
    struct driver_options driver; /* the requests; its stop_fd and callbacks are exec's own */
    char *const *command;         /* argv of the command, NULL-terminated; [0] looked up in
                                     PATH */
    char *const *base_env;        /* the environment the command's starts from (environ) */
    int keep_password_env;        /* leave the inventory's {env:} password sources in it */
    long keep_alive_ms;           /* --keep-alive: the interval; 0 = become the command */
    long max_token_age_ms;        /* --max-token-age (with --keep-alive); 0 = never */
    const struct tf_msg *msg;
};

/* How exec ended when it returns (without --keep-alive it returns only when the command could
 * not be started). */
enum exec_outcome {
    EXEC_COMMAND_ENDED, /* --keep-alive: the command ended; *status is its wait status */
    EXEC_REFUSED,       /* preflight refused the targets (printed); nothing sent */
    EXEC_TARGET_FAILED, /* a target got no token (printed): the command was not started */
    EXEC_STOPPED,       /* SIGINT or SIGTERM before the command started; *status is it */
    EXEC_NOT_FOUND,     /* the command was not found (printed) */
    EXEC_NOT_RUNNABLE,  /* the command could not be run: not executable... (printed) */
    EXEC_FAILED,        /* tokenfleet itself failed: out of memory, no process (printed) */
};

/* Runs exec for targets (passwords resolved; with --keep-alive, keyspace_urls filled in).
 * Installs its own signal handling (and puts back what was there before it returns or execs).
 * On success without --keep-alive it does not return: the process is the command. Returns the
 * outcome, *status set as it says. */
enum exec_outcome exec_run(const struct exec_options *o, const struct target_list *targets,
                           int *status);

#endif
