/* test_envfile.c: env-file lines (core/envfile.h) against the readers of README.md's "Env files". A
 * table of values for envfile_write_var in the portable and the sh format: safe values bare and
 * byte for byte, every unsafe character class refused in portable (nothing written), single-quoted
 * in sh with ' as '\'' and newline/CR refused there too; prefixes. Then a round trip: values
 * written in the sh format are sourced by /bin/sh (and bash when present) and must come back byte
 * for byte. Last, envfile_write_target and envfile_check_target on a hand-built target, under the
 * seed and astra names and renames (core/env_names.h), and files read back under those names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "core/base/text.h"
#include "core/envfile.h"

#define ID1 "6513270e-269e-4d37-b2a7-4de452e6b438"

struct var_case {
    const char *value;
    enum env_format fmt;
    const char *prefix; /* NULL allowed */
    const char *expect; /* the whole output; NULL: refused with TF_ERR_UNSAFE, nothing written */
};

#define P ENV_FORMAT_PORTABLE
#define S ENV_FORMAT_SH

static const struct var_case var_cases[] = {
    /* the safe set, bare in both formats */
    {ID1, P, NULL, "K=" ID1 "\n"},
    {"AstraCS:AbC+/=,.@%_-09", P, NULL, "K=AstraCS:AbC+/=,.@%_-09\n"},
    {"https://db.example.com:8443/api/rest/v1/auth", P, NULL,
     "K=https://db.example.com:8443/api/rest/v1/auth\n"},
    {"us-east1", P, "", "K=us-east1\n"},
    {"", P, NULL, "K=\n"},
    {ID1, S, NULL, "K=" ID1 "\n"},
    {"AstraCS:AbC+/=,.@%_-09", S, NULL, "K=AstraCS:AbC+/=,.@%_-09\n"},
    {"", S, NULL, "K=\n"},
    /* prefixes */
    {"x", P, "ORDERS_US_EAST1_", "ORDERS_US_EAST1_K=x\n"},
    {"a b", S, "ORDERS_US_EAST1_", "ORDERS_US_EAST1_K='a b'\n"},

    /* every class that breaks a reader (ENV-FILES.md): refused in portable */
    {"a b", P, NULL, NULL},
    {"$HOME", P, NULL, NULL},
    {"${HOME}", P, NULL, NULL},
    {"`id`", P, NULL, NULL},
    {"\"q\"", P, NULL, NULL},
    {"it's", P, NULL, NULL},
    {"a\\b", P, NULL, NULL},
    {"#c", P, NULL, NULL},
    {"a#b", P, NULL, NULL},
    {"~", P, NULL, NULL},
    {"~/x", P, NULL, NULL},
    {"tok ", P, NULL, NULL},
    {"a\nb", P, NULL, NULL},
    {"a\rb", P, NULL, NULL},
    {"tok\n", P, NULL, NULL},
    {"a\tb", P, NULL, NULL},
    {"caf\xc3\xa9", P, NULL, NULL},
    {"a;b", P, NULL, NULL},
    {"a|b", P, NULL, NULL},
    {"*", P, NULL, NULL},
    {"!x", P, NULL, NULL},
    {"(x)", P, NULL, NULL},

    /* sh: single quotes, ' as '\'' */
    {"a b", S, NULL, "K='a b'\n"},
    {"$HOME", S, NULL, "K='$HOME'\n"},
    {"${HOME}", S, NULL, "K='${HOME}'\n"},
    {"$(id)", S, NULL, "K='$(id)'\n"},
    {"`id`", S, NULL, "K='`id`'\n"},
    {"\"q\"", S, NULL, "K='\"q\"'\n"},
    {"it's", S, NULL, "K='it'\\''s'\n"},
    {"'", S, NULL, "K=''\\'''\n"},
    {"a\\b", S, NULL, "K='a\\b'\n"},
    {"#c", S, NULL, "K='#c'\n"},
    {"~", S, NULL, "K='~'\n"},
    {"tok ", S, NULL, "K='tok '\n"},
    {"a\tb", S, NULL, "K='a\tb'\n"},
    {"caf\xc3\xa9", S, NULL, "K='caf\xc3\xa9'\n"},
    /* a newline or CR splits the line for every other reader: refused in sh too */
    {"a\nb", S, NULL, NULL},
    {"a\rb", S, NULL, NULL},
    {"tok\n", S, NULL, NULL},
    {"\r", S, NULL, NULL},
};

