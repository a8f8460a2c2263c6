/* envfile.c: env files: KEY=value lines in the portable or the sh format, a target's own file and
 * the combined one. */
#include "core/envfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/atomic_file.h"
#include "core/base/clock.h"
#include "core/base/text.h"
#include "version.h"

int envfile_format_parse(const char *word, enum env_format *out)
{
    if (!strcmp(word, "portable"))
        *out = ENV_FORMAT_PORTABLE;
    else if (!strcmp(word, "sh"))
        *out = ENV_FORMAT_SH;
    else
        return -1;
    return 0;
}

static int writable(const char *value, enum env_format fmt)
{
    if (text_is_portable(value))
        return 1;
    /* In single quotes the shell takes every byte literally but for the quote itself (written
     * as '\''); a newline would still split the line for any other reader, and NUL cannot be. */
    return fmt == ENV_FORMAT_SH && !strchr(value, '\n') && !strchr(value, '\r');
}

enum tf_err envfile_write_var(FILE *out, const char *prefix, const char *key, const char *value,
                              enum env_format fmt)
{
    if (!writable(value, fmt))
        return TF_ERR_UNSAFE;
    int bad = fprintf(out, "%s%s=", prefix ? prefix : "", key) < 0;
    if (text_is_portable(value)) {
        bad |= fputs(value, out) < 0;
    } else {
        bad |= fputc('\'', out) == EOF;
        for (const char *p = value; *p; p++)
            bad |= (*p == '\'' ? fputs("'\\''", out) : fputc(*p, out)) == EOF;
        bad |= fputc('\'', out) == EOF;
    }
    bad |= fputc('\n', out) == EOF;
    return bad ? TF_ERR_IO : TF_OK;
}

enum tf_err envfile_check_target(const struct target *t, const struct env_names *names,
                                 enum env_format fmt, enum env_var *bad)
{
    const char *values[ENV_VAR_COUNT];
    char *endpoint;
    enum tf_err rc = env_names_values(t, names, "", values, &endpoint);
    for (int v = 0; rc == TF_OK && v < ENV_VAR_COUNT; v++)
        if (names->name[v] && values[v] && !writable(values[v], fmt)) {
            *bad = (enum env_var)v;
            rc = TF_ERR_UNSAFE;
        }
    free(endpoint);
    return rc;
}

enum tf_err envfile_write_target(FILE *out, const struct target *t, const struct env_names *names,
                                 const char *token, const char *prefix, enum env_format fmt,
                                 enum env_var *bad)
{
    const char *values[ENV_VAR_COUNT];
    char *endpoint;
    enum tf_err rc = env_names_values(t, names, token, values, &endpoint);
    for (int v = 0; rc == TF_OK && v < ENV_VAR_COUNT; v++) {
        if (!names->name[v] || !values[v])
            continue;
        rc = envfile_write_var(out, prefix, names->name[v], values[v], fmt);
        if (rc == TF_ERR_UNSAFE)
            *bad = (enum env_var)v;
    }
    free(endpoint);
    return rc;
}

#define ISSUED_AT "token issued at "
/* An application token is not issued by tokenfleet: its stamp says when it was proven. */
#define PROVEN_AT "application token proven at "

/* What a target's stamp says: ISSUED_AT, or PROVEN_AT for an application token. */
static const char *stamp_kind(const struct target *t)
{
    return t->db->app_token ? PROVEN_AT : ISSUED_AT;
}

/* "# orders/us-east1: token issued at 2026-11-29T10:00:00.000Z by tokenfleet 0.1.0. Holds a
 * secret token: keep it private." envfile_read_token reads an issue stamp back. */
static void write_header(FILE *f, const struct target *t, const char *stamp)
{
    fprintf(f, "# %s: %s%s by tokenfleet %s. Holds a secret token: keep it private.\n", t->name,
            stamp_kind(t), stamp, TOKENFLEET_VERSION);
}

/* The combined file: one header for the file, one comment per target with its own stamp. */
static void write_file_header(FILE *f, const char *stamp)
{
    fprintf(f,
            "# all targets: written by tokenfleet %s at %s. Holds secret tokens: keep it "
            "private.\n",
            TOKENFLEET_VERSION, stamp);
}

