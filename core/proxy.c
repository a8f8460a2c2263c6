/* proxy.c: the proxy of each request, decided as libcurl decides it (see proxy.h). */
#include "core/proxy.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/base/text.h"

#define MASK "********"

/* The first of names that env knows decides: its value, or NULL when it is empty (libcurl does
 * not fall back past a variable that is set). *from gets that name. */
static void first_set(const char *(*env)(const char *), const char *const *names,
                      const char **value, const char **from)
{
    *value = *from = NULL;
    for (; *names; names++) {
        const char *v = env(*names);
        if (v) {
            *value = *v ? v : NULL;
            *from = *v ? *names : NULL;
            return;
        }
    }
}

void proxy_config_init(struct proxy_config *c, const char *proxy, const char *noproxy,
                       const char *(*env)(const char *name))
{
    memset(c, 0, sizeof *c);
    if (proxy) {
        if (*proxy) {
            c->https = c->http = proxy;
            c->https_from = c->http_from = "--proxy";
        }
    } else {
        static const char *const https[] = {"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
                                            NULL};
        static const char *const http[] = {"http_proxy", "all_proxy", "ALL_PROXY", NULL};
        first_set(env, https, &c->https, &c->https_from);
        first_set(env, http, &c->http, &c->http_from);
    }
    if (noproxy) {
        c->noproxy = noproxy;
    } else {
        static const char *const names[] = {"no_proxy", "NO_PROXY", NULL};
        const char *from;
        first_set(env, names, &c->noproxy, &from);
    }
}

/* Where the part after "SCHEME://" starts in url (url itself when it has no scheme). */
static const char *after_scheme(const char *url)
{
    const char *p = url;
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
        return url;
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
           *p == '+' || *p == '-' || *p == '.')
        p++;
    return strncmp(p, "://", 3) == 0 ? p + 3 : url;
}

/* The userinfo of proxy ("user:password" of http://user:password@host), as [*start, *end), or
 * 0 when it has none. The last '@' ends it: a password with an '@' not percent-encoded stays
 * masked whole. */
static int userinfo(const char *proxy, const char **start, const char **end)
{
    *start = after_scheme(proxy);
    *end = strrchr(*start, '@');
    return *end != NULL;
}

const char *proxy_for_url(const struct proxy_config *c, const char *url, const char **from)
{
    const char *proxy = NULL, *src = NULL;
    if (strncasecmp(url, "https://", 8) == 0) {
        proxy = c->https;
        src = c->https_from;
    } else if (strncasecmp(url, "http://", 7) == 0) {
        proxy = c->http;
        src = c->http_from;
    }
    if (proxy && c->noproxy && *c->noproxy) {
        /* The host: the authority up to its port, without a userinfo. */
        const char *a = after_scheme(url);
        size_t alen = strcspn(a, "/?#");
        const char *at = memchr(a, '@', alen);
        for (; at; at = memchr(a, '@', alen)) {
            alen -= (size_t)(at + 1 - a);
            a = at + 1;
        }
        size_t hlen;
        if (*a == '[') {
            const char *close = memchr(a, ']', alen);
            hlen = close ? (size_t)(close + 1 - a) : alen;
        } else {
            const char *colon = memchr(a, ':', alen);
            hlen = colon ? (size_t)(colon - a) : alen;
        }
        char host[256];
        if (hlen < sizeof host) {
            memcpy(host, a, hlen);
            host[hlen] = '\0';
            if (proxy_noproxy_matches(c->noproxy, host))
                proxy = NULL;
        }
    }
    if (from)
        *from = proxy ? src : NULL;
    return proxy;
}

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Whether the first bits bits of a and b are the same. */
static bool same_prefix(const unsigned char *a, const unsigned char *b, unsigned bits)
{
    unsigned bytes = bits / 8, rest = bits % 8;
    if (memcmp(a, b, bytes) != 0)
        return false;
    return !rest || !((a[bytes] ^ b[bytes]) & (0xffu << (8 - rest)));
}

/* Whether the address addr (family AF_INET or AF_INET6) is in token: an address, or
 * ADDRESS/BITS. As curl, no bits (or 0) means the address itself. */
static bool address_matches(const char *token, size_t len, int family, const unsigned char *addr)
{
    char buf[128];
    if (len >= sizeof buf)
        return false;
    memcpy(buf, token, len);
    buf[len] = '\0';
    unsigned max = family == AF_INET ? 32 : 128, bits = 0;
    char *slash = strchr(buf, '/');
    if (slash) {
        char *end;
        unsigned long b = strtoul(slash + 1, &end, 10);
        if (end == slash + 1 || *end || b > max)
            return false;
        bits = (unsigned)b;
        *slash = '\0';
    }
    unsigned char net[16];
    if (inet_pton(family, buf, net) != 1)
        return false;
    return same_prefix(addr, net, bits ? bits : max);
}

/* Whether the host name name (len bytes, no trailing dot) is token or in its domain. */
static bool name_matches(const char *token, size_t tlen, const char *name, size_t len)
{
    if (tlen && token[tlen - 1] == '.')
        tlen--;
    if (tlen && token[0] == '.') {
        token++;
        tlen--;
    }
    if (tlen == len)
        return strncasecmp(token, name, len) == 0;
    return tlen && tlen < len && name[len - tlen - 1] == '.' &&
           strncasecmp(token, name + len - tlen, tlen) == 0;
}

