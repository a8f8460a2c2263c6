/* main.c: tokenfleet's entry point: global set-up and the choice of subcommand. */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "cmd/commands.h"
#include "cmd/options.h"
#include "core/base/text.h"
#include "version.h"

/* One command a line, in the order of --help. */
/* clang-format off */
static const struct {
    const char *name;
    int (*run)(int, char **);
} commands[] = {
    {"validate", cmd_validate},
    {"provision", cmd_provision},
    {"check", cmd_check},
    {"watch", cmd_watch},
    {"exec", cmd_exec},
    {"list", cmd_list},
    {"merge-reports", cmd_merge_reports},
    {"discover", cmd_discover},
};
/* clang-format on */

#define N_COMMANDS (sizeof commands / sizeof commands[0])

/* Says that name is no command, with the closest one when one is near. Returns 2. */
static int not_a_command(const char *name)
{
    const char *hint = NULL;
    size_t best = 4;
    for (size_t i = 0; i < N_COMMANDS; i++) {
        size_t dist = text_edit_distance(name, commands[i].name, 3);
        if (dist < best) {
            best = dist;
            hint = commands[i].name;
        }
    }
    if (hint)
        fprintf(stderr,
                "tokenfleet: \"%s\" is not a command; did you mean \"%s\"? Try "
                "'tokenfleet --help'.\n",
                name, hint);
    else
        fprintf(stderr, "tokenfleet: \"%s\" is not a command. Try 'tokenfleet --help'.\n", name);
    return 2;
}

/* Runs the command argv[0] (argv: its name and its arguments); 2 when there is no such command. */
static int run_command(int argc, char **argv)
{
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(argv[0], commands[i].name) != 0)
            continue;
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            fprintf(stderr, "tokenfleet: error: libcurl could not be initialised\n");
            return 1;
        }
        int rc = commands[i].run(argc, argv);
        curl_global_cleanup();
        return rc;
    }
    return not_a_command(argv[0]);
}

int main(int argc, char **argv)
{
    /* The process holds passwords and tokens: no core dump, no ptrace by other users. */
    prctl(PR_SET_DUMPABLE, 0L, 0L, 0L, 0L);
    /* `tokenfleet help COMMAND` is `tokenfleet COMMAND --help`, as in git and systemctl. */
    if (argc == 3 && !strcmp(argv[1], "help")) {
        static char help_option[] = "--help";
        char *help_argv[] = {argv[2], help_option, NULL};
        return run_command(2, help_argv);
    }
    if (argc > 3 && !strcmp(argv[1], "help")) {
        fprintf(stderr, "tokenfleet help: one command at a time (tokenfleet help COMMAND).\n");
        return 2;
    }
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
        !strcmp(argv[1], "help")) {
        options_print_main_help(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("tokenfleet %s (%s)\n", TOKENFLEET_VERSION, curl_version());
        return 0;
    }
    return run_command(argc - 1, argv + 1);
}
