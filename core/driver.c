/* driver.c: the libcurl multi loop. A fixed pool of easy handles ("slots"), each reused for one
 * attempt after another; at most `concurrency` in flight, refilled as they finish, so that queue
 * time never counts against a transfer's timeout. Targets waiting to be retried sit in a heap of
 * timers that the loop's wait honours. */
#include "core/driver.h"

#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include "core/classify.h"
#include "core/easy_options.h"
#include "core/base/capbuf.h"
#include "core/base/clock.h"
#include "core/multi_events.h"
#include "core/request.h"
#include "core/base/text.h"
#include "core/base/timer_queue.h"

#define REQUEST_ID_HEADER "x-cassandra-request-id: "
#define WAIT_MAX_MS       1000

/* One easy handle and what its current transfer needs; carried with CURLOPT_PRIVATE. */
struct slot {
    CURL *easy;
    size_t target;                       /* index of the target in flight */
    int busy;                            /* a transfer is on the multi handle */
    struct curl_slist *headers;          /* built once; the request id line is rewritten in place */
    struct curl_slist *keyspace_headers; /* a proof's headers (the keyspace GET's, the Data
                                            API's POST): built per request */
    char *request_id;                    /* points into that line, REQUEST_ID_LEN bytes */
    char *body;            /* the JSON body of the last POST (holds the password); kept for the
                              next target with the same credentials, as most fleets share them */
    const char *body_user; /* the credentials body was made from (borrowed from the inventory) */
    const char *body_pass;
    struct capbuf response;  /* capped at DRIVER_MAX_RESPONSE; grows as needed, kept */
    unsigned char route;     /* the proxy of the attempt in flight: 0 none, else routes[route-1] */
    unsigned char route_set; /* what CURLOPT_PROXY holds now, the same way */
    char errbuf[CURL_ERROR_SIZE];
};

/* A proxy that requests of one scheme go through. */
struct route {
    const char *url;                  /* as given (may hold credentials: never printed) */
    const char *from;                 /* "--proxy", "HTTPS_PROXY"... */
    char *shown;                      /* url with its userinfo masked: what messages print */
    char *secrets[PROXY_MAX_SECRETS]; /* what to mask in libcurl's messages */
    size_t n_secrets;
};

enum { ROUTE_HTTPS = 1, ROUTE_HTTP = 2 }; /* routes[ROUTE_x - 1] */

struct driver {
    const struct driver_options *opt;
    const struct target_list *targets;
    struct result *results;
    int64_t *first_start_ms;    /* per target: when its first attempt started */
    unsigned char *step;        /* per target: enum request_step of its next request */
    unsigned char *shared_host; /* per target: another target has the same host and port */
    CURLM *multi;
    struct multi_events events; /* the multi handle's sockets and timer, and stop_fd */
    struct curl_slist *connect_to;
    struct route routes[2]; /* for https:// and http:// URLs; url NULL = none */
    struct slot *slots;
    size_t n_slots;
    size_t *idle; /* stack of idle slot indexes */
    size_t n_idle;
    size_t active;              /* transfers on the multi handle */
    struct timer_queue waiting; /* targets waiting for a retry */
    size_t *ready;              /* targets whose next step is due at once (check --verify's
                                   proof of a fresh token): a FIFO ring of `n` entries, each
                                   target at most once; NULL without --verify */
    size_t ready_head, ready_len;
    uint64_t rng; /* jitter */
};

static size_t on_write(char *data, size_t size, size_t nmemb, void *userp)
{
    struct slot *s = userp;
    return capbuf_append(&s->response, data, size * nmemb);
}

/* Options that stay the same for every transfer of a slot, set once. */
static enum tf_err slot_init(struct driver *d, struct slot *s)
{
    const struct driver_options *o = d->opt;
    s->response.max = DRIVER_MAX_RESPONSE;
    s->easy = curl_easy_init();
    if (!s->easy)
        return TF_ERR_NOMEM;
    const char *fixed[] = {"Content-Type: application/json", "Accept: application/json",
                           REQUEST_ID_HEADER "00000000-0000-0000-0000-000000000000"};
    for (size_t i = 0; i < 3; i++) {
        struct curl_slist *l = curl_slist_append(s->headers, fixed[i]);
        if (!l)
            return TF_ERR_NOMEM;
        s->headers = l;
    }
    struct curl_slist *last = s->headers;
    while (last->next)
        last = last->next;
    s->request_id = last->data + strlen(REQUEST_ID_HEADER);

