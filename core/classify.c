/* classify.c: responses and transport errors -> status, token, error text. */
#include "core/classify.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/text.h"
#include "core/base/utf8.h"

#define TF_STR_(x) #x
#define TF_STR(x)  TF_STR_(x)

/* Copies a server-supplied message for an error line: control characters become spaces (a
 * message must not forge lines in a log), bytes that are not UTF-8 become '?' (the report is
 * JSON), and it is cut at CLASSIFY_MAX_MESSAGE bytes, never inside a character. */
static char *clean_message(const char *s, size_t len)
{
    char *out = malloc(CLASSIFY_MAX_MESSAGE + 4);
    if (!out)
        return NULL;
    size_t consumed;
    size_t n = utf8_repair(s, len, out, CLASSIFY_MAX_MESSAGE, &consumed);
    for (size_t k = 0; k < n; k++)
        if ((unsigned char)out[k] < 0x20 || out[k] == 0x7f)
            out[k] = ' ';
    if (consumed < len)
        memcpy(out + n, "...", 4);
    text_replace_controls(out); /* C1 controls (U+0080-U+009F) too; C0 became spaces above */
    return out;
}

char *classify_quote(const char *text, size_t len, const char *const *secrets)
{
    /* What was sent is masked before the text is cleaned and cut: a secret cut in two, or
     * holding a character that cleaning replaces, would no longer be found after. */
    char *masked = strndup(text, len);
    for (size_t s = 0; masked && secrets && secrets[s]; s++) {
        char *m = text_redact(masked, secrets[s]);
        text_free_secret(masked);
        masked = m;
    }
    char *clean = masked ? clean_message(masked, strlen(masked)) : NULL;
    text_free_secret(masked);
    return clean;
}

/* The server's own explanation: Stargate's {"description": ...} or Dropwizard's
 * {"code": N, "message": ...}. Returns a new string or NULL when there is none. */
static char *server_message(json_t *root, const char *const *secrets)
{
    const char *keys[] = {"description", "message"};
    for (size_t i = 0; i < 2; i++) {
        json_t *v = json_object_get(root, keys[i]);
        if (!json_is_string(v))
            continue;
        const char *text = json_string_value(v);
        size_t len = json_string_length(v);
        /* Dropwizard repeats the status ("HTTP 415 Unsupported Media Type"); we print it once. */
        if (len > 9 && !strncmp(text, "HTTP ", 5) && text[8] == ' ' &&
            isdigit((unsigned char)text[5]))
            text += 9, len -= 9;
        return classify_quote(text, len, secrets);
    }
    return NULL;
}

/* Returns NULL when the token is usable, else why not. Only characters every env-file reader
 * takes back unchanged are accepted: a token carrying a newline, quotes or shell syntax would be
 * a way to inject into files that get sourced. */
static const char *token_problem(const char *token, size_t len)
{
    if (len == 0)
        return "is empty";
    if (len > CLASSIFY_MAX_TOKEN)
        return "is longer than " TF_STR(CLASSIFY_MAX_TOKEN) " bytes";
    if (strlen(token) != len || !text_is_portable(token))
        return "holds characters outside [A-Za-z0-9_@%+=:,./-] (such as a newline, quotes or "
               "shell syntax)";
    return NULL;
}

static enum tf_err fail(struct classification *out, enum tf_status status, char *error)
{
    out->status = status;
    out->error = error;
    return error ? TF_OK : TF_ERR_NOMEM;
}

static enum tf_err classify_success(long http_status, json_t *root, struct classification *out)
{
    if (!json_is_object(root))
        return fail(out, TF_STATUS_BAD_RESPONSE,
                    text_printf("HTTP %ld but the body is not a JSON object", http_status));
    json_t *tok = json_object_get(root, "authToken");
    if (!tok)
        return fail(out, TF_STATUS_BAD_RESPONSE,
                    text_printf("HTTP %ld but the body has no authToken", http_status));
    if (!json_is_string(tok))
        return fail(out, TF_STATUS_BAD_RESPONSE,
                    text_printf("HTTP %ld but authToken is not a string", http_status));
    const char *problem = token_problem(json_string_value(tok), json_string_length(tok));
    if (problem)
        return fail(out, TF_STATUS_BAD_RESPONSE,
                    text_printf("HTTP %ld but authToken %s; refused", http_status, problem));
    out->status = TF_STATUS_OK;
    out->token = strdup(json_string_value(tok));
    return out->token ? TF_OK : TF_ERR_NOMEM;
}

