/* test_classify.c: classify_response and classify_transport (core/classify.h). A table with
 * every answer of the Stargate auth API (tests/emulator/README.md), with its exact body, plus what
 * gateways put in front of it (429, 5xx, HTML) and answers that must be refused (no token, a token
 * that is not one, a cut body, redirects). For every row: the status, the token or the error text,
 * that a refused token never shows in the error, and that the error is valid UTF-8 (it goes into
 * the JSON report). Then libcurl errors: timeouts, connection and TLS failures, errbuf fallbacks.
 *
 * Rows with .bug name the library bug they once caught. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/classify.h"
#include "core/base/text.h"

#define TOKEN "b5285f63-8da5-4c6e-afd8-ade371a48795"
#define JSON  "application/json"
#define HTML  "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
#define REFUSED                                                                                    \
    "HTTP 201 but authToken holds characters outside [A-Za-z0-9_@%+=:,./-] (such as a newline, "   \
    "quotes or shell syntax); refused"

struct resp_case {
    const char *title;
    long http;
    const char *content_type;
    const char *body; /* NULL: built by the test (see long_body) */
    size_t len;       /* 0: strlen(body) */
    bool truncated;
    enum tf_status status;
    const char *token;  /* expected for TF_STATUS_OK */
    const char *error;  /* the exact error; NULL when only `has` is checked */
    const char *has[2]; /* pieces the error must contain */
    const char *secret; /* must not appear in the error */
    const char *bug;    /* a known library bug: what is wrong */
};

