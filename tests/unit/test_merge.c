/* test_merge.c: merge-reports (core/merge.h) on small report files written as tokenfleet writes
 * them (core/report.c: a compact header with "results" last, one result per line), in a mkdtemp
 * folder that is the working directory meanwhile, so that messages name files as given.
 * Merging: every result, unchanged (tokens included), sorted by target; the summary recounted
 * from the results whatever the reports said; the earliest started_at and the latest finished_at;
 * merged_reports; no shard; the order of the files given does not matter; nothing printed.
 * Refusing, with TF_ERR_USAGE and nothing written to out: a shard missing, given twice (the same
 * file or two), out of range, shards of different splits, sharded with unsharded, a target in two
 * reports (or twice in one), mixed modes, a file that cannot be read, is not JSON, or is JSON but
 * not a report; each message names the file it is about, and none quotes a token. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/merge.h"
#include "version.h"

#define TOKEN_PREFIX "AstraCS:secret-"

static char dir[64];
static char old_cwd[PATH_MAX];

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/tf-unit-merge-XXXXXX");
    assert_non_null(mkdtemp(dir));
    assert_non_null(getcwd(old_cwd, sizeof old_cwd));
    assert_int_equal(chdir(dir), 0);
    return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(chdir(old_cwd), 0);
    return nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A report as a test describes it. */
struct spec {
    const char *mode;     /* NULL: "provision" */
    const char *started;  /* started_at; NULL: a fixed stamp */
    const char *finished; /* finished_at; NULL: a fixed stamp */
    int shard_index;
    int shard_count;   /* 0: not sharded (no "shard" member) */
    const char *items; /* "target=status,...": ok targets get a token */
    int wrong_summary; /* write a summary that does not match the results */
};

