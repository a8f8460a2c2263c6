/* proxy.h: which proxy each request goes through. --proxy and --noproxy, or else the variables
 * curl reads (https_proxy, HTTPS_PROXY, http_proxy, all_proxy, ALL_PROXY, no_proxy, NO_PROXY),
 * are resolved here the way libcurl resolves them, and the driver hands libcurl the result for
 * every request (CURLOPT_PROXY, "" for none), so that what is sent, what -v prints and what an
 * error names cannot disagree.
 *
 * A proxy URL may carry credentials (http://user:password@proxy:3128): it is never printed as
 * it is, only as proxy_display() makes it, and proxy_secrets() says what to mask in text that
 * may quote it (libcurl's error messages). */
#ifndef TOKENFLEET_PROXY_H
#define TOKENFLEET_PROXY_H

#include <stdbool.h>
#include <stddef.h>

/* The proxies of a run. Strings are borrowed (argv's, the environment's). */
struct proxy_config {
    const char *https;      /* for https:// URLs; NULL = none */
    const char *https_from; /* where it came from, for messages: "--proxy", "HTTPS_PROXY"... */
    const char *http;       /* for http:// URLs; NULL = none */
    const char *http_from;
    const char *noproxy; /* hosts reached directly, curl's NO_PROXY list; NULL = none */
};

/* Fills *c as libcurl would decide: proxy (when not NULL; "" = no proxy at all) serves both
 * schemes and the environment's proxies are not read; otherwise https_proxy, then HTTPS_PROXY,
 * for https, and http_proxy (lower case only, as libcurl: HTTP_PROXY can be set by a CGI
 * request's Proxy: header) for http, each falling back to all_proxy, then ALL_PROXY. A variable
 * that is set but empty means no proxy, without falling back. noproxy (when not NULL; "" = an
 * empty list that overrides the environment's) or else no_proxy, then NO_PROXY. env is getenv,
 * or a stand-in for tests. */
void proxy_config_init(struct proxy_config *c, const char *proxy, const char *noproxy,
                       const char *(*env)(const char *name));

/* The proxy that a request for url goes through, or NULL (none for its scheme, or its host is
 * in the noproxy list); *from (may be NULL) gets where it came from. */
const char *proxy_for_url(const struct proxy_config *c, const char *url, const char **from);

/* Whether host (a name, an IPv4 address, an IPv6 address with or without brackets) is in list,
 * curl's NO_PROXY syntax: "*" alone matches every host; otherwise names separated by commas
 * (blanks around them ignored). A name matches itself and its subdomains (example.com and
 * .example.com both match www.example.com, not notexample.com), case-insensitively, a trailing
 * dot ignored; an address matches itself or, as ADDRESS/BITS, the hosts of its range. */
bool proxy_noproxy_matches(const char *list, const char *host);

/* Whether proxy is a proxy URL libcurl takes: [SCHEME://][USER[:PASSWORD]@]HOST[:PORT][/],
 * SCHEME one of http (the default), https, socks4, socks4a, socks5, socks5h. Returns NULL when it
 * is, or what is wrong. */
const char *proxy_check(const char *proxy);

/* A new copy of proxy to print: its user name and password, when it has any, replaced with
 * eight asterisks, so that "http://USER:PASS@proxy:3128" prints as "http://" MASK "@proxy:3128".
 * Works on any string, a malformed URL too; control characters become '?'. NULL when out of
 * memory. */
char *proxy_display(const char *proxy);

/* The pieces of proxy that must never be printed, for masking text that may quote it: the
 * userinfo as written, its password as written and decoded. Puts at most PROXY_MAX_SECRETS new
 * strings (none when proxy has no userinfo) into out and their count into *n. Returns 0, or -1
 * when out of memory (nothing to free then). */
#define PROXY_MAX_SECRETS 3
int proxy_secrets(const char *proxy, char *out[PROXY_MAX_SECRETS], size_t *n);

/* Overwrites, in place, the userinfo of proxy (user name and password, as for proxy_display)
 * with '*': for the copy in argv that `ps` shows. */
void proxy_hide_userinfo(char *proxy);

#endif