static const struct resp_case resp_cases[] = {

    /* success */
    {.title = "201 with a token",
     .http = 201,
     .content_type = JSON,
     .body = "{\"authToken\":\"" TOKEN "\"}",
     .status = TF_STATUS_OK,
     .token = TOKEN},
    {.title = "200 with a token (never sent, still accepted)",
     .http = 200,
     .content_type = JSON,
     .body = "{\"authToken\":\"" TOKEN "\"}",
     .status = TF_STATUS_OK,
     .token = TOKEN},
    {.title = "201 with an application token and other fields",
     .http = 201,
     .content_type = JSON,
     .body = "{\"ttl\":1800,\"authToken\":\"AstraCS:AbC/+=:x.y_z-1@2%3\",\"extra\":[1]}",
     .status = TF_STATUS_OK,
     .token = "AstraCS:AbC/+=:x.y_z-1@2%3"},

    /* Stargate's errors, in the order it checks (STARGATE-AUTH.md) */
    {.title = "415 unsupported media type",
     .http = 415,
     .content_type = JSON,
     .body = "{\"code\":415,\"message\":\"HTTP 415 Unsupported Media Type\"}",
     .status = TF_STATUS_BAD_REQUEST,
     .error = "HTTP 415: Unsupported Media Type"},
    {.title = "400 unable to process JSON",
     .http = 400,
     .content_type = JSON,
     .body = "{\"code\":400,\"message\":\"Unable to process JSON\"}",
     .status = TF_STATUS_BAD_REQUEST,
     .error = "HTTP 400: Unable to process JSON"},
    {.title = "400 no body",
     .http = 400,
     .content_type = JSON,
     .body = "{\"description\":\"Must provide a body to the request\"}",
     .status = TF_STATUS_BAD_REQUEST,
     .error = "HTTP 400: Must provide a body to the request"},
    {.title = "400 no username",
     .http = 400,
     .content_type = JSON,
     .body = "{\"description\":\"Must provide username in request\"}",
     .status = TF_STATUS_BAD_REQUEST,
     .error = "HTTP 400: Must provide username in request"},
    {.title = "400 no password",
     .http = 400,
     .content_type = JSON,
     .body = "{\"description\":\"Must provide password in request\"}",
     .status = TF_STATUS_BAD_REQUEST,
     .error = "HTTP 400: Must provide password in request"},
    {.title = "400 no key",
     .http = 400,
     .content_type = JSON,
     .body = "{\"description\":\"Must provide key in request\"}",
     .status = TF_STATUS_BAD_REQUEST,
     .error = "HTTP 400: Must provide key in request"},
    {.title = "400 no secret",
     .http = 400,
     .content_type = JSON,
     .body = "{\"description\":\"Must provide secret in request\"}",
     .status = TF_STATUS_BAD_REQUEST,
     .error = "HTTP 400: Must provide secret in request"},
    {.title = "400 username token not allowed",
     .http = 400,
     .content_type = JSON,
     .body = "{\"description\":\"Generating a token for a username is not allowed\"}",
     .status = TF_STATUS_BAD_REQUEST,
     .error = "HTTP 400: Generating a token for a username is not allowed"},
    {.title = "401 wrong username or password",
     .http = 401,
     .content_type = JSON,
     .body = "{\"description\":\"Failed to create token: Provided username u and/or password are "
             "incorrect\"}",
     .status = TF_STATUS_AUTH_FAILED,
     .error =
         "HTTP 401: Failed to create token: Provided username u and/or password are incorrect"},
    {.title = "403 without a body",
     .http = 403,
     .body = "",
     .status = TF_STATUS_AUTH_FAILED,
     .error = "HTTP 403 with an empty body"},
    {.title = "403 with an HTML page",
     .http = 403,
     .content_type = "text/html",
     .body = HTML,
     .status = TF_STATUS_AUTH_FAILED,
     .error = "HTTP 403 (body not from Stargate: text/html)"},
    {.title = "500 failure storing the token",
     .http = 500,
     .content_type = JSON,
     .body = "{\"description\":\"Failed to create token: Operation timed out - received only 0 "
             "responses.\"}",
     .status = TF_STATUS_SERVER_ERROR,
     .error = "HTTP 500: Failed to create token: Operation timed out - received only 0 responses."},
    {.title = "405 method not allowed",
     .http = 405,
     .content_type = JSON,
     .body = "{\"code\":405,\"message\":\"HTTP 405 Method Not Allowed\"}",
     .status = TF_STATUS_BAD_REQUEST,
     .error = "HTTP 405: Method Not Allowed"},
    {.title = "404 not found",
     .http = 404,
     .content_type = JSON,
     .body = "{\"code\":404,\"message\":\"HTTP 404 Not Found\"}",
     .status = TF_STATUS_BAD_REQUEST,
     .error = "HTTP 404: Not Found"},
    {.title = "406 not acceptable",
     .http = 406,
     .content_type = JSON,
     .body = "{\"code\":406,\"message\":\"HTTP 406 Not Acceptable\"}",
     .status = TF_STATUS_BAD_REQUEST,
     .error = "HTTP 406: Not Acceptable"},

    /* in front of Stargate: gateways, overload */
    {.title = "429 without a body",
     .http = 429,
     .body = "",
     .status = TF_STATUS_SERVER_ERROR,
     .error = "HTTP 429 with an empty body"},
    {.title = "429 with a JSON message",
     .http = 429,
     .content_type = JSON,
     .body = "{\"message\":\"Too Many Requests\"}",
     .status = TF_STATUS_SERVER_ERROR,
     .error = "HTTP 429: Too Many Requests"},
    {.title = "502 with an HTML page",
     .http = 502,
     .content_type = "text/html",
     .body = HTML,
     .status = TF_STATUS_SERVER_ERROR,
     .error = "HTTP 502 (body not from Stargate: text/html)"},
    {.title = "503 with an HTML page, no Content-Type",
     .http = 503,
     .body = HTML,
     .status = TF_STATUS_SERVER_ERROR,
     .error = "HTTP 503 (body not from Stargate: no Content-Type)"},
    {.title = "504 with plain text",
     .http = 504,
     .content_type = "text/plain",
     .body = "upstream request timeout",
     .status = TF_STATUS_SERVER_ERROR,
     .error = "HTTP 504 (body not from Stargate: text/plain)"},
    {.title = "500 with JSON that is not Stargate's",
     .http = 500,
     .content_type = JSON,
     .body = "{\"error\":\"boom\"}",
     .status = TF_STATUS_SERVER_ERROR,
     .error = "HTTP 500 (body not from Stargate: application/json)"},

    /* 2xx that carry no usable token */
    {.title = "201 with an HTML body",
     .http = 201,
     .content_type = "text/html",
     .body = HTML,
     .status = TF_STATUS_BAD_RESPONSE,
     .has = {"HTTP 201 but the body is not JSON (text/html)"}},
    {.title = "201 with an empty body",
     .http = 201,
     .content_type = JSON,
     .body = "",
     .status = TF_STATUS_BAD_RESPONSE,
     .error = "HTTP 201 with an empty body"},
    {.title = "201 with []",
     .http = 201,
     .content_type = JSON,
     .body = "[]",
     .status = TF_STATUS_BAD_RESPONSE,
     .error = "HTTP 201 but the body is not a JSON object"},
    {.title = "201 with a JSON string",
     .http = 201,
     .content_type = JSON,
     .body = "\"" TOKEN "\"",
     .status = TF_STATUS_BAD_RESPONSE,
     .error = "HTTP 201 but the body is not a JSON object",
     .secret = TOKEN},
    {.title = "201 with {}",
     .http = 201,
     .content_type = JSON,
     .body = "{}",
     .status = TF_STATUS_BAD_RESPONSE,
     .error = "HTTP 201 but the body has no authToken"},
    {.title = "201 with the token under another name",
     .http = 201,
     .content_type = JSON,
     .body = "{\"token\":\"" TOKEN "\"}",
     .status = TF_STATUS_BAD_RESPONSE,
     .error = "HTTP 201 but the body has no authToken",
     .secret = TOKEN},
    {.title = "201 with authToken a number",
     .http = 201,
     .content_type = JSON,
     .body = "{\"authToken\":42}",
     .status = TF_STATUS_BAD_RESPONSE,
     .error = "HTTP 201 but authToken is not a string"},
    {.title = "201 with authToken null",
     .http = 201,
     .content_type = JSON,
     .body = "{\"authToken\":null}",
     .status = TF_STATUS_BAD_RESPONSE,
     .error = "HTTP 201 but authToken is not a string"},
    {.title = "201 with authToken a list",
     .http = 201,
     .content_type = JSON,
     .body = "{\"authToken\":[\"tok-SECRET\"]}",
     .status = TF_STATUS_BAD_RESPONSE,
     .error = "HTTP 201 but authToken is not a string",
     .secret = "tok-SECRET"},
    {.title = "authToken with a newline",
     .http = 201,
     .content_type = JSON,
     .body = "{\"authToken\":\"tok-SECRET\\nX=1\"}",
     .status = TF_STATUS_BAD_RESPONSE,
     .error = REFUSED,
     .secret = "tok-SECRET"},
    {.title = "authToken with a CR",
     .http = 201,
     .content_type = JSON,
     .body = "{\"authToken\":\"tok-SECRET\\r\"}",
     .status = TF_STATUS_BAD_RESPONSE,
     .error = REFUSED,
     .secret = "tok-SECRET"},
    {.title = "authToken with quotes",
     .http = 201,
     .content_type = JSON,
     .body = "{\"authToken\":\"tok-SECRET\\\"x\\\"\"}",
     .status = TF_STATUS_BAD_RESPONSE,
     .error = REFUSED,
     .secret = "tok-SECRET"},
    {.title = "authToken with $(x)",
     .http = 201,
     .content_type = JSON,
     .body = "{\"authToken\":\"tok-SECRET$(x)\"}",
     .status = TF_STATUS_BAD_RESPONSE,
     .error = REFUSED,
     .secret = "tok-SECRET"},
    {.title = "authToken with a backtick",
     .http = 201,
     .content_type = JSON,
     .body = "{\"authToken\":\"tok-SECRET`id`\"}",
     .status = TF_STATUS_BAD_RESPONSE,
     .error = REFUSED,
     .secret = "tok-SECRET"},
    {.title = "authToken with a space",
     .http = 201,
     .content_type = JSON,
     .body = "{\"authToken\":\"tok-SECRET x\"}",
     .status = TF_STATUS_BAD_RESPONSE,
     .error = REFUSED,
     .secret = "tok-SECRET"},
    {.title = "authToken empty",
     .http = 201,
     .content_type = JSON,
     .body = "{\"authToken\":\"\"}",
     .status = TF_STATUS_BAD_RESPONSE,
     .error = "HTTP 201 but authToken is empty; refused"},
    {.title = "authToken with a NUL",
     .http = 201,
     .content_type = JSON,
     .body = "{\"authToken\":\"tok-SECRET\\u0000x\"}",
     .status = TF_STATUS_BAD_RESPONSE,
     .has = {"HTTP 201"},
     .secret = "tok-SECRET",
     .bug = "jansson refuses \\u0000 and its error text, quoted verbatim, holds the token"},
    {.title = "authToken of 5000 characters",
     .http = 201,
     .content_type = JSON,
     .len = 5000,
     .status = TF_STATUS_BAD_RESPONSE,
     .error = "HTTP 201 but authToken is longer than 4096 bytes; refused",
     .secret = "tok-SECRET"},
    {.title = "authToken of exactly 4096 characters",
     .http = 201,
     .content_type = JSON,
     .len = 4096,
     .status = TF_STATUS_OK},
    {.title = "body cut at its size cap",
     .http = 201,
     .content_type = JSON,
     .body = "{\"authToken\":\"tok-SECRET",
     .truncated = true,
     .status = TF_STATUS_BAD_RESPONSE,
     .error = "HTTP 201 with a body larger than the limit; refused",
     .secret = "tok-SECRET"},
    {.title = "201 with JSON cut short",
     .http = 201,
     .content_type = JSON,
     .body = "{\"authToken\":\"tok-SECRET-1234",
     .status = TF_STATUS_BAD_RESPONSE,
     .has = {"HTTP 201 but the body is not JSON (application/json)"},
     .secret = "tok-SECRET",
     .bug = "jansson's error text is quoted verbatim and holds the start of the token ('near "
            "'\"tok-SECRET-1234'')"},

    /* other statuses */
    {.title = "302 redirect",
     .http = 302,
     .content_type = "text/html",
     .body = "<a href=\"https://elsewhere/\">moved</a>",
     .status = TF_STATUS_BAD_RESPONSE,
     .error = "unexpected HTTP status 302"},
    {.title = "204 no content",
     .http = 204,
     .body = "",
     .status = TF_STATUS_BAD_RESPONSE,
     .error = "unexpected HTTP status 204"},

    /* what a server says is quoted with care */
    {.title = "control characters in a message become spaces",
     .http = 400,
     .content_type = JSON,
     .body = "{\"description\":\"bad\\nline\\r\\u0007x\\u007f\"}",
     .status = TF_STATUS_BAD_REQUEST,
     .error = "HTTP 400: bad line  x "},
    {.title = "a message over 300 bytes is cut with ...",
     .http = 400,
     .content_type = JSON,
     .len = 400,
     .status = TF_STATUS_BAD_REQUEST},
    {.title = "a message of exactly 300 bytes is whole",
     .http = 400,
     .content_type = JSON,
     .len = 300,
     .status = TF_STATUS_BAD_REQUEST},
    {.title = "a cut message stays valid UTF-8",
     .http = 400,
     .content_type = JSON,
     .len = 299,
     .status = TF_STATUS_BAD_REQUEST,
     .has = {"HTTP 400: aaaa"},
     .bug = "clean_message cuts at byte 300 even inside a UTF-8 sequence; the report then cannot "
            "encode the error"},

};