    CURL *e = s->easy;
    CURLcode rc = easy_options_set(e, o, d->connect_to, s->errbuf);
#define SET(opt, val)                                                                              \
    if (rc == CURLE_OK)                                                                            \
    rc = curl_easy_setopt(e, opt, val)
    SET(CURLOPT_PRIVATE, s);
    /* An answer is a few hundred bytes: libcurl's 16 KiB receive buffer per handle would be
     * 8 MB of mostly unused memory at -j 512. */
    SET(CURLOPT_BUFFERSIZE, 4096L);
    SET(CURLOPT_WRITEFUNCTION, on_write);
    SET(CURLOPT_WRITEDATA, s);
    SET(CURLOPT_HTTPHEADER, s->headers);
    SET(CURLOPT_POST, 1L);
#undef SET
    if (rc != CURLE_OK) {
        errorf(o->msg, "libcurl refused an option: %s", curl_easy_strerror(rc));
        return TF_ERR_CURL;
    }
    return TF_OK;
}

/* The token line of the keyspace GET's headers is wiped before the list is freed. */
static void free_keyspace_headers(struct slot *s)
{
    for (struct curl_slist *l = s->keyspace_headers; l; l = l->next)
        explicit_bzero(l->data, strlen(l->data));
    curl_slist_free_all(s->keyspace_headers);
    s->keyspace_headers = NULL;
}

static void slot_cleanup(struct slot *s)
{
    if (s->easy)
        curl_easy_cleanup(s->easy);
    curl_slist_free_all(s->headers);
    free_keyspace_headers(s);
    text_free_secret(s->body);
    capbuf_free(&s->response);
}

static struct attempt *add_attempt(struct result *r)
{
    struct attempt *grown = realloc(r->attempts, (r->n_attempts + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    r->attempts = grown;
    struct attempt *a = &grown[r->n_attempts++];
    memset(a, 0, sizeof *a);
    return a;
}

/* A token's proof, to the target's keyspace_url: the REST API's keyspace GET (the token in
 * X-Cassandra-Token, no body), or the Data API's findCollections (POST, the token in Token). */
static CURLcode set_proof_request(struct slot *s, const struct target *tg, enum request_step step,
                                  const char *token, const char *request_id)
{
    int data = step == STEP_DATA;
    char *tok = text_printf("%s: %s", data ? "Token" : "X-Cassandra-Token", token);
    char *rid = text_printf(REQUEST_ID_HEADER "%s", request_id);
    struct curl_slist *l = tok && rid ? curl_slist_append(NULL, "Accept: application/json") : NULL;
    struct curl_slist *last = l ? curl_slist_append(l, rid) : NULL;
    if (last && data)
        last = curl_slist_append(last, "Content-Type: application/json");
    if (last)
        last = curl_slist_append(last, tok);
    text_free_secret(tok);
    free(rid);
    if (!last) {
        for (struct curl_slist *e = l; e; e = e->next)
            explicit_bzero(e->data, strlen(e->data));
        curl_slist_free_all(l);
        return CURLE_OUT_OF_MEMORY;
    }
    CURLcode rc;
    if (data) {
        rc = curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(REQUEST_DATA_API_PROOF));
        if (rc == CURLE_OK)
            rc = curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, REQUEST_DATA_API_PROOF);
    } else {
        rc = curl_easy_setopt(s->easy, CURLOPT_HTTPGET, 1L);
    }
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, l);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(s->easy, CURLOPT_URL, tg->keyspace_url);
    free_keyspace_headers(s); /* the handle no longer points at them */
    s->keyspace_headers = l;
    return rc;
}