/* Copies s into buf with control characters as \\xNN, for messages. */
static void show(char *buf, size_t cap, const char *s)
{
    size_t n = 0;
    for (; *s && n + 5 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20)
            n += (size_t)snprintf(buf + n, cap - n, "\\x%02x", c);
        else
            buf[n++] = (char)c;
    }
    buf[n] = '\0';
}

static void test_write_var(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof var_cases / sizeof var_cases[0]; i++) {
        const struct var_case *c = &var_cases[i];
        char *out = NULL, shown[128];
        size_t size = 0;
        FILE *f = open_memstream(&out, &size);
        assert_non_null(f);
        enum tf_err rc = envfile_write_var(f, c->prefix, "K", c->value, c->fmt);
        assert_int_equal(fclose(f), 0);
        show(shown, sizeof shown, c->value);
        if (c->expect) {
            if (rc != TF_OK || strcmp(out, c->expect))
                fail_msg("%s \"%s\": got %s, \"%s\"; expected \"%s\"",
                         c->fmt == P ? "portable" : "sh", shown, tf_strerror(rc), out, c->expect);
        } else if (rc != TF_ERR_UNSAFE || size != 0) {
            fail_msg("%s \"%s\": expected TF_ERR_UNSAFE and nothing written, got %s and \"%s\"",
                     c->fmt == P ? "portable" : "sh", shown, tf_strerror(rc), out);
        }
        free(out);
    }
}

/* Reads all of a command's output. Returns a new string; *len gets its length. */
static char *command_output(const char *cmd, size_t *len)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char *out = NULL;
    size_t size = 0;
    FILE *m = open_memstream(&out, &size);
    assert_non_null(m);
    char buf[512];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
        assert_int_equal(fwrite(buf, 1, n, m), n);
    assert_int_equal(pclose(p), 0);
    assert_int_equal(fclose(m), 0);
    *len = size;
    return out;
}

/* Values that would run, expand or get cut if written bare; each must come back unchanged. */
static const char *const nasty[] = {
    "$(id)",     "`x`",       "a'b",         "\"q\"",
    "\\\\",      "#c",        "~",           "a  b",
    "trailing ", "  leading", "${HOME}",     "'",
    "''",        "a\tb",      "*",           "!x; echo pwned",
    "%s%n",      "-n",        "caf\xc3\xa9", "AstraCS:AbC+/=,.@%_-09",
    "a=b",       "",
};

static void source_back(const char *shell, const char *path)
{
    for (size_t i = 0; i < sizeof nasty / sizeof nasty[0]; i++) {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "%s -c '. %s; printf %%s \"$V%zu\"'", shell, path, i);
        size_t len;
        char *got = command_output(cmd, &len);
        if (len != strlen(nasty[i]) || memcmp(got, nasty[i], len))
            fail_msg("%s: V%zu = \"%s\" came back as \"%.*s\"", shell, i, nasty[i], (int)len, got);
        free(got);
    }
}

static void test_sh_round_trip(void **state)
{
    (void)state;
    char path[] = "/tmp/tf-unit-env-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    for (size_t i = 0; i < sizeof nasty / sizeof nasty[0]; i++) {
        char key[16];
        snprintf(key, sizeof key, "V%zu", i);
        assert_int_equal(envfile_write_var(f, NULL, key, nasty[i], ENV_FORMAT_SH), TF_OK);
    }
    assert_int_equal(fclose(f), 0);
    source_back("/bin/sh", path);
    if (access("/bin/bash", X_OK) == 0)
        source_back("/bin/bash", path);
    unlink(path);
}

/* A target built by hand: only the fields the env file reads. */
struct fake_target {
    struct target_db db;
    struct field region;
    struct target t;
};