char *envfile_path(const char *dir, const struct target *t)
{
    return text_printf("%s/%s.%s.env", dir, t->db->name.value, t->region->value);
}

enum tf_err envfile_write_file(const char *dir, const struct target *t,
                               const struct env_names *names, const char *token,
                               enum env_format fmt, const char *stamp, enum env_var *bad)
{
    char *path = envfile_path(dir, t);
    if (!path)
        return TF_ERR_NOMEM;
    struct atomic_out m;
    enum tf_err rc = TF_ERR_IO;
    if (atomic_out_open(&m, path, 0600) == 0) {
        write_header(m.f, t, stamp);
        rc = envfile_write_target(m.f, t, names, token, "", fmt, bad);
        if (rc == TF_OK && atomic_out_commit(&m, 0) != 0)
            rc = TF_ERR_IO;
        else if (rc != TF_OK)
            atomic_out_discard(&m);
    }
    int saved = errno;
    free(path);
    errno = saved;
    return rc;
}

enum tf_err envfile_write_combined(const char *path, const struct target_list *targets,
                                   const char *const *tokens, const int64_t *issued_at_ms,
                                   enum env_format fmt, const char *stamp, size_t *bad_target,
                                   enum env_var *bad)
{
    struct atomic_out m;
    if (atomic_out_open(&m, path, 0600) != 0)
        return TF_ERR_IO;
    write_file_header(m.f, stamp);
    for (size_t i = 0; i < targets->total; i++) {
        const struct target *t = &targets->items[i];
        if (!tokens[i])
            continue;
        char *prefix = text_printf("%s_", t->env_prefix);
        char issued[32];
        clock_format_utc_ms(issued_at_ms[i], issued);
        fprintf(m.f, "# %s: %s%s\n", t->name, stamp_kind(t), issued);
        enum tf_err rc =
            prefix ? envfile_write_target(m.f, t, &targets->env_names, tokens[i], prefix, fmt, bad)
                   : TF_ERR_NOMEM;
        free(prefix);
        if (rc != TF_OK) {
            *bad_target = i;
            int saved = errno;
            atomic_out_discard(&m);
            errno = saved;
            return rc;
        }
    }
    return atomic_out_commit(&m, 1) == 0 ? TF_OK : TF_ERR_IO;
}

/* Returns the value of KEY= on one of the lines of text (NUL-terminated), as a new string; NULL
 * when there is none (*oom set when memory ran out). */
static char *value_of(const char *text, const char *key, int *oom)
{
    size_t kl = strlen(key);
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > kl && !strncmp(line, key, kl) && line[kl] == '=') {
            char *v = strndup(line + kl + 1, len - kl - 1);
            *oom = !v;
            return v;
        }
        line = end ? end + 1 : NULL;
    }
    return NULL;
}

enum tf_err envfile_read_token(const char *dir, const struct target *t,
                               const struct env_names *names, char **token, int64_t *issued_at_ms)
{
    *token = NULL;
    *issued_at_ms = 0;
    char *path = envfile_path(dir, t);
    if (!path)
        return TF_ERR_NOMEM;
    FILE *f = fopen(path, "re");
    free(path);
    if (!f)
        return TF_ERR_IO;
    char *text = calloc(1, ENVFILE_MAX_READ + 1);
    size_t len = text ? fread(text, 1, ENVFILE_MAX_READ + 1, f) : 0;
    int read_error = ferror(f);
    fclose(f);
    if (!text)
        return TF_ERR_NOMEM;
    enum tf_err rc = TF_OK;
    int oom = 0;
    char *id = NULL, *region = NULL;
    if (read_error)
        rc = TF_ERR_IO;
    else if (len > ENVFILE_MAX_READ || memchr(text, '\0', len))
        rc = len > ENVFILE_MAX_READ ? TF_ERR_TOOBIG : TF_ERR_UNSAFE;
    if (rc == TF_OK) {
        *token = value_of(text, names->name[ENV_TOKEN], &oom);
        id = value_of(text, names->name[ENV_ID], &oom);
        region = value_of(text, names->name[ENV_REGION], &oom);
        if (oom)
            rc = TF_ERR_NOMEM;
        else if (!*token || !**token || !text_is_portable(*token) || !id || !region ||
                 strcmp(id, t->db->id.value) != 0 || strcmp(region, t->region->value) != 0)
            rc = TF_ERR_UNSAFE; /* not a file of ours for this target */
    }
    const char *stamp = rc == TF_OK ? strstr(text, ISSUED_AT) : NULL;
    if (stamp && stamp < text + strcspn(text, "\n")) {
        char when[32] = "";
        sscanf(stamp + strlen(ISSUED_AT), "%31s", when);
        if (clock_parse_utc_ms(when, issued_at_ms) != 0)
            *issued_at_ms = 0;
    }
    free(id);
    free(region);
    explicit_bzero(text, len < ENVFILE_MAX_READ ? len : ENVFILE_MAX_READ);
    free(text);
    if (rc != TF_OK) {
        text_free_secret(*token);
        *token = NULL;
    }
    return rc;
}

