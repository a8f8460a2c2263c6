/* emu_dataapi: the Data API's token check, request checks and findCollections, answered with the
 * Data API's error objects (see README.md for where each wording comes from). */
#include "emu_dataapi.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <uuid/uuid.h>

#include "emu_media.h"

/* The commands of the Data API's keyspace resource, as its COMMAND_UNKNOWN error lists them. */
static const char *const keyspace_commands[] = {
    "alterType",  "createCollection",  "createIndex",      "createTable", "createTextIndex",
    "createType", "createVectorIndex", "deleteCollection", "dropIndex",   "dropTable",
    "dropType",   "findCollections",   "listTables",       "listTypes",
};

/* An error object as the Data API writes it: message, errorCode, id, title, family, scope. */
static json_t *error_obj(const char *code, const char *family, const char *scope, const char *title,
                         const char *message)
{
    uuid_t u;
    char id[37];
    uuid_generate_random(u);
    uuid_unparse_lower(u, id);
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "message", message, "errorCode", code, "id", id,
                     "title", title, "family", family, "scope", scope);
}

static int reply_error(struct emu_reply *r, unsigned int status, json_t *err)
{
    return emu_reply_json(r, status, json_pack("{s:[o]}", "errors", err));
}

/* reply_error with a message made from fmt (printf-style), HTTP 200 as the Data API answers
 * most errors. Returns as emu_reply_json, or -1 when out of memory. */
static int reply_errorf(struct emu_reply *r, const char *code, const char *family,
                        const char *scope, const char *title, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static int reply_errorf(struct emu_reply *r, const char *code, const char *family,
                        const char *scope, const char *title, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    int n = vasprintf(&msg, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    int rc = reply_error(r, 200, error_obj(code, family, scope, title, msg));
    free(msg);
    return rc;
}

static int missing_token(struct emu_reply *r)
{
    return reply_error(
        r, 401,
        error_obj("MISSING_AUTHENTICATION_TOKEN", "REQUEST", "SECURITY",
                  "Missing authorization token",
                  "The command did not include an authorization token in the request headers.\n\n"
                  "The authorization header is: Token.\n\n"
                  "Resend the command using the correct authentication details."));
}

static int invalid_token(struct emu_reply *r)
{
    return reply_error(r, 401,
                       error_obj("UNAUTHENTICATED_REQUEST", "REQUEST", "SECURITY",
                                 "Authentication failed",
                                 "Authentication failed for request due to invalid token.\n\n"
                                 "Resend with valid authentication token."));
}

/* A copy of S (LEN bytes) with every byte outside printable ASCII shown as '?', for messages. */
static char *printable(const char *s, size_t len)
{
    char *out = malloc(len + 1);
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < len; i++)
        out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
    out[len] = '\0';
    return out;
}

static int keyspace_missing(struct emu_reply *r, const char *name, size_t nlen)
{
    char *shown = printable(name, nlen);
    if (shown == NULL)
        return -1;
    int rc = reply_errorf(r, "KEYSPACE_DOES_NOT_EXIST", "REQUEST", "EMPTY",
                          "The provided keyspace does not exist",
                          "The provided keyspace does not exist: Unknown keyspace '%s', you must "
                          "create it first",
                          shown);
    free(shown);
    return rc;
}

static int unknown_command(struct emu_reply *r, const char *name)
{
    size_t n = sizeof keyspace_commands / sizeof keyspace_commands[0];
    size_t len = 3;
    for (size_t i = 0; i < n; i++)
        len += strlen(keyspace_commands[i]) + 2;
    char *list = malloc(len);
    if (list == NULL)
        return -1;
    strcpy(list, "[");
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            strcat(list, ", ");
        strcat(list, keyspace_commands[i]);
    }
    strcat(list, "]");
    int rc =
        reply_errorf(r, "COMMAND_UNKNOWN", "REQUEST", "", "Command is not recognized by Data API",
                     "Command '%s' is not a Keyspace Command recognized by Data API.\n\n"
                     "Data API supports following Keyspace Commands: %s.\n\n"
                     "Resend using one of the supported commands.",
                     name, list);
    free(list);
    return rc;
}

static int structure_mismatch(struct emu_reply *r, const char *problem)
{
    return reply_errorf(r, "REQUEST_STRUCTURE_MISMATCH", "REQUEST", "",
                        "Request structure not valid",
                        "Request is valid JSON but has a structural mismatch: %s.\n\n"
                        "Resend request with valid structure.",
                        problem);
}

static bool is_keyspace_command(const char *name)
{
    for (size_t i = 0; i < sizeof keyspace_commands / sizeof keyspace_commands[0]; i++) {
        if (strcmp(name, keyspace_commands[i]) == 0)
            return true;
    }
    return false;
}

static bool blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return false;
    }
    return true;
}

/* 200 {"status":{"collections":[...]}}: DB's collections in KEYSPACE (none without DB), as names
 * or, with EXPLAIN, as {"name": ...} objects. */
