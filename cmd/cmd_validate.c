/* cmd_validate.c: `tokenfleet validate`: load the inventory, report, send nothing. */
#include <stdio.h>

#include "cmd/commands.h"
#include "cmd/options.h"
#include "config/load.h"
#include "core/job.h"

int cmd_validate(int argc, char **argv)
{
    struct cli cli;
    enum parse_result pr = options_parse(CMD_VALIDATE, argc, argv, &cli);
    if (pr != PARSE_OK) {
        cli_free(&cli);
        return pr == PARSE_EXIT_OK ? EXIT_ALL_OK : EXIT_USAGE;
    }
    struct inventory *inv;
    struct target_list targets;
    enum tf_err rc = config_load(cli.inventory, cli.limits, cli.n_limits, &cli.shard, stderr,
                                 cli.verbosity < 0, &inv, &targets);
    int exit_code = EXIT_USAGE;
    if (rc == TF_OK) {
        if (cli.verbosity >= 0)
            fprintf(stderr, "%s: valid: %zu database%s, %zu target%s\n", cli.inventory,
                    inv->n_databases, inv->n_databases == 1 ? "" : "s", targets.count,
                    targets.count == 1 ? "" : "s");
        exit_code = EXIT_ALL_OK;
    } else if (rc != TF_ERR_INVENTORY) {
        fprintf(stderr, "tokenfleet: error: %s\n", tf_strerror(rc));
        exit_code = EXIT_SOME_FAILED; /* not the user's mistake: not 2 */
    }
    target_list_clear(&targets);
    inventory_free(inv);
    cli_free(&cli);
    return exit_code;
}
