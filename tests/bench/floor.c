/* floor.c: bench_floor, the benchmark's "floor": the least a libcurl multi program must do to send
 * the requests `tokenfleet provision` sends, and nothing else (no inventory, no report, no
 * response classification, no retries). What tokenfleet costs above it is what tokenfleet adds.
 *
 *   bench_floor -u USER [-j N] [--connect-to H:P:H:P]... [--cacert FILE] URLFILE
 *
 * URLFILE holds one URL a line. The password comes from $TF_BENCH_PASSWORD. Every request is what
 * core/driver.c sends: a POST of {"username":..,"password":..} with Content-Type and Accept
 * application/json, a fresh x-cassandra-request-id (libuuid) and tokenfleet's User-Agent; over
 * the same connections: a fixed pool of N easy handles reused, at most N in flight and refilled
 * as they finish, HTTP/1.1, a 4 KiB receive buffer, CURLOPT_CAPATH NULL (libcurl's CA cache),
 * and when no two URLs share a host a fresh connection per request that is not kept.
 * Answers go to a small buffer and are dropped. The loop is curl_multi_perform + curl_multi_poll:
 * the simplest correct one. Exit status 1 (and a count on stderr) when a transfer failed or got
 * a non-2xx status; 2 on bad usage or a set-up failure. */
#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#ifndef FLOOR_USER_AGENT
#define FLOOR_USER_AGENT "tokenfleet/0.0.0"
#endif
#define PASSWORD_ENV      "TF_BENCH_PASSWORD"
#define REQUEST_ID_HEADER "x-cassandra-request-id: "
#define UUID_LEN          36

struct slot {
    CURL *easy;
    struct curl_slist *headers;
    char *request_id; /* inside the last header line, UUID_LEN bytes */
    size_t url;       /* index of the URL in flight */
    char errbuf[CURL_ERROR_SIZE];
};

static char sink[4096]; /* every answer is read into it and dropped */

static size_t on_write(char *data, size_t size, size_t nmemb, void *userp)
{
    (void)userp;
    size_t n = size * nmemb;
    memcpy(sink, data, n < sizeof sink ? n : sizeof sink);
    return n;
}

/* s as a JSON string, escaped as jansson's compact dump (what tokenfleet sends) does it. */
static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            fputs("\\\"", out);
            break;
        case '\\':
            fputs("\\\\", out);
            break;
        case '\b':
            fputs("\\b", out);
            break;
        case '\f':
            fputs("\\f", out);
            break;
        case '\n':
            fputs("\\n", out);
            break;
        case '\r':
            fputs("\\r", out);
            break;
        case '\t':
            fputs("\\t", out);
            break;
        default:
            if (*p < 0x20)
                fprintf(out, "\\u%04X", (unsigned)*p);
            else
                fputc(*p, out);
        }
    }
    fputc('"', out);
}

static char *make_body(const char *user, const char *pass)
{
    char *body = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&body, &len);
    if (!out)
        return NULL;
    fputs("{\"username\":", out);
    json_string(out, user);
    fputs(",\"password\":", out);
    json_string(out, pass);
    fputc('}', out);
    if (fclose(out) != 0) {
        free(body);
        return NULL;
    }
    return body;
}

/* The URLs of path, one a line (blank lines skipped), pointing into *text. */
static char **read_urls(const char *path, char **text, size_t *count)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t len = 0;
    char *buf = NULL;
    FILE *mem = open_memstream(&buf, &len);
    char chunk[65536];
    size_t got;
    while (mem && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, got, mem);
    int bad = ferror(f);
    fclose(f);
    if (!mem || fclose(mem) != 0 || bad) {
        free(buf);
        return NULL;
    }
    size_t n = 0, cap = 1024;
    char **urls = malloc(cap * sizeof *urls);
    for (char *line = buf, *end; urls && line < buf + len; line = end + 1) {
        end = strchr(line, '\n');
        if (!end)
            end = buf + len; /* open_memstream keeps a NUL there */
        *end = '\0';
        if (end > line && end[-1] == '\r')
            end[-1] = '\0';
        if (!*line)
            continue;
        if (n == cap) {
            char **grown = realloc(urls, (cap *= 2) * sizeof *urls);
            if (!grown) {
                free(urls);
                urls = NULL;
                break;
            }
            urls = grown;
        }
        urls[n++] = line;
    }
    if (!urls) {
        free(buf);
        return NULL;
    }
    *text = buf;
    *count = n;
    return urls;
}