static void fake_target(struct fake_target *ft, const char *username)
{
    memset(ft, 0, sizeof *ft);
    ft->db.name.value = "orders";
    ft->db.id.value = ID1;
    ft->db.keyspace.value = "orders";
    ft->db.username.value = (char *)username;
    ft->region.value = "us-east1";
    ft->t = (struct target){.name = "orders/us-east1", .db = &ft->db, .region = &ft->region};
}

static char *write_named(const struct target *t, const struct env_names *names, const char *token,
                         const char *prefix, enum env_format fmt, enum tf_err *rc,
                         enum env_var *bad)
{
    char *out = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&out, &size);
    assert_non_null(f);
    *rc = envfile_write_target(f, t, names, token, prefix, fmt, bad);
    assert_int_equal(fclose(f), 0);
    return out;
}

/* With the seed names, as every run before --env-names wrote. */
static char *write_target(const struct target *t, const char *token, const char *prefix,
                          enum env_format fmt, enum tf_err *rc, enum env_var *bad)
{
    return write_named(t, &env_names_seed, token, prefix, fmt, rc, bad);
}

static void test_write_target(void **state)
{
    (void)state;
    struct fake_target ft;
    fake_target(&ft, "orders_svc");
    static const char *const bare = "ASTRA_CLUSTER_ID=" ID1 "\n"
                                    "ASTRA_CLUSTER_REGION=us-east1\n"
                                    "ASTRA_DB_USERNAME=orders_svc\n"
                                    "ASTRA_DB_KEYSPACE=orders\n"
                                    "ASTRA_AUTHORIZATION_TOKEN=AstraCS:tok\n";
    const char *prefixes[] = {NULL, ""};
    for (size_t i = 0; i < 2; i++) {
        enum tf_err rc;
        enum env_var bad = ENV_VAR_COUNT;
        char *out = write_target(&ft.t, "AstraCS:tok", prefixes[i], ENV_FORMAT_PORTABLE, &rc, &bad);
        assert_int_equal(rc, TF_OK);
        assert_string_equal(out, bare);
        free(out);
    }
    enum tf_err rc;
    enum env_var bad = ENV_VAR_COUNT;
    char *out = write_target(&ft.t, "AstraCS:tok", "ORDERS_US_EAST1_", ENV_FORMAT_SH, &rc, &bad);
    assert_int_equal(rc, TF_OK);
    assert_string_equal(out, "ORDERS_US_EAST1_ASTRA_CLUSTER_ID=" ID1 "\n"
                             "ORDERS_US_EAST1_ASTRA_CLUSTER_REGION=us-east1\n"
                             "ORDERS_US_EAST1_ASTRA_DB_USERNAME=orders_svc\n"
                             "ORDERS_US_EAST1_ASTRA_DB_KEYSPACE=orders\n"
                             "ORDERS_US_EAST1_ASTRA_AUTHORIZATION_TOKEN=AstraCS:tok\n");
    free(out);

    /* An unsafe value names its variable; in sh it is quoted instead. */
    fake_target(&ft, "orders svc");
    free(write_target(&ft.t, "tok", NULL, ENV_FORMAT_PORTABLE, &rc, &bad));
    assert_int_equal(rc, TF_ERR_UNSAFE);
    assert_int_equal(bad, ENV_USERNAME);
    out = write_target(&ft.t, "tok", NULL, ENV_FORMAT_SH, &rc, &bad);
    assert_int_equal(rc, TF_OK);
    assert_non_null(strstr(out, "\nASTRA_DB_USERNAME='orders svc'\n"));
    free(out);

    /* The token is checked like any value. */
    fake_target(&ft, "orders_svc");
    free(write_target(&ft.t, "tok$(id)", NULL, ENV_FORMAT_PORTABLE, &rc, &bad));
    assert_int_equal(rc, TF_ERR_UNSAFE);
    assert_int_equal(bad, ENV_TOKEN);
}

