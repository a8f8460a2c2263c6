/* emu_users: loading the users file and checking a username/password pair against it. */
#include "emu_users.h"
#include "emu_conf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Longest accepted line, line end included; a longer one is a mistake, not an account. */
#define EMU_USERS_MAX_LINE (64 * 1024)

struct emu_user {
    char *name;           /* NUL-terminated; owns the allocation PASSWORD points into */
    size_t name_len;      /* bytes in NAME */
    const char *password; /* NUL-terminated, inside NAME's allocation */
    size_t password_len;  /* bytes in PASSWORD */
    unsigned long line;   /* 1-based line of the users file, for messages */
};

struct emu_users {
    struct emu_user *v; /* sorted by name (bytewise), so lookups are a binary search */
    size_t n;           /* entries in V */
};

static int cmp_user(const void *pa, const void *pb)
{
    const struct emu_user *a = pa;
    const struct emu_user *b = pb;
    int c = emu_conf_cmp_bytes(a->name, a->name_len, b->name, b->name_len);
    if (c != 0)
        return c;
    /* Equal names sort by line, so a duplicate is reported against its first occurrence. */
    return (a->line > b->line) - (a->line < b->line);
}

static bool is_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] != ' ' && s[i] != '\t')
            return false;
    }
    return true;
}

/*
 * Reads one line into BUF (capacity CAP) without its line end. Returns 1 for a line, 0 at end of
 * file, -1 when the line does not fit, -2 on a read error.
 */
static int read_line(FILE *f, char *buf, size_t cap, size_t *len)
{
    size_t n = 0;
    int c;
    while ((c = getc(f)) != EOF) {
        if (c == '\n')
            break;
        if (n == cap)
            return -1;
        buf[n++] = (char)c;
    }
    if (c == EOF) {
        if (ferror(f))
            return -2;
        if (n == 0)
            return 0;
    }
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    *len = n;
    return 1;
}

/* Appends the account in LINE (LEN bytes, COLON at its first ':') to USERS. Returns 0 or -1
 * (ENOMEM). */
static int add_user(struct emu_users *users, size_t *cap, const char *line, size_t len,
                    size_t colon, unsigned long lineno)
{
    struct emu_user *nv = emu_conf_grow(users->v, users->n, cap, sizeof *nv);
    if (nv == NULL)
        return -1;
    users->v = nv;
    char *text = malloc(len + 1);
    if (text == NULL)
        return -1;
    memcpy(text, line, len);
    text[colon] = '\0';
    text[len] = '\0';
    users->v[users->n++] = (struct emu_user){
        .name = text,
        .name_len = colon,
        .password = text + colon + 1,
        .password_len = len - colon - 1,
        .line = lineno,
    };
    return 0;
}

struct emu_users *emu_users_load(const char *path, FILE *err)
{
    struct emu_users *users = calloc(1, sizeof *users);
    char *line = malloc(EMU_USERS_MAX_LINE);
    FILE *f = NULL;
    size_t cap = 0;
    unsigned long lineno = 0;
    bool ok = false;

    if (users == NULL || line == NULL) {
        fprintf(err, "%s: out of memory\n", path);
        goto out;
    }
    f = fopen(path, "r");
    if (f == NULL) {
        fprintf(err, "%s: %s\n", path, strerror(errno));
        goto out;
    }
    for (;;) {
        size_t len = 0;
        int rc = read_line(f, line, EMU_USERS_MAX_LINE, &len);
        if (rc == 0)
            break;
        lineno++;
        if (rc == -1) {
            fprintf(err, "%s:%lu: line is longer than %d bytes\n", path, lineno,
                    EMU_USERS_MAX_LINE);
            goto out;
        }
        if (rc == -2) {
            fprintf(err, "%s:%lu: %s\n", path, lineno, strerror(errno));
            goto out;
        }
        if (is_blank(line, len) || line[0] == '#')
            continue;
        if (memchr(line, '\0', len) != NULL) {
            fprintf(err, "%s:%lu: line contains a NUL byte\n", path, lineno);
            goto out;
        }
        const char *colon = memchr(line, ':', len);
        if (colon == NULL) {
            fprintf(err, "%s:%lu: expected username:password, found no ':'\n", path, lineno);
            goto out;
        }
        size_t ulen = (size_t)(colon - line);
        if (ulen == 0) {
            fprintf(err, "%s:%lu: empty username before ':'\n", path, lineno);
            goto out;
        }
        if (ulen + 1 == len) {
            /* The server answers 400 to an empty password, so such an account could never log in.
             */
            fprintf(err, "%s:%lu: empty password after ':'\n", path, lineno);
            goto out;
        }
        if (add_user(users, &cap, line, len, ulen, lineno) != 0) {
            fprintf(err, "%s:%lu: out of memory\n", path, lineno);
            goto out;
        }
    }
    if (users->n > 1)
        qsort(users->v, users->n, sizeof *users->v, cmp_user);
    for (size_t i = 1; i < users->n; i++) {
        const struct emu_user *a = &users->v[i - 1];
        const struct emu_user *b = &users->v[i];
        if (emu_conf_cmp_bytes(a->name, a->name_len, b->name, b->name_len) == 0) {
            fprintf(err, "%s:%lu: user \"%s\" is already defined on line %lu\n", path, b->line,
                    b->name, a->line);
            goto out;
        }
    }
    ok = true;
out:
    if (f != NULL)
        fclose(f);
    free(line);
    if (!ok) {
        emu_users_free(users);
        return NULL;
    }
    return users;
}

bool emu_users_check(const struct emu_users *users, const char *user, size_t ulen, const char *pw,
                     size_t plen)
{
    size_t lo = 0;
    size_t hi = users->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct emu_user *u = &users->v[mid];
        int c = emu_conf_cmp_bytes(user, ulen, u->name, u->name_len);
        if (c == 0)
            return plen == u->password_len && memcmp(pw, u->password, plen) == 0;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return false;
}

size_t emu_users_count(const struct emu_users *users)
{
    return users->n;
}

void emu_users_free(struct emu_users *users)
{
    if (users == NULL)
        return;
    for (size_t i = 0; i < users->n; i++)
        free(users->v[i].name);
    free(users->v);
    free(users);
}