/* Bodies too long to write out: built from the row's len. Returns a new string; *want_error
 * gets the exact error expected (or NULL), as a new string. */
static char *long_body(const struct resp_case *c, char **want_error)
{
    char *body = NULL, *fill = NULL;
    *want_error = NULL;
    if (c->http == 201) {
        /* a token of len characters, all of them from the safe set */
        fill = malloc(c->len + 1);
        assert_non_null(fill);
        for (size_t i = 0; i < c->len; i++)
            fill[i] = "tok-SECRET"[i % 10];
        fill[c->len] = '\0';
        body = text_printf("{\"authToken\":\"%s\"}", fill);
    } else if (c->len == 299) {
        /* 299 bytes, then a 2-byte character across the 300-byte cut */
        fill = malloc(c->len + 1);
        assert_non_null(fill);
        memset(fill, 'a', c->len);
        fill[c->len] = '\0';
        body = text_printf("{\"description\":\"%s\xc3\xa9 and more\"}", fill);
    } else {
        fill = malloc(c->len + 1);
        assert_non_null(fill);
        for (size_t i = 0; i < c->len; i++)
            fill[i] = "0123456789"[i % 10];
        fill[c->len] = '\0';
        body = text_printf("{\"description\":\"%s\"}", fill);
        *want_error = c->len > CLASSIFY_MAX_MESSAGE ? text_printf("HTTP 400: %.300s...", fill)
                                                    : text_printf("HTTP 400: %s", fill);
    }
    free(fill);
    assert_non_null(body);
    return body;
}

