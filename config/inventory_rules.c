/* inventory_rules.c: the inventory's value rules. */
#include "config/inventory_rules.h"

#include <ctype.h>
#include <string.h>
#include <uuid/uuid.h>

static bool is_lower_or_digit(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool inventory_is_name(const char *s)
{
    if (!is_lower_or_digit(*s))
        return false;
    for (s++; *s; s++)
        if (!is_lower_or_digit(*s) && *s != '_' && *s != '-')
            return false;
    return true;
}

bool inventory_is_region(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > 32 || !(*s >= 'a' && *s <= 'z') || s[len - 1] == '-')
        return false;
    for (const char *p = s; *p; p++) {
        if (*p == '-' && p[1] == '-')
            return false;
        if (!is_lower_or_digit(*p) && *p != '-')
            return false;
    }
    return true;
}

bool inventory_is_keyspace(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > 48)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return false;
    return true;
}

bool inventory_is_tag(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
            return false;
    return true;
}

bool inventory_is_uuid(const char *s)
{
    uuid_t u;
    return strlen(s) == 36 && uuid_parse(s, u) == 0;
}

bool inventory_is_variable_name(const char *s)
{
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
        return false;
    for (s++; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return false;
    return true;
}
