/* devops.c: listing an org's databases through Astra's DevOps API, page after page on one easy
 * handle (each page depends on the one before), retried and bounded as the driver's requests. */
#include "core/devops.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core/base/capbuf.h"
#include "core/base/clock.h"
#include "core/base/strset.h"
#include "core/base/text.h"
#include "core/classify.h"
#include "core/decide.h"
#include "core/easy_options.h"
#include "core/proxy.h"
#include "core/request.h"

const char *const devops_statuses[] = {
    "ACTIVE",      "PENDING",       "PREPARING",   "PREPARED",   "INITIALIZING", "PARKED",
    "PARKING",     "UNPARKING",     "TERMINATING", "TERMINATED", "RESIZING",     "ERROR",
    "MAINTENANCE", "HIBERNATING",   "HIBERNATED",  "RESUMING",   "ASSOCIATING",  "DECOMMISSIONING",
    "DEGRADED",    "SYNCHRONIZING", "UNKNOWN",     "SUSPENDED",  "SUSPENDING",   NULL,
};

bool devops_is_status(const char *s)
{
    for (size_t i = 0; devops_statuses[i]; i++)
        if (!strcmp(s, devops_statuses[i]))
            return true;
    return false;
}

/* The one easy handle and what each of its requests needs. */
struct client {
    const struct devops_request *req;
    CURL *easy;
    struct curl_slist *connect_to;
    struct capbuf body; /* the page being read, capped at DEVOPS_MAX_PAGE */
    char errbuf[CURL_ERROR_SIZE];
    uint64_t rng;     /* jitter */
    int64_t deadline; /* monotonic ms when the whole listing must end (--deadline); 0 = none */
};

/* Milliseconds left before c's deadline (at least 1 while there is one), or -1 with none. */
static long time_left(const struct client *c)
{
    if (!c->deadline)
        return -1;
    int64_t left = c->deadline - clock_now_ms();
    return left > 0 ? (long)left : 0;
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *userp)
{
    struct client *c = userp;
    return capbuf_append(&c->body, data, size * nmemb);
}

/* How one request went. */
struct answer {
    enum tf_status status;
    long http;
    CURLcode code;
    long retry_after_s;
    int retry_anyway; /* a 2xx that brought no list (a gateway's page): worth another try */
    char *error;      /* NULL when ok; owned */
    json_t *page;     /* the JSON array when ok; owned */
};

/* "DevOps API error 340018: MESSAGE" from Astra's {"errors":[{"ID":..,"message":..}]}, the
 * message quoted as classify quotes a server (the token masked); NULL when root is no such
 * body, or when out of memory (*nomem set). */
static char *devops_error(json_t *root, const char *token, int *nomem)
{
    json_t *errors = json_object_get(root, "errors");
    json_t *first = json_array_get(errors, 0);
    json_t *message = json_object_get(first, "message");
    if (!json_is_string(message))
        return NULL;
    const char *const secrets[] = {token, NULL};
    char *quoted = classify_quote(json_string_value(message), json_string_length(message), secrets);
    json_t *id = json_object_get(first, "ID");
    size_t more = json_array_size(errors) - 1;
    char id_text[32] = "";
    if (json_is_integer(id))
        snprintf(id_text, sizeof id_text, " %lld", (long long)json_integer_value(id));
    char more_text[48] = "";
    if (more)
        snprintf(more_text, sizeof more_text, " (and %zu more error%s)", more,
                 more == 1 ? "" : "s");
    char *out = quoted ? text_printf("DevOps API error%s: %s%s", id_text, quoted, more_text) : NULL;
    free(quoted);
    *nomem = !out;
    return out;
}

