/* emu_media: parsing media types and Accept ranges (RFC 9110 section 8.3 and 12.5.1). */
#include "emu_media.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_tchar(char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return true;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static const char *skip_ows(const char *p)
{
    while (is_ows(*p))
        p++;
    return p;
}

/* Reads a token at *P into [*START, *START + *LEN) and advances *P past it. */
static bool read_token(const char **p, const char **start, size_t *len)
{
    const char *s = *p;
    while (is_tchar(**p))
        (*p)++;
    *start = s;
    *len = (size_t)(*p - s);
    return *len > 0;
}

static bool token_is(const char *s, size_t len, const char *word)
{
    size_t i = 0;
    for (; i < len && word[i] != '\0'; i++) {
    }
    return i == len && word[i] == '\0' && strncasecmp(s, word, len) == 0;
}

/* Skips a quoted-string at *P (which is at the opening quote); false when it is unterminated. */
static bool skip_quoted(const char **p)
{
    for ((*p)++; **p != '\0'; (*p)++) {
        if (**p == '\\' && (*p)[1] != '\0')
            (*p)++;
        else if (**p == '"') {
            (*p)++;
            return true;
        }
    }
    return false;
}

bool emu_media_is_json(const char *content_type)
{
    const char *p = skip_ows(content_type);
    const char *type, *sub;
    size_t tlen, slen;
    if (!read_token(&p, &type, &tlen) || *p++ != '/' || !read_token(&p, &sub, &slen))
        return false;
    p = skip_ows(p);
    if (*p != '\0' && *p != ';')
        return false;
    return token_is(type, tlen, "application") && token_is(sub, slen, "json");
}

/* How specifically a range covers application/json: 3 exactly, 2 application/x, 1 any, 0 not. */
static int json_specificity(const char *type, size_t tlen, const char *sub, size_t slen)
{
    if (token_is(type, tlen, "*"))
        return token_is(sub, slen, "*") ? 1 : 0;
    if (!token_is(type, tlen, "application"))
        return 0;
    if (token_is(sub, slen, "*"))
        return 2;
    return token_is(sub, slen, "json") ? 3 : 0;
}

/* A qvalue is 0 when it is "0" optionally followed by '.' and zeros (RFC 9110 section 12.4.2). */
static bool qvalue_is_zero(const char *v, size_t len)
{
    if (len == 0 || v[0] != '0')
        return false;
    for (size_t i = 1; i < len; i++) {
        if (!(v[i] == '0' || (i == 1 && v[i] == '.')))
            return false;
    }
    return true;
}

/*
 * Parses one Accept element at *P up to its ',' (or the end) and leaves *P there. Sets *SPEC and
 * *ZERO for a well-formed range; a malformed one gets *SPEC 0 and is skipped.
 */
static void parse_range(const char **p, int *spec, bool *zero)
{
    const char *type, *sub = "*";
    size_t tlen, slen = 1;
    *spec = 0;
    *zero = false;
    *p = skip_ows(*p);
    if (!read_token(p, &type, &tlen))
        goto skip;
    if (**p == '/') {
        (*p)++;
        if (!read_token(p, &sub, &slen))
            goto skip;
    } else if (!token_is(type, tlen, "*")) {
        goto skip; /* a bare "*" means * / *, as old Java clients send it */
    }
    for (;;) {
        *p = skip_ows(*p);
        if (**p == ',' || **p == '\0')
            break;
        if (**p != ';')
            goto skip;
        (*p)++;
        *p = skip_ows(*p);
        const char *name, *val;
        size_t nlen, vlen;
        if (!read_token(p, &name, &nlen) || **p != '=')
            goto skip;
        (*p)++;
        if (**p == '"') {
            val = *p;
            if (!skip_quoted(p))
                goto skip;
            vlen = (size_t)(*p - val);
        } else if (!read_token(p, &val, &vlen)) {
            goto skip;
        }
        if (token_is(name, nlen, "q"))
            *zero = qvalue_is_zero(val, vlen);
    }
    *spec = json_specificity(type, tlen, sub, slen);
    return;
skip:
    *spec = 0;
    while (**p != ',' && **p != '\0') {
        if (**p != '"')
            (*p)++;
        else if (!skip_quoted(p))
            return;
    }
}

bool emu_media_accepts_json(const char *accept)
{
    if (accept == NULL)
        return true;
    const char *p = skip_ows(accept);
    if (*p == '\0')
        return true; /* an empty Accept is no constraint */
    int best = 0;
    bool best_ok = false;
    for (;;) {
        int spec;
        bool zero;
        parse_range(&p, &spec, &zero);
        if (spec > best) {
            best = spec;
            best_ok = !zero;
        } else if (spec == best && spec > 0 && !zero) {
            best_ok = true;
        }
        if (*p == '\0')
            break;
        p++; /* the ',' */
    }
    return best > 0 && best_ok;
}
