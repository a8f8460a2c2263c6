/* retry.h: which failures are worth another attempt, and how long to wait before it. */
#ifndef TOKENFLEET_RETRY_H
#define TOKENFLEET_RETRY_H

#include <curl/curl.h>
#include <stdint.h>

#include "core/result.h"

struct retry_policy {
    unsigned retries; /* attempts after the first one */
    long delay_ms;    /* base of the exponential back-off (--retry-delay) */
    long cap_ms;      /* longest back-off step */
    long max_wait_ms; /* longest Retry-After honoured (--retry-max-wait) */
};

/* The back-off step's cap when none is given: 30 s, as the issue and AWS's advice have it. */
#define RETRY_DEFAULT_CAP_MS 30000L

/* True when an attempt that ended so is worth repeating: connection failures and resets,
 * timeouts, 408, 429, 500, 502, 503, 504. Never for 4xx answers about the request or the
 * credentials, a bad response, or a TLS verification failure (repeating cannot change them). */
int retry_is_retryable(enum tf_status status, long http_status, CURLcode code);

/* Milliseconds to wait before attempt number `attempt` (1 = the first retry): full jitter,
 * a uniform draw from [0, min(cap, delay * 2^(attempt-1))]. *rng is the caller's generator state
 * (any non-zero seed), advanced by the call. */
long retry_backoff_ms(const struct retry_policy *p, unsigned attempt, uint64_t *rng);

#endif
