/* emu_rest: the REST API's keyspace resource, GET /v2/schemas/keyspaces/{keyspace}: the token
 * check and the answers. */
#ifndef EMU_REST_H
#define EMU_REST_H

#include <stddef.h>

#include "emu_apptokens.h"
#include "emu_databases.h"
#include "emu_keyspaces.h"
#include "emu_reply.h"
#include "emu_tokens.h"

/* Where the keyspace resource looks tokens and keyspaces up. */
struct emu_rest_stores {
    struct emu_tokens *tokens;       /* the auth API's tokens */
    struct emu_apptokens *app;       /* application tokens (--app-tokens), or NULL: none */
    const struct emu_keyspaces *ks;  /* the keyspaces file, or NULL: no keyspace */
    const struct emu_databases *dbs; /* the databases file, or NULL: none */
};

/*
 * Answers a GET of keyspace NAME (NLEN bytes, the decoded path segment: any bytes) sent to HOST
 * (the Host header, or NULL) with TOKEN, the X-Cassandra-Token header (NULL when absent; blanks
 * around it are ignored). In order: 401 when TOKEN is absent or empty; 401 when it is neither an
 * application token in S's APP nor a token the auth API issued that is still alive (such a one
 * has its lifetime restarted); 404 when the token may not see NAME; else 200 with the keyspace.
 * On a database HOST names (S's DBS) the keyspaces are that database's, for any token that
 * reaches it; elsewhere those of S's KS the token's user (an application token's client id) may
 * see. Sets R; returns 0, or -1 on ENOMEM.
 */
int emu_rest_keyspace(const struct emu_rest_stores *s, const char *host, const char *token,
                      const char *name, size_t nlen, struct emu_reply *r);

#endif
