/* exec.c: `tokenfleet exec`, its parts in order. */
#include "core/exec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/signals.h"
#include "core/child_env.h"
#include "core/keepalive.h"
#include "core/preflight.h"
#include "core/supervise.h"

/* The log of the targets' events: the first cycle's, then the keep-alive cycles'. */
struct event_log {
    const struct exec_options *o;
    const struct target_list *targets;
    int started; /* the command runs: a failure no longer stops it */
    size_t failed;
};

static void on_event(void *ctx, size_t i, struct result *r, enum keepalive_event ev)
{
    struct event_log *log = ctx;
    const struct tf_msg *msg = log->o->msg;
    const char *name = log->targets->items[i].name;
    const char *why = r->error ? r->error : "";
    switch (ev) {
    case KEEPALIVE_KEPT:
        verbosef(msg, "%s: token kept (proven)", name);
        break;
    case KEEPALIVE_ISSUED:
        /* Without --keep-alive the process becomes the command: its stderr is the command's,
         * and a line per start would be noise in every script that uses it. */
        if (log->o->keep_alive_ms)
            infof(msg, "tokenfleet: %s: token issued", name);
        else
            verbosef(msg, "%s: token issued", name);
        break;
    case KEEPALIVE_REPLACED:
        infof(msg, "tokenfleet: %s: token replaced (the old one was refused or too old)", name);
        break;
    case KEEPALIVE_FAILED:
        log->failed++;
        if (log->started)
            warnf(msg, "%s: no working token this cycle: %s: %s; tried again in %ld s", name,
                  tf_status_name(r->status), why, log->o->keep_alive_ms / 1000);
        else
            errorf(msg, "%s: %s: %s", name, tf_status_name(r->status), why);
        break;
    }
}

/* Becomes the command, the tokens ka holds in its environment. Returns only when it could not
 * be (printed). */
static enum exec_outcome become(const struct exec_options *o, const struct target_list *targets,
                                const struct keepalive *ka)
{
    struct child_env_request req = {
        .base = o->base_env, .targets = targets, .keep_password_env = o->keep_password_env};
    char **env = child_env_for(&req, ka->held, o->msg);
    if (!env)
        return EXEC_FAILED;
    /* The command gets the signal dispositions tokenfleet was started with. */
    signals_uninstall();
    fflush(NULL);
    execvpe(o->command[0], o->command, env);
    int err = errno;
    child_env_free(env);
    if (err == ENOENT) {
        errorf(o->msg, "%s: command not found", o->command[0]);
        return EXEC_NOT_FOUND;
    }
    errorf(o->msg, "cannot run %s: %s", o->command[0], strerror(err));
    return err == ENOMEM ? EXEC_FAILED : EXEC_NOT_RUNNABLE;
}

/* The first cycle: a token for every target. Returns 1 when every target got one, else 0 with
 * *why set (printed) and *status as exec_run says. */
static int first_tokens(const struct exec_options *o, const struct target_list *targets,
                        struct keepalive *ka, int stop_fd, struct event_log *log,
                        enum exec_outcome *why, int *status)
{
    *why = EXEC_FAILED;
    struct result *results = calloc(targets->count + 1, sizeof *results);
    if (!results) {
        errorf(o->msg, "out of memory");
        return 0;
    }
    struct driver_options d = o->driver;
    d.stop_fd = stop_fd;
    enum driver_stop stop = DRIVER_FINISHED;
    enum tf_err rc = keepalive_cycle(ka, &d, results, &stop, on_event, log);
    results_free(results, targets->count);
    if (rc != TF_OK) {
        errorf(o->msg, "%s: the command is not started", tf_strerror(rc));
        return 0;
    }
    if (stop == DRIVER_INTERRUPTED) {
        errorf(o->msg, "interrupted: the command is not started");
        *status = signals_received();
        *why = EXEC_STOPPED;
        return 0;
    }
    if (log->failed) {
        errorf(o->msg, "%zu of %zu target%s got no token%s: the command is not started",
               log->failed, targets->count, targets->count == 1 ? "" : "s",
               stop == DRIVER_DEADLINE ? " by --deadline" : "");
        *why = EXEC_TARGET_FAILED;
        return 0;
    }
    return 1;
}

/* Supervises the command (--keep-alive) from the tokens ka holds. Returns exec_run's outcome. */
static enum exec_outcome supervise(const struct exec_options *o, const struct target_list *targets,
                                   struct keepalive *ka, int stop_fd, struct event_log *log,
                                   int *status)
{
    log->started = 1;
    struct supervise_options so = {
        .command = o->command,
        .env = {.base = o->base_env, .targets = targets, .keep_password_env = o->keep_password_env},
        .driver = o->driver,
        .stop_fd = stop_fd,
        .interval_ms = o->keep_alive_ms,
        .kill_after_ms = SUPERVISE_KILL_AFTER_MS,
        .on_final = on_event,
        .on_final_ctx = log,
        .msg = o->msg,
    };
    switch (supervise_run(&so, ka, status)) {
    case SUPERVISE_EXITED:
        return EXEC_COMMAND_ENDED;
    case SUPERVISE_NOT_FOUND:
        return EXEC_NOT_FOUND;
    case SUPERVISE_NOT_RUNNABLE:
        return EXEC_NOT_RUNNABLE;
    default:
        return EXEC_FAILED;
    }
}

enum exec_outcome exec_run(const struct exec_options *o, const struct target_list *targets,
                           int *status)
{
    *status = 0;
    struct output_options none = {0};
    struct preflight_request pre = {
        .outputs = &none, .exec = 1, .keep_alive = o->keep_alive_ms > 0};
    if (preflight_run(&pre, targets, o->msg) != 0)
        return EXEC_REFUSED;
    struct keepalive ka;
    if (keepalive_init(&ka, targets, o->max_token_age_ms) != TF_OK) {
        errorf(o->msg, "out of memory");
        return EXEC_FAILED;
    }
    int stop_fd = signals_install(o->keep_alive_ms ? SIGNALS_PARENT : SIGNALS_RUN);
    enum exec_outcome out = EXEC_FAILED;
    struct event_log log = {.o = o, .targets = targets};
    if (stop_fd < 0 && o->keep_alive_ms)
        errorf(o->msg, "cannot handle signals to pass them on: %s", strerror(errno));
    else if (stop_fd < 0)
        warnf(o->msg, "cannot handle SIGINT/SIGTERM: %s", strerror(errno));
    if ((stop_fd >= 0 || !o->keep_alive_ms) &&
        first_tokens(o, targets, &ka, stop_fd, &log, &out, status))
        out = o->keep_alive_ms ? supervise(o, targets, &ka, stop_fd, &log, status)
                               : become(o, targets, &ka);
    signals_uninstall();
    keepalive_free(&ka);
    return out;
}
