/* inventory_yaml.c: the inventory's YAML (libyaml events) turned into struct inventory:
 * structure, types, known keys. Value rules (UUIDs, regions, ...) are in inventory.c.
 *
 * The file is read as a stream of events, never as a whole document: an inventory of 100,000
 * databases as a libyaml document tree takes 20 times the file's size. Each item of databases:
 * (and each other value of the root mapping) is built into a small tree of struct node, turned
 * into a struct database, and freed before the next one is read. Only the items that define an
 * anchor are kept, until the end of the document, for the aliases that may follow. */
#include "config/inventory_private.h"
#include "config/secret.h"
#include "core/app_token.h"
#include "core/base/strpool.h"
#include "core/base/text.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

/* An inventory of 100,000 databases is about 25 MB; anything far beyond that is a mistake. */
#define INVENTORY_MAX_BYTES (256L * 1024 * 1024)

/* Deepest nesting of lists and mappings read, counting the root mapping as 1 (an inventory needs
 * 5: root, databases, a database, its password, its command). Reading stops at the event that
 * opens level 65: libyaml's scanner walks every open level for each token, so that a file of
 * nothing but "[[[[..." costs time quadratic in its depth (34 s of CPU for 1,000,000 levels)
 * when read through. */
#define YAML_MAX_NESTING 64

/* Nesting kept in a built tree, below the node built (or below an anchored node): within
 * YAML_MAX_NESTING anyway. What lies deeper is parsed (and its anchors and aliases checked) but
 * not stored: no rule looks more than five levels below the root mapping, and values deeper than
 * that are told apart only by their type. */
#define NODE_MAX_DEPTH 64

static const char *const database_keys[] = {
    "name",     "id",       "region", "regions", "keyspace", "username",     "password",
    "auth_url", "rest_url", "tags",   "token",   "api",      "api_endpoint", NULL};
/* database_keys that defaults may give, and what only defaults give: it applies to the run. */
static const char *const defaults_keys[] = {
    "region", "regions", "keyspace", "username",     "password",  "auth_url", "rest_url",
    "tags",   "token",   "api",      "api_endpoint", "env_names", NULL};
static const char *const root_keys[] = {"version", "defaults", "databases", NULL};
static const char *const env_names_keys[] = {"preset",   "id",    "region",       "username",
                                             "keyspace", "token", "api_endpoint", NULL};
static const char *const password_keys[] = {"env", "file", "command", "timeout", NULL};

enum node_type { NODE_SCALAR, NODE_SEQUENCE, NODE_MAPPING };

/* One YAML node of the part of the document being looked at. */
struct node {
    enum node_type type;
    int plain;          /* a scalar written without quotes (only then is "null" empty) */
    struct tf_mark at;  /* where the node starts */
    char *value;        /* scalar: the text; owned */
    struct node **kids; /* sequence: the items; mapping: key, value, key, value...; owned array,
                           nodes borrowed (they belong to a pool) */
    size_t n_kids, cap_kids;
    struct node *next; /* the next node of the same pool */
};

/* Names with the place where each was first given: the anchors of a document, the keys of the
 * root mapping. Open addressing; the size is a power of two, at most half full. */
struct name {
    char *text;        /* owned; NULL: free slot */
    struct node *node; /* anchors: the anchored node (NULL while only checking) */
    struct tf_mark at;
};
struct names {
    struct name *slots;
    size_t size, count;
};

/* A collection being built: its node (NULL when it is not stored), and how many levels below it
 * are still to be stored. */
struct frame {
    struct node *node;
    size_t budget;
};

struct parse {
    yaml_parser_t *parser;
    struct diag *d;
    struct strpool *strings; /* the inventory's: where the values go */
    int nomem;
    struct names anchors;
    struct node *pool;   /* the nodes of what is being built now */
    int pool_anchored;   /* one of them has an anchor: keep the pool when done */
    struct node *kept;   /* pools kept for aliases until the end of the document */
    struct frame *stack; /* the open collections while building; owned */
    size_t stack_size;
    size_t db_capacity; /* of inv->databases */
    unsigned depth;     /* collections open in the document (see YAML_MAX_NESTING) */
    int too_deep;       /* reading stopped: a collection opened at level YAML_MAX_NESTING + 1 */
    struct tf_mark too_deep_at;
    struct env_names *env_names; /* the inventory's: where defaults' env_names goes */
};

static struct tf_mark mark_of_yaml(yaml_mark_t m)
{
    /* libyaml marks are 0-based. */
    return (struct tf_mark){(unsigned)m.line + 1, (unsigned)m.column + 1};
}

static struct tf_mark mark_of(const struct node *n)
{
    return n->at;
}

static const char *kind_name(const struct node *n)
{
    switch (n->type) {
    case NODE_MAPPING:
        return "a mapping";
    case NODE_SEQUENCE:
        return "a list";
    default:
        return "a string";
    }
}

static size_t n_pairs(const struct node *map)
{
    return map->n_kids / 2;
}

static const struct node *key_at(const struct node *map, size_t i)
{
    return map->kids[2 * i];
}

static const struct node *value_at(const struct node *map, size_t i)
{
    return map->kids[2 * i + 1];
}

/* --- names --- */

static size_t hash(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    return (size_t)h;
}

static struct name *names_slot(const struct names *t, const char *text)
{
    size_t i = hash(text) & (t->size - 1);
    while (t->slots[i].text && strcmp(t->slots[i].text, text) != 0)
        i = (i + 1) & (t->size - 1);
    return &t->slots[i];
}

/* Returns the entry for text, or NULL when it was not given before. */
static const struct name *names_find(const struct names *t, const char *text)
{
    if (!t->size)
        return NULL;
    const struct name *e = names_slot(t, text);
    return e->text ? e : NULL;
}

/* Adds text (taken over: freed here on failure); returns 0 when out of memory. */
static int names_add(struct names *t, char *text, struct node *node, struct tf_mark at)
{
    if (2 * (t->count + 1) > t->size) {
        struct names bigger = {calloc(t->size ? 2 * t->size : 16, sizeof *bigger.slots),
                               t->size ? 2 * t->size : 16, t->count};
        if (!bigger.slots) {
            free(text);
            return 0;
        }
        for (size_t i = 0; i < t->size; i++)
            if (t->slots[i].text)
                *names_slot(&bigger, t->slots[i].text) = t->slots[i];
        free(t->slots);
        *t = bigger;
    }
    *names_slot(t, text) = (struct name){text, node, at};
    t->count++;
    return 1;
}

static void names_clear(struct names *t)
{
    for (size_t i = 0; i < t->size; i++)
        free(t->slots[i].text);
    free(t->slots);
    memset(t, 0, sizeof *t);
}

/* --- building nodes from events --- */

static void free_nodes(struct node *list)
{
    while (list) {
        struct node *next = list->next;
        text_free_secret(list->value); /* a plain password is one of them */
        free(list->kids);
        free(list);
        list = next;
    }
}

/* Ends what was built since the last call: freed, or kept when an anchor may still be used. */
static void pool_done(struct parse *p)
{
    if (p->pool_anchored) {
        struct node *last = p->pool;
        while (last->next)
            last = last->next;
        last->next = p->kept;
        p->kept = p->pool;
    } else {
        free_nodes(p->pool);
    }
    p->pool = NULL;
    p->pool_anchored = 0;
}

/* Frees every node and anchor of the document. */
static void document_done(struct parse *p)
{
    free_nodes(p->pool);
    free_nodes(p->kept);
    p->pool = p->kept = NULL;
    p->pool_anchored = 0;
    names_clear(&p->anchors);
}

/* The next event of the stream. Returns 0 on a syntax error, and when the event opens a
 * collection deeper than YAML_MAX_NESTING (p->too_deep set, the event freed): nothing further is
 * read. */
