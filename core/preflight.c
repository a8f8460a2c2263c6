/* preflight.c: what can refuse a run before anything is sent. */
#include "core/preflight.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/path.h"
#include "core/base/text.h"

static struct tf_mark var_mark(const struct target *t, enum env_var v)
{
    switch (v) {
    case ENV_ID:
        return t->db->id.at;
    case ENV_REGION:
        return t->region->at;
    case ENV_USERNAME:
        return t->db->username.at;
    case ENV_API_ENDPOINT:
        return target_api_endpoint_at(t->db);
    default:
        return t->db->keyspace.at;
    }
}

/* Inventory values that the chosen env format cannot hold are refused before anything is sent:
 * half-escaped values are worse than none. */
static size_t check_env_values(enum env_format fmt, int exec, const struct target_list *targets,
                               struct diag *d)
{
    size_t errors = 0;
    for (size_t i = 0; i < targets->count; i++) {
        const struct target *t = &targets->items[i];
        enum env_var bad;
        enum tf_err rc = envfile_check_target(t, &targets->env_names, fmt, &bad);
        if (rc == TF_OK)
            continue;
        if (rc == TF_ERR_NOMEM) {
            diag_error(d, (struct tf_mark){0, 0}, "out of memory");
            return errors + 1;
        }
        if (exec)
            diag_error(d, var_mark(t, bad),
                       "%s of %s holds characters that are not portable (portable values use "
                       "only A-Z a-z 0-9 _ @ %% + = : , . / -): exec passes a command only the "
                       "values that an env file would hold; change it",
                       targets->env_names.name[bad], t->name);
        else
            diag_error(d, var_mark(t, bad),
                       "%s of %s holds characters that not every env-file reader reads back "
                       "unchanged (portable values use only A-Z a-z 0-9 _ @ %% + = : , . / -); "
                       "change it, or pass --env-format sh if only shells read these files",
                       targets->env_names.name[bad], t->name);
        errors++;
    }
    return errors;
}

/* In the combined file each name is PREFIX_NAME (PREFIX_ASTRA_CLUSTER_ID, ...); a shell variable
 * cannot start with a digit, so neither can the prefix (database names may). */
static size_t check_env_prefixes(int exec, const struct target_list *targets, struct diag *d)
{
    size_t errors = 0;
    for (size_t i = 0; i < targets->count; i++) {
        const struct target *t = &targets->items[i];
        if (!isdigit((unsigned char)t->env_prefix[0]))
            continue;
        diag_error(d, t->db->name.at,
                   "%s: %s would give variables such as %s_%s, and a variable name cannot start "
                   "with a digit; rename the database to start with a letter, or %s",
                   exec ? "exec with several targets" : "--env-file", t->name, t->env_prefix,
                   targets->env_names.name[ENV_ID],
                   exec ? "run it as the only target" : "use --env-dir");
        errors++;
    }
    return errors;
}

/* check --verify and exec --keep-alive need to know where each target's REST API is: their
 * proofs are a GET there. */
static size_t check_keyspace_urls(const char *option, const struct target_list *targets,
                                  struct diag *d)
{
    size_t errors = 0;
    for (size_t i = 0; i < targets->count; i++) {
        const struct target *t = &targets->items[i];
        if (t->keyspace_url)
            continue;
        diag_error(d, t->db->auth_url->at,
                   "%s: no REST API URL can be derived from auth_url %s for %s; set "
                   "rest_url (e.g. http://HOST:8082) for this database",
                   option, t->url, t->name);
        errors++;
    }
    return errors;
}

/* A file will be written at path: its folder must exist and be writable, and path must not be
 * a folder. */
static size_t check_file(const char *option, const char *path, const struct tf_msg *msg)
{
    if (!path || !strcmp(path, "-") || path_file_writable(path) == 0)
        return 0;
    if (errno == EISDIR)
        errorf(msg, "%s %s: that is a folder; name a file (e.g. %s/out)", option, path, path);
    else
        errorf(msg, "%s %s: cannot write a file there: %s", option, path, strerror(errno));
    return 1;
}