/* Judges an HTTP answer: a page (200 and a JSON array) or an error. */
static enum tf_err judge_http(struct client *c, struct answer *a)
{
    char *ctype = NULL;
    curl_easy_getinfo(c->easy, CURLINFO_CONTENT_TYPE, &ctype);
    const char *const secrets[] = {c->req->token, NULL};
    if (c->body.truncated) {
        a->status = TF_STATUS_BAD_RESPONSE;
        a->error = text_printf("HTTP %ld with a body larger than %d MiB; refused", a->http,
                               DEVOPS_MAX_PAGE / (1024 * 1024));
        return a->error ? TF_OK : TF_ERR_NOMEM;
    }
    char *shown = classify_quote(ctype ? ctype : "no Content-Type",
                                 strlen(ctype ? ctype : "no Content-Type"), NULL);
    if (!shown)
        return TF_ERR_NOMEM;
    /* jansson's error text quotes the input, which may hold the token: it is never shown. */
    json_t *root =
        c->body.len ? json_loadb(c->body.data, c->body.len, JSON_DECODE_ANY, NULL) : NULL;
    enum tf_err rc = TF_OK;
    int nomem = 0;
    if (a->http == 200 && json_is_array(root)) {
        a->status = TF_STATUS_OK;
        a->page = root;
        root = NULL;
    } else if (a->http >= 200 && a->http <= 299) {
        a->status = TF_STATUS_BAD_RESPONSE;
        a->retry_anyway = 1;
        a->error = !c->body.len ? text_printf("HTTP %ld with an empty body", a->http)
                   : !root ? text_printf("HTTP %ld but the body is not JSON (%s)", a->http, shown)
                           : text_printf("HTTP %ld but the body is not a JSON array of databases",
                                         a->http);
    } else {
        struct classification cl;
        if ((rc = classify_response(a->http, ctype, c->body.data, c->body.len, false, secrets,
                                    &cl)) != TF_OK)
            goto out;
        text_free_secret(cl.token);
        free(cl.error);
        /* Only an error status says what went wrong; anything else is no answer of the API's. */
        a->status = a->http >= 400 && a->http <= 599 ? cl.status : TF_STATUS_BAD_RESPONSE;
        char *said = root ? devops_error(root, c->req->token, &nomem) : NULL;
        const char *refused =
            a->status == TF_STATUS_AUTH_FAILED ? "the org token was refused: " : "";
        if (said)
            a->error = text_printf("%sHTTP %ld: %s", refused, a->http, said);
        else if (!nomem)
            a->error = c->body.len ? text_printf("%sHTTP %ld (not a DevOps API answer: %s)",
                                                 refused, a->http, shown)
                                   : text_printf("%sHTTP %ld with an empty body", refused, a->http);
        free(said);
    }
    if (!a->page && !a->error)
        rc = TF_ERR_NOMEM;
out:
    json_decref(root);
    free(shown);
    return rc;
}

/* Judges a transfer that got no usable HTTP answer; names the proxy it went through, if any,
 * with its credentials masked (libcurl's message may quote them). */
static enum tf_err judge_transport(struct client *c, struct answer *a, const char *proxy,
                                   const char *proxy_from)
{
    struct classification cl;
    enum tf_err rc = classify_transport(a->code, c->errbuf, &cl);
    if (rc != TF_OK)
        return rc;
    a->status = cl.status;
    a->error = cl.error;
    if (!proxy)
        return TF_OK;
    char *secrets[PROXY_MAX_SECRETS];
    size_t n = 0;
    char *shown = proxy_display(proxy);
    if (!shown || proxy_secrets(proxy, secrets, &n) != 0) {
        free(shown);
        return TF_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        char *masked = a->error ? text_redact(a->error, secrets[i]) : NULL;
        free(a->error);
        a->error = masked;
        text_free_secret(secrets[i]);
    }
    char *named =
        a->error ? text_printf("%s, through proxy %s (%s)", a->error, shown, proxy_from) : NULL;
    free(a->error);
    free(shown);
    a->error = named;
    return named ? TF_OK : TF_ERR_NOMEM;
}

/* The request's headers: the token, JSON wanted, the request id. NULL when out of memory. */
static struct curl_slist *headers_for(const char *token, const char *request_id)
{
    char *auth = text_printf("Authorization: Bearer %s", token);
    char *rid = text_printf("x-cassandra-request-id: %s", request_id);
    struct curl_slist *l = auth && rid ? curl_slist_append(NULL, "Accept: application/json") : NULL;
    struct curl_slist *l2 = l ? curl_slist_append(l, rid) : NULL;
    struct curl_slist *l3 = l2 ? curl_slist_append(l2, auth) : NULL;
    text_free_secret(auth);
    free(rid);
    if (!l3)
        curl_slist_free_all(l);
    return l3;
}