static void put_text(const char *name, const char *text)
{
    FILE *f = fopen(name, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

/* One result line, as report.c renders it. */
static void put_result(FILE *f, const char *target, const char *status, size_t i)
{
    char db[64];
    snprintf(db, sizeof db, "%.*s", (int)strcspn(target, "/"), target);
    const char *region = strchr(target, '/') ? strchr(target, '/') + 1 : "us-east1";
    int ok = !strcmp(status, "ok");
    long http = ok ? 201 : !strcmp(status, "auth_failed") ? 401 : 0;
    char id[40], http_text[8];
    snprintf(id, sizeof id, "0b6c1ff4-5b3c-4f4e-9d0e-%012zu", i + 1);
    if (http)
        snprintf(http_text, sizeof http_text, "%ld", http);
    else
        strcpy(http_text, "null");
    fprintf(f,
            "{\"target\":\"%s\",\"database\":\"%s\",\"cluster_id\":"
            "\"6513270e-269e-4d37-b2a7-4de452e6b438\",\"region\":\"%s\",\"keyspace\":\"%s\","
            "\"username\":\"%s_svc\",\"url\":\"https://6513270e-269e-4d37-b2a7-4de452e6b438-%s."
            "apps.astra.datastax.com/api/rest/v1/auth\",\"status\":\"%s\",\"http_status\":%s,"
            "\"attempts\":1,\"request_id\":\"%s\",\"request_ids\":[{\"request_id\":\"%s\","
            "\"status\":\"%s\",\"http_status\":%s}],\"elapsed_ms\":%zu,",
            target, db, region, db, db, region, status, http_text, id, id, status, http_text,
            100 + i);
    if (ok)
        fprintf(f, "\"token\":\"" TOKEN_PREFIX "%s\",\"error\":null}", target);
    else
        fprintf(f, "\"error\":\"HTTP %ld: refused %s\"}", http, target);
}

/* Writes the report sp describes to name. */
static void put_report(const char *name, const struct spec *sp)
{
    char *items = strdup(sp->items);
    assert_non_null(items);
    char *targets[32], *statuses[32];
    size_t n = 0, ok = 0;
    for (char *save, *item = strtok_r(items, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        assert_true(n < 32);
        char *eq = strchr(item, '=');
        assert_non_null(eq);
        *eq = '\0';
        targets[n] = item;
        statuses[n] = eq + 1;
        ok += !strcmp(statuses[n], "ok");
        n++;
    }
    FILE *f = fopen(name, "w");
    assert_non_null(f);
    fprintf(f,
            "{\"tokenfleet\":\"0.1.0\",\"mode\":\"%s\",\"started_at\":\"%s\",\"finished_at\":"
            "\"%s\",\"summary\":{\"targets\":%zu,\"ok\":%zu,\"failed\":%zu}",
            sp->mode ? sp->mode : "provision",
            sp->started ? sp->started : "2026-11-27T21:00:00.123Z",
            sp->finished ? sp->finished : "2026-11-27T21:01:05.999Z", sp->wrong_summary ? n + 7 : n,
            sp->wrong_summary ? 0 : ok, sp->wrong_summary ? 3 : n - ok);
    if (sp->shard_count)
        fprintf(f, ",\"shard\":{\"index\":%d,\"count\":%d}", sp->shard_index, sp->shard_count);
    fputs(",\"results\":[", f);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",\n" : "\n", f);
        put_result(f, targets[i], statuses[i], i);
    }
    fputs("\n]}\n", f);
    assert_int_equal(fclose(f), 0);
    free(items);
}

struct merged {
    enum tf_err rc;
    struct merge_outcome outcome;
    char *out; /* what was written to out */
    size_t out_len;
    char *msg; /* what was printed through msg */
};

static struct merged merge(const char *const *paths, size_t n)
{
    struct merged m = {.outcome = {999, 999}};
    size_t msg_len = 0;
    FILE *out = open_memstream(&m.out, &m.out_len);
    FILE *msgs = open_memstream(&m.msg, &msg_len);
    assert_non_null(out);
    assert_non_null(msgs);
    struct tf_msg msg = {.verbosity = 0, .out = msgs};
    m.rc = merge_reports(paths, n, out, &msg, &m.outcome);
    assert_int_equal(fclose(out), 0);
    assert_int_equal(fclose(msgs), 0);
    return m;
}

static void merged_free(struct merged *m)
{
    free(m->out);
    free(m->msg);
}

static json_t *load(const char *name)
{
    json_error_t err;
    json_t *root = json_load_file(name, 0, &err);
    if (!root)
        fail_msg("%s: %s", name, err.text);
    return root;
}

/* Asserts o has exactly the keys want, in that order. */
static void assert_keys(json_t *o, const char *const *want, size_t n)
{
    assert_true(json_is_object(o));
    size_t i = 0;
    const char *key;
    json_t *value;
    json_object_foreach(o, key, value)
    {
        (void)value;
        if (i >= n || strcmp(key, want[i]))
            fail_msg("key %zu is \"%s\", expected \"%s\"", i, key, i < n ? want[i] : "(none)");
        i++;
    }
    assert_int_equal(i, n);
}

/* ---- merging ---- */

static const struct spec shard_specs[3] = {
    {.started = "2026-11-27T21:00:02.000Z",
     .finished = "2026-11-27T21:01:00.000Z",
     .shard_index = 0,
     .shard_count = 3,
     .items = "orders/us-east1=ok,billing/us-east1=ok,zeta/eu-west1=ok"},
    {.started = "2026-11-27T21:00:00.500Z", /* the earliest start */
     .finished = "2026-11-27T21:00:59.999Z",
     .shard_index = 1,
     .shard_count = 3,
     .items = "orders/eu-west1=auth_failed,alpha/us-east1=ok",
     .wrong_summary = 1},
    {.started = "2026-11-27T21:00:01.000Z",
     .finished = "2026-11-27T21:01:05.250Z", /* the latest finish */
     .shard_index = 2,
     .shard_count = 3,
     .items = "billing/eu-west1=timeout,alpha/eu-west1=ok,orders/ap-south1=ok"},
};

static const char *const sorted_targets[] = {
    "alpha/eu-west1",   "alpha/us-east1",  "billing/eu-west1", "billing/us-east1",
    "orders/ap-south1", "orders/eu-west1", "orders/us-east1",  "zeta/eu-west1",
};

/* Finds the result of target in report root; NULL when absent. */
static json_t *result_of(json_t *root, const char *target)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(root, "results"), i, r)
    {
        if (!strcmp(json_string_value(json_object_get(r, "target")), target))
            return r;
    }
    return NULL;
}