/* The route of a request for url: 0 (no proxy), ROUTE_HTTPS or ROUTE_HTTP. */
static unsigned char route_of(const struct driver *d, const char *url)
{
    if (!d->routes[0].url && !d->routes[1].url)
        return 0;
    if (!proxy_for_url(&d->opt->proxy, url, NULL))
        return 0;
    unsigned char route = strncasecmp(url, "https://", 8) == 0 ? ROUTE_HTTPS : ROUTE_HTTP;
    /* A route without a proxy (an empty string in opt->proxy) is none: CURLOPT_PROXY must never
     * be NULL, which would let libcurl read the environment after all. */
    return d->routes[route - 1].url ? route : 0;
}

/* Starts the next attempt of target t on the idle slot s. */
static enum tf_err start(struct driver *d, struct slot *s, size_t t)
{
    const struct target *tg = &d->targets->items[t];
    struct result *r = &d->results[t];
    struct attempt *a = add_attempt(r);
    if (!a)
        return TF_ERR_NOMEM;
    a->step = d->step[t];
    char request_id[REQUEST_ID_LEN + 1];
    request_new_id(a->request_id, request_id);
    memcpy(s->request_id, request_id, REQUEST_ID_LEN);
    if (r->n_attempts == 1)
        d->first_start_ms[t] = clock_now_ms();

    s->target = t;
    capbuf_reset(&s->response);
    s->errbuf[0] = '\0';
    /* A host no other target uses gains nothing from connection reuse, and looking for a
     * connection to reuse scans every open one: at -j 512 that scan was most of the CPU.
     * check --verify's keyspace GET goes to the same host right after: it reuses that one. */
    long alone = !d->shared_host[t];
    long last_use = alone && !(d->opt->verify && a->step == STEP_AUTH);
    int proof = a->step != STEP_AUTH;
    CURLcode rc = curl_easy_setopt(s->easy, CURLOPT_FRESH_CONNECT,
                                   (long)(alone && (a->step == STEP_AUTH || r->n_attempts == 1)));
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(s->easy, CURLOPT_FORBID_REUSE, last_use);
    if (rc == CURLE_OK && proof) {
        rc = set_proof_request(s, tg, (enum request_step)a->step, r->token, request_id);
    } else if (rc == CURLE_OK) {
        const char *user = tg->db->username.value, *pass = tg->db->password->value;
        if (!s->body || strcmp(user, s->body_user) != 0 || strcmp(pass, s->body_pass) != 0) {
            text_free_secret(s->body);
            s->body = request_body(user, pass);
            if (!s->body)
                return TF_ERR_NOMEM;
            s->body_user = user;
            s->body_pass = pass;
        }
        rc = curl_easy_setopt(s->easy, CURLOPT_URL, tg->url);
        /* A slot that did a GET before (--verify's proof, a keep-alive cycle's) has that GET's
         * headers set: a POST with them would be refused (415). */
        if (rc == CURLE_OK && s->keyspace_headers) {
            rc = curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->headers);
            free_keyspace_headers(s);
        }
        if (rc == CURLE_OK)
            rc = curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(s->body));
        if (rc == CURLE_OK)
            rc = curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, s->body);
    }
    const char *url = proof ? tg->keyspace_url : tg->url;
    s->route = route_of(d, url);
    if (rc == CURLE_OK && s->route != s->route_set) {
        rc = curl_easy_setopt(s->easy, CURLOPT_PROXY, s->route ? d->routes[s->route - 1].url : "");
        s->route_set = s->route;
    }
    if (rc != CURLE_OK) {
        errorf(d->opt->msg, "%s: libcurl refused the request: %s", tg->name,
               curl_easy_strerror(rc));
        return TF_ERR_CURL;
    }
    CURLMcode mc = curl_multi_add_handle(d->multi, s->easy);
    if (mc != CURLM_OK) {
        errorf(d->opt->msg, "%s: libcurl multi: %s", tg->name, curl_multi_strerror(mc));
        return TF_ERR_CURL;
    }
    s->busy = 1;
    d->active++;
    const struct route *via = s->route ? &d->routes[s->route - 1] : NULL;
    verbosef(d->opt->msg, "%s: %s %s (attempt %zu, request id %s)%s%s%s%s%s", tg->name,
             a->step == STEP_KEYSPACE ? "GET" : "POST", url, r->n_attempts, request_id,
             via ? " through proxy " : "", via ? via->shown : "", via ? " (" : "",
             via ? via->from : "", via ? ")" : "");
    return TF_OK;
}

