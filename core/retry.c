/* retry.c: the retry policy. */
#include "core/retry.h"

int retry_is_retryable(enum tf_status status, long http_status, CURLcode code)
{
    switch (status) {
    case TF_STATUS_TIMEOUT:
        return 1;
    case TF_STATUS_NETWORK_ERROR:
        switch (code) {
        /* What the peer's identity or our TLS set-up says does not change on a second try. */
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_SSL_INVALIDCERTSTATUS:
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
            return 0;
        default:
            return 1;
        }
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
