/* errors.c: messages for enum tf_err. */
#include "core/base/errors.h"

const char *tf_strerror(enum tf_err err)
{
    switch (err) {
    case TF_OK:
        return "no error";
    case TF_ERR_NOMEM:
        return "out of memory";
    case TF_ERR_IO:
        return "input/output error";
    case TF_ERR_USAGE:
        return "wrong usage";
    case TF_ERR_INVENTORY:
        return "the inventory has errors";
    case TF_ERR_TOOBIG:
        return "input larger than its limit";
    case TF_ERR_CURL:
        return "libcurl set-up failed";
    case TF_ERR_JSON:
        return "JSON encoding failed";
    case TF_ERR_UNSAFE:
        return "value cannot be written safely in this format";
    case TF_ERR_REMOTE:
        return "the server refused the request or kept failing";
    }
    return "unknown error";
}