/* The "host:port" part of url (after the scheme, up to the path). */
static size_t host_part(const char *url, const char **start)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    *start = p;
    return strcspn(p, "/?#");
}

static int by_host(const void *a, const void *b)
{
    const char *x, *y;
    size_t lx = host_part(*(char *const *)a, &x);
    size_t ly = host_part(*(char *const *)b, &y);
    int c = strncmp(x, y, lx < ly ? lx : ly);
    return c ? c : (lx > ly) - (lx < ly);
}

/* 1 when no two URLs have the same host and port: tokenfleet then opens a fresh connection per
 * request and does not keep it (it decides per target; in the benchmark every host is distinct). */
static int hosts_distinct(char **urls, size_t n)
{
    char **sorted = malloc(n * sizeof *sorted);
    if (!sorted)
        return 0;
    memcpy(sorted, urls, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, by_host);
    int distinct = 1;
    for (size_t i = 1; i < n && distinct; i++)
        distinct = by_host(&sorted[i - 1], &sorted[i]) != 0;
    free(sorted);
    return distinct;
}

static int die(const char *why)
{
    fprintf(stderr, "bench_floor: %s\n", why);
    return 2;
}

static int usage(const char *why)
{
    if (why)
        fprintf(stderr, "bench_floor: %s\n", why);
    fprintf(stderr, "usage: bench_floor -u USER [-j N] [--connect-to H:P:H:P]... "
                    "[--cacert FILE] URLFILE\n(password from $" PASSWORD_ENV ")\n");
    return 2;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"user", required_argument, NULL, 'u'},
        {"connect-to", required_argument, NULL, 'C'},
        {"cacert", required_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    const char *user = NULL, *cacert = NULL;
    long j = 64;
    struct curl_slist *connect_to = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "u:j:", longopts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'u':
            user = optarg;
            break;
        case 'j':
            j = strtol(optarg, &end, 10);
            if (*end || j < 1 || j > 100000)
                return usage("-j needs a number from 1 to 100000");
            break;
        case 'C': {
            struct curl_slist *l = curl_slist_append(connect_to, optarg);
            if (!l)
                return die("out of memory");
            connect_to = l;
            break;
        }
        case 'c':
            cacert = optarg;
            break;
        default:
            return usage(NULL);
        }
    }
    const char *pass = getenv(PASSWORD_ENV);
    if (!user || optind != argc - 1)
        return usage(NULL);
    if (!pass)
        return usage("$" PASSWORD_ENV " is not set");

    char *text = NULL;
    size_t n = 0;
    char **urls = read_urls(argv[optind], &text, &n);
    char *body = make_body(user, pass);
    if (!urls) {
        fprintf(stderr, "bench_floor: cannot read %s\n", argv[optind]);
        return 2;
    }
    if (!body)
        return die("out of memory");
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return die("curl_global_init failed");
    long fresh = hosts_distinct(urls, n);
    size_t n_slots = (size_t)j < n ? (size_t)j : n;
    struct slot *slots = calloc(n_slots ? n_slots : 1, sizeof *slots);
    size_t *idle = calloc(n_slots ? n_slots : 1, sizeof *idle);
    size_t n_idle = 0;
    CURLM *multi = curl_multi_init();
    if (!slots || !idle || !multi)
        return die("out of memory");
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)n_slots);

    /* The handles, set up once as tokenfleet's slot_init does. */
    for (size_t i = 0; i < n_slots; i++) {
        struct slot *s = &slots[i];
        const char *fixed[] = {"Content-Type: application/json", "Accept: application/json",
                               REQUEST_ID_HEADER "00000000-0000-0000-0000-000000000000"};
        for (size_t k = 0; k < 3; k++) {
            struct curl_slist *l = curl_slist_append(s->headers, fixed[k]);
            if (!l)
                return die("out of memory");
            s->headers = l;
        }
        struct curl_slist *last = s->headers;
        while (last->next)
            last = last->next;
        s->request_id = last->data + strlen(REQUEST_ID_HEADER);
        CURL *e = s->easy = curl_easy_init();
        if (!e)
            return die("out of memory");
        CURLcode rc = CURLE_OK;
#define SET(opt, val)                                                                              \
    if (rc == CURLE_OK)                                                                            \
    rc = curl_easy_setopt(e, opt, val)
        SET(CURLOPT_PRIVATE, s);
        SET(CURLOPT_NOSIGNAL, 1L);
        SET(CURLOPT_ERRORBUFFER, s->errbuf);
        SET(CURLOPT_BUFFERSIZE, 4096L);
        SET(CURLOPT_WRITEFUNCTION, on_write);
        SET(CURLOPT_HTTPHEADER, s->headers);
        SET(CURLOPT_USERAGENT, FLOOR_USER_AGENT);
        SET(CURLOPT_POST, 1L);
        SET(CURLOPT_POSTFIELDSIZE, (long)strlen(body));
        SET(CURLOPT_POSTFIELDS, body);
        SET(CURLOPT_PROTOCOLS_STR, "http,https");
        SET(CURLOPT_FOLLOWLOCATION, 0L);
        SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
        SET(CURLOPT_SSL_VERIFYPEER, 1L);
        SET(CURLOPT_SSL_VERIFYHOST, 2L);
        SET(CURLOPT_TIMEOUT_MS, 10000L); /* tokenfleet's default --timeout */
        if (cacert)
            SET(CURLOPT_CAINFO, cacert);
        SET(CURLOPT_CAPATH, NULL);
        if (connect_to)
            SET(CURLOPT_CONNECT_TO, connect_to);
        SET(CURLOPT_FRESH_CONNECT, fresh);
        SET(CURLOPT_FORBID_REUSE, fresh);
#undef SET
        if (rc != CURLE_OK) {
            fprintf(stderr, "bench_floor: libcurl refused an option: %s\n", curl_easy_strerror(rc));
            return 2;
        }
        idle[n_idle++] = n_slots - 1 - i;
    }

    size_t next = 0, active = 0, failed = 0;
    for (;;) {
        while (n_idle && next < n) {
            struct slot *s = &slots[idle[--n_idle]];
            unsigned char id[16];
            char id_text[UUID_LEN + 1];
            uuid_generate_random(id);
            uuid_unparse_lower(id, id_text);
            memcpy(s->request_id, id_text, UUID_LEN);
            s->url = next;
            s->errbuf[0] = '\0';
            if (curl_easy_setopt(s->easy, CURLOPT_URL, urls[next++]) != CURLE_OK ||
                curl_multi_add_handle(multi, s->easy) != CURLM_OK) {
                fprintf(stderr, "bench_floor: cannot start %s\n", urls[s->url]);
                return 2;
            }
            active++;
        }
        if (!active)
            break;
        int running;
        CURLMcode mc = curl_multi_perform(multi, &running);
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(multi, &left))) {
            if (m->msg != CURLMSG_DONE)
                continue;
            CURL *e = m->easy_handle;
            CURLcode code = m->data.result;
            struct slot *s = NULL;
            long http = 0;
            curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&s);
            curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &http);
            if (code != CURLE_OK || http < 200 || http > 299) {
                if (!failed && code != CURLE_OK)
                    fprintf(stderr, "bench_floor: first failure: %s: %s\n", urls[s->url],
                            s->errbuf[0] ? s->errbuf : curl_easy_strerror(code));
                else if (!failed)
                    fprintf(stderr, "bench_floor: first failure: %s: HTTP %ld\n", urls[s->url],
                            http);
                failed++;
            }
            curl_multi_remove_handle(multi, e);
            active--;
            idle[n_idle++] = (size_t)(s - slots);
        }
        if (mc == CURLM_OK && (!active || (n_idle && next < n)))
            continue; /* refill (or end) before waiting */
        if (mc == CURLM_OK)
            mc = curl_multi_poll(multi, NULL, 0, 1000, NULL);
        if (mc != CURLM_OK) {
            fprintf(stderr, "bench_floor: libcurl multi: %s\n", curl_multi_strerror(mc));
            return 2;
        }
    }

    for (size_t i = 0; i < n_slots; i++) {
        curl_easy_cleanup(slots[i].easy);
        curl_slist_free_all(slots[i].headers);
    }
    curl_multi_cleanup(multi);
    curl_slist_free_all(connect_to);
    curl_global_cleanup();
    free(slots);
    free(idle);
    free(body);
    free(urls);
    free(text);
    if (failed) {
        fprintf(stderr, "bench_floor: %zu of %zu transfers failed\n", failed, n);
        return 1;
    }
    return 0;
}
