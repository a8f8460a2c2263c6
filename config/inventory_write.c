/* inventory_write.c: an inventory from the DevOps API's databases. */
#include "config/inventory_write.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/inventory_name.h"
#include "config/inventory_rules.h"
#include "core/base/clock.h"
#include "core/base/strset.h"
#include "core/base/text.h"
#include "core/base/utf8.h"

/* Longest piece of free-form text (an Astra name, a refused value) quoted in a comment. */
#define COMMENT_TEXT_MAX 120

/* What becomes of one database. */
struct entry {
    char *name;    /* unique; owned */
    char *problem; /* why the inventory could not take it; owned; NULL when it can */
    bool written;  /* status asked for, and no problem */
    bool renamed;  /* name is not its Astra name */
};

char *inventory_comment_text(const char *s, size_t max)
{
    char *out = malloc(max + 4);
    if (!out)
        return NULL;
    size_t len = strlen(s), consumed;
    size_t n = utf8_repair(s, len, out, max, &consumed);
    if (consumed < len)
        memcpy(out + n, "...", 4);
    text_replace_controls(out); /* C0, DEL and C1 (U+0085, a YAML line break, among them) */
    static const char *const breaks[] = {"\xe2\x80\xa8", "\xe2\x80\xa9", "\xef\xbb\xbf",
                                         "\xef\xbf\xbe", "\xef\xbf\xbf"};
    for (size_t i = 0; i < sizeof breaks / sizeof breaks[0]; i++)
        for (char *p = strstr(out, breaks[i]); p; p = strstr(p, breaks[i]))
            memcpy(p, "???", 3);
    return out;
}

/* A value made of [A-Za-z0-9_-] only, written bare unless YAML 1.1 would take it for something
 * else than a string (a number, a boolean, null): then double-quoted, which such a value never
 * needs escaping in. */
