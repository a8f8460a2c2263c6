/* targets.c: databases x regions -> targets; selection; secret resolution. */
#include "config/targets.h"

#include <ctype.h>
#include <curl/curl.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/inventory_rules.h"
#include "config/secret.h"
#include "core/base/hash.h"
#include "core/base/strpool.h"
#include "core/base/text.h"

/* "database/region", in pool; NULL when out of memory. */
static char *target_name(struct strpool *pool, const char *db, const char *region)
{
    size_t ld = strlen(db), lr = strlen(region);
    char *s = strpool_alloc(pool, ld + 1 + lr + 1);
    if (!s)
        return NULL;
    memcpy(s, db, ld);
    s[ld] = '/';
    memcpy(s + ld + 1, region, lr + 1);
    return s;
}

static char *upper_snake(struct strpool *pool, const char *name)
{
    char *s = strpool_dup(pool, name);
    if (!s)
        return NULL;
    for (char *p = s; *p; p++)
        *p = isalnum((unsigned char)*p) ? (char)toupper((unsigned char)*p) : '_';
    return s;
}

/* Checks with libcurl's own URL parser that the URL made for t from the template written at
 * `at` (named key) is usable; reports it there when not. Returns 1 usable, 0 reported, -1 out
 * of memory. */
static int check_url(struct diag *d, const char *key, struct tf_mark at, const struct target *t,
                     const char *url)
{
    CURLU *u = curl_url();
    if (!u)
        return -1;
    CURLUcode uc = curl_url_set(u, CURLUPART_URL, url, 0);
    curl_url_cleanup(u);
    if (uc == CURLUE_OUT_OF_MEMORY)
        return -1;
    if (uc != CURLUE_OK)
        diag_error(d, at, "%s gives %s for %s, which is not a valid URL: %s", key, url, t->name,
                   curl_url_strerror(uc));
    return uc == CURLUE_OK;
}

/* How targets are compared for check_unique: like strcmp on the fields that must differ. */
struct uniqueness {
    int (*cmp)(const struct target *, const struct target *);
    void (*report)(struct diag *, const struct target *first, const struct target *dup);
};

static int by_fields(const void *a, const void *b, void *u)
{
    const struct target *x = *(const struct target *const *)a;
    const struct target *y = *(const struct target *const *)b;
    int c = ((const struct uniqueness *)u)->cmp(x, y);
    if (c)
        return c;
    return x < y ? -1 : x > y; /* equals in inventory order */
}

/* Reports the targets that equal an earlier one under u->cmp. Sorting keeps this O(n log n);
 * comparing the fields themselves spares a key string per target. */
static enum tf_err check_unique(const struct target_list *list, struct diag *d,
                                const struct uniqueness *u)
{
    const struct target **refs = malloc((list->count + 1) * sizeof *refs);
    if (!refs)
        return TF_ERR_NOMEM;
    for (size_t i = 0; i < list->count; i++)
        refs[i] = &list->items[i];
    qsort_r(refs, list->count, sizeof *refs, by_fields, (void *)u);
    size_t first_of_run = 0;
    for (size_t i = 1; i < list->count; i++) {
        if (u->cmp(refs[i], refs[i - 1]) != 0)
            first_of_run = i;
        else
            u->report(d, refs[first_of_run], refs[i]);
    }
    free(refs);
    return TF_OK;
}

/* The same URL and username: the same credentials sent to the same place. (The old key was the
 * string "url\nusername"; URLs hold no control character, so this orders and matches alike.) An
 * application token's target has no username (NULL, ordered first) and its proof URL. */
static int endpoint_cmp(const struct target *x, const struct target *y)
{
    int c = strcmp(x->url, y->url);
    if (c)
        return c;
    const char *ux = x->db->username.value, *uy = y->db->username.value;
    return ux && uy ? strcmp(ux, uy) : (ux != NULL) - (uy != NULL);
}

static void report_duplicate(struct diag *d, const struct target *first, const struct target *dup)
{
    diag_error(d, dup->region->at, "target %s duplicates %s (same URL %s%s); remove one of them",
               dup->name, first->name, dup->url, dup->db->username.value ? " and username" : "");
}

static int prefix_cmp(const struct target *x, const struct target *y)
{
    return strcmp(x->env_prefix, y->env_prefix);
}

static void report_prefix(struct diag *d, const struct target *first, const struct target *dup)
{
    diag_error(d, dup->db->name.at,
               "targets %s and %s would share the variable prefix %s_ in a combined env file; "
               "rename one database",
               first->name, dup->name, dup->env_prefix);
}