/* The token line is wiped before the list is freed. */
static void free_headers(struct curl_slist *headers)
{
    for (struct curl_slist *l = headers; l; l = l->next)
        explicit_bzero(l->data, strlen(l->data));
    curl_slist_free_all(headers);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Sends one request for url (page `page`, attempt `tries`) and judges what came back. */
static enum tf_err send_once(struct client *c, const char *url, unsigned page, unsigned tries,
                             struct answer *a, char request_id[REQUEST_ID_LEN + 1])
{
    const struct driver_options *o = c->req->opt;
    unsigned char id[16];
    request_new_id(id, request_id);
    struct curl_slist *headers = headers_for(c->req->token, request_id);
    if (!headers)
        return TF_ERR_NOMEM;
    const char *from = NULL;
    const char *proxy = proxy_for_url(&o->proxy, url, &from);
    if (proxy && !*proxy)
        proxy = NULL; /* "" is no proxy: CURLOPT_PROXY stays "" */
    /* A request never runs past the deadline: its time bound is the shorter of the two. */
    long left = time_left(c), bound = o->timeout_ms;
    if (left >= 0 && (bound <= 0 || left < bound))
        bound = left > 0 ? left : 1; /* 0 would be no bound at all */
    CURLcode rc = curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, headers);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(c->easy, CURLOPT_TIMEOUT_MS, bound);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(c->easy, CURLOPT_URL, url);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(c->easy, CURLOPT_PROXY, proxy ? proxy : "");
    if (rc != CURLE_OK) {
        free_headers(headers);
        errorf(o->msg, "page %u: libcurl refused the request: %s", page, curl_easy_strerror(rc));
        return TF_ERR_CURL;
    }
    char *shown = proxy ? proxy_display(proxy) : NULL;
    verbosef(o->msg, "discover: GET %s (page %u, attempt %u, request id %s)%s%s%s%s%s", url, page,
             tries, request_id, shown ? " through proxy " : "", shown ? shown : "",
             shown ? " (" : "", shown ? from : "", shown ? ")" : "");
    free(shown);
    capbuf_reset(&c->body);
    c->errbuf[0] = '\0';
    memset(a, 0, sizeof *a);
    a->code = curl_easy_perform(c->easy);
    curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &a->http);
    curl_off_t retry_after = 0;
    if (a->http && curl_easy_getinfo(c->easy, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK &&
        retry_after > 0)
        a->retry_after_s = retry_after > LONG_MAX ? LONG_MAX : (long)retry_after;
    /* A write refused at the size cap still had a complete HTTP status: judge that. */
    enum tf_err err =
        a->code == CURLE_OK || (a->code == CURLE_WRITE_ERROR && c->body.truncated && a->http)
            ? judge_http(c, a)
            : judge_transport(c, a, proxy, from ? from : "?");
    curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, NULL);
    free_headers(headers);
    return err;
}

/* Gets page `page` from url, retrying as the policy allows. Returns TF_OK with *out the page's
 * array, TF_ERR_REMOTE with *error set, or another error. */
