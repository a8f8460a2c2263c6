/* test_decide.c: the driver's verdict after an attempt (core/decide.h): which outcomes are
 * retried, how long the wait is (back-off bounds, Retry-After honoured up to --retry-max-wait),
 * when a step's retries run out, and when --verify's proof comes next. A table: one row per
 * case a user would meet. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>

#include "core/decide.h"

static const struct retry_policy policy = {
    .retries = 3, .delay_ms = 500, .cap_ms = 30000, .max_wait_ms = 60000};

struct decide_case {
    const char *what;
    struct attempt_outcome in;
    enum verdict_kind kind;
    long min_wait_ms, max_wait_ms; /* VERDICT_RETRY: the wait must fall in [min, max] */
    enum request_step next;        /* VERDICT_NEXT_STEP */
};

#define AUTH(...)                                                                                  \
    {                                                                                              \
        .step = STEP_AUTH, __VA_ARGS__                                                             \
    }
#define KEYSPACE(...)                                                                              \
    {                                                                                              \
        .step = STEP_KEYSPACE, .verify = 1, __VA_ARGS__                                            \
    }

static const struct decide_case cases[] = {
    {"a token: final", AUTH(.status = TF_STATUS_OK, .http_status = 201), VERDICT_FINAL, 0, 0, 0},
    {"a token with --verify: its proof next",
     AUTH(.status = TF_STATUS_OK, .http_status = 201, .verify = 1), VERDICT_NEXT_STEP, 0, 0,
     STEP_KEYSPACE},
    {"the proof passed: final", KEYSPACE(.status = TF_STATUS_OK, .http_status = 200), VERDICT_FINAL,
     0, 0, 0},
    {"wrong password: never retried", AUTH(.status = TF_STATUS_AUTH_FAILED, .http_status = 401),
     VERDICT_FINAL, 0, 0, 0},
    {"400: never retried", AUTH(.status = TF_STATUS_BAD_REQUEST, .http_status = 400), VERDICT_FINAL,
     0, 0, 0},
    {"408: retried", AUTH(.status = TF_STATUS_BAD_REQUEST, .http_status = 408), VERDICT_RETRY, 0,
     500, 0},
    {"503 first try: back-off within the base",
     AUTH(.status = TF_STATUS_SERVER_ERROR, .http_status = 503), VERDICT_RETRY, 0, 500, 0},
    {"503 third try: back-off within 4 x base",
     AUTH(.status = TF_STATUS_SERVER_ERROR, .http_status = 503, .tries = 3), VERDICT_RETRY, 0, 2000,
     0},
    {"503 after every retry: final",
     AUTH(.status = TF_STATUS_SERVER_ERROR, .http_status = 503, .tries = 4), VERDICT_FINAL, 0, 0,
     0},
    {"501: not worth a retry", AUTH(.status = TF_STATUS_SERVER_ERROR, .http_status = 501),
     VERDICT_FINAL, 0, 0, 0},
    {"429 with Retry-After 7: waits 7 s",
     AUTH(.status = TF_STATUS_SERVER_ERROR, .http_status = 429, .retry_after_s = 7), VERDICT_RETRY,
     7000, 7000, 0},
    {"Retry-After beyond --retry-max-wait: waits the maximum",
     AUTH(.status = TF_STATUS_SERVER_ERROR, .http_status = 503, .retry_after_s = 86400),
     VERDICT_RETRY, 60000, 60000, 0},
    {"Retry-After too large to multiply: waits the maximum",
     AUTH(.status = TF_STATUS_SERVER_ERROR, .http_status = 503, .retry_after_s = LONG_MAX),
     VERDICT_RETRY, 60000, 60000, 0},
    {"a timeout: retried", AUTH(.status = TF_STATUS_TIMEOUT, .code = CURLE_OPERATION_TIMEDOUT),
     VERDICT_RETRY, 0, 500, 0},
    {"a reset: retried", AUTH(.status = TF_STATUS_NETWORK_ERROR, .code = CURLE_RECV_ERROR),
     VERDICT_RETRY, 0, 500, 0},
    {"a TLS handshake that broke off: retried",
     AUTH(.status = TF_STATUS_NETWORK_ERROR, .code = CURLE_SSL_CONNECT_ERROR), VERDICT_RETRY, 0,
     500, 0},
    {"an untrusted certificate: never retried",
     AUTH(.status = TF_STATUS_NETWORK_ERROR, .code = CURLE_PEER_FAILED_VERIFICATION), VERDICT_FINAL,
     0, 0, 0},
    {"a malformed URL: never retried",
     AUTH(.status = TF_STATUS_NETWORK_ERROR, .code = CURLE_URL_MALFORMAT), VERDICT_FINAL, 0, 0, 0},
    {"a bad response: never retried", AUTH(.status = TF_STATUS_BAD_RESPONSE, .http_status = 201),
     VERDICT_FINAL, 0, 0, 0},
    {"keyspace missing: final",
     KEYSPACE(.status = TF_STATUS_KEYSPACE_UNREACHABLE, .http_status = 404), VERDICT_FINAL, 0, 0,
     0},
    {"the proof got a 503: retried on its own count",
     KEYSPACE(.status = TF_STATUS_SERVER_ERROR, .http_status = 503), VERDICT_RETRY, 0, 500, 0},
};

