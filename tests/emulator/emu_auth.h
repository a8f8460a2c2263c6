/* emu_auth: Stargate's AuthResource: the checks and answers of the three auth endpoints. */
#ifndef EMU_AUTH_H
#define EMU_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "emu_creds.h"
#include "emu_reply.h"
#include "emu_tokens.h"
#include "emu_users.h"

enum emu_endpoint {
    EMU_EP_AUTH,           /* /v1/auth: {"username", "password"} */
    EMU_EP_TOKEN_GENERATE, /* /v1/auth/token/generate: {"key", "secret"} */
    EMU_EP_USERNAMETOKEN,  /* /v1/admin/auth/usernametoken: disabled, as by default */
};

/*
 * Answers what EP decides before reading the body (usernametoken's 400). Returns 1 with R set,
 * 0 when the body decides, -1 on ENOMEM.
 */
int emu_auth_before_body(enum emu_endpoint ep, struct emu_reply *r);

/* Credentials that passed the body checks and wait for the credential check. */
struct emu_auth_creds {
    struct emu_creds_field user; /* username (or key): present and not empty */
    struct emu_creds_field pass; /* password (or secret): present and not empty */
};

/*
 * Runs EP's body checks on BODY (LEN bytes) in Stargate's order. Returns 1 with C filled (free it
 * with emu_auth_creds_clear), 0 with R set to the 400 that ends the request, -1 on ENOMEM.
 */
int emu_auth_parse(enum emu_endpoint ep, const char *body, size_t len, struct emu_auth_creds *c,
                   struct emu_reply *r);

/*
 * The credential check of C against USERS and, on success, a new token in TOKENS. Sets R (201 or
 * 401; 500 if storing the token fails). Returns 0, or -1 on ENOMEM while building R.
 */
int emu_auth_issue(const struct emu_users *users, struct emu_tokens *tokens,
                   const struct emu_auth_creds *c, struct emu_reply *r);

/* Frees C's fields and empties it. */
void emu_auth_creds_clear(struct emu_auth_creds *c);

#endif