static void test_check_target(void **state)
{
    (void)state;
    static const struct {
        const char *username;
        enum env_format fmt;
        enum tf_err rc;
    } rows[] = {
        {"orders_svc", ENV_FORMAT_PORTABLE, TF_OK},  {"orders_svc", ENV_FORMAT_SH, TF_OK},
        {"a b", ENV_FORMAT_PORTABLE, TF_ERR_UNSAFE}, {"a b", ENV_FORMAT_SH, TF_OK},
        {"a$b", ENV_FORMAT_PORTABLE, TF_ERR_UNSAFE}, {"a'b", ENV_FORMAT_SH, TF_OK},
        {"a\nb", ENV_FORMAT_SH, TF_ERR_UNSAFE},      {"a\rb", ENV_FORMAT_PORTABLE, TF_ERR_UNSAFE},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct fake_target ft;
        fake_target(&ft, rows[i].username);
        enum env_var bad = ENV_VAR_COUNT;
        assert_int_equal(envfile_check_target(&ft.t, &env_names_seed, rows[i].fmt, &bad),
                         rows[i].rc);
        if (rows[i].rc != TF_OK)
            assert_int_equal(bad, ENV_USERNAME);
    }
    /* The first bad variable is named, in file order. */
    struct fake_target ft;
    fake_target(&ft, "a b");
    ft.region.value = "us east1";
    enum env_var bad = ENV_VAR_COUNT;
    assert_int_equal(envfile_check_target(&ft.t, &env_names_seed, ENV_FORMAT_PORTABLE, &bad),
                     TF_ERR_UNSAFE);
    assert_int_equal(bad, ENV_REGION);
    assert_string_equal(env_names_seed.name[bad], "ASTRA_CLUSTER_REGION");
}

/* What a restarted agent reads back is what was written: the token and when it was issued;
 * a file for another database, a hand-edited token with shell syntax, or no file give no
 * token. */
static void test_file_round_trip(void **state)
{
    (void)state;
    char dir[] = "/tmp/tf-envfile-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct fake_target ft;
    fake_target(&ft, "orders_svc");
    char *token = NULL;
    int64_t issued = -1;
    assert_int_equal(envfile_read_token(dir, &ft.t, &env_names_seed, &token, &issued), TF_ERR_IO);
    assert_null(token);

    enum env_var bad = ENV_VAR_COUNT;
    const char *tok = "2d728368-2e6d-4542-9997-a5a7ae70d635";
    assert_int_equal(envfile_write_file(dir, &ft.t, &env_names_seed, tok, ENV_FORMAT_PORTABLE,
                                        "2026-11-29T10:00:01.234Z", &bad),
                     TF_OK);
    char *path = envfile_path(dir, &ft.t);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    FILE *f = fopen(path, "r");
    char header[256] = "";
    assert_non_null(fgets(header, sizeof header, f));
    fclose(f);
    assert_non_null(strstr(header, "# orders/us-east1: token issued at 2026-11-29T10:00:01.234Z"));

    assert_int_equal(envfile_read_token(dir, &ft.t, &env_names_seed, &token, &issued), TF_OK);
    assert_string_equal(token, tok);
    assert_int_equal(issued, 1795946401234LL);
    text_free_secret(token);

    struct fake_target other;
    fake_target(&other, "orders_svc");
    other.db.id.value = "d23f0824-128b-4f33-8c5c-7fd0a6a3a450";
    other.t.db = &other.db;
    other.t.region = &other.region;
    /* Another cluster's database of the same name wrote this file: not ours to prove. */
    assert_int_equal(envfile_write_file(dir, &other.t, &env_names_seed, tok, ENV_FORMAT_PORTABLE,
                                        "2026-11-29T10:00:01.234Z", &bad),
                     TF_OK);
    assert_int_equal(envfile_read_token(dir, &ft.t, &env_names_seed, &token, &issued),
                     TF_ERR_UNSAFE);
    assert_null(token);

    f = fopen(path, "w");
    fprintf(f,
            "ASTRA_CLUSTER_ID=%s\nASTRA_CLUSTER_REGION=us-east1\n"
            "ASTRA_AUTHORIZATION_TOKEN=$(reboot)\n",
            ID1);
    fclose(f);
    assert_int_equal(envfile_read_token(dir, &ft.t, &env_names_seed, &token, &issued),
                     TF_ERR_UNSAFE);
    assert_null(token);
    unlink(path);
    free(path);
    rmdir(dir);
}