/* True when s is well-formed UTF-8 (no overlongs, surrogates or cut sequences). */
static bool utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = *p < 0x80             ? 0
                   : (*p & 0xe0) == 0xc0 ? 1
                   : (*p & 0xf0) == 0xe0 ? 2
                   : (*p & 0xf8) == 0xf0 ? 3
                                         : 9;
        if (n == 9 || (n == 1 && *p < 0xc2) || (n == 3 && *p > 0xf4))
            return false;
        unsigned cp = n ? (unsigned)(*p & (0x3f >> n)) : *p;
        for (size_t i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3fu);
        }
        if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return false;
        p += n + 1;
    }
    return true;
}

static void test_response(void **state)
{
    const struct resp_case *c = *state;
    char *want_error = NULL;
    char *built = c->body ? NULL : long_body(c, &want_error);
    const char *body = c->body ? c->body : built;
    size_t len = c->body && c->len ? c->len : strlen(body);

    struct classification out;
    assert_int_equal(
        classify_response(c->http, c->content_type, body, len, c->truncated, NULL, &out), TF_OK);
    const char *error = want_error ? want_error : c->error;
    /* Everything is checked and freed before failing (see test_inventory.c). */
    char why[8192] = "";
    if (out.status != c->status)
        snprintf(why, sizeof why, "status %s, expected %s (error: %s)", tf_status_name(out.status),
                 tf_status_name(c->status), out.error ? out.error : "none");
    else if (c->status == TF_STATUS_OK) {
        if (out.error || !out.token)
            snprintf(why, sizeof why, "ok without a token, or with an error: %s", out.error);
        else if (c->token ? strcmp(out.token, c->token) != 0 : strlen(out.token) != c->len)
            snprintf(why, sizeof why, "token \"%s\", expected \"%s\"", out.token,
                     c->token ? c->token : "(of the row's length)");
    } else if (out.token || !out.error) {
        snprintf(why, sizeof why, "a failure with a token, or without an error");
    } else if (error && strcmp(out.error, error)) {
        snprintf(why, sizeof why, "error \"%s\"\n   expected \"%s\"", out.error, error);
    } else if (c->secret && strstr(out.error, c->secret)) {
        snprintf(why, sizeof why, "the refused token shows in the error: %s", out.error);
    } else if (!utf8_valid(out.error)) {
        snprintf(why, sizeof why, "the error is not valid UTF-8");
    } else {
        for (size_t i = 0; i < 2 && c->has[i]; i++)
            if (!strstr(out.error, c->has[i]))
                snprintf(why, sizeof why, "error \"%s\" lacks \"%s\"", out.error, c->has[i]);
        for (const char *p = out.error; *p && !*why; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                snprintf(why, sizeof why, "a control character in the error: %s", out.error);
    }
    text_free_secret(out.token);
    free(out.error);
    free(want_error);
    free(built);
    if (*why)
        fail_msg("%s", why);
}

struct transport_case {
    CURLcode code;
    const char *errbuf;
    enum tf_status status;
    const char *error; /* NULL: curl_easy_strerror(code) " (curl error N)" */
};

static const struct transport_case transport_cases[] = {
    {CURLE_OPERATION_TIMEDOUT, "Operation timed out after 10001 milliseconds with 0 bytes received",
     TF_STATUS_TIMEOUT,
     "Operation timed out after 10001 milliseconds with 0 bytes received (curl error 28)"},
    {CURLE_OPERATION_TIMEDOUT, "", TF_STATUS_TIMEOUT, NULL},
    {CURLE_COULDNT_CONNECT,
     "Failed to connect to db.example.com port 443 after 2 ms: Couldn't connect to server",
     TF_STATUS_NETWORK_ERROR,
     "Failed to connect to db.example.com port 443 after 2 ms: Couldn't connect to server (curl "
     "error 7)"},
    {CURLE_COULDNT_CONNECT, "", TF_STATUS_NETWORK_ERROR, NULL},
    {CURLE_COULDNT_RESOLVE_HOST, NULL, TF_STATUS_NETWORK_ERROR, NULL},
    {CURLE_PEER_FAILED_VERIFICATION,
     "SSL: no alternative certificate subject name matches target host name 'db.example.com'",
     TF_STATUS_NETWORK_ERROR,
     "TLS: SSL: no alternative certificate subject name matches target host name "
     "'db.example.com' (curl error 60)"},
    {CURLE_SSL_CONNECT_ERROR, "OpenSSL SSL_connect: Connection reset by peer",
     TF_STATUS_NETWORK_ERROR, "TLS: OpenSSL SSL_connect: Connection reset by peer (curl error 35)"},
    {CURLE_RECV_ERROR, "Recv failure: Connection reset by peer", TF_STATUS_NETWORK_ERROR,
     "Recv failure: Connection reset by peer (curl error 56)"},
    {CURLE_GOT_NOTHING, "Empty reply from server", TF_STATUS_NETWORK_ERROR,
     "Empty reply from server (curl error 52)"},
    {CURLE_COULDNT_CONNECT, "line one\nline two\r", TF_STATUS_NETWORK_ERROR,
     "line one line two  (curl error 7)"},
};

static void test_transport(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof transport_cases / sizeof transport_cases[0]; i++) {
        const struct transport_case *c = &transport_cases[i];
        struct classification out;
        assert_int_equal(classify_transport(c->code, c->errbuf, &out), TF_OK);
        char *want =
            c->error ? text_printf("%s", c->error)
                     : text_printf("%s (curl error %d)", curl_easy_strerror(c->code), (int)c->code);
        assert_non_null(want);
        if (out.status != c->status || strcmp(out.error, want))
            fail_msg("curl error %d: got %s \"%s\", expected %s \"%s\"", (int)c->code,
                     tf_status_name(out.status), out.error, tf_status_name(c->status), want);
        assert_null(out.token);
        free(want);
        free(out.error);
    }
}

