/* emu_auth: AuthResource.createToken / createTokenFromSecret / createTokenFromUsername. */
#include "emu_auth.h"

#include <stdlib.h>
#include <string.h>

static int describe(struct emu_reply *r, unsigned int status, const char *desc)
{
    return emu_reply_description(r, status, desc, strlen(desc));
}

int emu_auth_before_body(enum emu_endpoint ep, struct emu_reply *r)
{
    if (ep != EMU_EP_USERNAMETOKEN)
        return 0;
    return describe(r, 400, "Generating a token for a username is not allowed") == 0 ? 1 : -1;
}

/* 401 naming USER exactly as sent (jansson escapes it). */
static int reply_bad_credentials(struct emu_reply *r, const char *user, size_t ulen)
{
    static const char pre[] = "Failed to create token: Provided username ";
    static const char post[] = " and/or password are incorrect";
    size_t len = sizeof pre - 1 + ulen + sizeof post - 1;
    char *msg = malloc(len);
    if (msg == NULL)
        return -1;
    memcpy(msg, pre, sizeof pre - 1);
    memcpy(msg + sizeof pre - 1, user, ulen);
    memcpy(msg + sizeof pre - 1 + ulen, post, sizeof post - 1);
    int rc = emu_reply_description(r, 401, msg, len);
    free(msg);
    return rc;
}

int emu_auth_parse(enum emu_endpoint ep, const char *body, size_t len, struct emu_auth_creds *c,
                   struct emu_reply *r)
{
    bool secret = ep == EMU_EP_TOKEN_GENERATE;
    const char *name1 = secret ? "key" : "username";
    const char *name2 = secret ? "secret" : "password";
    int rc;

    memset(c, 0, sizeof *c);
    switch (emu_creds_bind(body, len, name1, &c->user, name2, &c->pass)) {
    case EMU_CREDS_BAD_JSON:
        /* Jackson failed, so Dropwizard's JsonProcessingExceptionMapper answers. */
        return emu_reply_framework(r, 400, "Unable to process JSON") == 0 ? 0 : -1;
    case EMU_CREDS_NO_BODY:
        return describe(r, 400, "Must provide a body to the request") == 0 ? 0 : -1;
    case EMU_CREDS_NOMEM:
        return -1;
    case EMU_CREDS_OK:
        break;
    }

    if (!c->user.present || c->user.len == 0) {
        rc = describe(r, 400,
                      secret ? "Must provide key in request" : "Must provide username in request");
    } else if (!c->pass.present || c->pass.len == 0) {
        rc = describe(
            r, 400, secret ? "Must provide secret in request" : "Must provide password in request");
    } else {
        return 1;
    }
    emu_auth_creds_clear(c);
    return rc == 0 ? 0 : -1;
}

int emu_auth_issue(const struct emu_users *users, struct emu_tokens *tokens,
                   const struct emu_auth_creds *c, struct emu_reply *r)
{
    if (!emu_users_check(users, c->user.text, c->user.len, c->pass.text, c->pass.len)) {
        /* Whitespace-only names are not "missing": they fail here, as in Stargate. */
        return reply_bad_credentials(r, c->user.text, c->user.len);
    }
    char token[EMU_TOKEN_LEN + 1];
    if (emu_tokens_create(tokens, c->user.text, c->user.len, token) == 0)
        return emu_reply_token(r, token);
    return describe(r, 500, "Failed to create token: out of memory");
}

void emu_auth_creds_clear(struct emu_auth_creds *c)
{
    emu_creds_field_clear(&c->user);
    emu_creds_field_clear(&c->pass);
}
