/* test_inventory.c: inventory loading and validation through config_load() (config/load.h).
 * Broken inventories are data, in tests/inventories/bad/; the table here holds only the cases
 * that data cannot express (the comment above it says why), each with everything config_load
 * must print. Then inventories that load, checked for defaults inheritance, {env:} and {file:}
 * passwords, id normalisation, target expansion (names, URLs, env prefixes) and --limit
 * selection. Every case checks that no password ever appears in a diagnostic: all passwords used
 * here start with "hunter2". */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/load.h"

#define PW  "hunter2-s3cret" /* the value of TF_UT_PW; every password here starts "hunter2" */
#define ID1 "6513270e-269e-4d37-b2a7-4de452e6b438"
#define ID2 "d23f0824-128b-4f33-8c5c-7fd0a6a3a450"

/* Lines 1-6 of most inventories below; the first database starts on line 7, its mapping at
 * column 5, name's value at column 11, id's at 9, region's at 13, other keys' at 15. */
#define HEAD                                                                                       \
    "version: 1\n"                                                                                 \
    "defaults:\n"                                                                                  \
    "  password: {env: TF_UT_PW}\n"                                                                \
    "  keyspace: ks\n"                                                                             \
    "  username: svc\n"                                                                            \
    "databases:\n"
/* Lines 7-9: a complete database. */
#define ORDERS                                                                                     \
    "  - name: orders\n"                                                                           \
    "    id: " ID1 "\n"                                                                            \
    "    region: us-east1\n"

#define LIMIT_HINT                                                                                 \
    "give a target name (orders/us-east1), a database name, a glob (orders*) or tag:NAME"
#define PLAIN_WARNING                                                                              \
    "warning: a plain-text password in a file that group or others can read; use {env: NAME} or "  \
    "{file: PATH}, or chmod 600 inv.yaml"

/* A file a case needs besides the inventory. */
struct file_spec {
    const char *name; /* relative to the case's folder; a folder in it is created */
    const char *content;
    mode_t mode; /* 0 means 0600 */
};

struct inv_case {
    const char *title;
    const char *yaml; /* written to inv.yaml; NULL: no inventory */
    mode_t mode;      /* of inv.yaml; 0 means 0600 */
    const char *path; /* what config_load is given; NULL means "inv.yaml" */
    struct file_spec files[1];
    const char *limits[3]; /* --limit patterns, NULL-terminated */
    int quiet;
    const char *expect; /* everything config_load prints */
};

/* Only what tests/inventories/run.sh cannot run. It gives `validate -i` the name of an existing
 * .yaml file of mode 0600 (0644 for names holding "world-readable"), passes no other option,
 * wants exit status 2 and compares stderr only for broken inventories. Each group below says
 * which of these it needs. Every other broken inventory is a case in tests/inventories/bad/:
 * add new ones there. */
