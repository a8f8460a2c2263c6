/* decide.c: the verdict after an attempt, and the retry policy. */
#include "core/decide.h"

#include "core/classify.h"

int retry_is_retryable(enum tf_status status, long http_status, CURLcode code)
{
    switch (status) {
    case TF_STATUS_TIMEOUT:
        return 1;
    case TF_STATUS_NETWORK_ERROR:
        /* What the peer's identity, our TLS set-up or the URL say does not change on a second
         * try. */
        return classify_transport_kind(code) != TRANSPORT_PERMANENT;
    case TF_STATUS_BAD_REQUEST:
        return http_status == 408;
    case TF_STATUS_SERVER_ERROR:
        return http_status == 429 || http_status == 500 || http_status == 502 ||
               http_status == 503 || http_status == 504;
    default:
        return 0;
    }
}

static uint64_t next_random(uint64_t *s)
{
    /* xorshift64*: plenty for spreading retries, and no global state. */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

long retry_backoff_ms(const struct retry_policy *p, unsigned attempt, uint64_t *rng)
{
    long cap = p->cap_ms > 0 ? p->cap_ms : RETRY_DEFAULT_CAP_MS;
    long step = p->delay_ms;
    for (unsigned i = 1; i < attempt && step < cap; i++)
        step *= 2;
    if (step > cap)
        step = cap;
    if (step <= 0)
        return 0;
    return (long)(next_random(rng) % ((uint64_t)step + 1));
}

long retry_wait_ms(const struct retry_policy *p, unsigned tries, long http_status,
                   long retry_after_s, uint64_t *rng)
{
    long wait = retry_backoff_ms(p, tries, rng);
    if (http_status && retry_after_s > 0) {
        /* Honoured up to --retry-max-wait (seconds compared before any multiplication: the
         * header is the server's to make huge). */
        if (retry_after_s > p->max_wait_ms / 1000)
            wait = p->max_wait_ms;
        else
            wait = retry_after_s * 1000;
    }
    return wait;
}

struct verdict decide(const struct retry_policy *p, const struct attempt_outcome *a, uint64_t *rng)
{
    struct verdict v = {.kind = VERDICT_FINAL};
    if (a->step == STEP_KEYSPACE && a->status == TF_STATUS_AUTH_FAILED && a->renew) {
        v.kind = VERDICT_NEXT_STEP; /* no retry can revive a refused token: get a new one */
        v.next = STEP_AUTH;
        return v;
    }
    if (a->status != TF_STATUS_OK) {
        if (!retry_is_retryable(a->status, a->http_status, a->code) || a->tries > p->retries)
            return v;
        v.kind = VERDICT_RETRY;
        v.wait_ms = retry_wait_ms(p, a->tries, a->http_status, a->retry_after_s, rng);
        return v;
    }
    if (a->step == STEP_AUTH && a->verify) {
        v.kind = VERDICT_NEXT_STEP;
        v.next = STEP_KEYSPACE;
    }
    return v;
}
