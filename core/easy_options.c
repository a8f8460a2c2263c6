/* easy_options.c: the easy-handle options every request shares. */
#include "core/easy_options.h"

#include "version.h"

CURLcode easy_options_set(CURL *e, const struct driver_options *o, struct curl_slist *connect_to,
                          char *errbuf)
{
    CURLcode rc = CURLE_OK;
#define SET(opt, val)                                                                              \
    if (rc == CURLE_OK)                                                                            \
    rc = curl_easy_setopt(e, opt, val)
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_ERRORBUFFER, errbuf);
    SET(CURLOPT_USERAGENT, "tokenfleet/" TOKENFLEET_VERSION);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_FOLLOWLOCATION, 0L); /* a redirect would resend the password or token elsewhere */
    /* One request per host: HTTP/2 set-up buys nothing here. */
    SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    SET(CURLOPT_TIMEOUT_MS, o->timeout_ms);
    SET(CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
    if (o->cacert)
        SET(CURLOPT_CAINFO, o->cacert);
    /* Without a CA path libcurl parses the CA bundle once per multi handle and caches it
     * (CURLOPT_CA_CACHE_TIMEOUT); Debian's default CA path would make it parse the whole
     * bundle again for every connection. A path is used only when the user names one. */
    SET(CURLOPT_CAPATH, o->capath);
    if (connect_to)
        SET(CURLOPT_CONNECT_TO, connect_to);
    /* No proxy until the caller names one; libcurl reads no proxy variable of its own: the
     * environment's were read into o->proxy, and "" here overrides them. */
    SET(CURLOPT_PROXY, "");
    SET(CURLOPT_NOPROXY, "");
#undef SET
    return rc;
}

struct curl_slist *easy_options_connect_to(const struct driver_options *o, int *nomem)
{
    struct curl_slist *list = NULL;
    *nomem = 0;
    for (size_t i = 0; i < o->n_connect_to; i++) {
        struct curl_slist *l = curl_slist_append(list, o->connect_to[i]);
        if (!l) {
            curl_slist_free_all(list);
            *nomem = 1;
            return NULL;
        }
        list = l;
    }
    return list;
}
