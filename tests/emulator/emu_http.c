/* emu_http: one request from headers to queued response, in the order Jersey checks it. */
#include "emu_http.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "emu_auth.h"
#include "emu_media.h"
#include "emu_reply.h"

/* Per-request state, carried in MHD's req_cls. */
struct emu_request {
    char *body;     /* bytes received so far (not NUL-terminated), or NULL */
    size_t len;     /* bytes in BODY */
    size_t cap;     /* bytes allocated for BODY */
    bool overflow;  /* more than EMU_HTTP_MAX_BODY arrived; BODY was dropped */
    bool responded; /* a response is queued; further data is discarded */
};

struct emu_route {
    const char *path; /* served with or without one trailing '/', as Jersey matches */
    enum emu_endpoint ep;
};

/*
 * Astra serves the auth API under /api/rest; self-hosted Stargate at the root of port 8081.
 * The REST API's GET /v2/schemas/keyspaces/{keyspace} (and /api/rest/v2/...), which checks a
 * token with emu_tokens_use, belongs here too once it exists: it is GET-only, so routes will
 * then carry their method and Allow value instead of everything being POST.
 */
static const struct emu_route routes[] = {
    {"/v1/auth", EMU_EP_AUTH},
    {"/api/rest/v1/auth", EMU_EP_AUTH},
    {"/v1/auth/token/generate", EMU_EP_TOKEN_GENERATE},
    {"/api/rest/v1/auth/token/generate", EMU_EP_TOKEN_GENERATE},
    {"/v1/admin/auth/usernametoken", EMU_EP_USERNAMETOKEN},
    {"/api/rest/v1/admin/auth/usernametoken", EMU_EP_USERNAMETOKEN},
};

static const struct emu_route *find_route(const char *url)
{
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        size_t n = strlen(routes[i].path);
        if (strncmp(url, routes[i].path, n) == 0 &&
            (url[n] == '\0' || (url[n] == '/' && url[n + 1] == '\0')))
            return &routes[i];
    }
    return NULL;
}

static const char *header(struct MHD_Connection *conn, const char *name)
{
    return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

/* Returns true when the request declares a Content-Length above the body cap. */
static bool declared_too_large(struct MHD_Connection *conn)
{
    const char *cl = header(conn, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl == NULL)
        return false;
    char *end;
    unsigned long long n = strtoull(cl, &end, 10);
    return end != cl && n > EMU_HTTP_MAX_BODY;
}

/* Appends DATA to RQ's body, or drops it all once the cap is passed. Returns 0 or -1 (ENOMEM). */
static int take_body(struct emu_request *rq, const char *data, size_t n)
{
    if (rq->overflow)
        return 0;
    if (n > EMU_HTTP_MAX_BODY - rq->len) {
        free(rq->body);
        rq->body = NULL;
        rq->len = rq->cap = 0;
        rq->overflow = true;
        return 0;
    }
    if (rq->len + n > rq->cap) {
        size_t cap = rq->cap ? rq->cap : 1024;
        while (cap < rq->len + n)
            cap *= 2;
        if (cap > EMU_HTTP_MAX_BODY)
            cap = EMU_HTTP_MAX_BODY;
        char *nb = realloc(rq->body, cap);
        if (nb == NULL)
            return -1;
        rq->body = nb;
        rq->cap = cap;
    }
    memcpy(rq->body + rq->len, data, n);
    rq->len += n;
    return 0;
}

/*
 * Decides the reply for a request whose body has BODY_NONEMPTY, following Jersey and Dropwizard:
 * 404, 405, 415, 406, the resource's own pre-body check, 413 (our cap), then the body checks.
 * Returns 0 with R set, or -1 on ENOMEM.
 */
static int decide(const struct emu_server *srv, struct MHD_Connection *conn, const char *url,
                  const char *method, const struct emu_request *rq, bool body_nonempty,
                  struct emu_reply *r)
{
    const struct emu_route *route = find_route(url);
    if (route == NULL)
        return emu_reply_framework(r, 404, "HTTP 404 Not Found");
    if (strcmp(method, MHD_HTTP_METHOD_OPTIONS) == 0) {
        /* Jersey answers OPTIONS itself, before any media type check, with just the Allow list. */
        *r = (struct emu_reply){.status = 200, .allow = EMU_ALLOW_POST};
        return 0;
    }
    if (strcmp(method, MHD_HTTP_METHOD_POST) != 0) {
        if (emu_reply_framework(r, 405, "HTTP 405 Method Not Allowed") != 0)
            return -1;
        r->allow = EMU_ALLOW_POST;
        return 0;
    }
    const char *ctype = header(conn, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (ctype != NULL ? !emu_media_is_json(ctype) : body_nonempty)
        return emu_reply_framework(r, 415, "HTTP 415 Unsupported Media Type");
    if (!emu_media_accepts_json(header(conn, MHD_HTTP_HEADER_ACCEPT)))
        return emu_reply_framework(r, 406, "HTTP 406 Not Acceptable");
    int rc = emu_auth_before_body(route->ep, r);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    if (rq->overflow)
        return emu_reply_framework(r, 413, "HTTP 413 Request Entity Too Large");
    return emu_auth_handle(route->ep, srv->users, srv->tokens, rq->body, rq->len, r);
}

/* Adds Content-Type and R's optional headers to RESP. Returns false on ENOMEM. */
static bool add_headers(struct MHD_Response *resp, const struct emu_reply *r)
{
    if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json") != MHD_YES)
        return false;
    if (r->cache_control != NULL &&
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, r->cache_control) != MHD_YES)
        return false;
    if (r->allow != NULL &&
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow) != MHD_YES)
        return false;
    return true;
}

