/* inventory.h: the fleet inventory (YAML) as validated data: databases with their regions,
 * keyspace, username, password reference, URL template and tags, each value with its place in
 * the file so that later checks can point at it. */
#ifndef TOKENFLEET_INVENTORY_H
#define TOKENFLEET_INVENTORY_H

#include <stddef.h>
#include <stdint.h>

#include "config/diag.h"
#include "core/errors.h"

/* The URL template used when neither the database nor the defaults set auth_url. */
#define INVENTORY_DEFAULT_AUTH_URL "https://{id}-{region}.apps.astra.datastax.com/api/rest/v1/auth"

/* A string value and where it was written (in the database itself or in defaults). */
struct field {
    char *value;       /* in the inventory's string pool, never freed on its own (a database's
                          inherited value is the defaults' string); NULL when not set or not
                          valid */
    struct tf_mark at; /* place of the value; line 0 when the key is absent (a key given with a
                          bad value keeps its place, so that it is not also called missing) */
};

enum secret_kind {
    SECRET_NONE,  /* no password given */
    SECRET_PLAIN, /* the password itself is in the inventory */
    SECRET_ENV,   /* {env: NAME} */
    SECRET_FILE,  /* {file: PATH}, relative to the inventory's folder */
};

/* Where a password comes from, and the password once resolved. */
struct secret_ref {
    enum secret_kind kind;
    char *source;      /* variable name or path as written; NULL for plain; in the inventory's
                          string pool */
    char *value;       /* the password; NULL until resolved; owned, allocated on its own (never
                          in the pool) and zeroed when freed */
    struct tf_mark at; /* place of the reference */
    int resolved;      /* 1 once resolution was tried (value set, or an error reported) */
};

/* 100,000 of these make a large fleet: the fields are ordered, and the counts sized, so that no
 * byte goes to padding. */
struct database {
    struct field name;     /* [a-z0-9][a-z0-9_-]*, unique */
    struct field id;       /* cluster id, a UUID */
    struct field *regions; /* one or more; the array owned (inherited: the defaults' array; a
                              single region: &region), the strings the pool's */
    struct field region;   /* the region when region: gives one string (value NULL otherwise):
                              stored here, not in an array of one of its own */
    struct field keyspace;
    struct field username;
    struct field auth_url; /* template with {id} and {region} */
    struct field rest_url; /* REST API base for check --verify, template as auth_url; NULL =
                              derived from auth_url (see targets.h) */
    struct field *tags;    /* as regions */
    struct secret_ref *own_password; /* set when the database gives its own; owned */
    struct secret_ref *password;     /* own_password, or the defaults' one; never owned */
    struct tf_mark at;               /* where the database's mapping starts */
    uint32_t n_regions;              /* (a list in a file of at most 256 MB) */
    uint32_t n_tags;
    unsigned char regions_given; /* region: or regions: is written (maybe with a bad value) */
    unsigned char malformed;     /* not a mapping (reported): no further checks */
};

struct strpool;

struct inventory {
    struct strpool *strings;    /* every string of the databases and defaults but passwords;
                                   owned, freed last */
    char *path;                 /* as given; owned */
    char *dir;                  /* folder that {file:} paths are relative to; owned */
    struct database defaults;   /* values under `defaults:`; name and id are never set */
    struct database *databases; /* in inventory order; owned */
    size_t n_databases;
    int world_readable; /* the file is readable by group or others */
};

/* Reads and validates the inventory at path. Every mistake is recorded in d (all of them, not
 * the first only). Returns TF_OK and sets *out to a new inventory (free with inventory_free)
 * when there was no error; TF_ERR_INVENTORY when d holds errors (*out is NULL); TF_ERR_NOMEM.
 * Passwords are not resolved here (see secret.h). */
enum tf_err inventory_load(const char *path, struct diag *d, struct inventory **out);

/* Frees inv and everything it owns, zeroing passwords. inventory_free(NULL) is a no-op. */
void inventory_free(struct inventory *inv);

/* Parses the YAML document at path into inv (structure and types only), its strings into
 * inv->strings (made when NULL). Used by inventory_load; returns TF_OK, TF_ERR_INVENTORY (errors
 * in d), TF_ERR_IO or TF_ERR_NOMEM. */
enum tf_err inventory_parse_yaml(const char *path, struct diag *d, struct inventory *inv);

/* Frees what one database owns (not the struct itself): its lists' arrays and its own password;
 * its strings belong to the inventory's pool. Not for a database of a loaded inventory, whose
 * inherited lists belong to the defaults (inventory_free frees those). */
void database_clear(struct database *db);

#endif
