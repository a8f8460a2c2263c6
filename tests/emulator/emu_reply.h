/* emu_reply: a response as the emulator decides it, before it becomes an MHD response. */
#ifndef EMU_REPLY_H
#define EMU_REPLY_H

#include <stddef.h>

struct json_t; /* jansson's */

/* Cache-Control of a 201 with a token. */
#define EMU_CACHE_TOKEN "no-transform, max-age=1790, s-maxage=1790"
/* Cache-Control of the resource's {"description": ...} errors. */
#define EMU_CACHE_ERROR "no-store, no-transform, max-age=0, s-maxage=0"
/* Allow header of every auth endpoint (405 and OPTIONS). */
#define EMU_ALLOW_POST "POST,OPTIONS"
/* Allow header of the REST API's keyspace resource (405 and OPTIONS). */
#define EMU_ALLOW_GET "GET,OPTIONS"

struct emu_reply {
    unsigned int status;       /* HTTP status; 0 while nothing is decided */
    char *body;                /* JSON text from malloc (the reply owns it), or NULL: empty body */
    size_t body_len;           /* bytes in BODY */
    const char *cache_control; /* static string, or NULL: no Cache-Control header */
    const char *allow;         /* static string, or NULL: no Allow header */
};

/*
 * Sets R to a framework (Dropwizard) error: {"code":STATUS,"message":MESSAGE}, no Cache-Control.
 * Returns 0, or -1 on ENOMEM (R is then left empty).
 */
int emu_reply_framework(struct emu_reply *r, unsigned int status, const char *message);

/*
 * Sets R to a resource error: {"description":DESC} with DESC LEN bytes (may hold NULs; escaped
 * by jansson) and the no-store Cache-Control. Returns 0, or -1 on ENOMEM.
 */
int emu_reply_description(struct emu_reply *r, unsigned int status, const char *desc, size_t len);

/*
 * Sets R to a REST API error: {"description":DESC,"code":STATUS} with DESC LEN bytes (valid UTF-8,
 * may hold NULs; escaped by jansson), no Cache-Control. Returns 0, or -1 on ENOMEM or invalid
 * UTF-8.
 */
int emu_reply_rest_error(struct emu_reply *r, unsigned int status, const char *desc, size_t len);

/* Sets R to 200 {"data":{"name":NAME,"datacenters":[{"name":"dc1","replicas":3}]}}, the REST
 * API's answer for keyspace NAME (NUL-terminated UTF-8). Returns 0, or -1 on ENOMEM. */
int emu_reply_keyspace(struct emu_reply *r, const char *name);

/* Sets R to 201 {"authToken":TOKEN} with the token Cache-Control. Returns 0, or -1 on ENOMEM. */
int emu_reply_token(struct emu_reply *r, const char *token);

/*
 * Sets R to STATUS with OBJ (a json_t, taken: its reference is dropped) serialised compactly, no
 * Cache-Control. Returns 0, or -1 when OBJ is NULL or on ENOMEM.
 */
int emu_reply_json(struct emu_reply *r, unsigned int status, struct json_t *obj);

/* Sets R to STATUS with BODY (LEN bytes from malloc, taken), no Cache-Control. */
void emu_reply_take(struct emu_reply *r, unsigned int status, char *body, size_t len);

/* Frees R's body and empties R. */
void emu_reply_clear(struct emu_reply *r);

#endif
