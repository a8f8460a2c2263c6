/* text.c: string helpers. */
#include "core/base/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *text_printf(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    return n < 0 ? NULL : s;
}

bool text_is_portable(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            continue;
        if (!strchr("_@%+=:,./-", c))
            return false;
    }
    return true;
}

void text_replace_controls(char *s)
{
    unsigned char *p = (unsigned char *)s;
    for (; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            *p = '?';
        } else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
            /* U+0080-U+009F: two bytes become "??" so that the length stays the same */
            p[0] = '?';
            p[1] = '?';
            p++;
        }
    }
}

char *text_redact(const char *s, const char *secret)
{
    size_t sl = secret ? strlen(secret) : 0;
    if (!sl)
        return strdup(s);
    size_t hits = 0;
    for (const char *p = strstr(s, secret); p; p = strstr(p + sl, secret))
        hits++;
    char *out = malloc(strlen(s) + hits * 8 + 1);
    if (!out)
        return NULL;
    char *w = out;
    for (const char *p = s, *hit; (hit = strstr(p, secret)) || *p;) {
        if (!hit) {
            strcpy(w, p);
            return out;
        }
        memcpy(w, p, (size_t)(hit - p));
        w += hit - p;
        memcpy(w, "********", 8);
        w += 8;
        p = hit + sl;
    }
    *w = '\0';
    return out;
}

size_t text_edit_distance(const char *a, const char *b, size_t cap)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return cap + 1; /* keys are short; anything longer is no near miss */
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        size_t best = row[0];
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t v = diag + cost;
            if (row[j - 1] + 1 < v)
                v = row[j - 1] + 1;
            if (up + 1 < v)
                v = up + 1;
            row[j] = v;
            diag = up;
            if (v < best)
                best = v;
        }
        if (best > cap)
            return cap + 1;
    }
    return row[lb] > cap ? cap + 1 : row[lb];
}

void text_free_secret(char *s)
{
    if (!s)
        return;
    explicit_bzero(s, strlen(s));
    free(s);
}

const char *text_nearest(const char *word, const char *const *list, size_t max_dist)
{
    const char *best = NULL;
    size_t best_dist = max_dist + 1;
    for (size_t i = 0; list[i]; i++) {
        size_t dist = text_edit_distance(word, list[i], max_dist);
        if (dist < best_dist) {
            best_dist = dist;
            best = list[i];
        }
    }
    return best;
}