static void test_merge_shards(void **state)
{
    (void)state;
    const char *names[3] = {"shard-0.json", "shard-1.json", "shard-2.json"};
    for (size_t i = 0; i < 3; i++)
        put_report(names[i], &shard_specs[i]);
    /* Given in any order: the same report. */
    const char *const orders[][3] = {
        {"shard-0.json", "shard-1.json", "shard-2.json"},
        {"shard-2.json", "shard-0.json", "shard-1.json"},
    };
    char *first = NULL;
    for (size_t o = 0; o < 2; o++) {
        struct merged m = merge(orders[o], 3);
        if (m.rc != TF_OK)
            fail_msg("merge refused: %s\n%s", tf_strerror(m.rc), m.msg);
        assert_string_equal(m.msg, "");
        assert_int_equal(m.outcome.targets, 8);
        assert_int_equal(m.outcome.failed, 2);

        json_error_t err;
        json_t *root = json_loads(m.out, 0, &err);
        if (!root)
            fail_msg("the merged report is not JSON: %s\n%s", err.text, m.out);
        static const char *const keys[] = {"tokenfleet",  "mode",    "started_at",
                                           "finished_at", "summary", "merged_reports",
                                           "results"};
        assert_keys(root, keys, sizeof keys / sizeof keys[0]);
        assert_string_equal(json_string_value(json_object_get(root, "tokenfleet")),
                            TOKENFLEET_VERSION);
        assert_string_equal(json_string_value(json_object_get(root, "mode")), "provision");
        assert_string_equal(json_string_value(json_object_get(root, "started_at")),
                            "2026-11-27T21:00:00.500Z");
        assert_string_equal(json_string_value(json_object_get(root, "finished_at")),
                            "2026-11-27T21:01:05.250Z");
        json_t *summary = json_object_get(root, "summary");
        static const char *const summary_keys[] = {"targets", "ok", "failed"};
        assert_keys(summary, summary_keys, 3);
        assert_int_equal(json_integer_value(json_object_get(summary, "targets")), 8);
        assert_int_equal(json_integer_value(json_object_get(summary, "ok")), 6);
        assert_int_equal(json_integer_value(json_object_get(summary, "failed")), 2);
        assert_int_equal(json_integer_value(json_object_get(root, "merged_reports")), 3);

        /* Sorted by target, and each result as its shard had it, token included. */
        json_t *results = json_object_get(root, "results");
        assert_int_equal(json_array_size(results), 8);
        for (size_t i = 0; i < 8; i++) {
            json_t *r = json_array_get(results, i);
            assert_string_equal(json_string_value(json_object_get(r, "target")), sorted_targets[i]);
            json_t *from = NULL;
            for (size_t k = 0; k < 3 && !from; k++) {
                json_t *shard = load(names[k]);
                json_t *found = result_of(shard, sorted_targets[i]);
                if (found)
                    from = json_deep_copy(found);
                json_decref(shard);
            }
            assert_non_null(from);
            if (!json_equal(r, from))
                fail_msg("%s changed in the merge", sorted_targets[i]);
            json_decref(from);
        }
        char token[64];
        snprintf(token, sizeof token, "%s%s", TOKEN_PREFIX, "orders/us-east1");
        assert_string_equal(
            json_string_value(json_object_get(result_of(root, "orders/us-east1"), "token")), token);
        json_decref(root);

        /* The layout of every tokenfleet report: one result a line, the array closed last. */
        size_t lines = 0;
        for (const char *p = m.out; *p; p++)
            lines += *p == '\n';
        assert_int_equal(lines, 1 + 8 + 1);
        assert_int_equal(strcmp(m.out + m.out_len - 4, "\n]}\n"), 0);
        assert_non_null(strstr(m.out, ",\"results\":[\n{\"target\":\"alpha/eu-west1\""));

        if (!first)
            first = strdup(m.out);
        else
            assert_string_equal(m.out, first);
        merged_free(&m);
    }
    free(first);
}

