/* inventory_name.c: database names made from free-form ones, and made unique. */
#include "config/inventory_name.h"

#include <stdlib.h>
#include <string.h>

#include "core/base/text.h"

/* Takes - and _ off the end of the len bytes of s; returns the length left. */
static size_t trim_end(const char *s, size_t len)
{
    while (len && (s[len - 1] == '-' || s[len - 1] == '_'))
        len--;
    return len;
}

char *inventory_name_make(const char *original)
{
    char *out = malloc(INVENTORY_NAME_MAX + 1);
    if (!out)
        return NULL;
    size_t len = 0;
    for (const unsigned char *p = (const unsigned char *)original; *p && len < INVENTORY_NAME_MAX;
         p++) {
        char c = (char)*p;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        /* _ becomes - too: two names that differ only there would share the variable prefix
         * of the combined env file (ORDERS_EU_...), which the inventory refuses. */
        int kept = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        if (!kept) {
            c = '-';
            while ((p[1] & 0xc0) == 0x80) /* the rest of a UTF-8 character is the same one */
                p++;
        }
        if (c == '-' && len && out[len - 1] == '-')
            continue;
        if ((c == '-' || c == '_') && !len)
            continue; /* a name starts with a letter or digit */
        out[len++] = c;
    }
    len = trim_end(out, len);
    if (!len)
        memcpy(out, "db", len = 2);
    out[len] = '\0';
    return out;
}

char *inventory_name_unique(struct strset *taken, const char *base)
{
    char *name = strdup(base);
    for (unsigned n = 2; name && strset_find(taken, name); n++) {
        free(name);
        name = text_printf("%s-%u", base, n);
    }
    if (name && strset_add(taken, name) < 0) {
        free(name);
        name = NULL;
    }
    return name;
}
