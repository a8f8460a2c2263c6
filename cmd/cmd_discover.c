/* cmd_discover.c: `tokenfleet discover`: an inventory of an Astra organization's databases,
 * from the DevOps API, to standard output or -o FILE. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/commands.h"
#include "cmd/exit_codes.h"
#include "cmd/options.h"
#include "cmd/request_options.h"
#include "config/inventory_rules.h"
#include "config/inventory_write.h"
#include "config/org_token.h"
#include "core/base/atomic_file.h"
#include "core/base/clock.h"
#include "core/base/text.h"
#include "core/devops.h"
#include "version.h"

/* Whether -o may be written: it does not exist, or --force was given. Says why not. */
static int output_allowed(const struct cli *cli, const struct tf_msg *msg)
{
    struct stat st;
    if (!cli->output || cli->force || lstat(cli->output, &st) != 0)
        return 1;
    errorf(msg, "discover: -o %s exists; give --force to replace it (nothing was sent)",
           cli->output);
    return 0;
}

/* Writes the inventory of l to -o (atomically) or standard output. Returns the exit status. */
static int write_inventory(const struct cli *cli, const struct devops_listing *l,
                           const struct tf_msg *msg)
{
    const struct inventory_write_options o = {
        .token_env = cli->token_env,
        .api_url = cli->api_url,
        .statuses = cli->statuses,
        .n_statuses = cli->n_statuses,
        .writer = "tokenfleet " TOKENFLEET_VERSION,
        .now_ms = clock_wall_ms(),
    };
    struct inventory_write_counts counts;
    static struct atomic_out file; /* 64 KiB of buffer: not on the stack */
    FILE *out = stdout;
    if (cli->output) {
        /* No secret in it, and read by whoever runs tokenfleet with it: the usual mode. */
        if (atomic_out_open(&file, cli->output, 0644) != 0) {
            errorf(msg, "discover: cannot write %s: %s", cli->output, strerror(errno));
            return EXIT_SOME_FAILED;
        }
        out = file.f;
    }
    enum tf_err rc = inventory_write(out, l, &o, &counts);
    int failed = rc != TF_OK || fflush(out) != 0 || ferror(out);
    int saved = errno;
    if (rc != TF_OK)
        errorf(msg, "discover: %s", tf_strerror(rc));
    else if (failed)
        errorf(msg, "discover: cannot write %s: %s", cli->output ? cli->output : "the inventory",
               strerror(saved));
    if (cli->output && failed) {
        atomic_out_discard(&file);
    } else if (cli->output && !output_allowed(cli, msg)) { /* made meanwhile */
        atomic_out_discard(&file);
        failed = 1;
    } else if (cli->output && atomic_out_commit(&file, 1) != 0) {
        errorf(msg, "discover: cannot write %s: %s", cli->output, strerror(errno));
        failed = 1;
    }
    if (failed)
        return EXIT_SOME_FAILED;
    infof(msg,
          "discover: %zu database%s in %u page%s: %zu written, %zu commented out (another "
          "status), %zu left out (malformed)%s%s",
          l->count, l->count == 1 ? "" : "s", l->pages, l->pages == 1 ? "" : "s", counts.written,
          counts.parked, counts.malformed, cli->output ? " -> " : "",
          cli->output ? cli->output : "");
    if (!counts.written)
        warnf(msg, "discover: no database has a status in --status: the inventory lists none "
                   "(each is commented out), and validate will refuse it until one is uncommented");
    return EXIT_ALL_OK;
}

int cmd_discover(int argc, char **argv)
{
    struct cli cli;
    enum parse_result pr = options_parse(CMD_DISCOVER, argc, argv, &cli);
    if (pr != PARSE_OK) {
        cli_free(&cli);
        return exit_code_of_parse(pr);
    }
    struct tf_msg msg = {.verbosity = cli.verbosity, .out = stderr};
    int exit_code = EXIT_USAGE;
    char *token = NULL, *error = NULL;
    struct devops_listing listing = {0};
    if (!output_allowed(&cli, &msg))
        goto out;
    enum tf_err rc = org_token_read(cli.org_token_env, cli.org_token_file, &token, &error);
    if (rc != TF_OK) {
        errorf(&msg, "discover: %s", error ? error : tf_strerror(rc));
        exit_code = rc == TF_ERR_USAGE ? EXIT_USAGE : EXIT_SOME_FAILED;
        goto out;
    }
    if (inventory_is_plain_http_elsewhere(cli.api_url))
        warnf(&msg,
              "discover: --api-url %s uses http://, so the org token goes unencrypted to a host "
              "that is not this machine; use https:// unless the network in between is yours "
              "alone",
              cli.api_url);
    struct driver_options opt = request_options(&cli, &msg);
    struct devops_request req = {.api_url = cli.api_url, .token = token, .opt = &opt};
    rc = devops_list(&req, &listing, &error);
    text_free_secret(token);
    token = NULL;
    exit_code = EXIT_SOME_FAILED;
    if (rc == TF_ERR_REMOTE)
        errorf(&msg, "discover: %s; nothing was written", error);
    else if (rc != TF_OK && rc != TF_ERR_CURL)
        errorf(&msg, "discover: %s", tf_strerror(rc));
    else if (rc == TF_OK)
        exit_code = write_inventory(&cli, &listing, &msg);
out:
    devops_listing_clear(&listing);
    text_free_secret(token);
    free(error);
    cli_free(&cli);
    return exit_code;
}