static void test_verdicts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct decide_case *c = &cases[i];
        for (int round = 0; round < 50; round++) { /* jitter: the bounds hold for every draw */
            uint64_t rng = 0x9e3779b97f4a7c15ULL + (unsigned)round;
            struct attempt_outcome in = c->in;
            if (!in.tries)
                in.tries = 1; /* the first attempt unless the row says otherwise */
            struct verdict v = decide(&policy, &in, &rng);
            if (v.kind != c->kind)
                fail_msg("%s: verdict %d, expected %d", c->what, (int)v.kind, (int)c->kind);
            if (v.kind == VERDICT_RETRY &&
                (v.wait_ms < c->min_wait_ms || v.wait_ms > c->max_wait_ms))
                fail_msg("%s: waits %ld ms, expected %ld..%ld", c->what, v.wait_ms, c->min_wait_ms,
                         c->max_wait_ms);
            if (v.kind == VERDICT_NEXT_STEP && v.next != c->next)
                fail_msg("%s: next step %d", c->what, (int)v.next);
        }
    }
}

/* Full jitter spreads waits over the whole range, not a few values: a herd of retries after a
 * gateway's 503 must not come back at once. */
static void test_backoff_spreads_and_caps(void **state)
{
    (void)state;
    uint64_t rng = 12345;
    long lo = LONG_MAX, hi = 0;
    for (int i = 0; i < 2000; i++) {
        long w = retry_backoff_ms(&policy, 1, &rng);
        lo = w < lo ? w : lo;
        hi = w > hi ? w : hi;
    }
    assert_true(lo < 50);
    assert_true(hi > 450 && hi <= 500);
    for (int i = 0; i < 2000; i++) /* attempt 20: 500 ms * 2^19, capped at 30 s */
        assert_true(retry_backoff_ms(&policy, 20, &rng) <= 30000);
    struct retry_policy none = policy;
    none.delay_ms = 0;
    assert_int_equal(retry_backoff_ms(&none, 3, &rng), 0);
}

static void test_no_retries_policy(void **state)
{
    (void)state;
    struct retry_policy zero = policy;
    zero.retries = 0;
    struct attempt_outcome a =
        AUTH(.status = TF_STATUS_SERVER_ERROR, .http_status = 503, .tries = 1);
    uint64_t rng = 1;
    assert_int_equal(decide(&zero, &a, &rng).kind, VERDICT_FINAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verdicts),
        cmocka_unit_test(test_backoff_spreads_and_caps),
        cmocka_unit_test(test_no_retries_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