static void test_format_names(void **state)
{
    (void)state;
    enum env_format fmt = ENV_FORMAT_SH;
    assert_int_equal(envfile_format_parse("portable", &fmt), 0);
    assert_int_equal(fmt, ENV_FORMAT_PORTABLE);
    assert_int_equal(envfile_format_parse("sh", &fmt), 0);
    assert_int_equal(fmt, ENV_FORMAT_SH);
    assert_int_equal(envfile_format_parse("bash", &fmt), -1);
    assert_int_equal(envfile_format_parse("", &fmt), -1);
    const char *names[] = {"ASTRA_CLUSTER_ID", "ASTRA_CLUSTER_REGION", "ASTRA_DB_USERNAME",
                           "ASTRA_DB_KEYSPACE", "ASTRA_AUTHORIZATION_TOKEN"};
    for (int v = 0; v < ENV_TOKEN + 1; v++)
        assert_string_equal(env_names_seed.name[v], names[v]);
    assert_null(env_names_seed.name[ENV_API_ENDPOINT]);
}

#define ENDPOINT "https://" ID1 "-us-east1.apps.astra.datastax.com"

/* astra: the five variables Astra's SDKs read, no username; the same target under seed names
 * writes no API endpoint. */
static void test_astra_names(void **state)
{
    (void)state;
    struct fake_target ft;
    fake_target(&ft, "orders_svc");
    enum tf_err rc;
    enum env_var bad = ENV_VAR_COUNT;
    char *out =
        write_named(&ft.t, &env_names_astra, "AstraCS:tok", NULL, ENV_FORMAT_PORTABLE, &rc, &bad);
    assert_int_equal(rc, TF_OK);
    assert_string_equal(out, "ASTRA_DB_ID=" ID1 "\n"
                             "ASTRA_DB_REGION=us-east1\n"
                             "ASTRA_DB_KEYSPACE=orders\n"
                             "ASTRA_DB_APPLICATION_TOKEN=AstraCS:tok\n"
                             "ASTRA_DB_API_ENDPOINT=" ENDPOINT "\n");
    free(out);
    out = write_named(&ft.t, &env_names_astra, "AstraCS:tok", "ORDERS_US_EAST1_",
                      ENV_FORMAT_PORTABLE, &rc, &bad);
    assert_non_null(strstr(out, "\nORDERS_US_EAST1_ASTRA_DB_API_ENDPOINT=" ENDPOINT "\n"));
    free(out);
    out = write_target(&ft.t, "AstraCS:tok", NULL, ENV_FORMAT_PORTABLE, &rc, &bad);
    assert_null(strstr(out, "ENDPOINT"));
    free(out);

    /* The database's own template, {id} and {region} filled in where the file is written. */
    const struct field own = {(char *)"https://gw.example.com/{region}/{id}/{region}", {3, 19}};
    ft.db.api_endpoint = &own;
    out = write_named(&ft.t, &env_names_astra, "AstraCS:tok", NULL, ENV_FORMAT_PORTABLE, &rc, &bad);
    assert_int_equal(rc, TF_OK);
    assert_non_null(
        strstr(out, "\nASTRA_DB_API_ENDPOINT=https://gw.example.com/us-east1/" ID1 "/us-east1\n"));
    free(out);

    /* An endpoint that the format cannot hold is named, under astra only. */
    const struct field odd = {(char *)"https://x/$(id)", {3, 19}};
    ft.db.api_endpoint = &odd;
    assert_int_equal(envfile_check_target(&ft.t, &env_names_astra, ENV_FORMAT_PORTABLE, &bad),
                     TF_ERR_UNSAFE);
    assert_int_equal(bad, ENV_API_ENDPOINT);
    assert_int_equal(envfile_check_target(&ft.t, &env_names_seed, ENV_FORMAT_PORTABLE, &bad),
                     TF_OK);
}

