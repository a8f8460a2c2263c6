/* test_report.c: the JSON report (core/report.h). Three targets loaded from a small inventory
 * (one ok with a token after a retry, one auth_failed, one timed out with no HTTP status) and
 * results filled in by hand (attempts with their request ids); the report is parsed back with
 * jansson and checked for: valid JSON laid out one result per line, the exact key order of the
 * header and of each result, every value, each attempt in request_ids, null for http_status 0 and
 * for the error of an ok target, RFC 3339 UTC timestamps, the token present only for ok targets
 * and only with with_tokens, and an error that is not UTF-8 repaired byte by byte. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "config/load.h"
#include "core/base/clock.h"
#include "core/report.h"
#include "version.h"

#define ID1   "6513270e-269e-4d37-b2a7-4de452e6b438"
#define ID2   "d23f0824-128b-4f33-8c5c-7fd0a6a3a450"
#define TOKEN "AstraCS:tok-e6f3a1"

static const char *const header_keys[] = {"tokenfleet",  "mode",    "started_at",
                                          "finished_at", "summary", "results"};
static const char *const summary_keys[] = {"targets", "ok", "failed"};
static const char *const result_keys[] = {"target",      "database", "cluster_id", "region",
                                          "keyspace",    "username", "url",        "status",
                                          "http_status", "attempts", "request_id", "request_ids",
                                          "elapsed_ms",  "token",    "error"};

struct run {
    char dir[64];
    char path[96];
    struct inventory *inv;
    struct target_list targets;
    struct result results[3];
    struct report_meta meta;
};

static void put_attempt(struct result *r, const char *id, enum tf_status status, long http)
{
    struct attempt *a = realloc(r->attempts, (r->n_attempts + 1) * sizeof *a);
    assert_non_null(a);
    r->attempts = a;
    a = &a[r->n_attempts++];
    *a = (struct attempt){
        .step = STEP_AUTH, .status = (unsigned char)status, .http_status = (short)http};
    assert_int_equal(uuid_parse(id, a->request_id), 0);
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    assert_non_null(d);
    return d;
}

static int setup(void **state)
{
    struct run *run = calloc(1, sizeof *run);
    assert_non_null(run);
    strcpy(run->dir, "/tmp/tf-unit-report-XXXXXX");
    assert_non_null(mkdtemp(run->dir));
    snprintf(run->path, sizeof run->path, "%s/inv.yaml", run->dir);
    FILE *f = fopen(run->path, "w");
    assert_non_null(f);
    assert_int_equal(fchmod(fileno(f), 0600), 0); /* no warning for the plain password */
    fputs("version: 1\n"
          "defaults: {password: hunter2-plain}\n"
          "databases:\n"
          "  - {name: orders, id: " ID1 ", region: us-east1, keyspace: orders, username: o_svc}\n"
          "  - name: billing\n"
          "    id: " ID2 "\n"
          "    regions: [eu-west1, us-east1]\n"
          "    keyspace: billing\n"
          "    username: b_svc\n",
          f);
    assert_int_equal(fclose(f), 0);
    char *diag = NULL;
    size_t size = 0;
    FILE *d = open_memstream(&diag, &size);
    assert_non_null(d);
    enum tf_err rc = config_load(run->path, NULL, 0, NULL, d, 0, &run->inv, &run->targets);
    assert_int_equal(fclose(d), 0);
    if (rc != TF_OK || size)
        fail_msg("the inventory did not load cleanly: %s\n%s", tf_strerror(rc), diag);
    free(diag);
    assert_int_equal(run->targets.count, 3);

    /* orders/us-east1: a 503, then a token */
    struct result *r = &run->results[0];
    put_attempt(r, "0b6c1ff4-5b3c-4f4e-9d0e-000000000001", TF_STATUS_SERVER_ERROR, 503);
    put_attempt(r, "0b6c1ff4-5b3c-4f4e-9d0e-000000000002", TF_STATUS_OK, 201);
    r->status = TF_STATUS_OK;
    r->http_status = 201;
    r->elapsed_ms = 1234;
    r->token = xstrdup(TOKEN);
    /* billing/eu-west1: wrong password */
    r = &run->results[1];
    put_attempt(r, "0b6c1ff4-5b3c-4f4e-9d0e-000000000003", TF_STATUS_AUTH_FAILED, 401);
    r->status = TF_STATUS_AUTH_FAILED;
    r->http_status = 401;
    r->elapsed_ms = 56;
    r->error = xstrdup("HTTP 401: Failed to create token: Provided username b_svc and/or password "
                       "are incorrect");
    /* billing/us-east1: no answer in time */
    r = &run->results[2];
    put_attempt(r, "0b6c1ff4-5b3c-4f4e-9d0e-000000000004", TF_STATUS_TIMEOUT, 0);
    r->status = TF_STATUS_TIMEOUT;
    r->elapsed_ms = 10001;
    r->error = xstrdup("Operation timed out after 10001 milliseconds (curl error 28)");

    run->meta = (struct report_meta){
        .mode = "provision",
        .started_at = {1795813200, 123456789},  /* 2026-11-27T21:00:00.123456789Z */
        .finished_at = {1795813265, 999999999}, /* 2026-11-27T21:01:05.999999999Z */
        .with_tokens = 1,
    };
    *state = run;
    return 0;
}