/* Reports of runs that were not sharded: joined when they do not overlap; one report alone is
 * merged as well (its results sorted, its summary recounted). */
static void test_merge_unsharded(void **state)
{
    (void)state;
    put_report("a.json", &(struct spec){.mode = "check",
                                        .started = "2026-11-27T22:00:00.000Z",
                                        .finished = "2026-11-27T22:00:10.000Z",
                                        .items = "zeta/us-east1=ok,beta/us-east1=network"});
    put_report("b.json", &(struct spec){.mode = "check",
                                        .started = "2026-11-27T21:59:00.000Z",
                                        .finished = "2026-11-27T21:59:30.000Z",
                                        .items = "alpha/us-east1=ok",
                                        .wrong_summary = 1});
    const char *both[] = {"a.json", "b.json"};
    struct merged m = merge(both, 2);
    assert_int_equal(m.rc, TF_OK);
    assert_string_equal(m.msg, "");
    assert_int_equal(m.outcome.targets, 3);
    assert_int_equal(m.outcome.failed, 1);
    json_t *root = json_loads(m.out, 0, NULL);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "mode")), "check");
    assert_string_equal(json_string_value(json_object_get(root, "started_at")),
                        "2026-11-27T21:59:00.000Z");
    assert_string_equal(json_string_value(json_object_get(root, "finished_at")),
                        "2026-11-27T22:00:10.000Z");
    json_t *results = json_object_get(root, "results");
    const char *want[] = {"alpha/us-east1", "beta/us-east1", "zeta/us-east1"};
    assert_int_equal(json_array_size(results), 3);
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(results, i), "target")), want[i]);
    json_decref(root);
    merged_free(&m);

    const char *one[] = {"b.json"};
    m = merge(one, 1);
    assert_int_equal(m.rc, TF_OK);
    assert_int_equal(m.outcome.targets, 1);
    assert_int_equal(m.outcome.failed, 0);
    root = json_loads(m.out, 0, NULL);
    assert_non_null(root);
    json_t *summary = json_object_get(root, "summary");
    assert_int_equal(json_integer_value(json_object_get(summary, "targets")), 1);
    assert_int_equal(json_integer_value(json_object_get(summary, "ok")), 1);
    assert_int_equal(json_integer_value(json_object_get(summary, "failed")), 0);
    json_decref(root);
    merged_free(&m);
}

/* ---- refusing ---- */

/* A file of a refusal case: a report (spec) or raw text. */
struct file {
    const char *name;
    struct spec spec;
    const char *text; /* when set, written as is instead of spec */
};

struct refusal {
    const char *what;
    struct file files[5];
    const char *args[6];   /* the files given to merge_reports, in order; NULL-terminated */
    const char *expect[3]; /* each must be in the messages */
};

#define SHARD(file, k, n, list)                                                                    \
    {                                                                                              \
        .name = file, .spec = {.shard_index = k, .shard_count = n, .items = list }                 \
    }
#define PLAIN(file, list)                                                                          \
    {                                                                                              \
        .name = file, .spec = {.items = list }                                                     \
    }
#define RAW(file, content)                                                                         \
    {                                                                                              \
        .name = file, .text = content                                                              \
    }