bool proxy_noproxy_matches(const char *list, const char *host)
{
    if (!list || !*list || !host || !*host)
        return false;
    if (strcmp(list, "*") == 0)
        return true;
    char name[256];
    size_t len = strlen(host);
    if (host[0] == '[') {
        const char *close = strchr(host, ']');
        if (!close)
            return false;
        host++;
        len = (size_t)(close - host);
    }
    if (len >= sizeof name)
        return false;
    memcpy(name, host, len);
    name[len] = '\0';
    unsigned char addr[16];
    int family = inet_pton(AF_INET, name, addr) == 1    ? AF_INET
                 : inet_pton(AF_INET6, name, addr) == 1 ? AF_INET6
                                                        : 0;
    if (!family && len && name[len - 1] == '.')
        name[--len] = '\0';
    for (const char *p = list;;) {
        while (blank(*p))
            p++;
        const char *token = p;
        while (*p && !blank(*p) && *p != ',')
            p++;
        size_t tlen = (size_t)(p - token);
        if (tlen && (family ? address_matches(token, tlen, family, addr)
                            : name_matches(token, tlen, name, len)))
            return true;
        while (blank(*p))
            p++;
        if (*p != ',')
            return false;
        while (*p == ',')
            p++;
    }
}

const char *proxy_check(const char *proxy)
{
    static const char *const schemes[] = {"http",   "https",   "socks4", "socks4a",
                                          "socks5", "socks5h", NULL};
    const char *problem = NULL;
    char *url = after_scheme(proxy) == proxy ? text_printf("http://%s", proxy) : strdup(proxy);
    CURLU *u = url ? curl_url() : NULL;
    char *scheme = NULL, *host = NULL, *path = NULL, *extra = NULL;
    if (!u) {
        problem = "out of memory";
    } else if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
        problem = "not a URL";
    } else if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !*host) {
        problem = "no host";
    } else if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
        problem = "no scheme";
    } else {
        size_t i = 0;
        while (schemes[i] && strcasecmp(schemes[i], scheme) != 0)
            i++;
        if (!schemes[i])
            problem = "a proxy's scheme is http, https, socks4, socks4a, socks5 or socks5h";
        else if (curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK && strcmp(path, "/") != 0)
            problem = "a proxy URL has no path";
        else if (curl_url_get(u, CURLUPART_QUERY, &extra, 0) == CURLUE_OK ||
                 curl_url_get(u, CURLUPART_FRAGMENT, &extra, 0) == CURLUE_OK)
            problem = "a proxy URL has no query or fragment";
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(path);
    curl_free(extra);
    curl_url_cleanup(u);
    text_free_secret(url);
    return problem;
}

char *proxy_display(const char *proxy)
{
    const char *start, *end;
    char *shown = userinfo(proxy, &start, &end)
                      ? text_printf("%.*s" MASK "%s", (int)(start - proxy), proxy, end)
                      : strdup(proxy);
    if (shown)
        text_replace_controls(shown);
    return shown;
}

/* The password of proxy percent-decoded, as libcurl sends it: a new string, NULL when it has
 * none or cannot be parsed. Returns -1 when out of memory. */
static int decoded_password(const char *proxy, char **out)
{
    *out = NULL;
    char *url = after_scheme(proxy) == proxy ? text_printf("http://%s", proxy) : strdup(proxy);
    CURLU *u = url ? curl_url() : NULL;
    int rc = u ? 0 : -1;
    if (u && curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PASSWORD, out, CURLU_URLDECODE) == CURLUE_OUT_OF_MEMORY)
        rc = -1;
    curl_url_cleanup(u);
    text_free_secret(url);
    return rc;
}

int proxy_secrets(const char *proxy, char *out[PROXY_MAX_SECRETS], size_t *n)
{
    *n = 0;
    const char *start, *end;
    if (!userinfo(proxy, &start, &end) || end == start)
        return 0;
    const char *colon = memchr(start, ':', (size_t)(end - start));
    char *pieces[PROXY_MAX_SECRETS] = {strndup(start, (size_t)(end - start)), NULL, NULL};
    int failed = !pieces[0];
    if (!failed && colon && colon + 1 < end) {
        char *decoded = NULL;
        pieces[1] = strndup(colon + 1, (size_t)(end - colon - 1));
        failed = !pieces[1] || decoded_password(proxy, &decoded) != 0;
        if (!failed && decoded && *decoded && strcmp(decoded, pieces[1]) != 0)
            failed = !(pieces[2] = strdup(decoded));
        if (decoded) {
            explicit_bzero(decoded, strlen(decoded));
            curl_free(decoded);
        }
    }
    for (size_t i = 0; i < PROXY_MAX_SECRETS; i++) {
        if (failed)
            text_free_secret(pieces[i]);
        else if (pieces[i])
            out[(*n)++] = pieces[i];
    }
    return failed ? -1 : 0;
}

void proxy_hide_userinfo(char *proxy)
{
    const char *start, *end;
    if (userinfo(proxy, &start, &end))
        memset(proxy + (start - proxy), '*', (size_t)(end - start));
}
