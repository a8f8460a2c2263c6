/* emu_rest: the keyspace resource of Stargate's REST API v2, as tokenfleet's check --verify uses
 * it. */
#include "emu_rest.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* U+FFFD, which Java's UTF-8 decoder puts in place of a malformed byte. */
static const char replacement[] = "\xef\xbf\xbd";

/* Returns the length of the well-formed UTF-8 sequence at S (N bytes left), or 0 when the byte at
 * S does not start one (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    size_t len;
    unsigned char lo = 0x80;
    unsigned char hi = 0xbf;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        len = 2;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        len = 3;
        lo = s[0] == 0xe0 ? 0xa0 : 0x80;
        hi = s[0] == 0xed ? 0x9f : 0xbf;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        len = 4;
        lo = s[0] == 0xf0 ? 0x90 : 0x80;
        hi = s[0] == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++) {
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    }
    return len;
}

/* 404 "Keyspace 'NAME' not found", NAME's malformed UTF-8 bytes each shown as U+FFFD, as Jersey
 * decodes a path segment. Returns 0, or -1 on ENOMEM. */
static int reply_not_found(struct emu_reply *r, const char *name, size_t nlen)
{
    static const char pre[] = "Keyspace '";
    static const char post[] = "' not found";
    /* Every byte may become 3. */
    if (nlen > (SIZE_MAX - sizeof pre - sizeof post) / 3)
        return -1;
    char *msg = malloc(sizeof pre - 1 + nlen * 3 + sizeof post - 1);
    if (msg == NULL)
        return -1;
    size_t len = sizeof pre - 1;
    memcpy(msg, pre, len);
    const unsigned char *s = (const unsigned char *)name;
    for (size_t i = 0; i < nlen;) {
        size_t n = utf8_seq(s + i, nlen - i);
        if (n == 0) {
            memcpy(msg + len, replacement, sizeof replacement - 1);
            len += sizeof replacement - 1;
            i++;
        } else {
            memcpy(msg + len, s + i, n);
            len += n;
            i += n;
        }
    }
    memcpy(msg + len, post, sizeof post - 1);
    len += sizeof post - 1;
    int rc = emu_reply_rest_error(r, 404, msg, len);
    free(msg);
    return rc;
}

static int reply_unauthorized(struct emu_reply *r, const char *desc)
{
    return emu_reply_rest_error(r, 401, desc, strlen(desc));
}

/* Checks an application token (TOKEN, TLEN bytes, "AstraCS:...") against APP and says whether it
 * may see keyspace NAME on the database HOST names: that database's keyspaces, or for a host that
 * names none, those of KS visible to the token's client id. A token for another database sees
 * none. Returns 1 (accepted; *VISIBLE set), 0 (not a token APP holds) or -1 (ENOMEM). */
static int use_app_token(const struct emu_rest_stores *s, const char *host, const char *token,
                         size_t tlen, const char *name, size_t nlen, bool *visible)
{
    struct emu_apptoken_grant g;
    int rc =
        emu_apptoken_wellformed(token, tlen) ? emu_apptokens_lookup(s->app, token, tlen, &g) : 0;
    if (rc != 1)
        return rc;
    const struct emu_database *db = emu_databases_by_host(s->dbs, host);
    if (!emu_apptoken_grant_allows(&g, db != NULL ? db->id : NULL)) {
        *visible = false;
    } else if (db != NULL) {
        *visible = emu_database_has_keyspace(db, name, nlen);
    } else {
        size_t clen;
        const char *client = emu_apptoken_client_id(token, &clen);
        *visible =
            nlen <= EMU_KEYSPACE_NAME_MAX && emu_keyspaces_visible(s->ks, name, nlen, client, clen);
    }
    emu_apptoken_grant_clear(&g);
    return 1;
}

/* Uses a token of the auth API's (TOKEN, TLEN bytes) and says whether its user may see keyspace
 * NAME: on a database HOST names, every keyspace of that database; elsewhere those of KS visible
 * to the user. Returns 1 (accepted; *VISIBLE set), 0 (unknown or expired) or -1 (ENOMEM). */
static int use_auth_token(const struct emu_rest_stores *s, const char *host, const char *token,
                          size_t tlen, const char *name, size_t nlen, bool *visible)
{
    char *user = NULL;
    size_t ulen = 0;
    int rc = emu_tokens_use(s->tokens, token, tlen, &user, &ulen);
    if (rc != 1)
        return rc;
    const struct emu_database *db = emu_databases_by_host(s->dbs, host);
    if (db != NULL)
        *visible = emu_database_has_keyspace(db, name, nlen);
    else
        *visible =
            nlen <= EMU_KEYSPACE_NAME_MAX && emu_keyspaces_visible(s->ks, name, nlen, user, ulen);
    free(user);
    return 1;
}

int emu_rest_keyspace(const struct emu_rest_stores *s, const char *host, const char *token,
                      const char *name, size_t nlen, struct emu_reply *r)
{
    /* The blanks around a field value are not part of it (RFC 9110 section 5.5), and MHD does
     * not always strip the trailing ones. */
    size_t tlen = 0;
    if (token != NULL) {
        while (*token == ' ' || *token == '\t')
            token++;
        tlen = strlen(token);
        while (tlen > 0 && (token[tlen - 1] == ' ' || token[tlen - 1] == '\t'))
            tlen--;
    }
    if (tlen == 0)
        return reply_unauthorized(r, "Missing token");
    bool visible = false;
    int rc = tlen >= 8 && memcmp(token, "AstraCS:", 8) == 0
                 ? use_app_token(s, host, token, tlen, name, nlen, &visible)
                 : use_auth_token(s, host, token, tlen, name, nlen, &visible);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return reply_unauthorized(r, "Unauthorized: invalid token");
    if (visible) {
        /* A visible name is plain text without NULs: a keyspaces file name, or a database's
         * keyspace (JSON text); cap the copy all the same. */
        char *copy = strndup(name, nlen);
        if (copy == NULL)
            return -1;
        rc = emu_reply_keyspace(r, copy);
        free(copy);
        return rc;
    }
    return reply_not_found(r, name, nlen);
}
