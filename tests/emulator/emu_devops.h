/* emu_devops: Astra's DevOps API, as far as fleet discovery goes: GET /v2/databases (paged and
 * filtered) and GET /v2/databases/{id}, with application tokens as Bearer tokens. */
#ifndef EMU_DEVOPS_H
#define EMU_DEVOPS_H

#include "emu_apptokens.h"
#include "emu_databases.h"
#include "emu_reply.h"

/* Default and largest "limit" of GET /v2/databases. */
#define EMU_DEVOPS_LIMIT_DEFAULT 25
#define EMU_DEVOPS_LIMIT_MAX     100

/* The query parameters of GET /v2/databases; each NULL when absent. */
struct emu_devops_query {
    const char *include;        /* nonterminated (default), all, or one status */
    const char *provider;       /* ALL (default), AWS, GCP or AZURE */
    const char *limit;          /* 1 to 100, default 25 */
    const char *starting_after; /* id of the last database of the previous page */
};

/*
 * Answers a GET of PATH (decoded, no query) on the DevOps API with AUTHORIZATION (the header, NULL
 * when absent), Q its query. The token must be in ORG (NULL: none is); DBS (NULL: none) are the
 * databases, each listed only for tokens that reach it. Sets R; returns 0, or -1 on ENOMEM.
 */
int emu_devops_answer(const struct emu_databases *dbs, struct emu_apptokens *org,
                      const char *authorization, const char *path, const struct emu_devops_query *q,
                      struct emu_reply *r);

#endif
