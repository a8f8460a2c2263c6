/* emu_dataapi: Astra's Data API keyspace resource, POST /api/json/v1/{keyspace}, with the one
 * command a token check needs (findCollections) and the error shapes around it. */
#ifndef EMU_DATAAPI_H
#define EMU_DATAAPI_H

#include <stdbool.h>
#include <stddef.h>

#include "emu_apptokens.h"
#include "emu_databases.h"
#include "emu_keyspaces.h"
#include "emu_reply.h"

/* What a Data API request brought. */
struct emu_dataapi_request {
    const char *host;         /* Host header, or NULL */
    const char *token;        /* Token header (or X-Cassandra-Token), or NULL */
    const char *content_type; /* Content-Type header, or NULL */
    const char *keyspace;     /* the {keyspace} path segment (decoded) ... */
    size_t klen;              /* ... and its length */
    const char *body;         /* the body (not NUL-terminated), or NULL when empty */
    size_t len;               /* bytes in BODY */
};

/*
 * Answers RQ as the Data API does: 401 for a missing, unknown or malformed token (APP holds the
 * known ones), 415 for a Content-Type other than JSON, then HTTP 200 for everything else, errors
 * included ({"errors":[...]}). The keyspaces are those of the database the Host names in DBS, or,
 * for a Host that names none, those of KS visible to the token's client id. Sets R; returns 0, or
 * -1 on ENOMEM.
 */
int emu_dataapi_answer(const struct emu_databases *dbs, const struct emu_keyspaces *ks,
                       struct emu_apptokens *app, const struct emu_dataapi_request *rq,
                       struct emu_reply *r);

#endif
