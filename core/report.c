/* report.c: the JSON report, built with jansson one result at a time. */
#include "core/report.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/base/path.h"
#include "core/base/text.h"
#include "core/base/utf8.h"
#include "version.h"

/* A JSON string of s. Text from outside (a server's message, libcurl's error buffer) should be
 * UTF-8 already; any byte that is not becomes '?' rather than costing the whole report. */
static json_t *text_value(const char *s)
{
    size_t len = strlen(s);
    if (utf8_valid_prefix(s, len) == len)
        return json_string(s);
    char *copy = utf8_repaired(s);
    json_t *v = copy ? json_string(copy) : NULL;
    free(copy);
    return v;
}

/* Returns a new reference to the result object of target t, or NULL when out of memory. */
static json_t *result_object(const struct target *t, const struct result *r, int with_tokens)
{
    json_t *ids = json_array();
    for (size_t i = 0; ids && i < r->n_attempts; i++) {
        const struct attempt *a = &r->attempts[i];
        char id[REQUEST_ID_LEN + 1];
        attempt_request_id(a, id);
        json_t *one =
            json_pack("{s:s, s:s, s:o}", "request_id", id, "status", tf_status_name(a->status),
                      "http_status", a->http_status ? json_integer(a->http_status) : json_null());
        /* A proof says what it was (check --verify's second request, an application token's
         * only one); auth requests are the rule. */
        if (one && a->step != STEP_AUTH &&
            json_object_set_new(one, "step",
                                json_string(a->step == STEP_DATA ? "data_api" : "keyspace")) != 0) {
            json_decref(one);
            one = NULL;
        }
        if (json_array_append_new(ids, one) != 0) {
            json_decref(ids);
            ids = NULL;
        }
    }
    char last[REQUEST_ID_LEN + 1];
    if (r->n_attempts)
        attempt_request_id(&r->attempts[r->n_attempts - 1], last);
    const char *last_id = r->n_attempts ? last : NULL;
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:s?, s:o, s:I}", "target",
                  t->name, "database", t->db->name.value, "cluster_id", t->db->id.value, "region",
                  t->region->value, "keyspace", t->db->keyspace.value, "username",
                  t->db->app_token ? "token" : t->db->username.value, "url", t->url, "status",
                  tf_status_name(r->status), "http_status",
                  r->http_status ? json_integer(r->http_status) : json_null(), "attempts",
                  (json_int_t)r->n_attempts, "request_id", last_id, "request_ids", ids,
                  "elapsed_ms", (json_int_t)r->elapsed_ms);
    if (!o)
        return NULL;
    int bad = 0;
    if (t->db->app_token) /* no auth request: an application token, proven on its API */
        bad |= json_object_set_new(o, "application_token",
                                   json_string(t->db->api == TARGET_API_DATA ? "data" : "rest"));
    if (r->status == TF_STATUS_OK && r->issued_at_ms) {
        char stamp[32];
        clock_format_utc_ms(r->issued_at_ms, stamp);
        bad |= json_object_set_new(o, "issued_at", json_string(stamp));
    }
    /* An application token is the user's own, long-lived secret: the env files carry it, the
     * report does not. */
    if (with_tokens && r->status == TF_STATUS_OK && r->token && !t->db->app_token)
        bad |= json_object_set_new(o, "token", json_string(r->token));
    bad |= json_object_set_new(o, "error", r->error ? text_value(r->error) : json_null());
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* Grows *buf (holding lines with tokens) to at least need bytes, keeping its first keep bytes:
 * a new block, at least twice the old, and the old one wiped before it is freed (realloc would
 * leave its tokens in freed memory). Returns 0, or -1 when out of memory (*buf unchanged). */
static int grow_secret(char **buf, size_t *cap, size_t need, size_t keep)
{
    size_t size = *cap * 2 > need ? *cap * 2 : need;
    char *grown = malloc(size);
    if (!grown)
        return -1;
    if (*buf) {
        memcpy(grown, *buf, keep);
        explicit_bzero(*buf, *cap);
        free(*buf);
    }
    *buf = grown;
    *cap = size;
    return 0;
}

/* Frees a buffer that held lines with tokens. */
static void free_secret(char *buf, size_t cap)
{
    if (buf)
        explicit_bzero(buf, cap);
    free(buf);
}

/* Dumps o compactly into *buf after `reserve` bytes kept for the caller, growing the buffer as
 * needed. Returns the length of the dump (not counting reserve), 0 on failure. */
