/* emu_databases: the databases of the DevOps API (--databases FILE, a JSON array as
 * GET /v2/databases returns it), and which database a request's Host names. */
#ifndef EMU_DATABASES_H
#define EMU_DATABASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "emu_apptokens.h"

/* Read-only once loaded: safe from any thread. */
struct emu_databases;

/* One database, as loaded. */
struct emu_database {
    char id[EMU_DB_ID_LEN + 1]; /* lowercase */
    char *status;               /* "status", e.g. "ACTIVE" */
    char *provider;             /* "info.cloudProvider", or NULL when absent */
    char **keyspaces;           /* NKEYSPACES keyspace names (see emu_databases_load) */
    size_t nkeyspaces;
    char *json;        /* the object as the DevOps API returns it (compact), NUL-terminated */
    size_t json_len;   /* bytes in JSON */
    void *collections; /* json_t object "emulatorCollections" (keyspace -> [name...]), or NULL */
};

/*
 * Loads PATH, a JSON array of database objects. Each needs a string "id" (a UUID, unique in the
 * file), a string "status" and an object "info"; "info.cloudProvider" is used when present. Its
 * keyspaces are "info.keyspaces" when present, else "info.keyspace" and
 * "info.additionalKeyspaces". An optional member "emulatorCollections" ({"KEYSPACE": ["NAME",
 * ...]}) gives the Data API's collections and is left out of what the DevOps API returns; every
 * other member is returned as it is. Returns the set, or NULL after printing "PATH: why" to ERR.
 */
struct emu_databases *emu_databases_load(const char *path, FILE *err);

/* Frees DBS; NULL is a no-op. */
void emu_databases_free(struct emu_databases *dbs);

/* Returns how many databases DBS holds; 0 for NULL. */
size_t emu_databases_count(const struct emu_databases *dbs);

/* Returns the I-th database in file order (I < count). */
const struct emu_database *emu_databases_at(const struct emu_databases *dbs, size_t i);

/* Returns the index of database ID (LEN bytes, any case) in file order, or -1 (also for NULL). */
long emu_databases_index(const struct emu_databases *dbs, const char *id, size_t len);

/*
 * Returns the database HOST (a Host header, with or without a port; NULL: none) names, as Astra's
 * "{id}-{region}.apps.astra.datastax.com" does, or NULL when it names none in DBS.
 */
const struct emu_database *emu_databases_by_host(const struct emu_databases *dbs, const char *host);

/* Returns true when DB has keyspace NAME (NLEN bytes, compared exactly). */
bool emu_database_has_keyspace(const struct emu_database *db, const char *name, size_t nlen);

/* Returns true when HOST (a Host header, port and all; NULL: none) is the DevOps API's,
 * api.astra.datastax.com, in any case. */
bool emu_host_is_devops(const char *host);

#endif