static int by_prefix(const void *a, const void *b, void *ctx)
{
    const struct target *items = ctx;
    return strcmp(items[*(const size_t *)a].env_prefix, items[*(const size_t *)b].env_prefix);
}

/* The target whose env prefix is the first len bytes of s, through order (indexes of targets
 * sorted by prefix); -1 when none. */
static long find_prefix(const struct target_list *targets, const size_t *order, const char *s,
                        size_t len)
{
    size_t lo = 0, hi = targets->total;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *p = targets->items[order[mid]].env_prefix;
        int c = strncmp(p, s, len);
        if (c == 0 && p[len])
            c = 1;
        if (c == 0)
            return (long)order[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

enum tf_err envfile_read_combined(const char *path, const struct target_list *targets,
                                  char **tokens, int64_t *issued_at_ms)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return errno == ENOENT ? TF_OK : TF_ERR_IO;
    size_t *order = malloc((targets->total + 1) * sizeof *order);
    unsigned char *id_ok = calloc(targets->total + 1, 1);
    if (!order || !id_ok) {
        free(order);
        free(id_ok);
        fclose(f);
        return TF_ERR_NOMEM;
    }
    for (size_t i = 0; i < targets->total; i++)
        order[i] = i;
    qsort_r(order, targets->total, sizeof *order, by_prefix, targets->items);
    const char *id_var = targets->env_names.name[ENV_ID];
    const char *token_var = targets->env_names.name[ENV_TOKEN];
    enum tf_err rc = TF_OK;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int64_t stamp = 0; /* of the entry whose comment came last */
    while (rc == TF_OK && (len = getline(&line, &cap, f)) >= 0) {
        if (len && line[len - 1] == '\n')
            line[--len] = '\0';
        if (line[0] == '#') {
            const char *at = strstr(line, ": " ISSUED_AT);
            stamp = 0;
            if (at && clock_parse_utc_ms(at + strlen(": " ISSUED_AT), &stamp) != 0)
                stamp = 0;
            continue;
        }
        char *eq = strchr(line, '=');
        if (!eq)
            continue;
        size_t key_len = (size_t)(eq - line);
        const char *vars[] = {id_var, token_var};
        for (size_t v = 0; v < 2; v++) {
            size_t vl = strlen(vars[v]);
            if (key_len <= vl + 1 || strncmp(eq - vl, vars[v], vl) != 0 || eq[-(long)vl - 1] != '_')
                continue;
            long t = find_prefix(targets, order, line, key_len - vl - 1);
            if (t < 0)
                continue; /* renamed variables may end alike: ID and DB_ID */
            const char *value = eq + 1;
            if (v == 0) {
                id_ok[t] = !strcmp(value, targets->items[t].db->id.value);
            } else if (id_ok[t] && *value && text_is_portable(value)) {
                text_free_secret(tokens[t]);
                tokens[t] = strdup(value);
                issued_at_ms[t] = stamp;
                if (!tokens[t])
                    rc = TF_ERR_NOMEM;
            }
            break;
        }
    }
    if (rc == TF_OK && ferror(f))
        rc = TF_ERR_IO;
    if (line)
        explicit_bzero(line, cap);
    free(line);
    fclose(f);
    free(order);
    free(id_ok);
    return rc;
}
