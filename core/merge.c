/* merge.c: shard reports -> one report. */
#include "core/merge.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/base/text.h"
#include "core/report.h"

/* A report file's size cap: a 100,000-target report is about 60 MB. */
#define MERGE_MAX_REPORT_BYTES (1024L * 1024 * 1024)

struct entry {
    json_t *result;   /* borrowed from its report */
    const char *name; /* its "target" */
    size_t file;      /* index of the report it came from */
};

/* Text from a report file, safe to print: control characters replaced (a crafted report must
 * not put terminal escapes on stderr). Returns a new string, or NULL when out of memory. */
static char *shown(const char *s)
{
    char *copy = strdup(s ? s : "");
    if (copy)
        text_replace_controls(copy);
    return copy;
}

static int by_target(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->file < y->file ? -1 : x->file > y->file);
}

static json_t *entry_at(void *ctx, size_t i)
{
    struct entry *e = ctx;
    return json_incref(e[i].result);
}

/* Loads and checks one report. Returns a new reference or NULL (printed). */
static json_t *load_report(const char *path, const struct tf_msg *msg)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        errorf(msg, "%s: cannot open: %m", path);
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && st.st_size > MERGE_MAX_REPORT_BYTES) {
        errorf(msg, "%s: %lld bytes, more than a report of this tool can be", path,
               (long long)st.st_size);
        fclose(f);
        return NULL;
    }
    json_error_t err;
    json_t *root = json_loadf(f, 0, &err);
    fclose(f);
    if (!root) {
        /* Not err.text: jansson quotes the input near the error, and a report holds tokens. */
        errorf(msg, "%s:%d:%d: not a JSON report (broken or cut short)", path, err.line,
               err.column);
        return NULL;
    }
    json_t *results = json_object_get(root, "results");
    if (!json_is_string(json_object_get(root, "tokenfleet")) ||
        !json_is_string(json_object_get(root, "mode")) || !json_is_array(results)) {
        errorf(msg, "%s: not a tokenfleet report (no tokenfleet, mode or results)", path);
        json_decref(root);
        return NULL;
    }
    size_t i;
    json_t *r;
    json_array_foreach(results, i, r)
    {
        if (!json_is_string(json_object_get(r, "target")) ||
            !json_is_string(json_object_get(r, "status"))) {
            errorf(msg, "%s: result %zu has no target or status", path, i + 1);
            json_decref(root);
            return NULL;
        }
    }
    return root;
}

/* The shards must be one split: the same N, each index once, none missing. */
static int check_shards(json_t **reports, const char *const *paths, size_t n,
                        const struct tf_msg *msg)
{
    json_int_t count = 0, hash = 0;
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_object_get(reports[i], "shard");
        json_int_t c = s ? json_integer_value(json_object_get(s, "count")) : 0;
        /* Reports of tokenfleet 0.1.0 before the hash was mixed carry none: version 1. */
        json_t *hv = s ? json_object_get(s, "hash") : NULL;
        json_int_t h = !s ? 0 : hv ? json_integer_value(hv) : 1;
        if (i == 0)
            hash = h;
        else if (h != hash && h && hash) { /* sharded with unsharded: the count says so below */
            errorf(msg,
                   "%s: split by shard hash version %lld, %s by version %lld: the same K/N "
                   "picks other targets in each, so they cannot be joined; run every shard "
                   "with one tokenfleet version",
                   paths[i], (long long)h, paths[0], (long long)hash);
            return 0;
        }
        if (s && c <= 0) {
            errorf(msg, "%s: shard count %lld is not a split tokenfleet makes", paths[i],
                   (long long)c);
            return 0;
        }
        if (i == 0)
            count = c;
        else if (c != count) {
            errorf(msg, "%s: from a split into %lld shards, %s from one into %lld", paths[i],
                   (long long)c, paths[0], (long long)count);
            return 0;
        }
    }
    if (count == 0)
        return 1; /* not sharded runs: nothing to check beyond duplicate targets */
    if (count > 65536) {
        errorf(msg, "%s: a split into %lld shards is more than tokenfleet makes (65536)", paths[0],
               (long long)count);
        return 0;
    }
    char *seen = calloc((size_t)count, 1);
    if (!seen)
        return 0;
    for (size_t i = 0; i < n; i++) {
        json_int_t k =
            json_integer_value(json_object_get(json_object_get(reports[i], "shard"), "index"));
        if (k < 0 || k >= count) {
            errorf(msg, "%s: shard index %lld is not below %lld", paths[i], (long long)k,
                   (long long)count);
            bad = 1;
        } else if (seen[k]++) {
            errorf(msg, "%s: shard %lld/%lld is given twice", paths[i], (long long)k,
                   (long long)count);
            bad = 1;
        }
    }
    for (json_int_t k = 0; k < count && !bad; k++)
        if (!seen[k]) {
            errorf(msg, "shard %lld/%lld is missing: give the report of every shard", (long long)k,
                   (long long)count);
            bad = 1;
        }
    free(seen);
    return !bad;
}

