/* fuzz_classify.c: classify_response(), classify_keyspace(), classify_data_api() and
 * classify_transport() on arbitrary answers.
 *
 * Input layout:
 *   byte 0      HTTP status: an index into `statuses` (the ones Stargate, gateways and odd servers
 *               send), or, for 0xf0..0xff, a raw 16-bit value from bytes 0-1 (minus 0xf000)
 *   byte 1      bit 7: truncated; bit 6: Content-Type from the data, else from `content_types`
 *               (indexed by the low bits)
 *   then        [Content-Type up to the first '\n', when bit 6 is set] and the body (the rest)
 * The same bytes, cut at the first NUL and at CURL_ERROR_SIZE - 1, are libcurl's errbuf for
 * classify_transport, with byte 2 (or 0) as the CURLcode.
 *
 * Invariants (abort() when broken):
 *   - the status is never PENDING, and is one that an HTTP answer can have;
 *   - a token is set iff the status is OK; it is non-empty, at most CLASSIFY_MAX_TOKEN bytes and
 *     passes text_is_portable(); OK only for 200/201 and a body that was not cut;
 *   - the error is NULL iff the status is OK; it is valid UTF-8, holds no control character and
 *     is of bounded length;
 *   - the authToken of a refused answer does not show in the error (see check_token_hidden).
 * classify_keyspace (the same answer to check --verify's GET): OK iff 200, never a token, the
 * error "keyspace KS: ..." with the same shape rules.
 * classify_data_api (an application token's proof): OK only for an uncut 200, never a token,
 * "keyspace KS: ..." errors with the same shape rules, the token sent never in them.
 * classify_transport: TIMEOUT iff CURLE_OPERATION_TIMEDOUT, else NETWORK_ERROR; no token; the
 * error has the same shape rules. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/classify.h"
#include "core/base/text.h"
#include "core/base/utf8.h"

#define FUZZ_MAX_INPUT (64 * 1024)
/* Longest error: fixed text, the status, and two cleaned pieces of at most MAX_MESSAGE + "...". */
#define MAX_ERROR (2 * (CLASSIFY_MAX_MESSAGE + 3) + 200)

static const long statuses[] = {
    200, 201, 202, 204, 206, 299, 100, 101, 199, 0,    1,    -1,    -201,
    301, 302, 303, 304, 307, 308, 399, 400, 401, 402,  403,  404,   405,
    406, 408, 409, 413, 415, 418, 422, 429, 431, 451,  499,  500,   501,
    502, 503, 504, 507, 511, 599, 600, 601, 999, 1000, 2010, 20100, 2147483647L,
};
#define N_STATUSES (sizeof statuses / sizeof statuses[0])

static const char *const content_types[] = {
    NULL,
    "application/json",
    "application/json; charset=utf-8",
    "text/html",
    "text/plain",
    "",
    "application/problem+json",
    "text/html; charset=\xff\xfe\x01\n",
};
#define N_CONTENT_TYPES (sizeof content_types / sizeof content_types[0])

