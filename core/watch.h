/* watch.h: the agent that keeps a fleet's env files holding working tokens for as long as it
 * runs (tokenfleet watch): a keep-alive cycle (keepalive.h) every interval, each target's env
 * file rewritten only when its token changes, the report and Prometheus file after every cycle,
 * commands run on each change, the inventory reloaded on request, and systemd told how it goes
 * (notify.h). */
#ifndef TOKENFLEET_WATCH_H
#define TOKENFLEET_WATCH_H

#include "core/base/msg.h"
#include "core/driver.h"
#include "core/job.h"
#include "core/outputs.h"
#include "core/target.h"

struct watch_options {
    struct driver_options driver;  /* requests, time bounds, stop_fd (SIGINT/SIGTERM); its
                                      step, verify and callback fields are the agent's own */
    struct output_options outputs; /* env_dir (required), env_file, env_format, report, prom */
    long interval_ms;              /* from the start of one cycle to the start of the next */
    long max_token_age_ms;         /* rotate tokens this old; 0 = never */
    const char *on_change;         /* run after a target's env file is replaced; NULL = none */
    long on_change_timeout_ms;
    unsigned long max_cycles;    /* stop after this many cycles (--cycles); 0 = until a signal */
    int reload_fd;               /* readable when the inventory is to be reloaded (SIGHUP); -1 */
    int (*reload_pending)(void); /* drains reload_fd: non-zero when a reload was asked for */
    /* Loads the inventory again: returns the new targets (keyspace URLs filled, the run's
     * checks passed) or NULL when it cannot be used (the problems printed). */
    const struct target_list *(*reload)(void *ctx);
    /* Frees a target list that reload returned, once the agent no longer uses it. */
    void (*release)(void *ctx, const struct target_list *old);
    void *reload_ctx;
    const struct tf_msg *msg;
};

/* Runs the agent on targets (keyspace URLs filled; borrowed, and never released through
 * o->release) until stop_fd becomes readable or max_cycles are done. Returns JOB_ALL_OK for an
 * orderly stop (whatever the servers said), JOB_REFUSED when the run cannot go ahead (printed:
 * nothing sent), JOB_SOME_FAILED when tokenfleet itself failed. */
enum job_outcome watch_run(const struct watch_options *o, const struct target_list *targets);

#endif