static size_t dump_line(const json_t *o, char **buf, size_t *cap, size_t reserve)
{
    size_t len = json_dumpb(o, *cap > reserve ? *buf + reserve : NULL,
                            *cap > reserve ? *cap - reserve : 0, JSON_COMPACT);
    if (len && reserve + len > *cap) {
        if (grow_secret(buf, cap, reserve + len, reserve) != 0)
            return 0;
        len = json_dumpb(o, *buf + reserve, *cap - reserve, JSON_COMPACT);
    }
    return len;
}

/* Writes the report's opening: head without its closing brace, then the "results" array. */
static enum tf_err write_head(FILE *out, const json_t *head)
{
    char *text = json_dumps(head, JSON_COMPACT);
    if (!text)
        return TF_ERR_JSON;
    text[strlen(text) - 1] = '\0'; /* the closing brace gives way to the results array */
    int bad = fprintf(out, "%s,\"results\":[", text) < 0;
    free(text);
    return bad ? TF_ERR_IO : TF_OK;
}

/* Where the lines of a report come from: line_at gives line i's bytes (*len of them; NULL with
 * *rc set on failure), done tells that line i is in the report. */
struct line_source {
    const char *(*line_at)(void *ctx, size_t i, size_t *len, enum tf_err *rc);
    void (*done)(void *ctx, size_t i); /* may be NULL */
    void *ctx;
};

/* The one writer of every report: head (with "results" as its last member), then one result
 * per line. */
static enum tf_err write_report(FILE *out, const json_t *head, size_t n,
                                const struct line_source *src)
{
    enum tf_err rc = write_head(out, head);
    for (size_t i = 0; i < n && rc == TF_OK; i++) {
        size_t len = 0;
        const char *bytes = src->line_at(src->ctx, i, &len, &rc);
        if (bytes && (fputs(i ? ",\n" : "\n", out) < 0 || fwrite(bytes, 1, len, out) != len))
            rc = TF_ERR_IO;
        if (src->done)
            src->done(src->ctx, i);
    }
    if (rc == TF_OK && fputs("\n]}\n", out) < 0)
        rc = TF_ERR_IO;
    return rc;
}

/* A line buffer that may hold tokens. */
struct line_buf {
    char *bytes;
    size_t cap;
};

/* Dumps o (a new reference, consumed) into lb. Returns its bytes, or NULL with *rc set. */
static const char *dump_into(struct line_buf *lb, json_t *o, size_t *len, enum tf_err *rc)
{
    *len = o ? dump_line(o, &lb->bytes, &lb->cap, 0) : 0;
    json_decref(o);
    if (!*len) {
        *rc = TF_ERR_JSON;
        return NULL;
    }
    return lb->bytes;
}

struct stream_source {
    json_t *(*result_at)(void *ctx, size_t i);
    void *ctx;
    struct line_buf line;
};

static const char *stream_line(void *ctx, size_t i, size_t *len, enum tf_err *rc)
{
    struct stream_source *st = ctx;
    return dump_into(&st->line, st->result_at(st->ctx, i), len, rc);
}

enum tf_err report_write_stream(FILE *out, json_t *head, size_t n,
                                json_t *(*result_at)(void *ctx, size_t i), void *ctx)
{
    /* Each line is dumped into one buffer and written at once: json_dumpf writes every token
     * with its own (locked) fwrite, which was most of the report's cost. */
    struct stream_source st = {.result_at = result_at, .ctx = ctx};
    struct line_source src = {.line_at = stream_line, .ctx = &st};
    enum tf_err rc = write_report(out, head, n, &src);
    free_secret(st.line.bytes, st.line.cap); /* a merged report holds tokens */
    return rc;
}

json_t *report_head_new(const char *mode, const char *started_at, const char *finished_at,
                        size_t targets, size_t ok)
{
    return json_pack("{s:s, s:s, s:s?, s:s?, s:{s:I, s:I, s:I}}", "tokenfleet", TOKENFLEET_VERSION,
                     "mode", mode, "started_at", started_at, "finished_at", finished_at, "summary",
                     "targets", (json_int_t)targets, "ok", (json_int_t)ok, "failed",
                     (json_int_t)(targets - ok));
}

/* Lines are gathered in memory and written to the file a chunk at a time. */
#define SPOOL_CHUNK (64 * 1024)

/* The spool's file is read back through a window of this size, refilled where a line falls
 * outside it: lines finish nearly in inventory order, so that is a few large reads. (A map of
 * the whole file would count in the process's RSS: 45 MB for 100,000 targets.) */
