/* emu_http: the MHD callbacks: routing (auth endpoints, the REST keyspace resource, the DevOps
 * API, the Data API's keyspace resource), Jersey's framework checks, body intake, fault steps and
 * delays, the request log. */
#ifndef EMU_HTTP_H
#define EMU_HTTP_H

#include <microhttpd.h>

#include "emu_apptokens.h"
#include "emu_databases.h"
#include "emu_faults.h"
#include "emu_keyspaces.h"
#include "emu_reqlog.h"
#include "emu_sched.h"
#include "emu_tokens.h"
#include "emu_users.h"

/* Largest request body read (bytes); a larger one gets 413. */
#define EMU_HTTP_MAX_BODY (1024u * 1024u)

/* What every request handler shares; passed as the MHD callbacks' closure. Not owned. */
struct emu_server {
    const struct emu_users *users;         /* accounts, read-only */
    struct emu_tokens *tokens;             /* issued tokens, locked internally */
    const struct emu_keyspaces *keyspaces; /* keyspaces of the REST API, read-only; NULL: none */
    const struct emu_databases *databases; /* the DevOps API's databases, read-only; NULL: none */
    struct emu_apptokens *app_tokens;      /* application tokens (REST, Data API); NULL: none */
    struct emu_apptokens *org_tokens;      /* tokens of the DevOps API; NULL: none */
    struct emu_reqlog *log;                /* request log, or NULL for none */
    struct emu_faults *faults;             /* fault rules, locked internally; NULL: none */
    struct emu_sched *sched; /* holds delayed, stalled and dripping connections; NULL when
                                there are neither FAULTS nor DELAY_MS */
    unsigned int delay_ms;   /* wait before every answer (ms); 0: none */
};

/* MHD_AccessHandlerCallback; CLS is a struct emu_server. */
enum MHD_Result emu_http_on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                    const char *method, const char *version,
                                    const char *upload_data, size_t *upload_data_size,
                                    void **req_cls);

/* MHD_RequestCompletedCallback (MHD_OPTION_NOTIFY_COMPLETED; CLS is the struct emu_server): logs
 * status 0 for a request that ended unanswered (stalled or delayed) and frees the request's state.
 */
void emu_http_on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                           enum MHD_RequestTerminationCode toe);

#endif