static const struct uniqueness unique_endpoint = {endpoint_cmp, report_duplicate};
static const struct uniqueness unique_prefix = {prefix_cmp, report_prefix};

/* db's rest_url template, or NULL when none is set. */
static const char *rest_template(const struct database *db)
{
    return db->rest_url ? db->rest_url->value : NULL;
}

/* Checks the URL that check --verify would make from rest_url, so that validate and provision
 * find a bad rest_url too. Returns as check_url. */
static int check_rest_url(struct diag *d, const struct target *t)
{
    char *url;
    if (targets_keyspace_url(t, &url) != TF_OK)
        return -1;
    int rc = check_url(d, "rest_url", database_of(t->db)->rest_url->at, t, url);
    free(url);
    return rc;
}

/* The inventory key a target's url comes from, and where it is written (for messages): auth_url
 * for a password's target; for an application token's, rest_url when its REST proof is made
 * from it, else api_endpoint (no place when the default is used). */
static const char *url_key(const struct target *t, struct tf_mark *at)
{
    const struct database *db = database_of(t->db);
    if (!t->db->app_token) {
        *at = t->db->auth_url->at;
        return "auth_url";
    }
    if (t->db->api == TARGET_API_REST && rest_template(db)) {
        *at = db->rest_url->at;
        return "rest_url";
    }
    *at = target_api_endpoint_at(t->db);
    return "api_endpoint";
}

/* Warns when t's url is plain http to another host: once for passwords' targets and once for
 * tokens' (warned[0], warned[1]), not once a target: 100,000 targets must not make 100,000
 * messages. */
static void warn_plain_http(struct diag *d, const struct target *t, int warned[2])
{
    int token = t->db->app_token != NULL;
    if (warned[token] || !inventory_is_plain_http_elsewhere(t->url))
        return;
    struct tf_mark at;
    const char *key = url_key(t, &at);
    diag_warn(d, at,
              "%s uses http://, so %s go unencrypted to a host that is not this machine (%s, and "
              "any other such target); use https:// unless the network in between is yours alone",
              key, token ? "tokens" : "passwords", t->name);
    warned[token] = 1;
}

/* Sets t's url: the auth URL for a password's target; for an application token's, the URL the
 * token is proven at, which is its keyspace_url too. Returns TF_OK or TF_ERR_NOMEM. */
static enum tf_err set_url(struct target_list *list, struct target *t)
{
    if (!t->db->app_token) {
        t->url = target_fill_template(list->strings, t->db->auth_url->value, t->db->id.value,
                                      t->region->value);
        return t->url ? TF_OK : TF_ERR_NOMEM;
    }
    char *url;
    if (targets_keyspace_url(t, &url) != TF_OK || !url)
        return TF_ERR_NOMEM;
    t->url = t->keyspace_url = strpool_dup(list->strings, url);
    free(url);
    return t->url ? TF_OK : TF_ERR_NOMEM;
}

enum tf_err targets_expand(const struct inventory *inv, struct diag *d, struct target_list *out)
{
    int http_warned[2] = {0, 0};
    memset(out, 0, sizeof *out);
    size_t total = 0;
    for (size_t i = 0; i < inv->n_databases; i++)
        total += inv->databases[i].n_regions;
    out->source = inv->path;
    out->env_names = inv->env_names;
    out->items = calloc(total + 1, sizeof *out->items);
    out->strings = strpool_new();
    if (!out->items || !out->strings) {
        target_list_clear(out);
        return TF_ERR_NOMEM;
    }
    for (size_t i = 0; i < inv->n_databases; i++) {
        const struct database *db = &inv->databases[i];
        for (size_t r = 0; r < db->n_regions; r++) {
            struct target *t = &out->items[out->count++];
            t->db = &db->run;
            t->region = &db->regions[r];
            t->name = target_name(out->strings, db->run.name.value, t->region->value);
            t->env_prefix = t->name ? upper_snake(out->strings, t->name) : NULL;
            if (!t->name || !t->env_prefix || set_url(out, t) != TF_OK)
                goto nomem;
            warn_plain_http(d, t, http_warned);
            struct tf_mark at;
            const char *key = url_key(t, &at);
            if (check_url(d, key, at, t, t->url) < 0 ||
                (!db->run.app_token && rest_template(db) && check_rest_url(d, t) < 0))
                goto nomem;
        }
    }
    out->total = out->count;
    if (check_unique(out, d, &unique_endpoint) != TF_OK ||
        check_unique(out, d, &unique_prefix) != TF_OK)
        goto nomem;
    if (d->errors) {
        target_list_clear(out);
        return TF_ERR_INVENTORY;
    }
    return TF_OK;
nomem:
    target_list_clear(out);
    return TF_ERR_NOMEM;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && !strcmp(s + ls - lx, suffix);
}