enum tf_err merge_reports(const char *const *paths, size_t n, FILE *out, const struct tf_msg *msg,
                          struct merge_outcome *outcome)
{
    enum tf_err rc = TF_ERR_USAGE;
    json_t **reports = calloc(n + 1, sizeof *reports);
    struct entry *entries = NULL;
    json_t *head = NULL;
    size_t total = 0, failed = 0;
    if (!reports)
        return TF_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        if (!(reports[i] = load_report(paths[i], msg)))
            goto out;
    const char *mode = json_string_value(json_object_get(reports[0], "mode"));
    for (size_t i = 1; i < n; i++)
        if (strcmp(mode, json_string_value(json_object_get(reports[i], "mode"))) != 0) {
            char *other = shown(json_string_value(json_object_get(reports[i], "mode")));
            char *first = shown(mode);
            errorf(msg, "%s: a %s report cannot be merged with %s's %s report", paths[i],
                   other ? other : "?", paths[0], first ? first : "?");
            free(other);
            free(first);
            goto out;
        }
    if (!check_shards(reports, paths, n, msg))
        goto out;

    for (size_t i = 0; i < n; i++)
        total += json_array_size(json_object_get(reports[i], "results"));
    entries = calloc(total + 1, sizeof *entries);
    if (!entries) {
        rc = TF_ERR_NOMEM;
        goto out;
    }
    const char *started = NULL, *finished = NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_object_get(reports[i], "started_at"));
        const char *f = json_string_value(json_object_get(reports[i], "finished_at"));
        /* RFC 3339 UTC stamps of one format compare as strings. */
        if (s && (!started || strcmp(s, started) < 0))
            started = s;
        if (f && (!finished || strcmp(f, finished) > 0))
            finished = f;
        size_t j;
        json_t *r;
        json_array_foreach(json_object_get(reports[i], "results"), j, r)
        {
            entries[k++] = (struct entry){r, json_string_value(json_object_get(r, "target")), i};
            failed += strcmp(json_string_value(json_object_get(r, "status")), "ok") != 0;
        }
    }
    qsort(entries, total, sizeof *entries, by_target);
    int dup = 0;
    for (size_t i = 1; i < total; i++)
        if (!strcmp(entries[i].name, entries[i - 1].name)) {
            char *name = shown(entries[i].name);
            errorf(msg, "target %s is in both %s and %s: reports of one split cannot overlap",
                   name ? name : "?", paths[entries[i - 1].file], paths[entries[i].file]);
            free(name);
            dup = 1;
        }
    if (dup)
        goto out;

    head = report_head_new(mode, started, finished, total, total - failed);
    if (head && json_object_set_new(head, "merged_reports", json_integer((json_int_t)n)) != 0) {
        json_decref(head);
        head = NULL;
    }
    if (!head) {
        rc = TF_ERR_JSON;
        goto out;
    }
    rc = report_write_stream(out, head, total, entry_at, entries);
    if (rc == TF_OK)
        *outcome = (struct merge_outcome){total, failed};
out:
    json_decref(head);
    free(entries);
    for (size_t i = 0; i < n; i++)
        json_decref(reports[i]);
    free(reports);
    return rc;
}