static enum tf_err fetch_page(struct client *c, const char *url, unsigned page, json_t **out,
                              char **error)
{
    const struct driver_options *o = c->req->opt;
    for (unsigned tries = 1;; tries++) {
        if (time_left(c) == 0) {
            *error = text_printf("page %u of the database list (GET %s): --deadline reached "
                                 "before attempt %u",
                                 page, url, tries);
            return *error ? TF_ERR_REMOTE : TF_ERR_NOMEM;
        }
        struct answer a;
        char request_id[REQUEST_ID_LEN + 1];
        enum tf_err rc = send_once(c, url, page, tries, &a, request_id);
        if (rc != TF_OK)
            return rc;
        if (a.status == TF_STATUS_OK) {
            *out = a.page;
            return TF_OK;
        }
        int worth = retry_is_retryable(a.status, a.http, a.code) || a.retry_anyway;
        if (!worth || tries > o->retry.retries) {
            *error =
                text_printf("page %u of the database list (GET %s, request id %s, attempt "
                            "%u%s): %s",
                            page, url, request_id, tries, worth ? ", no retry left" : "", a.error);
            free(a.error);
            return *error ? TF_ERR_REMOTE : TF_ERR_NOMEM;
        }
        long wait = retry_wait_ms(&o->retry, tries, a.http, a.retry_after_s, &c->rng);
        verbosef(o->msg, "discover: page %u (request id %s): %s, retrying in %ld ms", page,
                 request_id, a.error, wait);
        free(a.error);
        long left = time_left(c);
        sleep_ms(left >= 0 && left < wait ? left : wait);
    }
}

