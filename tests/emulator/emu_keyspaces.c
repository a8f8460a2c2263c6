/* emu_keyspaces: the keyspaces file, read once into a sorted array searched by name. */
#include "emu_keyspaces.h"
#include "emu_conf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Longest accepted line, line end included. */
#define EMU_KEYSPACES_MAX_LINE (64 * 1024)

struct emu_keyspace {
    char *text; /* the line's fields, each NUL-terminated; owns what NAME and USERS point to */
    const char *name;   /* keyspace name, inside TEXT */
    size_t nlen;        /* bytes in NAME */
    const char **users; /* NUSERS names inside TEXT who may see it; NULL when everyone may */
    size_t nusers;      /* entries in USERS; 0: every user */
    unsigned long line; /* 1-based line of the file, for messages */
};

struct emu_keyspaces {
    struct emu_keyspace *v; /* sorted by name (bytewise), so lookups are a binary search */
    size_t n;               /* entries in V */
};

/* Where a parse error goes. */
static int cmp_keyspace(const void *pa, const void *pb)
{
    const struct emu_keyspace *a = pa;
    const struct emu_keyspace *b = pb;
    int c = emu_conf_cmp_bytes(a->name, a->nlen, b->name, b->nlen);
    if (c != 0)
        return c;
    /* Equal names sort by line, so a duplicate is reported against its first occurrence. */
    return (a->line > b->line) - (a->line < b->line);
}

bool emu_keyspaces_valid_name(const char *s, size_t len)
{
    if (len == 0 || len > EMU_KEYSPACE_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return false;
    }
    return true;
}

static void keyspace_clear(struct emu_keyspace *k)
{
    free(k->text);
    free(k->users);
    memset(k, 0, sizeof *k);
}

/* Parses one line (NUL-terminated, no line end) into KS if it names a keyspace. Returns 0, or -1
 * after a message. */
static int parse_line(const struct emu_where *w, const char *line, struct emu_keyspaces *ks,
                      size_t *cap)
{
    struct emu_keyspace k = {.line = w->line};
    const char **fields = NULL;
    int rc = -1;

    k.text = strdup(line);
    if (k.text == NULL)
        goto nomem;
    size_t nf = emu_conf_split_fields(k.text, NULL, 0);
    if (nf == 0) {
        rc = 0; /* blank or comment */
        goto out;
    }
    fields = malloc(nf * sizeof *fields);
    if (fields == NULL)
        goto nomem;
    emu_conf_split_fields(k.text, fields, nf);
    k.name = fields[0];
    k.nlen = strlen(k.name);
    if (!emu_keyspaces_valid_name(k.name, k.nlen)) {
        emu_conf_bad(
            w,
            "'%s' is not a keyspace name (1 to %d letters, digits and _); expected KEYSPACE "
            "[USER...]",
            k.name, EMU_KEYSPACE_NAME_MAX);
        goto out;
    }
    if (nf > 1) {
        /* The users are FIELDS after the name: keep the array and point past it. */
        memmove(fields, fields + 1, (nf - 1) * sizeof *fields);
        k.users = fields;
        k.nusers = nf - 1;
        fields = NULL;
    }
    struct emu_keyspace *nv = emu_conf_grow(ks->v, ks->n, cap, sizeof *nv);
    if (nv == NULL)
        goto nomem;
    ks->v = nv;
    ks->v[ks->n++] = k;
    k = (struct emu_keyspace){0};
    rc = 0;
    goto out;
nomem:
    emu_conf_bad(w, "out of memory");
out:
    free(fields);
    keyspace_clear(&k);
    return rc;
}

struct reading {
    struct emu_keyspaces *ks;
    size_t cap;
};

static int take_line(const struct emu_where *w, char *line, void *ctx)
{
    struct reading *r = ctx;
    return parse_line(w, line, r->ks, &r->cap);
}

struct emu_keyspaces *emu_keyspaces_load(const char *path, FILE *err)
{
    struct emu_keyspaces *ks = calloc(1, sizeof *ks);
    struct emu_where w = {.err = err, .path = path, .line = 0};
    bool ok = false;

    if (ks == NULL) {
        fprintf(err, "%s: out of memory\n", path);
        return NULL;
    }
    struct reading r = {.ks = ks};
    if (emu_conf_read_file(path, EMU_KEYSPACES_MAX_LINE, err, take_line, &r) != 0)
        goto out;
    if (ks->n > 1)
        qsort(ks->v, ks->n, sizeof *ks->v, cmp_keyspace);
    for (size_t i = 1; i < ks->n; i++) {
        const struct emu_keyspace *a = &ks->v[i - 1];
        const struct emu_keyspace *b = &ks->v[i];
        if (emu_conf_cmp_bytes(a->name, a->nlen, b->name, b->nlen) == 0) {
            w.line = b->line;
            emu_conf_bad(&w,
                         "keyspace '%s' is already defined on line %lu; list all its users there",
                         b->name, a->line);
            goto out;
        }
    }
    ok = true;
out:
    if (!ok) {
        emu_keyspaces_free(ks);
        return NULL;
    }
    return ks;
}

void emu_keyspaces_free(struct emu_keyspaces *ks)
{
    if (ks == NULL)
        return;
    for (size_t i = 0; i < ks->n; i++)
        keyspace_clear(&ks->v[i]);
    free(ks->v);
    free(ks);
}

size_t emu_keyspaces_count(const struct emu_keyspaces *ks)
{
    return ks != NULL ? ks->n : 0;
}

/* Returns NAME's entry in KS, or NULL. */
static const struct emu_keyspace *find(const struct emu_keyspaces *ks, const char *name,
                                       size_t nlen)
{
    size_t lo = 0;
    size_t hi = ks->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct emu_keyspace *k = &ks->v[mid];
        int c = emu_conf_cmp_bytes(name, nlen, k->name, k->nlen);
        if (c == 0)
            return k;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

bool emu_keyspaces_visible(const struct emu_keyspaces *ks, const char *name, size_t nlen,
                           const char *user, size_t ulen)
{
    if (ks == NULL)
        return false;
    const struct emu_keyspace *k = find(ks, name, nlen);
    if (k == NULL)
        return false;
    if (k->nusers == 0)
        return true;
    for (size_t i = 0; i < k->nusers; i++) {
        if (strlen(k->users[i]) == ulen && memcmp(k->users[i], user, ulen) == 0)
            return true;
    }
    return false;
}