#define SPOOL_WINDOW (1024 * 1024)

/* Blocks of the spool's file whose lines are all in the report are punched out of it as the
 * report is written, so that the two together need little more disk than the report alone. */
#define SPOOL_BLOCK (64 * 1024)

/* Result lines rendered as targets finished, in the order they finished: the first `flushed`
 * bytes in an unlinked file, the rest still in buf. */
struct report_spool {
    int fd;
    int with_tokens;
    int failed;         /* a write failed: later lines are rendered when the report is written */
    int64_t flushed;    /* bytes in the file */
    struct spooled {    /* per target; len 0 = not spooled */
        int64_t offset; /* in the file, then in buf past flushed */
        uint32_t len;
    } * lines;
    size_t n;
    char *buf; /* lines not written yet */
    size_t buf_len, cap;
    uint32_t *pending; /* per SPOOL_BLOCK of the file: lines touching it not yet copied to the
                          report, so that copied blocks can be given back to the file system */
    size_t n_blocks;
};

struct report_spool *report_spool_new(const char *report_path, size_t n, int with_tokens)
{
    const char *slash = strrchr(report_path, '/');
    char *dir = slash ? strndup(report_path, (size_t)(slash - report_path) + (slash == report_path))
                      : strdup(".");
    struct report_spool *sp = calloc(1, sizeof *sp);
    if (sp)
        sp->fd = -1;
    if (!dir || !sp)
        goto fail;
    sp->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    sp->lines = calloc(n ? n : 1, sizeof *sp->lines);
    if (sp->fd < 0 || !sp->lines)
        goto fail;
    sp->n = n;
    sp->with_tokens = with_tokens;
    free(dir);
    return sp;
fail:
    if (sp && sp->fd >= 0)
        close(sp->fd);
    if (sp)
        free(sp->lines);
    free(sp);
    free(dir);
    return NULL;
}

/* Writes what buf holds to the file. Returns 0, or -1 with buf kept as it was. */
static int spool_flush(struct report_spool *sp)
{
    size_t done = 0;
    while (done < sp->buf_len) {
        ssize_t w = pwrite(sp->fd, sp->buf + done, sp->buf_len - done,
                           (off_t)(sp->flushed + (int64_t)done));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        done += (size_t)w;
    }
    explicit_bzero(sp->buf, sp->buf_len); /* lines hold tokens */
    sp->flushed += (int64_t)done;
    sp->buf_len = 0;
    return 0;
}

int report_spool_add(struct report_spool *sp, size_t i, const struct target *t,
                     const struct result *r)
{
    if (!sp || sp->failed || i >= sp->n)
        return 0;
    json_t *o = result_object(t, r, sp->with_tokens);
    size_t len = o ? dump_line(o, &sp->buf, &sp->cap, sp->buf_len) : 0;
    json_decref(o);
    if (!len || len > UINT32_MAX) {
        sp->failed = 1;
        return 0;
    }
    int64_t at = sp->flushed + (int64_t)sp->buf_len;
    size_t last = (size_t)((at + (int64_t)len - 1) / SPOOL_BLOCK);
    if (last >= sp->n_blocks) {
        size_t n = (last + 1) * 2;
        uint32_t *grown = realloc(sp->pending, n * sizeof *grown);
        if (!grown) {
            sp->failed = 1;
            return 0;
        }
        memset(grown + sp->n_blocks, 0, (n - sp->n_blocks) * sizeof *grown);
        sp->pending = grown;
        sp->n_blocks = n;
    }
    for (size_t b = (size_t)(at / SPOOL_BLOCK); b <= last; b++)
        sp->pending[b]++;
    sp->lines[i] = (struct spooled){at, (uint32_t)len};
    sp->buf_len += len;
    if (sp->buf_len >= SPOOL_CHUNK && spool_flush(sp) != 0)
        sp->failed = 1; /* a full disk costs speed, not the report: what is in buf stays */
    return 1;
}

void report_spool_free(struct report_spool *sp)
{
    if (!sp)
        return;
    close(sp->fd);
    free_secret(sp->buf, sp->cap);
    free(sp->lines);
    free(sp->pending);
    free(sp);
}

struct spool_reader {
    struct report_spool *sp;
    char *win;
    size_t cap;
    int64_t at; /* file offset of win[0] */
    size_t len; /* bytes in win */
};

/* Returns the bytes of target i's spooled line (sp->lines[i].len of them); NULL with *rc TF_OK
 * when it was not spooled, NULL with *rc set when it cannot be read back (its token may be gone
 * from the result: rendering it afresh could lose it silently). */
