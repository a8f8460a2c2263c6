/* diag.h: diagnostics about an input file, collected so that every mistake is reported at once. */
#ifndef TOKENFLEET_DIAG_H
#define TOKENFLEET_DIAG_H

#include <stddef.h>
#include <stdio.h>

#include "core/base/msg.h"

/* A place in a file, 1-based (libyaml's 0-based marks are converted where they are read). */
struct tf_mark {
    unsigned line;   /* 1-based line; 0 when the message is about the whole file */
    unsigned column; /* 1-based column */
};

/* A string value read from a file, and where it was written. */
struct field {
    char *value;       /* NULL when not set or not valid; who owns it is the container's to say */
    struct tf_mark at; /* place of the value; line 0 when the key is absent (a key given with a
                          bad value keeps its place, so that it is not also called missing) */
};

enum diag_severity { DIAG_ERROR, DIAG_WARNING };

struct diag_entry {
    enum diag_severity severity;
    struct tf_mark at;
    char *message; /* owned */
    size_t seq;    /* order found, to keep ties in that order when sorting by place */
};

/* The diagnostics of one file. */
struct diag {
    char *file;               /* the file's name as the user gave it; owned */
    struct diag_entry *items; /* in the order found; owned */
    size_t count, capacity;
    size_t errors;     /* how many items are errors */
    int out_of_memory; /* set when a message could not be stored */
};

/* Returns a new, empty collection for file (copied), or NULL when out of memory. */
struct diag *diag_new(const char *file);
/* Frees d and its messages; diag_free(NULL) is a no-op. */
void diag_free(struct diag *d);

/* Records an error / a warning at `at`. */
void diag_error(struct diag *d, struct tf_mark at, const char *fmt, ...) TF_PRINTF(3, 4);
void diag_warn(struct diag *d, struct tf_mark at, const char *fmt, ...) TF_PRINTF(3, 4);

/* Forgets the entries recorded after the first count ones: for a reader that finds out late that
 * what it reported so far is moot (a syntax error further on). */
void diag_rewind(struct diag *d, size_t count);

/* Prints every entry, sorted by place, as "file:line:col: error: message" to out. Warnings are
 * left out when quiet is non-zero. */
void diag_print(const struct diag *d, FILE *out, int quiet);

#endif
