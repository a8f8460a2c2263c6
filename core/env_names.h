/* env_names.h: the variables a run writes for each target (env files, the combined file, exec's
 * command): six logical variables, the names the run gives them (a preset, maybe renamed by the
 * inventory), and each one's value for a target. */
#ifndef TOKENFLEET_ENV_NAMES_H
#define TOKENFLEET_ENV_NAMES_H

#include "core/base/errors.h"

struct target;

/* The logical variables, in the order they are written. */
enum env_var {
    ENV_ID,           /* the database's cluster id */
    ENV_REGION,       /* the target's region */
    ENV_USERNAME,     /* the username; "token" for an application token's database */
    ENV_KEYSPACE,     /* the keyspace */
    ENV_TOKEN,        /* the token (the secret) */
    ENV_API_ENDPOINT, /* the database's API endpoint, {id} and {region} filled in */
    ENV_VAR_COUNT
};

/* The names of a run's variables. A NULL name: the variable is not written. The id, the region
 * and the token always have one (every preset names them, and a rename only renames), so that
 * a file can be read back. Names are static (presets) or borrowed (the inventory's strings). */
struct env_names {
    const char *name[ENV_VAR_COUNT];
};

/* The seed document's names (tokenfleet's default): ASTRA_CLUSTER_ID, ASTRA_CLUSTER_REGION,
 * ASTRA_DB_USERNAME, ASTRA_DB_KEYSPACE, ASTRA_AUTHORIZATION_TOKEN; no API endpoint. */
extern const struct env_names env_names_seed;

/* Astra's current ones (its docs, astrapy, langchain-astradb): ASTRA_DB_ID, ASTRA_DB_REGION,
 * ASTRA_DB_KEYSPACE, ASTRA_DB_APPLICATION_TOKEN, ASTRA_DB_API_ENDPOINT; no username. */
extern const struct env_names env_names_astra;

/* The preset called word ("seed" or "astra"). Returns it (static), or NULL for another word. */
const struct env_names *env_names_preset(const char *word);

/* The presets' words for messages: "seed or astra". */
#define ENV_NAMES_PRESETS "seed or astra"

/* Returns the logical variable's key as the inventory writes it ("id", "region", "username",
 * "keyspace", "token", "api_endpoint"), or "?". */
const char *env_names_key(enum env_var v);

/* The variable whose key (env_names_key) is key. Returns 0 and sets *v, or -1. */
int env_names_key_parse(const char *key, enum env_var *v);

/* True when name can be a variable's name: [A-Za-z_][A-Za-z0-9_]*. */
int env_names_valid(const char *name);

/* Fills values[v] with target t's value of every variable (token as given): NULL where t has
 * none (a keyspace the inventory left out, an API endpoint names does not write). The API
 * endpoint, {id} and {region} filled into t's template, is made only when names writes it: in
 * *endpoint, malloc'd, which the caller frees (NULL otherwise). The other strings are t's, its
 * database's, static or token: borrowed. Returns TF_OK, or TF_ERR_NOMEM (*endpoint NULL). */
enum tf_err env_names_values(const struct target *t, const struct env_names *names,
                             const char *token, const char *values[ENV_VAR_COUNT], char **endpoint);

#endif