/* Takes s off the multi handle and makes it idle again. */
static void release(struct driver *d, struct slot *s)
{
    curl_multi_remove_handle(d->multi, s->easy);
    s->busy = 0;
    d->active--;
    d->idle[d->n_idle++] = (size_t)(s - d->slots);
}

static void set_outcome(struct driver *d, size_t t, enum tf_status status, long http, char *token,
                        char *error)
{
    struct result *r = &d->results[t];
    r->status = status;
    r->http_status = http;
    text_free_secret(r->token);
    free(r->error);
    r->token = token;
    r->error = error;
    if (r->n_attempts)
        r->elapsed_ms = clock_now_ms() - d->first_start_ms[t];
}

/* The ring of targets whose next step is due at once. */
static void ready_push(struct driver *d, size_t t)
{
    size_t n = d->targets->count;
    d->ready[(d->ready_head + d->ready_len++) % n] = t;
}

static size_t ready_pop(struct driver *d)
{
    size_t t = d->ready[d->ready_head];
    d->ready_head = (d->ready_head + 1) % d->targets->count;
    d->ready_len--;
    return t;
}

/* How the attempt on s ended, for decide(). */
static struct attempt_outcome outcome_of(const struct driver *d, const struct slot *s,
                                         const struct result *r, CURLcode code, long http,
                                         enum tf_status status)
{
    const struct attempt *last = &r->attempts[r->n_attempts - 1];
    struct attempt_outcome a = {.step = (enum request_step)last->step,
                                .status = status,
                                .http_status = http,
                                .code = code,
                                .verify = d->opt->verify,
                                /* An application token is the user's: a refused one is
                                   reported, never replaced. */
                                .renew =
                                    d->opt->renew && !d->targets->items[s->target].db->app_token};
    for (size_t i = 0; i < r->n_attempts; i++) /* the keyspace GET has retries of its own */
        a.tries += r->attempts[i].step == last->step;
    curl_off_t retry_after = 0;
    if (http && curl_easy_getinfo(s->easy, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK &&
        retry_after > 0)
        a.retry_after_s = retry_after > LONG_MAX ? LONG_MAX : (long)retry_after;
    return a;
}

/* The target's password, or NULL for an application token's target. */
static const char *password_of(const struct target *tg)
{
    return tg->db->password ? tg->db->password->value : NULL;
}

/* A gateway or proxy that quotes the request in its error page would put the password (or, on
 * the keyspace GET, the token) into the error, and libcurl quotes a proxy URL it cannot use
 * whole, credentials included: they are all masked before anything keeps the error. */
static enum tf_err redact_secrets(const struct driver *d, char **error, const struct target *tg,
                                  const char *token)
{
    const char *secrets[2 + 2 * PROXY_MAX_SECRETS] = {password_of(tg), token};
    size_t n = 2;
    for (size_t r = 0; r < 2; r++)
        for (size_t i = 0; i < d->routes[r].n_secrets; i++)
            secrets[n++] = d->routes[r].secrets[i];
    for (size_t i = 0; i < n; i++) {
        if (!secrets[i] || !strstr(*error, secrets[i]))
            continue;
        char *masked = text_redact(*error, secrets[i]);
        if (!masked)
            return TF_ERR_NOMEM;
        free(*error);
        *error = masked;
    }
    return TF_OK;
}

/* Says, in the error of a transfer through a proxy that failed with code, which proxy (masked)
 * and where it came from: as "proxy P (FROM): ..." when the proxy is what failed (it could not
 * be resolved or reached, or refused the tunnel), else as "..., through proxy P (FROM)". */
static enum tf_err name_proxy(const struct driver *d, const struct slot *s, CURLcode code,
                              char **error)
{
    const struct route *r = &d->routes[s->route - 1];
    long connect_code = 0;
    curl_easy_getinfo(s->easy, CURLINFO_HTTP_CONNECTCODE, &connect_code);
    int at_proxy = code == CURLE_COULDNT_RESOLVE_PROXY || code == CURLE_COULDNT_CONNECT ||
                   code == CURLE_PROXY || connect_code >= 300;
    char *named = at_proxy ? text_printf("proxy %s (%s): %s", r->shown, r->from, *error)
                           : text_printf("%s, through proxy %s (%s)", *error, r->shown, r->from);
    if (!named)
        return TF_ERR_NOMEM;
    free(*error);
    *error = named;
    return TF_OK;
}

/* Applies verdict v to target t, whose attempt ended with c (whose token and error it takes). */
static enum tf_err apply(struct driver *d, size_t t, const struct verdict *v,
                         struct classification *c, long http)
{
    struct result *r = &d->results[t];
    const struct target *tg = &d->targets->items[t];
    enum request_step step = (enum request_step)r->attempts[r->n_attempts - 1].step;
    switch (v->kind) {
    case VERDICT_RETRY: {
        /* What this attempt said stays the result in case the run ends before the retry; a
         * keyspace GET to be retried still needs the token. */
        char *keep = NULL;
        if (step != STEP_AUTH) {
            keep = r->token;
            r->token = NULL;
        }
        text_free_secret(c->token);
        set_outcome(d, t, c->status, http, keep, c->error);
        if (timer_queue_push(&d->waiting, clock_now_ms() + v->wait_ms, t) != 0)
            return TF_ERR_NOMEM;
        verbosef(d->opt->msg, "%s: %s, retrying in %ld ms", tg->name,
                 r->error ? r->error : tf_status_name(r->status), v->wait_ms);
        return TF_OK;
    }
    case VERDICT_NEXT_STEP:
        if (step == STEP_AUTH)
            r->issued_at_ms = clock_wall_ms();
        set_outcome(d, t, c->status, http, c->token, c->error);
        d->step[t] = (unsigned char)v->next;
        ready_push(d, t);
        return TF_OK;
    case VERDICT_FINAL:
        break;
    }
    int64_t issued = r->issued_at_ms;
    if (step != STEP_AUTH && c->status == TF_STATUS_OK) {
        c->token = r->token; /* proven: the token stays the result's */
        r->token = NULL;
    } else if (step == STEP_AUTH && c->status == TF_STATUS_OK) {
        issued = clock_wall_ms();
    }
    set_outcome(d, t, c->status, http, c->token, c->error);
    r->issued_at_ms = c->status == TF_STATUS_OK ? issued : 0;
    if (d->opt->on_final)
        d->opt->on_final(d->opt->on_final_ctx, t, r);
    verbosef(d->opt->msg, "%s: %s (HTTP %ld, %zu attempt%s, %lld ms)%s%s", tg->name,
             tf_status_name(r->status), http, r->n_attempts, r->n_attempts == 1 ? "" : "s",
             r->elapsed_ms, r->error ? ": " : "", r->error ? r->error : "");
    return TF_OK;
}

/* The transfer on s ended with code: classify what came back, decide, apply. */
static enum tf_err finish(struct driver *d, struct slot *s, CURLcode code)
{
    size_t t = s->target;
    struct result *r = &d->results[t];
    const struct target *tg = &d->targets->items[t];
    struct attempt *a = &r->attempts[r->n_attempts - 1];
    long http = 0;
    char *content_type = NULL;
    curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &http);
    curl_easy_getinfo(s->easy, CURLINFO_CONTENT_TYPE, &content_type);

