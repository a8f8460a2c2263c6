/* app_token.c: the shape of an Astra application token. */
#include "core/app_token.h"

#include <string.h>

#define CLIENT_ID_MAX 128
#define SECRET_HEX    64

static bool is_alnum_ascii(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_lower_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool app_token_looks_like(const char *s)
{
    return s && strncmp(s, APP_TOKEN_PREFIX, strlen(APP_TOKEN_PREFIX)) == 0;
}

bool app_token_is_valid(const char *s)
{
    size_t prefix = strlen(APP_TOKEN_PREFIX);
    if (!s || strncmp(s, APP_TOKEN_PREFIX, prefix) != 0)
        return false;
    const char *p = s + prefix;
    size_t id = 0;
    while (is_alnum_ascii(p[id]))
        id++;
    if (id == 0 || id > CLIENT_ID_MAX || p[id] != ':')
        return false;
    p += id + 1;
    for (size_t i = 0; i < SECRET_HEX; i++)
        if (!is_lower_hex(p[i]))
            return false;
    return p[SECRET_HEX] == '\0';
}
