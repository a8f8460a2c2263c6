/* emu_http: one request from headers to queued response, in the order Jersey checks it, with the
 * fault step of a matching rule and the --delay wait on the way. */
#include "emu_http.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "emu_auth.h"
#include "emu_dataapi.h"
#include "emu_devops.h"
#include "emu_inject.h"
#include "emu_media.h"
#include "emu_reply.h"
#include "emu_rest.h"

/* Where a request is once its body has arrived. */
enum emu_phase {
    EMU_PHASE_READING, /* headers and body coming in; nothing decided */
    EMU_PHASE_DELAYED, /* decided, suspended until the delay is over; MHD calls back after it */
    EMU_PHASE_STALLED, /* never answered: parked until the client hangs up or the server stops */
};

/* What is left to do once the framework and body checks have passed. */
enum emu_pending {
    EMU_PENDING_NONE,     /* nothing: the reply is decided */
    EMU_PENDING_CREDS,    /* the credential check of RQ's creds (an auth endpoint) */
    EMU_PENDING_KEYSPACE, /* the token check and keyspace lookup (the REST keyspace resource) */
    EMU_PENDING_DEVOPS,   /* the DevOps API's token check and answer */
    EMU_PENDING_DATAAPI,  /* the Data API's token check, command and answer */
};

/* What a path is. */
enum emu_route_kind {
    EMU_ROUTE_AUTH,     /* POST PATH: an auth endpoint */
    EMU_ROUTE_KEYSPACE, /* GET PATH{keyspace}: the REST API's keyspace resource */
    EMU_ROUTE_DEVOPS,   /* GET: the DevOps API (by host, or any path under /v2/databases) */
    EMU_ROUTE_DATAAPI,  /* POST PATH{keyspace}: the Data API's keyspace resource */
};

struct emu_route {
    const char *path;         /* served with or without one trailing '/', as Jersey matches; for
                                 the keyspace resources, the part before their {keyspace} segment */
    enum emu_route_kind kind; /* see enum emu_route_kind */
    enum emu_endpoint ep;     /* which auth endpoint, for EMU_ROUTE_AUTH */
};

/* The request log fields of a request held without an answer, copied for its "0" line. */
struct emu_held_line {
    char *host;       /* Host header, or NULL */
    char *method;     /* request method */
    char *path;       /* decoded path */
    char *request_id; /* X-Cassandra-Request-Id, or NULL */
};

/* Per-request state, carried in MHD's req_cls. */
struct emu_request {
    const struct emu_route *route; /* the request's path, or NULL: none (404) */
    char *body;                    /* bytes received so far (not NUL-terminated), or NULL */
    size_t len;                    /* bytes in BODY */
    size_t cap;                    /* bytes allocated for BODY */
    bool overflow;                 /* more than EMU_HTTP_MAX_BODY arrived; BODY was dropped */
    bool responded;                /* a response is queued; further data is discarded */
    enum emu_phase phase;          /* see enum emu_phase */
    bool host_rule;                /* a host rule matched: user rules are not consulted */
    struct emu_fault_step step;    /* the matching rule's step; zeroed ("ok") when none */
    struct emu_reply reply;        /* the decided answer, kept over a delay */
    enum emu_pending pending;      /* see enum emu_pending */
    struct emu_auth_creds creds;   /* when PENDING is EMU_PENDING_CREDS */
    struct emu_held_line *held;    /* log fields while DELAYED or STALLED, or NULL */
};

/*
 * Astra serves the auth API under /api/rest; self-hosted Stargate at the root of port 8081. The
 * REST API's keyspace resource is also under /api/rest on Astra, and at the root of the REST
 * service (port 8082) self-hosted; one port serves both here.
 */
static const struct emu_route routes[] = {
    {"/v1/auth", EMU_ROUTE_AUTH, EMU_EP_AUTH},
    {"/api/rest/v1/auth", EMU_ROUTE_AUTH, EMU_EP_AUTH},
    {"/v1/auth/token/generate", EMU_ROUTE_AUTH, EMU_EP_TOKEN_GENERATE},
    {"/api/rest/v1/auth/token/generate", EMU_ROUTE_AUTH, EMU_EP_TOKEN_GENERATE},
    {"/v1/admin/auth/usernametoken", EMU_ROUTE_AUTH, EMU_EP_USERNAMETOKEN},
    {"/api/rest/v1/admin/auth/usernametoken", EMU_ROUTE_AUTH, EMU_EP_USERNAMETOKEN},
    {"/v2/schemas/keyspaces/", EMU_ROUTE_KEYSPACE, EMU_EP_AUTH},
    {"/api/rest/v2/schemas/keyspaces/", EMU_ROUTE_KEYSPACE, EMU_EP_AUTH},
    {"/api/json/v1/", EMU_ROUTE_DATAAPI, EMU_EP_AUTH},
};