/* A gateway that quotes the request body: the password is masked wherever it falls, also
 * where the message is cut (300 bytes) and where it holds characters that cleaning replaces
 * (a tab, a C1 control). */
static void test_quoted_secret_masked_before_cut(void **state)
{
    (void)state;
    const char *passwords[] = {"Tr0ub4dor-and-3", "tab\there-pw", "c1\xc2\x85pw-x"};
    for (size_t p = 0; p < 3; p++) {
        for (size_t pad = 280; pad <= 300; pad++) {
            char prefix[301];
            memset(prefix, 'x', pad);
            prefix[pad] = '\0';
            json_t *o = json_pack("{s:s++}", "description", prefix, "password=", passwords[p]);
            char *body = json_dumps(o, JSON_COMPACT);
            json_decref(o);
            const char *secrets[] = {passwords[p], NULL};
            struct classification out;
            assert_int_equal(classify_response(400, "application/json", body, strlen(body), false,
                                               secrets, &out),
                             TF_OK);
            /* Not even the first four bytes of the password are left. */
            char head[5];
            memcpy(head, passwords[p], 4);
            head[4] = '\0';
            if (strstr(out.error, head))
                fail_msg("pad %zu: \"%s\" left in %s", pad, head, out.error);
            free(out.error);
            free(body);
        }
    }
}

