/* env_names.c: the run's variable names and each target's values. */
#include "core/env_names.h"

#include <string.h>

#include "core/target.h"

const struct env_names env_names_seed = {{
    [ENV_ID] = "ASTRA_CLUSTER_ID",
    [ENV_REGION] = "ASTRA_CLUSTER_REGION",
    [ENV_USERNAME] = "ASTRA_DB_USERNAME",
    [ENV_KEYSPACE] = "ASTRA_DB_KEYSPACE",
    [ENV_TOKEN] = "ASTRA_AUTHORIZATION_TOKEN",
}};

const struct env_names env_names_astra = {{
    [ENV_ID] = "ASTRA_DB_ID",
    [ENV_REGION] = "ASTRA_DB_REGION",
    [ENV_KEYSPACE] = "ASTRA_DB_KEYSPACE",
    [ENV_TOKEN] = "ASTRA_DB_APPLICATION_TOKEN",
    [ENV_API_ENDPOINT] = "ASTRA_DB_API_ENDPOINT",
}};

static const char *const keys[ENV_VAR_COUNT] = {
    [ENV_ID] = "id",
    [ENV_REGION] = "region",
    [ENV_USERNAME] = "username",
    [ENV_KEYSPACE] = "keyspace",
    [ENV_TOKEN] = "token",
    [ENV_API_ENDPOINT] = "api_endpoint",
};

const struct env_names *env_names_preset(const char *word)
{
    if (!strcmp(word, "seed"))
        return &env_names_seed;
    if (!strcmp(word, "astra"))
        return &env_names_astra;
    return NULL;
}

const char *env_names_key(enum env_var v)
{
    return (unsigned)v < ENV_VAR_COUNT ? keys[v] : "?";
}

int env_names_key_parse(const char *key, enum env_var *v)
{
    for (int i = 0; i < ENV_VAR_COUNT; i++)
        if (!strcmp(key, keys[i])) {
            *v = (enum env_var)i;
            return 0;
        }
    return -1;
}

/* ASCII only: a locale's isalpha() could let other bytes in. */
static int is_letter_or_underscore(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

int env_names_valid(const char *name)
{
    if (!is_letter_or_underscore(name[0]))
        return 0;
    for (const char *p = name + 1; *p; p++)
        if (!is_letter_or_underscore(*p) && !(*p >= '0' && *p <= '9'))
            return 0;
    return 1;
}

enum tf_err env_names_values(const struct target *t, const struct env_names *names,
                             const char *token, const char *values[ENV_VAR_COUNT], char **endpoint)
{
    const struct target_db *db = t->db;
    *endpoint = NULL;
    if (names->name[ENV_API_ENDPOINT]) {
        *endpoint =
            target_fill_template(NULL, target_api_endpoint(db), db->id.value, t->region->value);
        if (!*endpoint)
            return TF_ERR_NOMEM;
    }
    values[ENV_ID] = db->id.value;
    values[ENV_REGION] = t->region->value;
    /* CQL drivers take an application token with the literal username "token". */
    values[ENV_USERNAME] = db->app_token ? "token" : db->username.value;
    values[ENV_KEYSPACE] = db->keyspace.value           ? db->keyspace.value
                           : db->api == TARGET_API_DATA ? TARGET_DEFAULT_DATA_KEYSPACE
                                                        : NULL;
    values[ENV_TOKEN] = token;
    values[ENV_API_ENDPOINT] = *endpoint;
    return TF_OK;
}