static const struct inv_case cases[] = {
    /* --- no inventory file: the runner names only existing .yaml files --- */
    {.title = "inventory cannot be opened",
     .path = "nosuch.yaml",
     .expect = "nosuch.yaml: error: cannot open the inventory: No such file or directory\n"},
    {.title = "inventory is a folder",
     .path = "fleet",
     .files = {{.name = "fleet/inv.yaml", .content = HEAD ORDERS}},
     .expect = "fleet: error: is a folder; give the inventory's YAML file\n"},

    /* --- --limit: the runner passes no option --- */
    {.title = "--limit that matches nothing",
     .yaml = HEAD ORDERS,
     .limits = {"billing"},
     .expect = "inv.yaml: error: --limit \"billing\" matches no target; " LIMIT_HINT "\n"},
    {.title = "--limit: the one pattern of two that matches nothing",
     .yaml = HEAD ORDERS "    tags: [prod]\n",
     .limits = {"orders", "tag:production"},
     .expect = "inv.yaml: error: --limit \"tag:production\" matches no target; " LIMIT_HINT "\n"},

    /* --- warnings alone: the load succeeds (exit status 0), whose messages the runner does not
     * compare; one needs mode 0640 (the runner sets 0600 or 0644), one -q (no option) --- */
    {.title = "plain password in an inventory others can read: warning",
     .yaml = HEAD ORDERS "    password: hunter2-plain\n",
     .mode = 0644,
     .expect = "inv.yaml:10:15: " PLAIN_WARNING "\n"},
    {.title = "plain password in a 0600 inventory: no warning",
     .yaml = HEAD ORDERS "    password: hunter2-plain\n",
     .mode = 0600,
     .expect = ""},
    {.title = "plain password in defaults of a 0640 inventory: warned once for two databases",
     .yaml = "version: 1\n"
             "defaults:\n"
             "  password: hunter2-plain\n"
             "  keyspace: ks\n"
             "  username: svc\n"
             "databases:\n" ORDERS "  - name: billing\n"
             "    id: " ID2 "\n"
             "    region: us-east1\n",
     .mode = 0640,
     .expect = "inv.yaml:3:13: " PLAIN_WARNING "\n"},
    {.title = "quiet leaves warnings out",
     .yaml = HEAD ORDERS "    password: hunter2-plain\n",
     .mode = 0644,
     .quiet = 1,
     .expect = ""},
    {.title = "password file others can read: warning",
     .yaml = HEAD ORDERS "    password: {file: pw.txt}\n",
     .files = {{.name = "pw.txt", .content = "hunter2-file\n", .mode = 0644}},
     .expect = "inv.yaml:10:22: warning: password file pw.txt can be read by group or others "
               "(mode 0644); chmod 600 it\n"},
    {.title = "password file 0600: no warning",
     .yaml = HEAD ORDERS "    password: {file: pw.txt}\n",
     .files = {{.name = "pw.txt", .content = "hunter2-file\n", .mode = 0600}},
     .expect = ""},
};

/* --- the folder each test runs in --- */