#define APP_TOKEN "AstraCS:ZiWfNzYJtUGszRuGyyTjFIXU:" HEX64_
#define HEX64_    "2c5a21a4623c6ac688fb4f5d4fe5fb5fde3b36bbcd4c0b1fa1fa1e4e4c1b2f93"
/* A Data API error object, as stargate/data-api writes them (tests/emulator/README.md). */
#define DATA_ERROR(code, family, message)                                                          \
    "{\"errors\":[{\"message\":\"" message "\",\"errorCode\":\"" code                              \
    "\",\"id\":\"0d6f1b7e-2a67-4a55-9d6c-3a1f26c7d5d1\",\"title\":\"t\",\"family\":\"" family      \
    "\",\"scope\":\"\"}]}"

struct data_case {
    const char *title;
    long http;
    const char *body;
    enum tf_status status;
    const char *error; /* exact; NULL for ok */
};

/* The Data API's answers to findCollections: most errors come with HTTP 200, so the body
 * decides; a token the server quotes back is masked. */
static const struct data_case data_cases[] = {
    {"collections", 200, "{\"status\":{\"collections\":[\"docs\"]}}", TF_STATUS_OK, NULL},
    {"no collections", 200, "{\"status\":{\"collections\":[]}}", TF_STATUS_OK, NULL},
    {"refused token, 401", 401,
     DATA_ERROR("UNAUTHENTICATED_REQUEST", "REQUEST",
                "Authentication failed for request due to invalid token.\\n\\nResend with valid "
                "authentication token."),
     TF_STATUS_AUTH_FAILED,
     "keyspace ks: Data API HTTP 401, UNAUTHENTICATED_REQUEST: Authentication failed for request "
     "due to invalid token.  Resend with valid authentication token."},
    {"refused token, older Data API with 200", 200,
     "{\"errors\":[{\"message\":\"UNAUTHENTICATED: Invalid token\",\"errorCode\":"
     "\"UNAUTHENTICATED\"}]}",
     TF_STATUS_AUTH_FAILED,
     "keyspace ks: Data API HTTP 200, UNAUTHENTICATED: UNAUTHENTICATED: Invalid token"},
    {"missing token", 401, DATA_ERROR("MISSING_AUTHENTICATION_TOKEN", "REQUEST", "no token"),
     TF_STATUS_AUTH_FAILED,
     "keyspace ks: Data API HTTP 401, MISSING_AUTHENTICATION_TOKEN: no token"},
    {"keyspace of another database, 200", 200,
     DATA_ERROR("KEYSPACE_DOES_NOT_EXIST", "REQUEST",
                "The provided keyspace does not exist: Unknown keyspace 'ks', you must create it "
                "first"),
     TF_STATUS_KEYSPACE_UNREACHABLE,
     "keyspace ks: Data API HTTP 200, KEYSPACE_DOES_NOT_EXIST: The provided keyspace does not "
     "exist: Unknown keyspace 'ks', you must create it first"},
    {"unknown command, 200", 200, DATA_ERROR("COMMAND_UNKNOWN", "REQUEST", "Command 'x'"),
     TF_STATUS_BAD_REQUEST, "keyspace ks: Data API HTTP 200, COMMAND_UNKNOWN: Command 'x'"},
    {"server family, 200", 200, DATA_ERROR("SERVER_UNHANDLED_ERROR", "SERVER", "boom"),
     TF_STATUS_SERVER_ERROR, "keyspace ks: Data API HTTP 200, SERVER_UNHANDLED_ERROR: boom"},
    {"token quoted back", 200,
     DATA_ERROR("COMMAND_UNKNOWN", "REQUEST", "bad command from " APP_TOKEN), TF_STATUS_BAD_REQUEST,
     "keyspace ks: Data API HTTP 200, COMMAND_UNKNOWN: bad command from ********"},
    {"200, not JSON", 200, "<html>hi</html>", TF_STATUS_BAD_RESPONSE,
     "keyspace ks: Data API HTTP 200 but the body is not JSON"},
    {"200, neither status nor errors", 200, "{\"data\":{}}", TF_STATUS_BAD_RESPONSE,
     "keyspace ks: Data API HTTP 200 but the body has neither a status nor errors"},
    {"status and errors", 200,
     "{\"status\":{},\"errors\":[{\"errorCode\":\"KEYSPACE_DOES_NOT_EXIST\"}]}",
     TF_STATUS_KEYSPACE_UNREACHABLE, "keyspace ks: Data API HTTP 200, KEYSPACE_DOES_NOT_EXIST"},
    {"gateway 503, HTML", 503, HTML, TF_STATUS_SERVER_ERROR, NULL},
    {"gateway 429", 429, "", TF_STATUS_SERVER_ERROR, NULL},
    {"403 without errors", 403, "{\"message\":\"Forbidden\"}", TF_STATUS_AUTH_FAILED, NULL},
    {"404 without errors", 404, "{\"message\":\"not found\"}", TF_STATUS_BAD_REQUEST, NULL},
};

