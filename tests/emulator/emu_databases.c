/* emu_databases: the databases file, parsed once by jansson and kept as compact JSON texts plus
 * the few fields the DevOps and Data API answers look at. */
#include "emu_databases.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

/* Astra's database hosts: {id}-{region} then this. */
static const char apps_suffix[] = ".apps.astra.datastax.com";
static const char devops_host[] = "api.astra.datastax.com";

struct emu_databases {
    struct emu_database *v; /* file order: the DevOps API's list order */
    size_t n;
    size_t *by_id; /* indexes into V sorted by id, for lookups */
};

static void db_clear(struct emu_database *db)
{
    free(db->status);
    free(db->provider);
    for (size_t i = 0; i < db->nkeyspaces; i++)
        free(db->keyspaces[i]);
    free(db->keyspaces);
    free(db->json);
    json_decref(db->collections);
    memset(db, 0, sizeof *db);
}

void emu_databases_free(struct emu_databases *dbs)
{
    if (dbs == NULL)
        return;
    for (size_t i = 0; i < dbs->n; i++)
        db_clear(&dbs->v[i]);
    free(dbs->v);
    free(dbs->by_id);
    free(dbs);
}

size_t emu_databases_count(const struct emu_databases *dbs)
{
    return dbs != NULL ? dbs->n : 0;
}

const struct emu_database *emu_databases_at(const struct emu_databases *dbs, size_t i)
{
    return &dbs->v[i];
}

/* Appends the string NAME to DB's keyspaces unless it is there. Returns 0, or -1 on ENOMEM. */
static int add_keyspace(struct emu_database *db, const char *name)
{
    for (size_t i = 0; i < db->nkeyspaces; i++) {
        if (strcmp(db->keyspaces[i], name) == 0)
            return 0;
    }
    char **nv = realloc(db->keyspaces, (db->nkeyspaces + 1) * sizeof *nv);
    if (nv == NULL)
        return -1;
    db->keyspaces = nv;
    if ((db->keyspaces[db->nkeyspaces] = strdup(name)) == NULL)
        return -1;
    db->nkeyspaces++;
    return 0;
}

/* Adds the strings of array ARR (NULL or JSON null: none) to DB's keyspaces. Returns 0, -1 on
 * ENOMEM, -2 when ARR is neither an array of strings nor null. */
static int add_keyspaces(struct emu_database *db, const json_t *arr)
{
    if (arr == NULL || json_is_null(arr))
        return 0;
    if (!json_is_array(arr))
        return -2;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *s = json_array_get(arr, i);
        if (!json_is_string(s))
            return -2;
        if (add_keyspace(db, json_string_value(s)) != 0)
            return -1;
    }
    return 0;
}

/* Fills DB from OBJ (the I-th element). Returns 0, or -1 after a message. */
static int load_one(const char *path, size_t i, json_t *obj, struct emu_database *db, FILE *err)
{
    if (!json_is_object(obj)) {
        fprintf(err, "%s: database %zu: not a JSON object\n", path, i);
        return -1;
    }
    const json_t *id = json_object_get(obj, "id");
    const json_t *status = json_object_get(obj, "status");
    const json_t *info = json_object_get(obj, "info");
    if (!json_is_string(id) || !emu_db_id_valid(json_string_value(id), json_string_length(id))) {
        fprintf(err, "%s: database %zu: \"id\" must be a UUID string\n", path, i);
        return -1;
    }
    for (size_t k = 0; k < EMU_DB_ID_LEN; k++)
        db->id[k] = (char)tolower((unsigned char)json_string_value(id)[k]);
    if (!json_is_string(status) || !json_is_object(info)) {
        fprintf(err, "%s: database %s: needs a string \"status\" and an object \"info\"\n", path,
                db->id);
        return -1;
    }
    const json_t *provider = json_object_get(info, "cloudProvider");
    if (provider != NULL && !json_is_string(provider)) {
        fprintf(err, "%s: database %s: \"info.cloudProvider\" must be a string\n", path, db->id);
        return -1;
    }
    db->status = strdup(json_string_value(status));
    db->provider = provider != NULL ? strdup(json_string_value(provider)) : NULL;
    if (db->status == NULL || (provider != NULL && db->provider == NULL))
        goto nomem;

    int rc;
    const json_t *all = json_object_get(info, "keyspaces");
    if (all != NULL && !json_is_null(all)) {
        rc = add_keyspaces(db, all);
    } else {
        const json_t *first = json_object_get(info, "keyspace");
        rc = 0;
        if (first != NULL && !json_is_null(first))
            rc = json_is_string(first) ? add_keyspace(db, json_string_value(first)) : -2;
        if (rc == 0)
            rc = add_keyspaces(db, json_object_get(info, "additionalKeyspaces"));
    }
    if (rc == -1)
        goto nomem;
    if (rc == -2) {
        fprintf(err,
                "%s: database %s: \"info.keyspace\" must be a string and \"info.keyspaces\", "
                "\"info.additionalKeyspaces\" arrays of strings\n",
                path, db->id);
        return -1;
    }

    json_t *coll = json_object_get(obj, "emulatorCollections");
    if (coll != NULL) {
        const char *ks;
        json_t *names;
        bool good = json_is_object(coll);
        json_object_foreach(coll, ks, names)
        {
            good = good && json_is_array(names);
            for (size_t k = 0; good && k < json_array_size(names); k++)
                good = json_is_string(json_array_get(names, k));
        }
        if (!good) {
            fprintf(err,
                    "%s: database %s: \"emulatorCollections\" must map keyspaces to arrays of "
                    "collection names\n",
                    path, db->id);
            return -1;
        }
        db->collections = json_incref(coll);
        json_object_del(obj, "emulatorCollections");
    }
    db->json = json_dumps(obj, JSON_COMPACT);
    if (db->json == NULL)
        goto nomem;
    db->json_len = strlen(db->json);
    return 0;
nomem:
    fprintf(err, "%s: out of memory\n", path);
    return -1;
}

