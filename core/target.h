/* target.h: the run plan: the targets of a run, one per (database, region), with what core needs
 * of each (names, URLs, the values its env file holds and where each was written, the credential
 * reference). config/ builds it from the inventory; core never reaches back into the inventory. */
#ifndef TOKENFLEET_TARGET_H
#define TOKENFLEET_TARGET_H

#include <stddef.h>

#include "core/base/diag.h"
#include "core/env_names.h"

enum secret_kind {
    SECRET_NONE,    /* no password given */
    SECRET_PLAIN,   /* the password itself is in the inventory */
    SECRET_ENV,     /* {env: NAME} */
    SECRET_FILE,    /* {file: PATH}, relative to the inventory's folder */
    SECRET_COMMAND, /* {command: [ARGV...]}: what the command prints, run without a shell */
};

/* How a database's application token is proven (and what its ASTRA_DB_API_ENDPOINT serves). */
enum target_api {
    TARGET_API_REST, /* classic databases: the REST API's keyspace GET, X-Cassandra-Token */
    TARGET_API_DATA, /* Serverless (Vector) databases: the Data API's findCollections, Token */
};

/* The API endpoint when the inventory names none: Astra's, {id} and {region} filled in. */
#define TARGET_DEFAULT_API_ENDPOINT "https://{id}-{region}.apps.astra.datastax.com"
/* The keyspace an api: data database is proven with when the inventory names none. */
#define TARGET_DEFAULT_DATA_KEYSPACE "default_keyspace"

/* Where a secret (a password or an application token) comes from, and the secret once config
 * resolved it. */
struct secret_ref {
    enum secret_kind kind;
    char *source;       /* variable name or path as written, a command's argv[0]; NULL for
                           plain; config's string */
    char **argv;        /* a command's words, NULL-terminated; NULL for other kinds; the array
                           owned, the strings config's */
    unsigned timeout_s; /* a command's time to finish, in seconds (0: the default) */
    char *value;        /* the secret; NULL until resolved; owned, allocated on its own and
                           zeroed when freed */
    struct tf_mark at;  /* place of the reference */
    int resolved;       /* 1 once resolution was tried (value set, or an error reported) */
};

/* What a run needs of one database, shared by its targets. Every field's place points into the
 * inventory, for messages about it (FILE:LINE:COL). Strings are config's, valid as long as the
 * plan. */
struct target_db {
    struct field name;                /* [a-z0-9][a-z0-9_-]*, unique */
    struct field id;                  /* cluster id, a UUID */
    struct field keyspace;            /* the keyspace (env file; check --verify's proof) */
    struct field username;            /* sent with the password; value NULL for an application
                                         token's database */
    const struct field *auth_url;     /* the URL template the target's url came from: the
                                         database's own or the defaults' (a pointer: nearly
                                         every database inherits it) */
    const struct field *api_endpoint; /* URL template of the database's API endpoint ({id},
                                         {region}), own or the defaults'; NULL =
                                         TARGET_DEFAULT_API_ENDPOINT (target_api_endpoint) */
    struct secret_ref *password;      /* resolved before the run; borrowed; NULL when app_token is
                                         set */
    struct secret_ref *app_token;     /* an application token (AstraCS:...) used as it is, no auth
                                         request: the database's targets only prove it; NULL for
                                         a password database; resolved and borrowed as password */
    unsigned char api;                /* enum target_api */
};

/* One target. Its strings are in its list's pool: valid as long as the list. */
struct target {
    char *name;                 /* "database/region" */
    const struct target_db *db; /* shared with the database's other targets; borrowed */
    const struct field *region; /* the region and where it was written; borrowed */
    char *url;                  /* the auth URL, {id} and {region} filled in */
    char *keyspace_url;         /* where a token is proven: the REST API's GET of the keyspace
                                   (check --verify, keep-alive), NULL unless asked for or when
                                   it cannot be derived; for an application token's target
                                   always set: that GET (api rest) or the Data API's keyspace
                                   URL, {api_endpoint}/api/json/v1/{keyspace} (api data) */
    char *env_prefix;           /* name in upper snake case, for the combined env file */
};

struct strpool;

/* The targets of a run, in inventory order, and then the inventory's other targets (those that
 * --limit or --shard left out: known, so that an output shared with other runs keeps their
 * entries, but neither sent to nor resolved). */
struct target_list {
    struct target *items;    /* owned */
    size_t count;            /* the run's targets: items[0..count) */
    size_t total;            /* all the inventory's: items[0..total), total >= count */
    struct strpool *strings; /* the targets' strings; owned */
    const char *source;      /* the inventory's name as the user gave it, for messages about
                                places in it; borrowed */

    /* The names of the variables written for each target (env files, the combined file,
     * exec); strings borrowed. */
    struct env_names env_names;
};

/* Fills {id} and {region} into the URL template tpl (auth_url, rest_url, api_endpoint). Returns
 * a new string of just the size needed (there may be one per target): in pool when pool is not
 * NULL (the pool's), else malloc'd (the caller frees it); NULL when out of memory. */
char *target_fill_template(struct strpool *pool, const char *tpl, const char *id,
                           const char *region);

/* The template of db's API endpoint: its api_endpoint's value, or TARGET_DEFAULT_API_ENDPOINT.
 * Returns a borrowed string (db's or static). */
const char *target_api_endpoint(const struct target_db *db);

/* Where db's api_endpoint is written, for messages; line 0 when it is the default. */
struct tf_mark target_api_endpoint_at(const struct target_db *db);

/* Frees what list owns; the struct itself is the caller's. Safe on a zeroed list. */
void target_list_clear(struct target_list *list);

#endif
