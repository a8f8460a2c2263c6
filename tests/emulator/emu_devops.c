/* emu_devops: the DevOps API's database list and database GET over the databases file. */
#include "emu_devops.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

/* The DevOps API's own errors, as Astra returns them (see README.md). */
#define ID_BAD_TOKEN     340012
#define MSG_BAD_TOKEN    "invalid token format"
#define ID_UNKNOWN_TOKEN 340018
#define MSG_UNKNOWN_TOKEN                                                                          \
    "Resource not found: token with identifier: auth-manager returned 404 for call "               \
    "%s/v2/admin/tokens?%s"

static const char base[] = "/v2/databases";

/* The "include" values besides nonterminated and all: the DevOps API's OpenAPI description's, and
 * those the TypeScript and Python clients' documentation add. */
static const char *const statuses[] = {
    "active",      "pending",       "preparing",   "prepared",   "initializing", "parked",
    "parking",     "unparking",     "terminating", "terminated", "resizing",     "error",
    "maintenance", "hibernating",   "hibernated",  "resuming",   "associating",  "decommissioning",
    "degraded",    "synchronizing", "unknown",     "suspended",  "suspending",
};

static const char *const providers[] = {"AWS", "GCP", "AZURE"};

/* {"errors":[{"ID":ID,"message":MESSAGE}]}; ID 0: an error the emulator makes up, without "ID". */
static int reply_error(struct emu_reply *r, unsigned int status, int id, const char *message)
{
    json_t *err = id != 0 ? json_pack("{s:i,s:s}", "ID", id, "message", message)
                          : json_pack("{s:s}", "message", message);
    return emu_reply_json(r, status, json_pack("{s:[o]}", "errors", err));
}

/* Returns the token of a "Bearer TOKEN" header (scheme in any case, blanks around ignored) and
 * sets *LEN, or NULL when HEADER is absent or not of that form. */
static const char *bearer(const char *header, size_t *len)
{
    if (header == NULL)
        return NULL;
    while (*header == ' ' || *header == '\t')
        header++;
    if (strncasecmp(header, "Bearer", 6) != 0 || (header[6] != ' ' && header[6] != '\t'))
        return NULL;
    const char *t = header + 6;
    while (*t == ' ' || *t == '\t')
        t++;
    size_t n = strlen(t);
    while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\t'))
        n--;
    *len = n;
    return n > 0 ? t : NULL;
}

/* Parses "limit" (NULL: the default). Returns false when it is not a whole number in range. */
static bool parse_limit(const char *s, size_t *out)
{
    if (s == NULL) {
        *out = EMU_DEVOPS_LIMIT_DEFAULT;
        return true;
    }
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v < 1 || v > EMU_DEVOPS_LIMIT_MAX)
        return false;
    *out = v;
    return true;
}

static bool known(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(s, list[i]) == 0)
            return true;
    }
    return false;
}

/* Does DB pass the include and provider filters (both already validated)? */
static bool passes(const struct emu_database *db, const char *include, const char *provider)
{
    if (strcasecmp(include, "all") != 0) {
        if (strcasecmp(include, "nonterminated") == 0) {
            if (strcasecmp(db->status, "TERMINATED") == 0)
                return false;
        } else if (strcasecmp(db->status, include) != 0) {
            return false;
        }
    }
    if (strcasecmp(provider, "ALL") != 0)
        return db->provider != NULL && strcasecmp(db->provider, provider) == 0;
    return true;
}

/* 200 and the JSON array of the databases at the INDEXES (N of them) of DBS. */
static int reply_list(struct emu_reply *r, const struct emu_databases *dbs, const size_t *indexes,
                      size_t n)
{
    size_t len = 2;
    for (size_t i = 0; i < n; i++)
        len += emu_databases_at(dbs, indexes[i])->json_len + 1;
    char *body = malloc(len + 1);
    if (body == NULL)
        return -1;
    size_t at = 0;
    body[at++] = '[';
    for (size_t i = 0; i < n; i++) {
        const struct emu_database *db = emu_databases_at(dbs, indexes[i]);
        if (i > 0)
            body[at++] = ',';
        memcpy(body + at, db->json, db->json_len);
        at += db->json_len;
    }
    body[at++] = ']';
    body[at] = '\0';
    emu_reply_take(r, 200, body, at);
    return 0;
}

