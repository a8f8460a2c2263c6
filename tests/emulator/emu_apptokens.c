/* emu_apptokens: a token file read into a sorted array, swapped whole under a mutex on reload. */
#include "emu_apptokens.h"
#include "emu_conf.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Longest accepted line, line end included. */
#define EMU_APPTOKENS_MAX_LINE (64 * 1024)

static const char prefix[] = "AstraCS:";
#define PREFIX_LEN (sizeof prefix - 1)
#define SECRET_LEN 64

struct emu_apptoken {
    char *token;                     /* NUL-terminated */
    size_t len;                      /* bytes in TOKEN */
    struct emu_apptoken_grant grant; /* the databases it reaches */
    unsigned long line;              /* 1-based line of the file, for messages */
};

/* One reading of the file; immutable once built. */
struct emu_apptokens_data {
    struct emu_apptoken *v; /* sorted by token (bytewise) */
    size_t n;
};

struct emu_apptokens {
    const char *path;                /* the file, for reloads */
    pthread_mutex_t lock;            /* guards DATA */
    struct emu_apptokens_data *data; /* the current tokens */
};

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_lower_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool emu_apptoken_wellformed(const char *s, size_t len)
{
    if (len < PREFIX_LEN + 1 + 1 + SECRET_LEN || memcmp(s, prefix, PREFIX_LEN) != 0)
        return false;
    size_t client = len - PREFIX_LEN - 1 - SECRET_LEN;
    if (client > EMU_APPTOKEN_CLIENT_MAX || s[PREFIX_LEN + client] != ':')
        return false;
    for (size_t i = PREFIX_LEN; i < PREFIX_LEN + client; i++) {
        if (!is_alnum(s[i]))
            return false;
    }
    for (size_t i = len - SECRET_LEN; i < len; i++) {
        if (!is_lower_hex(s[i]))
            return false;
    }
    return true;
}

const char *emu_apptoken_client_id(const char *s, size_t *len)
{
    const char *id = s + PREFIX_LEN;
    const char *colon = strchr(id, ':');
    *len = colon != NULL ? (size_t)(colon - id) : strlen(id);
    return id;
}

bool emu_db_id_valid(const char *s, size_t len)
{
    if (len != EMU_DB_ID_LEN)
        return false;
    for (size_t i = 0; i < len; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return false;
    }
    return true;
}

void emu_apptoken_grant_clear(struct emu_apptoken_grant *g)
{
    free(g->ids);
    memset(g, 0, sizeof *g);
}

bool emu_apptoken_grant_allows(const struct emu_apptoken_grant *g, const char *id)
{
    if (g->all)
        return true;
    if (id == NULL)
        return false;
    for (size_t i = 0; i < g->n; i++) {
        if (strcmp(g->ids[i], id) == 0)
            return true;
    }
    return false;
}

static void data_free(struct emu_apptokens_data *d)
{
    if (d == NULL)
        return;
    for (size_t i = 0; i < d->n; i++) {
        free(d->v[i].token);
        emu_apptoken_grant_clear(&d->v[i].grant);
    }
    free(d->v);
    free(d);
}

static int cmp_token(const void *pa, const void *pb)
{
    const struct emu_apptoken *a = pa;
    const struct emu_apptoken *b = pb;
    int c = emu_conf_cmp_bytes(a->token, a->len, b->token, b->len);
    if (c != 0)
        return c;
    return (a->line > b->line) - (a->line < b->line);
}

/* Parses one line (NUL-terminated, no line end) into D if it holds a token. Returns 0, or -1 after
 * a message. */
static int parse_line(const struct emu_where *w, char *line, struct emu_apptokens_data *d,
                      size_t *cap)
{
    struct emu_apptoken t = {.line = w->line};
    const char **fields = NULL;
    int rc = -1;

    size_t nf = emu_conf_split_fields(line, NULL, 0);
    if (nf == 0)
        return 0;
    fields = malloc(nf * sizeof *fields);
    if (fields == NULL)
        goto nomem;
    emu_conf_split_fields(line, fields, nf);
    t.len = strlen(fields[0]);
    if (!emu_apptoken_wellformed(fields[0], t.len)) {
        emu_conf_bad(
            w,
            "'%.*s...' is not an application token (AstraCS:CLIENTID:SECRET, the client id 1 to "
            "%d letters and digits, the secret 64 lowercase hex digits); expected TOKEN "
            "[DATABASE-ID...]",
            t.len > 12 ? 12 : (int)t.len, fields[0], EMU_APPTOKEN_CLIENT_MAX);
        goto out;
    }
    t.grant.all = nf == 1;
    if (nf > 1) {
        t.grant.ids = calloc(nf - 1, sizeof *t.grant.ids);
        if (t.grant.ids == NULL)
            goto nomem;
        for (size_t i = 1; i < nf; i++) {
            size_t n = strlen(fields[i]);
            if (!emu_db_id_valid(fields[i], n)) {
                emu_conf_bad(w, "'%s' is not a database id (a UUID)", fields[i]);
                goto out;
            }
            for (size_t k = 0; k < n; k++)
                t.grant.ids[i - 1][k] = (char)tolower((unsigned char)fields[i][k]);
        }
        t.grant.n = nf - 1;
    }
    t.token = strdup(fields[0]);
    if (t.token == NULL)
        goto nomem;
    struct emu_apptoken *nv = emu_conf_grow(d->v, d->n, cap, sizeof *nv);
    if (nv == NULL)
        goto nomem;
    d->v = nv;
    d->v[d->n++] = t;
    t = (struct emu_apptoken){0};
    rc = 0;
    goto out;
nomem:
    emu_conf_bad(w, "out of memory");
out:
    free(fields);
    free(t.token);
    emu_apptoken_grant_clear(&t.grant);
    return rc;
}

