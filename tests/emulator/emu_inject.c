/* emu_inject: buffers for the small answers, content readers for the ones that misbehave mid-body.
 */
#include "emu_inject.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <jansson.h>
#include <uuid/uuid.h>

#include "emu_reply.h"

/* Nanoseconds between two bytes of a drip. */
#define EMU_DRIP_INTERVAL_NS 1000000000
/* Bytes a truncated answer promises beyond the ones it sends. */
#define EMU_TRUNCATE_MISSING 64u
/* Buffer MHD gives a content reader (bytes); a huge body goes out in blocks of this. */
#define EMU_READER_BLOCK (64u * 1024u)

/* State of one content-reader answer; freed with its response. */
struct emu_stream {
    enum emu_fault_action action; /* RESET, TRUNCATE, HUGE or DRIP */
    char *body;                   /* RESET, TRUNCATE, DRIP: the JSON token body (malloc) */
    size_t len;                   /* bytes in BODY */
    int fd;                       /* RESET: the connection's socket, to make close() reset it */
    struct MHD_Connection *conn;  /* DRIP: suspended between bytes */
    struct emu_sched *sched;      /* DRIP: resumes CONN */
    int64_t next_ns;              /* DRIP: when the next byte may go (emu_sched_now_ns clock) */
};

static const char huge_head[] = "{\"authToken\":\"";
static const char huge_tail[] = "\"}";

static const char html201_page[] =
    "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>"
    "<h1>Sign in to continue</h1><form method=\"post\" action=\"/login\">"
    "<input name=\"user\"><input name=\"password\" type=\"password\"></form></body></html>\n";