    struct classification c;
    enum tf_err rc;
    /* What the request carried, NULL-terminated: no password for an application token. */
    const char *secrets[3] = {password_of(tg), NULL, NULL};
    secrets[secrets[0] != NULL] = r->token;
    /* A write refused at the size cap still had a complete HTTP status: classify that. */
    if (code == CURLE_OK || (code == CURLE_WRITE_ERROR && s->response.truncated && http)) {
        if (a->step == STEP_KEYSPACE)
            rc = classify_keyspace(http, content_type, s->response.data, s->response.len,
                                   s->response.truncated, tg->db->keyspace.value, secrets, &c);
        else if (a->step == STEP_DATA)
            rc = classify_data_api(http, content_type, s->response.data, s->response.len,
                                   s->response.truncated, tg->db->keyspace.value, secrets, &c);
        else
            rc = classify_response(http, content_type, s->response.data, s->response.len,
                                   s->response.truncated, secrets, &c);
    } else if ((rc = classify_transport(code, s->errbuf, &c)) == TF_OK && s->route)
        rc = name_proxy(d, s, code, &c.error);
    if (rc != TF_OK) {
        free(c.error);
        release(d, s);
        return rc;
    }
    if (c.error && (rc = redact_secrets(d, &c.error, tg, r->token)) != TF_OK) {
        text_free_secret(c.token);
        release(d, s);
        return rc;
    }
    a->status = (unsigned char)c.status;
    a->http_status = (short)http;
    struct attempt_outcome outcome = outcome_of(d, s, r, code, http, c.status);
    struct verdict v = decide(&d->opt->retry, &outcome, &d->rng);
    release(d, s);
    return apply(d, t, &v, &c, http);
}

