/* inventory.c: loading an inventory: parse (inventory_yaml.c), apply defaults, check every value.
 */
#include "config/inventory_private.h"
#include "config/inventory_rules.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/strpool.h"
#include "core/base/text.h"

/* Frees db's own secrets (one, or the array of two), zeroing their values. */
static void own_secret_free(struct database *db)
{
    struct secret_ref *s = db->own_secret;
    size_t n = !s ? 0 : db->own_kind == OWN_BOTH ? 2 : 1;
    for (size_t i = 0; i < n; i++) {
        text_free_secret(s[i].value);
        free(s[i].argv);
    }
    free(s);
}

/* The strings (values, the source of a password reference) are the pool's; what a database owns
 * on its own is its lists' arrays and its password. */
void database_clear(struct database *db)
{
    if (db->regions != &db->region)
        free(db->regions);
    free(db->tags);
    own_secret_free(db);
    memset(db, 0, sizeof *db);
}

/* Takes from db what it inherited (see apply_defaults): the defaults' to free. Inherited strings
 * need no forgetting: the pool frees them. */
static void forget_inherited(struct database *db, const struct database *def)
{
    if (db->regions && db->regions == def->regions) {
        db->regions = NULL;
        db->n_regions = 0;
    }
    if (db->tags && db->tags == def->tags) {
        db->tags = NULL;
        db->n_tags = 0;
    }
}

void inventory_free(struct inventory *inv)
{
    if (!inv)
        return;
    for (size_t i = 0; i < inv->n_databases; i++) {
        forget_inherited(&inv->databases[i], &inv->defaults);
        database_clear(&inv->databases[i]);
    }
    free(inv->databases);
    database_clear(&inv->defaults);
    strpool_free(inv->strings);
    free(inv->path);
    free(inv->dir);
    free(inv);
}

/* Gives an unset field the default: the defaults' own string, not a copy (100,000 databases
 * share it; inventory_free knows). The field keeps the place where the default is written, so
 * that a bad default is reported once per use at its own line. */
static void inherit(struct field *f, const struct field *def)
{
    if (f->at.line || !def->value)
        return;
    f->value = def->value;
    f->at = def->at;
}

/* The same for a URL template: the defaults' field itself. */
static void inherit_template(const struct field **f, const struct field *def)
{
    if (!*f && def && def->value)
        *f = def;
}

/* The same for a list: the defaults' array itself. */
static void inherit_list(struct field **list, uint32_t *n, int given, struct field *def,
                         uint32_t def_n)
{
    if (*n || given || !def_n)
        return;
    free(*list); /* an empty list that failed to parse */
    *list = def;
    *n = def_n;
}

/* A database's own token makes it a token database, its own username or password a password
 * one, whatever the defaults give; else the defaults decide (their token, when they give one). */
static int uses_token(const struct database *db, const struct database *def)
{
    if (database_own_token(db))
        return 1;
    if (database_own_password(db) || db->run.username.at.line)
        return 0;
    return database_own_token(def) != NULL;
}

static void apply_defaults(struct inventory *inv, struct database *db)
{
    struct database *def = &inv->defaults;
    if (uses_token(db, def)) {
        db->run.app_token =
            database_own_token(db) ? database_own_token(db) : database_own_token(def);
        db->run.password = NULL;
        db->run.username = (struct field){0}; /* an application token is sent alone */
    } else {
        if (!db->run.password && def->run.password)
            db->run.password = def->run.password;
        db->run.app_token = NULL;
        inherit(&db->run.username, &def->run.username);
    }
    if (!db->api_given)
        db->run.api = def->run.api;
    inherit(&db->run.keyspace, &def->run.keyspace);
    inherit_template(&db->run.auth_url, def->run.auth_url);
    inherit_template(&db->run.api_endpoint, def->run.api_endpoint);
    inherit_template(&db->rest_url, def->rest_url);
    inherit_list(&db->regions, &db->n_regions, db->regions_given, def->regions, def->n_regions);
    inherit_list(&db->tags, &db->n_tags, db->tags && db->at.line, def->tags, def->n_tags);
}

/* A template written with a usable value (a bad one was reported where it was read). */
static int given(const struct field *template)
{
    return template && template->value;
}

static void check_url_template(struct diag *d, const char *key, const struct field *f)
{
    const char *u = f->value;
    if (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0) {
        diag_error(d, f->at,
                   "%s \"%s\" must start with https:// (or http:// for a "
                   "self-hosted Stargate on a trusted network)",
                   key, u);
        return;
    }
    for (const char *p = strchr(u, '{'); p; p = strchr(p + 1, '{')) {
        if (strncmp(p, "{id}", 4) != 0 && strncmp(p, "{region}", 8) != 0) {
            const char *end = strchr(p, '}');
            int len = end ? (int)(end - p + 1) : (int)strlen(p);
            diag_error(d, f->at,
                       "%s has an unknown placeholder \"%.*s\"; the placeholders "
                       "are {id} and {region}",
                       key, len, p);
        }
    }
    for (const char *p = u; *p; p++) {
        if ((unsigned char)*p <= ' ' || *p == 0x7f) {
            diag_error(d, f->at,
                       "%s contains a space or control character; "
                       "percent-encode it (%%20)",
                       key);
            break;
        }
    }
}