/* "{base}{path}{keyspace}", base being tpl filled in for t, its trailing slashes stripped.
 * Returns a new string, NULL when out of memory. */
static char *under_base(const struct target *t, const char *tpl, const char *path)
{
    char *base = target_fill_template(NULL, tpl, t->db->id.value, t->region->value);
    if (!base)
        return NULL;
    size_t len = strlen(base);
    while (len && base[len - 1] == '/')
        base[--len] = '\0';
    char *url = text_printf("%s%s%s", base, path, t->db->keyspace.value);
    free(base);
    return url;
}

enum tf_err targets_keyspace_url(const struct target *t, char **out)
{
    const char *ks = t->db->keyspace.value, *u = t->url;
    const char *rest_url = rest_template(database_of(t->db));
    const char *endpoint = target_api_endpoint(t->db);
    *out = NULL;
    if (t->db->app_token && t->db->api == TARGET_API_DATA) {
        *out = under_base(t, endpoint, "/api/json/v1/");
    } else if (rest_url) {
        *out = under_base(t, rest_url, "/v2/schemas/keyspaces/");
    } else if (t->db->app_token) {
        *out = under_base(t, endpoint, "/api/rest/v2/schemas/keyspaces/");
    } else if (ends_with(u, "/api/rest/v1/auth")) {
        *out = text_printf("%.*s/api/rest/v2/schemas/keyspaces/%s",
                           (int)(strlen(u) - strlen("/api/rest/v1/auth")), u, ks);
    } else if (ends_with(u, ":8081/v1/auth")) {
        *out = text_printf("%.*s:8082/v2/schemas/keyspaces/%s",
                           (int)(strlen(u) - strlen(":8081/v1/auth")), u, ks);
    } else {
        return TF_OK; /* cannot be derived: check --verify then needs rest_url */
    }
    return *out ? TF_OK : TF_ERR_NOMEM;
}

enum tf_err targets_fill_keyspace_urls(struct target_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        struct target *t = &list->items[i];
        char *url;
        if (t->db->app_token)
            continue; /* set by targets_expand: it is the target's url */
        if (targets_keyspace_url(t, &url) != TF_OK)
            return TF_ERR_NOMEM;
        t->keyspace_url = url ? strpool_dup(list->strings, url) : NULL;
        free(url);
        if (url && !t->keyspace_url)
            return TF_ERR_NOMEM;
    }
    return TF_OK;
}

void targets_use_env_names(struct target_list *list, const struct env_names *names)
{
    if (names)
        list->env_names = *names;
}

/* Moves the i-th selected target to place kept (<= i), and the one there to i: a stable partition,
 * so that the selected keep inventory order and the others stay in the list, past count. */
static void keep_target(struct target_list *list, size_t i, size_t kept)
{
    struct target t = list->items[i];
    list->items[i] = list->items[kept];
    list->items[kept] = t;
}

#define LIMIT_HINT                                                                                 \
    "give a target name (orders/us-east1), a database name, a glob (orders*) or tag:NAME"

static int matches(const struct target *t, const char *pattern)
{
    if (!strncmp(pattern, "tag:", 4)) {
        const struct database *db = database_of(t->db);
        for (size_t i = 0; i < db->n_tags; i++)
            if (!strcmp(db->tags[i].value, pattern + 4))
                return 1;
        return 0;
    }
    return fnmatch(pattern, t->name, 0) == 0 || fnmatch(pattern, t->db->name.value, 0) == 0;
}

/* A name that --target may give for t: the target's own, or its database's. */
static int named(const struct target *t, const char *name)
{
    return !strcmp(name, t->name) || !strcmp(name, t->db->name.value);
}

/* The inventory's target or database name closest to name (for "did you mean"), or NULL when
 * none is close. */