/* An inventory's renames: each variable under its own name, in the one order. */
static void test_renamed(void **state)
{
    (void)state;
    struct fake_target ft;
    fake_target(&ft, "orders_svc");
    struct env_names names = env_names_astra;
    names.name[ENV_TOKEN] = "MY_TOKEN";
    names.name[ENV_USERNAME] = "CQL_USER";
    enum tf_err rc;
    enum env_var bad = ENV_VAR_COUNT;
    char *out = write_named(&ft.t, &names, "AstraCS:tok", NULL, ENV_FORMAT_PORTABLE, &rc, &bad);
    assert_int_equal(rc, TF_OK);
    assert_string_equal(out, "ASTRA_DB_ID=" ID1 "\n"
                             "ASTRA_DB_REGION=us-east1\n"
                             "CQL_USER=orders_svc\n"
                             "ASTRA_DB_KEYSPACE=orders\n"
                             "MY_TOKEN=AstraCS:tok\n"
                             "ASTRA_DB_API_ENDPOINT=" ENDPOINT "\n");
    free(out);
}

/* An application token's database has no username: CQL drivers take the literal "token". */
static void test_app_token_username(void **state)
{
    (void)state;
    struct fake_target ft;
    fake_target(&ft, NULL);
    struct secret_ref app_token = {.kind = SECRET_ENV, .source = "ASTRA_DB_APPLICATION_TOKEN"};
    ft.db.app_token = &app_token;
    enum tf_err rc;
    enum env_var bad = ENV_VAR_COUNT;
    char *out = write_target(&ft.t, "AstraCS:tok", NULL, ENV_FORMAT_PORTABLE, &rc, &bad);
    assert_int_equal(rc, TF_OK);
    assert_non_null(strstr(out, "\nASTRA_DB_USERNAME=token\n"));
    free(out);
    out = write_named(&ft.t, &env_names_astra, "AstraCS:tok", NULL, ENV_FORMAT_PORTABLE, &rc, &bad);
    assert_int_equal(rc, TF_OK);
    assert_null(strstr(out, "USERNAME"));
    free(out);
    /* A Data API database without a keyspace is proven in default_keyspace: so says its file. */
    ft.db.keyspace.value = NULL;
    ft.db.api = TARGET_API_DATA;
    out = write_named(&ft.t, &env_names_astra, "AstraCS:tok", NULL, ENV_FORMAT_PORTABLE, &rc, &bad);
    assert_non_null(strstr(out, "\nASTRA_DB_KEYSPACE=default_keyspace\n"));
    free(out);
}

/* A file is read back under the names it was written with; under others it holds no token of
 * the target (watch then replaces it). */
static void test_file_round_trip_names(void **state)
{
    (void)state;
    char dir[] = "/tmp/tf-envfile-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct fake_target ft;
    fake_target(&ft, "orders_svc");
    enum env_var bad = ENV_VAR_COUNT;
    const char *tok = "AstraCS:abc:0123";
    assert_int_equal(envfile_write_file(dir, &ft.t, &env_names_astra, tok, ENV_FORMAT_PORTABLE,
                                        "2026-11-29T10:00:01.234Z", &bad),
                     TF_OK);
    char *token = NULL;
    int64_t issued = 0;
    assert_int_equal(envfile_read_token(dir, &ft.t, &env_names_astra, &token, &issued), TF_OK);
    assert_string_equal(token, tok);
    text_free_secret(token);
    assert_int_equal(envfile_read_token(dir, &ft.t, &env_names_seed, &token, &issued),
                     TF_ERR_UNSAFE);
    assert_null(token);
    char *path = envfile_path(dir, &ft.t);
    unlink(path);
    free(path);
    rmdir(dir);
}

/* The combined file keeps other targets' tokens through its reader, with renames too, even
 * when one name ends as another does (ID and DB_ID): ORDERS_US_EAST1_DB_ID is the token of
 * ORDERS_US_EAST1, not the id of a target ORDERS_US_EAST1_DB. */
