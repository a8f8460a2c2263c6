/* cmd_run.c: `tokenfleet provision` and `tokenfleet check`, the two commands that send
 * requests: options -> config -> core. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/options.h"
#include "config/load.h"
#include "cmd/exit_codes.h"
#include "cmd/request_options.h"
#include "core/base/signals.h"
#include "core/job.h"

static int run(enum command cmd, int argc, char **argv)
{
    struct cli cli;
    enum parse_result pr = options_parse(cmd, argc, argv, &cli);
    if (pr != PARSE_OK) {
        cli_free(&cli);
        return exit_code_of_parse(pr);
    }
    struct tf_msg msg = {.verbosity = cli.verbosity, .out = stderr};
    struct inventory *inv;
    struct target_list targets;
    enum tf_err rc = config_load(cli.inventory, cli.limits, cli.n_limits, &cli.shard, stderr,
                                 cli.verbosity < 0, &inv, &targets);
    if (rc == TF_OK && cli.verify)
        rc = targets_fill_keyspace_urls(&targets);
    if (rc == TF_OK && cmd == CMD_PROVISION) /* check writes no variable */
        targets_use_env_names(&targets, cli.env_names);
    int exit_code = EXIT_USAGE;
    if (rc == TF_OK) {
        struct job_options opt = {
            .driver = request_options(&cli, &msg),
            .outputs =
                {
                    .env_dir = cli.env_dir,
                    .env_file = cli.env_file,
                    .env_format = cli.env_format,
                    .report = cli.report,
                    .junit = cli.junit,
                    .prom = cli.prom,
                },
            .check = cmd == CMD_CHECK,
            .dry_run = cli.dry_run,
            .shard_index = cli.shard.index,
            .shard_count = cli.shard.count,
            .shard_hash = TARGETS_SHARD_HASH,
            .msg = &msg,
        };
        if (!cli.dry_run && (opt.driver.stop_fd = signals_install(SIGNALS_RUN)) < 0)
            warnf(&msg, "cannot handle SIGINT/SIGTERM: %s", strerror(errno));
        exit_code = exit_code_of(job_run(&opt, &targets));
        signals_uninstall();
    } else if (rc != TF_ERR_INVENTORY) {
        errorf(&msg, "%s", tf_strerror(rc));
        exit_code = EXIT_SOME_FAILED; /* not the user's mistake: not 2 */
    }
    target_list_clear(&targets);
    inventory_free(inv);
    cli_free(&cli);
    return exit_code;
}

int cmd_provision(int argc, char **argv)
{
    return run(CMD_PROVISION, argc, argv);
}

int cmd_check(int argc, char **argv)
{
    return run(CMD_CHECK, argc, argv);
}