static int find_collections(struct emu_reply *r, const struct emu_database *db,
                            const char *keyspace, size_t klen, bool explain)
{
    json_t *out = json_array();
    const json_t *names = NULL;
    if (out == NULL)
        return -1;
    if (db != NULL && db->collections != NULL) {
        char *key = strndup(keyspace, klen);
        if (key == NULL) {
            json_decref(out);
            return -1;
        }
        names = json_object_get(db->collections, key);
        free(key);
    }
    for (size_t i = 0; i < json_array_size(names); i++) {
        const char *name = json_string_value(json_array_get(names, i));
        json_t *item = explain ? json_pack("{s:s}", "name", name) : json_string(name);
        if (json_array_append_new(out, item) != 0) {
            json_decref(out);
            return -1;
        }
    }
    return emu_reply_json(r, 200, json_pack("{s:{s:o}}", "status", "collections", out));
}

/* The token header without the blanks around it; NULL when absent or blank. */
static const char *trimmed(const char *s, size_t *len)
{
    if (s == NULL)
        return NULL;
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    *len = n;
    return n > 0 ? s : NULL;
}

int emu_dataapi_answer(const struct emu_databases *dbs, const struct emu_keyspaces *ks,
                       struct emu_apptokens *app, const struct emu_dataapi_request *rq,
                       struct emu_reply *r)
{
    size_t tlen = 0;
    const char *token = trimmed(rq->token, &tlen);
    if (token == NULL)
        return missing_token(r);
    struct emu_apptoken_grant g;
    int found =
        emu_apptoken_wellformed(token, tlen) ? emu_apptokens_lookup(app, token, tlen, &g) : 0;
    if (found < 0)
        return -1;
    if (found == 0)
        return invalid_token(r);

    int rc = -1;
    json_t *root = NULL;
    if (rq->content_type != NULL && !emu_media_is_json(rq->content_type)) {
        rc = reply_error(r, 415,
                         error_obj("UNSUPPORTED_CONTENT_TYPE", "REQUEST", "",
                                   "Unsupported Content-Type",
                                   "Request sent with unsupported 'Content-Type' header value.\n\n"
                                   "The API only supports content type: application/json\n\n"
                                   "Resend with supported 'Content-Type' header."));
        goto out;
    }
    if (rq->body == NULL || blank(rq->body, rq->len)) {
        rc = reply_error(r, 200,
                         error_obj("COMMAND_FIELD_INVALID", "REQUEST", "", "Request invalid",
                                   "Request invalid: the request body must hold a command."));
        goto out;
    }
    json_error_t jerr;
    root = json_loadb(rq->body, rq->len, JSON_DECODE_ANY, &jerr);
    if (root == NULL) {
        rc = reply_errorf(r, "REQUEST_NOT_JSON", "REQUEST", "", "Request not valid JSON",
                          "Request not valid JSON, problem: %s.\n\nResend request as valid JSON.",
                          jerr.text);
        goto out;
    }
    if (!json_is_object(root) || json_object_size(root) != 1) {
        rc = structure_mismatch(r, "the request must be a JSON object with exactly one command");
        goto out;
    }
    const char *name = json_object_iter_key(json_object_iter(root));
    const json_t *cmd = json_object_get(root, name);
    if (!is_keyspace_command(name)) {
        rc = unknown_command(r, name);
        goto out;
    }
    if (!json_is_object(cmd)) {
        rc = structure_mismatch(r, "the command's value must be a JSON object");
        goto out;
    }

    /* A token for another database reaches the database but not its keyspaces: Astra answers
     * KEYSPACE_DOES_NOT_EXIST, not 401. */
    const struct emu_database *db = emu_databases_by_host(dbs, rq->host);
    bool exists;
    if (!emu_apptoken_grant_allows(&g, db != NULL ? db->id : NULL)) {
        exists = false;
    } else if (db != NULL) {
        exists = emu_database_has_keyspace(db, rq->keyspace, rq->klen);
    } else {
        size_t clen;
        const char *client = emu_apptoken_client_id(token, &clen);
        exists = rq->klen <= EMU_KEYSPACE_NAME_MAX &&
                 emu_keyspaces_visible(ks, rq->keyspace, rq->klen, client, clen);
    }
    if (!exists) {
        rc = keyspace_missing(r, rq->keyspace, rq->klen);
        goto out;
    }
    if (strcmp(name, "findCollections") != 0) {
        rc = reply_errorf(r, "EMULATOR_COMMAND_NOT_EMULATED", "SERVER", "", "Command not emulated",
                          "The emulator does not emulate '%s'; only findCollections.", name);
        goto out;
    }
    const json_t *explain = json_object_get(json_object_get(cmd, "options"), "explain");
    rc = find_collections(r, db, rq->keyspace, rq->klen, json_is_true(explain));
out:
    json_decref(root);
    emu_apptoken_grant_clear(&g);
    return rc;
}