static enum tf_err drain(struct driver *d)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(d->multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        CURLcode code = m->data.result; /* copy before remove_handle invalidates m */
        struct slot *s = NULL;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&s);
        enum tf_err rc = finish(d, s, code);
        if (rc != TF_OK)
            return rc;
    }
    return TF_OK;
}

/* Marks target t cancelled, keeping what its earlier attempts said. */
static enum tf_err cancel(struct driver *d, size_t t, const char *why)
{
    struct result *r = &d->results[t];
    char *error = r->error ? text_printf("%s; last attempt: %s", why, r->error) : strdup(why);
    if (!error)
        return TF_ERR_NOMEM;
    set_outcome(d, t, TF_STATUS_CANCELLED, r->http_status, NULL, error);
    if (d->opt->on_final)
        d->opt->on_final(d->opt->on_final_ctx, t, r);
    return TF_OK;
}

/* Ends the run early: aborts what is in flight, cancels what waits or never started. */
static enum tf_err cancel_all(struct driver *d, size_t next, const char *why)
{
    enum tf_err rc = TF_OK;
    for (size_t i = 0; i < d->n_slots; i++) {
        struct slot *s = &d->slots[i];
        if (!s->busy)
            continue;
        struct result *r = &d->results[s->target];
        r->attempts[r->n_attempts - 1].status = (unsigned char)TF_STATUS_CANCELLED;
        release(d, s);
        text_free_secret(r->token);
        r->token = NULL;
        free(r->error); /* what an earlier attempt said no longer describes the last one */
        r->error = NULL;
        r->http_status = 0;
        if (cancel(d, s->target, why) != TF_OK)
            rc = TF_ERR_NOMEM;
    }
    while (d->ready_len)
        if (cancel(d, ready_pop(d), why) != TF_OK)
            rc = TF_ERR_NOMEM;
    for (; timer_queue_peek(&d->waiting); timer_queue_pop(&d->waiting))
        if (cancel(d, timer_queue_peek(&d->waiting)->id, why) != TF_OK)
            rc = TF_ERR_NOMEM;
    for (; next < d->targets->count; next++)
        if (cancel(d, next, why) != TF_OK)
            rc = TF_ERR_NOMEM;
    return rc;
}

static enum tf_err build_connect_to(struct driver *d)
{
    int nomem;
    d->connect_to = easy_options_connect_to(d->opt, &nomem);
    return nomem ? TF_ERR_NOMEM : TF_OK;
}

/* The routes of the run's proxies: each one's masked form and secrets, made once. */
static enum tf_err build_routes(struct driver *d)
{
    const struct proxy_config *c = &d->opt->proxy;
    const char *urls[2] = {c->https, c->http}, *from[2] = {c->https_from, c->http_from};
    for (size_t i = 0; i < 2; i++) {
        struct route *r = &d->routes[i];
        if (!urls[i] || !*urls[i])
            continue;
        r->url = urls[i];
        r->from = from[i] ? from[i] : "?";
        r->shown = proxy_display(urls[i]);
        if (!r->shown || proxy_secrets(urls[i], r->secrets, &r->n_secrets) != 0)
            return TF_ERR_NOMEM;
    }
    return TF_OK;
}

static void free_routes(struct driver *d)
{
    for (size_t i = 0; i < 2; i++) {
        free(d->routes[i].shown);
        for (size_t k = 0; k < d->routes[i].n_secrets; k++)
            text_free_secret(d->routes[i].secrets[k]);
    }
}

