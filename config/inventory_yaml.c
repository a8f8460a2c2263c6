/* inventory_yaml.c: the inventory's YAML document (libyaml) turned into struct inventory:
 * structure, types, known keys. Value rules (UUIDs, regions, ...) are in inventory.c. */
#include "config/inventory.h"
#include "core/text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

/* An inventory of 100,000 databases is about 25 MB; anything far beyond that is a mistake. */
#define INVENTORY_MAX_BYTES (256L * 1024 * 1024)

static const char *const database_keys[] = {"name",     "id",       "region",   "regions",
                                            "keyspace", "username", "password", "auth_url",
                                            "rest_url", "tags",     NULL};
static const char *const root_keys[] = {"version", "defaults", "databases", NULL};
static const char *const password_keys[] = {"env", "file", NULL};

struct parse {
    yaml_document_t *doc;
    struct diag *d;
    int nomem;
};

static struct tf_mark mark_of(const yaml_node_t *n)
{
    /* libyaml marks are 0-based. */
    return (struct tf_mark){(unsigned)n->start_mark.line + 1, (unsigned)n->start_mark.column + 1};
}

static const char *kind_name(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_MAPPING_NODE:
        return "a mapping";
    case YAML_SEQUENCE_NODE:
        return "a list";
    default:
        return "a string";
    }
}

/* An empty string (quoted or not), or a plain scalar spelled as YAML's null (~, null), means
 * "no value". */
static int is_empty(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE)
        return 0;
    const char *v = (const char *)n->data.scalar.value;
    if (!*v)
        return 1;
    return n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
           (!strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL"));
}

/* Reports a key given twice in one mapping (libyaml keeps both; YAML calls it an error).
 * Returns 1 when pr's key was already given. */
static int duplicate_key(struct parse *p, const yaml_node_t *map, const yaml_node_pair_t *pr)
{
    const yaml_node_t *k = yaml_document_get_node(p->doc, pr->key);
    for (const yaml_node_pair_t *q = map->data.mapping.pairs.start; q < pr; q++) {
        const yaml_node_t *qk = yaml_document_get_node(p->doc, q->key);
        if (qk->type == YAML_SCALAR_NODE &&
            !strcmp((const char *)qk->data.scalar.value, (const char *)k->data.scalar.value)) {
            diag_error(p->d, mark_of(k), "key \"%s\" is given twice (first at line %u)",
                       (const char *)k->data.scalar.value, mark_of(qk).line);
            return 1;
        }
    }
    return 0;
}

static void suggest_key(struct parse *p, const yaml_node_t *key, const char *const *known,
                        const char *where)
{
    const char *k = (const char *)key->data.scalar.value;
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; known[i]; i++) {
        size_t dist = text_edit_distance(k, known[i], 2);
        if (dist < best_d) {
            best_d = dist;
            best = known[i];
        }
    }
    if (best)
        diag_error(p->d, mark_of(key), "unknown key \"%s\" in %s; did you mean \"%s\"?", k, where,
                   best);
    else {
        char list[256] = "";
        for (size_t i = 0; known[i]; i++) {
            strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
            strncat(list, known[i], sizeof list - strlen(list) - 1);
        }
        diag_error(p->d, mark_of(key), "unknown key \"%s\" in %s; the keys are: %s", k, where,
                   list);
    }
}

/* Stores a string field. Returns 0 when the node is not a usable string (reported). */
static int take_string(struct parse *p, const yaml_node_t *n, const char *key, struct field *f)
{
    f->at = mark_of(n);
    if (n->type != YAML_SCALAR_NODE) {
        diag_error(p->d, mark_of(n), "%s must be a string, not %s", key, kind_name(n));
        return 0;
    }
    if (is_empty(n)) {
        const char *fix = !strncmp(key, "each item", 9) ? "give it a value or remove it"
                          : !strcmp(key, "name") || !strcmp(key, "id")
                              ? "give it a value"
                              : "give it a value or remove the key";
        diag_error(p->d, mark_of(n), "%s is empty; %s", key, fix);
        return 0;
    }
    free(f->value);
    f->value = strdup((const char *)n->data.scalar.value);
    if (!f->value)
        p->nomem = 1;
    return f->value != NULL;
}