static ssize_t read_reset(struct emu_stream *st, uint64_t pos, char *buf, size_t max)
{
    size_t cut = st->len / 2; /* headers and half the body, then the reset */
    if (pos < cut) {
        size_t n = cut - (size_t)pos < max ? cut - (size_t)pos : max;
        memcpy(buf, st->body + pos, n);
        return (ssize_t)n;
    }
    /*
     * MHD shuts the socket down for writing before it closes it, and that FIN would reach the
     * client first. Disconnecting the socket (connect to AF_UNSPEC) makes Linux send the RST now;
     * linger {on, 0 s} makes the close reset it anyway should that fail.
     */
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    struct sockaddr unspec = {.sa_family = AF_UNSPEC};
    (void)setsockopt(st->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    (void)connect(st->fd, &unspec, sizeof unspec);
    return MHD_CONTENT_READER_END_WITH_ERROR;
}

static ssize_t read_truncate(struct emu_stream *st, uint64_t pos, char *buf, size_t max)
{
    if (pos >= st->len)
        return MHD_CONTENT_READER_END_WITH_ERROR; /* MHD closes: the body stays short */
    size_t n = st->len - (size_t)pos < max ? st->len - (size_t)pos : max;
    memcpy(buf, st->body + pos, n);
    return (ssize_t)n;
}

/* {"authToken":"aaaa...aaaa"}, EMU_INJECT_HUGE_SIZE bytes in all, made up block by block. */
static ssize_t read_huge(uint64_t pos, char *buf, size_t max)
{
    const uint64_t total = EMU_INJECT_HUGE_SIZE;
    const uint64_t head = sizeof huge_head - 1;
    const uint64_t tail_at = total - (sizeof huge_tail - 1);
    size_t n = 0;
    if (pos >= total)
        return MHD_CONTENT_READER_END_OF_STREAM;
    while (n < max && pos + n < total) {
        uint64_t p = pos + n;
        if (p < head)
            buf[n] = huge_head[p];
        else if (p >= tail_at)
            buf[n] = huge_tail[p - tail_at];
        else
            buf[n] = 'a';
        n++;
    }
    return (ssize_t)n;
}

/* One byte, then the connection sleeps (suspended, no thread blocked) until the next is due. */
static ssize_t read_drip(struct emu_stream *st, uint64_t pos, char *buf, size_t max)
{
    if (pos >= st->len || max == 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    int64_t now = emu_sched_now_ns();
    if (pos > 0 && now < st->next_ns) {
        if (emu_sched_sleep_until(st->sched, st->conn, st->next_ns) != 0)
            return MHD_CONTENT_READER_END_WITH_ERROR; /* shutting down */
        return 0;
    }
    buf[0] = st->body[pos];
    st->next_ns = now + EMU_DRIP_INTERVAL_NS;
    return 1;
}

static ssize_t read_stream(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct emu_stream *st = cls;
    switch (st->action) {
    case EMU_FAULT_RESET:
        return read_reset(st, pos, buf, max);
    case EMU_FAULT_TRUNCATE:
        return read_truncate(st, pos, buf, max);
    case EMU_FAULT_HUGE:
        return read_huge(pos, buf, max);
    case EMU_FAULT_DRIP:
        return read_drip(st, pos, buf, max);
    default:
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
}

static void free_stream(void *cls)
{
    struct emu_stream *st = cls;
    free(st->body);
    free(st);
}

/* Writes T as an RFC 7231 IMF-fixdate ("Wed, 21 Oct 2015 07:28:00 GMT"), whatever the locale. */
static void imf_fixdate(time_t t, char *out, size_t size)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, size, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7], tm.tm_mday,
             months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* A gateway's error page: STATUS with text/html and, if asked, Retry-After. */
static struct MHD_Response *gateway_error(const struct emu_fault_step *step)
{
    const char *reason = MHD_get_reason_phrase_for(step->status);
    char page[512];
    int len = snprintf(page, sizeof page,
                       "<html><head><title>%u %s</title></head><body><center><h1>%u %s</h1>"
                       "</center><hr><center>stargate-emulator</center></body></html>\n",
                       step->status, reason, step->status, reason);
    if (len < 0 || (size_t)len >= sizeof page)
        return NULL;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer((size_t)len, page, MHD_RESPMEM_MUST_COPY);
    if (resp == NULL)
        return NULL;
    char value[64] = "";
    if (step->retry_after == EMU_RETRY_AFTER_SECONDS)
        snprintf(value, sizeof value, "%u", step->retry_after_s);
    else if (step->retry_after == EMU_RETRY_AFTER_DATE)
        imf_fixdate(time(NULL) + (time_t)step->retry_after_s, value, sizeof value);
    if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/html") != MHD_YES ||
        (value[0] != '\0' &&
         MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, value) != MHD_YES)) {
        MHD_destroy_response(resp);
        return NULL;
    }
    return resp;
}

/* Sets R to 201 {"authToken":<a fresh UUID v4>}, as a real answer would be. Returns 0 or -1. */
static int fresh_token(struct emu_reply *r)
{
    uuid_t u;
    char text[37];
    uuid_generate_random(u);
    uuid_unparse_lower(u, text);
    return emu_reply_token(r, text);
}

/* Sets R to the 201 body of a token-* step, built by jansson. Returns 0 or -1 (ENOMEM). */
static int odd_token(enum emu_fault_action action, struct emu_reply *r)
{
    json_t *obj;
    switch (action) {
    case EMU_FAULT_TOKEN_NEWLINE:
        return emu_reply_token(r, "abc\ndef");
    case EMU_FAULT_TOKEN_QUOTES:
        return emu_reply_token(r, "ab\"c'd");
    case EMU_FAULT_TOKEN_SHELL:
        return emu_reply_token(r, "$(touch /tmp/pwned)`echo x`;x=1");
    case EMU_FAULT_TOKEN_EMPTY:
        return emu_reply_token(r, "");
    case EMU_FAULT_TOKEN_NUMBER:
        obj = json_pack("{s:i}", "authToken", 12345);
        break;
    default:
        return -1;
    }
    memset(r, 0, sizeof *r);
    if (obj == NULL)
        return -1;
    r->body = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (r->body == NULL)
        return -1;
    r->body_len = strlen(r->body);
    r->status = 201;
    r->cache_control = EMU_CACHE_TOKEN;
    return 0;
}