static const char *closest_name(const struct target_list *list, const char *name)
{
    const char *best = NULL;
    size_t best_dist = 4;
    for (size_t i = 0; i < list->total; i++) {
        const struct target *t = &list->items[i];
        const char *candidates[] = {t->name, t->db->name.value};
        for (size_t c = 0; c < 2; c++) {
            size_t dist = text_edit_distance(name, candidates[c], 3);
            if (dist < best_dist) {
                best_dist = dist;
                best = candidates[c];
            }
        }
    }
    return best;
}

/* How a --limit item combines with the others (ansible's host patterns). */
enum pattern_op {
    PATTERN_ADD,       /* PATTERN: the union of these */
    PATTERN_INTERSECT, /* &PATTERN: ... intersected with each */
    PATTERN_EXCLUDE,   /* !PATTERN: ... less each */
};

/* One comma-separated item of a --limit value. */
struct pattern {
    const char *glob;  /* the pattern without its & or !, blanks around it trimmed; points into
                          the selection's copy of the values */
    const char *value; /* the --limit value it came from, as given */
    enum pattern_op op;
    size_t hits; /* targets of the inventory it matches */
};

/* Splits each of values at its commas into *out (ansible's comma lists): items trimmed of blanks,
 * empty ones skipped, a leading & or ! taken as the item's op. The items point into *copy (free
 * it and *out). A value with no item, or an & or ! with no pattern after it, is an error in d.
 * Returns TF_OK (also with errors in d) or TF_ERR_NOMEM. */
static enum tf_err split_patterns(const char *const *values, size_t n, struct diag *d,
                                  struct pattern **out, size_t *n_out, char **copy)
{
    size_t bytes = 0, items = 0;
    for (size_t v = 0; v < n; v++) {
        bytes += strlen(values[v]) + 1;
        for (const char *c = values[v]; *c; c++)
            items += *c == ',';
        items++;
    }
    *n_out = 0;
    *out = calloc(items + 1, sizeof **out);
    *copy = malloc(bytes + 1);
    if (!*out || !*copy)
        return TF_ERR_NOMEM;
    char *at = *copy;
    for (size_t v = 0; v < n; v++) {
        size_t before = *n_out, errors = d->errors;
        strcpy(at, values[v]);
        char *item = at;
        at += strlen(values[v]) + 1;
        for (char *next; item; item = next) {
            next = strchr(item, ',');
            if (next)
                *next++ = '\0';
            while (*item == ' ' || *item == '\t')
                item++;
            size_t len = strlen(item);
            while (len && (item[len - 1] == ' ' || item[len - 1] == '\t'))
                item[--len] = '\0';
            if (!len)
                continue;
            enum pattern_op op = *item == '&'   ? PATTERN_INTERSECT
                                 : *item == '!' ? PATTERN_EXCLUDE
                                                : PATTERN_ADD;
            if (op != PATTERN_ADD && !*++item) {
                diag_error(d, (struct tf_mark){0, 0},
                           "--limit \"%s\": \"%c\" with no pattern after it; write %cPATTERN "
                           "(e.g. %ctag:staging)",
                           values[v], item[-1], item[-1], item[-1]);
                continue;
            }
            (*out)[(*n_out)++] = (struct pattern){.glob = item, .value = values[v], .op = op};
        }
        if (*n_out == before && d->errors == errors)
            diag_error(d, (struct tf_mark){0, 0},
                       "--limit \"%s\" holds no pattern; give a comma-separated list of them "
                       "(orders,billing)",
                       values[v]);
    }
    return TF_OK;
}

/* Writes --limit "A" --limit "B" for the values of patterns to a new string; NULL when out of
 * memory. */
static char *limits_as_given(const char *const *values, size_t n)
{
    char *s = strdup("");
    for (size_t v = 0; s && v < n; v++) {
        char *longer = text_printf("%s%s--limit \"%s\"", s, v ? " " : "", values[v]);
        free(s);
        s = longer;
    }
    return s;
}