/* A head of a report, then a token, as a file cut short would hold them. */
#define HEAD "{\"tokenfleet\":\"0.1.0\",\"mode\":\"provision\""

static const struct refusal refusals[] = {
    {"a shard missing",
     {SHARD("s0.json", 0, 3, "a/x=ok"), SHARD("s2.json", 2, 3, "c/x=ok")},
     {"s0.json", "s2.json"},
     {"shard 1/3 is missing"}},
    {"the last shard missing",
     {SHARD("s0.json", 0, 2, "a/x=ok")},
     {"s0.json"},
     {"shard 1/2 is missing"}},
    {"a shard given twice (the same file)",
     {SHARD("s0.json", 0, 2, "a/x=ok"), SHARD("s1.json", 1, 2, "b/x=ok")},
     {"s0.json", "s1.json", "s0.json"},
     {"s0.json: shard 0/2 is given twice"}},
    {"a shard given twice (two files)",
     {SHARD("s0.json", 0, 2, "a/x=ok"), SHARD("s1.json", 1, 2, "b/x=ok"),
      SHARD("again.json", 1, 2, "c/x=ok")},
     {"s0.json", "s1.json", "again.json"},
     {"again.json: shard 1/2 is given twice"}},
    {"a shard index out of range",
     {SHARD("s0.json", 0, 2, "a/x=ok"), SHARD("s1.json", 1, 2, "b/x=ok"),
      SHARD("s2.json", 2, 2, "c/x=ok")},
     {"s0.json", "s1.json", "s2.json"},
     {"s2.json: shard index 2 is not below 2"}},
    {"shards of different splits",
     {SHARD("s0.json", 0, 2, "a/x=ok"), SHARD("t1.json", 1, 3, "b/x=ok")},
     {"s0.json", "t1.json"},
     {"t1.json: from a split into 3 shards, s0.json from one into 2"}},
    {"a shard with a report of a run that was not sharded",
     {SHARD("s0.json", 0, 1, "a/x=ok"), PLAIN("all.json", "b/x=ok")},
     {"s0.json", "all.json"},
     {"all.json: from a split into 0 shards, s0.json from one into 1"}},
    {"a split into more shards than tokenfleet makes",
     {SHARD("s0.json", 0, 65537, "a/x=ok")},
     {"s0.json"},
     {"s0.json: a split into 65537 shards"}},
    {"a target in two reports",
     {PLAIN("a.json", "orders/x=ok,billing/x=ok"), PLAIN("b.json", "billing/x=ok,zeta/x=ok")},
     {"a.json", "b.json"},
     {"target billing/x is in both a.json and b.json"}},
    {"a target in two shards",
     {SHARD("s0.json", 0, 2, "a/x=ok,b/x=ok"), SHARD("s1.json", 1, 2, "b/x=auth_failed")},
     {"s1.json", "s0.json"},
     {"target b/x is in both s1.json and s0.json"}},
    {"a target in the second and third of three reports",
     {PLAIN("a.json", "a/x=ok"), PLAIN("b.json", "b/x=ok"), PLAIN("c.json", "c/x=ok,b/x=ok")},
     {"a.json", "b.json", "c.json"},
     {"target b/x is in both b.json and c.json"}},
    {"a target twice in one report",
     {PLAIN("a.json", "orders/x=ok,orders/x=ok")},
     {"a.json"},
     {"target orders/x is in both a.json and a.json"}},
    {"mixed modes",
     {PLAIN("p.json", "a/x=ok"), {.name = "c.json", .spec = {.mode = "check", .items = "b/x=ok"}}},
     {"p.json", "c.json"},
     {"c.json: a check report cannot be merged with p.json's provision report"}},
    {"a file that is not there",
     {PLAIN("a.json", "a/x=ok")},
     {"a.json", "missing.json"},
     {"missing.json: cannot open: No such file or directory"}},
    {"a report cut short",
     {PLAIN("a.json", "a/x=ok"),
      RAW("cut.json", HEAD ",\"results\":[\n{\"target\":\"b/x\",\"token\":\"AstraCS:secret-cut")},
     {"a.json", "cut.json"},
     {"cut.json:2:", "not a JSON report"}},
    {"a broken report",
     {RAW("broken.json", HEAD ",\"token\":\"AstraCS:secret-broken\" \"results\":[]}")},
     {"broken.json"},
     {"broken.json:1:", "not a JSON report"}},
    {"an empty file",
     {RAW("empty.json", "")},
     {"empty.json"},
     {"empty.json:", "not a JSON report"}},
    {"a file that is not JSON at all",
     {RAW("notes.txt", "AstraCS:secret-notes\n")},
     {"notes.txt"},
     {"notes.txt:1:", "not a JSON report"}},
    {"JSON that is not a report",
     {PLAIN("a.json", "a/x=ok"), RAW("other.json", "{\"token\":\"AstraCS:secret-other\"}\n")},
     {"a.json", "other.json"},
     {"other.json: not a tokenfleet report"}},
    {"a JSON array",
     {RAW("list.json", "[\"AstraCS:secret-list\"]\n")},
     {"list.json"},
     {"list.json: not a tokenfleet report"}},
    {"a report without results",
     {RAW("nores.json", HEAD ",\"token\":\"AstraCS:secret-nores\"}\n")},
     {"nores.json"},
     {"nores.json: not a tokenfleet report"}},
    {"a report without its tokenfleet version",
     {RAW("nover.json", "{\"mode\":\"provision\",\"results\":[]}\n")},
     {"nover.json"},
     {"nover.json: not a tokenfleet report"}},
    {"a report whose mode is not a string",
     {RAW("mode.json", "{\"tokenfleet\":\"0.1.0\",\"mode\":1,\"results\":[]}\n")},
     {"mode.json"},
     {"mode.json: not a tokenfleet report"}},
    {"a result without a target",
     {PLAIN("a.json", "a/x=ok"),
      RAW("notarget.json", HEAD ",\"results\":[\n{\"target\":\"b/x\",\"status\":\"ok\"},\n"
                                "{\"status\":\"ok\",\"token\":\"AstraCS:secret-notarget\"}\n]}\n")},
     {"a.json", "notarget.json"},
     {"notarget.json: result 2 has no target or status"}},
    {"a result without a status",
     {RAW("nostatus.json",
          HEAD ",\"results\":[\n{\"target\":\"b/x\",\"token\":\"AstraCS:secret-nostatus\"}\n]}\n")},
     {"nostatus.json"},
     {"nostatus.json: result 1 has no target or status"}},
};