/* Every request to the DevOps API's host, and those under /v2/databases on any other. */
static const struct emu_route devops_route = {"/v2/databases", EMU_ROUTE_DEVOPS, EMU_EP_AUTH};

/* Returns true when ROUTE ends in a {keyspace} segment. */
static bool has_segment(const struct emu_route *route)
{
    return route->kind == EMU_ROUTE_KEYSPACE || route->kind == EMU_ROUTE_DATAAPI;
}

/* Returns the {keyspace} segment of URL (which ROUTE matched) and sets *LEN to its bytes. */
static const char *keyspace_segment(const struct emu_route *route, const char *url, size_t *len)
{
    const char *seg = url + strlen(route->path);
    *len = strcspn(seg, "/");
    return seg;
}

static const struct emu_route *find_route(const char *url, const char *host)
{
    size_t dn = strlen(devops_route.path);
    if (emu_host_is_devops(host) ||
        (strncmp(url, devops_route.path, dn) == 0 && (url[dn] == '\0' || url[dn] == '/')))
        return &devops_route;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        size_t n = strlen(routes[i].path);
        if (strncmp(url, routes[i].path, n) != 0)
            continue;
        if (has_segment(&routes[i])) {
            /* Jersey's {keyspace} is one or more characters other than '/'; without one, the path
             * is the keyspace list, which is not served. */
            size_t len;
            const char *seg = keyspace_segment(&routes[i], url, &len);
            n = (size_t)(seg - url) + len;
            if (len == 0)
                continue;
        }
        if (url[n] == '\0' || (url[n] == '/' && url[n + 1] == '\0'))
            return &routes[i];
    }
    return NULL;
}

/* Returns true when RQ's body matters: a GET's (the keyspace resource's, the DevOps API's) is
 * read and dropped. */