static int wait_timeout(struct driver *d, int64_t now, int64_t deadline)
{
    int64_t t = WAIT_MAX_MS;
    const struct timer_entry *w = timer_queue_peek(&d->waiting);
    if (w && d->n_idle && w->due_ms - now < t)
        t = w->due_ms - now;
    if (deadline && deadline - now < t)
        t = deadline - now;
    return t < 0 ? 0 : (int)t;
}

/* The "host:port" part of url (after the scheme, up to the path), for comparing targets. */
static size_t host_part(const char *url, const char **start)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    *start = p;
    return strcspn(p, "/?#");
}

static int by_host(const void *a, const void *b, void *arg)
{
    const struct target_list *tl = arg;
    const char *x, *y;
    size_t lx = host_part(tl->items[*(const size_t *)a].url, &x);
    size_t ly = host_part(tl->items[*(const size_t *)b].url, &y);
    int c = strncmp(x, y, lx < ly ? lx : ly);
    return c ? c : (lx > ly) - (lx < ly);
}

/* Sets shared[i] for every target whose host and port another target has too (a self-hosted
 * Stargate serving many databases): only those keep connections for reuse. O(n log n). */
static enum tf_err mark_shared_hosts(const struct target_list *tl, unsigned char *shared)
{
    size_t n = tl->count;
    size_t *order = malloc(n * sizeof *order);
    if (!order)
        return TF_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    qsort_r(order, n, sizeof *order, by_host, (void *)tl);
    for (size_t i = 1; i < n; i++)
        if (by_host(&order[i - 1], &order[i], (void *)tl) == 0)
            shared[order[i - 1]] = shared[order[i]] = 1;
    free(order);
    return TF_OK;
}

/* An application token's target asks for no token: its first and only step proves the
 * database's token (the REST keyspace GET or the Data API's, by its api), which its result
 * holds from the start. */
static enum tf_err start_app_tokens(const struct target_list *tl, struct result *results,
                                    unsigned char *step)
{
    for (size_t i = 0; i < tl->count; i++) {
        const struct target_db *db = tl->items[i].db;
        if (!db->app_token)
            continue;
        step[i] = db->api == TARGET_API_DATA ? STEP_DATA : STEP_KEYSPACE;
        if (results[i].token && !strcmp(results[i].token, db->app_token->value))
            continue;
        text_free_secret(results[i].token);
        results[i].token = strdup(db->app_token->value);
        if (!results[i].token)
            return TF_ERR_NOMEM;
    }
    return TF_OK;
}

/* After an internal error no target may stay pending: the unfinished are cancelled (best
 * effort: memory may be what failed). Returns rc. */
static enum tf_err fail_all(struct driver *d, size_t next, enum tf_err rc)
{
    cancel_all(d, next, "not finished: tokenfleet failed internally");
    return rc;
}

static enum tf_err loop(struct driver *d, enum driver_stop *stop)
{
    const struct driver_options *o = d->opt;
    size_t n = d->targets->count, next = 0;
    int64_t deadline = o->deadline_ms ? clock_now_ms() + o->deadline_ms : 0;
    enum tf_err rc;
    for (;;) {
        int64_t now = clock_now_ms();
        if (d->events.stopped) {
            *stop = DRIVER_INTERRUPTED;
            return cancel_all(d, next, "interrupted");
        }
        if (deadline && now >= deadline) {
            *stop = DRIVER_DEADLINE;
            return cancel_all(d, next, "--deadline reached");
        }
        /* Retries that are due go first: they have waited already. */
        while (d->n_idle) {
            const struct timer_entry *w = timer_queue_peek(&d->waiting);
            size_t t;
            if (w && w->due_ms <= now) {
                t = w->id;
                timer_queue_pop(&d->waiting);
            } else if (d->ready_len) {
                t = ready_pop(d); /* a token in hand: its proof goes ahead of new targets */
            } else if (next < n) {
                t = next++;
            } else {
                break;
            }
            struct slot *s = &d->slots[d->idle[--d->n_idle]];
            if ((rc = start(d, s, t)) != TF_OK) {
                if (s->busy)
                    release(d, s);
                else
                    d->idle[d->n_idle++] = (size_t)(s - d->slots);
                cancel(d, t, "not finished: tokenfleet failed internally");
                return fail_all(d, next, rc);
            }
        }
        if (o->on_tick)
            o->on_tick(o->on_final_ctx);
        if (!d->active && next == n && !d->ready_len && !timer_queue_peek(&d->waiting))
            return TF_OK;
        CURLMcode mc = multi_events_wait(&d->events, wait_timeout(d, clock_now_ms(), deadline));
        if (mc != CURLM_OK) {
            /* Transfers that finished before the failure keep their results. */
            drain(d);
            if (mc == CURLM_INTERNAL_ERROR || d->events.sock_errno)
                errorf(o->msg, "waiting for sockets: %s",
                       strerror(d->events.sock_errno ? d->events.sock_errno : errno));
            else
                errorf(o->msg, "libcurl multi: %s", curl_multi_strerror(mc));
            return fail_all(d, next, TF_ERR_CURL);
        }
        if ((rc = drain(d)) != TF_OK)
            return fail_all(d, next, rc);
    }
}