static char *dup_string(json_t *v)
{
    return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

/* The regions of info.datacenters into db, each once. Returns 0, or -1 when out of memory. */
static int take_regions(json_t *datacenters, struct devops_database *db)
{
    if (!datacenters || json_is_null(datacenters))
        return 0;
    if (!json_is_array(datacenters)) {
        db->shape = "info.datacenters is not a list";
        return 0;
    }
    size_t n = json_array_size(datacenters);
    if (n && !(db->regions = calloc(n, sizeof *db->regions)))
        return -1;
    for (size_t i = 0; i < n; i++) {
        json_t *region = json_object_get(json_array_get(datacenters, i), "region");
        if (!json_is_string(region)) {
            db->shape = "a datacenter has no region";
            continue;
        }
        const char *r = json_string_value(region);
        int seen = 0;
        for (size_t k = 0; k < db->n_regions && !seen; k++)
            seen = !strcmp(db->regions[k], r);
        if (seen)
            continue;
        if (!(db->regions[db->n_regions] = strdup(r)))
            return -1;
        db->n_regions++;
    }
    return 0;
}

/* Takes what an inventory needs out of one database of a page. Returns 0, or -1 when out of
 * memory. */
static int take_database(json_t *v, unsigned page, struct devops_database *db)
{
    memset(db, 0, sizeof *db);
    db->page = page;
    if (!json_is_object(v)) {
        db->shape = "not a JSON object";
        return 0;
    }
    json_t *info = json_object_get(v, "info");
    json_t *id = json_object_get(v, "id"), *status = json_object_get(v, "status");
    if ((json_is_string(id) && !(db->id = dup_string(id))) ||
        (json_is_string(status) && !(db->status = dup_string(status))))
        return -1;
    if (!json_is_object(info)) {
        db->shape = info ? "info is not an object" : "no info";
        return 0;
    }
    json_t *name = json_object_get(info, "name"), *keyspace = json_object_get(info, "keyspace");
    json_t *type = json_object_get(info, "dbType");
    if ((json_is_string(name) && !(db->name = dup_string(name))) ||
        (json_is_string(keyspace) && !(db->keyspace = dup_string(keyspace))))
        return -1;
    db->vector = json_is_string(type) && !strcmp(json_string_value(type), "vector");
    return take_regions(json_object_get(info, "datacenters"), db);
}

static void database_clear(struct devops_database *db)
{
    free(db->id);
    free(db->name);
    free(db->status);
    free(db->keyspace);
    for (size_t i = 0; i < db->n_regions; i++)
        free(db->regions[i]);
    free(db->regions);
}

void devops_listing_clear(struct devops_listing *l)
{
    for (size_t i = 0; i < l->count; i++)
        database_clear(&l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

/* Adds the databases of page (an array) to out, checking that none was listed before. Returns
 * TF_OK, TF_ERR_REMOTE with *error set, or TF_ERR_NOMEM. */
static enum tf_err add_page(json_t *page, unsigned number, const char *url, struct strset *seen,
                            struct devops_listing *out, char **error)
{
    size_t n = json_array_size(page);
    if (out->count + n > out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 256;
        while (cap < out->count + n)
            cap *= 2;
        struct devops_database *grown = realloc(out->items, cap * sizeof *grown);
        if (!grown)
            return TF_ERR_NOMEM;
        out->items = grown;
        out->cap = cap;
    }
    for (size_t i = 0; i < n; i++) {
        struct devops_database *db = &out->items[out->count];
        if (take_database(json_array_get(page, i), number, db) != 0) {
            database_clear(db);
            return TF_ERR_NOMEM;
        }
        out->count++;
        if (!db->id)
            continue;
        int added = strset_add(seen, db->id);
        if (added < 0)
            return TF_ERR_NOMEM;
        if (added == 0) {
            char *id = strdup(db->id);
            if (id)
                text_replace_controls(id);
            *error = id ? text_printf("page %u of the database list (GET %s) lists database %.64s "
                                      "again, which an earlier page listed: the API repeats "
                                      "itself, so the listing stopped there",
                                      number, url, id)
                        : NULL;
            free(id);
            return *error ? TF_ERR_REMOTE : TF_ERR_NOMEM;
        }
    }
    return TF_OK;
}

static enum tf_err set_up(struct client *c)
{
    const struct driver_options *o = c->req->opt;
    int nomem;
    c->connect_to = easy_options_connect_to(o, &nomem);
    if (nomem || !(c->easy = curl_easy_init()))
        return TF_ERR_NOMEM;
    CURLcode rc = easy_options_set(c->easy, o, c->connect_to, c->errbuf);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, on_write);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, c);
    if (rc != CURLE_OK) {
        errorf(o->msg, "libcurl refused an option: %s", curl_easy_strerror(rc));
        return TF_ERR_CURL;
    }
    if (getrandom(&c->rng, sizeof c->rng, 0) != (ssize_t)sizeof c->rng || !c->rng)
        c->rng = (uint64_t)clock_now_ms() | 1;
    return TF_OK;
}

enum tf_err devops_list(const struct devops_request *req, struct devops_listing *out, char **error)
{
    struct client c = {.req = req, .body = {.max = DEVOPS_MAX_PAGE}};
    if (req->opt->deadline_ms > 0)
        c.deadline = clock_now_ms() + req->opt->deadline_ms;
    struct strset seen = {0};
    char *url = NULL;
    memset(out, 0, sizeof *out);
    *error = NULL;
    enum tf_err rc = set_up(&c);
    for (unsigned page = 1; rc == TF_OK; page++) {
        const char *after = page > 1 ? out->items[out->count - 1].id : NULL;
        char *escaped = after ? curl_easy_escape(c.easy, after, 0) : NULL;
        free(url);
        url = text_printf("%s/v2/databases?include=nonterminated&provider=ALL&limit=%d%s%s",
                          req->api_url, DEVOPS_PAGE_LIMIT, escaped ? "&starting_after=" : "",
                          escaped ? escaped : "");
        curl_free(escaped);
        if (!url || (after && !escaped)) {
            rc = TF_ERR_NOMEM;
            break;
        }
        json_t *items = NULL;
        if ((rc = fetch_page(&c, url, page, &items, error)) != TF_OK)
            break;
        out->pages = page;
        size_t n = json_array_size(items);
        rc = add_page(items, page, url, &seen, out, error);
        json_decref(items);
        if (rc != TF_OK || n < DEVOPS_PAGE_LIMIT)
            break;
        if (!out->items[out->count - 1].id) {
            *error = text_printf("page %u of the database list (GET %s) is full, but its last "
                                 "database has no id: the next page cannot be asked for",
                                 page, url);
            rc = *error ? TF_ERR_REMOTE : TF_ERR_NOMEM;
        } else if (page == DEVOPS_MAX_PAGES) {
            *error =
                text_printf("the database list goes on past %d pages; stopped", DEVOPS_MAX_PAGES);
            rc = *error ? TF_ERR_REMOTE : TF_ERR_NOMEM;
        }
    }
    free(url);
    strset_clear(&seen);
    if (c.easy)
        curl_easy_cleanup(c.easy);
    curl_slist_free_all(c.connect_to);
    capbuf_free(&c.body);
    if (rc != TF_OK)
        devops_listing_clear(out);
    return rc;
}