/* Decides, queues and logs the response. Returns MHD_NO (drop the connection) on failure. */
static enum MHD_Result respond(const struct emu_server *srv, struct MHD_Connection *conn,
                               const char *url, const char *method, struct emu_request *rq,
                               bool body_nonempty)
{
    struct emu_reply r = {0};
    struct MHD_Response *resp = NULL;
    enum MHD_Result ret = MHD_NO;

    rq->responded = true;
    if (decide(srv, conn, url, method, rq, body_nonempty, &r) != 0)
        goto out;
    resp = MHD_create_response_from_buffer(r.body_len, r.body, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL)
        goto out;
    r.body = NULL; /* the response frees it now */
    if (!add_headers(resp, &r))
        goto out;
    ret = MHD_queue_response(conn, r.status, resp);
    if (ret == MHD_YES)
        emu_reqlog_write(srv->log, header(conn, MHD_HTTP_HEADER_HOST), method, url,
                         header(conn, "X-Cassandra-Request-Id"), r.status);
out:
    if (resp != NULL)
        MHD_destroy_response(resp);
    emu_reply_clear(&r);
    return ret;
}

enum MHD_Result emu_http_on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                    const char *method, const char *version,
                                    const char *upload_data, size_t *upload_data_size,
                                    void **req_cls)
{
    const struct emu_server *srv = cls;
    struct emu_request *rq = *req_cls;
    (void)version;

    if (rq == NULL) {
        rq = calloc(1, sizeof *rq);
        if (rq == NULL)
            return MHD_NO;
        *req_cls = rq;
        /* Refuse a declared oversized body before it is sent (no 100 Continue goes out). */
        if (declared_too_large(conn)) {
            rq->overflow = true;
            return respond(srv, conn, url, method, rq, true);
        }
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        /* The whole body is read even when the headers already decided an error: closing a
         * socket with unread data makes the kernel reset it, and the client may lose the reply. */
        int rc = rq->responded ? 0 : take_body(rq, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return rc == 0 ? MHD_YES : MHD_NO;
    }
    if (rq->responded)
        return MHD_YES;
    return respond(srv, conn, url, method, rq, rq->len > 0 || rq->overflow);
}

void emu_http_on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                           enum MHD_RequestTerminationCode toe)
{
    struct emu_request *rq = *req_cls;
    (void)cls;
    (void)conn;
    (void)toe;
    if (rq == NULL)
        return;
    free(rq->body);
    free(rq);
    *req_cls = NULL;
}