struct reading {
    struct emu_apptokens_data *d;
    size_t cap;
};

static int take_line(const struct emu_where *w, char *line, void *ctx)
{
    struct reading *r = ctx;
    return parse_line(w, line, r->d, &r->cap);
}

/* Reads PATH. Returns the tokens, or NULL after a message to ERR. */
static struct emu_apptokens_data *read_file(const char *path, FILE *err)
{
    struct emu_apptokens_data *d = calloc(1, sizeof *d);
    struct emu_where w = {.err = err, .path = path, .line = 0};
    bool ok = false;

    if (d == NULL) {
        fprintf(err, "%s: out of memory\n", path);
        return NULL;
    }
    struct reading r = {.d = d};
    if (emu_conf_read_file(path, EMU_APPTOKENS_MAX_LINE, err, take_line, &r) != 0)
        goto out;
    if (d->n > 1)
        qsort(d->v, d->n, sizeof *d->v, cmp_token);
    for (size_t i = 1; i < d->n; i++) {
        if (emu_conf_cmp_bytes(d->v[i - 1].token, d->v[i - 1].len, d->v[i].token, d->v[i].len) ==
            0) {
            w.line = d->v[i].line;
            emu_conf_bad(&w, "token already listed on line %lu; list all its databases there",
                         d->v[i - 1].line);
            goto out;
        }
    }
    ok = true;
out:
    if (!ok) {
        data_free(d);
        return NULL;
    }
    return d;
}

struct emu_apptokens *emu_apptokens_load(const char *path, FILE *err)
{
    struct emu_apptokens *ts = calloc(1, sizeof *ts);
    if (ts == NULL) {
        fprintf(err, "%s: out of memory\n", path);
        return NULL;
    }
    ts->path = path;
    ts->data = read_file(path, err);
    if (ts->data == NULL || pthread_mutex_init(&ts->lock, NULL) != 0) {
        data_free(ts->data);
        free(ts);
        return NULL;
    }
    return ts;
}

long emu_apptokens_reload(struct emu_apptokens *ts, FILE *err)
{
    if (ts == NULL)
        return 0;
    struct emu_apptokens_data *d = read_file(ts->path, err);
    if (d == NULL)
        return -1;
    pthread_mutex_lock(&ts->lock);
    struct emu_apptokens_data *old = ts->data;
    ts->data = d;
    pthread_mutex_unlock(&ts->lock);
    data_free(old);
    return (long)d->n;
}

void emu_apptokens_free(struct emu_apptokens *ts)
{
    if (ts == NULL)
        return;
    data_free(ts->data);
    pthread_mutex_destroy(&ts->lock);
    free(ts);
}

size_t emu_apptokens_count(struct emu_apptokens *ts)
{
    if (ts == NULL)
        return 0;
    pthread_mutex_lock(&ts->lock);
    size_t n = ts->data->n;
    pthread_mutex_unlock(&ts->lock);
    return n;
}

int emu_apptokens_lookup(struct emu_apptokens *ts, const char *token, size_t len,
                         struct emu_apptoken_grant *g)
{
    memset(g, 0, sizeof *g);
    if (ts == NULL)
        return 0;
    int rc = 0;
    pthread_mutex_lock(&ts->lock);
    const struct emu_apptokens_data *d = ts->data;
    size_t lo = 0;
    size_t hi = d->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct emu_apptoken *t = &d->v[mid];
        int c = emu_conf_cmp_bytes(token, len, t->token, t->len);
        if (c == 0) {
            g->all = t->grant.all;
            g->n = t->grant.n;
            if (g->n > 0) {
                g->ids = malloc(g->n * sizeof *g->ids);
                if (g->ids == NULL) {
                    g->n = 0;
                    rc = -1;
                    break;
                }
                memcpy(g->ids, t->grant.ids, g->n * sizeof *g->ids);
            }
            rc = 1;
            break;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    pthread_mutex_unlock(&ts->lock);
    return rc;
}
