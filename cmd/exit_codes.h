/* exit_codes.h: tokenfleet's exit statuses, as --help and the README document them, and how a
 * job's outcome becomes one. */
#ifndef TOKENFLEET_EXIT_CODES_H
#define TOKENFLEET_EXIT_CODES_H

#include "cmd/options.h"
#include "core/base/signals.h"
#include "core/job.h"

enum {
    EXIT_ALL_OK = 0,      /* every target ok (and every output written) */
    EXIT_SOME_FAILED = 1, /* a target failed, an output could not be written, or tokenfleet
                             itself failed (out of memory): not the user's mistake */
    EXIT_USAGE = 2,       /* usage or inventory errors: nothing sent, nothing written */
};

/* The exit status for a command line that did not parse (or asked for --help). */
static inline int exit_code_of_parse(enum parse_result pr)
{
    return pr == PARSE_EXIT_OK ? EXIT_ALL_OK : pr == PARSE_FAILED ? EXIT_SOME_FAILED : EXIT_USAGE;
}

/* The exit status for a job that ended with outcome; a signal that stopped it (the first one
 * received, even while the outputs were written) gives 128 + its number, as shells report a
 * death by that signal. */
static inline int exit_code_of(enum job_outcome outcome)
{
    if (signals_received())
        return 128 + signals_received();
    switch (outcome) {
    case JOB_ALL_OK:
        return EXIT_ALL_OK;
    case JOB_REFUSED:
        return EXIT_USAGE;
    default:
        return EXIT_SOME_FAILED;
    }
}

#endif