/* Stores a list of strings (or a single string when single is set). */
static void take_list(struct parse *p, const yaml_node_t *n, const char *key, struct field **list,
                      size_t *count)
{
    if (n->type == YAML_SCALAR_NODE) {
        diag_error(p->d, mark_of(n), "%s must be a list such as [a, b], not a string", key);
        return;
    }
    if (n->type != YAML_SEQUENCE_NODE) {
        diag_error(p->d, mark_of(n), "%s must be a list, not %s", key, kind_name(n));
        return;
    }
    size_t len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (len == 0) {
        diag_error(p->d, mark_of(n), "%s is an empty list; give at least one or remove the key",
                   key);
        return;
    }
    struct field *items = calloc(len, sizeof *items);
    if (!items) {
        p->nomem = 1;
        return;
    }
    size_t got = 0;
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++) {
        const yaml_node_t *item = yaml_document_get_node(p->doc, *it);
        char what[64];
        snprintf(what, sizeof what, "each item of %s", key);
        if (take_string(p, item, what, &items[got]))
            got++;
    }
    *list = items;
    *count = got;
}

static void take_password(struct parse *p, const yaml_node_t *n, struct secret_ref *s)
{
    s->at = mark_of(n);
    if (n->type == YAML_SCALAR_NODE) {
        struct field f = {0};
        if (!take_string(p, n, "password", &f))
            return;
        s->kind = SECRET_PLAIN;
        s->value = f.value;
        s->resolved = 1;
        return;
    }
    if (n->type != YAML_MAPPING_NODE) {
        diag_error(p->d, mark_of(n),
                   "password must be {env: NAME}, {file: PATH} or a string, not %s", kind_name(n));
        return;
    }
    size_t seen = 0;
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
        const yaml_node_t *k = yaml_document_get_node(p->doc, pr->key);
        const yaml_node_t *v = yaml_document_get_node(p->doc, pr->value);
        if (k->type != YAML_SCALAR_NODE) {
            diag_error(p->d, mark_of(k), "keys must be strings");
            continue;
        }
        if (duplicate_key(p, n, pr))
            continue;
        const char *key = (const char *)k->data.scalar.value;
        enum secret_kind kind;
        if (!strcmp(key, "env"))
            kind = SECRET_ENV;
        else if (!strcmp(key, "file"))
            kind = SECRET_FILE;
        else {
            suggest_key(p, k, password_keys, "password");
            continue;
        }
        if (++seen > 1) {
            diag_error(p->d, mark_of(k), "password takes one of env or file, not both");
            continue;
        }
        struct field f = {0};
        if (!take_string(p, v, key, &f))
            continue;
        free(s->source);
        s->kind = kind;
        s->source = f.value;
        s->at = f.at;
    }
    if (n->data.mapping.pairs.top == n->data.mapping.pairs.start)
        diag_error(p->d, mark_of(n),
                   "password mapping is empty; write {env: NAME} or {file: PATH}");
}