enum tf_err driver_run(const struct driver_options *opt, const struct target_list *targets,
                       struct result *results, enum driver_stop *stop)
{
    struct driver d = {.opt = opt, .targets = targets, .results = results};
    enum tf_err rc = TF_ERR_NOMEM;
    size_t n = targets->count;
    *stop = DRIVER_FINISHED;
    if (n == 0)
        return TF_OK;
    d.n_slots = (size_t)opt->concurrency < n ? (size_t)opt->concurrency : n;
    if (getrandom(&d.rng, sizeof d.rng, 0) != (ssize_t)sizeof d.rng || !d.rng)
        d.rng = (uint64_t)clock_now_ms() | 1;
    d.slots = calloc(d.n_slots, sizeof *d.slots);
    d.idle = calloc(d.n_slots, sizeof *d.idle);
    d.first_start_ms = calloc(n, sizeof *d.first_start_ms);
    d.step = calloc(n, sizeof *d.step);
    d.shared_host = calloc(n, sizeof *d.shared_host);
    d.ready = opt->verify || opt->renew ? calloc(n, sizeof *d.ready) : NULL;
    if (d.shared_host && mark_shared_hosts(targets, d.shared_host) != TF_OK) {
        free(d.shared_host);
        d.shared_host = NULL;
    }
    d.multi = curl_multi_init();
    if (!d.slots || !d.idle || !d.first_start_ms || !d.step || !d.shared_host || !d.multi ||
        ((opt->verify || opt->renew) && !d.ready) || build_connect_to(&d) != TF_OK ||
        build_routes(&d) != TF_OK)
        goto out;
    if (opt->first_step)
        memcpy(d.step, opt->first_step, n);
    if (start_app_tokens(targets, results, d.step) != TF_OK)
        goto out;
    if (multi_events_init(&d.events, d.multi, opt->stop_fd) != 0) {
        errorf(opt->msg, "cannot set up waiting for sockets: %s", strerror(errno));
        rc = TF_ERR_CURL;
        goto out;
    }
    /* Idle connections beyond what is in flight only hold sockets and TLS state. */
    curl_multi_setopt(d.multi, CURLMOPT_MAXCONNECTS, (long)d.n_slots);
    for (size_t i = 0; i < d.n_slots; i++) {
        if ((rc = slot_init(&d, &d.slots[i])) != TF_OK)
            goto out;
        d.idle[d.n_idle++] = d.n_slots - 1 - i;
    }
    rc = loop(&d, stop);
out:
    for (size_t i = 0; i < d.n_slots && d.slots; i++) {
        if (d.slots[i].busy)
            curl_multi_remove_handle(d.multi, d.slots[i].easy);
        slot_cleanup(&d.slots[i]);
    }
    curl_multi_cleanup(d.multi);
    multi_events_cleanup(&d.events);
    curl_slist_free_all(d.connect_to);
    free_routes(&d);
    timer_queue_clear(&d.waiting);
    free(d.first_start_ms);
    free(d.step);
    free(d.shared_host);
    free(d.ready);
    free(d.slots);
    free(d.idle);
    return rc;
}
