/* fuzz_envfile.c: envfile_write_var() in both formats on arbitrary values (the input up to its
 * first NUL). Checks:
 *   portable: succeeds iff text_is_portable(value), and then writes exactly "KEY=value\n";
 *             refuses with TF_ERR_UNSAFE and writes nothing otherwise;
 *   sh:       refuses (TF_ERR_UNSAFE, nothing written) iff the value holds \n or \r; otherwise
 *             writes one line "KEY=word\n" whose word, read by the shell's rules (bare
 *             characters that need no quoting, '...' taken literally, \c for c), is exactly the
 *             value. A word that needs any other shell rule (a bare space, $, `, ", ...) fails.
 * The prefix alternates between none and a combined-file prefix. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/envfile.h"
#include "core/base/text.h"

#define FUZZ_MAX_INPUT (64 * 1024)
#define KEY            "ASTRA_AUTHORIZATION_TOKEN"

/* Bytes the shell reads as themselves outside quotes (no word splitting, expansion, globbing,
 * comment, quoting or operator meaning). */
static int shell_literal(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           (c && strchr("_@%+=:,./-", c));
}

/* Decodes a shell word: bare literal characters, '...' segments, and \c escapes (c not a
 * newline). Returns a new string, or NULL when the word is not made only of those. */
static char *shell_decode(const char *w, size_t len)
{
    char *out = malloc(len + 1);
    size_t n = 0;
    if (!out)
        abort();
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)w[i];
        if (c == '\'') {
            const char *end = memchr(w + i + 1, '\'', len - i - 1);
            if (!end)
                goto bad; /* unterminated quote */
            size_t seg = (size_t)(end - (w + i + 1));
            memcpy(out + n, w + i + 1, seg);
            n += seg;
            i += seg + 2;
        } else if (c == '\\') {
            if (i + 1 >= len || w[i + 1] == '\n')
                goto bad;
            out[n++] = w[i + 1];
            i += 2;
        } else if (shell_literal(c)) {
            out[n++] = (char)c;
            i++;
        } else {
            goto bad;
        }
    }
    out[n] = '\0';
    return out;
bad:
    free(out);
    return NULL;
}

static void write_to_memory(const char *prefix, const char *value, enum env_format fmt,
                            enum tf_err *rc, char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    FILE *f = open_memstream(out, out_len);
    if (!f)
        abort();
    *rc = envfile_write_var(f, prefix, KEY, value, fmt);
    if (fclose(f) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        return -1;
    char *value = strndup((const char *)data, size);
    if (!value)
        abort();
    size_t vlen = strlen(value);
    const char *prefix = size && (data[size - 1] & 1) ? "ORDERS_US_EAST1_" : NULL;
    size_t plen = prefix ? strlen(prefix) : 0;
    size_t klen = plen + strlen(KEY);
    char *out;
    size_t out_len;
    enum tf_err rc;

    /* portable */
    write_to_memory(prefix, value, ENV_FORMAT_PORTABLE, &rc, &out, &out_len);
    if (text_is_portable(value)) {
        if (rc != TF_OK || out_len != klen + 1 + vlen + 1)
            abort();
        if ((prefix && memcmp(out, prefix, plen)) || memcmp(out + plen, KEY "=", klen - plen + 1) ||
            memcmp(out + klen + 1, value, vlen) || out[out_len - 1] != '\n')
            abort();
    } else if (rc != TF_ERR_UNSAFE || out_len != 0) {
        abort();
    }
    free(out);

    /* sh */
    write_to_memory(prefix, value, ENV_FORMAT_SH, &rc, &out, &out_len);
    if (strchr(value, '\n') || strchr(value, '\r')) {
        if (rc != TF_ERR_UNSAFE || out_len != 0)
            abort();
    } else {
        if (rc != TF_OK || out_len < klen + 2)
            abort();
        if ((prefix && memcmp(out, prefix, plen)) || memcmp(out + plen, KEY "=", klen - plen + 1))
            abort();
        if (out[out_len - 1] != '\n' || memchr(out, '\n', out_len - 1) ||
            memchr(out, '\r', out_len) || strlen(out) != out_len)
            abort(); /* one line, nothing that another reader would split on */
        char *back = shell_decode(out + klen + 1, out_len - klen - 2);
        if (!back || strcmp(back, value) != 0)
            abort();
        free(back);
    }
    free(out);
    free(value);
    return 0;
}
