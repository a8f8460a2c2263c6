/* keepalive.c: proving, renewing and rotating the tokens a fleet holds. */
#include "core/keepalive.h"

#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/base/text.h"

const char *keepalive_event_name(enum keepalive_event e)
{
    switch (e) {
    case KEEPALIVE_KEPT:
        return "kept";
    case KEEPALIVE_ISSUED:
        return "issued";
    case KEEPALIVE_REPLACED:
        return "replaced";
    case KEEPALIVE_FAILED:
        return "failed";
    }
    return "unknown";
}

enum tf_err keepalive_init(struct keepalive *ka, const struct target_list *targets, long max_age_ms)
{
    memset(ka, 0, sizeof *ka);
    ka->held = calloc(targets->count + 1, sizeof *ka->held);
    if (!ka->held)
        return TF_ERR_NOMEM;
    ka->targets = targets;
    ka->max_age_ms = max_age_ms;
    return TF_OK;
}

/* Lets the token go; `had` stays. */
static void drop(struct held_token *h)
{
    text_free_secret(h->token);
    h->token = NULL;
    h->issued_at_ms = 0;
}

void keepalive_free(struct keepalive *ka)
{
    for (size_t i = 0; ka->held && i < ka->targets->count; i++)
        drop(&ka->held[i]);
    free(ka->held);
    memset(ka, 0, sizeof *ka);
}

static int by_name(const void *a, const void *b, void *ctx)
{
    const struct target *items = ctx;
    return strcmp(items[*(const size_t *)a].name, items[*(const size_t *)b].name);
}

enum tf_err keepalive_adopt(struct keepalive *ka, const struct target_list *targets)
{
    const struct target_list *old = ka->targets;
    struct held_token *held = calloc(targets->count + 1, sizeof *held);
    size_t *order = malloc((old->count + 1) * sizeof *order);
    if (!held || !order) {
        free(held);
        free(order);
        return TF_ERR_NOMEM;
    }
    for (size_t i = 0; i < old->count; i++)
        order[i] = i;
    qsort_r(order, old->count, sizeof *order, by_name, old->items);
    for (size_t i = 0; i < targets->count; i++) {
        const struct target *t = &targets->items[i];
        size_t lo = 0, hi = old->count;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            const struct target *o = &old->items[order[mid]];
            int c = strcmp(o->name, t->name);
            if (c == 0) {
                /* The same name for another cluster is another database: its token is no use. */
                if (!strcmp(o->db->id.value, t->db->id.value) &&
                    !strcmp(o->region->value, t->region->value)) {
                    held[i] = ka->held[order[mid]];
                    ka->held[order[mid]] = (struct held_token){0};
                }
                break;
            }
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    free(order);
    for (size_t i = 0; i < old->count; i++)
        drop(&ka->held[i]);
    free(ka->held);
    ka->held = held;
    ka->targets = targets;
    return TF_OK;
}

struct cycle {
    struct keepalive *ka;
    keepalive_final_fn on_final;
    void *ctx;
};

/* True when one of r's attempts was a proof the server refused: the token is dead. */
static int proof_refused(const struct result *r)
{
    for (size_t i = 0; i < r->n_attempts; i++)
        if (r->attempts[i].step != STEP_AUTH && r->attempts[i].status == TF_STATUS_AUTH_FAILED)
            return 1;
    return 0;
}

static void target_final(void *ctx, size_t i, struct result *r)
{
    struct cycle *c = ctx;
    struct held_token *h = &c->ka->held[i];
    enum keepalive_event ev;
    if (r->status == TF_STATUS_OK && h->token && r->token && !strcmp(h->token, r->token)) {
        ev = KEEPALIVE_KEPT;
    } else if (r->status == TF_STATUS_OK && r->token) {
        char *copy = strdup(r->token);
        ev = h->token || h->had ? KEEPALIVE_REPLACED : KEEPALIVE_ISSUED;
        drop(h);
        if (copy) {
            h->token = copy;
            h->issued_at_ms = r->issued_at_ms;
            h->had = 1;
        }
    } else {
        ev = KEEPALIVE_FAILED;
        if (proof_refused(r))
            drop(h); /* next cycle asks for a new one straight away */
    }
    if (c->on_final)
        c->on_final(c->ctx, i, r, ev);
}

enum tf_err keepalive_cycle(struct keepalive *ka, const struct driver_options *base,
                            struct result *results, enum driver_stop *stop,
                            keepalive_final_fn on_final, void *ctx)
{
    size_t n = ka->targets->count;
    unsigned char *first = calloc(n + 1, 1);
    if (!first)
        return TF_ERR_NOMEM;
    int64_t now = clock_wall_ms();
    enum tf_err rc = TF_OK;
    for (size_t i = 0; i < n && rc == TF_OK; i++) {
        const struct held_token *h = &ka->held[i];
        int aged = ka->max_age_ms && h->issued_at_ms && now - h->issued_at_ms >= ka->max_age_ms;
        if (!h->token || aged)
            continue; /* STEP_AUTH: a new token */
        first[i] = STEP_KEYSPACE;
        results[i].token = strdup(h->token);
        results[i].issued_at_ms = h->issued_at_ms;
        if (!results[i].token)
            rc = TF_ERR_NOMEM;
    }
    struct cycle c = {.ka = ka, .on_final = on_final, .ctx = ctx};
    struct driver_options opt = *base;
    opt.first_step = first;
    opt.renew = 1;
    opt.verify = 0;
    opt.on_final = target_final;
    opt.on_final_ctx = &c;
    opt.on_tick = NULL; /* its context would be the cycle's */
    if (rc == TF_OK)
        rc = driver_run(&opt, ka->targets, results, stop);
    free(first);
    return rc;
}