static void test_refusals(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof refusals / sizeof refusals[0]; c++) {
        const struct refusal *r = &refusals[c];
        for (size_t i = 0; i < 5 && r->files[i].name; i++) {
            if (r->files[i].text)
                put_text(r->files[i].name, r->files[i].text);
            else
                put_report(r->files[i].name, &r->files[i].spec);
        }
        size_t n = 0;
        while (r->args[n])
            n++;
        struct merged m = merge(r->args, n);
        if (m.rc != TF_ERR_USAGE)
            fail_msg("%s: %s, expected TF_ERR_USAGE; printed \"%s\"", r->what, tf_strerror(m.rc),
                     m.msg);
        if (m.out_len)
            fail_msg("%s: refused, yet wrote \"%s\"", r->what, m.out);
        if (strncmp(m.msg, "tokenfleet: error: ", 19) || m.msg[strlen(m.msg) - 1] != '\n')
            fail_msg("%s: printed \"%s\"", r->what, m.msg);
        for (size_t k = 0; k < 3 && r->expect[k]; k++)
            if (!strstr(m.msg, r->expect[k]))
                fail_msg("%s: printed \"%s\", which lacks \"%s\"", r->what, m.msg, r->expect[k]);
        /* Every message line is an error that names a file of the case (or, for a missing
         * shard, which one is missing). */
        for (const char *line = m.msg; *line; line = strchr(line, '\n') + 1) {
            int named = strstr(line, "is missing") && strstr(line, "shard ");
            for (size_t i = 0; i < n && !named; i++) {
                const char *at = strstr(line, r->args[i]);
                named = at && at < strchr(line, '\n');
            }
            if (strncmp(line, "tokenfleet: error: ", 19) || !named)
                fail_msg("%s: a message that names no file: \"%s\"", r->what, m.msg);
        }
        if (strstr(m.msg, "AstraCS:"))
            fail_msg("%s: the message quotes a token: \"%s\"", r->what, m.msg);
        merged_free(&m);
        for (size_t i = 0; i < 5 && r->files[i].name; i++)
            unlink(r->files[i].name);
    }
}

