/* emu_reply: every JSON body is built and escaped by jansson, never by hand. */
#include "emu_reply.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* Serialises and takes (decrefs) OBJ into R. Returns 0, or -1 when OBJ is NULL or on ENOMEM. */
static int set_body(struct emu_reply *r, json_t *obj, unsigned int status, const char *cache)
{
    memset(r, 0, sizeof *r);
    if (obj == NULL)
        return -1;
    /* jansson keeps insertion order, and JSON_COMPACT matches Jackson's "," and ":" separators. */
    char *text = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (text == NULL)
        return -1;
    r->status = status;
    r->body = text;
    r->body_len = strlen(text);
    r->cache_control = cache;
    return 0;
}

int emu_reply_framework(struct emu_reply *r, unsigned int status, const char *message)
{
    return set_body(r, json_pack("{s:I,s:s}", "code", (json_int_t)status, "message", message),
                    status, NULL);
}

int emu_reply_description(struct emu_reply *r, unsigned int status, const char *desc, size_t len)
{
    return set_body(r, json_pack("{s:s%}", "description", desc, len), status, EMU_CACHE_ERROR);
}

int emu_reply_rest_error(struct emu_reply *r, unsigned int status, const char *desc, size_t len)
{
    return set_body(r,
                    json_pack("{s:s%,s:I}", "description", desc, len, "code", (json_int_t)status),
                    status, NULL);
}

int emu_reply_keyspace(struct emu_reply *r, const char *name)
{
    return set_body(r,
                    json_pack("{s:{s:s,s:[{s:s,s:i}]}}", "data", "name", name, "datacenters",
                              "name", "dc1", "replicas", 3),
                    200, NULL);
}

int emu_reply_token(struct emu_reply *r, const char *token)
{
    return set_body(r, json_pack("{s:s}", "authToken", token), 201, EMU_CACHE_TOKEN);
}

int emu_reply_json(struct emu_reply *r, unsigned int status, json_t *obj)
{
    return set_body(r, obj, status, NULL);
}

void emu_reply_take(struct emu_reply *r, unsigned int status, char *body, size_t len)
{
    memset(r, 0, sizeof *r);
    r->status = status;
    r->body = body;
    r->body_len = len;
}

void emu_reply_clear(struct emu_reply *r)
{
    free(r->body);
    memset(r, 0, sizeof *r);
}
