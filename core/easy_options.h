/* easy_options.h: the options every request of ours sets on its libcurl easy handle, whatever
 * it is for (an auth request of the driver, a DevOps API page of discover): TLS checked, the
 * time bounds, the CAs, --connect-to, http and https only, no redirect, no proxy of libcurl's
 * own choosing, our User-Agent. */
#ifndef TOKENFLEET_EASY_OPTIONS_H
#define TOKENFLEET_EASY_OPTIONS_H

#include <curl/curl.h>

#include "core/driver.h"

/* Sets on e the options above from o (timeout_ms, connect_timeout_ms, cacert, capath) and
 * connect_to (o's --connect-to entries as a list the caller built and keeps while e uses it;
 * NULL = none), with errbuf (CURL_ERROR_SIZE bytes, the caller's, living as long as e) as its
 * error buffer. CURLOPT_PROXY is set to "" (none): the caller names each request's proxy.
 * Returns CURLE_OK or the first option libcurl refused. */
CURLcode easy_options_set(CURL *e, const struct driver_options *o, struct curl_slist *connect_to,
                          char *errbuf);

/* Returns a new list of o's --connect-to entries for CURLOPT_CONNECT_TO (NULL when there are
 * none, or when out of memory: *nomem says which). Free with curl_slist_free_all. */
struct curl_slist *easy_options_connect_to(const struct driver_options *o, int *nomem);

#endif