static void test_combined_round_trip_names(void **state)
{
    (void)state;
    char dir[] = "/tmp/tf-envfile-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct fake_target a, b;
    fake_target(&a, "orders_svc");
    fake_target(&b, "svc");
    b.db.name.value = "billing";
    b.db.id.value = "d23f0824-128b-4f33-8c5c-7fd0a6a3a450";
    b.t.db = &b.db;
    b.t.region = &b.region;
    b.t.name = "billing/us-east1";
    a.t.env_prefix = "ORDERS_US_EAST1";
    b.t.env_prefix = "BILLING_US_EAST1";
    struct target items[2] = {a.t, b.t};
    struct target_list tl = {.items = items, .count = 2, .total = 2, .env_names = env_names_seed};
    tl.env_names.name[ENV_ID] = "ID";
    tl.env_names.name[ENV_TOKEN] = "DB_ID";
    const char *tokens[2] = {"tok-a", "tok-b"};
    int64_t issued[2] = {1795946401234LL, 1795946402000LL};
    char *path = text_printf("%s/all.env", dir);
    size_t bad_target = 9;
    enum env_var bad = ENV_VAR_COUNT;
    assert_int_equal(envfile_write_combined(path, &tl, tokens, issued, ENV_FORMAT_PORTABLE,
                                            "2026-11-29T10:00:03.000Z", &bad_target, &bad),
                     TF_OK);
    char *read[2] = {NULL, NULL};
    int64_t read_issued[2] = {0, 0};
    assert_int_equal(envfile_read_combined(path, &tl, read, read_issued), TF_OK);
    assert_non_null(read[0]);
    assert_non_null(read[1]);
    assert_string_equal(read[0], "tok-a");
    assert_string_equal(read[1], "tok-b");
    assert_int_equal(read_issued[1], 1795946402000LL);
    text_free_secret(read[0]);
    text_free_secret(read[1]);
    /* Under the seed names the file holds nothing of theirs. */
    tl.env_names = env_names_seed;
    read[0] = read[1] = NULL;
    assert_int_equal(envfile_read_combined(path, &tl, read, read_issued), TF_OK);
    assert_null(read[0]);
    assert_null(read[1]);
    unlink(path);
    free(path);
    rmdir(dir);
}

static void test_env_names(void **state)
{
    (void)state;
    assert_ptr_equal(env_names_preset("seed"), &env_names_seed);
    assert_ptr_equal(env_names_preset("astra"), &env_names_astra);
    assert_null(env_names_preset("Astra"));
    assert_null(env_names_preset(""));
    for (int v = 0; v < ENV_VAR_COUNT; v++) {
        enum env_var got = ENV_VAR_COUNT;
        assert_int_equal(env_names_key_parse(env_names_key((enum env_var)v), &got), 0);
        assert_int_equal(got, v);
    }
    enum env_var got;
    assert_int_equal(env_names_key_parse("preset", &got), -1);
    assert_string_equal(env_names_key(ENV_API_ENDPOINT), "api_endpoint");
    static const struct {
        const char *name;
        int valid;
    } rows[] = {{"MY_TOKEN", 1},
                {"_x9", 1},
                {"a", 1},
                {"", 0},
                {"9A", 0},
                {"A-B", 0},
                {"A B", 0},
                {"A=B", 0},
                {"\xc3\x84"
                 "B",
                 0},
                {"A.B", 0}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        assert_int_equal(env_names_valid(rows[i].name), rows[i].valid);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_var),
        cmocka_unit_test(test_sh_round_trip),
        cmocka_unit_test(test_write_target),
        cmocka_unit_test(test_check_target),
        cmocka_unit_test(test_format_names),
        cmocka_unit_test(test_file_round_trip),
        cmocka_unit_test(test_astra_names),
        cmocka_unit_test(test_renamed),
        cmocka_unit_test(test_app_token_username),
        cmocka_unit_test(test_file_round_trip_names),
        cmocka_unit_test(test_combined_round_trip_names),
        cmocka_unit_test(test_env_names),
    };
    return cmocka_run_group_tests_name("envfile", tests, NULL, NULL);
}
