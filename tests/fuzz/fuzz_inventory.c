/* fuzz_inventory.c: config_load() (YAML -> validated targets -> passwords) on arbitrary input.
 * The input is written as inv.yaml into a private folder that also holds password files for
 * {file:} references; {env: TF_FUZZ_PW} resolves. Besides memory safety (ASan, UBSan) it checks:
 *   - config_load returns TF_OK or TF_ERR_INVENTORY, and sets its outputs exactly on TF_OK;
 *   - every diagnostic line starts with the file name, and there is an "error" line iff it failed;
 *   - a loaded inventory has at least one target, each with a name, an http(s) URL (and an
 *     http(s) keyspace URL when it has one), an env prefix, a lowercase 36-character id and a
 *     resolved, non-empty password;
 *   - the passwords held in the environment and in the password files never appear in the
 *     diagnostics (unless the input itself contains them);
 *   - {command: [...]} never runs anything: a stand-in runner answers by argv[0] (ok, fail,
 *     sig, slow, big, bin, lines, cr, empty; anything else "cannot be run"), and no argv is run
 *     twice in one load.
 * Leading comment lines "#limit: PATTERN" and "#shard: K/N" (YAML comments) become a --limit
 * pattern and a --shard (K < N <= 65536 enforced here, as the command line does); with a shard the
 * list of targets may be empty. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "config/load.h"
#include "config/secret.h"
#include "core/app_token.h"
#include "core/base/hash.h"

#define FUZZ_MAX_INPUT (64 * 1024)
#define ENV_NAME       "TF_FUZZ_PW"
#define ENV_PW         "fz-env-Pw-93f1a2"
#define FILE_PW        "fz-file-Pw-7c0d4e"
#define LIMIT_TAG      "#limit: "
#define SHARD_TAG      "#shard: "

static char dir[64];
static char inv_path[128];

static void write_file(const char *name, const char *content, size_t len, mode_t mode)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(content, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        abort();
    }
    chmod(path, mode);
}

static void remove_dir(void)
{
    static const char *const names[] = {"inv.yaml", "pw",     "pw-nl",  "pw-open",
                                        "pw-empty", "pw-big", "pw-bin", NULL};
    char path[256];
    for (size_t i = 0; names[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/sub", dir);
    rmdir(path);
    rmdir(dir);
}

/* The argvs run in this input, by hash: each at most once. */
static uint64_t runs[256];
static size_t n_runs;

static void put(char *buf, size_t *len, const char *s)
{
    size_t n = strlen(s);
    memcpy(buf, s, n);
    *len = n;
}

/* Stands in for posix_spawnp: the fuzzer must not run what an input names. */
static void fake_runner(char *const *argv, unsigned timeout_s, struct secret_run *r)
{
    (void)timeout_s;
    uint64_t h = HASH_FNV1A64_INIT;
    for (size_t i = 0; argv[i]; i++)
        h = hash_fnv1a64_add(h, argv[i], strlen(argv[i]) + 1);
    for (size_t i = 0; i < n_runs; i++)
        if (runs[i] == h)
            abort(); /* the same words run twice in one load */
    if (n_runs < sizeof runs / sizeof runs[0])
        runs[n_runs++] = h;
    const char *what = argv[0];
    if (!strcmp(what, "ok")) {
        put(r->out, &r->out_len, FILE_PW "\n");
    } else if (!strcmp(what, "fail")) {
        put(r->out, &r->out_len, FILE_PW "\n"); /* echoed on stderr: must be masked */
        put(r->err, &r->err_len, "\x1b[31mdenied: " FILE_PW "\r\nsecond line\n");
        r->status = W_EXITCODE(1, 0);
    } else if (!strcmp(what, "sig")) {
        r->status = W_EXITCODE(0, 9);
    } else if (!strcmp(what, "slow")) {
        r->timed_out = 1;
        r->status = W_EXITCODE(0, 9);
    } else if (!strcmp(what, "big")) {
        memset(r->out, 'x', sizeof r->out);
        r->out_len = sizeof r->out;
        r->out_overflow = 1;
    } else if (!strcmp(what, "bin")) {
        put(r->out, &r->out_len, "\xc3\x28\n");
    } else if (!strcmp(what, "lines")) {
        put(r->out, &r->out_len, FILE_PW "\nmore\n");
    } else if (!strcmp(what, "cr")) {
        put(r->out, &r->out_len, FILE_PW "\r\n");
    } else if (!strcmp(what, "empty")) {
        put(r->err, &r->err_len, "\xff\xfe not UTF-8");
    } else {
        r->spawn_errno = ENOENT;
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/tf-fuzz-inv-XXXXXX", tmp && strlen(tmp) < 32 ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        abort();
    }
    atexit(remove_dir);
    snprintf(inv_path, sizeof inv_path, "%s/inv.yaml", dir);
    setenv(ENV_NAME, ENV_PW, 1);
    setenv("TF_FUZZ_EMPTY", "", 1);
    /* An application token for token: {env: TF_FUZZ_TOKEN}. */
    setenv("TF_FUZZ_TOKEN",
           "AstraCS:FuzzTokenClientId:"
           "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
           1);
    setenv("TF_FUZZ_BIN", "\xff\xfe", 1);
    unsetenv("TF_FUZZ_UNSET");
    write_file("pw", FILE_PW, strlen(FILE_PW), 0600);
    write_file("pw-nl", FILE_PW "\r\n", strlen(FILE_PW) + 2, 0600);
    write_file("pw-open", FILE_PW, strlen(FILE_PW), 0644);
    write_file("pw-empty", "", 0, 0600);
    write_file("pw-bin", "\xc3\x28", 2, 0600);
    static char big[5000];
    memset(big, 'x', sizeof big);
    write_file("pw-big", big, sizeof big, 0600);
    char sub[256];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    mkdir(sub, 0700); /* a folder given as a password file */
    curl_global_init(CURL_GLOBAL_NOTHING);
    secret_set_runner(fake_runner);
    return 0;
}

