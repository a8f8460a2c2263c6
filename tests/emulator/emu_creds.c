/* emu_creds: jansson checks and parses the body; a small scanner recovers numbers' exact text. */
#include "emu_creds.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static bool is_json_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static size_t skip_ws(const char *s, size_t n, size_t i)
{
    while (i < n && is_json_ws(s[i]))
        i++;
    return i;
}

/* S[I] is '"': returns the index just past the closing quote. */
static size_t skip_string(const char *s, size_t n, size_t i)
{
    for (i++; i < n; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '"')
            return i + 1;
    }
    return n;
}

/* Returns the index just past the JSON value that starts at S[I]. */
static size_t skip_value(const char *s, size_t n, size_t i)
{
    if (i >= n)
        return n;
    if (s[i] == '"')
        return skip_string(s, n, i);
    if (s[i] == '{' || s[i] == '[') {
        size_t depth = 0;
        while (i < n) {
            char c = s[i];
            if (c == '"') {
                i = skip_string(s, n, i);
                continue;
            }
            if (c == '{' || c == '[')
                depth++;
            else if ((c == '}' || c == ']') && --depth == 0)
                return i + 1;
            i++;
        }
        return n;
    }
    while (i < n && !is_json_ws(s[i]) && s[i] != ',' && s[i] != '}' && s[i] != ']')
        i++;
    return i;
}

/* Returns true when the JSON string token S[0, LEN) (quotes included) decodes to NAME. */
static bool key_is(const char *s, size_t len, const char *name)
{
    size_t nlen = strlen(name);
    if (memchr(s, '\\', len) == NULL)
        return len == nlen + 2 && memcmp(s + 1, name, nlen) == 0;
    json_t *k = json_loadb(s, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    bool same = json_is_string(k) && json_string_length(k) == nlen &&
                memcmp(json_string_value(k), name, nlen) == 0;
    json_decref(k);
    return same;
}

/*
 * BODY[START..] is an object that jansson accepted: finds the last member NAME (the one jansson
 * kept) and returns its value's text in *VAL / *VLEN. Returns false if it is not there.
 */
static bool raw_member(const char *body, size_t n, size_t start, const char *name, const char **val,
                       size_t *vlen)
{
    bool found = false;
    size_t i = skip_ws(body, n, start + 1); /* past the '{' */
    while (i < n && body[i] == '"') {
        size_t kstart = i;
        i = skip_string(body, n, i);
        size_t kend = i;
        i = skip_ws(body, n, i);
        if (i >= n || body[i] != ':')
            break;
        i = skip_ws(body, n, i + 1);
        size_t vstart = i;
        i = skip_value(body, n, i);
        if (key_is(body + kstart, kend - kstart, name)) {
            *val = body + vstart;
            *vlen = i - vstart;
            found = true;
        }
        i = skip_ws(body, n, i);
        if (i >= n || body[i] != ',')
            break;
        i = skip_ws(body, n, i + 1);
    }
    return found;
}

static int set_text(struct emu_creds_field *f, const char *s, size_t len)
{
    f->text = malloc(len + 1);
    if (f->text == NULL)
        return -1;
    memcpy(f->text, s, len);
    f->text[len] = '\0';
    f->len = len;
    f->present = true;
    return 0;
}

/* Binds member NAME of OBJ into F. Returns EMU_CREDS_OK, _BAD_JSON or _NOMEM. */
static enum emu_creds_result bind_field(json_t *obj, const char *body, size_t n, size_t start,
                                        const char *name, struct emu_creds_field *f)
{
    json_t *v = json_object_get(obj, name);
    const char *raw = NULL;
    size_t rlen = 0;

    if (v == NULL)
        return EMU_CREDS_OK; /* missing: left not present */
    switch (json_typeof(v)) {
    case JSON_STRING:
        return set_text(f, json_string_value(v), json_string_length(v)) == 0 ? EMU_CREDS_OK
                                                                             : EMU_CREDS_NOMEM;
    case JSON_TRUE:
        return set_text(f, "true", 4) == 0 ? EMU_CREDS_OK : EMU_CREDS_NOMEM;
    case JSON_FALSE:
        return set_text(f, "false", 5) == 0 ? EMU_CREDS_OK : EMU_CREDS_NOMEM;
    case JSON_INTEGER:
    case JSON_REAL:
        /* Jackson coerces a number to the text it was sent as ("1e3" stays "1e3"). */
        if (!raw_member(body, n, start, name, &raw, &rlen))
            return EMU_CREDS_BAD_JSON;
        return set_text(f, raw, rlen) == 0 ? EMU_CREDS_OK : EMU_CREDS_NOMEM;
    case JSON_NULL:
        return EMU_CREDS_OK;
    case JSON_OBJECT:
    case JSON_ARRAY:
    default:
        return EMU_CREDS_BAD_JSON;
    }
}

enum emu_creds_result emu_creds_bind(const char *body, size_t len, const char *name1,
                                     struct emu_creds_field *f1, const char *name2,
                                     struct emu_creds_field *f2)
{
    enum emu_creds_result rc;
    json_t *root = NULL;

    memset(f1, 0, sizeof *f1);
    memset(f2, 0, sizeof *f2);
    size_t start = 0;
    if (len >= 3 && memcmp(body, "\xef\xbb\xbf", 3) == 0)
        start = 3; /* Jackson skips a UTF-8 byte order mark */
    start = skip_ws(body, len, start);
    if (start == len)
        return EMU_CREDS_NO_BODY;

    root = json_loadb(
        body + start, len - start,
        JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, NULL);
    if (root == NULL) {
        rc = EMU_CREDS_BAD_JSON;
        goto out;
    }
    if (json_is_null(root)) {
        rc = EMU_CREDS_NO_BODY;
        goto out;
    }
    if (!json_is_object(root)) {
        rc = EMU_CREDS_BAD_JSON;
        goto out;
    }
    rc = bind_field(root, body, len, start, name1, f1);
    if (rc == EMU_CREDS_OK)
        rc = bind_field(root, body, len, start, name2, f2);
out:
    json_decref(root);
    if (rc != EMU_CREDS_OK) {
        emu_creds_field_clear(f1);
        emu_creds_field_clear(f2);
    }
    return rc;
}

void emu_creds_field_clear(struct emu_creds_field *f)
{
    free(f->text);
    f->text = NULL;
    f->len = 0;
    f->present = false;
}