static int next_event(struct parse *p, yaml_event_t *ev)
{
    if (!yaml_parser_parse(p->parser, ev))
        return 0;
    if (ev->type == YAML_SEQUENCE_START_EVENT || ev->type == YAML_MAPPING_START_EVENT) {
        if (++p->depth > YAML_MAX_NESTING) {
            p->too_deep = 1;
            p->too_deep_at = mark_of_yaml(ev->start_mark);
            yaml_event_delete(ev);
            return 0;
        }
    } else if (ev->type == YAML_SEQUENCE_END_EVENT || ev->type == YAML_MAPPING_END_EVENT) {
        p->depth--;
    }
    return 1;
}

/* An error of the kind libyaml's document loader (its "composer") reports, with its words, so
 * that report_syntax() says it as it did when the inventory was read with yaml_parser_load(). */
static int composer_error(struct parse *p, const char *context, struct tf_mark context_at,
                          const char *problem, struct tf_mark problem_at)
{
    yaml_parser_t *parser = p->parser;
    parser->error = YAML_COMPOSER_ERROR;
    parser->context = context;
    parser->context_mark.line = context_at.line - 1;
    parser->context_mark.column = context_at.column - 1;
    parser->problem = problem;
    parser->problem_mark.line = problem_at.line - 1;
    parser->problem_mark.column = problem_at.column - 1;
    return 0;
}

static struct node *new_node(struct parse *p, enum node_type type, const yaml_event_t *ev)
{
    struct node *n = calloc(1, sizeof *n);
    if (!n) {
        p->nomem = 1;
        return NULL;
    }
    n->type = type;
    n->at = mark_of_yaml(ev->start_mark);
    n->next = p->pool;
    p->pool = n;
    return n;
}

/* Records the anchor of the node that ev starts (taking the anchor's text from ev). Returns 0 on
 * a duplicate (a composer error) or when out of memory. */
static int add_anchor(struct parse *p, yaml_char_t **anchor, struct node *n, struct tf_mark at)
{
    if (!*anchor)
        return 1;
    char *text = (char *)*anchor;
    *anchor = NULL;
    const struct name *first = names_find(&p->anchors, text);
    if (first) {
        free(text);
        return composer_error(p, "found duplicate anchor; first occurrence", first->at,
                              "second occurrence", at);
    }
    if (!names_add(&p->anchors, text, n, at)) {
        p->nomem = 1;
        return 0;
    }
    if (n)
        p->pool_anchored = 1;
    return 1;
}

/* Makes room for one more element in an array of *cap elements of the given size, all in use.
 * Returns the array (moved), or NULL when out of memory (the old one is then as it was). */
static void *grow(struct parse *p, void *array, size_t *cap, size_t size)
{
    size_t more = *cap ? 2 * *cap : 4;
    void *bigger = realloc(array, more * size);
    if (!bigger) {
        p->nomem = 1;
        return NULL;
    }
    *cap = more;
    return bigger;
}

static int add_kid(struct parse *p, struct node *parent, struct node *kid)
{
    if (parent->n_kids == parent->cap_kids) {
        struct node **kids = grow(p, parent->kids, &parent->cap_kids, sizeof *kids);
        if (!kids)
            return 0;
        parent->kids = kids;
    }
    parent->kids[parent->n_kids++] = kid;
    return 1;
}

/* Builds the node that *ev starts, reading the events up to its end, into the current pool.
 * Only max_depth levels below it are stored, and max_depth below a collection with an anchor
 * (which an alias may bring up to where its content matters); what lies deeper is parsed, its
 * anchors and aliases checked, but not stored. With max_depth 0 only the outermost node is
 * stored (to check a document that is not used). Consumes ev. Returns 1 with *out set, or 0 on a
 * syntax error (in the parser) or when out of memory (p->nomem). */
static int build(struct parse *p, yaml_event_t *ev, size_t max_depth, struct node **out)
{
    size_t open = 0; /* collections open: p->stack[0..open) */
    *out = NULL;
    for (;;) {
        struct frame *parent = open ? &p->stack[open - 1] : NULL;
        int store = !parent || (parent->node && parent->budget > 0);
        struct node *n = NULL;
        yaml_char_t **anchor = NULL;
        int ok = 1, opens = 0, closes = 0;
        struct tf_mark at = mark_of_yaml(ev->start_mark);
        switch (ev->type) {
        case YAML_ALIAS_EVENT: {
            const struct name *a = names_find(&p->anchors, (const char *)ev->data.alias.anchor);
            if (!a)
                ok = composer_error(p, NULL, at, "found undefined alias", at);
            else
                n = a->node;
            break;
        }
        case YAML_SCALAR_EVENT:
            anchor = &ev->data.scalar.anchor;
            if (store || *anchor) {
                n = new_node(p, NODE_SCALAR, ev);
                if (n) {
                    n->value = (char *)ev->data.scalar.value;
                    ev->data.scalar.value = NULL;
                    n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
                }
            }
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            opens = 1;
            anchor = ev->type == YAML_SEQUENCE_START_EVENT ? &ev->data.sequence_start.anchor
                                                           : &ev->data.mapping_start.anchor;
            if (store || *anchor)
                n = new_node(
                    p, ev->type == YAML_SEQUENCE_START_EVENT ? NODE_SEQUENCE : NODE_MAPPING, ev);
            break;
        default: /* the end of a collection (stream and document events come outside nodes) */
            closes = 1;
            break;
        }
        size_t budget = anchor && *anchor ? max_depth : parent && store ? parent->budget - 1 : 0;
        if (p->nomem)
            ok = 0;
        if (ok && anchor)
            ok = add_anchor(p, anchor, n, at);
        yaml_event_delete(ev);
        if (!ok)
            return 0;
        if (closes) {
            open--;
        } else if (!parent) {
            *out = n;
        } else if (store && !add_kid(p, parent->node, n)) {
            return 0;
        }
        if (opens) {
            if (open == p->stack_size) {
                struct frame *stack = grow(p, p->stack, &p->stack_size, sizeof *stack);
                if (!stack)
                    return 0;
                p->stack = stack;
            }
            p->stack[open++] = (struct frame){n, parent ? budget : max_depth};
        }
        if (!open)
            return 1;
        if (!next_event(p, ev))
            return 0;
    }
}

/* --- nodes to the inventory --- */

/* An empty string (quoted or not), or a plain scalar spelled as YAML's null (~, null), means
 * "no value". */
