/* decide.h: what happens to a target after one of its attempts: a pure verdict (final, retry at
 * a time, or its next step), which the driver applies. The retry policy lives here too: which
 * failures are worth another attempt, and how long to wait before it. */
#ifndef TOKENFLEET_DECIDE_H
#define TOKENFLEET_DECIDE_H

#include <curl/curl.h>
#include <stdint.h>

#include "core/result.h"

struct retry_policy {
    unsigned retries; /* attempts after the first one, per step */
    long delay_ms;    /* base of the exponential back-off (--retry-delay) */
    long cap_ms;      /* longest back-off step */
    long max_wait_ms; /* longest Retry-After honoured (--retry-max-wait): a server asking for
                         longer gets this long, then the retry */
};

/* The back-off step's cap when none is given: 30 s, as AWS's advice has it. */
#define RETRY_DEFAULT_CAP_MS 30000L

/* How one attempt ended, as far as the decision goes. */
struct attempt_outcome {
    enum request_step step; /* what the attempt was */
    enum tf_status status;  /* as classified */
    long http_status;       /* 0 when no HTTP answer came */
    CURLcode code;          /* libcurl's result of the transfer */
    unsigned tries;         /* attempts of this step so far, this one included (>= 1) */
    long retry_after_s;     /* the answer's Retry-After in seconds; 0 when none */
    int verify;             /* the run proves each token it gets (check --verify) */
    int renew;              /* a token whose proof is refused gets a new one (watch) */
};

enum verdict_kind {
    VERDICT_FINAL,     /* the target's result is its final one */
    VERDICT_RETRY,     /* the same step again after wait_ms */
    VERDICT_NEXT_STEP, /* next comes step `next`, at once: a token in hand is to be proven
                          (--verify), or a refused one replaced (renew) */
};

struct verdict {
    enum verdict_kind kind;
    long wait_ms;           /* VERDICT_RETRY: how long to wait */
    enum request_step next; /* VERDICT_NEXT_STEP: which step */
};

/* Decides what follows the attempt a, under policy p. Pure but for *rng, the caller's jitter
 * generator state (any non-zero seed), which a retry advances. */
struct verdict decide(const struct retry_policy *p, const struct attempt_outcome *a, uint64_t *rng);

/* True when an attempt that ended so is worth repeating: connection failures and resets,
 * timeouts, 408, 429, 500, 502, 503, 504. Never for 4xx answers about the request or the
 * credentials, a bad response, a TLS verification failure or a malformed URL (repeating cannot
 * change them). */
int retry_is_retryable(enum tf_status status, long http_status, CURLcode code);

/* Milliseconds to wait before attempt number `attempt` (1 = the first retry): full jitter,
 * a uniform draw from [0, min(cap, delay * 2^(attempt-1))]. *rng as for decide. */
long retry_backoff_ms(const struct retry_policy *p, unsigned attempt, uint64_t *rng);

/* Milliseconds to wait before the retry that follows attempt number `tries` (1 = the first
 * attempt): the answer's Retry-After (retry_after_s > 0 and an HTTP answer came), honoured up to
 * p->max_wait_ms, else retry_backoff_ms(p, tries, rng). */
long retry_wait_ms(const struct retry_policy *p, unsigned tries, long http_status,
                   long retry_after_s, uint64_t *rng);

#endif
