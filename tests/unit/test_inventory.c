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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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
    mode_t mode;     /* 0 means 0600 */
    int other_group; /* give it a group that is not ours (nogroup, 65534): needs root */
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
    /* ansible's forms: every pattern is matched against the whole inventory, an & or ! one
     * too (a misspelt exclusion is an error, not a run of what it meant to leave out) */
    {.title = "--limit: an exclusion that matches nothing",
     .yaml = HEAD ORDERS,
     .limits = {"!ordrs"},
     .expect =
         "inv.yaml: error: --limit \"!ordrs\": \"ordrs\" matches no target; " LIMIT_HINT "\n"},
    {.title = "--limit: an intersection in a list that matches nothing",
     .yaml = HEAD ORDERS "    tags: [prod]\n",
     .limits = {"orders, &tag:production"},
     .expect = "inv.yaml: error: --limit \"orders, &tag:production\": \"tag:production\" matches "
               "no target; " LIMIT_HINT "\n"},
    {.title = "--limit: a plain pattern in a list that matches nothing",
     .yaml = HEAD ORDERS,
     .limits = {"orders,billing"},
     .expect =
         "inv.yaml: error: --limit \"orders,billing\": \"billing\" matches no target; " LIMIT_HINT
         "\n"},
    {.title = "--limit: & and ! leave nothing",
     .yaml = HEAD ORDERS,
     .limits = {"orders", "!orders/us-east1"},
     .expect = "inv.yaml: error: --limit \"orders\" --limit \"!orders/us-east1\" leave no target: "
               "the & and ! patterns take out every target the others select; check them\n"},
    {.title = "--limit: only commas",
     .yaml = HEAD ORDERS,
     .limits = {" , ,"},
     .expect = "inv.yaml: error: --limit \" , ,\" holds no pattern; give a comma-separated list "
               "of them (orders,billing)\n"},
    {.title = "--limit: an ! with nothing after it",
     .yaml = HEAD ORDERS,
     .limits = {"orders,!"},
     .expect = "inv.yaml: error: --limit \"orders,!\": \"!\" with no pattern after it; write "
               "!PATTERN (e.g. !tag:staging)\n"},

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
    {.title = "password file 0640 of our own group (a Secret with fsGroup): no warning",
     .yaml = HEAD ORDERS "    password: {file: pw.txt}\n",
     .files = {{.name = "pw.txt", .content = "hunter2-file\n", .mode = 0640}},
     .expect = ""},
    {.title = "password file 0640 of another group: warning",
     .yaml = HEAD ORDERS "    password: {file: pw.txt}\n",
     .files = {{.name = "pw.txt", .content = "hunter2-file\n", .mode = 0640, .other_group = 1}},
     .expect = "inv.yaml:10:22: warning: password file pw.txt can be read by group or others "
               "(mode 0640); chmod 600 it\n"},
    {.title = "password file 0660 of our own group (writable by it): warning",
     .yaml = HEAD ORDERS "    password: {file: pw.txt}\n",
     .files = {{.name = "pw.txt", .content = "hunter2-file\n", .mode = 0660}},
     .expect = "inv.yaml:10:22: warning: password file pw.txt can be read by group or others "
               "(mode 0660); chmod 600 it\n"},
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
    for (size_t i = 0; i < sizeof c->files / sizeof c->files[0] && c->files[i].name; i++) {
        put_file(c->files[i].name, c->files[i].content, 0, c->files[i].mode);
        if (c->files[i].other_group) {
            if (geteuid() != 0 || getegid() == 65534)
                skip(); /* only root can give a file away */
            assert_int_equal(chown(c->files[i].name, (uid_t)-1, 65534), 0);
        }
    }

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
    assert_ptr_equal(orders->run.password, database_own_password(&l.inv->defaults));
    assert_int_equal(orders->run.password->kind, SECRET_ENV);
    assert_string_equal(orders->run.password->value, PW);

    const struct database *billing = &l.inv->databases[1];
    assert_string_equal(billing->run.keyspace.value, "billing");
    assert_int_equal(billing->run.keyspace.at.line, 13);
    assert_string_equal(billing->run.username.value, "billing_svc");
    assert_fields(billing->regions, billing->n_regions, (const char *[]){"asia-south1", 0});
    assert_fields(billing->tags, billing->n_tags, (const char *[]){"staging", "payments", 0});
    assert_ptr_equal(billing->run.password, database_own_password(billing));
    assert_int_equal(billing->run.password->kind, SECRET_FILE);
    assert_string_equal(billing->run.password->value, "hunter2-billing");

    assert_targets(&l.targets, (const char *[]){"orders/us-east1", "orders/eu-west1",
                                                "billing/asia-south1", 0});
    unload(&l);
}