static int is_empty(const struct node *n)
{
    if (n->type != NODE_SCALAR)
        return 0;
    const char *v = n->value;
    if (!*v)
        return 1;
    return n->plain &&
           (!strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL"));
}

/* YAML 1.1's merge key: "<<" written without quotes. */
static int is_merge_key(const struct node *k)
{
    return k->type == NODE_SCALAR && k->plain && !strcmp(k->value, "<<");
}

/* Reports key i of map when an earlier key is the same (libyaml keeps both; YAML calls it an
 * error). Returns 1 when it was given before. */
static int duplicate_key(struct parse *p, const struct node *map, size_t i)
{
    const struct node *k = key_at(map, i);
    for (size_t j = 0; j < i; j++) {
        const struct node *qk = key_at(map, j);
        if (qk->type == NODE_SCALAR && !strcmp(qk->value, k->value)) {
            diag_error(p->d, mark_of(k), "key \"%s\" is given twice (first at line %u)", k->value,
                       mark_of(qk).line);
            return 1;
        }
    }
    return 0;
}

static void suggest_key(struct parse *p, const struct node *key, const char *const *known,
                        const char *where)
{
    const char *k = key->value;
    if (is_merge_key(key)) {
        diag_error(p->d, mark_of(key),
                   "a merge key (<<) in %s; merge keys work in a database and in defaults only",
                   where);
        return;
    }
    const char *best = text_nearest(k, known, 2);
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

/* Checks that n is a usable string for key, reporting it when not. Returns 1 when usable. */
static int usable_string(struct parse *p, const struct node *n, const char *key)
{
    if (n->type != NODE_SCALAR) {
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
    return 1;
}

/* Stores a string field, its value in the inventory's pool (a value given twice was reported
 * and stays there unused). Returns 0 when the node is not a usable string (reported). */
static int take_string(struct parse *p, const struct node *n, const char *key, struct field *f)
{
    f->at = mark_of(n);
    if (!usable_string(p, n, key))
        return 0;
    f->value = strpool_dup(p->strings, n->value);
    if (!f->value)
        p->nomem = 1;
    return f->value != NULL;
}

/* Stores a URL template: a field of its own in the pool, where the database points (most
 * databases point at the defaults' instead, and pay no field of their own). */
static void take_template(struct parse *p, const struct node *n, const char *key,
                          const struct field **f)
{
    struct field *own = strpool_alloc_aligned(p->strings, sizeof *own);
    if (!own) {
        p->nomem = 1;
        return;
    }
    *own = (struct field){0};
    take_string(p, n, key, own);
    *f = own;
}

/* Stores a list of strings (or a single string when single is set). */
static void take_list(struct parse *p, const struct node *n, const char *key, struct field **list,
                      uint32_t *count)
{
    if (n->type == NODE_SCALAR) {
        diag_error(p->d, mark_of(n), "%s must be a list such as [a, b], not a string", key);
        return;
    }
    if (n->type != NODE_SEQUENCE) {
        diag_error(p->d, mark_of(n), "%s must be a list, not %s", key, kind_name(n));
        return;
    }
    size_t len = n->n_kids;
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
    char what[64];
    snprintf(what, sizeof what, "each item of %s", key);
    for (size_t i = 0; i < len; i++)
        if (take_string(p, n->kids[i], what, &items[got]))
            got++;
    *list = items;
    *count = (uint32_t)got; /* a 256 MB file holds fewer items */
}

/* The length of the variable name in "$NAME" or "${NAME}" at v (a shell's variable), 0 when v
 * is not one; *skip gets where the name starts. */
static size_t shell_variable(const char *v, size_t *skip)
{
    if (v[0] != '$')
        return 0;
    int brace = v[1] == '{';
    const char *name = v + 1 + brace, *end = name;
    if (!((*end >= 'A' && *end <= 'Z') || (*end >= 'a' && *end <= 'z') || *end == '_'))
        return 0;
    while ((*end >= 'A' && *end <= 'Z') || (*end >= 'a' && *end <= 'z') ||
           (*end >= '0' && *end <= '9') || *end == '_')
        end++;
    if (brace && *end++ != '}')
        return 0;
    if (*end)
        return 0;
    *skip = (size_t)(name - v);
    return (size_t)(end - name) - (size_t)brace;
}

/* Checks what {env:} and {file:} name for the mistakes a shell would have forgiven. Returns 1
 * when the source can be used. */
static int usable_source(struct parse *p, enum secret_kind kind, const struct field *f)
{
    const char *v = f->value;
    size_t skip = 0, len;
    if (kind == SECRET_ENV && v[0] == '$') {
        len = shell_variable(v, &skip);
        if (len)
            diag_error(p->d, f->at, "{env: %s} takes the variable's name; drop the $: {env: %.*s}",
                       v, (int)len, v + skip);
        else
            diag_error(p->d, f->at,
                       "{env: %s}: a variable's name does not start with $; give the name "
                       "alone, as in {env: ASTRA_DB_PASSWORD}",
                       v);
        return 0;
    }
    if (kind == SECRET_FILE && v[0] == '~' && v[1] && v[1] != '/') {
        diag_error(p->d, f->at,
                   "{file: %s}: ~user/ paths are not supported; give the full path (~/ is your "
                   "own home, $HOME)",
                   v);
        return 0;
    }
    return 1;
}

/* {command: [PROGRAM, ARGS...]}: the words, run without a shell. */
static void take_command(struct parse *p, const struct node *n, struct secret_ref *s)
{
    if (n->type != NODE_SEQUENCE) {
        diag_error(p->d, mark_of(n),
                   "command must be a list of words such as [op, read, \"op://vault/db/password\"] "
                   "(it is run without a shell), not %s",
                   kind_name(n));
        return;
    }
    if (n->n_kids == 0) {
        diag_error(p->d, mark_of(n),
                   "command is an empty list; give the program and its arguments, such as [op, "
                   "read, \"op://vault/db/password\"]");
        return;
    }
    char **argv = calloc(n->n_kids + 1, sizeof *argv);
    if (!argv) {
        p->nomem = 1;
        return;
    }
    int ok = 1;
    for (size_t i = 0; i < n->n_kids; i++) {
        struct field f = {0};
        /* An empty argument is a word a program may want, but not an empty program. */
        if (i && n->kids[i]->type == NODE_SCALAR && !n->kids[i]->value[0])
            f.value = strpool_dup(p->strings, "");
        else if (!take_string(p, n->kids[i], "each item of command", &f))
            ok = 0;
        if (ok && !f.value) {
            p->nomem = 1;
            ok = 0;
        }
        argv[i] = f.value;
    }
    if (!ok) {
        free(argv);
        return;
    }
    s->kind = SECRET_COMMAND;
    s->argv = argv;
    s->source = argv[0];
    s->at = mark_of(n);
}

/* A command's timeout: whole seconds. */
static void take_timeout(struct parse *p, const struct node *n, struct secret_ref *s)
{
    const char *v = n->type == NODE_SCALAR ? n->value : "";
    char *end = NULL;
    errno = 0;
    unsigned long secs = *v >= '0' && *v <= '9' ? strtoul(v, &end, 10) : 0;
    if (!end || *end || errno || secs < 1 || secs > SECRET_COMMAND_MAX_TIMEOUT_S) {
        diag_error(p->d, mark_of(n),
                   "timeout must be a whole number of seconds from 1 to %d (the default is %d)",
                   SECRET_COMMAND_MAX_TIMEOUT_S, SECRET_COMMAND_TIMEOUT_S);
        return;
    }
    s->timeout_s = (unsigned)secs;
}

/* take_secret()'s words for the key it reads. */
struct secret_key {
    const char *key;           /* "password", "token" */
    int plain_allowed;         /* a plain string may be the secret itself */
    const char *plain_refusal; /* what to say when it may not: why, and what to write instead */
};

static const struct secret_key password_key = {"password", 1, NULL};
static const struct secret_key token_key = {
    "token", 0,
    "token must be {env: NAME}, {file: PATH} or {command: [PROGRAM, ARGS...]}, not a string: an "
    "application token is a secret and is not written into the inventory; put it in an "
    "environment variable or a file of its own"};

/* A secret reference ({env:}, {file:}, {command:} or, for a password, a plain string) under the
 * key k->key. */
static void take_secret(struct parse *p, const struct node *n, struct secret_ref *s,
                        const struct secret_key *k_words)
{
    const char *name = k_words->key;
    s->at = mark_of(n);
    if (n->type == NODE_SCALAR) {
        if (!usable_string(p, n, name))
            return;
        if (!k_words->plain_allowed) {
            diag_error(p->d, mark_of(n), "%s", k_words->plain_refusal);
            return;
        }
        size_t skip;
        if (shell_variable(n->value, &skip)) {
            /* Not its name: it might be the password. */
            diag_error(p->d, mark_of(n),
                       "%s looks like a shell variable, which tokenfleet does not expand; "
                       "use {env: VAR}",
                       name);
            return;
        }
        /* Not in the pool: a password has memory of its own, zeroed when freed. */
        s->value = strdup(n->value);
        if (!s->value) {
            p->nomem = 1;
            return;
        }
        s->kind = SECRET_PLAIN;
        s->resolved = 1;
        return;
    }
    if (n->type != NODE_MAPPING) {
        diag_error(p->d, mark_of(n), "%s must be {env: NAME}, {file: PATH}%s, not %s", name,
                   k_words->plain_allowed ? ", {command: [PROGRAM, ARGS...]} or a string"
                                          : " or {command: [PROGRAM, ARGS...]}",
                   kind_name(n));
        return;
    }
    size_t seen = 0;
    const struct node *timeout = NULL;
    int command_given = 0;
    for (size_t i = 0; i < n_pairs(n); i++) {
        const struct node *k = key_at(n, i), *v = value_at(n, i);
        if (k->type != NODE_SCALAR) {
            diag_error(p->d, mark_of(k), "keys must be strings");
            continue;
        }
        if (duplicate_key(p, n, i))
            continue;
        const char *key = k->value;
        enum secret_kind kind;
        if (!strcmp(key, "env"))
            kind = SECRET_ENV;
        else if (!strcmp(key, "file"))
            kind = SECRET_FILE;
        else if (!strcmp(key, "command"))
            kind = SECRET_COMMAND;
        else if (!strcmp(key, "timeout")) {
            timeout = v;
            continue;
        } else {
            suggest_key(p, k, password_keys, name);
            continue;
        }
        if (++seen > 1) {
            diag_error(p->d, mark_of(k), "%s takes one of env, file or command, not two", name);
            continue;
        }
        if (kind == SECRET_COMMAND) {
            command_given = 1;
            take_command(p, v, s);
            continue;
        }
        struct field f = {0};
        if (!take_string(p, v, key, &f))
            continue;
        if (app_token_looks_like(f.value)) {
            /* Pasted where its variable's name or its file's path goes: never echoed. */
            diag_error(p->d, f.at,
                       "%s: %s holds what looks like an application token itself; give the %s "
                       "that holds it",
                       name, key, kind == SECRET_ENV ? "name of the variable" : "path of the file");
            continue;
        }
        if (!usable_source(p, kind, &f))
            continue;
        s->kind = kind;
        s->source = f.value;
        s->at = f.at;
    }
    if (timeout && s->kind == SECRET_COMMAND)
        take_timeout(p, timeout, s);
    else if (timeout && !command_given)
        diag_error(p->d, mark_of(timeout),
                   "timeout goes with command only: how long the command may run");
    if (n->n_kids == 0)
        diag_error(p->d, mark_of(n),
                   "%s mapping is empty; write {env: NAME}, {file: PATH} or "
                   "{command: [PROGRAM, ARGS...]}",
                   name);
}

/* Takes db's own secret of kind (OWN_PASSWORD or OWN_TOKEN) into db->own_secret: its own
 * allocation, not a slot in db, since few databases give their own and a pointer to it stays
 * right when the array of databases moves. A database that gives both (an error, reported
 * later) keeps both, an array of two, the token first. Then points db->run at them. */
static void own_secret(struct parse *p, const struct node *n, struct database *db,
                       enum own_secret_kind kind)
{
    const struct secret_key *k_words = kind == OWN_TOKEN ? &token_key : &password_key;
    struct secret_ref *s = db->own_secret, *mine;
    if (!s) {
        if (!(s = mine = calloc(1, sizeof *s)))
            goto nomem;
        db->own_kind = (unsigned char)kind;
    } else if (db->own_kind == kind || db->own_kind == OWN_BOTH) {
        return; /* the key given twice was reported; the first one stays */
    } else {
        if (!(s = realloc(s, 2 * sizeof *s)))
            goto nomem;
        if (kind == OWN_TOKEN)
            s[1] = s[0];
        mine = &s[kind == OWN_TOKEN ? 0 : 1];
        *mine = (struct secret_ref){0};
        db->own_kind = OWN_BOTH;
    }
    db->own_secret = s;
    take_secret(p, n, mine, k_words);
    db->run.password = database_own_password(db);
    db->run.app_token = database_own_token(db);
    return;
nomem:
    p->nomem = 1;
}

/* api: rest | data. */
static void take_api(struct parse *p, const struct node *n, struct database *db)
{
    struct field f = {0};
    if (!take_string(p, n, "api", &f))
        return;
    if (!strcmp(f.value, "rest"))
        db->run.api = TARGET_API_REST;
    else if (!strcmp(f.value, "data"))
        db->run.api = TARGET_API_DATA;
    else {
        diag_error(p->d, f.at,
                   "api \"%s\" is not an API; write api: rest (classic databases, the REST API) or "
                   "api: data (Serverless Vector databases, the Data API)",
                   f.value);
        return;
    }
    db->api_given = 1;
}

/* --- env_names --- */

#define ENV_NAMES_FIX                                                                              \
    "a preset (" ENV_NAMES_PRESETS ") or a mapping such as {preset: astra, token: MY_TOKEN}"

/* env_names' preset: a string naming one. Returns it, or NULL (reported). */
static const struct env_names *take_preset(struct parse *p, const struct node *n, const char *key)
{
    if (!usable_string(p, n, key))
        return NULL;
    const struct env_names *preset = env_names_preset(n->value);
    if (!preset)
        diag_error(p->d, mark_of(n), "%s \"%s\" names no preset; give " ENV_NAMES_PRESETS, key,
                   n->value);
    return preset;
}

/* A variable's new name in env_names: a variable name, stored in *name. Returns 1, or 0 when
 * reported (or out of memory: p->nomem). */
static int take_rename(struct parse *p, const struct node *v, enum env_var var, const char **name)
{
    char what[48];
    snprintf(what, sizeof what, "%s of env_names", env_names_key(var));
    if (!usable_string(p, v, what))
        return 0;
    if (!env_names_valid(v->value)) {
        diag_error(p->d, mark_of(v),
                   "%s \"%s\" is not a variable name; use letters, digits and _, not starting "
                   "with a digit (e.g. MY_TOKEN)",
                   what, v->value);
        return 0;
    }
    if (!(*name = strpool_dup(p->strings, v->value)))
        p->nomem = 1;
    return *name != NULL;
}

/* defaults' env_names: a preset's name, or a mapping of an optional preset (seed when none) and
 * variables renamed. Every name must be a variable name and name one variable only. */
static void take_env_names(struct parse *p, const struct node *n)
{
    struct env_names names = env_names_seed;
    struct tf_mark at[ENV_VAR_COUNT] = {{0}}; /* where each rename is; line 0: not renamed */
    if (n->type == NODE_SCALAR) {
        const struct env_names *preset = take_preset(p, n, "env_names");
        if (preset)
            *p->env_names = *preset;
        return;
    }
    if (n->type != NODE_MAPPING) {
        diag_error(p->d, mark_of(n), "env_names must be " ENV_NAMES_FIX ", not %s", kind_name(n));
        return;
    }
    int ok = 1, preset_ok = 1;
    for (size_t i = 0; i < n_pairs(n); i++) {
        const struct node *k = key_at(n, i), *v = value_at(n, i);
        enum env_var var;
        if (k->type != NODE_SCALAR) {
            diag_error(p->d, mark_of(k), "keys must be strings");
            ok = 0;
        } else if (duplicate_key(p, n, i)) {
            ok = 0;
        } else if (!strcmp(k->value, "preset")) {
            const struct env_names *preset = take_preset(p, v, "preset");
            ok &= preset_ok = preset != NULL;
            if (preset) /* renames win over the preset, whichever comes first */
                for (int j = 0; j < ENV_VAR_COUNT; j++)
                    if (!at[j].line)
                        names.name[j] = preset->name[j];
        } else if (env_names_key_parse(k->value, &var) != 0) {
            suggest_key(p, k, env_names_keys, "env_names");
            ok = 0;
        } else if (take_rename(p, v, var, &names.name[var])) {
            at[var] = mark_of(v);
        } else {
            ok = 0;
        }
    }
    if (p->nomem)
        return;
    if (n->n_kids == 0) {
        diag_error(p->d, mark_of(n), "env_names mapping is empty; give " ENV_NAMES_FIX);
        return;
    }
    /* Two variables of one name: a reader would get only one of them. Said at the rename (the
     * other renames' mistakes too; without the preset meant, what would clash is unknown). */
    for (int j = 1; j < ENV_VAR_COUNT && preset_ok; j++)
        for (int i = 0; i < j; i++) {
            if (!names.name[i] || !names.name[j] || strcmp(names.name[i], names.name[j]) != 0)
                continue;
            /* Of the two, the one written later (a preset's name is no rename: line 0). */
            struct tf_mark a = at[i], b = at[j];
            int j_later = b.line > a.line || (b.line == a.line && b.column > a.column);
            diag_error(p->d, j_later ? b : a,
                       "env_names gives %s and %s the one name %s; give each its own",
                       env_names_key((enum env_var)i), env_names_key((enum env_var)j),
                       names.name[i]);
            ok = 0;
            break;
        }
    if (ok)
        *p->env_names = names;
}

/* --- merge keys --- */

/* The pairs of a database's mapping with what its merge keys (YAML 1.1's "<<: *name" and
 * "<<: [*a, *b]") bring in: its own pairs first, in order, then each merged mapping's pairs whose
 * key is not given yet (its own before what it merges itself), earlier listed mappings first. */
struct merged {
    const struct node **kv;   /* key, value, key, value...; owned array, nodes borrowed */
    size_t n_kv, cap_kv;      /* entries (twice the pairs) */
    size_t n_own;             /* the first n_own entries are the mapping's own */
    const struct node **seen; /* mappings merged so far: each is merged once (an alias may
                                 bring one twice, or into itself); owned array */
    size_t n_seen, cap_seen;
    int failed; /* a merge key's value is not a mapping (reported) */
};

/* region and regions are one setting: a mapping that gives either takes neither from a merge. */
static int same_setting(const char *a, const char *b)
{
    if (!strcmp(a, b))
        return 1;
    return !strncmp(a, "region", 6) && !strncmp(b, "region", 6) &&
           (!strcmp(a + 6, "") || !strcmp(a + 6, "s")) &&
           (!strcmp(b + 6, "") || !strcmp(b + 6, "s"));
}

static int merged_has(const struct merged *m, const struct node *k)
{
    if (k->type != NODE_SCALAR)
        return 0;
    for (size_t i = 0; i < m->n_kv; i += 2)
        if (m->kv[i]->type == NODE_SCALAR && same_setting(m->kv[i]->value, k->value))
            return 1;
    return 0;
}

static int merged_add(struct parse *p, struct merged *m, const struct node *k, const struct node *v)
{
    if (m->n_kv + 2 > m->cap_kv) {
        const struct node **kv = grow(p, m->kv, &m->cap_kv, sizeof *kv);
        if (!kv)
            return 0;
        m->kv = kv;
        if (m->n_kv + 2 > m->cap_kv) /* from 0, grow() makes room for 4 */
            return 0;
    }
    m->kv[m->n_kv++] = k;
    m->kv[m->n_kv++] = v;
    return 1;
}

static int merge_mapping(struct parse *p, struct merged *m, const struct node *map);

/* " (the value at line N)" when v is not on k's line (an alias brings the value from its
 * anchor), "" otherwise. */
static const char *value_line(const struct node *k, const struct node *v, char *buf, size_t size)
{
    *buf = '\0';
    if (mark_of(v).line != mark_of(k).line)
        snprintf(buf, size, " (the value at line %u)", mark_of(v).line);
    return buf;
}

/* The value of a merge key (the key k, for the place of a mistake): a mapping, or a list of
 * mappings. Returns 0 when out of memory. */
static int merge_value(struct parse *p, struct merged *m, const struct node *k,
                       const struct node *v)
{
    char where[48];
    if (v->type == NODE_MAPPING)
        return merge_mapping(p, m, v);
    if (v->type == NODE_SCALAR) {
        diag_error(p->d, mark_of(k),
                   "<< merges a mapping (<<: *name, an alias of an anchored mapping) or a list "
                   "of them (<<: [*a, *b]), not a string%s",
                   value_line(k, v, where, sizeof where));
        m->failed = 1;
        return 1;
    }
    for (size_t i = 0; i < v->n_kids; i++) {
        const struct node *item = v->kids[i];
        if (item->type != NODE_MAPPING) {
            diag_error(p->d, mark_of(k),
                       "<< merges mappings only (<<: [*a, *b], aliases of anchored mappings); "
                       "item %zu of its list is %s%s",
                       i + 1, kind_name(item), value_line(k, item, where, sizeof where));
            m->failed = 1;
        } else if (!merge_mapping(p, m, item))
            return 0;
    }
    return 1;
}

/* Adds the pairs of a merged mapping that are not given yet, then what it merges itself.
 * Returns 0 when out of memory. */
static int merge_mapping(struct parse *p, struct merged *m, const struct node *map)
{
    for (size_t i = 0; i < m->n_seen; i++)
        if (m->seen[i] == map)
            return 1;
    if (m->n_seen == m->cap_seen) {
        const struct node **seen = grow(p, m->seen, &m->cap_seen, sizeof *seen);
        if (!seen)
            return 0;
        m->seen = seen;
    }
    m->seen[m->n_seen++] = map;
    const struct node *merges = NULL, *merge_key = NULL;
    for (size_t i = 0; i < n_pairs(map); i++) {
        const struct node *k = key_at(map, i), *v = value_at(map, i);
        if (is_merge_key(k)) {
            if (!merges)
                merges = v, merge_key = k;
        } else if (!merged_has(m, k) && !merged_add(p, m, k, v)) {
            return 0;
        }
    }
    return !merges || merge_value(p, m, merge_key, merges);
}

/* Fills m from a mapping node. Returns 0 when out of memory. */
static int merged_pairs(struct parse *p, const struct node *map, struct merged *m)
{
    memset(m, 0, sizeof *m);
    const struct node *merges = NULL, *merge_key = NULL;
    for (size_t i = 0; i < n_pairs(map); i++) {
        const struct node *k = key_at(map, i), *v = value_at(map, i);
        if (is_merge_key(k)) {
            if (duplicate_key(p, map, i))
                continue;
            merges = v, merge_key = k;
        } else if (!merged_add(p, m, k, v)) {
            return 0;
        }
    }
    m->n_own = m->n_kv;
    if (!merges)
        return 1;
    /* The mapping itself counts as merged: an alias back to it brings nothing more. */
    if (!(m->seen = calloc(4, sizeof *m->seen))) {
        p->nomem = 1;
        return 0;
    }
    m->cap_seen = 4;
    m->seen[m->n_seen++] = map;
    return merge_value(p, m, merge_key, merges);
}

/* duplicate_key() for the own pair at entry i of m (the merge key left out). */
static int duplicate_own_key(struct parse *p, const struct merged *m, size_t i)
{
    const struct node *k = m->kv[i];
    for (size_t j = 0; j < i; j += 2) {
        const struct node *qk = m->kv[j];
        if (qk->type == NODE_SCALAR && !strcmp(qk->value, k->value)) {
            diag_error(p->d, mark_of(k), "key \"%s\" is given twice (first at line %u)", k->value,
                       mark_of(qk).line);
            return 1;
        }
    }
    return 0;
}

static void merged_clear(struct merged *m)
{
    free(m->kv);
    free(m->seen);
}

/* Fills db from a mapping node; in defaults, name and id are not allowed. */
static void take_database(struct parse *p, const struct node *n, struct database *db,
                          int is_defaults)
{
    const char *where = is_defaults ? "defaults" : "a database";
    db->at = mark_of(n);
    if (n->type != NODE_MAPPING) {
        db->malformed = 1;
        diag_error(p->d, mark_of(n), "%s must be a mapping (key: value lines), not %s",
                   is_defaults ? "defaults" : "each database", kind_name(n));
        return;
    }
    struct merged m;
    if (!merged_pairs(p, n, &m)) {
        merged_clear(&m);
        return;
    }
    const struct node *region = NULL, *regions = NULL;
    for (size_t i = 0; i < m.n_kv; i += 2) {
        const struct node *k = m.kv[i], *v = m.kv[i + 1];
        if (k->type != NODE_SCALAR) {
            diag_error(p->d, mark_of(k), "keys must be strings");
            continue;
        }
        if (i < m.n_own && duplicate_own_key(p, &m, i))
            continue;
        const char *key = k->value;
        if (!strcmp(key, "name") || !strcmp(key, "id")) {
            if (is_defaults)
                diag_error(p->d, mark_of(k), "\"%s\" belongs to each database, not to defaults",
                           key);
            else
                take_string(p, v, key, !strcmp(key, "name") ? &db->run.name : &db->run.id);
        } else if (!strcmp(key, "env_names")) {
            if (is_defaults)
                take_env_names(p, v);
            else
                diag_error(p->d, mark_of(k),
                           "\"env_names\" belongs to defaults (it names the variables of every "
                           "target), not to a database");
        } else if (!strcmp(key, "region"))
            region = v;
        else if (!strcmp(key, "regions"))
            regions = v;
        else if (!strcmp(key, "keyspace"))
            take_string(p, v, key, &db->run.keyspace);
        else if (!strcmp(key, "username"))
            take_string(p, v, key, &db->run.username);
        else if (!strcmp(key, "auth_url"))
            take_template(p, v, key, &db->run.auth_url);
        else if (!strcmp(key, "rest_url"))
            take_template(p, v, key, &db->rest_url);
        else if (!strcmp(key, "api_endpoint"))
            take_template(p, v, key, &db->run.api_endpoint);
        else if (!strcmp(key, "api"))
            take_api(p, v, db);
        else if (!strcmp(key, "password"))
            own_secret(p, v, db, OWN_PASSWORD);
        else if (!strcmp(key, "token"))
            own_secret(p, v, db, OWN_TOKEN);
        else if (!strcmp(key, "tags"))
            take_list(p, v, key, &db->tags, &db->n_tags);
        else
            suggest_key(p, k, is_defaults ? defaults_keys : database_keys, where);
    }
    db->merge_failed = (unsigned char)m.failed;
    merged_clear(&m);
    if (region || regions)
        db->regions_given = 1;
    if (region && regions) {
        diag_error(p->d, mark_of(regions),
                   "give either region or regions, not both (region is at line %u)",
                   mark_of(region).line);
    } else if (region) {
        if (region->type == NODE_SEQUENCE)
            take_list(p, region, "region", &db->regions, &db->n_regions);
        else if (take_string(p, region, "region", &db->region)) {
            db->regions = &db->region;
            db->n_regions = 1;
        }
    } else if (regions) {
        take_list(p, regions, "regions", &db->regions, &db->n_regions);
    }
}

/* A database's single region is inside the database itself (regions points at region): after
 * the array moved, point it there again. */
static void repoint_regions(struct inventory *inv)
{
    for (size_t i = 0; i < inv->n_databases; i++)
        if (inv->databases[i].region.value) /* set only when it is the one region */
            inv->databases[i].regions = &inv->databases[i].region;
}

/* Turns one item of databases: into the next database of inv. Returns 0 when out of memory. */
static int take_item(struct parse *p, const struct node *item, struct inventory *inv)
{
    if (inv->n_databases == p->db_capacity) {
        struct database *dbs = grow(p, inv->databases, &p->db_capacity, sizeof *dbs);
        if (!dbs)
            return 0;
        inv->databases = dbs;
        repoint_regions(inv);
    }
    struct database *db = &inv->databases[inv->n_databases++];
    memset(db, 0, sizeof *db);
    take_database(p, item, db, 0);
    return 1;
}

static void databases_empty(struct parse *p, struct tf_mark at)
{
    diag_error(p->d, at, "databases is empty; list at least one database");
}

/* The value of databases: when it is not read item by item (see stream_databases). */
static int take_databases(struct parse *p, const struct node *n, struct inventory *inv)
{
    if (n->type != NODE_SEQUENCE) {
        diag_error(p->d, mark_of(n),
                   "databases must be a list (lines starting with -), "
                   "not %s",
                   kind_name(n));
        return 1;
    }
    if (n->n_kids == 0)
        databases_empty(p, mark_of(n));
    for (size_t i = 0; i < n->n_kids; i++)
        if (!take_item(p, n->kids[i], inv))
            return 0;
    return 1;
}

/* The list of databases, one item at a time; *ev is its SEQUENCE-START (consumed). */
static int stream_databases(struct parse *p, yaml_event_t *ev, struct inventory *inv)
{
    struct tf_mark at = mark_of_yaml(ev->start_mark);
    size_t before = inv->n_databases;
    yaml_event_delete(ev);
    for (;;) {
        if (!next_event(p, ev))
            return 0;
        if (ev->type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(ev);
            break;
        }
        struct node *item;
        if (!build(p, ev, NODE_MAX_DEPTH, &item) || !take_item(p, item, inv))
            return 0;
        pool_done(p);
    }
    if (inv->n_databases == before)
        databases_empty(p, at);
    return 1;
}

/* What the root mapping gave, checked when it ends. */
struct root {
    struct tf_mark at;
    struct names keys;
    int has_version, version_ok, has_databases;
    struct tf_mark version_at;
};

static int is_known(const char *key, const char *const *known)
{
    for (size_t i = 0; known[i]; i++)
        if (!strcmp(key, known[i]))
            return 1;
    return 0;
}

/* A root key starting with "x-" is the user's own (as in Compose files): its value is read (its
 * anchors can be merged and aliased) and otherwise ignored. */
static int is_extension(const char *key)
{
    return !strncmp(key, "x-", 2);
}

/* Checks a key of the root mapping. Returns its name when the value is to be used, NULL when
 * the key was reported (its value is ignored) or when out of memory (p->nomem). */
static const char *root_key(struct parse *p, struct root *r, const struct node *k)
{
    if (k->type != NODE_SCALAR) {
        diag_error(p->d, mark_of(k), "keys must be strings");
        return NULL;
    }
    const struct name *first = names_find(&r->keys, k->value);
    if (first) {
        diag_error(p->d, mark_of(k), "key \"%s\" is given twice (first at line %u)", k->value,
                   first->at.line);
        return NULL;
    }
    char *text = strdup(k->value);
    if (!text || !names_add(&r->keys, text, NULL, mark_of(k))) {
        p->nomem = 1;
        return NULL;
    }
    return k->value;
}

/* One pair of the root mapping whose key root_key() accepted. Returns 0 when out of memory. */
static int root_value(struct parse *p, struct root *r, const char *key, const struct node *v,
                      struct inventory *inv)
{
    if (!strcmp(key, "version")) {
        r->has_version = 1;
        r->version_ok = v->type == NODE_SCALAR && !strcmp(v->value, "1");
        r->version_at = mark_of(v);
    } else if (!strcmp(key, "defaults")) {
        take_database(p, v, &inv->defaults, 1);
    } else if (!strcmp(key, "databases")) {
        r->has_databases = 1;
        return take_databases(p, v, inv);
    }
    return 1;
}

static void root_done(struct parse *p, struct root *r)
{
    if (!r->has_version)
        diag_error(p->d, r->at, "missing \"version: 1\" at the top of the inventory");
    else if (!r->version_ok)
        diag_error(p->d, r->version_at,
                   "version must be 1 (the only inventory format this tokenfleet reads)");
    if (!r->has_databases)
        diag_error(p->d, r->at, "missing \"databases:\", the list of databases");
    names_clear(&r->keys);
}

/* The root when it is not a mapping, or when it has an anchor (and so must be kept whole): from
 * its built tree. */
static int take_root(struct parse *p, const struct node *root, struct inventory *inv)
{
    if (root->type != NODE_MAPPING) {
        diag_error(p->d, mark_of(root),
                   "the inventory must be a mapping with version, defaults and databases, not %s",
                   kind_name(root));
        return 1;
    }
    struct root r = {.at = mark_of(root)};
    int ok = 1;
    for (size_t i = 0; ok && i < n_pairs(root); i++) {
        const struct node *k = key_at(root, i);
        const char *key = root_key(p, &r, k);
        if (key && !is_known(key, root_keys) && !is_extension(key))
            suggest_key(p, k, root_keys, "the inventory");
        else if (key)
            ok = root_value(p, &r, key, value_at(root, i), inv);
    }
    if (p->nomem)
        ok = 0;
    root_done(p, &r);
    return ok;
}

/* The root mapping, pair by pair; *ev is its MAPPING-START (consumed). */
static int stream_root(struct parse *p, yaml_event_t *ev, struct inventory *inv)
{
    struct root r = {.at = mark_of_yaml(ev->start_mark)};
    int ok = 1;
    yaml_event_delete(ev);
    while (ok) {
        if (!(ok = next_event(p, ev)))
            break;
        if (ev->type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(ev);
            break;
        }
        struct node *k;
        if (!(ok = build(p, ev, NODE_MAX_DEPTH, &k)))
            break;
        const char *key = root_key(p, &r, k);
        int known = key && (is_known(key, root_keys) || is_extension(key));
        if (key && !known)
            suggest_key(p, k, root_keys, "the inventory");
        if (p->nomem || !(ok = next_event(p, ev)))
            break;
        if (known && !strcmp(key, "databases") && ev->type == YAML_SEQUENCE_START_EVENT &&
            !ev->data.sequence_start.anchor) {
            r.has_databases = 1;
            pool_done(p); /* the key: the items must not pile up in its pool */
            ok = stream_databases(p, ev, inv);
            continue;
        }
        struct node *v;
        if (!(ok = build(p, ev, NODE_MAX_DEPTH, &v)))
            break;
        if (known)
            ok = root_value(p, &r, key, v, inv);
        pool_done(p);
    }
    if (p->nomem)
        ok = 0;
    if (ok)
        root_done(p, &r);
    else
        names_clear(&r.keys);
    return ok;
}

/* The first document: the inventory. Returns 0 on a syntax error or when out of memory. */
static int read_inventory(struct parse *p, struct inventory *inv)
{
    yaml_event_t ev;
    if (!next_event(p, &ev))
        return 0;
    yaml_event_delete(&ev); /* STREAM-START */
    if (!next_event(p, &ev))
        return 0;
    if (ev.type == YAML_STREAM_END_EVENT) {
        yaml_event_delete(&ev);
        diag_error(p->d, (struct tf_mark){0, 0},
                   "the file is empty; an inventory starts with \"version: 1\" and a list "
                   "\"databases:\"");
        return 1;
    }
    yaml_event_delete(&ev); /* DOCUMENT-START */
    if (!next_event(p, &ev))
        return 0;
    int ok;
    if (ev.type == YAML_MAPPING_START_EVENT && !ev.data.mapping_start.anchor) {
        ok = stream_root(p, &ev, inv);
    } else {
        struct node *root;
        ok = build(p, &ev, NODE_MAX_DEPTH, &root) && take_root(p, root, inv);
    }
    if (ok && (ok = next_event(p, &ev)))
        yaml_event_delete(&ev); /* DOCUMENT-END */
    document_done(p);
    return ok;
}

/* Whatever follows a second "---" would be silently ignored: refuse it instead. The second
 * document is parsed through (its anchors and aliases checked, as libyaml's loader did) but not
 * kept. Returns 0 on a syntax error or when out of memory. */
static int refuse_second_document(struct parse *p)
{
    yaml_event_t ev;
    if (!next_event(p, &ev))
        return 0;
    if (ev.type != YAML_DOCUMENT_START_EVENT) { /* STREAM-END */
        yaml_event_delete(&ev);
        return 1;
    }
    yaml_event_delete(&ev);
    struct node *root;
    int ok = next_event(p, &ev) && build(p, &ev, 0, &root);
    if (ok && (ok = next_event(p, &ev))) {
        yaml_event_delete(&ev); /* DOCUMENT-END */
        diag_error(p->d, mark_of(root),
                   "a second YAML document (after ---); an inventory is one document: put "
                   "every database under one databases: list");
    }
    document_done(p);
    return ok;
}

/* The place of a byte offset, for libyaml's reader errors (bad UTF-8, control characters),
 * which set problem_offset but no mark. */
static struct tf_mark mark_at_offset(FILE *f, size_t offset)
{
    struct tf_mark at = {1, 1};
    if (!f || fseek(f, 0, SEEK_SET) != 0)
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

/* What a line looks like, for the hints after a syntax error. */
struct line_shape {
    int found;           /* the line exists (for the line above: a line with content exists) */
    unsigned indent;     /* columns before its content, a list's "- " counted as indentation */
    int tab_in_indent;   /* a tab among those columns */
    int at_problem;      /* the character at the problem's column (0: none) */
    int before_problem;  /* and the one before it */
    int ends_with_colon; /* its content (before a comment) ends with ':' */
};

/* Reads f up to line at.line: the shape of that line, and of the closest line above it that holds
 * more than blanks and a comment. */
static void shape_lines(FILE *f, struct tf_mark at, struct line_shape *here,
                        struct line_shape *above)
{
    memset(here, 0, sizeof *here);
    memset(above, 0, sizeof *above);
    if (!f || !at.line || fseek(f, 0, SEEK_SET) != 0)
        return;
    struct line_shape cur = {.found = 1};
    unsigned line = 1, column = 1;
    int leading = 1, dash = 0, content = 0, comment = 0, last = 0, prev = 0;
    for (;;) {
        int c = getc(f);
        if (c == EOF || c == '\n') {
            cur.ends_with_colon = last == ':';
            if (line == at.line) {
                *here = cur;
                return;
            }
            if (content)
                *above = cur;
            if (c == EOF)
                return;
            cur = (struct line_shape){.found = 1};
            line++, column = 1;
            leading = 1, dash = 0, content = 0, comment = 0, last = 0, prev = 0;
            continue;
        }
        if (line == at.line && column == at.column && (c & 0xc0) != 0x80) {
            cur.at_problem = c;
            cur.before_problem = prev;
        }
        prev = c;
        if ((c & 0xc0) != 0x80) /* columns count characters, not UTF-8 continuation bytes */
            column++;
        if (leading && dash && c != ' ' && c != '\t' && c != '\r')
            leading = 0; /* "-5": a value, not a list's "- " */
        if (leading && (c == ' ' || c == '\t' || (c == '-' && !dash))) {
            cur.indent++;
            cur.tab_in_indent |= c == '\t';
            dash = c == '-';
            continue;
        }
        if (leading && c == '\r')
            continue;
        if (leading && c == '#')
            comment = 1;
        leading = 0;
        if (comment || c == ' ' || c == '\t' || c == '\r')
            continue;
        if (c == '#' && (last == 0 || last == ' '))
            comment = 1;
        else
            content = 1, last = c;
    }
}

/* A hint after libyaml's text for what it says of tabs and indentation, "" when none fits. */
static void syntax_hint(FILE *f, const char *problem, struct tf_mark at, char *hint, size_t size)
{
    struct line_shape here, above;
    shape_lines(f, at, &here, &above);
    *hint = '\0';
    if (strstr(problem, "tab") || here.at_problem == '\t' || here.tab_in_indent) {
        snprintf(hint, size, "; YAML does not allow tabs for indentation; indent with spaces");
        return;
    }
    int no_key = !strcmp(problem, "did not find expected key") ||
                 !strcmp(problem, "did not find expected '-' indicator");
    int value = !strcmp(problem, "mapping values are not allowed in this context");
    /* A line that starts where no key or item may, or that is more indented than the "key:
     * value" above it (its key reads as the rest of that value). */
    if (above.found && here.found && here.indent != above.indent &&
        ((no_key && at.column <= here.indent + 1) ||
         (value && here.indent > above.indent && !above.ends_with_colon)))
        snprintf(hint, size,
                 "; check the indentation of this line against the one above (%u spaces here, "
                 "%u above)",
                 here.indent, above.indent);
    else if (value)
        snprintf(hint, size, "; put quotes around a value that holds \": \"");
    else if (here.at_problem == '{' && here.before_problem == '$')
        snprintf(hint, size, "; tokenfleet expands no ${VAR}: write {env: VAR}");
}

/* Reports the parser's error in d. f is the inventory, read again from its start for the place
 * of a reader error and for hints; NULL when it cannot be (nothing was read). */
static void report_syntax(struct diag *d, const yaml_parser_t *parser, FILE *f)
{
    struct tf_mark at = {(unsigned)parser->problem_mark.line + 1,
                         (unsigned)parser->problem_mark.column + 1};
    if (parser->error == YAML_READER_ERROR)
        at = mark_at_offset(f, parser->problem_offset);
    const char *problem = parser->problem ? parser->problem : "error";
    char hint[128] = "";
    if (parser->error == YAML_SCANNER_ERROR || parser->error == YAML_PARSER_ERROR)
        syntax_hint(f, problem, at, hint, sizeof hint);
    if (parser->context)
        /* Where the unclosed bracket or quote opened is what the user has to find. */
        diag_error(d, at, "YAML syntax: %s %s (which starts at line %u, column %u)%s", problem,
                   parser->context, (unsigned)parser->context_mark.line + 1,
                   (unsigned)parser->context_mark.column + 1, hint);
    else
        diag_error(d, at, "YAML syntax: %s%s", problem, hint);
}

static void report_too_deep(struct diag *d, struct tf_mark at)
{
    diag_error(d, at,
               "nesting deeper than %d levels of lists and mappings; an inventory needs 5 at "
               "most (is a [ or { left unclosed?)",
               YAML_MAX_NESTING);
}

/* Forgets what was read of inv: after a syntax error, only that error is reported. */
static void forget_inventory(struct inventory *inv)
{
    for (size_t i = 0; i < inv->n_databases; i++)
        database_clear(&inv->databases[i]);
    free(inv->databases);
    inv->databases = NULL;
    inv->n_databases = 0;
    database_clear(&inv->defaults);
}

/* Reads all of standard input into *buf (*len bytes; free it), refusing more than
 * INVENTORY_MAX_BYTES: a pipe cannot be read twice, and report_syntax reads the inventory again.
 * Returns TF_OK, TF_ERR_INVENTORY (reported in d) or TF_ERR_NOMEM. */
static enum tf_err read_stdin(struct diag *d, struct inventory *inv, char **buf, size_t *len)
{
    struct stat st;
    *buf = NULL;
    *len = 0;
    if (fstat(STDIN_FILENO, &st) == 0) {
        /* A file redirected in: others may read it as they may read a named one. */
        inv->world_readable = S_ISREG(st.st_mode) && (st.st_mode & 077) != 0;
        if (S_ISDIR(st.st_mode)) {
            diag_error(d, (struct tf_mark){0, 0},
                       "standard input is a folder; give the inventory's YAML file");
            return TF_ERR_INVENTORY;
        }
    }
    size_t cap = 0;
    for (;;) {
        if (*len == cap) {
            size_t grown = cap ? cap * 2 : 64 * 1024;
            if (grown > (size_t)INVENTORY_MAX_BYTES + 1)
                grown = (size_t)INVENTORY_MAX_BYTES + 1;
            if (grown == cap) { /* one byte more than the limit was read */
                diag_error(d, (struct tf_mark){0, 0},
                           "the inventory on standard input is more than the %ld bytes "
                           "tokenfleet reads; split the fleet into several inventories",
                           INVENTORY_MAX_BYTES);
                return TF_ERR_INVENTORY;
            }
            char *more = realloc(*buf, grown);
            if (!more)
                return TF_ERR_NOMEM;
            *buf = more;
            cap = grown;
        }
        ssize_t n = read(STDIN_FILENO, *buf + *len, cap - *len);
        if (n == 0)
            return TF_OK;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            diag_error(d, (struct tf_mark){0, 0}, "cannot read the inventory: %s", strerror(errno));
            return TF_ERR_INVENTORY;
        }
        *len += (size_t)n;
    }
}

/* Opens the inventory at path (a file) into *f, checking what fstat can tell first. Returns
 * TF_OK, or TF_ERR_INVENTORY (reported in d; *f is NULL). */
static enum tf_err open_file(const char *path, struct diag *d, struct inventory *inv, FILE **f)
{
    *f = fopen(path, "rb");
    if (!*f) {
        diag_error(d, (struct tf_mark){0, 0}, "cannot open the inventory: %s", strerror(errno));
        return TF_ERR_INVENTORY;
    }
    struct stat st;
    if (fstat(fileno(*f), &st) != 0)
        return TF_OK;
    inv->world_readable = (st.st_mode & 077) != 0;
    if (S_ISDIR(st.st_mode))
        diag_error(d, (struct tf_mark){0, 0}, "is a folder; give the inventory's YAML file");
    else if (st.st_size > INVENTORY_MAX_BYTES)
        diag_error(d, (struct tf_mark){0, 0},
                   "the inventory is %lld bytes, more than the %ld bytes tokenfleet reads; split "
                   "the fleet into several inventories",
                   (long long)st.st_size, INVENTORY_MAX_BYTES);
    else
        return TF_OK;
    fclose(*f);
    *f = NULL;
    return TF_ERR_INVENTORY;
}

enum tf_err inventory_parse_yaml(const char *path, struct diag *d, struct inventory *inv)
{
    enum tf_err rc = TF_OK;
    yaml_parser_t parser;
    int have_parser = 0;
    struct parse p = {.parser = &parser, .d = d};
    if (!inv->strings && !(inv->strings = strpool_new()))
        return TF_ERR_NOMEM;
    p.strings = inv->strings;
    p.env_names = &inv->env_names;
    /* Standard input is read whole and parsed from memory; a file is parsed as it is read. */
    int from_stdin = !strcmp(path, INVENTORY_STDIN_PATH);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = NULL;
    rc = from_stdin ? read_stdin(d, inv, &buf, &len) : open_file(path, d, inv, &f);
    if (rc != TF_OK)
        goto out;
    if (!yaml_parser_initialize(&parser)) {
        rc = TF_ERR_NOMEM;
        goto out;
    }
    have_parser = 1;
    if (from_stdin) {
        yaml_parser_set_input_string(&parser, (const unsigned char *)(len ? buf : ""), len);
        /* What report_syntax reads again, should it have to (fmemopen refuses an empty buffer;
         * empty input has no syntax error). */
        f = len ? fmemopen(buf, len, "rb") : NULL;
        if (len && !f) {
            rc = TF_ERR_NOMEM;
            goto out;
        }
    } else {
        yaml_parser_set_input_file(&parser, f);
    }
    size_t reported = d->count;
    if (!read_inventory(&p, inv)) {
        if (p.too_deep) {
            diag_rewind(d, reported);
            forget_inventory(inv);
            report_too_deep(d, p.too_deep_at);
        } else if (!p.nomem && parser.error != YAML_MEMORY_ERROR) {
            /* As when the whole document was loaded first: a file that is not YAML gets the
             * syntax error alone, not also what was found in the part before it. */
            diag_rewind(d, reported);
            forget_inventory(inv);
            report_syntax(d, &parser, f);
        }
    } else if (!refuse_second_document(&p) && !p.nomem && parser.error != YAML_MEMORY_ERROR) {
        if (p.too_deep)
            report_too_deep(d, p.too_deep_at);
        else
            report_syntax(d, &parser, f);
    }
    if (p.nomem || parser.error == YAML_MEMORY_ERROR)
        rc = TF_ERR_NOMEM;
    else if (d->errors)
        rc = TF_ERR_INVENTORY;
    if (inv->databases && inv->n_databases < p.db_capacity) {
        struct database *fit = realloc(inv->databases, inv->n_databases * sizeof *fit);
        if (fit) {
            inv->databases = fit;
            repoint_regions(inv);
        }
    }
out:
    document_done(&p);
    free(p.stack);
    if (have_parser)
        yaml_parser_delete(&parser);
    if (f)
        fclose(f);
    free(buf);
    return rc;
}
