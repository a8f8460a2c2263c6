/* cmd_exec.c: `tokenfleet exec`: options -> config -> core/exec.h, and its exit statuses. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/exit_codes.h"
#include "cmd/options.h"
#include "cmd/request_options.h"
#include "config/load.h"
#include "core/exec.h"

/* As env(1) and the shells report a command they could not run. */
enum { EXIT_CANNOT_RUN = 126, EXIT_NOT_FOUND = 127 };

/* The exit status for exec's outcome: the command's own (128 + N when signal N ended it, as
 * shells report it), or tokenfleet's. */
static int exit_code_of_exec(enum exec_outcome out, int status)
{
    switch (out) {
    case EXEC_COMMAND_ENDED:
        return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    case EXEC_REFUSED:
        return EXIT_USAGE;
    case EXEC_STOPPED:
        return 128 + status;
    case EXEC_NOT_FOUND:
        return EXIT_NOT_FOUND;
    case EXEC_NOT_RUNNABLE:
        return EXIT_CANNOT_RUN;
    default:
        return EXIT_SOME_FAILED;
    }
}

int cmd_exec(int argc, char **argv)
{
    struct cli cli;
    enum parse_result pr = options_parse(CMD_EXEC, argc, argv, &cli);
    if (pr != PARSE_OK) {
        cli_free(&cli);
        return exit_code_of_parse(pr);
    }
    /* A supervisor's lines off a terminal (a service's log) say when. */
    struct tf_msg msg = {.verbosity = cli.verbosity,
                         .out = stderr,
                         .stamp = cli.interval_ms && !isatty(STDERR_FILENO)};
    struct selection sel = {.patterns = cli.limits,
                            .n_patterns = cli.n_limits,
                            .names = cli.targets,
                            .n_names = cli.n_targets};
    struct inventory *inv;
    struct target_list targets;
    enum tf_err rc =
        config_load_selection(cli.inventory, &sel, stderr, cli.verbosity < 0, &inv, &targets);
    if (rc == TF_OK && cli.interval_ms)
        rc = targets_fill_keyspace_urls(&targets);
    if (rc == TF_OK)
        targets_use_env_names(&targets, cli.env_names);
    int exit_code = EXIT_USAGE;
    if (rc == TF_OK) {
        struct exec_options opt = {
            .driver = request_options(&cli, &msg),
            .command = cli.command,
            .base_env = environ,
            .keep_password_env = cli.keep_password_env,
            .keep_alive_ms = cli.interval_ms,
            .max_token_age_ms = cli.max_token_age_ms,
            .msg = &msg,
        };
        int status;
        enum exec_outcome out = exec_run(&opt, &targets, &status);
        exit_code = exit_code_of_exec(out, status);
    } else if (rc != TF_ERR_INVENTORY) {
        errorf(&msg, "%s", tf_strerror(rc));
        exit_code = EXIT_SOME_FAILED; /* not the user's mistake: not 2 */
    }
    target_list_clear(&targets);
    inventory_free(inv);
    cli_free(&cli);
    return exit_code;
}
