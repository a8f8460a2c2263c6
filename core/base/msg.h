/* msg.h: the one place that prints messages for people (stderr), honouring -q and -v. */
#ifndef TOKENFLEET_MSG_H
#define TOKENFLEET_MSG_H

#include <stdio.h>

/* Where and how much to say. Passed explicitly; there is no global verbosity. */
struct tf_msg {
    int verbosity; /* -1 quiet (errors only), 0 normal, 1 verbose (-v) */
    FILE *out;     /* the stream for messages; stderr unless a test redirects it */
    int stamp;     /* begin each line with the time (RFC 3339, UTC): a long-running agent's log
                      off a terminal */
};

#define TF_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))

/* "tokenfleet: error: ..." — always printed. */
void errorf(const struct tf_msg *m, const char *fmt, ...) TF_PRINTF(2, 3);
/* "tokenfleet: warning: ..." — suppressed by -q. */
void warnf(const struct tf_msg *m, const char *fmt, ...) TF_PRINTF(2, 3);
/* A plain line (progress, summary) — suppressed by -q. */
void infof(const struct tf_msg *m, const char *fmt, ...) TF_PRINTF(2, 3);
/* A line only with -v. Callers must never pass a password or a token. */
void verbosef(const struct tf_msg *m, const char *fmt, ...) TF_PRINTF(2, 3);

#endif
