/* driver.c: the libcurl multi loop. A fixed pool of easy handles ("slots"), each reused for one
 * target after another; at most `concurrency` in flight, refilled as they finish, so that queue
 * time never counts against a transfer's timeout. */
#include "core/driver.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "core/classify.h"
#include "core/request.h"
#include "core/text.h"
#include "version.h"

#define REQUEST_ID_HEADER "x-cassandra-request-id: "

/* One easy handle and what its current transfer needs; carried with CURLOPT_PRIVATE. */
struct slot {
    CURL *easy;
    size_t target;               /* index of the target in flight */
    struct curl_slist *headers;  /* built once; the request id line is rewritten in place */
    char *request_id;            /* points into that line, REQUEST_ID_LEN bytes */
    char *body;                  /* the JSON body in flight (holds the password) */
    char *response;              /* capped at DRIVER_MAX_RESPONSE; grows as needed, kept */
    size_t response_len, response_cap;
    int truncated;               /* the body went past the cap */
    char errbuf[CURL_ERROR_SIZE];
};

struct driver {
    const struct driver_options *opt;
    const struct target_list *targets;
    struct result *results;
    CURLM *multi;
    struct curl_slist *connect_to;
    struct slot *slots;
    size_t n_slots;
    size_t *idle; /* stack of idle slot indexes */
    size_t n_idle;
};

static size_t on_write(char *data, size_t size, size_t nmemb, void *userp)
{
    struct slot *s = userp;
    size_t n = size * nmemb;
    if (s->response_len + n > DRIVER_MAX_RESPONSE) {
        s->truncated = 1;
        return 0; /* stops the transfer: nothing past the cap is read */
    }
    if (s->response_len + n > s->response_cap) {
        size_t cap = s->response_cap ? s->response_cap : 1024;
        while (cap < s->response_len + n)
            cap *= 2;
        if (cap > DRIVER_MAX_RESPONSE)
            cap = DRIVER_MAX_RESPONSE;
        char *grown = realloc(s->response, cap);
        if (!grown)
            return 0;
        s->response = grown;
        s->response_cap = cap;
    }
    memcpy(s->response + s->response_len, data, n);
    s->response_len += n;
    return n;
}

/* Options that stay the same for every transfer of a slot, set once. */
static enum tf_err slot_init(struct driver *d, struct slot *s)
{
    const struct driver_options *o = d->opt;
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
    CURLcode rc = CURLE_OK;
#define SET(opt, val)                                                                              \
    if (rc == CURLE_OK)                                                                            \
    rc = curl_easy_setopt(e, opt, val)
    SET(CURLOPT_PRIVATE, s);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_ERRORBUFFER, s->errbuf);
    SET(CURLOPT_WRITEFUNCTION, on_write);
    SET(CURLOPT_WRITEDATA, s);
    SET(CURLOPT_HTTPHEADER, s->headers);
    SET(CURLOPT_USERAGENT, "tokenfleet/" TOKENFLEET_VERSION);
    SET(CURLOPT_POST, 1L);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_FOLLOWLOCATION, 0L); /* a redirect would resend the password elsewhere */
    /* One request per host: HTTP/2 set-up buys nothing here. */
    SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    SET(CURLOPT_TIMEOUT_MS, o->timeout_ms);
    SET(CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
    if (o->cacert)
        SET(CURLOPT_CAINFO, o->cacert);
    /* Without a CA path libcurl parses the CA bundle once per multi handle and caches it
     * (CURLOPT_CA_CACHE_TIMEOUT); Debian's default CA path would make it parse the whole
     * bundle again for every connection. */
    SET(CURLOPT_CAPATH, NULL);
    if (d->connect_to)
        SET(CURLOPT_CONNECT_TO, d->connect_to);
#undef SET
    if (rc != CURLE_OK) {
        errorf(o->msg, "libcurl refused an option: %s", curl_easy_strerror(rc));
        return TF_ERR_CURL;
    }
    return TF_OK;
}

static void slot_cleanup(struct slot *s)
{
    if (s->easy)
        curl_easy_cleanup(s->easy);
    curl_slist_free_all(s->headers);
    text_free_secret(s->body);
    free(s->response);
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

/* Starts the next attempt for target t on slot s. */
static enum tf_err start(struct driver *d, struct slot *s, size_t t)
{
    const struct target *tg = &d->targets->items[t];
    struct result *r = &d->results[t];
    struct attempt *a = add_attempt(r);
    if (!a)
        return TF_ERR_NOMEM;
    request_new_id(a->request_id);
    memcpy(s->request_id, a->request_id, REQUEST_ID_LEN);

    s->target = t;
    s->response_len = 0;
    s->truncated = 0;
    s->errbuf[0] = '\0';
    s->body = request_body(tg->db->username.value, tg->db->password->value);
    if (!s->body)
        return TF_ERR_NOMEM;
    CURLcode rc = curl_easy_setopt(s->easy, CURLOPT_URL, tg->url);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(s->body));
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, s->body);
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
    verbosef(d->opt->msg, "%s: POST %s (request id %s)", tg->name, tg->url, a->request_id);
    return TF_OK;
}