/* {file:} paths are relative to the inventory's folder, not the current one; one trailing
 * newline is stripped; absolute paths are taken as they are, and ~/ is $HOME. (A CR, or more than
 * one newline at the end, is an error: tests/inventories/bad/79 and 80.) */
static void test_password_files(void **state)
{
    const struct fixture *fx = *state;
    char abs_path[128], yaml[2048], home[128];
    snprintf(abs_path, sizeof abs_path, "%s/elsewhere/abs.pw", fx->dir);
    snprintf(home, sizeof home, "%s/home", fx->dir);
    snprintf(
        yaml, sizeof yaml,
        "version: 1\n"
        "defaults: {keyspace: ks, username: svc, region: us-east1}\n"
        "databases:\n"
        "  - {name: lf, id: %s, password: {file: lf.pw}}\n"
        "  - {name: home, id: %s, password: {file: ~/home.pw}}\n"
        "  - {name: bare, id: 0fd630f1-f29d-4da9-953f-48f1a09f76b5, password: {file: bare.pw}}\n"
        "  - {name: bom, id: 0cb1e29c-658c-4a14-95e6-0af593bd04cf, password: {file: bom.pw}}\n"
        "  - {name: abs, id: 8e81973e-0bec-47b0-b898-d190f9ebdacc, password: {file: %s}}\n"
        "  - {name: max, id: 6b4cb242-4a23-4596-a217-beaddbc496cb, password: {file: max.pw}}\n",
        ID1, ID2, abs_path);
    put_file("conf/inv.yaml", yaml, 0, 0);
    put_file("lf.pw", "hunter2-WRONG-FOLDER\n", 0, 0); /* must not be read */
    put_file("conf/lf.pw", "hunter2-lf\n", 0, 0);
    put_file("home/home.pw", "hunter2-home\n", 0, 0);
    put_file("conf/bare.pw", "hunter2-bare", 0, 0);
    put_file("conf/bom.pw", "\xef\xbb\xbfhunter2-bom\n", 0, 0);
    put_file("elsewhere/abs.pw", "hunter2-abs\n", 0, 0);
    put_file("conf/max.pw", "hunter2-", 4096, 0); /* exactly the limit is still a password */

    char *saved_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    assert_int_equal(setenv("HOME", home, 1), 0);
    struct loaded l = {0};
    load("conf/inv.yaml", NULL, 0, &l);
    if (saved_home)
        setenv("HOME", saved_home, 1);
    else
        unsetenv("HOME");
    free(saved_home);
    if (l.rc != TF_OK || *l.out)
        fail_msg("expected a clean load, got %s and:\n%s", tf_strerror(l.rc), l.out);
    assert_string_equal(l.inv->dir, "conf/");
    const char *want[] = {"hunter2-lf", "hunter2-home", "hunter2-bare", "hunter2-bom",
                          "hunter2-abs"};
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(l.inv->databases[i].run.password->value, want[i]);
    assert_int_equal(strlen(l.inv->databases[5].run.password->value), 4096);
    unload(&l);
}

/* Merge keys (YAML 1.1's <<) in databases and defaults: keys given win, then earlier listed
 * mappings over later ones, a merged mapping's own keys over what it merges itself; region and
 * regions are one setting; a mapping that merges itself (or one merged twice) brings its keys
 * once. Values keep the place where they are written. */