static int list(const struct emu_databases *dbs, const struct emu_apptoken_grant *g,
                const struct emu_devops_query *q, struct emu_reply *r)
{
    const char *include = q->include != NULL ? q->include : "nonterminated";
    const char *provider = q->provider != NULL ? q->provider : "ALL";
    size_t limit;
    if (strcasecmp(include, "nonterminated") != 0 && strcasecmp(include, "all") != 0 &&
        !known(include, statuses, sizeof statuses / sizeof statuses[0]))
        return reply_error(r, 400, 0, "include: not a database status, nonterminated or all");
    if (strcasecmp(provider, "ALL") != 0 &&
        !known(provider, providers, sizeof providers / sizeof providers[0]))
        return reply_error(r, 400, 0, "provider: expected ALL, AWS, GCP or AZURE");
    if (!parse_limit(q->limit, &limit))
        return reply_error(r, 400, 0, "limit: expected a whole number from 1 to 100");
    size_t start = 0;
    if (q->starting_after != NULL) {
        long at = emu_databases_index(dbs, q->starting_after, strlen(q->starting_after));
        if (at < 0)
            return reply_error(r, 400, 0, "starting_after: no database has this id");
        start = (size_t)at + 1;
    }
    size_t indexes[EMU_DEVOPS_LIMIT_MAX];
    size_t n = 0;
    for (size_t i = start; i < emu_databases_count(dbs) && n < limit; i++) {
        const struct emu_database *db = emu_databases_at(dbs, i);
        if (emu_apptoken_grant_allows(g, db->id) && passes(db, include, provider))
            indexes[n++] = i;
    }
    return reply_list(r, dbs, indexes, n);
}

static int get_one(const struct emu_databases *dbs, const struct emu_apptoken_grant *g,
                   const char *id, size_t len, struct emu_reply *r)
{
    long at = emu_databases_index(dbs, id, len);
    if (at < 0 || !emu_apptoken_grant_allows(g, emu_databases_at(dbs, (size_t)at)->id))
        return reply_error(r, 404, 0, "database not found");
    const struct emu_database *db = emu_databases_at(dbs, (size_t)at);
    char *body = malloc(db->json_len + 1);
    if (body == NULL)
        return -1;
    memcpy(body, db->json, db->json_len + 1);
    emu_reply_take(r, 200, body, db->json_len);
    return 0;
}

int emu_devops_answer(const struct emu_databases *dbs, struct emu_apptokens *org,
                      const char *authorization, const char *path, const struct emu_devops_query *q,
                      struct emu_reply *r)
{
    size_t tlen = 0;
    const char *token = bearer(authorization, &tlen);
    if (token == NULL || !emu_apptoken_wellformed(token, tlen))
        return reply_error(r, 401, ID_BAD_TOKEN, MSG_BAD_TOKEN);
    struct emu_apptoken_grant g;
    switch (emu_apptokens_lookup(org, token, tlen, &g)) {
    case 1:
        break;
    case 0:
        return reply_error(r, 401, ID_UNKNOWN_TOKEN, MSG_UNKNOWN_TOKEN);
    default:
        return -1;
    }
    int rc;
    size_t blen = sizeof base - 1;
    const char *rest = path + blen;
    if (strncmp(path, base, blen) != 0) {
        rc = reply_error(r, 404, 0, "not found");
    } else if (rest[0] == '\0' || strcmp(rest, "/") == 0) {
        rc = list(dbs, &g, q, r);
    } else {
        /* "/{id}" with one optional trailing '/' */
        size_t n = strcspn(rest + 1, "/");
        const char *after = rest + 1 + n;
        if (rest[0] == '/' && n > 0 && (after[0] == '\0' || strcmp(after, "/") == 0))
            rc = get_one(dbs, &g, rest + 1, n, r);
        else
            rc = reply_error(r, 404, 0, "not found");
    }
    emu_apptoken_grant_clear(&g);
    return rc;
}
