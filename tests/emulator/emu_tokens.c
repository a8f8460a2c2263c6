/* emu_tokens: a chained hash table of tokens under one mutex, expired lazily. Each entry is both
 * the token's row (its sliding lifetime) and its entry in the validation cache. */
#include "emu_tokens.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uuid/uuid.h>

#include "core/base/hash.h"

/* How often (ms) creating a token also sweeps the whole table for expired ones. */
#define EMU_TOKENS_SWEEP_MS 60000

struct emu_token {
    struct emu_token *next;        /* next in the same bucket */
    char token[EMU_TOKEN_LEN + 1]; /* NUL-terminated */
    int64_t last_used_ms; /* monotonic ms of creation or the latest use that read the row */
    int64_t cached_ms;    /* monotonic ms the token entered the cache, when CACHED */
    bool cached;          /* read by a use: in the cache until cached_ms + cache_ms */
    size_t ulen;          /* bytes in USER */
    char user[];          /* NUL-terminated user name */
};

struct emu_tokens {
    pthread_mutex_t lock;       /* guards everything below */
    struct emu_token **buckets; /* NBUCKETS chains */
    size_t nbuckets;            /* a power of two */
    size_t count;               /* tokens in the table */
    int64_t ttl_ms;             /* a row's lifetime after the latest use that read it, ms */
    int64_t cache_ms;           /* how long a use that read the row is cached, ms; 0: no cache */
    int64_t next_sweep_ms;      /* monotonic ms at which creation sweeps again */
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Tokens are random, so any spread-out hash does. */
static size_t hash_token(const char *s, size_t len)
{
    return (size_t)hash_fnv1a64_add(HASH_FNV1A64_INIT, s, len);
}

static bool row_expired(const struct emu_tokens *ts, const struct emu_token *t, int64_t now)
{
    return now - t->last_used_ms >= ts->ttl_ms;
}

static bool in_cache(const struct emu_tokens *ts, const struct emu_token *t, int64_t now)
{
    return t->cached && now - t->cached_ms < ts->cache_ms;
}

/* Neither the row nor the cache knows the token any more: it can go. */
static bool expired(const struct emu_tokens *ts, const struct emu_token *t, int64_t now)
{
    return row_expired(ts, t, now) && !in_cache(ts, t, now);
}

struct emu_tokens *emu_tokens_new(unsigned int ttl_s, unsigned int cache_s)
{
    struct emu_tokens *ts = calloc(1, sizeof *ts);
    if (ts == NULL)
        return NULL;
    ts->nbuckets = 1024;
    ts->buckets = calloc(ts->nbuckets, sizeof *ts->buckets);
    if (ts->buckets == NULL || pthread_mutex_init(&ts->lock, NULL) != 0) {
        free(ts->buckets);
        free(ts);
        return NULL;
    }
    ts->ttl_ms = (int64_t)ttl_s * 1000;
    ts->cache_ms = (int64_t)cache_s * 1000;
    ts->next_sweep_ms = now_ms() + EMU_TOKENS_SWEEP_MS;
    return ts;
}

/* Frees every token and empties the buckets. Caller holds the lock (or is the last user). */
static void clear_locked(struct emu_tokens *ts)
{
    for (size_t i = 0; i < ts->nbuckets; i++) {
        struct emu_token *t = ts->buckets[i];
        while (t != NULL) {
            struct emu_token *next = t->next;
            free(t);
            t = next;
        }
        ts->buckets[i] = NULL;
    }
    ts->count = 0;
}

void emu_tokens_free(struct emu_tokens *ts)
{
    if (ts == NULL)
        return;
    clear_locked(ts);
    free(ts->buckets);
    pthread_mutex_destroy(&ts->lock);
    free(ts);
}

/* Removes every expired token. Caller holds the lock. */
static void sweep_locked(struct emu_tokens *ts, int64_t now)
{
    for (size_t i = 0; i < ts->nbuckets; i++) {
        struct emu_token **pp = &ts->buckets[i];
        while (*pp != NULL) {
            struct emu_token *t = *pp;
            if (expired(ts, t, now)) {
                *pp = t->next;
                free(t);
                ts->count--;
            } else {
                pp = &t->next;
            }
        }
    }
}

/* Doubles the bucket array; on ENOMEM the table just stays denser. Caller holds the lock. */
static void grow_locked(struct emu_tokens *ts)
{
    size_t n = ts->nbuckets * 2;
    struct emu_token **nb = calloc(n, sizeof *nb);
    if (nb == NULL)
        return;
    for (size_t i = 0; i < ts->nbuckets; i++) {
        struct emu_token *t = ts->buckets[i];
        while (t != NULL) {
            struct emu_token *next = t->next;
            size_t b = hash_token(t->token, EMU_TOKEN_LEN) & (n - 1);
            t->next = nb[b];
            nb[b] = t;
            t = next;
        }
    }
    free(ts->buckets);
    ts->buckets = nb;
    ts->nbuckets = n;
}

/* Returns the link pointing at TOKEN's entry (*link is NULL when absent). Caller holds the lock. */
static struct emu_token **find_locked(struct emu_tokens *ts, const char *token, size_t len)
{
    struct emu_token **pp = &ts->buckets[hash_token(token, len) & (ts->nbuckets - 1)];
    while (*pp != NULL) {
        if (len == EMU_TOKEN_LEN && memcmp((*pp)->token, token, len) == 0)
            break;
        pp = &(*pp)->next;
    }
    return pp;
}

int emu_tokens_create(struct emu_tokens *ts, const char *user, size_t ulen,
                      char out[EMU_TOKEN_LEN + 1])
{
    struct emu_token *t = malloc(sizeof *t + ulen + 1);
    if (t == NULL)
        return -1;
    memcpy(t->user, user, ulen);
    t->user[ulen] = '\0';
    t->ulen = ulen;

    pthread_mutex_lock(&ts->lock);
    int64_t now = now_ms();
    if (now >= ts->next_sweep_ms) {
        sweep_locked(ts, now);
        ts->next_sweep_ms = now + EMU_TOKENS_SWEEP_MS;
    }
    if (ts->count >= ts->nbuckets)
        grow_locked(ts);
    struct emu_token **link;
    do { /* a repeat is as good as impossible, but two users must never share a token */
        uuid_t id;
        uuid_generate_random(id);
        uuid_unparse_lower(id, t->token);
        link = find_locked(ts, t->token, EMU_TOKEN_LEN);
    } while (*link != NULL);
    t->last_used_ms = now;
    t->cached = false; /* Stargate caches a token when a use reads its row, not when it is made */
    t->next = NULL;
    *link = t;
    ts->count++;
    memcpy(out, t->token, EMU_TOKEN_LEN + 1);
    pthread_mutex_unlock(&ts->lock);
    return 0;
}

int emu_tokens_use(struct emu_tokens *ts, const char *token, size_t len, char **user_out,
                   size_t *ulen_out)
{
    int rc = 0;
    pthread_mutex_lock(&ts->lock);
    struct emu_token **link = find_locked(ts, token, len);
    struct emu_token *t = *link;
    if (t == NULL)
        goto out;
    int64_t now = now_ms();
    bool hit = in_cache(ts, t, now);
    if (!hit && row_expired(ts, t, now)) {
        *link = t->next;
        free(t);
        ts->count--;
        goto out;
    }
    if (user_out != NULL) {
        *user_out = malloc(t->ulen + 1);
        if (*user_out == NULL) {
            rc = -1;
            goto out;
        }
        memcpy(*user_out, t->user, t->ulen + 1);
        if (ulen_out != NULL)
            *ulen_out = t->ulen;
    }
    if (!hit) {
        /* A cache miss reads the row and rewrites it with a fresh TTL, and caches the token. */
        t->last_used_ms = now;
        t->cached = ts->cache_ms > 0;
        t->cached_ms = now;
    }
    rc = 1;
out:
    pthread_mutex_unlock(&ts->lock);
    return rc;
}

size_t emu_tokens_forget(struct emu_tokens *ts)
{
    pthread_mutex_lock(&ts->lock);
    size_t n = ts->count;
    clear_locked(ts);
    pthread_mutex_unlock(&ts->lock);
    return n;
}

size_t emu_tokens_count(struct emu_tokens *ts)
{
    pthread_mutex_lock(&ts->lock);
    size_t n = ts->count;
    pthread_mutex_unlock(&ts->lock);
    return n;
}
