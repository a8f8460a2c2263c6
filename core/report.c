/* report.c: the JSON report, built with jansson one result at a time. */
#include "core/report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "version.h"

void report_format_time(struct timespec t, char buf[32])
{
    struct tm tm;
    gmtime_r(&t.tv_sec, &tm);
    size_t n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, 32 - n, ".%03ldZ", t.tv_nsec / 1000000L);
}

static json_t *time_value(struct timespec t)
{
    char buf[32];
    report_format_time(t, buf);
    return json_string(buf);
}

/* A JSON string of s. Text from outside (a server's message, libcurl's error buffer) should be
 * UTF-8 already; any byte that is not becomes '?' rather than costing the whole report. */
static json_t *text_value(const char *s)
{
    size_t len = strlen(s);
    if (text_utf8_valid_prefix(s, len) == len)
        return json_string(s);
    char *copy = strdup(s);
    if (!copy)
        return NULL;
    for (size_t i = 0; i < len;) {
        size_t valid = text_utf8_valid_prefix(copy + i, len - i);
        i += valid;
        if (i < len)
            copy[i++] = '?';
    }
    json_t *v = json_string(copy);
    free(copy);
    return v;
}

/* Returns a new reference to the result object of target t, or NULL when out of memory. */
static json_t *result_object(const struct target *t, const struct result *r, int with_tokens)
{
    json_t *ids = json_array();
    for (size_t i = 0; ids && i < r->n_attempts; i++) {
        const struct attempt *a = &r->attempts[i];
        json_t *one = json_pack("{s:s, s:s, s:o}", "request_id", a->request_id, "status",
                                tf_status_name(a->status), "http_status",
                                a->http_status ? json_integer(a->http_status) : json_null());
        /* check --verify's second request says what it was; auth requests are the rule. */
        if (one && a->step == STEP_KEYSPACE &&
            json_object_set_new(one, "step", json_string("keyspace")) != 0) {
            json_decref(one);
            one = NULL;
        }
        if (json_array_append_new(ids, one) != 0) {
            json_decref(ids);
            ids = NULL;
        }
    }
    const char *last_id = r->n_attempts ? r->attempts[r->n_attempts - 1].request_id : NULL;
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:s?, s:o, s:I}", "target",
                  t->name, "database", t->db->name.value, "cluster_id", t->db->id.value, "region",
                  t->region->value, "keyspace", t->db->keyspace.value, "username",
                  t->db->username.value, "url", t->url, "status", tf_status_name(r->status),
                  "http_status", r->http_status ? json_integer(r->http_status) : json_null(),
                  "attempts", (json_int_t)r->n_attempts, "request_id", last_id, "request_ids", ids,
                  "elapsed_ms", (json_int_t)r->elapsed_ms);
    if (!o)
        return NULL;
    int bad = 0;
    if (with_tokens && r->status == TF_STATUS_OK && r->token)
        bad |= json_object_set_new(o, "token", json_string(r->token));
    bad |= json_object_set_new(o, "error", r->error ? text_value(r->error) : json_null());
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

enum tf_err report_write_stream(FILE *out, json_t *head, size_t n,
                                json_t *(*result_at)(void *ctx, size_t i), void *ctx)
{
    char *text = json_dumps(head, JSON_COMPACT);
    if (!text)
        return TF_ERR_JSON;
    /* The header's closing brace gives way to the results array. */
    text[strlen(text) - 1] = '\0';
    int bad = fprintf(out, "%s,\"results\":[", text) < 0;
    free(text);
    for (size_t i = 0; i < n && !bad; i++) {
        json_t *o = result_at(ctx, i);
        if (!o)
            return TF_ERR_JSON;
        bad |= fputs(i ? ",\n" : "\n", out) < 0;
        bad |= json_dumpf(o, out, JSON_COMPACT) != 0;
        json_decref(o);
    }
    bad |= fputs("\n]}\n", out) < 0;
    return bad ? TF_ERR_IO : TF_OK;
}

struct run_results {
    const struct target_list *targets;
    const struct result *results;
    int with_tokens;
};

static json_t *run_result_at(void *ctx, size_t i)
{
    const struct run_results *r = ctx;
    return result_object(&r->targets->items[i], &r->results[i], r->with_tokens);
}

enum tf_err report_write(FILE *out, const struct report_meta *meta,
                         const struct target_list *targets, const struct result *results)
{
    size_t ok = 0;
    for (size_t i = 0; i < targets->count; i++)
        ok += results[i].status == TF_STATUS_OK;
    json_t *head =
        json_pack("{s:s, s:s, s:o, s:o, s:{s:I, s:I, s:I}}", "tokenfleet", TOKENFLEET_VERSION,
                  "mode", meta->mode, "started_at", time_value(meta->started_at), "finished_at",
                  time_value(meta->finished_at), "summary", "targets", (json_int_t)targets->count,
                  "ok", (json_int_t)ok, "failed", (json_int_t)(targets->count - ok));
    if (head && meta->shard_count &&
        json_object_set_new(head, "shard",
                            json_pack("{s:I, s:I}", "index", (json_int_t)meta->shard_index, "count",
                                      (json_int_t)meta->shard_count)) != 0) {
        json_decref(head);
        head = NULL;
    }
    if (!head)
        return TF_ERR_JSON;
    struct run_results ctx = {targets, results, meta->with_tokens};
    enum tf_err rc = report_write_stream(out, head, targets->count, run_result_at, &ctx);
    json_decref(head);
    return rc;
}
