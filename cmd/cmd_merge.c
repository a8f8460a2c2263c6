/* cmd_merge.c: `tokenfleet merge-reports`: the reports of a sharded run -> one report. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "core/base/atomic_file.h"
#include "core/merge.h"
#include "cmd/exit_codes.h"

static const char merge_help[] =
    "Usage: tokenfleet merge-reports [-o FILE] REPORT...\n"
    "\n"
    "Joins the JSON reports of the shards of one fleet (provision --shard K/N on N hosts or\n"
    "in a Kubernetes Indexed Job) into one report, results sorted by target name. Refuses\n"
    "reports that overlap, and, for sharded runs, a missing or repeated shard.\n"
    "\n"
    "  -o, --output FILE   write the merged report there (0600, atomically); default:\n"
    "                      standard output\n"
    "  -q, --quiet         errors only\n"
    "  -h, --help          this text\n"
    "\n"
    "Exit status: 0 merged and every target ok, 1 merged and some target failed (or the\n"
    "output could not be written), 2 wrong usage or reports that do not fit together.\n";

int cmd_merge_reports(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *output = NULL;
    struct tf_msg msg = {.verbosity = 0, .out = stderr};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            output = optarg;
            break;
        case 'q':
            msg.verbosity = -1;
            break;
        case 'h':
            fputs(merge_help, stdout);
            return EXIT_ALL_OK;
        default:
            fprintf(stderr,
                    "tokenfleet merge-reports: %s %s\nTry 'tokenfleet merge-reports --help'.\n",
                    c == ':' ? "a value is missing after" : "unknown option", argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "tokenfleet merge-reports: which reports? Give one or more files.\n"
                        "Try 'tokenfleet merge-reports --help'.\n");
        return EXIT_USAGE;
    }
    const char *const *paths = (const char *const *)argv + optind;
    size_t n = (size_t)(argc - optind);
    struct merge_outcome outcome = {0};
    enum tf_err rc;
    if (!output || !strcmp(output, "-")) {
        rc = merge_reports(paths, n, stdout, &msg, &outcome);
        if (rc == TF_OK && fflush(stdout) != 0)
            rc = TF_ERR_IO;
    } else {
        struct atomic_out o;
        if (atomic_out_open(&o, output, 0600) != 0) {
            errorf(&msg, "cannot write %s: %m", output);
            return EXIT_SOME_FAILED;
        }
        if ((rc = merge_reports(paths, n, o.f, &msg, &outcome)) != TF_OK)
            atomic_out_discard(&o);
        else if (atomic_out_commit(&o, 1) != 0) {
            errorf(&msg, "cannot write %s: %m", output);
            return EXIT_SOME_FAILED;
        }
    }
    if (rc == TF_ERR_USAGE)
        return EXIT_USAGE;
    if (rc != TF_OK) {
        errorf(&msg, "merge failed: %s", tf_strerror(rc));
        return EXIT_SOME_FAILED;
    }
    infof(&msg, "merged %zu report%s: %zu targets, %zu ok, %zu failed%s%s", n, n == 1 ? "" : "s",
          outcome.targets, outcome.targets - outcome.failed, outcome.failed, output ? " -> " : "",
          output ? output : "");
    return outcome.failed ? EXIT_SOME_FAILED : EXIT_ALL_OK;
}