static void warn_plain_password(const struct inventory *inv, struct diag *d,
                                const struct secret_ref *s)
{
    if (s->kind == SECRET_PLAIN && inv->world_readable)
        diag_warn(d, s->at,
                  "a plain-text password in a file that group or others can read; use "
                  "{env: NAME} or {file: PATH}, or chmod 600 %s",
                  strcmp(inv->path, INVENTORY_STDIN_NAME) ? inv->path
                                                          : "the file given on standard input");
}

/* A token and a password (or username) at one level, a database or the defaults: which one is
 * meant cannot be guessed. Reported at the token. */
static void check_token_alone(struct diag *d, const struct database *db, const char *where)
{
    int user = db->run.username.at.line != 0, pw = database_own_password(db) != NULL;
    const struct secret_ref *token = database_own_token(db);
    if (!token || (!user && !pw))
        return;
    diag_error(d, token->at,
               "token is given with %s %s; an application token replaces username and "
               "password: keep one of the two",
               user && pw ? "username and password"
               : user     ? "username"
                          : "password",
               where);
}

/* True when the key was not written at all (a key with a bad value was reported already). */
static int absent(const struct field *f)
{
    return !f->value && !f->at.line;
}

static void check_database(struct inventory *inv, struct diag *d, struct database *db)
{
    if (db->malformed)
        return;
    char who[96];
    if (db->run.name.value)
        snprintf(who, sizeof who, "database \"%.60s\"", db->run.name.value);
    else
        snprintf(who, sizeof who, "the database at line %u", db->at.line);
    /* Missing keys that defaults could have given are not blamed on the database when the
     * defaults themselves were unusable, nor those a merge key (<<) that failed would have
     * given. */
    int blame_missing =
        !inv->defaults.malformed && !inv->defaults.merge_failed && !db->merge_failed;
    if (absent(&db->run.name) && !db->merge_failed)
        diag_error(d, db->at,
                   "a database has no name; add name: (lowercase letters, digits, "
                   "_ and -)");
    else if (db->run.name.value && !inventory_is_name(db->run.name.value))
        diag_error(d, db->run.name.at,
                   "name \"%s\" must start with a lowercase letter or digit and hold only "
                   "lowercase letters, digits, _ and - (e.g. orders-eu)",
                   db->run.name.value);

    if (absent(&db->run.id) && !db->merge_failed)
        diag_error(d, db->at, "%s has no id; add id: with its cluster id (a UUID)", who);
    else if (db->run.id.value) {
        if (!inventory_is_uuid(db->run.id.value))
            diag_error(d, db->run.id.at,
                       "id \"%s\" is not a UUID; copy the database's cluster id (e.g. "
                       "b5285f63-8da5-4c6e-afd8-ade371a48795)",
                       db->run.id.value);
        else
            for (char *p = db->run.id.value; *p; p++)
                *p = (char)tolower((unsigned char)*p); /* host names and env files use lowercase */
    }

    if (!db->n_regions && !db->regions_given && blame_missing)
        diag_error(d, db->at, "%s has no region; add region: (e.g. us-east1) here or in defaults",
                   who);
    for (size_t i = 0; i < db->n_regions; i++) {
        const struct field *r = &db->regions[i];
        if (!inventory_is_region(r->value))
            diag_error(d, r->at, "region \"%s\" is not a region name (e.g. us-east1)", r->value);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(db->regions[j].value, r->value))
                diag_error(d, r->at, "region \"%s\" is listed twice for %s", r->value, who);
    }

    if (absent(&db->run.keyspace) && blame_missing)
        diag_error(d, db->at, "%s has no keyspace; add keyspace: here or in defaults", who);
    else if (db->run.keyspace.value && !inventory_is_keyspace(db->run.keyspace.value))
        diag_error(d, db->run.keyspace.at,
                   "keyspace \"%s\" is not a keyspace name (letters, digits and _, at most 48)",
                   db->run.keyspace.value);

    /* An application token is sent alone: its database needs no username or password. A token
     * or password that failed to parse (kind NONE) was reported where it is written. */
    if (!db->run.app_token) {
        if (absent(&db->run.username) && blame_missing && db->run.password)
            diag_error(d, db->at, "%s has no username; add username: here or in defaults", who);
        if (!db->run.password && blame_missing && database_own_token(&inv->defaults))
            diag_error(d, db->run.username.at,
                       "%s gives username: but no password; a database's own username makes "
                       "it a password database, whatever the defaults give: add password:, or "
                       "remove username: to use the defaults' token",
                       who);
        else if (!db->run.password && blame_missing)
            diag_error(d, db->at,
                       "%s has no password or token; add password: {env: NAME} or {file: "
                       "PATH} (with username:), or an application token's token: {env: NAME}, "
                       "here or in defaults",
                       who);
        else if (db->run.password && db->run.password == database_own_password(db))
            warn_plain_password(inv, d, db->run.password);
    }

    for (size_t i = 0; i < db->n_tags; i++)
        if (!inventory_is_tag(db->tags[i].value))
            diag_error(d, db->tags[i].at, "tag \"%s\" may hold only letters, digits, _, . and -",
                       db->tags[i].value);
}

