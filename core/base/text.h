/* text.h: small string helpers (allocation, character classes, secrets). */
#ifndef TOKENFLEET_TEXT_H
#define TOKENFLEET_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/base/msg.h"

/* Returns a new string formatted as printf would, or NULL when out of memory. Caller frees. */
char *text_printf(const char *fmt, ...) TF_PRINTF(1, 2);

/* True when every byte of s is in [A-Za-z0-9_@%+=:,./-], the set that every env-file reader
 * (sh, docker --env-file, systemd, python-dotenv, Node dotenv) reads back unchanged when written
 * bare. The empty string is portable. See README.md, "Env files". */
bool text_is_portable(const char *s);

/* Replaces, in place, every control character of s (C0, DEL, and the C1 range U+0080-U+009F,
 * which terminals also obey) with '?'. Text from outside (a server's message, an inventory value)
 * goes through this before it is printed. */
void text_replace_controls(char *s);

/* Returns a new copy of s with every occurrence of secret replaced by "********" (a copy of s
 * when secret is NULL or empty), or NULL when out of memory. For text from outside that might
 * echo what was sent (a proxy quoting the request body). */
char *text_redact(const char *s, const char *secret);

/* Levenshtein distance between a and b, capped at cap+1 (enough to rank suggestions). */
size_t text_edit_distance(const char *a, const char *b, size_t cap);

/* The word of list (NULL-terminated) nearest to word by text_edit_distance, when it is at most
 * max_dist edits away (ties: the first); NULL when none is. For "did you mean ...?". */
const char *text_nearest(const char *word, const char *const *list, size_t max_dist);

/* Overwrites s with zeros (so a password does not linger in freed memory) and frees it.
 * text_free_secret(NULL) is a no-op. */
void text_free_secret(char *s);

#endif