static const char *spooled_line(struct spool_reader *rd, size_t i, enum tf_err *rc)
{
    struct report_spool *sp = rd->sp;
    *rc = TF_OK;
    if (!sp || !sp->lines[i].len)
        return NULL;
    int64_t at = sp->lines[i].offset;
    size_t len = sp->lines[i].len;
    if (at >= sp->flushed)
        return sp->buf + (at - sp->flushed);
    if (at >= rd->at && at + (int64_t)len <= rd->at + (int64_t)rd->len)
        return rd->win + (at - rd->at);
    size_t want = len > SPOOL_WINDOW ? len : SPOOL_WINDOW;
    if (want > (size_t)(sp->flushed - at))
        want = (size_t)(sp->flushed - at);
    if (want > rd->cap && grow_secret(&rd->win, &rd->cap, want, 0) != 0) {
        *rc = TF_ERR_NOMEM;
        return NULL;
    }
    rd->len = 0;
    rd->at = at;
    while (rd->len < want) {
        ssize_t got =
            pread(sp->fd, rd->win + rd->len, want - rd->len, (off_t)(at + (int64_t)rd->len));
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        rd->len += (size_t)got;
    }
    if (rd->len < len) {
        *rc = TF_ERR_IO;
        return NULL;
    }
    return rd->win;
}

/* Line i is in the report: the file blocks that held only copied lines are given back (where
 * the file system can punch holes; elsewhere the file keeps its size until it is closed). */
static void spool_release(struct spool_reader *rd, size_t i)
{
    struct report_spool *sp = rd->sp;
    if (!sp || !sp->lines[i].len)
        return;
    int64_t at = sp->lines[i].offset;
    size_t last = (size_t)((at + (int64_t)sp->lines[i].len - 1) / SPOOL_BLOCK);
    for (size_t b = (size_t)(at / SPOOL_BLOCK); b <= last; b++)
        if (--sp->pending[b] == 0 && (int64_t)(b + 1) * SPOOL_BLOCK <= sp->flushed)
            fallocate(sp->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)b * SPOOL_BLOCK,
                      SPOOL_BLOCK);
}

/* A run's lines: copied from the spool where a line is there, rendered where not. */
struct run_source {
    struct spool_reader rd;
    const struct report_meta *meta;
    const struct target_list *targets;
    const struct result *results;
    struct line_buf line;
};

static const char *run_line(void *ctx, size_t i, size_t *len, enum tf_err *rc)
{
    struct run_source *rs = ctx;
    const char *bytes = spooled_line(&rs->rd, i, rc);
    if (bytes) {
        *len = rs->rd.sp->lines[i].len;
        return bytes;
    }
    if (*rc != TF_OK)
        return NULL;
    return dump_into(&rs->line,
                     result_object(&rs->targets->items[i], &rs->results[i], rs->meta->with_tokens),
                     len, rc);
}

static void run_line_done(void *ctx, size_t i)
{
    struct run_source *rs = ctx;
    spool_release(&rs->rd, i);
}

enum tf_err report_write(FILE *out, const struct report_meta *meta,
                         const struct target_list *targets, const struct result *results)
{
    size_t ok = 0;
    for (size_t i = 0; i < targets->count; i++)
        ok += results[i].status == TF_STATUS_OK;
    char started[32], finished[32];
    clock_format_utc(meta->started_at, started);
    clock_format_utc(meta->finished_at, finished);
    json_t *head = report_head_new(meta->mode, started, finished, targets->count, ok);
    if (head && meta->shard_count &&
        json_object_set_new(head, "shard",
                            json_pack("{s:I, s:I, s:I}", "index", (json_int_t)meta->shard_index,
                                      "count", (json_int_t)meta->shard_count, "hash",
                                      (json_int_t)meta->shard_hash)) != 0) {
        json_decref(head);
        head = NULL;
    }
    if (!head)
        return TF_ERR_JSON;
    struct run_source rs = {
        .rd = {.sp = meta->spool && meta->spool->n == targets->count ? meta->spool : NULL},
        .meta = meta,
        .targets = targets,
        .results = results};
    struct line_source src = {.line_at = run_line, .done = run_line_done, .ctx = &rs};
    enum tf_err rc = write_report(out, head, targets->count, &src);
    json_decref(head);
    free_secret(rs.line.bytes, rs.line.cap);
    free_secret(rs.rd.win, rs.rd.cap);
    return rc;
}
