/* result.h: what happened to one target: its status, attempts, token or error. */
#ifndef TOKENFLEET_RESULT_H
#define TOKENFLEET_RESULT_H

#include <stddef.h>
#include <stdint.h>

/* The length of a UUID in text form, without the terminating NUL. */
#define REQUEST_ID_LEN 36

enum tf_status {
    TF_STATUS_PENDING = 0,          /* not finished (never in a finished run's results) */
    TF_STATUS_OK,                   /* a token was obtained */
    TF_STATUS_AUTH_FAILED,          /* 401 or 403: wrong username or password */
    TF_STATUS_BAD_REQUEST,          /* another 4xx */
    TF_STATUS_SERVER_ERROR,         /* 5xx or 429 */
    TF_STATUS_NETWORK_ERROR,        /* no HTTP answer: DNS, connect, TLS, reset */
    TF_STATUS_TIMEOUT,              /* no complete answer within --timeout */
    TF_STATUS_BAD_RESPONSE,         /* an answer that is not a usable token */
    TF_STATUS_CANCELLED,            /* not finished: --deadline passed or the run was interrupted */
    TF_STATUS_KEYSPACE_UNREACHABLE, /* check --verify: the token works, but the REST API does
                                       not show the keyspace to it (missing or not visible) */
};

/* One past the last status, for tables indexed by status. */
#define TF_STATUS_COUNT (TF_STATUS_KEYSPACE_UNREACHABLE + 1)

/* What a request was for. */
enum request_step {
    STEP_AUTH,     /* POST to the auth API for a token */
    STEP_KEYSPACE, /* a token's proof: GET of the keyspace with it (check --verify, keep-alive,
                      an application token of an api: rest database) */
    STEP_DATA,     /* an application token's proof on the Data API: POST findCollections to the
                      keyspace (api: data) */
};

/* Returns the status's name as the report spells it ("ok", "auth_failed", ...). */
const char *tf_status_name(enum tf_status s);

/* One HTTP request sent for a target. 20 bytes: a 100,000-target run keeps one per request. */
struct attempt {
    unsigned char request_id[16]; /* the x-cassandra-request-id sent, as a binary UUID (uuid_t);
                                     attempt_request_id gives its text */
    unsigned char step;           /* enum request_step */
    unsigned char status;         /* enum tf_status: how this attempt ended */
    short http_status;            /* 0 when no HTTP answer came */
};

/* Writes a's request id as text (lowercase, NUL-terminated) into out. */
void attempt_request_id(const struct attempt *a, char out[REQUEST_ID_LEN + 1]);

struct result {
    enum tf_status status;    /* of the last attempt */
    long http_status;         /* of the last attempt; 0 when no HTTP answer came */
    struct attempt *attempts; /* in the order sent; owned */
    size_t n_attempts;
    long long elapsed_ms; /* wall time from the first request's start to the last's end */
    int64_t issued_at_ms; /* with a token: when it was issued (wall-clock ms since the epoch; a
                             token proven rather than issued keeps the time it came with) */
    char *token;          /* only for TF_STATUS_OK; owned, zeroed when freed */
    char *error;          /* NULL for TF_STATUS_OK, else what went wrong; owned */
};

/* Frees what r owns and zeroes it; safe on a zeroed result. */
void result_clear(struct result *r);

/* Frees an array of n results (each cleared). results_free(NULL, 0) is a no-op. */
void results_free(struct result *results, size_t n);

#endif
