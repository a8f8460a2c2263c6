/* utf8.c: UTF-8 validity and repair. */
#include "core/base/utf8.h"

#include <stdlib.h>
#include <string.h>

size_t utf8_valid_prefix(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        size_t need;
        unsigned min;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            need = 1, min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2, min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3, min = 0x10000;
        } else {
            return i;
        }
        if (i + need >= len)
            return i; /* cut short */
        unsigned cp = c & (0x3fu >> need);
        for (size_t k = 1; k <= need; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return i;
            cp = (cp << 6) | (p[i + k] & 0x3fu);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return i;
        i += need + 1;
    }
    return i;
}

size_t utf8_repair(const char *s, size_t len, char *out, size_t cap, size_t *consumed)
{
    size_t n = 0, i = 0;
    while (i < len && n < cap) {
        size_t valid = utf8_valid_prefix(s + i, len - i);
        size_t room = cap - n;
        /* The valid run up to the cap, whole characters only. */
        size_t take = valid <= room ? valid : utf8_valid_prefix(s + i, room);
        memcpy(out + n, s + i, take);
        n += take;
        i += take;
        if (take < valid || i == len || n == cap)
            break;
        out[n++] = '?'; /* one byte that starts no valid character */
        i++;
    }
    out[n] = '\0';
    if (consumed)
        *consumed = i;
    return n;
}

char *utf8_repaired(const char *s)
{
    size_t len = strlen(s);
    char *out = malloc(len + 1);
    if (out)
        utf8_repair(s, len, out, len, NULL);
    return out;
}
