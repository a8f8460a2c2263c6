/* devops.h: the client of Astra's DevOps API that discover needs: every database of the org,
 * listed page by page (GET /v2/databases), with retries and time bounds as the driver's, each
 * database taken out of the JSON into what an inventory is made from. */
#ifndef TOKENFLEET_DEVOPS_H
#define TOKENFLEET_DEVOPS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/base/errors.h"
#include "core/driver.h"

/* The DevOps API's address when none is given (--api-url). */
#define DEVOPS_DEFAULT_API_URL "https://api.astra.datastax.com"
/* Databases asked for per page: the most the API gives. A shorter page is the last. */
#define DEVOPS_PAGE_LIMIT 100
/* Largest page body read (100 databases of a few KiB each fit with room to spare). */
#define DEVOPS_MAX_PAGE (16 * 1024 * 1024)
/* Pages asked for at most (a million databases): an API that never ends a listing, with new
 * ids on every page, still stops. */
#define DEVOPS_MAX_PAGES 10000

/* One database as the listing gave it. Each string is NULL when the member is absent or not a
 * string; strings are owned by the listing. */
struct devops_database {
    char *id;          /* "id", as sent */
    char *name;        /* info.name */
    char *status;      /* "status" */
    char *keyspace;    /* info.keyspace */
    char **regions;    /* info.datacenters[].region, each once, in order; owned array */
    size_t n_regions;  /* 0 when datacenters is absent, empty or not a list */
    bool vector;       /* info.dbType is "vector": a Serverless (Vector) database */
    const char *shape; /* static text saying what is wrong with the JSON's shape ("not a JSON
                          object", "info is not an object", "a datacenter has no region"...),
                          NULL when nothing was found; the values themselves are for the caller
                          to judge */
    unsigned page;     /* the page it came on, from 1 */
};

struct devops_listing {
    struct devops_database *items; /* in the API's order; owned */
    size_t count, cap;
    unsigned pages; /* pages asked for */
};

/* What to list and how. */
struct devops_request {
    const char *api_url;              /* the API's base (DEVOPS_DEFAULT_API_URL), no trailing / */
    const char *token;                /* the org token, sent as Authorization: Bearer; borrowed */
    const struct driver_options *opt; /* time bounds, CAs, --connect-to, proxies, retry
                                         policy, --deadline (the whole listing) and messages
                                         (-v lines); concurrency and the callbacks are not
                                         used */
};

/* True when s names a database status the DevOps API documents (ACTIVE, HIBERNATED, ...: the
 * upper-case spelling only). */
bool devops_is_status(const char *s);

/* The known statuses, NULL-terminated, for messages and suggestions. */
extern const char *const devops_statuses[];

/* Lists every database req's token may view (include=nonterminated, every provider), one
 * request at a time, each with a fresh request id; a page is retried as the driver retries a
 * request (connection failures, timeouts, 408, 429 with its Retry-After, 5xx), and also when a
 * 200 brings something else than a JSON array (a gateway's HTML page). Returns TF_OK with *out
 * filled (free with devops_listing_clear); TF_ERR_REMOTE when the API refused the token or
 * failed for good, or a page repeated a database already listed, with *error set to a new
 * message naming the page and request (never the token; the caller frees it); TF_ERR_CURL
 * (printed through req->opt->msg) or TF_ERR_NOMEM. On error *out holds nothing. */
enum tf_err devops_list(const struct devops_request *req, struct devops_listing *out, char **error);

/* Frees what l owns and zeroes it; safe on a zeroed listing. */
void devops_listing_clear(struct devops_listing *l);

#endif
