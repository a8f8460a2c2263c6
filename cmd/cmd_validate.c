/* cmd_validate.c: `tokenfleet validate`: load the inventory, report, send nothing. */
#include <stdio.h>

#include "cmd/commands.h"
#include "cmd/options.h"
#include "config/load.h"
#include "cmd/exit_codes.h"
#include "core/preflight.h"

int cmd_validate(int argc, char **argv)
{
    struct cli cli;
    enum parse_result pr = options_parse(CMD_VALIDATE, argc, argv, &cli);
    if (pr != PARSE_OK) {
        cli_free(&cli);
        return exit_code_of_parse(pr);
    }
    struct inventory *inv;
    struct target_list targets;
    enum tf_err rc = config_load(cli.inventory, cli.limits, cli.n_limits, &cli.shard, stderr,
                                 cli.verbosity < 0, &inv, &targets);
    if (rc == TF_OK && cli.verify)
        rc = targets_fill_keyspace_urls(&targets);
    if (rc == TF_OK)
        targets_use_env_names(&targets, cli.env_names);
    struct tf_msg msg = {.verbosity = cli.verbosity, .out = stderr};
    /* What the run these options describe would refuse, validate refuses too. */
    struct output_options outputs = {
        .env_dir = cli.env_dir, .env_file = cli.env_file, .env_format = cli.env_format};
    struct preflight_request pre = {.outputs = &outputs, .verify = cli.verify};
    if (rc == TF_OK && preflight_run(&pre, &targets, &msg) != 0)
        rc = TF_ERR_INVENTORY;
    int exit_code = EXIT_USAGE;
    if (rc == TF_OK) {
        if (cli.verbosity >= 0)
            fprintf(stderr, "%s: valid: %zu database%s, %zu target%s\n", inv->path,
                    inv->n_databases, inv->n_databases == 1 ? "" : "s", targets.count,
                    targets.count == 1 ? "" : "s");
        exit_code = EXIT_ALL_OK;
    } else if (rc != TF_ERR_INVENTORY) {
        errorf(&msg, "%s", tf_strerror(rc));
        exit_code = EXIT_SOME_FAILED; /* not the user's mistake: not 2 */
    }
    target_list_clear(&targets);
    inventory_free(inv);
    cli_free(&cli);
    return exit_code;
}