static void test_merge_keys(void **state)
{
    (void)state;
    put_file("inv.yaml",
             "version: 1\n"
             "x-a: &a {keyspace: ks_a, username: user_a, tags: [a]}\n"
             "x-b: &b {keyspace: ks_b, username: user_b, regions: [eu-west1, us-east1],\n"
             "         auth_url: 'https://b-{region}:8081/v1/auth'}\n"
             "x-c: &c\n"
             "  <<: *b\n"
             "  username: user_c\n"
             "x-loop: &loop {keyspace: ks_loop, region: us-central1, <<: [*loop, *a, *a]}\n"
             "defaults:\n"
             "  <<: *a\n"
             "  password: {env: TF_UT_PW}\n"
             "databases:\n"
             "  - <<: [*a, *b]\n"
             "    name: one\n"
             "    id: " ID1 "\n"
             "  - <<: [*b, *a]\n"
             "    name: two\n"
             "    id: " ID2 "\n"
             "    username: own\n"
             "    region: asia-south1\n"
             "  - <<: *c\n"
             "    name: three\n"
             "    id: 0fd630f1-f29d-4da9-953f-48f1a09f76b5\n"
             "  - <<: *loop\n"
             "    name: four\n"
             "    id: 0cb1e29c-658c-4a14-95e6-0af593bd04cf\n",
             0, 0);
    struct loaded l = {0};
    load_ok("inv.yaml", NULL, &l);
    assert_int_equal(l.inv->n_databases, 4);
    const struct database *d = l.inv->databases;
    assert_string_equal(l.inv->defaults.run.keyspace.value, "ks_a");
    assert_string_equal(l.inv->defaults.run.username.value, "user_a");

    assert_string_equal(d[0].run.keyspace.value, "ks_a");
    assert_int_equal(d[0].run.keyspace.at.line, 2); /* where x-a writes it */
    assert_string_equal(d[0].run.username.value, "user_a");
    assert_string_equal(d[0].run.auth_url->value, "https://b-{region}:8081/v1/auth");
    assert_fields(d[0].regions, d[0].n_regions, (const char *[]){"eu-west1", "us-east1", 0});
    assert_fields(d[0].tags, d[0].n_tags, (const char *[]){"a", 0});

    assert_string_equal(d[1].run.keyspace.value, "ks_b");
    assert_string_equal(d[1].run.username.value, "own");
    assert_fields(d[1].regions, d[1].n_regions, (const char *[]){"asia-south1", 0});
    assert_fields(d[1].tags, d[1].n_tags, (const char *[]){"a", 0});

    assert_string_equal(d[2].run.keyspace.value, "ks_b");
    assert_string_equal(d[2].run.username.value, "user_c");
    assert_fields(d[2].regions, d[2].n_regions, (const char *[]){"eu-west1", "us-east1", 0});

    assert_string_equal(d[3].run.keyspace.value, "ks_loop");
    assert_string_equal(d[3].run.username.value, "user_a");
    assert_fields(d[3].regions, d[3].n_regions, (const char *[]){"us-central1", 0});
    assert_fields(d[3].tags, d[3].n_tags, (const char *[]){"a", 0});
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(d[i].run.password->value, PW);
    assert_targets(&l.targets,
                   (const char *[]){"one/eu-west1", "one/us-east1", "two/asia-south1",
                                    "three/eu-west1", "three/us-east1", "four/us-central1", 0});
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
                  "    auth_url: https://stargate-{region}.internal:8081/v1/auth?cluster={id}\n",
             0, 0);
    struct loaded l = {0};
    load_ok("inv.yaml", NULL, &l);
    assert_targets(&l.targets, (const char *[]){"orders/us-east1", "orders/eu-west1",
                                                "orders/asia-south1", "billing/us-central1", 0});
    const char *urls[] = {
        "https://" ID1 "-us-east1.apps.astra.datastax.com/api/rest/v1/auth",
        "https://" ID1 "-eu-west1.apps.astra.datastax.com/api/rest/v1/auth",
        "https://" ID1 "-asia-south1.apps.astra.datastax.com/api/rest/v1/auth",
        "https://stargate-us-central1.internal:8081/v1/auth?cluster=" ID2,
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

/* Application-token databases beside a password one: which kind each is (a database's own
 * username or password makes it a password database, else the defaults' token decides), what
 * the plan holds (app_token or password, never both; no username for a token), api and its
 * default keyspace, and the URL each token is proven at, which is also the target's url. */
static void test_app_token_databases(void **state)
{
    (void)state;
#define TOKEN "AstraCS:unitTestClient:" HEX64
#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID3   "8d116ece-1738-47d9-bd9c-172411e20b8f"
#define ID4   "36f675cc-81e7-4ef5-a8e2-5d940ed90475"
    put_file("inv.yaml",
             "version: 1\n"
             "defaults:\n"
             "  token: {env: TF_UT_TOKEN}\n"
             "databases:\n"
             "  - name: orders\n" /* the defaults' token, api rest, Astra's endpoint */
             "    id: " ID1 "\n"
             "    regions: [us-east1, eu-west1]\n"
             "    keyspace: orders\n"
             "  - name: vectors\n" /* api data: default keyspace; an endpoint of its own */
             "    id: " ID2 "\n"
             "    region: us-east1\n"
             "    api: data\n"
             "    api_endpoint: https://gw.example.com/{region}/{id}//\n"
             "  - name: billing\n" /* its own username and password */
             "    id: " ID3 "\n"
             "    region: us-east1\n"
             "    keyspace: billing\n"
             "    username: billing_svc\n"
             "    password: {env: TF_UT_PW}\n"
             "  - name: classic\n" /* its own token (a file), proven through rest_url */
             "    id: " ID4 "\n"
             "    region: eu-west1\n"
             "    keyspace: app\n"
             "    rest_url: https://rest.example.com/{id}/\n"
             "    token: {file: own.token}\n",
             0, 0);
    put_file("own.token", "AstraCS:ownClient:" HEX64 "\n", 0, 0);
    assert_int_equal(setenv("TF_UT_TOKEN", TOKEN, 1), 0);
    struct loaded l = {0};
    load_ok("inv.yaml", NULL, &l);
    unsetenv("TF_UT_TOKEN");
    const struct database *d = l.inv->databases;

    const struct target_db *orders = &d[0].run;
    assert_ptr_equal(orders->app_token, database_own_token(&l.inv->defaults));
    assert_string_equal(orders->app_token->value, TOKEN);
    assert_null(orders->password);
    assert_null(orders->username.value);
    assert_int_equal(orders->api, TARGET_API_REST);
    assert_null(orders->api_endpoint); /* TARGET_DEFAULT_API_ENDPOINT */

    const struct target_db *vectors = &d[1].run;
    assert_ptr_equal(vectors->app_token, database_own_token(&l.inv->defaults));
    assert_int_equal(vectors->api, TARGET_API_DATA);
    assert_string_equal(vectors->keyspace.value, TARGET_DEFAULT_DATA_KEYSPACE);
    assert_string_equal(vectors->api_endpoint->value, "https://gw.example.com/{region}/{id}//");

    const struct target_db *billing = &d[2].run;
    assert_null(billing->app_token);
    assert_ptr_equal(billing->password, database_own_password(&d[2]));
    assert_string_equal(billing->password->value, PW);
    assert_string_equal(billing->username.value, "billing_svc");

    const struct target_db *classic = &d[3].run;
    assert_ptr_equal(classic->app_token, database_own_token(&d[3]));
    assert_string_equal(classic->app_token->value, "AstraCS:ownClient:" HEX64);
    assert_null(classic->password);

    /* Each token's target is proven where its url points; a password's target keeps its auth
     * URL, and its keyspace URL waits for check --verify. */
    const char *urls[] = {
        "https://" ID1 "-us-east1.apps.astra.datastax.com/api/rest/v2/schemas/keyspaces/orders",
        "https://" ID1 "-eu-west1.apps.astra.datastax.com/api/rest/v2/schemas/keyspaces/orders",
        "https://gw.example.com/us-east1/" ID2 "/api/json/v1/default_keyspace",
        "https://" ID3 "-us-east1.apps.astra.datastax.com/api/rest/v1/auth",
        "https://rest.example.com/" ID4 "/v2/schemas/keyspaces/app",
    };
    assert_targets(&l.targets,
                   (const char *[]){"orders/us-east1", "orders/eu-west1", "vectors/us-east1",
                                    "billing/us-east1", "classic/eu-west1", 0});
    for (size_t i = 0; i < 5; i++) {
        const struct target *t = &l.targets.items[i];
        assert_string_equal(t->url, urls[i]);
        if (i == 3)
            assert_null(t->keyspace_url);
        else
            assert_ptr_equal(t->keyspace_url, t->url);
    }
    assert_int_equal(targets_fill_keyspace_urls(&l.targets), TF_OK);
    assert_string_equal(l.targets.items[3].keyspace_url,
                        "https://" ID3
                        "-us-east1.apps.astra.datastax.com/api/rest/v2/schemas/keyspaces/billing");
    for (size_t i = 0; i < 5; i++)
        if (i != 3)
            assert_ptr_equal(l.targets.items[i].keyspace_url, l.targets.items[i].url);
    unload(&l);
#undef TOKEN
#undef HEX64
#undef ID3
#undef ID4
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
        /* ansible's forms: comma lists (blanks and empty items ignored), &, ! */
        {{"orders,billing"}, {"orders/us-east1", "orders/eu-west1", "billing/us-east1"}},
        {{" search , orders ,"}, {"orders/us-east1", "orders/eu-west1", "search/us-central1"}},
        {{"tag:prod,&*/us-east1"}, {"orders/us-east1", "billing/us-east1"}},
        {{"&*/us-east1,tag:prod"}, {"orders/us-east1", "billing/us-east1"}}, /* any order */
        {{"tag:prod,!orders/eu-west1"}, {"orders/us-east1", "billing/us-east1"}},
        {{"!orders/eu-west1,tag:prod"}, {"orders/us-east1", "billing/us-east1"}},
        /* only & and !: from every target */
        {{"!tag:prod"}, {"search/us-central1"}},
        {{"!orders", "!search"}, {"billing/us-east1"}},
        {{"&tag:prod"}, {"orders/us-east1", "orders/eu-west1", "billing/us-east1"}},
        {{"&tag:prod", "!billing"}, {"orders/us-east1", "orders/eu-west1"}},
        /* ! and & apply after the whole union, across --limit values */
        {{"*,!orders,&*/us-east1"}, {"billing/us-east1"}},
        {{"orders", "&tag:payments,!*/eu-west1"}, {"orders/us-east1"}},
        {{"billing,!orders"}, {"billing/us-east1"}}, /* excluding what is not in: no error */
        {{"tag:staging,&tag:staging,!tag:prod"}, {"search/us-central1"}},
        /* a glob's own ! (in brackets) is not an exclusion */
        {{"[!o]*"}, {"billing/us-east1", "search/us-central1"}},
    };
    static const char *const all[] = {"orders/us-east1", "orders/eu-west1", "billing/us-east1",
                                      "search/us-central1"};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct loaded l = {0};
        load_ok("inv.yaml", rows[i].limits, &l);
        assert_targets(&l.targets, rows[i].want);
        /* The partition core relies on: the rest of the inventory is kept past count. */
        assert_int_equal(l.targets.total, 4);
        for (size_t a = 0; a < 4; a++) {
            size_t seen = 0;
            for (size_t k = 0; k < l.targets.total; k++)
                seen += !strcmp(l.targets.items[k].name, all[a]);
            assert_int_equal(seen, 1);
        }
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
        /* names are plain patterns: & and ! narrow them */
        {{"orders"}, {"!orders/eu-west1"}, {"orders/us-east1"}, ""},
        {{"orders", "billing"}, {"&*/us-east1"}, {"orders/us-east1", "billing/us-east1"}, ""},
        {{"billing"},
         {"!billing"},
         {0},
         "inv.yaml: error: --target and --limit \"!billing\" leave no target: the & and ! "
         "patterns take out every target the others select; check them\n"},
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

/* Lines in a file (a command's log of its runs). */
static size_t count_lines(const char *name)
{
    FILE *f = fopen(name, "r");
    if (!f)
        return 0;
    size_t n = 0;
    for (int c; (c = getc(f)) != EOF;)
        n += c == '\n';
    fclose(f);
    return n;
}

/* {command: [...]}: what it prints is the password; it runs without a shell, with our
 * environment, /dev/null as its standard input, signals at their defaults and none blocked;
 * once per distinct argv however many references give it; only for the targets chosen; and a
 * command that leaves something running in the background is not waited for. */
static void test_password_commands(void **state)
{
    (void)state;
    put_file("inv.yaml",
             "version: 1\n"
             "defaults:\n"
             "  keyspace: ks\n"
             "  username: svc\n"
             "  region: us-east1\n"
             "  password: {command: [sh, -c, 'echo run >> runs.log; printenv TF_UT_PW']}\n"
             "databases:\n"
             "  - name: env\n"
             "    id: " ID1 "\n"
             "  - name: same\n"
             "    id: " ID2 "\n"
             "    password: {command: [sh, -c, 'echo run >> runs.log; printenv TF_UT_PW']}\n"
             "  - name: other\n"
             "    id: 0fd630f1-f29d-4da9-953f-48f1a09f76b5\n"
             "    password: {command: [sh, -c, 'echo run >> runs.log; printenv TF_UT_PW', x]}\n"
             "  - name: stdin\n"
             "    id: 0cb1e29c-658c-4a14-95e6-0af593bd04cf\n"
             "    password:\n"
             "      command: [sh, -c, 'if read x; then echo hunter2-had-input; else echo "
             "hunter2-no-input; fi']\n"
             "  - name: signals\n"
             "    id: 8e81973e-0bec-47b0-b898-d190f9ebdacc\n"
             "    password: {command: [sh, -c, 'grep -E \"^Sig(Blk|Ign):\" /proc/$$/status | "
             "tr -d \"\\\\t\" | tr \"\\\\n\" \" \"; echo hunter2']}\n"
             "  - name: background\n"
             "    id: 6b4cb242-4a23-4596-a217-beaddbc496cb\n"
             "    password: {command: [sh, -c, 'sleep 5 & echo hunter2-bg'], timeout: 8}\n"
             "  - name: unchosen\n"
             "    id: 2b4cb242-4a23-4596-a217-beaddbc496cb\n"
             "    password: {command: [sh, -c, 'echo unchosen > unchosen.log; echo hunter2']}\n",
             0, 0);
    /* What the command must not inherit: an ignored SIGPIPE, a blocked SIGTERM. */
    struct sigaction ign = {.sa_handler = SIG_IGN}, old_pipe;
    sigaction(SIGPIPE, &ign, &old_pipe);
    sigset_t term, old_mask;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, &old_mask);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct loaded l = {0};
    load_ok("inv.yaml",
            (const char *[]){"env", "same", "other", "stdin", "signals", "background", NULL}, &l);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    sigaction(SIGPIPE, &old_pipe, NULL);

    const struct database *d = l.inv->databases;
    assert_string_equal(d[0].run.password->value, PW);
    assert_string_equal(d[1].run.password->value, PW);
    assert_string_equal(d[2].run.password->value, PW);
    assert_int_equal(count_lines("runs.log"), 2); /* defaults' and same's words ran once */
    assert_string_equal(d[3].run.password->value, "hunter2-no-input");
    unsigned long long blocked = ~0ULL, ignored = ~0ULL;
    assert_int_equal(
        sscanf(d[4].run.password->value, "SigBlk:%llx SigIgn:%llx hunter2", &blocked, &ignored), 2);
    assert_int_equal(blocked, 0);
    /* (glibc's posix_spawn leaves its own two signals, 32 and 33, ignored.) */
    assert_int_equal(ignored & ((1ULL << (SIGPIPE - 1)) | (1ULL << (SIGTERM - 1))), 0);
    assert_string_equal(d[5].run.password->value, "hunter2-bg");
    assert_true(t1.tv_sec - t0.tv_sec < 4); /* not the 5 s of what it left in the background */
    assert_null(d[6].run.password->value);
    assert_int_equal(access("unchosen.log", F_OK), -1);
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
        cmocka_unit_test_setup_teardown(test_merge_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uppercase_id_lowercased, setup, teardown),
        cmocka_unit_test_setup_teardown(test_targets_expanded_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_prefix_upper_snake, setup, teardown),
        cmocka_unit_test_setup_teardown(test_app_token_databases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limit_selection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_target_selection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limit_resolves_only_chosen_passwords, setup, teardown),
        cmocka_unit_test_setup_teardown(test_password_commands, setup, teardown),
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