static void test_data_api(void **state)
{
    (void)state;
    const char *secrets[] = {APP_TOKEN, NULL};
    for (size_t i = 0; i < sizeof data_cases / sizeof data_cases[0]; i++) {
        const struct data_case *c = &data_cases[i];
        struct classification out;
        assert_int_equal(
            classify_data_api(c->http, JSON, c->body, strlen(c->body), false, "ks", secrets, &out),
            TF_OK);
        char why[1024] = "";
        if (out.status != c->status)
            snprintf(why, sizeof why, "%s: status %s, expected %s (%s)", c->title,
                     tf_status_name(out.status), tf_status_name(c->status),
                     out.error ? out.error : "no error");
        else if (out.token)
            snprintf(why, sizeof why, "%s: a token came out", c->title);
        else if (c->status == TF_STATUS_OK ? out.error != NULL : out.error == NULL)
            snprintf(why, sizeof why, "%s: error %s", c->title, out.error ? out.error : "none");
        else if (c->error && strcmp(out.error, c->error))
            snprintf(why, sizeof why, "%s: error \"%s\"\n   expected \"%s\"", c->title, out.error,
                     c->error);
        else if (out.error && strstr(out.error, "AstraCS:"))
            snprintf(why, sizeof why, "%s: the token shows: %s", c->title, out.error);
        free(out.error);
        if (*why)
            fail_msg("%s", why);
    }
    /* A body cut at the cap is never taken for a proof. */
    struct classification out;
    const char *ok = "{\"status\":{\"collections\":[]}}";
    assert_int_equal(classify_data_api(200, JSON, ok, strlen(ok), true, "ks", secrets, &out),
                     TF_OK);
    assert_int_equal(out.status, TF_STATUS_BAD_RESPONSE);
    free(out.error);
}

