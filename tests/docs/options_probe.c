/* options_probe.c: runs cmd/options.c's parser on a command line, for test_docs.py to learn which
 * options each command takes from the code itself, also for a command that cmd/main.c does not
 * dispatch yet.
 *
 * Usage: options_probe INDEX ARGS...   INDEX: the command's enum command value (its place in
 * options.c's command_names). Exit status: 0 the line parses (or --help was printed), 2 a usage
 * error (printed on stderr), 1 the parser failed, 3 a bad INDEX. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd/options.h"

int main(int argc, char **argv)
{
    char *end;
    long index = argc > 1 ? strtol(argv[1], &end, 10) : -1;
    if (argc < 2 || *end || index < CMD_VALIDATE || index > CMD_DISCOVER) {
        fprintf(stderr, "usage: options_probe INDEX [ARGS...] (INDEX %d to %d)\n", CMD_VALIDATE,
                CMD_DISCOVER);
        return 3;
    }
    struct cli cli;
    /* argv[1] stands in for the command's name, as argv[0] of options_parse. */
    enum parse_result pr = options_parse((enum command)index, argc - 1, argv + 1, &cli);
    cli_free(&cli);
    return pr == PARSE_OK || pr == PARSE_EXIT_OK ? 0 : pr == PARSE_USAGE ? 2 : 1;
}