/* A 201 from a buffer: the JSON reply R (taken), or the HTML page when HTML. */
static struct MHD_Response *buffered_201(struct emu_reply *r, bool html)
{
    struct MHD_Response *resp;
    if (html)
        resp = MHD_create_response_from_buffer(sizeof html201_page - 1, (void *)html201_page,
                                               MHD_RESPMEM_PERSISTENT);
    else
        resp = MHD_create_response_from_buffer(r->body_len, r->body, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL)
        return NULL;
    if (!html)
        r->body = NULL; /* the response frees it now */
    const char *ctype = html ? "text/html; charset=utf-8" : "application/json";
    if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype) != MHD_YES ||
        (!html && MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, EMU_CACHE_TOKEN) !=
                      MHD_YES)) {
        MHD_destroy_response(resp);
        return NULL;
    }
    return resp;
}

/* A 201 whose body comes from a content reader. */
static struct MHD_Response *streamed_201(const struct emu_fault_step *step,
                                         struct MHD_Connection *conn, struct emu_sched *sched)
{
    struct emu_reply r = {0};
    struct MHD_Response *resp = NULL;
    struct emu_stream *st = calloc(1, sizeof *st);
    if (st == NULL)
        return NULL;
    st->action = step->action;
    st->fd = -1;
    uint64_t total = EMU_INJECT_HUGE_SIZE;
    size_t block = EMU_READER_BLOCK;
    if (step->action != EMU_FAULT_HUGE) {
        if (fresh_token(&r) != 0)
            goto fail;
        st->body = r.body;
        st->len = r.body_len;
        r.body = NULL;
        total = st->len;
        block = 1024;
    }
    if (step->action == EMU_FAULT_TRUNCATE)
        total += EMU_TRUNCATE_MISSING;
    if (step->action == EMU_FAULT_RESET) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        st->fd = ci != NULL ? ci->connect_fd : -1;
    }
    if (step->action == EMU_FAULT_DRIP) {
        st->conn = conn;
        st->sched = sched;
    }
    resp = MHD_create_response_from_callback(total, block, read_stream, st, free_stream);
    if (resp == NULL)
        goto fail;
    st = NULL; /* the response frees it now */
    if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json") !=
            MHD_YES ||
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, EMU_CACHE_TOKEN) != MHD_YES) {
        MHD_destroy_response(resp);
        return NULL;
    }
    return resp;
fail:
    emu_reply_clear(&r);
    if (st != NULL)
        free_stream(st);
    return NULL;
}

struct MHD_Response *emu_inject_response(const struct emu_fault_step *step,
                                         struct MHD_Connection *conn, struct emu_sched *sched,
                                         unsigned int *status)
{
    struct emu_reply r = {0};
    struct MHD_Response *resp = NULL;

    *status = 201;
    switch (step->action) {
    case EMU_FAULT_STATUS:
        *status = step->status;
        return gateway_error(step);
    case EMU_FAULT_RESET:
    case EMU_FAULT_TRUNCATE:
    case EMU_FAULT_HUGE:
    case EMU_FAULT_DRIP:
        return streamed_201(step, conn, sched);
    case EMU_FAULT_HTML201:
        return buffered_201(&r, true);
    case EMU_FAULT_EMPTY201:
        return buffered_201(&r, false);
    case EMU_FAULT_TOKEN_NEWLINE:
    case EMU_FAULT_TOKEN_QUOTES:
    case EMU_FAULT_TOKEN_SHELL:
    case EMU_FAULT_TOKEN_EMPTY:
    case EMU_FAULT_TOKEN_NUMBER:
        if (odd_token(step->action, &r) == 0)
            resp = buffered_201(&r, false);
        emu_reply_clear(&r);
        return resp;
    case EMU_FAULT_OK:
    case EMU_FAULT_STALL:
    default:
        return NULL;
    }
}
