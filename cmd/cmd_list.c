/* cmd_list.c: `tokenfleet list`: the targets an inventory and --limit/--shard select, one name a
 * line or as JSON; sends nothing and reads no password. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/exit_codes.h"
#include "cmd/options.h"
#include "config/load.h"

/* A field's value as a JSON string, null when it is not set. */
static json_t *string_or_null(const struct field *f)
{
    return f && f->value ? json_string(f->value) : json_null();
}

/* The JSON object for t: name, database, region, cluster_id, keyspace, tags. NULL when out of
 * memory. */
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
            for (size_t i = 0; i < targets.count; i++)
                if (puts(targets.items[i].name) < 0)
                    break;
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