/* Fills db from a mapping node; in defaults, name and id are not allowed. */
static void take_database(struct parse *p, const yaml_node_t *n, struct database *db,
                          int is_defaults)
{
    const char *where = is_defaults ? "defaults" : "a database";
    db->at = mark_of(n);
    if (n->type != YAML_MAPPING_NODE) {
        db->malformed = 1;
        diag_error(p->d, mark_of(n), "%s must be a mapping (key: value lines), not %s",
                   is_defaults ? "defaults" : "each database", kind_name(n));
        return;
    }
    const yaml_node_t *region = NULL, *regions = NULL;
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
        const yaml_node_t *k = yaml_document_get_node(p->doc, pr->key);
        const yaml_node_t *v = yaml_document_get_node(p->doc, pr->value);
        if (k->type != YAML_SCALAR_NODE) {
            diag_error(p->d, mark_of(k), "keys must be strings");
            continue;
        }
        if (duplicate_key(p, n, pr))
            continue;
        const char *key = (const char *)k->data.scalar.value;
        if (!strcmp(key, "name") || !strcmp(key, "id")) {
            if (is_defaults)
                diag_error(p->d, mark_of(k), "\"%s\" belongs to each database, not to defaults",
                           key);
            else
                take_string(p, v, key, !strcmp(key, "name") ? &db->name : &db->id);
        } else if (!strcmp(key, "region"))
            region = v;
        else if (!strcmp(key, "regions"))
            regions = v;
        else if (!strcmp(key, "keyspace"))
            take_string(p, v, key, &db->keyspace);
        else if (!strcmp(key, "username"))
            take_string(p, v, key, &db->username);
        else if (!strcmp(key, "auth_url"))
            take_string(p, v, key, &db->auth_url);
        else if (!strcmp(key, "rest_url"))
            take_string(p, v, key, &db->rest_url);
        else if (!strcmp(key, "password")) {
            take_password(p, v, &db->own_password);
            db->password = &db->own_password;
        } else if (!strcmp(key, "tags"))
            take_list(p, v, key, &db->tags, &db->n_tags);
        else
            suggest_key(p, k, database_keys, where);
    }
    if (region || regions)
        db->regions_at = mark_of(region ? region : regions);
    if (region && regions) {
        diag_error(p->d, mark_of(regions),
                   "give either region or regions, not both (region is at line %u)",
                   mark_of(region).line);
    } else if (region) {
        if (region->type == YAML_SEQUENCE_NODE)
            take_list(p, region, "region", &db->regions, &db->n_regions);
        else {
            db->regions = calloc(1, sizeof *db->regions);
            if (!db->regions)
                p->nomem = 1;
            else if (take_string(p, region, "region", &db->regions[0]))
                db->n_regions = 1;
        }
    } else if (regions) {
        take_list(p, regions, "regions", &db->regions, &db->n_regions);
    }
}

static void take_root(struct parse *p, const yaml_node_t *root, struct inventory *inv)
{
    if (!root) {
        diag_error(p->d, (struct tf_mark){0, 0},
                   "the file is empty; an inventory starts with \"version: 1\" and a list "
                   "\"databases:\"");
        return;
    }
    if (root->type != YAML_MAPPING_NODE) {
        diag_error(p->d, mark_of(root),
                   "the inventory must be a mapping with version, defaults and databases, not %s",
                   kind_name(root));
        return;
    }
    const yaml_node_t *version = NULL, *databases = NULL;
    for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top;
         pr++) {
        const yaml_node_t *k = yaml_document_get_node(p->doc, pr->key);
        const yaml_node_t *v = yaml_document_get_node(p->doc, pr->value);
        if (k->type != YAML_SCALAR_NODE) {
            diag_error(p->d, mark_of(k), "keys must be strings");
            continue;
        }
        if (duplicate_key(p, root, pr))
            continue;
        const char *key = (const char *)k->data.scalar.value;
        if (!strcmp(key, "version"))
            version = v;
        else if (!strcmp(key, "defaults"))
            take_database(p, v, &inv->defaults, 1);
        else if (!strcmp(key, "databases"))
            databases = v;
        else
            suggest_key(p, k, root_keys, "the inventory");
    }

    if (!version)
        diag_error(p->d, mark_of(root), "missing \"version: 1\" at the top of the inventory");
    else if (version->type != YAML_SCALAR_NODE ||
             strcmp((const char *)version->data.scalar.value, "1") != 0)
        diag_error(p->d, mark_of(version),
                   "version must be 1 (the only inventory format this tokenfleet reads)");

    if (!databases) {
        diag_error(p->d, mark_of(root), "missing \"databases:\", the list of databases");
        return;
    }
    if (databases->type != YAML_SEQUENCE_NODE) {
        diag_error(p->d, mark_of(databases),
                   "databases must be a list (lines starting with -), "
                   "not %s",
                   kind_name(databases));
        return;
    }
    size_t len =
        (size_t)(databases->data.sequence.items.top - databases->data.sequence.items.start);
    if (len == 0) {
        diag_error(p->d, mark_of(databases), "databases is empty; list at least one database");
        return;
    }
    inv->databases = calloc(len, sizeof *inv->databases);
    if (!inv->databases) {
        p->nomem = 1;
        return;
    }
    for (yaml_node_item_t *it = databases->data.sequence.items.start;
         it < databases->data.sequence.items.top; it++) {
        struct database *db = &inv->databases[inv->n_databases++];
        take_database(p, yaml_document_get_node(p->doc, *it), db, 0);
    }
}

