/* inventory_rules.c: the inventory's value rules. */
#include "config/inventory_rules.h"

#include <ctype.h>
#include <string.h>
#include <curl/curl.h>
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

/* localhost, 127.0.0.0/8 or ::1: where plain http never leaves the machine. */
static int is_loopback(const char *host)
{
    return !strcmp(host, "localhost") || !strncmp(host, "127.", 4) || !strcmp(host, "[::1]") ||
           !strcmp(host, "::1");
}

bool inventory_is_plain_http_elsewhere(const char *url)
{
    if (strncmp(url, "http://", 7) != 0)
        return 0;
    CURLU *u = curl_url();
    char *host = NULL;
    int elsewhere = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
                    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && !is_loopback(host);
    curl_free(host);
    curl_url_cleanup(u);
    return elsewhere;
}