static int teardown(void **state)
{
    struct run *run = *state;
    for (size_t i = 0; i < 3; i++)
        result_clear(&run->results[i]);
    target_list_clear(&run->targets);
    inventory_free(run->inv);
    unlink(run->path);
    rmdir(run->dir);
    free(run);
    return 0;
}

/* Runs report_write into memory. Returns the text (caller frees). */
static char *write_report(struct run *run)
{
    char *out = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&out, &size);
    assert_non_null(f);
    assert_int_equal(report_write(f, &run->meta, &run->targets, run->results), TF_OK);
    assert_int_equal(fclose(f), 0);
    return out;
}

static json_t *parse(const char *text)
{
    json_error_t err;
    json_t *root = json_loads(text, 0, &err);
    if (!root)
        fail_msg("the report is not JSON: %s at line %d column %d\n%s", err.text, err.line,
                 err.column, text);
    return root;
}

/* Asserts that o has exactly the keys want (n of them), in that order. */
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

static void assert_str(json_t *o, const char *key, const char *want)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v))
        fail_msg("\"%s\" is not a string", key);
    assert_string_equal(json_string_value(v), want);
}

static void assert_int(json_t *o, const char *key, json_int_t want)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        fail_msg("\"%s\" is not an integer", key);
    assert_int_equal(json_integer_value(v), want);
}

/* Asserts one element of request_ids: {"request_id", "status", "http_status"} in that order,
 * http_status null when http is 0. */
static void assert_attempt(json_t *a, const char *id, const char *status, json_int_t http)
{
    static const char *const keys[] = {"request_id", "status", "http_status"};
    assert_keys(a, keys, 3);
    assert_str(a, "request_id", id);
    assert_str(a, "status", status);
    if (http)
        assert_int(a, "http_status", http);
    else
        assert_true(json_is_null(json_object_get(a, "http_status")));
}

static void test_layout_and_header(void **state)
{
    struct run *run = *state;
    char *text = write_report(run);
    /* One header line, one line per result, then the closing line. */
    size_t lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 3 + 2);
    assert_non_null(strstr(text, "\"results\":[\n{\"target\":\"orders/us-east1\""));
    assert_non_null(strstr(text, "\n]}\n"));

    json_t *root = parse(text);
    assert_keys(root, header_keys, 6);
    assert_str(root, "tokenfleet", TOKENFLEET_VERSION);
    assert_str(root, "mode", "provision");
    assert_str(root, "started_at", "2026-11-27T21:00:00.123Z");
    assert_str(root, "finished_at", "2026-11-27T21:01:05.999Z");
    json_t *summary = json_object_get(root, "summary");
    assert_keys(summary, summary_keys, 3);
    assert_int(summary, "targets", 3);
    assert_int(summary, "ok", 1);
    assert_int(summary, "failed", 2);
    assert_int_equal(json_array_size(json_object_get(root, "results")), 3);
    json_decref(root);
    free(text);
}