/* Where path will be: its folder's real path and its own name, so that "a/../b.json" and
 * "./b.json" are seen to be one file even before it exists. Returns a new string or NULL. */
static char *where(const char *path)
{
    char *dir = path_dirname(path);
    char *real = dir ? realpath(dir, NULL) : NULL;
    char *out = real ? text_printf("%s/%s", real, path_basename(path)) : NULL;
    free(dir);
    free(real);
    return out;
}

/* Two outputs naming one file would overwrite each other; two on standard output would mix;
 * "-" is standard output only where one stream can carry the output. */
static size_t check_places(const struct output_options *o, const struct tf_msg *msg)
{
    const struct {
        const char *option, *path;
        int stdout_ok;
    } outs[] = {{"--env-file", o->env_file, 0},
                {"--report", o->report, 1},
                {"--junit", o->junit, 1},
                {"--prom", o->prom, 1},
                {"--env-dir", o->env_dir, 0}};
    enum { N = sizeof outs / sizeof outs[0] };
    char *places[N] = {0};
    size_t problems = 0;
    const char *on_stdout = NULL;
    for (size_t i = 0; i < N; i++) {
        if (!outs[i].path)
            continue;
        if (!strcmp(outs[i].path, "-")) {
            if (!outs[i].stdout_ok) {
                errorf(msg, "%s -: %s cannot go to standard output; name a %s", outs[i].option,
                       i == 4 ? "a folder of files" : "an env file holding tokens",
                       i == 4 ? "folder" : "file (it is written 0600)");
                problems++;
            } else if (on_stdout) {
                errorf(msg,
                       "%s - and %s -: only one output can go to standard output; send the "
                       "other to a file",
                       on_stdout, outs[i].option);
                problems++;
            } else {
                on_stdout = outs[i].option;
            }
            continue;
        }
        places[i] = where(outs[i].path);
        for (size_t k = 0; k < i && places[i]; k++)
            if (places[k] && (!strcmp(places[k], places[i]) ||
                              (k == 4 && !strncmp(places[i], places[k], strlen(places[k])) &&
                               places[i][strlen(places[k])] == '/'))) {
                errorf(msg, "%s %s and %s %s name the same %s; give each its own", outs[k].option,
                       outs[k].path, outs[i].option, outs[i].path, k == 4 ? "folder" : "file");
                problems++;
            }
    }
    for (size_t i = 0; i < N; i++)
        free(places[i]);
    return problems;
}

size_t preflight_check(const struct preflight_request *req, const struct target_list *targets,
                       struct diag *d, const struct tf_msg *msg)
{
    const struct output_options *o = req->outputs;
    size_t problems = check_places(o, msg);
    if (problems)
        return problems;
    if (o->env_file || (req->exec && targets->count > 1))
        problems += check_env_prefixes(req->exec, targets, d);
    if (o->env_dir || o->env_file || req->exec)
        problems += check_env_values(req->exec ? ENV_FORMAT_PORTABLE : o->env_format, req->exec,
                                     targets, d);
    if (req->verify || req->keep_alive)
        problems += check_keyspace_urls(req->verify ? "--verify" : "--keep-alive", targets, d);
    problems += check_file("--env-file", o->env_file, msg);
    problems += check_file("--report", o->report, msg);
    problems += check_file("--junit", o->junit, msg);
    problems += check_file("--prom", o->prom, msg);
    if (o->env_dir && path_dir_creatable(o->env_dir) != 0) {
        errorf(msg, "--env-dir %s: cannot create or write the folder: %s", o->env_dir,
               strerror(errno));
        problems++;
    }
    return problems;
}

size_t preflight_run(const struct preflight_request *req, const struct target_list *targets,
                     const struct tf_msg *msg)
{
    struct diag *d = diag_new(targets->source ? targets->source : "inventory");
    if (!d) {
        errorf(msg, "out of memory");
        return 1;
    }
    size_t problems = preflight_check(req, targets, d, msg);
    diag_print(d, msg && msg->out ? msg->out : stderr, msg && msg->verbosity < 0);
    diag_free(d);
    return problems;
}
