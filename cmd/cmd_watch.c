/* cmd_watch.c: `tokenfleet watch`: options -> config (again on SIGHUP) -> core's agent. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/exit_codes.h"
#include "cmd/options.h"
#include "cmd/request_options.h"
#include "config/load.h"
#include "core/base/signals.h"
#include "core/preflight.h"
#include "core/watch.h"

/* The inventory as loaded: what its targets borrow from. */
struct loaded {
    struct inventory *inv;
    struct target_list targets;
};

struct reloader {
    const struct cli *cli;
    const struct output_options *outputs;
    const struct tf_msg *msg;
    struct loaded *reloaded[2]; /* what reload returned and the agent still uses */
};

/* Loads the inventory and makes its targets ready for the agent. Returns a new struct loaded, or
 * NULL with *rc set (TF_ERR_INVENTORY: the problems were printed). */
static struct loaded *load(const struct reloader *r, enum tf_err *rc)
{
    struct loaded *l = calloc(1, sizeof *l);
    if (!l) {
        *rc = TF_ERR_NOMEM;
        return NULL;
    }
    const struct cli *c = r->cli;
    *rc = config_load(c->inventory, c->limits, c->n_limits, &c->shard, stderr, c->verbosity < 0,
                      &l->inv, &l->targets);
    if (*rc == TF_OK)
        *rc = targets_fill_keyspace_urls(&l->targets);
    if (*rc == TF_OK)
        targets_use_env_names(&l->targets, c->env_names);
    if (*rc != TF_OK) {
        target_list_clear(&l->targets);
        inventory_free(l->inv);
        free(l);
        return NULL;
    }
    return l;
}

static void unload(struct loaded *l)
{
    if (!l)
        return;
    target_list_clear(&l->targets);
    inventory_free(l->inv);
    free(l);
}

static const struct target_list *reload(void *ctx)
{
    struct reloader *r = ctx;
    enum tf_err rc;
    struct loaded *l = load(r, &rc);
    if (!l) {
        if (rc != TF_ERR_INVENTORY)
            errorf(r->msg, "reload: %s", tf_strerror(rc));
        return NULL;
    }
    /* What the agent would refuse at start, a reload is refused for. */
    struct preflight_request pre = {.outputs = r->outputs, .verify = 1};
    if (preflight_run(&pre, &l->targets, r->msg) != 0) {
        unload(l);
        return NULL;
    }
    for (size_t i = 0; i < 2; i++)
        if (!r->reloaded[i]) {
            r->reloaded[i] = l;
            return &l->targets;
        }
    unload(l); /* the agent holds at most two: cannot happen */
    return NULL;
}

static void release(void *ctx, const struct target_list *old)
{
    struct reloader *r = ctx;
    for (size_t i = 0; i < 2; i++)
        if (r->reloaded[i] && &r->reloaded[i]->targets == old) {
            unload(r->reloaded[i]);
            r->reloaded[i] = NULL;
        }
}

static int reload_pending(void)
{
    int asked = 0;
    for (int sig; (sig = signals_next());)
        asked |= sig == SIGHUP;
    return asked;
}

int cmd_watch(int argc, char **argv)
{
    struct cli cli;
    enum parse_result pr = options_parse(CMD_WATCH, argc, argv, &cli);
    if (pr != PARSE_OK) {
        cli_free(&cli);
        return exit_code_of_parse(pr);
    }
    /* Off a terminal (systemd's journal, a container's log) each line says when. */
    struct tf_msg msg = {.verbosity = cli.verbosity, .out = stderr, .stamp = !isatty(2)};
    if (cli.interval_ms >= 25 * 60 * 1000L)
        warnf(&msg,
              "--interval %ld s: a token dies 30 minutes after its last use, so a cycle this "
              "far apart may come too late; 10m (the default) or less is safe",
              cli.interval_ms / 1000);
    struct output_options outputs = {.env_dir = cli.env_dir,
                                     .env_file = cli.env_file,
                                     .env_format = cli.env_format,
                                     .report = cli.report,
                                     .prom = cli.prom};
    struct reloader r = {.cli = &cli, .outputs = &outputs, .msg = &msg};
    enum tf_err rc;
    struct loaded *first = load(&r, &rc);
    int exit_code = EXIT_USAGE;
    if (first) {
        struct watch_options o = {
            .driver = request_options(&cli, &msg),
            .outputs = outputs,
            .interval_ms = cli.interval_ms,
            .max_token_age_ms = cli.max_token_age_ms,
            .on_change = cli.on_change,
            .on_change_timeout_ms = cli.on_change_timeout_ms,
            .max_cycles = cli.max_cycles,
            .reload_fd = -1,
            .reload_pending = reload_pending,
            .reload = reload,
            .release = release,
            .reload_ctx = &r,
            .msg = &msg,
        };
        if ((o.driver.stop_fd = signals_install(SIGNALS_AGENT)) < 0)
            warnf(&msg, "cannot handle SIGINT, SIGTERM and SIGHUP: %s", strerror(errno));
        o.reload_fd = signals_event_fd();
        enum job_outcome outcome = watch_run(&o, &first->targets);
        signals_uninstall();
        /* A stop asked for by SIGTERM or SIGINT is how an agent ends: 0. */
        exit_code = outcome == JOB_REFUSED       ? EXIT_USAGE
                    : outcome == JOB_SOME_FAILED ? EXIT_SOME_FAILED
                                                 : EXIT_ALL_OK;
    } else if (rc != TF_ERR_INVENTORY) {
        errorf(&msg, "%s", tf_strerror(rc));
        exit_code = EXIT_SOME_FAILED;
    }
    unload(first);
    cli_free(&cli);
    return exit_code;
}
