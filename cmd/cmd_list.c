/* cmd_list.c: `tokenfleet list`: the targets an inventory and --limit/--shard select, one name a
 * line (on a terminal with how each authenticates and its API) or as JSON; sends nothing and
 * reads no password. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/exit_codes.h"
#include "cmd/options.h"
#include "config/load.h"

/* A field's value as a JSON string, null when it is not set. */
static json_t *string_or_null(const struct field *f)
{
    return f && f->value ? json_string(f->value) : json_null();
}

/* How t authenticates: "token" (an application token) or "password". */
static const char *auth_of(const struct target *t)
{
    return t->db->app_token ? "token" : "password";
}

/* The API its token is proven with (and served by): "rest" or "data". */
static const char *api_of(const struct target *t)
{
    return t->db->api == TARGET_API_DATA ? "data" : "rest";
}

/* The JSON object for t: name, database, region, cluster_id, keyspace, auth, api, tags. NULL when
 * out of memory. */
static json_t *target_json(const struct target *t)
{
    const struct database *db = database_of(t->db);
    json_t *tags = json_array();
    json_t *o = json_object();
    if (!tags || !o) {
        json_decref(tags);
        json_decref(o);
        return NULL;
    }
    int bad = 0;
    for (uint32_t i = 0; i < db->n_tags; i++)
        bad |= json_array_append_new(tags, string_or_null(&db->tags[i]));
    bad |= json_object_set_new(o, "name", json_string(t->name));
    bad |= json_object_set_new(o, "database", string_or_null(&t->db->name));
    bad |= json_object_set_new(o, "region", string_or_null(t->region));
    bad |= json_object_set_new(o, "cluster_id", string_or_null(&t->db->id));
    bad |= json_object_set_new(o, "keyspace", string_or_null(&t->db->keyspace));
    bad |= json_object_set_new(o, "auth", json_string(auth_of(t)));
    bad |= json_object_set_new(o, "api", json_string(api_of(t)));
    bad |= json_object_set_new(o, "tags", tags);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* Prints the run's targets of list to out. Returns 0, or -1 when out of memory. */
static int print_json(const struct target_list *list, FILE *out)
{
    json_t *all = json_array();
    if (!all)
        return -1;
    for (size_t i = 0; i < list->count; i++)
        if (json_array_append_new(all, target_json(&list->items[i])) != 0) {
            json_decref(all);
            return -1;
        }
    int rc = json_dumpf(all, out, JSON_INDENT(2));
    json_decref(all);
    if (rc == 0)
        fputc('\n', out);
    return 0; /* a write error shows in ferror(out) */
}

/* Prints the run's targets of list to out, one a line: the name alone, which completion and
 * scripts read, or, for a person at a terminal (columns set), the name, how it authenticates
 * and its API in aligned columns. Returns 0, or -1 when a write failed. */
static int print_text(const struct target_list *list, FILE *out, int columns)
{
    int width = 0;
    for (size_t i = 0; columns && i < list->count; i++) {
        size_t len = strlen(list->items[i].name);
        if (len > (size_t)width)
            width = len > 200 ? 200 : (int)len;
    }
    for (size_t i = 0; i < list->count; i++) {
        const struct target *t = &list->items[i];
        int rc = columns ? fprintf(out, "%-*s  %-8s  %s\n", width, t->name, auth_of(t), api_of(t))
                         : fprintf(out, "%s\n", t->name);
        if (rc < 0)
            return -1;
    }
    return 0;
}

int cmd_list(int argc, char **argv)
{
    struct cli cli;
    enum parse_result pr = options_parse(CMD_LIST, argc, argv, &cli);
    if (pr != PARSE_OK) {
        cli_free(&cli);
        return exit_code_of_parse(pr);
    }
    struct tf_msg msg = {.verbosity = cli.verbosity, .out = stderr};
    struct inventory *inv;
    struct target_list targets;
    /* Completion runs this in an interactive shell, where the passwords' variables are rarely
     * set: list needs no password, so none is read. */
    enum tf_err rc = config_load_plan(cli.inventory, cli.limits, cli.n_limits, &cli.shard, stderr,
                                      cli.verbosity < 0, &inv, &targets);
    int exit_code = EXIT_USAGE;
    if (rc == TF_OK) {
        exit_code = EXIT_ALL_OK;
        if (cli.json) {
            if (print_json(&targets, stdout) != 0)
                rc = TF_ERR_NOMEM;
        } else {
            print_text(&targets, stdout, isatty(STDOUT_FILENO)); /* errors: ferror(stdout) */
        }
        if (rc == TF_OK && (fflush(stdout) != 0 || ferror(stdout))) {
            errorf(&msg, "cannot write the list: %s", strerror(errno));
            exit_code = EXIT_SOME_FAILED;
        }
    }
    if (rc != TF_OK && rc != TF_ERR_INVENTORY) {
        errorf(&msg, "%s", tf_strerror(rc));
        exit_code = EXIT_SOME_FAILED; /* not the user's mistake: not 2 */
    }
    target_list_clear(&targets);
    inventory_free(inv);
    cli_free(&cli);
    return exit_code;
}
