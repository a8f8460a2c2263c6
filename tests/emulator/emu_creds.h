/* emu_creds: binding a request body to Stargate's Credentials/Secret the way Jackson does. */
#ifndef EMU_CREDS_H
#define EMU_CREDS_H

#include <stdbool.h>
#include <stddef.h>

/* One string property after binding. */
struct emu_creds_field {
    bool present; /* false when the member is missing or JSON null */
    char *text;   /* when present: newly allocated, NUL-terminated; may hold NULs, so use LEN */
    size_t len;   /* bytes in TEXT */
};

enum emu_creds_result {
    EMU_CREDS_OK,       /* the body is an object; the fields are filled in */
    EMU_CREDS_BAD_JSON, /* not JSON, not an object, or a field is an object/array: Jackson fails */
    EMU_CREDS_NO_BODY,  /* empty (or whitespace-only) body, or JSON null: the entity is null */
    EMU_CREDS_NOMEM,    /* out of memory */
};

/*
 * Binds BODY (LEN bytes) to an object with the string properties NAME1 and NAME2: a string is
 * taken as is, a number or boolean as its JSON text (Jackson's coercion; numbers keep the exact
 * text sent), null as missing; unknown members are ignored and, as in Jackson, anything after the
 * first JSON value is not read. On EMU_CREDS_OK free the fields with emu_creds_field_clear; on any
 * other result they are left empty.
 */
enum emu_creds_result emu_creds_bind(const char *body, size_t len, const char *name1,
                                     struct emu_creds_field *f1, const char *name2,
                                     struct emu_creds_field *f2);

/* Frees F's text and empties it. */
void emu_creds_field_clear(struct emu_creds_field *f);

#endif
