/* emu_auth: Stargate's AuthResource: the checks and answers of the three auth endpoints. */
#ifndef EMU_AUTH_H
#define EMU_AUTH_H

#include <stdbool.h>
#include <stddef.h>

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

/*
 * Runs EP on BODY (LEN bytes): the body checks in Stargate's order, the credential check against
 * USERS and, on success, a new token in TOKENS. Sets R (201, 400 or 401; 500 if storing the token
 * fails). Returns 0, or -1 on ENOMEM while building R.
 */
int emu_auth_handle(enum emu_endpoint ep, const struct emu_users *users, struct emu_tokens *tokens,
                    const char *body, size_t len, struct emu_reply *r);

#endif