static enum tf_status status_for_error(long http_status)
{
    if (http_status == 401 || http_status == 403)
        return TF_STATUS_AUTH_FAILED;
    if (http_status == 429 || (http_status >= 500 && http_status <= 599))
        return TF_STATUS_SERVER_ERROR;
    if (http_status >= 400 && http_status <= 499)
        return TF_STATUS_BAD_REQUEST;
    return TF_STATUS_BAD_RESPONSE; /* 1xx, 3xx (redirects are not followed), other 2xx */
}

enum tf_err classify_response(long http_status, const char *content_type, const char *body,
                              size_t len, bool truncated, const char *const *secrets,
                              struct classification *out)
{
    memset(out, 0, sizeof *out);
    if (truncated)
        return fail(
            out, TF_STATUS_BAD_RESPONSE,
            text_printf("HTTP %ld with a body larger than the limit; refused", http_status));

    /* The Content-Type is the server's text too: what was sent is masked in it as well. */
    const char *ct = content_type ? content_type : "no Content-Type";
    char *ctype = classify_quote(ct, strlen(ct), secrets);
    if (!ctype)
        return TF_ERR_NOMEM;
    /* jansson's error text quotes the input, which may hold a token: it is never shown. */
    json_t *root = len ? json_loadb(body, len, JSON_DECODE_ANY, NULL) : NULL;
    enum tf_err rc;
    if (http_status == 200 || http_status == 201) {
        if (!root)
            rc =
                fail(out, TF_STATUS_BAD_RESPONSE,
                     len ? text_printf("HTTP %ld but the body is not JSON (%s)", http_status, ctype)
                         : text_printf("HTTP %ld with an empty body", http_status));
        else
            rc = classify_success(http_status, root, out);
        goto out;
    }

    enum tf_status status = status_for_error(http_status);
    char *msg = root ? server_message(root, secrets) : NULL;
    if (msg)
        rc = fail(out, status, text_printf("HTTP %ld: %s", http_status, msg));
    else if (status == TF_STATUS_BAD_RESPONSE)
        rc = fail(out, status, text_printf("unexpected HTTP status %ld", http_status));
    else if (len)
        rc = fail(out, status,
                  text_printf("HTTP %ld (body not from Stargate: %s)", http_status, ctype));
    else
        rc = fail(out, status, text_printf("HTTP %ld with an empty body", http_status));
    free(msg);
out:
    free(ctype);
    json_decref(root);
    return rc;
}

enum tf_err classify_keyspace(long http_status, const char *content_type, const char *body,
                              size_t len, bool truncated, const char *keyspace,
                              const char *const *secrets, struct classification *out)
{
    memset(out, 0, sizeof *out);
    if (http_status == 200) {
        out->status = TF_STATUS_OK;
        return TF_OK;
    }
    enum tf_err rc =
        classify_response(http_status, content_type, body, len, truncated, secrets, out);
    if (rc != TF_OK)
        return rc;
    text_free_secret(out->token); /* a 201 here is no token of ours: never kept */
    out->token = NULL;
    if (out->status == TF_STATUS_OK)
        out->status = TF_STATUS_BAD_RESPONSE;
    if (out->status == TF_STATUS_BAD_REQUEST && http_status != 408)
        out->status = TF_STATUS_KEYSPACE_UNREACHABLE;
    char *error =
        text_printf("keyspace %s: %s", keyspace, out->error ? out->error : "unexpected answer");
    free(out->error);
    out->error = error;
    return error ? TF_OK : TF_ERR_NOMEM;
}

/* The status a Data API error object stands for, by its errorCode (and family); http_status is
 * the answer's. A refused token is auth_failed whatever the status: older Data APIs answered
 * it with HTTP 200 ("UNAUTHENTICATED: Invalid token"). */