/* Every problem of every file is told, not only the first: two reports that each overlap. */
static void test_refusal_names_every_overlap(void **state)
{
    (void)state;
    put_report("a.json", &(struct spec){.items = "a/x=ok,b/x=ok"});
    put_report("b.json", &(struct spec){.items = "a/x=ok"});
    put_report("c.json", &(struct spec){.items = "b/x=ok"});
    const char *args[] = {"a.json", "b.json", "c.json"};
    struct merged m = merge(args, 3);
    assert_int_equal(m.rc, TF_ERR_USAGE);
    assert_non_null(strstr(m.msg, "target a/x is in both a.json and b.json"));
    assert_non_null(strstr(m.msg, "target b/x is in both a.json and c.json"));
    merged_free(&m);
}

/* Once a bug: check_shards used count -1 as "no report seen yet", so a first report that says
 * "count": -1 is overwritten by the next report's count instead of being compared with it: a
 * report claiming a split into -1 shards merges with shard 1/2 as if it were shard 0/2. */
static void test_refusal_negative_shard_count(void **state)
{
    (void)state;
    put_report("neg.json", &(struct spec){.shard_index = 0, .shard_count = -1, .items = "a/x=ok"});
    put_report("s1.json", &(struct spec){.shard_index = 1, .shard_count = 2, .items = "b/x=ok"});
    const char *args[] = {"neg.json", "s1.json"};
    struct merged m = merge(args, 2);
    assert_int_equal(m.rc, TF_ERR_USAGE);
    assert_int_equal(m.out_len, 0);
    merged_free(&m);
}

/* Once a bug: the target names and modes that messages quote come from the file, and were printed
 * as they are: a report can put terminal escapes into the error output. text.h asks that outside
 * text go through text_replace_controls before it is printed. */
static void test_refusal_message_has_no_controls(void **state)
{
    (void)state;
    put_report("a.json", &(struct spec){.items = "\\u001b]0;owned\\u0007=ok"});
    put_report("b.json", &(struct spec){.mode = "check\\u001b[2J", .items = "b/x=ok"});
    const char *dup[] = {"a.json", "a.json"};
    const char *modes[] = {"a.json", "b.json"};
    const char *const *cases[] = {dup, modes};
    for (size_t i = 0; i < 2; i++) {
        struct merged m = merge(cases[i], 2);
        assert_int_equal(m.rc, TF_ERR_USAGE);
        for (const char *p = m.msg; *p; p++)
            if ((unsigned char)*p < 0x20 && *p != '\n')
                fail_msg("a control character (\\x%02x) in \"%s\"", (unsigned char)*p, m.msg);
        merged_free(&m);
    }
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_merge_shards),
        T(test_merge_unsharded),
        T(test_refusals),
        T(test_refusal_names_every_overlap),
        T(test_refusal_negative_shard_count),
        T(test_refusal_message_has_no_controls),
    };
    return cmocka_run_group_tests_name("merge", tests, NULL, NULL);
}