static void test_results(void **state)
{
    struct run *run = *state;
    char *text = write_report(run);
    json_t *root = parse(text);
    json_t *results = json_object_get(root, "results");

    json_t *ok = json_array_get(results, 0);
    assert_keys(ok, result_keys, 15);
    assert_str(ok, "target", "orders/us-east1");
    assert_str(ok, "database", "orders");
    assert_str(ok, "cluster_id", ID1);
    assert_str(ok, "region", "us-east1");
    assert_str(ok, "keyspace", "orders");
    assert_str(ok, "username", "o_svc");
    assert_str(ok, "url", "https://" ID1 "-us-east1.apps.astra.datastax.com/api/rest/v1/auth");
    assert_str(ok, "status", "ok");
    assert_int(ok, "http_status", 201);
    assert_int(ok, "attempts", 2);
    assert_str(ok, "request_id", "0b6c1ff4-5b3c-4f4e-9d0e-000000000002");
    json_t *ids = json_object_get(ok, "request_ids");
    assert_int_equal(json_array_size(ids), 2);
    assert_attempt(json_array_get(ids, 0), "0b6c1ff4-5b3c-4f4e-9d0e-000000000001", "server_error",
                   503);
    assert_attempt(json_array_get(ids, 1), "0b6c1ff4-5b3c-4f4e-9d0e-000000000002", "ok", 201);
    assert_int(ok, "elapsed_ms", 1234);
    assert_str(ok, "token", TOKEN);
    assert_true(json_is_null(json_object_get(ok, "error")));

    /* failed targets: the same keys without token */
    const char *const failed_keys[] = {
        "target", "database",    "cluster_id", "region",     "keyspace",    "username",   "url",
        "status", "http_status", "attempts",   "request_id", "request_ids", "elapsed_ms", "error"};
    json_t *denied = json_array_get(results, 1);
    assert_keys(denied, failed_keys, 14);
    assert_str(denied, "target", "billing/eu-west1");
    assert_str(denied, "database", "billing");
    assert_str(denied, "cluster_id", ID2);
    assert_str(denied, "region", "eu-west1");
    assert_str(denied, "status", "auth_failed");
    assert_int(denied, "http_status", 401);
    assert_int(denied, "attempts", 1);
    assert_str(denied, "request_id", "0b6c1ff4-5b3c-4f4e-9d0e-000000000003");
    assert_int(denied, "elapsed_ms", 56);
    assert_str(denied, "error", run->results[1].error);

    json_t *timeout = json_array_get(results, 2);
    assert_keys(timeout, failed_keys, 14);
    assert_str(timeout, "target", "billing/us-east1");
    assert_str(timeout, "status", "timeout");
    assert_true(json_is_null(json_object_get(timeout, "http_status")));
    assert_str(timeout, "error", run->results[2].error);
    ids = json_object_get(timeout, "request_ids");
    assert_int_equal(json_array_size(ids), 1);
    assert_attempt(json_array_get(ids, 0), "0b6c1ff4-5b3c-4f4e-9d0e-000000000004", "timeout", 0);

    json_decref(root);
    free(text);
}

static void test_without_tokens(void **state)
{
    struct run *run = *state;
    run->meta.with_tokens = 0;
    char *text = write_report(run);
    assert_null(strstr(text, TOKEN));
    assert_null(strstr(text, "\"token\""));
    json_t *root = parse(text);
    json_t *ok = json_array_get(json_object_get(root, "results"), 0);
    assert_str(ok, "status", "ok");
    assert_null(json_object_get(ok, "token"));
    assert_true(json_is_null(json_object_get(ok, "error")));
    json_decref(root);
    free(text);
}

/* A token left on a failed result (it never should be) is still not written. */
static void test_failed_target_never_has_token(void **state)
{
    struct run *run = *state;
    run->results[1].token = xstrdup("AstraCS:stale");
    char *text = write_report(run);
    assert_null(strstr(text, "AstraCS:stale"));
    free(text);
}

/* A target stopped before its first request (--deadline, SIGINT) has no request id. */
static void test_cancelled_before_any_attempt(void **state)
{
    struct run *run = *state;
    struct result *r = &run->results[2];
    result_clear(r);
    r->status = TF_STATUS_CANCELLED;
    r->error = xstrdup("cancelled before the first request");
    char *text = write_report(run);
    json_t *root = parse(text);
    json_t *cancelled = json_array_get(json_object_get(root, "results"), 2);
    assert_str(cancelled, "status", "cancelled");
    assert_true(json_is_null(json_object_get(cancelled, "http_status")));
    assert_int(cancelled, "attempts", 0);
    assert_true(json_is_null(json_object_get(cancelled, "request_id")));
    assert_int_equal(json_array_size(json_object_get(cancelled, "request_ids")), 0);
    assert_int(json_object_get(root, "summary"), "failed", 2);
    json_decref(root);
    free(text);
}

static void test_empty_run(void **state)
{
    struct run *run = *state;
    struct target_list none = {0};
    char *out = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&out, &size);
    assert_non_null(f);
    assert_int_equal(report_write(f, &run->meta, &none, run->results), TF_OK);
    assert_int_equal(fclose(f), 0);
    json_t *root = parse(out);
    assert_int(json_object_get(root, "summary"), "targets", 0);
    assert_int_equal(json_array_size(json_object_get(root, "results")), 0);
    json_decref(root);
    free(out);
}

