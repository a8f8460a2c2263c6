/* result.c: per-target results. */
#include "core/result.h"

#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "core/base/text.h"

const char *tf_status_name(enum tf_status s)
{
    switch (s) {
    case TF_STATUS_PENDING:
        return "pending";
    case TF_STATUS_OK:
        return "ok";
    case TF_STATUS_AUTH_FAILED:
        return "auth_failed";
    case TF_STATUS_BAD_REQUEST:
        return "bad_request";
    case TF_STATUS_SERVER_ERROR:
        return "server_error";
    case TF_STATUS_NETWORK_ERROR:
        return "network_error";
    case TF_STATUS_TIMEOUT:
        return "timeout";
    case TF_STATUS_BAD_RESPONSE:
        return "bad_response";
    case TF_STATUS_CANCELLED:
        return "cancelled";
    case TF_STATUS_KEYSPACE_UNREACHABLE:
        return "keyspace_unreachable";
    }
    return "unknown";
}

void result_clear(struct result *r)
{
    free(r->attempts);
    text_free_secret(r->token);
    free(r->error);
    memset(r, 0, sizeof *r);
}

void results_free(struct result *results, size_t n)
{
    if (!results)
        return;
    for (size_t i = 0; i < n; i++)
        result_clear(&results[i]);
    free(results);
}

void attempt_request_id(const struct attempt *a, char out[REQUEST_ID_LEN + 1])
{
    uuid_unparse_lower(a->request_id, out);
}
