/* envfile.c: KEY=value lines in the portable or the sh format. */
#include "core/envfile.h"

#include <string.h>

#include "core/text.h"

static const char *const var_names[ENV_VAR_COUNT] = {
    "ASTRA_CLUSTER_ID",  "ASTRA_CLUSTER_REGION",      "ASTRA_DB_USERNAME",
    "ASTRA_DB_KEYSPACE", "ASTRA_AUTHORIZATION_TOKEN",
};

const char *envfile_var_name(enum env_var v)
{
    return v < ENV_VAR_COUNT ? var_names[v] : "?";
}

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

static void target_values(const struct target *t, const char *token,
                          const char *values[ENV_VAR_COUNT])
{
    values[ENV_CLUSTER_ID] = t->db->id.value;
    values[ENV_CLUSTER_REGION] = t->region->value;
    values[ENV_DB_USERNAME] = t->db->username.value;
    values[ENV_DB_KEYSPACE] = t->db->keyspace.value;
    values[ENV_AUTHORIZATION_TOKEN] = token;
}

enum tf_err envfile_check_target(const struct target *t, enum env_format fmt, enum env_var *bad)
{
    const char *values[ENV_VAR_COUNT];
    target_values(t, "", values);
    for (int v = 0; v < ENV_VAR_COUNT; v++)
        if (!writable(values[v], fmt)) {
            *bad = (enum env_var)v;
            return TF_ERR_UNSAFE;
        }
    return TF_OK;
}

enum tf_err envfile_write_target(FILE *out, const struct target *t, const char *token,
                                 const char *prefix, enum env_format fmt, enum env_var *bad)
{
    const char *values[ENV_VAR_COUNT];
    target_values(t, token, values);
    for (int v = 0; v < ENV_VAR_COUNT; v++) {
        enum tf_err rc = envfile_write_var(out, prefix, var_names[v], values[v], fmt);
        if (rc == TF_ERR_UNSAFE)
            *bad = (enum env_var)v;
        if (rc != TF_OK)
            return rc;
    }
    return TF_OK;
}
