/* inventory.h: the fleet inventory (YAML) as validated data: databases with their regions,
 * keyspace, username and password reference or application token reference, API, URL templates
 * and tags, each value with its place in the file so that later checks can point at it. */
#ifndef TOKENFLEET_INVENTORY_H
#define TOKENFLEET_INVENTORY_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/diag.h"
#include "core/base/errors.h"
#include "core/target.h"

/* The URL template used when neither the database nor the defaults set auth_url. */
#define INVENTORY_DEFAULT_AUTH_URL "https://{id}-{region}.apps.astra.datastax.com/api/rest/v1/auth"

/* Which secret of its own a database's own_secret holds. */
enum own_secret_kind {
    OWN_PASSWORD, /* its password */
    OWN_TOKEN,    /* its application token */
    OWN_BOTH,     /* both, an error (reported at the token): an array of two, the token first */
};

/* 100,000 of these make a large fleet: the fields are ordered, and the counts sized, so that no
 * byte goes to padding. */
struct database {
    struct target_db run;  /* what a run needs of it: the plan's targets point here (core's
                              type, filled in here); password is its own (database_own_password)
                              or the defaults' one, app_token its own (database_own_token) or
                              the defaults' one (one of the two is NULL), never owned through
                              run */
    struct field *regions; /* one or more; the array owned (inherited: the defaults' array; a
                              single region: &region), the strings the pool's */
    struct field region;   /* the region when region: gives one string (value NULL otherwise):
                              stored here, not in an array of one of its own */
    const struct field *rest_url;  /* REST API base for check --verify, template as auth_url,
                                      own (in the pool) or the defaults'; NULL = derived from
                                      auth_url (see targets.h) */
    struct field *tags;            /* as regions */
    struct secret_ref *own_secret; /* the password or application token the database gives
                                      itself (own_kind says which), NULL when it gives none;
                                      owned: one pointer, as a database gives one of the two */
    struct tf_mark at;             /* where the database's mapping starts */
    uint32_t n_regions;            /* (a list in a file of at most 256 MB) */
    uint32_t n_tags;
    unsigned char regions_given; /* region: or regions: is written (maybe with a bad value) */
    unsigned char malformed;     /* not a mapping (reported): no further checks */
    unsigned char merge_failed;  /* a merge key (<<) that brings no mapping (reported): what it
                                    was meant to give is not called missing */
    unsigned char api_given;     /* api: is written with a good value (else the defaults' or
                                    rest) */
    unsigned char own_kind;      /* enum own_secret_kind: what own_secret holds */
};

/* The password db gives itself, or NULL. Returns db's reference (borrowed). */
static inline struct secret_ref *database_own_password(const struct database *db)
{
    if (!db->own_secret || db->own_kind == OWN_TOKEN)
        return NULL;
    return db->own_kind == OWN_BOTH ? &db->own_secret[1] : db->own_secret;
}

/* The application token db gives itself, or NULL. Returns db's reference (borrowed). */
static inline struct secret_ref *database_own_token(const struct database *db)
{
    return db->own_secret && db->own_kind != OWN_PASSWORD ? db->own_secret : NULL;
}

/* The database whose run part is db (a target's db). */
static inline const struct database *database_of(const struct target_db *db)
{
    return (const struct database *)(const void *)((const char *)db -
                                                   offsetof(struct database, run));
}

struct strpool;

struct inventory {
    struct strpool *strings;    /* every string of the databases and defaults but passwords;
                                   owned, freed last */
    char *path;                 /* as given (<stdin> for "-"), for messages; owned */
    char *dir;                  /* folder that {file:} paths are relative to ("" for the
                                   current one); owned */
    struct database defaults;   /* values under `defaults:`; name and id are never set */
    struct database *databases; /* in inventory order; owned */
    size_t n_databases;
    struct env_names env_names; /* defaults' env_names (env_names_seed when not given): the
                                   names of the run's variables; strings the pool's */
    int world_readable;         /* the file is readable by group or others */
};

/* The path that means standard input (-i -), and the name messages give it then. */
#define INVENTORY_STDIN_PATH "-"
#define INVENTORY_STDIN_NAME "<stdin>"

/* The name messages give the inventory at path: path itself, or <stdin> for standard input. */
const char *inventory_name(const char *path);

/* Reads and validates the inventory at path, or standard input when path is "-" (read whole,
 * at most 256 MB, named <stdin> in messages; {file:} paths are then relative to the current
 * folder). Every mistake is recorded in d (all of them, not the first only). Returns TF_OK and sets
 * *out to a new inventory (free with inventory_free) when there was no error; TF_ERR_INVENTORY when
 * d holds errors (*out is NULL); TF_ERR_NOMEM. Passwords are not resolved here (see secret.h). */
enum tf_err inventory_load(const char *path, struct diag *d, struct inventory **out);

/* Frees inv and everything it owns, zeroing passwords. inventory_free(NULL) is a no-op. */
void inventory_free(struct inventory *inv);

#endif