static int contains(const char *hay, size_t hay_len, const char *needle)
{
    return memmem(hay, hay_len, needle, strlen(needle)) != NULL;
}

/* Checks the diagnostics' shape: "PATH: kind: ..." or "PATH:L:C: kind: ...", one per line.
 * Returns how many are errors. A message may quote input that holds a newline; such a
 * continuation does not start with the path and is skipped. */
static size_t count_errors(const char *out, size_t len)
{
    size_t errors = 0, plen = strlen(inv_path);
    for (size_t i = 0; i < len;) {
        const char *line = out + i;
        const char *nl = memchr(line, '\n', len - i);
        size_t ll = nl ? (size_t)(nl - line) : len - i;
        if (ll > plen && !memcmp(line, inv_path, plen) && line[plen] == ':') {
            const char *p = line + plen + 1;
            while (*p >= '0' && *p <= '9')
                p++;
            if (*p == ':')
                for (p++; *p >= '0' && *p <= '9'; p++)
                    ;
            if (*p == ':')
                p++;
            if (!strncmp(p, " error: ", 8))
                errors++;
        }
        i += ll + 1;
    }
    return errors;
}

static void check_loaded(const struct inventory *inv, const struct target_list *targets,
                         int sharded)
{
    if (!inv || inv->n_databases == 0 || (targets->count == 0 && !sharded))
        abort();
    for (size_t i = 0; i < targets->count; i++) {
        const struct target *t = &targets->items[i];
        if (!t->name || !t->url || !t->env_prefix || !t->db || !t->region || !t->region->value)
            abort();
        if (strncmp(t->url, "https://", 8) && strncmp(t->url, "http://", 7))
            abort();
        if (t->keyspace_url && strncmp(t->keyspace_url, "https://", 8) &&
            strncmp(t->keyspace_url, "http://", 7))
            abort();
        const char *id = t->db->id.value;
        if (!id || strlen(id) != 36)
            abort();
        for (const char *p = id; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                abort();
        /* A database holds a password (with a username) or an application token, never both;
         * a token's target is proven at its url, which is its keyspace_url. */
        const struct secret_ref *s = t->db->app_token ? t->db->app_token : t->db->password;
        if (!t->db->name.value || !t->db->keyspace.value ||
            !t->db->username.value == !t->db->app_token || !t->db->password == !t->db->app_token)
            abort();
        if (!s || !s->resolved || !s->value || !*s->value)
            abort();
        if (t->db->app_token && (!app_token_is_valid(s->value) || t->keyspace_url != t->url))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        return -1; /* not added to the corpus */
    FILE *f = fopen(inv_path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    chmod(inv_path, 0600);

    /* Options from leading comment lines. */
    char limit[256];
    const char *patterns[1];
    size_t n_patterns = 0;
    struct shard shard = {0, 0};
    for (size_t at = 0; at < size && data[at] == '#';) {
        const uint8_t *end = memchr(data + at, '\n', size - at);
        size_t ll = (end ? (size_t)(end - data) : size) - at;
        const char *line = (const char *)data + at;
        size_t tl = strlen(LIMIT_TAG);
        if (ll > tl && ll - tl < sizeof limit && !memcmp(line, LIMIT_TAG, tl) &&
            !memchr(line, '\0', ll)) {
            memcpy(limit, line + tl, ll - tl);
            limit[ll - tl] = '\0';
            patterns[0] = limit;
            n_patterns = 1;
        } else if (ll > tl && ll < 32 && !memcmp(line, SHARD_TAG, tl)) {
            char spec[32];
            unsigned k, n;
            memcpy(spec, line + tl, ll - tl);
            spec[ll - tl] = '\0';
            if (sscanf(spec, "%u/%u", &k, &n) == 2 && n >= 1 && n <= 65536 && k < n)
                shard = (struct shard){k, n};
        }
        at += ll + 1;
    }

    char *out = NULL;
    size_t out_len = 0;
    FILE *diag = open_memstream(&out, &out_len);
    if (!diag)
        abort();
    n_runs = 0;
    struct inventory *inv = (struct inventory *)1; /* must be reset by config_load */
    struct target_list targets;
    enum tf_err rc = config_load(inv_path, patterns, n_patterns, &shard, diag, 0, &inv, &targets);
    if (fclose(diag) != 0)
        abort();

    size_t errors = count_errors(out, out_len);
    if (rc == TF_OK) {
        if (errors)
            abort(); /* loaded, yet an error was printed */
        check_loaded(inv, &targets, shard.count > 0);
    } else if (rc == TF_ERR_INVENTORY) {
        if (!errors)
            abort(); /* refused without saying why */
        if (inv || targets.items || targets.count)
            abort();
    } else {
        abort(); /* no other outcome for a 64 KiB input */
    }
    if (!memmem(data, size, ENV_PW, strlen(ENV_PW)) && contains(out, out_len, ENV_PW))
        abort();
    if (!memmem(data, size, FILE_PW, strlen(FILE_PW)) && contains(out, out_len, FILE_PW))
        abort();

    target_list_clear(&targets);
    inventory_free(inv);
    free(out);
    return 0;
}