static const struct emu_databases *sort_dbs; /* qsort has no closure; loading is single-threaded */

static int cmp_index(const void *pa, const void *pb)
{
    const struct emu_database *a = &sort_dbs->v[*(const size_t *)pa];
    const struct emu_database *b = &sort_dbs->v[*(const size_t *)pb];
    return strcmp(a->id, b->id);
}

struct emu_databases *emu_databases_load(const char *path, FILE *err)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    struct emu_databases *dbs = NULL;
    if (root == NULL) {
        fprintf(err, "%s:%d: %s\n", path, jerr.line, jerr.text);
        return NULL;
    }
    if (!json_is_array(root)) {
        fprintf(err, "%s: expected a JSON array of databases\n", path);
        goto fail;
    }
    dbs = calloc(1, sizeof *dbs);
    size_t n = json_array_size(root);
    if (dbs == NULL || (n > 0 && ((dbs->v = calloc(n, sizeof *dbs->v)) == NULL ||
                                  (dbs->by_id = calloc(n, sizeof *dbs->by_id)) == NULL))) {
        fprintf(err, "%s: out of memory\n", path);
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        dbs->n = i + 1; /* so that a failure frees what this one got */
        if (load_one(path, i, json_array_get(root, i), &dbs->v[i], err) != 0)
            goto fail;
        dbs->by_id[i] = i;
    }
    sort_dbs = dbs;
    if (n > 1)
        qsort(dbs->by_id, n, sizeof *dbs->by_id, cmp_index);
    sort_dbs = NULL;
    for (size_t i = 1; i < n; i++) {
        if (strcmp(dbs->v[dbs->by_id[i - 1]].id, dbs->v[dbs->by_id[i]].id) == 0) {
            fprintf(err, "%s: database id %s is listed twice\n", path, dbs->v[dbs->by_id[i]].id);
            goto fail;
        }
    }
    json_decref(root);
    return dbs;
fail:
    json_decref(root);
    emu_databases_free(dbs);
    return NULL;
}

long emu_databases_index(const struct emu_databases *dbs, const char *id, size_t len)
{
    if (dbs == NULL || !emu_db_id_valid(id, len))
        return -1;
    char key[EMU_DB_ID_LEN + 1];
    for (size_t k = 0; k < EMU_DB_ID_LEN; k++)
        key[k] = (char)tolower((unsigned char)id[k]);
    key[EMU_DB_ID_LEN] = '\0';
    size_t lo = 0;
    size_t hi = dbs->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(key, dbs->v[dbs->by_id[mid]].id);
        if (c == 0)
            return (long)dbs->by_id[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

/* Returns the length of HOST without its port (a bare host name: no brackets here). */
static size_t host_len(const char *host)
{
    const char *colon = strchr(host, ':');
    return colon != NULL ? (size_t)(colon - host) : strlen(host);
}

const struct emu_database *emu_databases_by_host(const struct emu_databases *dbs, const char *host)
{
    if (dbs == NULL || host == NULL)
        return NULL;
    size_t n = host_len(host);
    size_t sl = sizeof apps_suffix - 1;
    /* "{36-char id}-{region}" before the suffix, the region at least one character. */
    if (n < EMU_DB_ID_LEN + 2 + sl || strncasecmp(host + n - sl, apps_suffix, sl) != 0 ||
        host[EMU_DB_ID_LEN] != '-')
        return NULL;
    long i = emu_databases_index(dbs, host, EMU_DB_ID_LEN);
    return i >= 0 ? &dbs->v[i] : NULL;
}

bool emu_database_has_keyspace(const struct emu_database *db, const char *name, size_t nlen)
{
    for (size_t i = 0; i < db->nkeyspaces; i++) {
        if (strlen(db->keyspaces[i]) == nlen && memcmp(db->keyspaces[i], name, nlen) == 0)
            return true;
    }
    return false;
}

bool emu_host_is_devops(const char *host)
{
    if (host == NULL)
        return false;
    size_t n = host_len(host);
    return n == sizeof devops_host - 1 && strncasecmp(host, devops_host, n) == 0;
}