static enum tf_status data_api_error_status(json_t *error, long http_status)
{
    const char *code = json_string_value(json_object_get(error, "errorCode"));
    const char *family = json_string_value(json_object_get(error, "family"));
    if (code &&
        (!strcmp(code, "UNAUTHENTICATED_REQUEST") ||
         !strcmp(code, "MISSING_AUTHENTICATION_TOKEN") || !strncmp(code, "UNAUTHENTICATED", 15)))
        return TF_STATUS_AUTH_FAILED;
    if (code && !strcmp(code, "KEYSPACE_DOES_NOT_EXIST"))
        return TF_STATUS_KEYSPACE_UNREACHABLE;
    if (http_status != 200)
        return status_for_error(http_status);
    if (family && !strcmp(family, "SERVER"))
        return TF_STATUS_SERVER_ERROR;
    return TF_STATUS_BAD_REQUEST;
}

enum tf_err classify_data_api(long http_status, const char *content_type, const char *body,
                              size_t len, bool truncated, const char *keyspace,
                              const char *const *secrets, struct classification *out)
{
    memset(out, 0, sizeof *out);
    json_t *root = !truncated && len ? json_loadb(body, len, JSON_DECODE_ANY, NULL) : NULL;
    json_t *errors = json_object_get(root, "errors");
    json_t *first = json_array_get(errors, 0);
    enum tf_err rc;
    if (json_is_object(first)) {
        /* An error object, with whatever status came (most come with HTTP 200). */
        json_t *m = json_object_get(first, "message");
        const char *code = json_string_value(json_object_get(first, "errorCode"));
        char *msg = json_is_string(m)
                        ? classify_quote(json_string_value(m), json_string_length(m), secrets)
                        : NULL;
        char *shown_code = code ? classify_quote(code, strlen(code), secrets) : NULL;
        rc = fail(out, data_api_error_status(first, http_status),
                  text_printf("keyspace %s: Data API HTTP %ld, %s%s%s", keyspace, http_status,
                              shown_code ? shown_code : "an error", msg ? ": " : "",
                              msg ? msg : ""));
        free(msg);
        free(shown_code);
    } else if (http_status == 200 && json_is_object(json_object_get(root, "status")) && !errors) {
        out->status = TF_STATUS_OK;
        rc = TF_OK;
    } else if (http_status == 200) {
        rc = fail(out, TF_STATUS_BAD_RESPONSE,
                  text_printf("keyspace %s: Data API HTTP 200 but %s", keyspace,
                              truncated ? "the body is larger than the limit"
                              : !root   ? "the body is not JSON"
                                        : "the body has neither a status nor errors"));
    } else {
        /* No error object: read it as the REST API's answers are read. */
        rc = classify_keyspace(http_status, content_type, body, len, truncated, keyspace, secrets,
                               out);
        if (rc == TF_OK && out->status == TF_STATUS_KEYSPACE_UNREACHABLE)
            out->status = TF_STATUS_BAD_REQUEST; /* a 4xx without errors says nothing of it */
    }
    json_decref(root);
    return rc;
}

enum transport_kind classify_transport_kind(CURLcode code)
{
    switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
        return TRANSPORT_TLS;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        return TRANSPORT_PERMANENT;
    default:
        return TRANSPORT_OTHER;
    }
}

bool classify_is_tls(CURLcode code)
{
    return classify_transport_kind(code) == TRANSPORT_TLS ||
           (classify_transport_kind(code) == TRANSPORT_PERMANENT &&
            code != CURLE_UNSUPPORTED_PROTOCOL && code != CURLE_URL_MALFORMAT);
}

enum tf_err classify_transport(CURLcode code, const char *errbuf, struct classification *out)
{
    memset(out, 0, sizeof *out);
    const char *why = errbuf && *errbuf ? errbuf : curl_easy_strerror(code);
    enum tf_status status =
        code == CURLE_OPERATION_TIMEDOUT ? TF_STATUS_TIMEOUT : TF_STATUS_NETWORK_ERROR;
    const char *kind = classify_is_tls(code) ? "TLS: " : "";
    char *clean = clean_message(why, strlen(why));
    if (!clean)
        return TF_ERR_NOMEM;
    enum tf_err rc = fail(out, status, text_printf("%s%s (curl error %d)", kind, clean, (int)code));
    free(clean);
    return rc;
}