static void put_value(FILE *out, const char *v)
{
    static const char *const words[] = {"null", "true", "false", "yes", "no",
                                        "on",   "off",  "y",     "n",   NULL};
    bool quote = !((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z'));
    for (size_t i = 0; words[i] && !quote; i++)
        quote = !strcasecmp(v, words[i]);
    fprintf(out, quote ? "\"%s\"" : "%s", v);
}

static bool status_wanted(const struct inventory_write_options *o, const char *status)
{
    for (size_t i = 0; status && i < o->n_statuses; i++)
        if (!strcasecmp(status, o->statuses[i]))
            return true;
    return false;
}

/* Why the inventory cannot take db, as a new string, or NULL (*nomem tells) when it can. */
static char *problem_of(const struct devops_database *db, int *nomem)
{
    char *shown = NULL, *p = NULL;
    const char *bad_region = NULL;
    for (size_t i = 0; i < db->n_regions && !bad_region; i++)
        if (!inventory_is_region(db->regions[i]))
            bad_region = db->regions[i];
    if (db->shape)
        p = text_printf("the DevOps API's answer: %s", db->shape);
    else if (!db->id)
        p = strdup("no id");
    else if (!inventory_is_uuid(db->id))
        p = (shown = inventory_comment_text(db->id, COMMENT_TEXT_MAX))
                ? text_printf("id \"%s\" is not a UUID", shown)
                : NULL;
    else if (!db->n_regions)
        p = strdup("no datacenters (info.datacenters), so no region");
    else if (bad_region)
        p = (shown = inventory_comment_text(bad_region, COMMENT_TEXT_MAX))
                ? text_printf("region \"%s\" is not a region name the inventory takes", shown)
                : NULL;
    else if (db->keyspace && !inventory_is_keyspace(db->keyspace))
        p = (shown = inventory_comment_text(db->keyspace, COMMENT_TEXT_MAX))
                ? text_printf("keyspace \"%s\" is not a keyspace name (letters, digits and _, at "
                              "most 48)",
                              shown)
                : NULL;
    else if (!db->keyspace && !db->vector)
        p = strdup("no keyspace (info.keyspace)");
    else if (!db->status)
        p = strdup("no status");
    else
        return NULL;
    free(shown);
    *nomem = !p;
    return p;
}

/* The entry's lines, each after prefix ("  " or "  # "). */
static void put_entry(FILE *out, const char *prefix, const struct devops_database *db,
                      const struct entry *e)
{
    fprintf(out, "%s- name: ", prefix);
    put_value(out, e->name);
    if (e->renamed) {
        char *astra = db->name ? inventory_comment_text(db->name, COMMENT_TEXT_MAX) : NULL;
        if (astra)
            fprintf(out, "  # in Astra: \"%s\"", astra);
        else if (!db->name)
            fputs("  # no name in Astra", out);
        free(astra);
    }
    fprintf(out, "\n%s  id: ", prefix);
    for (const char *p = db->id; *p; p++) /* a UUID: host names and env files use lowercase */
        fputc(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p, out);
    fprintf(out, "\n%s  regions: [", prefix);
    for (size_t i = 0; i < db->n_regions; i++) {
        fputs(i ? ", " : "", out);
        put_value(out, db->regions[i]);
    }
    fputs("]\n", out);
    if (db->keyspace) {
        fprintf(out, "%s  keyspace: ", prefix);
        put_value(out, db->keyspace);
        fputc('\n', out);
    }
    if (db->vector)
        fprintf(out, "%s  api: data\n", prefix);
}

/* A database the inventory cannot take: one comment line saying which, and why. */
static enum tf_err put_malformed(FILE *out, const struct devops_database *db, const struct entry *e,
                                 size_t index_on_page)
{
    char *name = db->name ? inventory_comment_text(db->name, COMMENT_TEXT_MAX) : NULL;
    char *id = db->id ? inventory_comment_text(db->id, COMMENT_TEXT_MAX) : NULL;
    if ((db->name && !name) || (db->id && !id)) {
        free(name);
        free(id);
        return TF_ERR_NOMEM;
    }
    fprintf(out, "  # left out, %s: database %zu of page %u", e->problem, index_on_page, db->page);
    if (name)
        fprintf(out, ", named \"%s\" in Astra", name);
    if (id && inventory_is_uuid(db->id))
        fprintf(out, ", id %s", id);
    fputc('\n', out);
    free(name);
    free(id);
    return TF_OK;
}

static void put_header(FILE *out, const struct devops_listing *l,
                       const struct inventory_write_options *o,
                       const struct inventory_write_counts *c, const char *api_url)
{
    char when[32];
    clock_format_utc_ms(o->now_ms, when);
    fprintf(out, "# Written by %s discover at %s\n# from the DevOps API at %s:\n", o->writer, when,
            api_url);
    fprintf(out, "# %zu database%s (%u page%s): %zu written (status ", l->count,
            l->count == 1 ? "" : "s", l->pages, l->pages == 1 ? "" : "s", c->written);
    for (size_t i = 0; i < o->n_statuses; i++)
        fprintf(out, "%s%s", i ? ", " : "", o->statuses[i]);
    fprintf(out, "), %zu commented out (another status), %zu left out (malformed).\n", c->parked,
            c->malformed);
    fprintf(out, "# Each database's application token is read from $%s (defaults: token:).\n",
            o->token_env);
    if (!c->written)
        fputs("# No database has a status asked for: uncomment some, or run discover again "
              "with --status.\n",
              out);
    fputs("version: 1\ndefaults:\n  token: {env: ", out);
    put_value(out, o->token_env);
    fputs("}\ndatabases:\n", out);
}

/* Decides each database's fate and name. */
static enum tf_err plan(const struct devops_listing *l, const struct inventory_write_options *o,
                        struct entry *entries, struct strset *taken,
                        struct inventory_write_counts *c)
{
    for (size_t i = 0; i < l->count; i++) {
        const struct devops_database *db = &l->items[i];
        struct entry *e = &entries[i];
        int nomem = 0;
        e->problem = problem_of(db, &nomem);
        char *base = nomem ? NULL : inventory_name_make(db->name ? db->name : "db");
        e->name = base ? inventory_name_unique(taken, base) : NULL;
        free(base);
        if (!e->name)
            return TF_ERR_NOMEM;
        e->renamed = !db->name || strcmp(db->name, e->name) != 0;
        e->written = !e->problem && status_wanted(o, db->status);
        if (e->problem)
            c->malformed++;
        else if (e->written)
            c->written++;
        else
            c->parked++;
    }
    return TF_OK;
}

enum tf_err inventory_write(FILE *out, const struct devops_listing *l,
                            const struct inventory_write_options *o,
                            struct inventory_write_counts *counts)
{
    memset(counts, 0, sizeof *counts);
    struct strset taken = {0};
    struct entry *entries = calloc(l->count ? l->count : 1, sizeof *entries);
    char *api_url = inventory_comment_text(o->api_url, 2 * COMMENT_TEXT_MAX);
    enum tf_err rc = entries && api_url ? plan(l, o, entries, &taken, counts) : TF_ERR_NOMEM;
    if (rc == TF_OK)
        put_header(out, l, o, counts, api_url);
    size_t index_on_page = 0;
    for (size_t i = 0; i < l->count && rc == TF_OK; i++) {
        const struct devops_database *db = &l->items[i];
        const struct entry *e = &entries[i];
        index_on_page = i && db->page == l->items[i - 1].page ? index_on_page + 1 : 1;
        if (e->problem) {
            rc = put_malformed(out, db, e, index_on_page);
        } else if (e->written) {
            put_entry(out, "  ", db, e);
        } else {
            char *status = inventory_comment_text(db->status, COMMENT_TEXT_MAX);
            if (!status) {
                rc = TF_ERR_NOMEM;
                break;
            }
            fprintf(out, "  # status %s, not in --status:\n", status);
            free(status);
            put_entry(out, "  # ", db, e);
        }
    }
    for (size_t i = 0; entries && i < l->count; i++) {
        free(entries[i].name);
        free(entries[i].problem);
    }
    strset_clear(&taken);
    free(entries);
    free(api_url);
    return rc;
}
