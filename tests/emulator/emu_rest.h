/* emu_rest: the REST API's keyspace resource, GET /v2/schemas/keyspaces/{keyspace}: the token
 * check and the answers. */
#ifndef EMU_REST_H
#define EMU_REST_H

#include <stddef.h>

#include "emu_keyspaces.h"
#include "emu_reply.h"
#include "emu_tokens.h"

/*
 * Answers a GET of keyspace NAME (NLEN bytes, the decoded path segment: any bytes) with TOKEN, the
 * X-Cassandra-Token header (NULL when absent; blanks around it are ignored). In order: 401 when
 * TOKEN is absent or empty, 401 when TOKENS does not know it or it has expired (a known one has its
 * lifetime restarted), 404 when KS (NULL: no keyspace) has no NAME its user may see, else 200 with
 * the keyspace. Sets R; returns 0, or -1 on ENOMEM.
 */
int emu_rest_keyspace(struct emu_tokens *tokens, const struct emu_keyspaces *ks, const char *token,
                      const char *name, size_t nlen, struct emu_reply *r);

#endif