static void check_error_text(const char *error)
{
    if (!error)
        abort();
    size_t len = strlen(error);
    if (len == 0 || len > MAX_ERROR)
        abort();
    if (utf8_valid_prefix(error, len) != len)
        abort(); /* the report is JSON: it must be UTF-8 */
    for (const unsigned char *p = (const unsigned char *)error; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            abort(); /* a control character could forge lines in a log or move a terminal */
}

static void check_classification(long status, bool truncated, enum tf_err rc,
                                 const struct classification *c)
{
    if (rc != TF_OK)
        abort(); /* no allocation fails for a 64 KiB input */
    switch (c->status) {
    case TF_STATUS_OK:
    case TF_STATUS_AUTH_FAILED:
    case TF_STATUS_BAD_REQUEST:
    case TF_STATUS_SERVER_ERROR:
    case TF_STATUS_BAD_RESPONSE:
        break;
    default:
        abort(); /* PENDING, or a status that only a transfer without an answer can have */
    }
    if ((c->token != NULL) != (c->status == TF_STATUS_OK))
        abort();
    if ((c->error == NULL) != (c->status == TF_STATUS_OK))
        abort();
    if (c->status == TF_STATUS_OK) {
        size_t len = strlen(c->token);
        if (len == 0 || len > CLASSIFY_MAX_TOKEN || !text_is_portable(c->token))
            abort();
        if ((status != 200 && status != 201) || truncated)
            abort();
    } else {
        check_error_text(c->error);
    }
}

static void classification_clear(struct classification *c)
{
    text_free_secret(c->token);
    free(c->error);
    memset(c, 0, sizeof *c);
}

/* Maps a token to one of the same length and character classes (letters and digits rotated,
 * everything else kept), so that its classification is the same but for the token's text. */
static char *disguise(const char *token)
{
    char *s = strdup(token);
    if (!s)
        abort();
    for (char *p = s; *p; p++) {
        if (*p >= 'a' && *p <= 'z')
            *p = (char)('a' + (*p - 'a' + 13) % 26);
        else if (*p >= 'A' && *p <= 'Z')
            *p = (char)('A' + (*p - 'A' + 13) % 26);
        else if (*p >= '0' && *p <= '9')
            *p = (char)('0' + (*p - '0' + 5) % 10);
    }
    return s;
}

/* When the body is a JSON object with a string authToken of 8 bytes or more and the answer is
 * refused, the token must not show in the error. The error can hold the same text for other
 * reasons: the server's description may quote it, or it may be fixed text ({"authToken":
 * "HTTP 401"} with status 401 gives "HTTP 401: ..."). So the check is a difference: the answer
 * is classified again with the token disguised (same length and classes); if the token's text
 * shows in the first error but not in the second, it came from the authToken. */
static void check_token_hidden(long status, const char *ctype, const char *body, size_t len,
                               bool truncated, const struct classification *c)
{
    if (c->status == TF_STATUS_OK)
        return;
    json_t *root = json_loadb(body, len, JSON_DECODE_ANY, NULL);
    json_t *tok = json_object_get(root, "authToken");
    if (!json_is_string(tok) || json_string_length(tok) < 8 ||
        strlen(json_string_value(tok)) != json_string_length(tok)) {
        json_decref(root);
        return;
    }
    char *token = strdup(json_string_value(tok));
    char *other = disguise(token);
    if (!token || !strcmp(token, other) || !strstr(c->error, token)) {
        free(token);
        free(other);
        json_decref(root);
        return;
    }
    /* The token's text is in the error: does it stay when the authToken is disguised? */
    json_object_set_new(root, "authToken", json_string(other));
    char *body2 = json_dumps(root, JSON_ENCODE_ANY | JSON_COMPACT);
    if (!body2)
        abort();
    struct classification c2;
    enum tf_err rc = classify_response(status, ctype, body2, strlen(body2), truncated, NULL, &c2);
    check_classification(status, truncated, rc, &c2);
    if (c2.status == TF_STATUS_OK || !strstr(c2.error, token)) {
        fprintf(stderr, "authToken \"%s\" leaks into the error: %s\n", token, c->error);
        abort();
    }
    classification_clear(&c2);
    free(body2);
    free(token);
    free(other);
    json_decref(root);
}

/* check --verify's GET of a keyspace: 200 is OK (and the only OK), never a token; other answers
 * keep classify_response's reading with "keyspace KS: " in front. */
static void check_keyspace(long status, const char *ctype, const char *body, size_t len,
                           bool truncated)
{
    static const char ks[] = "orders_ks";
    struct classification c;
    if (classify_keyspace(status, ctype, body, len, truncated, ks, NULL, &c) != TF_OK)
        abort();
    if (c.token)
        abort(); /* the answer to a GET never carries a token of ours */
    if ((c.status == TF_STATUS_OK) != (status == 200) ||
        (c.error == NULL) != (c.status == TF_STATUS_OK))
        abort();
    switch (c.status) {
    case TF_STATUS_OK:
    case TF_STATUS_AUTH_FAILED:
    case TF_STATUS_SERVER_ERROR:
    case TF_STATUS_BAD_RESPONSE:
    case TF_STATUS_KEYSPACE_UNREACHABLE:
        break;
    case TF_STATUS_BAD_REQUEST:
        if (status != 408)
            abort();
        break;
    default:
        abort();
    }
    if (c.error) {
        check_error_text(c.error);
        if (strncmp(c.error, "keyspace orders_ks: ", strlen("keyspace orders_ks: ")) != 0)
            abort();
    }
    classification_clear(&c);
}

/* An application token's proof on the Data API: OK only for a 200 whose body was not cut,
 * never a token, the error "keyspace KS: ..." with the same shape rules, and the token the
 * request carried never in it, wherever the server quotes it. */
static void check_data_api(long status, const char *ctype, const char *body, size_t len,
                           bool truncated)
{
    static const char ks[] = "orders_ks";
    static const char token[] = "AstraCS:FuzzTokenClientId:"
                                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    const char *secrets[] = {token, NULL};
    struct classification c;
    if (classify_data_api(status, ctype, body, len, truncated, ks, secrets, &c) != TF_OK)
        abort();
    if (c.token || (c.error == NULL) != (c.status == TF_STATUS_OK))
        abort();
    if (c.status == TF_STATUS_OK && (status != 200 || truncated))
        abort();
    if (c.status == TF_STATUS_PENDING || c.status == TF_STATUS_CANCELLED)
        abort();
    if (c.error) {
        check_error_text(c.error);
        if (strncmp(c.error, "keyspace orders_ks: ", strlen("keyspace orders_ks: ")) != 0 ||
            strstr(c.error, token))
            abort();
    }
    classification_clear(&c);
}

static void fuzz_transport(const uint8_t *data, size_t size)
{
    char errbuf[CURL_ERROR_SIZE];
    size_t n = size < CURL_ERROR_SIZE - 1 ? size : CURL_ERROR_SIZE - 1;
    memcpy(errbuf, data, n);
    errbuf[n] = '\0';
    CURLcode code = (CURLcode)(size > 2 ? data[2] : (size ? data[0] : 0));
    struct classification c;
    if (classify_transport(code, errbuf, &c) != TF_OK)
        abort();
    enum tf_status want =
        code == CURLE_OPERATION_TIMEDOUT ? TF_STATUS_TIMEOUT : TF_STATUS_NETWORK_ERROR;
    if (c.status != want || c.token)
        abort();
    check_error_text(c.error);
    /* An empty errbuf falls back to libcurl's text; either way the code is named. */
    if (!strstr(c.error, "(curl error "))
        abort();
    classification_clear(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        return -1;
    fuzz_transport(data, size);
    if (size < 2)
        return 0;

    long status;
    if (data[0] >= 0xf0)
        status = (long)(((unsigned)data[0] << 8 | data[1]) - 0xf000u);
    else
        status = statuses[data[0] % N_STATUSES];
    bool truncated = data[1] & 0x80;
    const char *body = (const char *)data + 2;
    size_t len = size - 2;

    char *ctype_copy = NULL;
    const char *ctype;
    if (data[1] & 0x40) {
        const char *nl = memchr(body, '\n', len);
        size_t cl = nl ? (size_t)(nl - body) : len;
        ctype_copy = strndup(body, cl); /* a header value stops at a NUL as well */
        if (!ctype_copy)
            abort();
        ctype = ctype_copy;
        body += nl ? cl + 1 : cl;
        len -= nl ? cl + 1 : cl;
    } else {
        ctype = content_types[(data[1] & 0x3f) % N_CONTENT_TYPES];
    }

    /* The body in its own allocation, so that ASan sees any read past its end. */
    char *copy = malloc(len ? len : 1);
    if (!copy)
        abort();
    memcpy(copy, body, len);

    struct classification c;
    enum tf_err rc = classify_response(status, ctype, copy, len, truncated, NULL, &c);
    check_classification(status, truncated, rc, &c);
    check_token_hidden(status, ctype, copy, len, truncated, &c);
    classification_clear(&c);
    check_keyspace(status, ctype, copy, len, truncated);
    check_data_api(status, ctype, copy, len, truncated);
    free(copy);
    free(ctype_copy);
    return 0;
}
