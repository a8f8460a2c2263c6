/* errors.h: the project's one error enum and its message table. */
#ifndef TOKENFLEET_ERRORS_H
#define TOKENFLEET_ERRORS_H

/* Every fallible function of the library returns one of these. Library results (libyaml 1/0,
 * jansson NULL/-1, CURLcode) are converted right at the call, keeping the library's own message
 * wherever one is printed. */
enum tf_err {
    TF_OK = 0,
    TF_ERR_NOMEM,     /* an allocation failed */
    TF_ERR_IO,        /* a file could not be read or written (errno says why) */
    TF_ERR_USAGE,     /* the command line is wrong */
    TF_ERR_INVENTORY, /* the inventory has mistakes (they were reported as diagnostics) */
    TF_ERR_TOOBIG,    /* input exceeded its size cap */
    TF_ERR_CURL,      /* libcurl refused a set-up call */
    TF_ERR_JSON,      /* jansson failed to build or encode JSON */
    TF_ERR_UNSAFE,    /* a value cannot be written in the requested env-file format */
    TF_ERR_REMOTE,    /* a server refused the request or kept failing (a message says how) */
};

/* Returns a static, human-readable description of err; never NULL. */
const char *tf_strerror(enum tf_err err);

#endif