static bool takes_body(const struct emu_request *rq)
{
    return rq->route == NULL || rq->route->kind == EMU_ROUTE_AUTH ||
           rq->route->kind == EMU_ROUTE_DATAAPI;
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
 * 404, 405, 415 (POST only), 406, the resource's own pre-body check, 413 (our cap), then the body
 * checks. Returns 0 with R set, 1 when RQ's PENDING says what is left (the credential check, whose
 * creds are filled in, or the keyspace resource's token check), or -1 on ENOMEM.
 */
static int decide(struct MHD_Connection *conn, const char *method, struct emu_request *rq,
                  bool body_nonempty, struct emu_reply *r)
{
    const struct emu_route *route = rq->route;
    if (route == NULL)
        return emu_reply_framework(r, 404, "HTTP 404 Not Found");
    bool get = route->kind == EMU_ROUTE_KEYSPACE || route->kind == EMU_ROUTE_DEVOPS;
    const char *allow = get ? EMU_ALLOW_GET : EMU_ALLOW_POST;
    if (strcmp(method, MHD_HTTP_METHOD_OPTIONS) == 0) {
        /* Jersey answers OPTIONS itself, before any media type check, with just the Allow list. */
        *r = (struct emu_reply){.status = 200, .allow = allow};
        return 0;
    }
    if (strcmp(method, get ? MHD_HTTP_METHOD_GET : MHD_HTTP_METHOD_POST) != 0) {
        if (emu_reply_framework(r, 405, "HTTP 405 Method Not Allowed") != 0)
            return -1;
        r->allow = allow;
        return 0;
    }
    if (route->kind == EMU_ROUTE_DEVOPS) {
        rq->pending = EMU_PENDING_DEVOPS; /* the token decides everything: after any delay */
        return 1;
    }
    if (route->kind == EMU_ROUTE_DATAAPI) {
        if (rq->overflow)
            return emu_reply_framework(r, 413, "HTTP 413 Request Entity Too Large");
        rq->pending = EMU_PENDING_DATAAPI; /* the token comes first, after any delay */
        return 1;
    }
    if (route->kind == EMU_ROUTE_KEYSPACE) {
        /* A GET consumes nothing, so Content-Type is not looked at; the token is the resource's
         * business, after Jersey's Accept check. */
        if (!emu_media_accepts_json(header(conn, MHD_HTTP_HEADER_ACCEPT)))
            return emu_reply_framework(r, 406, "HTTP 406 Not Acceptable");
        rq->pending = EMU_PENDING_KEYSPACE;
        return 1;
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
    rc = emu_auth_parse(route->ep, rq->body, rq->len, &rq->creds, r);
    if (rc == 1)
        rq->pending = EMU_PENDING_CREDS;
    return rc;
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

/* Queues RESP with STATUS and logs it. Returns MHD_NO (drop the connection) on failure. */
static enum MHD_Result queue(const struct emu_server *srv, struct MHD_Connection *conn,
                             const char *url, const char *method, struct emu_request *rq,
                             unsigned int status, struct MHD_Response *resp)
{
    rq->responded = true;
    enum MHD_Result ret = MHD_queue_response(conn, status, resp);
    if (ret == MHD_YES)
        emu_reqlog_write(srv->log, header(conn, MHD_HTTP_HEADER_HOST), method, url,
                         header(conn, "X-Cassandra-Request-Id"), status);
    return ret;
}

/* Queues RQ's decided reply (taking its body). Returns MHD_NO (drop the connection) on failure. */
static enum MHD_Result queue_reply(const struct emu_server *srv, struct MHD_Connection *conn,
                                   const char *url, const char *method, struct emu_request *rq)
{
    struct emu_reply *r = &rq->reply;
    enum MHD_Result ret = MHD_NO;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(r->body_len, r->body, MHD_RESPMEM_MUST_FREE);
    rq->responded = true;
    if (resp == NULL)
        return MHD_NO;
    r->body = NULL; /* the response frees it now */
    if (add_headers(resp, r))
        ret = queue(srv, conn, url, method, rq, r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static char *dup_or_null(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

static void free_held(struct emu_held_line *h)
{
    if (h == NULL)
        return;
    free(h->host);
    free(h->method);
    free(h->path);
    free(h->request_id);
    free(h);
}

/* Copies the log fields of a request about to be held. Returns false on ENOMEM. */
static bool hold_line(struct MHD_Connection *conn, const char *url, const char *method,
                      struct emu_request *rq)
{
    const char *host = header(conn, MHD_HTTP_HEADER_HOST);
    const char *rid = header(conn, "X-Cassandra-Request-Id");
    if (rq->held != NULL)
        return true;
    struct emu_held_line *h = calloc(1, sizeof *h);
    if (h == NULL)
        return false;
    h->host = dup_or_null(host);
    h->method = strdup(method);
    h->path = strdup(url);
    h->request_id = dup_or_null(rid);
    if ((host != NULL && h->host == NULL) || h->method == NULL || h->path == NULL ||
        (rid != NULL && h->request_id == NULL)) {
        free_held(h);
        return false;
    }
    rq->held = h;
    return true;
}

/* Does what RQ's PENDING says is left, setting RQ's reply. Returns 0, or -1 on ENOMEM. */
static int finish_pending(const struct emu_server *srv, struct MHD_Connection *conn,
                          const char *url, struct emu_request *rq)
{
    int rc = 0;
    switch (rq->pending) {
    case EMU_PENDING_CREDS:
        rc = emu_auth_issue(srv->users, srv->tokens, &rq->creds, &rq->reply);
        emu_auth_creds_clear(&rq->creds);
        break;
    case EMU_PENDING_KEYSPACE: {
        size_t len;
        const char *name = keyspace_segment(rq->route, url, &len);
        const struct emu_rest_stores stores = {
            .tokens = srv->tokens,
            .app = srv->app_tokens,
            .ks = srv->keyspaces,
            .dbs = srv->databases,
        };
        rc = emu_rest_keyspace(&stores, header(conn, MHD_HTTP_HEADER_HOST),
                               header(conn, "X-Cassandra-Token"), name, len, &rq->reply);
        break;
    }
    case EMU_PENDING_DEVOPS: {
        const struct emu_devops_query q = {
            .include = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "include"),
            .provider = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "provider"),
            .limit = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "limit"),
            .starting_after =
                MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "starting_after"),
        };
        rc = emu_devops_answer(srv->databases, srv->org_tokens,
                               header(conn, MHD_HTTP_HEADER_AUTHORIZATION), url, &q, &rq->reply);
        break;
    }
    case EMU_PENDING_DATAAPI: {
        const char *token = header(conn, "Token");
        struct emu_dataapi_request d = {
            .host = header(conn, MHD_HTTP_HEADER_HOST),
            .token = token != NULL ? token : header(conn, "X-Cassandra-Token"),
            .content_type = header(conn, MHD_HTTP_HEADER_CONTENT_TYPE),
            .body = rq->len > 0 ? rq->body : NULL,
            .len = rq->len,
        };
        d.keyspace = keyspace_segment(rq->route, url, &d.klen);
        rc = emu_dataapi_answer(srv->databases, srv->keyspaces, srv->app_tokens, &d, &rq->reply);
        break;
    }
    case EMU_PENDING_NONE:
    default:
        break;
    }
    rq->pending = EMU_PENDING_NONE;
    return rc;
}

/* Sends what RQ's step says, once any delay is over. Returns MHD_NO to drop the connection. */
static enum MHD_Result act(const struct emu_server *srv, struct MHD_Connection *conn,
                           const char *url, const char *method, struct emu_request *rq)
{
    unsigned int status = 0;
    switch (rq->step.action) {
    case EMU_FAULT_OK:
        /* The token is issued or used only now, after any delay, as a slow server would. */
        if (finish_pending(srv, conn, url, rq) != 0)
            return MHD_NO;
        return queue_reply(srv, conn, url, method, rq);
    case EMU_FAULT_STALL: {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        rq->phase = EMU_PHASE_STALLED;
        if (ci == NULL || !hold_line(conn, url, method, rq) ||
            emu_sched_park(srv->sched, conn, ci->connect_fd) != 0)
            return MHD_NO;
        return MHD_YES;
    }
    default: {
        struct MHD_Response *resp = emu_inject_response(&rq->step, conn, srv->sched, &status);
        if (resp == NULL)
            return MHD_NO;
        enum MHD_Result ret = queue(srv, conn, url, method, rq, status, resp);
        MHD_destroy_response(resp);
        return ret;
    }
    }
}

/* Returns true when RQ's answer waits or is not Stargate's: no early answer for it then. */
static bool altered(const struct emu_server *srv, const struct emu_request *rq)
{
    return srv->delay_ms > 0 || rq->step.delay_ms > 0 || rq->step.action != EMU_FAULT_OK;
}

/*
 * The body is in: decides the answer (unless a host rule's fault replaces it), lets a user rule
 * pick a step once the credentials are known, then waits out any delay or acts at once. User
 * rules match the credentials in an auth body only: a keyspace GET has none, and matching its
 * token's user would spend that user's auth steps on it. Returns MHD_NO to drop the connection.
 */
static enum MHD_Result answer(const struct emu_server *srv, struct MHD_Connection *conn,
                              const char *url, const char *method, struct emu_request *rq)
{
    if (rq->step.action == EMU_FAULT_OK) {
        int rc = decide(conn, method, rq, rq->len > 0 || rq->overflow, &rq->reply);
        if (rc < 0)
            return MHD_NO;
        if (rc == 1 && rq->pending == EMU_PENDING_CREDS && !rq->host_rule) {
            const struct emu_creds_field *u = &rq->creds.user;
            if (emu_faults_match_user(srv->faults, header(conn, MHD_HTTP_HEADER_HOST), u->text,
                                      u->len, &rq->step) < 0)
                return MHD_NO;
        }
    }
    unsigned int delay_ms = srv->delay_ms + rq->step.delay_ms;
    if (delay_ms == 0)
        return act(srv, conn, url, method, rq);
    int64_t due_ns = emu_sched_now_ns() + (int64_t)delay_ms * 1000000;
    rq->phase = EMU_PHASE_DELAYED;
    if (!hold_line(conn, url, method, rq) || emu_sched_sleep_until(srv->sched, conn, due_ns) != 0)
        return MHD_NO;
    return MHD_YES;
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
        rq->route = find_route(url, header(conn, MHD_HTTP_HEADER_HOST));
        /* Host rules come before anything else, even the routing. */
        int m = emu_faults_match_host(srv->faults, header(conn, MHD_HTTP_HEADER_HOST), &rq->step);
        if (m < 0)
            return MHD_NO;
        rq->host_rule = m == 1;
        /* Refuse a declared oversized body before it is sent (no 100 Continue goes out), unless
         * the answer is delayed or faulty: then the body is read and dropped first. */
        if (takes_body(rq) && declared_too_large(conn)) {
            rq->overflow = true;
            if (altered(srv, rq))
                return MHD_YES;
            if (decide(conn, method, rq, true, &rq->reply) != 0)
                return MHD_NO;
            return queue_reply(srv, conn, url, method, rq);
        }
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        /* The whole body is read even when the headers already decided an error: closing a
         * socket with unread data makes the kernel reset it, and the client may lose the reply. */
        int rc =
            rq->responded || !takes_body(rq) ? 0 : take_body(rq, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return rc == 0 ? MHD_YES : MHD_NO;
    }
    if (rq->responded)
        return MHD_YES;
    switch (rq->phase) {
    case EMU_PHASE_READING:
        return answer(srv, conn, url, method, rq);
    case EMU_PHASE_DELAYED:
        return act(srv, conn, url, method, rq); /* the delay is over */
    case EMU_PHASE_STALLED:
    default:
        return MHD_NO; /* resumed: the client hung up or the server is stopping */
    }
}

void emu_http_on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                           enum MHD_RequestTerminationCode toe)
{
    const struct emu_server *srv = cls;
    struct emu_request *rq = *req_cls;
    (void)conn;
    (void)toe;
    if (rq == NULL)
        return;
    if (!rq->responded && rq->held != NULL) {
        const struct emu_held_line *h = rq->held;
        emu_reqlog_write(srv->log, h->host, h->method, h->path, h->request_id, 0);
    }
    free_held(rq->held);
    emu_reply_clear(&rq->reply);
    emu_auth_creds_clear(&rq->creds);
    free(rq->body);
    free(rq);
    *req_cls = NULL;
}