/* Well-formed: YYYY-MM-DDTHH:MM:SS.mmmZ, milliseconds truncated, never rounded up. */
static void test_format_time(void **state)
{
    (void)state;
    static const struct {
        struct timespec t;
        const char *want;
    } rows[] = {
        {{0, 0}, "1970-01-01T00:00:00.000Z"},
        {{1795813200, 123456789}, "2026-11-27T21:00:00.123Z"},
        {{1795813199, 999999999}, "2026-11-27T20:59:59.999Z"},
        {{951782400, 1000000}, "2000-02-29T00:00:00.001Z"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char buf[32];
        clock_format_utc(rows[i].t, buf);
        assert_string_equal(buf, rows[i].want);
    }
}

/* An error that is not UTF-8 (see test_classify: a server message cut mid-character) must not
 * cost the whole report: each byte that is not part of valid UTF-8 becomes '?' (core/report.c
 * text_value), one '?' a byte, and valid characters are kept as they are. */
static void test_bad_utf8_error(void **state)
{
    struct run *run = *state;
    free(run->results[1].error);
    /* café in UTF-8 (kept); déjà in Latin-1 (é and à are not followed by continuation bytes);
     * a byte that is never UTF-8; a lone continuation byte; € cut after two of its three bytes;
     * and a last character cut after its first byte. */
    run->results[1].error = xstrdup("HTTP 400: caf\xc3\xa9 d\xe9j\xe0 \xff \x80 \xe2\x82 caf\xc3");
    char *text = write_report(run);
    json_t *root = parse(text);
    json_t *billing = json_array_get(json_object_get(root, "results"), 1);
    assert_str(billing, "target", "billing/eu-west1");
    assert_str(billing, "error", "HTTP 400: caf\xc3\xa9 d?j? ? ? ?? caf?");
    json_decref(root);
    free(text);
}

/* Lines spooled as targets finish, in any order, make the same report byte for byte as lines
 * rendered afterwards, whether a line was already written to the spool's file (the first: 1.2 MB,
 * longer than the spool's 64 KiB chunk and its 1 MiB read-back window and blocks) or still in
 * memory; a target never spooled (its line failed to write) is rendered then. The spool is an
 * unnamed file: nothing is left in the report's folder. */
static void test_spool_same_report(void **state)
{
    struct run *run = *state;
    char *long_error = malloc(1200001);
    assert_non_null(long_error);
    memset(long_error, 'x', 1200000);
    long_error[1200000] = '\0';
    free(run->results[2].error);
    run->results[2].error = long_error;
    char *plain = write_report(run);
    char report_path[128];
    snprintf(report_path, sizeof report_path, "%s/report.json", run->dir);
    struct report_spool *sp = report_spool_new(report_path, 3, 1);
    assert_non_null(sp);
    report_spool_add(sp, 2, &run->targets.items[2], &run->results[2]);
    report_spool_add(sp, 0, &run->targets.items[0], &run->results[0]);
    /* target 1 is left to be rendered at the end */
    run->meta.spool = sp;
    char *spooled = write_report(run);
    assert_string_equal(spooled, plain);
    report_spool_free(sp); /* writing the report consumed it (its blocks are given back) */
    sp = report_spool_new(report_path, 3, 1);
    assert_non_null(sp);
    for (size_t i = 3; i-- > 0;)
        report_spool_add(sp, i, &run->targets.items[i], &run->results[i]);
    run->meta.spool = sp;
    char *all = write_report(run);
    assert_string_equal(all, plain);
    report_spool_free(sp);
    run->meta.spool = NULL;
    report_spool_free(NULL);
    free(plain);
    free(spooled);
    free(all);
    DIR *dir = opendir(run->dir);
    assert_non_null(dir);
    for (struct dirent *e; (e = readdir(dir));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "inv.yaml"))
            fail_msg("%s left in the report's folder", e->d_name);
    closedir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_layout_and_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_results, setup, teardown),
        cmocka_unit_test_setup_teardown(test_without_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_target_never_has_token, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancelled_before_any_attempt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_run, setup, teardown),
        cmocka_unit_test(test_format_time),
        cmocka_unit_test_setup_teardown(test_bad_utf8_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spool_same_report, setup, teardown),
    };
    return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