/* A Content-Type that quotes what was sent (a gateway echoing the request): the error names
 * the Content-Type, masked. Found by fuzz_classify (corpus bug-token-in-content-type). */
static void test_secret_in_content_type_masked(void **state)
{
    (void)state;
    const char *secrets[] = {APP_TOKEN, NULL};
    struct classification out;
    assert_int_equal(
        classify_response(503, "text/plain; echo=" APP_TOKEN, "busy", 4, false, secrets, &out),
        TF_OK);
    assert_int_equal(out.status, TF_STATUS_SERVER_ERROR);
    assert_null(strstr(out.error, "AstraCS:"));
    assert_non_null(strstr(out.error, "echo=********"));
    free(out.error);
    assert_int_equal(classify_data_api(404, "text/plain; echo=" APP_TOKEN, "gone", 4, false, "ks",
                                       secrets, &out),
                     TF_OK);
    assert_null(strstr(out.error, "AstraCS:"));
    free(out.error);
}

int main(void)
{
    enum { N = sizeof resp_cases / sizeof resp_cases[0] };
    static struct CMUnitTest tests[N + 4];
    for (size_t i = 0; i < N; i++)
        tests[i] = (struct CMUnitTest){.name = resp_cases[i].title,
                                       .test_func = test_response,
                                       .initial_state = (void *)&resp_cases[i]};
    tests[N] = (struct CMUnitTest)cmocka_unit_test(test_transport);
    tests[N + 1] = (struct CMUnitTest)cmocka_unit_test(test_quoted_secret_masked_before_cut);
    tests[N + 2] = (struct CMUnitTest)cmocka_unit_test(test_data_api);
    tests[N + 3] = (struct CMUnitTest)cmocka_unit_test(test_secret_in_content_type_masked);
    return _cmocka_run_group_tests("classify", tests, N + 4, NULL, NULL);
}