/* The place of a byte offset, for libyaml's reader errors (bad UTF-8, control characters),
 * which set problem_offset but no mark. */
static struct tf_mark mark_at_offset(FILE *f, size_t offset)
{
    struct tf_mark at = {1, 1};
    if (fseek(f, 0, SEEK_SET) != 0)
        return at;
    for (size_t i = 0; i < offset; i++) {
        int c = getc(f);
        if (c == EOF)
            break;
        if (c == '\n')
            at.line++, at.column = 1;
        else if ((c & 0xc0) != 0x80) /* count characters, not UTF-8 continuation bytes */
            at.column++;
    }
    return at;
}

static void report_syntax(struct diag *d, const yaml_parser_t *parser, FILE *f)
{
    struct tf_mark at = {(unsigned)parser->problem_mark.line + 1,
                         (unsigned)parser->problem_mark.column + 1};
    if (parser->error == YAML_READER_ERROR)
        at = mark_at_offset(f, parser->problem_offset);
    const char *problem = parser->problem ? parser->problem : "error";
    if (parser->context)
        /* Where the unclosed bracket or quote opened is what the user has to find. */
        diag_error(d, at, "YAML syntax: %s %s (which starts at line %u, column %u)", problem,
                   parser->context, (unsigned)parser->context_mark.line + 1,
                   (unsigned)parser->context_mark.column + 1);
    else
        diag_error(d, at, "YAML syntax: %s", problem);
}

enum tf_err inventory_parse_yaml(const char *path, struct diag *d, struct inventory *inv)
{
    enum tf_err rc = TF_OK;
    yaml_parser_t parser;
    yaml_document_t doc;
    int have_parser = 0, have_doc = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        diag_error(d, (struct tf_mark){0, 0}, "cannot open the inventory: %s", strerror(errno));
        return TF_ERR_INVENTORY;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0) {
        inv->world_readable = (st.st_mode & 077) != 0;
        if (S_ISDIR(st.st_mode)) {
            diag_error(d, (struct tf_mark){0, 0}, "is a folder; give the inventory's YAML file");
            rc = TF_ERR_INVENTORY;
            goto out;
        }
        if (st.st_size > INVENTORY_MAX_BYTES) {
            diag_error(d, (struct tf_mark){0, 0},
                       "the inventory is %lld bytes, more than the %ld bytes tokenfleet reads; "
                       "split the fleet into several inventories",
                       (long long)st.st_size, INVENTORY_MAX_BYTES);
            rc = TF_ERR_INVENTORY;
            goto out;
        }
    }
    if (!yaml_parser_initialize(&parser)) {
        rc = TF_ERR_NOMEM;
        goto out;
    }
    have_parser = 1;
    yaml_parser_set_input_file(&parser, f);
    if (!yaml_parser_load(&parser, &doc)) {
        if (parser.error == YAML_MEMORY_ERROR) {
            rc = TF_ERR_NOMEM;
        } else {
            report_syntax(d, &parser, f);
            rc = TF_ERR_INVENTORY;
        }
        goto out;
    }
    have_doc = 1;
    struct parse p = {.doc = &doc, .d = d};
    take_root(&p, yaml_document_get_root_node(&doc), inv);
    /* Whatever follows a second "---" would be silently ignored: refuse it instead. */
    yaml_document_t more;
    if (!yaml_parser_load(&parser, &more)) {
        if (parser.error == YAML_MEMORY_ERROR)
            p.nomem = 1;
        else
            report_syntax(d, &parser, f);
    } else {
        const yaml_node_t *extra = yaml_document_get_root_node(&more);
        if (extra)
            diag_error(d, mark_of(extra),
                       "a second YAML document (after ---); an inventory is one document: put "
                       "every database under one databases: list");
        yaml_document_delete(&more);
    }
    if (p.nomem)
        rc = TF_ERR_NOMEM;
    else if (d->errors)
        rc = TF_ERR_INVENTORY;
out:
    if (have_doc)
        yaml_document_delete(&doc);
    if (have_parser)
        yaml_parser_delete(&parser);
    fclose(f);
    return rc;
}
