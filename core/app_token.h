/* app_token.h: the shape of an Astra application token (AstraCS:...), which inventories, the
 * org token of discover and the emulator's tests all check the same way. */
#ifndef TOKENFLEET_APP_TOKEN_H
#define TOKENFLEET_APP_TOKEN_H

#include <stdbool.h>

/* What every application token starts with. */
#define APP_TOKEN_PREFIX "AstraCS:"

/* The shape, for messages (never the token itself). */
#define APP_TOKEN_SHAPE "AstraCS:CLIENT_ID:64 lowercase hex digits"

/* True when s starts as an application token does (APP_TOKEN_PREFIX): text that must not be
 * echoed, even where a name or a path was expected. s may be NULL. */
bool app_token_looks_like(const char *s);

/* True when s has an application token's shape: "AstraCS:", a client id of 1 to 128 ASCII
 * letters and digits, ":", and 64 lowercase hexadecimal digits (the secret's SHA-256), nothing
 * before or after. */
bool app_token_is_valid(const char *s);

#endif
