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
    {"exec", cmd_exec},
    {"merge-reports", cmd_merge_reports},
};
/* clang-format on */

int main(int argc, char **argv)
{
    /* The process holds passwords and tokens: no core dump, no ptrace by other users. */
    prctl(PR_SET_DUMPABLE, 0L, 0L, 0L, 0L);
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
        !strcmp(argv[1], "help")) {
        options_print_main_help(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("tokenfleet %s (%s)\n", TOKENFLEET_VERSION, curl_version());
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[1], commands[i].name) != 0)
            continue;
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            fprintf(stderr, "tokenfleet: error: libcurl could not be initialised\n");
            return 1;
        }
        int rc = commands[i].run(argc - 1, argv + 1);
        curl_global_cleanup();
        return rc;
    }
    const char *hint = NULL;
    size_t best = 4;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        size_t dist = text_edit_distance(argv[1], commands[i].name, 3);
        if (dist < best) {
            best = dist;
            hint = commands[i].name;
        }
    }
    fprintf(stderr, "tokenfleet: \"%s\" is not a command%s%s%s. Try 'tokenfleet --help'.\n",
            argv[1], hint ? "; did you mean \"" : "", hint ? hint : "", hint ? "\"?" : "");
    return 2;
}