/* Records how the transfer on s ended, and frees the slot for the next target. */
static enum tf_err finish(struct driver *d, struct slot *s, CURLcode code)
{
    struct result *r = &d->results[s->target];
    const struct target *tg = &d->targets->items[s->target];
    struct attempt *a = &r->attempts[r->n_attempts - 1];
    long http = 0;
    curl_off_t total_us = 0;
    char *content_type = NULL;
    curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &http);
    curl_easy_getinfo(s->easy, CURLINFO_TOTAL_TIME_T, &total_us);
    curl_easy_getinfo(s->easy, CURLINFO_CONTENT_TYPE, &content_type);
    curl_multi_remove_handle(d->multi, s->easy);
    text_free_secret(s->body);
    s->body = NULL;

    struct classification c;
    enum tf_err rc;
    /* A write refused at the size cap still had a complete HTTP status: classify that. */
    if (code == CURLE_OK || (code == CURLE_WRITE_ERROR && s->truncated && http))
        rc = classify_response(http, content_type, s->response, s->response_len, s->truncated,
                               &c);
    else
        rc = classify_transport(code, s->errbuf, &c);
    if (rc != TF_OK)
        return rc;

    a->status = c.status;
    a->http_status = http;
    r->status = c.status;
    r->http_status = http;
    r->elapsed_ms += (long long)(total_us / 1000);
    text_free_secret(r->token);
    free(r->error);
    r->token = c.token;
    r->error = c.error;
    verbosef(d->opt->msg, "%s: %s (HTTP %ld, %lld ms)%s%s", tg->name, tf_status_name(r->status),
             http, r->elapsed_ms, r->error ? ": " : "", r->error ? r->error : "");
    d->idle[d->n_idle++] = (size_t)(s - d->slots);
    return TF_OK;
}

static enum tf_err drain(struct driver *d, size_t *active)
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
        (*active)--;
        if (rc != TF_OK)
            return rc;
    }
    return TF_OK;
}

static enum tf_err build_connect_to(struct driver *d)
{
    for (size_t i = 0; i < d->opt->n_connect_to; i++) {
        struct curl_slist *l = curl_slist_append(d->connect_to, d->opt->connect_to[i]);
        if (!l)
            return TF_ERR_NOMEM;
        d->connect_to = l;
    }
    return TF_OK;
}

enum tf_err driver_run(const struct driver_options *opt, const struct target_list *targets,
                       struct result *results)
{
    struct driver d = {.opt = opt, .targets = targets, .results = results};
    enum tf_err rc = TF_ERR_NOMEM;
    size_t n = targets->count;
    d.n_slots = (size_t)opt->concurrency < n ? (size_t)opt->concurrency : n;
    if (n == 0)
        return TF_OK;
    d.slots = calloc(d.n_slots, sizeof *d.slots);
    d.idle = calloc(d.n_slots, sizeof *d.idle);
    d.multi = curl_multi_init();
    if (!d.slots || !d.idle || !d.multi || build_connect_to(&d) != TF_OK)
        goto out;
    /* Idle connections beyond what is in flight only hold sockets and TLS state. */
    curl_multi_setopt(d.multi, CURLMOPT_MAXCONNECTS, (long)d.n_slots);
    for (size_t i = 0; i < d.n_slots; i++) {
        if ((rc = slot_init(&d, &d.slots[i])) != TF_OK)
            goto out;
        d.idle[d.n_idle++] = d.n_slots - 1 - i;
    }

    size_t next = 0, active = 0;
    for (;;) {
        while (d.n_idle && next < n) {
            struct slot *s = &d.slots[d.idle[--d.n_idle]];
            if ((rc = start(&d, s, next++)) != TF_OK)
                goto out;
            active++;
        }
        int running = 0;
        CURLMcode mc = curl_multi_perform(d.multi, &running);
        if (mc == CURLM_OK && (rc = drain(&d, &active)) != TF_OK)
            goto out;
        if (mc == CURLM_OK && !active && next == n)
            break;
        /* A finished transfer freed a slot: refill before waiting. */
        if (mc == CURLM_OK && !(d.n_idle && next < n))
            mc = curl_multi_poll(d.multi, NULL, 0, 1000, NULL);
        if (mc != CURLM_OK) {
            errorf(opt->msg, "libcurl multi: %s", curl_multi_strerror(mc));
            rc = TF_ERR_CURL;
            goto out;
        }
    }
    rc = TF_OK;
out:
    for (size_t i = 0; i < d.n_slots && d.slots; i++) {
        if (d.slots[i].easy && d.multi)
            curl_multi_remove_handle(d.multi, d.slots[i].easy);
        slot_cleanup(&d.slots[i]);
    }
    curl_multi_cleanup(d.multi);
    curl_slist_free_all(d.connect_to);
    free(d.slots);
    free(d.idle);
    return rc;
}
