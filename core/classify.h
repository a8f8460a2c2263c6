/* classify.h: turning what came back for one request (HTTP status and body, or a libcurl error)
 * into a status, and the token or an error message. Knows every answer of
 * the Stargate auth API (tests/emulator/README.md lists them).
 */
#ifndef TOKENFLEET_CLASSIFY_H
#define TOKENFLEET_CLASSIFY_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/base/errors.h"
#include "core/result.h"

/* Longest token accepted; Stargate's are 36 characters, Astra application tokens about 100. */
#define CLASSIFY_MAX_TOKEN 4096
/* Longest piece of a server's message quoted in an error. */
#define CLASSIFY_MAX_MESSAGE 300

struct classification {
    enum tf_status status;
    char *token; /* only for TF_STATUS_OK; new string, the caller frees (text_free_secret) */
    char *error; /* NULL for TF_STATUS_OK; new string, the caller frees */
};

/* Returns a new copy of len bytes of text from a server (a message it sent) fit to quote in an
 * error: each of secrets (NULL-terminated; may be NULL) masked, control characters made spaces,
 * bytes that are not UTF-8 '?', cut at CLASSIFY_MAX_MESSAGE bytes with "..." (never inside a
 * character). NULL when out of memory. The caller frees. */
char *classify_quote(const char *text, size_t len, const char *const *secrets);

/* Classifies an HTTP answer. body holds len bytes (not NUL-terminated); truncated says that the
 * body was cut at its size cap. content_type may be NULL. secrets (NULL-terminated; may be NULL)
 * are what the request carried (the password, a token): a server quoting them has them masked
 * in out->error before its message is cleaned and cut. Sets *out; returns TF_OK or
 * TF_ERR_NOMEM. The token never appears in out->error. */
enum tf_err classify_response(long http_status, const char *content_type, const char *body,
                              size_t len, bool truncated, const char *const *secrets,
                              struct classification *out);

/* Classifies the answer to check --verify's GET of keyspace with a fresh token: 200 is ok;
 * 401/403 auth_failed (the token is refused); 404 and other 4xx keyspace_unreachable with the
 * server's message; 429/5xx server_error; anything else bad_response. Sets *out (never a
 * token); returns TF_OK or TF_ERR_NOMEM. */
enum tf_err classify_keyspace(long http_status, const char *content_type, const char *body,
                              size_t len, bool truncated, const char *keyspace,
                              const char *const *secrets, struct classification *out);

/* Classifies the answer to an application token's proof on the Data API (POST findCollections
 * to keyspace). The Data API answers most errors with HTTP 200 and {"errors":[{"errorCode",
 * "message", ...}]} (tests/emulator/README.md, "Data API", lists them with their sources), so
 * the body decides before the status: 200 with a "status" object and no errors is ok; an error
 * object UNAUTHENTICATED_REQUEST or MISSING_AUTHENTICATION_TOKEN (or an older UNAUTHENTICATED...)
 * is auth_failed whatever the status, KEYSPACE_DOES_NOT_EXIST keyspace_unreachable, another
 * one bad_request (server_error for family SERVER, or as its status says when not 200), its
 * errorCode and message quoted; without error objects, other statuses read as
 * classify_keyspace does, but a 4xx other than 401/403/408 is bad_request. Sets *out (never a
 * token); returns TF_OK or TF_ERR_NOMEM. */
enum tf_err classify_data_api(long http_status, const char *content_type, const char *body,
                              size_t len, bool truncated, const char *keyspace,
                              const char *const *secrets, struct classification *out);

/* What a transport failure (a libcurl error) is about: the one list that both the message
 * ("TLS: ...") and the retry policy read. */
enum transport_kind {
    TRANSPORT_OTHER,     /* connection, DNS, reset, timeout...: may go away */
    TRANSPORT_TLS,       /* the TLS handshake failed along the way: may go away */
    TRANSPORT_PERMANENT, /* TLS verification or set-up, or a URL libcurl cannot use: the same
                            on every try */
};

/* Returns what code is about. */
enum transport_kind classify_transport_kind(CURLcode code);

/* True when code is a TLS failure (handshake, verification or set-up): its message says so. */
bool classify_is_tls(CURLcode code);

/* Classifies a transfer that got no usable HTTP answer. errbuf is libcurl's error buffer (may be
 * empty). Sets *out; returns TF_OK or TF_ERR_NOMEM. */
enum tf_err classify_transport(CURLcode code, const char *errbuf, struct classification *out);

#endif