struct name_ref {
    const char *name;
    size_t index;
};

static int by_name(const void *a, const void *b)
{
    const struct name_ref *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Unique names, by sorting: an inventory can hold 100,000 databases. */
static int check_unique_names(struct inventory *inv, struct diag *d)
{
    struct name_ref *refs = malloc((inv->n_databases + 1) * sizeof *refs);
    if (!refs)
        return 0;
    size_t n = 0;
    for (size_t i = 0; i < inv->n_databases; i++)
        if (inv->databases[i].run.name.value)
            refs[n++] = (struct name_ref){inv->databases[i].run.name.value, i};
    qsort(refs, n, sizeof *refs, by_name);
    size_t first_of_run = 0;
    for (size_t i = 1; i < n; i++)
        if (strcmp(refs[i].name, refs[i - 1].name) != 0) {
            first_of_run = i;
        } else {
            const struct database *first = &inv->databases[refs[first_of_run].index];
            const struct database *dup = &inv->databases[refs[i].index];
            diag_error(d, dup->run.name.at,
                       "database name \"%s\" is already used at line %u; names "
                       "must be unique",
                       dup->run.name.value, first->run.name.at.line);
        }
    free(refs);
    return 1;
}

const char *inventory_name(const char *path)
{
    return strcmp(path, INVENTORY_STDIN_PATH) ? path : INVENTORY_STDIN_NAME;
}

enum tf_err inventory_load(const char *path, struct diag *d, struct inventory **out)
{
    *out = NULL;
    struct inventory *inv = calloc(1, sizeof *inv);
    if (!inv)
        return TF_ERR_NOMEM;
    enum tf_err rc = TF_ERR_NOMEM;
    inv->path = strdup(inventory_name(path));
    /* {file:} paths are relative to the inventory's folder; standard input has none, so they
     * are relative to the current one, as a path on the command line would be. */
    const char *slash = strcmp(path, INVENTORY_STDIN_PATH) ? strrchr(path, '/') : NULL;
    inv->dir = slash ? strndup(path, (size_t)(slash - path + 1)) : strdup("");
    inv->strings = strpool_new();
    inv->env_names = env_names_seed;
    if (!inv->path || !inv->dir || !inv->strings)
        goto out;

    rc = inventory_parse_yaml(path, d, inv);
    if (rc == TF_ERR_NOMEM || rc == TF_ERR_IO)
        goto out;
    const struct field *def_url = inv->defaults.run.auth_url;
    if (!given(def_url)) { /* absent, or bad (reported: its place is kept) */
        struct field *url = strpool_alloc_aligned(inv->strings, sizeof *url);
        char *value = strpool_dup(inv->strings, INVENTORY_DEFAULT_AUTH_URL);
        if (!url || !value) {
            rc = TF_ERR_NOMEM;
            goto out;
        }
        *url = (struct field){value, def_url ? def_url->at : (struct tf_mark){0, 0}};
        inv->defaults.run.auth_url = url;
    } else {
        check_url_template(d, "auth_url", def_url);
    }
    if (given(inv->defaults.rest_url))
        check_url_template(d, "rest_url", inv->defaults.rest_url);
    if (given(inv->defaults.run.api_endpoint))
        check_url_template(d, "api_endpoint", inv->defaults.run.api_endpoint);
    check_token_alone(d, &inv->defaults, "in defaults");
    char *data_keyspace = NULL; /* one string for every api: data database without a keyspace */
    for (size_t i = 0; i < inv->n_databases; i++) {
        struct database *db = &inv->databases[i];
        int own_url = given(db->run.auth_url), own_rest = given(db->rest_url);
        int own_endpoint = given(db->run.api_endpoint);
        check_token_alone(d, db, "for this database");
        apply_defaults(inv, db);
        /* The Data API's own keyspace, for the application token it proves; a password
         * database is never proven there and still needs its keyspace. */
        if (db->run.app_token && db->run.api == TARGET_API_DATA && absent(&db->run.keyspace)) {
            if (!data_keyspace &&
                !(data_keyspace = strpool_dup(inv->strings, TARGET_DEFAULT_DATA_KEYSPACE))) {
                rc = TF_ERR_NOMEM;
                goto out;
            }
            db->run.keyspace = (struct field){data_keyspace, db->at};
        }
        check_database(inv, d, db);
        if (own_url)
            check_url_template(d, "auth_url", db->run.auth_url);
        if (own_rest)
            check_url_template(d, "rest_url", db->rest_url);
        if (own_endpoint)
            check_url_template(d, "api_endpoint", db->run.api_endpoint);
    }
    if (inv->defaults.run.password)
        warn_plain_password(inv, d, inv->defaults.run.password);
    if (!check_unique_names(inv, d)) {
        rc = TF_ERR_NOMEM;
        goto out;
    }
    rc = d->errors ? TF_ERR_INVENTORY : TF_OK;
out:
    if (rc == TF_OK)
        *out = inv;
    else
        inventory_free(inv);
    return rc;
}
