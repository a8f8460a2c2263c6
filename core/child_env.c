/* child_env.c: exec's command's environment. */
#include "core/child_env.h"

#include <stdlib.h>
#include <string.h>

#include "core/base/text.h"

/* The length of an entry's name: up to its '=' (all of it when it has none). */
static size_t name_len(const char *entry)
{
    return strcspn(entry, "=");
}

/* True when entry's name is name. */
static int is_named(const char *entry, const char *name, size_t len)
{
    return name_len(entry) == len && !strncmp(entry, name, len);
}

/* True when base entry e must not reach the command: a password source of the inventory (when
 * they are left out), or a name that one of the count entries set here gives a value. */
static int left_out(const struct child_env_request *req, const char *e, char *const *set,
                    size_t count)
{
    size_t len = name_len(e);
    for (size_t i = 0; i < count; i++)
        if (is_named(e, set[i], name_len(set[i])))
            return 1;
    if (req->keep_password_env)
        return 0;
    const struct target_list *tl = req->targets;
    for (size_t i = 0; i < tl->total; i++) {
        /* The password's variable, or the application token's (the child gets the token under
         * the run's own name for it). */
        const struct secret_ref *src =
            tl->items[i].db->password ? tl->items[i].db->password : tl->items[i].db->app_token;
        if (src && src->kind == SECRET_ENV && src->source && strlen(src->source) == len &&
            !strncmp(e, src->source, len))
            return 1;
    }
    return 0;
}

/* Appends "PREFIXNAME=value" for the variables of target i (those the run names and the target
 * has a value for) to set (at *n). */
static enum tf_err add_target(const struct child_env_request *req, size_t i, char **set, size_t *n,
                              enum env_var *bad)
{
    const struct target *t = &req->targets->items[i];
    const struct env_names *names = &req->targets->env_names;
    const char *values[ENV_VAR_COUNT];
    char *endpoint;
    enum tf_err rc = env_names_values(t, names, req->tokens[i], values, &endpoint);
    int prefixed = req->targets->count > 1;
    for (int v = 0; rc == TF_OK && v < ENV_VAR_COUNT; v++) {
        if (!names->name[v] || (!values[v] && v != ENV_TOKEN))
            continue;
        if (!values[v] || !text_is_portable(values[v])) {
            *bad = (enum env_var)v;
            rc = TF_ERR_UNSAFE;
        } else if (!(set[*n] = text_printf("%s%s%s=%s", prefixed ? t->env_prefix : "",
                                           prefixed ? "_" : "", names->name[v], values[v]))) {
            rc = TF_ERR_NOMEM;
        } else {
            (*n)++;
        }
    }
    free(endpoint);
    return rc;
}

enum tf_err child_env_build(const struct child_env_request *req, char ***out, size_t *bad_target,
                            enum env_var *bad)
{
    *out = NULL;
    size_t n_base = 0;
    while (req->base && req->base[n_base])
        n_base++;
    size_t n_set = req->targets->count * ENV_VAR_COUNT;
    /* The variables set here are made first, so that base entries of the same names can be left
     * out; they go last. */
    char **set = calloc(n_set + 1, sizeof *set);
    char **env = calloc(n_base + n_set + 1, sizeof *env);
    enum tf_err rc = set && env ? TF_OK : TF_ERR_NOMEM;
    size_t made = 0, n = 0;
    for (size_t i = 0; i < req->targets->count && rc == TF_OK; i++) {
        rc = add_target(req, i, set, &made, bad);
        if (rc == TF_ERR_UNSAFE)
            *bad_target = i;
    }
    for (size_t i = 0; i < n_base && rc == TF_OK; i++) {
        if (left_out(req, req->base[i], set, made))
            continue;
        if (!(env[n++] = strdup(req->base[i])))
            rc = TF_ERR_NOMEM;
    }
    if (rc == TF_OK) {
        memcpy(env + n, set, made * sizeof *set);
        made = 0; /* env owns them now */
        *out = env;
    } else {
        child_env_free(env);
    }
    for (size_t i = 0; set && i < made; i++)
        text_free_secret(set[i]);
    free(set);
    return rc;
}

void child_env_free(char **env)
{
    for (size_t i = 0; env && env[i]; i++)
        text_free_secret(env[i]);
    free(env);
}

char **child_env_for(const struct child_env_request *req, const struct held_token *held,
                     const struct tf_msg *msg)
{
    size_t n = req->targets->count;
    const char **tokens = calloc(n + 1, sizeof *tokens);
    if (!tokens) {
        errorf(msg, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        tokens[i] = held[i].token;
    struct child_env_request with = *req;
    with.tokens = tokens;
    char **env;
    size_t bad_target = 0;
    enum env_var bad = ENV_TOKEN;
    enum tf_err rc = child_env_build(&with, &env, &bad_target, &bad);
    free(tokens);
    if (rc == TF_ERR_UNSAFE)
        errorf(msg, "%s of %s is not a portable value: the command is not started",
               req->targets->env_names.name[bad], req->targets->items[bad_target].name);
    else if (rc != TF_OK)
        errorf(msg, "%s", tf_strerror(rc));
    return rc == TF_OK ? env : NULL;
}