struct fixture {
    const struct inv_case *c; /* NULL for the tests that are not table rows */
    char dir[64];             /* a fresh folder, the current directory during the test */
    int home;                 /* the previous current directory, to return to */
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    fx->c = *state;
    strcpy(fx->dir, "/tmp/tf-unit-inv-XXXXXX");
    fx->home = open(".", O_RDONLY | O_DIRECTORY);
    if (fx->home < 0 || !mkdtemp(fx->dir) || chdir(fx->dir) != 0) {
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    int rc = fchdir(fx->home);
    close(fx->home);
    if (nftw(fx->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        rc = -1;
    free(fx);
    return rc;
}

/* Writes name (creating its folder) with size bytes of content repeated (all of content when
 * size is 0), with mode (0600 when 0). */
static void put_file(const char *name, const char *content, size_t size, mode_t mode)
{
    const char *slash = strrchr(name, '/');
    if (slash) {
        char folder[PATH_MAX];
        snprintf(folder, sizeof folder, "%.*s", (int)(slash - name), name);
        assert_true(mkdir(folder, 0700) == 0 || access(folder, F_OK) == 0);
    }
    FILE *f = fopen(name, "wb");
    assert_non_null(f);
    size_t len = strlen(content);
    if (!size)
        size = len;
    for (size_t done = 0; len && done < size;) {
        size_t n = size - done < len ? size - done : len;
        assert_int_equal(fwrite(content, 1, n, f), n);
        done += n;
    }
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(name, mode ? mode : 0600), 0);
}

/* What one config_load call gave. */
struct loaded {
    enum tf_err rc;
    char *out; /* everything it printed */
    struct inventory *inv;
    struct target_list targets;
};

static void load(const char *path, const char *const *limits, int quiet, struct loaded *l)
{
    size_t n = 0, size = 0;
    while (limits && limits[n])
        n++;
    FILE *f = open_memstream(&l->out, &size);
    assert_non_null(f);
    l->rc = config_load(path, limits, n, NULL, f, quiet, &l->inv, &l->targets);
    assert_int_equal(fclose(f), 0);
    /* The one rule for every case: a password never reaches a message. */
    if (strstr(l->out, "hunter2"))
        fail_msg("a password appears in the diagnostics:\n%s", l->out);
}

static void unload(struct loaded *l)
{
    target_list_clear(&l->targets);
    inventory_free(l->inv);
    free(l->out);
}

/* Loads path expecting success and no output at all. */
static void load_ok(const char *path, const char *const *limits, struct loaded *l)
{
    load(path, limits, 0, l);
    if (l->rc != TF_OK || *l->out)
        fail_msg("expected a clean load, got %s and:\n%s", tf_strerror(l->rc), l->out);
    assert_non_null(l->inv);
}

static void test_case(void **state)
{
    const struct fixture *fx = *state;
    const struct inv_case *c = fx->c;
    if (c->yaml)
        put_file("inv.yaml", c->yaml, 0, c->mode);
    for (size_t i = 0; i < sizeof c->files / sizeof c->files[0] && c->files[i].name; i++)
        put_file(c->files[i].name, c->files[i].content, 0, c->files[i].mode);

    struct loaded l = {0};
    load(c->path ? c->path : "inv.yaml", c->limits, c->quiet, &l);
    int has_error = strstr(c->expect, ": error: ") != NULL;
    int same = !strcmp(c->expect, l.out);
    /* Everything is checked and freed before failing, so that a sanitizer run shows only the
     * library's own leaks. */
    char why[4096] = "";
    if (!same)
        snprintf(why, sizeof why, "%s\n--- expected:\n%s--- got:\n%s---", c->title, c->expect,
                 l.out);
    else if (l.rc != (has_error ? TF_ERR_INVENTORY : TF_OK))
        snprintf(why, sizeof why, "config_load returned \"%s\"", tf_strerror(l.rc));
    else if (has_error && (l.inv || l.targets.count))
        snprintf(why, sizeof why, "an inventory and targets were returned despite errors");
    else if (!has_error && (!l.inv || !l.targets.count))
        snprintf(why, sizeof why, "no inventory or no targets were returned");
    unload(&l);
    if (*why)
        fail_msg("%s", why);
}

/* --- inventories that load --- */

/* Asserts that the n fields hold exactly the NULL-terminated list want. */
static void assert_fields(const struct field *f, size_t n, const char *const *want)
{
    size_t i = 0;
    for (; want[i]; i++) {
        assert_true(i < n);
        assert_string_equal(f[i].value, want[i]);
    }
    assert_int_equal(n, i);
}

/* Asserts the names of the targets, in order. */
static void assert_targets(const struct target_list *t, const char *const *want)
{
    size_t i = 0;
    for (; want[i]; i++) {
        if (i >= t->count)
            fail_msg("target %zu (%s) missing: only %zu targets", i, want[i], t->count);
        assert_string_equal(t->items[i].name, want[i]);
    }
    assert_int_equal(t->count, i);
}

static void test_defaults_inherited_and_overridden(void **state)
{
    (void)state;
    put_file("inv.yaml",
             "version: 1\n"
             "defaults:\n"
             "  password: {env: TF_UT_PW}\n"
             "  keyspace: shared\n"
             "  username: svc\n"
             "  regions: [us-east1, eu-west1]\n"
             "  tags: [prod]\n"
             "databases:\n"
             "  - name: orders\n"
             "    id: " ID1 "\n"
             "  - name: billing\n"
             "    id: " ID2 "\n"
             "    keyspace: billing\n"
             "    username: billing_svc\n"
             "    password: {file: billing.pw}\n"
             "    region: asia-south1\n"
             "    tags: [staging, payments]\n",
             0, 0);
    put_file("billing.pw", "hunter2-billing\n", 0, 0);
    struct loaded l = {0};
    load_ok("inv.yaml", NULL, &l);
    assert_int_equal(l.inv->n_databases, 2);

    const struct database *orders = &l.inv->databases[0];
    assert_string_equal(orders->run.keyspace.value, "shared");
    assert_int_equal(orders->run.keyspace.at.line, 4); /* a default keeps its own place */
    assert_string_equal(orders->run.username.value, "svc");
    assert_fields(orders->regions, orders->n_regions, (const char *[]){"us-east1", "eu-west1", 0});
    assert_fields(orders->tags, orders->n_tags, (const char *[]){"prod", 0});
    assert_ptr_equal(orders->run.password, l.inv->defaults.own_password);
    assert_int_equal(orders->run.password->kind, SECRET_ENV);
    assert_string_equal(orders->run.password->value, PW);

    const struct database *billing = &l.inv->databases[1];
    assert_string_equal(billing->run.keyspace.value, "billing");
    assert_int_equal(billing->run.keyspace.at.line, 13);
    assert_string_equal(billing->run.username.value, "billing_svc");
    assert_fields(billing->regions, billing->n_regions, (const char *[]){"asia-south1", 0});
    assert_fields(billing->tags, billing->n_tags, (const char *[]){"staging", "payments", 0});
    assert_ptr_equal(billing->run.password, billing->own_password);
    assert_int_equal(billing->run.password->kind, SECRET_FILE);
    assert_string_equal(billing->run.password->value, "hunter2-billing");

    assert_targets(&l.targets, (const char *[]){"orders/us-east1", "orders/eu-west1",
                                                "billing/asia-south1", 0});
    unload(&l);
}

/* {file:} paths are relative to the inventory's folder, not the current one; one trailing
 * newline (\n or \r\n) is stripped and no more; absolute paths are taken as they are. */
static void test_password_files(void **state)
{
    const struct fixture *fx = *state;
    char abs_path[128], yaml[2048];
    snprintf(abs_path, sizeof abs_path, "%s/elsewhere/abs.pw", fx->dir);
    snprintf(
        yaml, sizeof yaml,
        "version: 1\n"
        "defaults: {keyspace: ks, username: svc, region: us-east1}\n"
        "databases:\n"
        "  - {name: lf, id: %s, password: {file: lf.pw}}\n"
        "  - {name: crlf, id: %s, password: {file: crlf.pw}}\n"
        "  - {name: bare, id: 0fd630f1-f29d-4da9-953f-48f1a09f76b5, password: {file: bare.pw}}\n"
        "  - {name: two, id: 0cb1e29c-658c-4a14-95e6-0af593bd04cf, password: {file: two.pw}}\n"
        "  - {name: abs, id: 8e81973e-0bec-47b0-b898-d190f9ebdacc, password: {file: %s}}\n"
        "  - {name: max, id: 6b4cb242-4a23-4596-a217-beaddbc496cb, password: {file: max.pw}}\n",
        ID1, ID2, abs_path);
    put_file("conf/inv.yaml", yaml, 0, 0);
    put_file("lf.pw", "hunter2-WRONG-FOLDER\n", 0, 0); /* must not be read */
    put_file("conf/lf.pw", "hunter2-lf\n", 0, 0);
    put_file("conf/crlf.pw", "hunter2-crlf\r\n", 0, 0);
    put_file("conf/bare.pw", "hunter2-bare", 0, 0);
    put_file("conf/two.pw", "hunter2-two\n\n", 0, 0);
    put_file("elsewhere/abs.pw", "hunter2-abs\n", 0, 0);
    put_file("conf/max.pw", "hunter2-", 4096, 0); /* exactly the limit is still a password */

    struct loaded l = {0};
    load_ok("conf/inv.yaml", NULL, &l);
    assert_string_equal(l.inv->dir, "conf/");
    const char *want[] = {"hunter2-lf", "hunter2-crlf", "hunter2-bare", "hunter2-two\n",
                          "hunter2-abs"};
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(l.inv->databases[i].run.password->value, want[i]);
    assert_int_equal(strlen(l.inv->databases[5].run.password->value), 4096);
    unload(&l);
}

static void test_uppercase_id_lowercased(void **state)
{
    (void)state;
    put_file("inv.yaml",
             HEAD "  - name: orders\n"
                  "    id: 6513270E-269E-4D37-B2A7-4DE452E6B438\n"
                  "    region: us-east1\n",
             0, 0);
    struct loaded l = {0};
    load_ok("inv.yaml", NULL, &l);
    assert_string_equal(l.inv->databases[0].run.id.value, ID1);
    assert_string_equal(l.targets.items[0].url,
                        "https://" ID1 "-us-east1.apps.astra.datastax.com/api/rest/v1/auth");
    unload(&l);
}

static void test_targets_expanded_in_order(void **state)
{
    (void)state;
    put_file("inv.yaml",
             HEAD "  - name: orders\n"
                  "    id: " ID1 "\n"
                  "    regions: [us-east1, eu-west1, asia-south1]\n"
                  "  - name: billing\n"
                  "    id: " ID2 "\n"
                  "    region: us-central1\n"
                  "    auth_url: http://stargate-{region}.internal:8081/v1/auth?cluster={id}\n",
             0, 0);
    struct loaded l = {0};
    load_ok("inv.yaml", NULL, &l);
    assert_targets(&l.targets, (const char *[]){"orders/us-east1", "orders/eu-west1",
                                                "orders/asia-south1", "billing/us-central1", 0});
    const char *urls[] = {
        "https://" ID1 "-us-east1.apps.astra.datastax.com/api/rest/v1/auth",
        "https://" ID1 "-eu-west1.apps.astra.datastax.com/api/rest/v1/auth",
        "https://" ID1 "-asia-south1.apps.astra.datastax.com/api/rest/v1/auth",
        "http://stargate-us-central1.internal:8081/v1/auth?cluster=" ID2,
    };
    for (size_t i = 0; i < 4; i++) {
        const struct target *t = &l.targets.items[i];
        assert_string_equal(t->url, urls[i]);
        assert_ptr_equal(t->db, &l.inv->databases[i < 3 ? 0 : 1].run);
        assert_ptr_equal(t->region, &database_of(t->db)->regions[i < 3 ? i : 0]);
    }
    unload(&l);
}

static void test_env_prefix_upper_snake(void **state)
{
    (void)state;
    put_file("inv.yaml",
             HEAD ORDERS "  - name: a-b_c2\n"
                         "    id: " ID2 "\n"
                         "    region: eu-west-1\n",
             0, 0);
    struct loaded l = {0};
    load_ok("inv.yaml", NULL, &l);
    assert_int_equal(l.targets.count, 2);
    assert_string_equal(l.targets.items[0].env_prefix, "ORDERS_US_EAST1");
    assert_string_equal(l.targets.items[1].env_prefix, "A_B_C2_EU_WEST_1");
    unload(&l);
}

static void test_limit_selection(void **state)
{
    (void)state;
    put_file("inv.yaml",
             HEAD "  - name: orders\n"
                  "    id: " ID1 "\n"
                  "    regions: [us-east1, eu-west1]\n"
                  "    tags: [prod, payments]\n"
                  "  - name: billing\n"
                  "    id: " ID2 "\n"
                  "    region: us-east1\n"
                  "    tags: [prod]\n"
                  "  - name: search\n"
                  "    id: 8d116ece-1738-47d9-bd9c-172411e20b8f\n"
                  "    region: us-central1\n"
                  "    tags: [staging]\n",
             0, 0);
    static const struct {
        const char *limits[3];
        const char *want[5];
    } rows[] = {
        {{"orders*"}, {"orders/us-east1", "orders/eu-west1"}},
        {{"*/us-east1"}, {"orders/us-east1", "billing/us-east1"}},
        {{"billing"}, {"billing/us-east1"}},
        {{"orders/eu-west1"}, {"orders/eu-west1"}},
        {{"tag:staging"}, {"search/us-central1"}},
        {{"tag:prod"}, {"orders/us-east1", "orders/eu-west1", "billing/us-east1"}},
        /* several patterns: the union, in inventory order, each target once */
        {{"search", "tag:payments"}, {"orders/us-east1", "orders/eu-west1", "search/us-central1"}},
        {{"orders", "orders/us-east1", "*"},
         {"orders/us-east1", "orders/eu-west1", "billing/us-east1", "search/us-central1"}},
        {{"s?arch", "b[ai]lling"}, {"billing/us-east1", "search/us-central1"}},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct loaded l = {0};
        load_ok("inv.yaml", rows[i].limits, &l);
        assert_targets(&l.targets, rows[i].want);
        unload(&l);
    }
}

/* exec --target: exact target or database names, and with --limit the union of both. */
static void test_target_selection(void **state)
{
    (void)state;
    put_file("inv.yaml",
             HEAD "  - name: orders\n"
                  "    id: " ID1 "\n"
                  "    regions: [us-east1, eu-west1]\n"
                  "  - name: billing\n"
                  "    id: " ID2 "\n"
                  "    region: us-east1\n",
             0, 0);
    static const struct {
        const char *names[3];
        const char *limits[2];
        const char *want[4];
        const char *expect; /* what config_load_selection prints */
    } rows[] = {
        {{"orders/eu-west1"}, {0}, {"orders/eu-west1"}, ""},
        {{"orders"}, {0}, {"orders/us-east1", "orders/eu-west1"}, ""},
        /* either selects: the union in inventory order, each target once */
        {{"billing/us-east1", "orders/us-east1"},
         {"billing"},
         {"orders/us-east1", "billing/us-east1"},
         ""},
        {{"billing"}, {"*/eu-west1"}, {"orders/eu-west1", "billing/us-east1"}, ""},
        /* a name is not a glob */
        {{"orders*"},
         {0},
         {0},
         "inv.yaml: error: --target \"orders*\" names no target (did you mean \"orders\"?); give "
         "a target name (orders/us-east1) or a database name (orders) of the inventory, or "
         "--limit for a pattern\n"},
        {{"orders/us-east1", "search"},
         {0},
         {0},
         "inv.yaml: error: --target \"search\" names no target; give a target name "
         "(orders/us-east1) or a database name (orders) of the inventory, or --limit for a "
         "pattern\n"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        size_t n_names = 0, n_limits = 0;
        while (n_names < 3 && rows[i].names[n_names])
            n_names++;
        while (n_limits < 2 && rows[i].limits[n_limits])
            n_limits++;
        struct shard all = {0, 0};
        struct selection sel = {.patterns = rows[i].limits,
                                .n_patterns = n_limits,
                                .names = rows[i].names,
                                .n_names = n_names,
                                .shard = &all};
        struct loaded l = {0};
        size_t size = 0;
        FILE *f = open_memstream(&l.out, &size);
        assert_non_null(f);
        l.rc = config_load_selection("inv.yaml", &sel, f, 0, &l.inv, &l.targets);
        assert_int_equal(fclose(f), 0);
        assert_string_equal(l.out, rows[i].expect);
        if (*rows[i].expect) {
            assert_int_equal(l.rc, TF_ERR_INVENTORY);
            assert_null(l.inv);
        } else {
            assert_int_equal(l.rc, TF_OK);
            assert_targets(&l.targets, rows[i].want);
        }
        unload(&l);
    }
}

/* Only the chosen targets' passwords are needed: an unset variable elsewhere is no error. */
static void test_limit_resolves_only_chosen_passwords(void **state)
{
    (void)state;
    assert_int_equal(unsetenv("TF_UT_UNSET"), 0);
    put_file("inv.yaml",
             HEAD ORDERS "  - name: billing\n"
                         "    id: " ID2 "\n"
                         "    region: us-east1\n"
                         "    password: {env: TF_UT_UNSET}\n",
             0, 0);
    struct loaded l = {0};
    load_ok("inv.yaml", (const char *[]){"orders", NULL}, &l);
    assert_targets(&l.targets, (const char *[]){"orders/us-east1", 0});
    assert_string_equal(l.inv->databases[0].run.password->value, PW);
    assert_null(l.inv->databases[1].run.password->value);
    unload(&l);
}

int main(void)
{
    if (setenv("TF_UT_PW", PW, 1) != 0)
        return 1;
    enum { N = sizeof cases / sizeof cases[0] };
    static const struct CMUnitTest more[] = {
        cmocka_unit_test_setup_teardown(test_defaults_inherited_and_overridden, setup, teardown),
        cmocka_unit_test_setup_teardown(test_password_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uppercase_id_lowercased, setup, teardown),
        cmocka_unit_test_setup_teardown(test_targets_expanded_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_prefix_upper_snake, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limit_selection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_target_selection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limit_resolves_only_chosen_passwords, setup, teardown),
    };
    enum { M = sizeof more / sizeof more[0] };
    static struct CMUnitTest tests[N + M];
    for (size_t i = 0; i < N; i++)
        tests[i] = (struct CMUnitTest){.name = cases[i].title,
                                       .test_func = test_case,
                                       .setup_func = setup,
                                       .teardown_func = teardown,
                                       .initial_state = (void *)&cases[i]};
    memcpy(tests + N, more, sizeof more);
    return _cmocka_run_group_tests("inventory", tests, N + M, NULL, NULL);
}