enum tf_err targets_select_names(struct target_list *list, const char *const *names, size_t n_names,
                                 const char *const *values, size_t n_values, struct diag *d)
{
    if (n_values == 0 && n_names == 0)
        return TF_OK;
    struct pattern *patterns = NULL;
    size_t n = 0, errors = d->errors;
    char *copy = NULL;
    size_t *name_hits = calloc(n_names + 1, sizeof *name_hits);
    enum tf_err rc =
        name_hits ? split_patterns(values, n_values, d, &patterns, &n, &copy) : TF_ERR_NOMEM;
    if (rc != TF_OK || d->errors > errors)
        goto out;
    /* ansible's order: the union of the plain patterns and names (all targets when there is
     * none), then intersected with each & pattern, then less each ! pattern. Each pattern is
     * matched against every target, so that one matching nothing is found whatever the others
     * left. */
    int any_plain = n_names > 0;
    for (size_t p = 0; p < n; p++)
        any_plain |= patterns[p].op == PATTERN_ADD;
    size_t kept = 0;
    for (size_t i = 0; i < list->count; i++) {
        struct target *t = &list->items[i];
        int added = !any_plain, in_all = 1, excluded = 0;
        for (size_t p = 0; p < n; p++) {
            int m = matches(t, patterns[p].glob);
            patterns[p].hits += (size_t)m;
            if (patterns[p].op == PATTERN_ADD)
                added |= m;
            else if (patterns[p].op == PATTERN_INTERSECT)
                in_all &= m;
            else
                excluded |= m;
        }
        for (size_t k = 0; k < n_names; k++)
            if (named(t, names[k])) {
                name_hits[k]++;
                added = 1;
            }
        if (added && in_all && !excluded)
            keep_target(list, i, kept++);
    }
    size_t available = list->count;
    list->count = kept;
    for (size_t p = 0; p < n; p++) {
        if (patterns[p].hits)
            continue;
        if (!strcmp(patterns[p].glob, patterns[p].value)) /* the value is this one pattern */
            diag_error(d, (struct tf_mark){0, 0}, "--limit \"%s\" matches no target; " LIMIT_HINT,
                       patterns[p].value);
        else
            diag_error(d, (struct tf_mark){0, 0},
                       "--limit \"%s\": \"%s\" matches no target; " LIMIT_HINT, patterns[p].value,
                       patterns[p].glob);
    }
    for (size_t k = 0; k < n_names; k++) {
        if (name_hits[k])
            continue;
        const char *hint = closest_name(list, names[k]);
        diag_error(d, (struct tf_mark){0, 0},
                   "--target \"%s\" names no target%s%s%s; give a target name (orders/us-east1) "
                   "or a database name (orders) of the inventory, or --limit for a pattern",
                   names[k], hint ? " (did you mean \"" : "", hint ? hint : "", hint ? "\"?)" : "");
    }
    /* Every pattern matched something, and & and ! took it all away: as ansible, an error, not
     * a run of nothing. */
    if (d->errors == errors && !kept && available) {
        char *given = limits_as_given(values, n_values);
        if (!given) {
            rc = TF_ERR_NOMEM;
            goto out;
        }
        diag_error(d, (struct tf_mark){0, 0},
                   "%s%s leave%s no target: the & and ! patterns take out every target the "
                   "others select; check them",
                   n_names ? "--target and " : "", given, n_names || n_values > 1 ? "" : "s");
        free(given);
    }
out:
    free(patterns);
    free(copy);
    free(name_hits);
    if (rc != TF_OK)
        return rc;
    return d->errors ? TF_ERR_INVENTORY : TF_OK;
}

enum tf_err targets_select(struct target_list *list, const char *const *values, size_t n,
                           struct diag *d)
{
    return targets_select_names(list, NULL, 0, values, n, d);
}

unsigned targets_shard_of(const char *name, unsigned n)
{
    return (unsigned)(hash_mix64(hash_fnv1a64(name)) % n);
}

void targets_shard(struct target_list *list, unsigned k, unsigned n)
{
    size_t kept = 0;
    for (size_t i = 0; i < list->count; i++) {
        struct target *t = &list->items[i];
        if (targets_shard_of(t->name, n) == k)
            keep_target(list, i, kept++);
    }
    list->count = kept;
}

enum tf_err targets_resolve_secrets(struct target_list *list, const struct inventory *inv,
                                    struct diag *d)
{
    /* Each command runs once, however many references give the same words. */
    struct secret_cache *cache = secret_cache_new();
    if (!cache)
        return TF_ERR_NOMEM;
    enum tf_err rc = TF_OK;
    for (size_t i = 0; i < list->count && rc == TF_OK; i++) {
        /* The reference lives in the inventory; resolving fills it in once for all its users. */
        const struct target_db *db = list->items[i].db;
        rc = db->app_token ? secret_resolve_token(db->app_token, inv->dir, cache, d)
                           : secret_resolve(db->password, inv->dir, cache, d);
    }
    secret_cache_free(cache);
    if (rc != TF_OK)
        return rc;
    return d->errors ? TF_ERR_INVENTORY : TF_OK;
}
