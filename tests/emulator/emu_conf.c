/* emu_conf.c: shared helpers of the emulator's line-based files. */
#include "emu_conf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void emu_conf_bad(const struct emu_where *w, const char *fmt, ...)
{
    va_list ap;
    fprintf(w->err, "%s:%lu: ", w->path, w->line);
    va_start(ap, fmt);
    vfprintf(w->err, fmt, ap);
    va_end(ap);
    fputc('\n', w->err);
}

int emu_conf_read_file(const char *path, size_t max_line, FILE *err,
                       int (*take)(const struct emu_where *w, char *line, void *ctx), void *ctx)
{
    struct emu_where w = {.err = err, .path = path, .line = 0};
    char *buf = malloc(max_line);
    if (buf == NULL) {
        fprintf(err, "%s: out of memory\n", path);
        return -1;
    }
    FILE *f = fopen(path, "r");
    int result = -1;
    if (f == NULL) {
        fprintf(err, "%s: %s\n", path, strerror(errno));
        goto out;
    }
    for (;;) {
        w.line++;
        int rc = emu_conf_read_line(f, buf, max_line);
        if (rc == 0)
            break;
        if (rc == -1) {
            emu_conf_bad(&w, "line longer than %zu bytes or holding a NUL byte", max_line - 2);
            goto out;
        }
        if (rc == -2) {
            fprintf(err, "%s: %s\n", path, strerror(errno));
            goto out;
        }
        if (take(&w, buf, ctx) != 0)
            goto out;
    }
    result = 0;
out:
    if (f != NULL)
        fclose(f);
    free(buf);
    return result;
}

int emu_conf_read_line(FILE *f, char *buf, size_t cap)
{
    size_t n = 0;
    int c;
    bool nul = false;
    while ((c = getc(f)) != EOF && c != '\n') {
        if (n + 1 >= cap)
            return -1;
        nul = nul || c == '\0';
        buf[n++] = (char)c;
    }
    if (ferror(f))
        return -2;
    if (c == EOF && n == 0)
        return 0;
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    return nul ? -1 : 1;
}

bool emu_conf_is_space(char c)
{
    return c == ' ' || c == '\t';
}

int emu_conf_cmp_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c != 0)
        return c;
    return (alen > blen) - (alen < blen);
}

size_t emu_conf_split_fields(char *text, const char **fields, size_t max)
{
    size_t nf = 0;
    char *p = text;
    for (;;) {
        while (emu_conf_is_space(*p))
            p++;
        if (*p == '\0' || *p == '#')
            break;
        if (fields != NULL && nf < max)
            fields[nf] = p;
        nf++;
        while (*p != '\0' && !emu_conf_is_space(*p))
            p++;
        if (*p != '\0') {
            if (fields != NULL)
                *p = '\0';
            p++;
        }
    }
    return nf;
}

void *emu_conf_grow(void *v, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return v;
    size_t ncap = *cap ? *cap * 2 : 16;
    void *nv = realloc(v, ncap * size);
    if (nv != NULL)
        *cap = ncap;
    return nv;
}
