/* emu_tokens: the emulator's token table, token -> user, with Stargate's sliding lifetime and
 * its token validation cache. */
#ifndef EMU_TOKENS_H
#define EMU_TOKENS_H

#include <stddef.h>

/* A token is a lowercase UUID v4: 36 characters. */
#define EMU_TOKEN_LEN 36

/* Stargate keeps a token row 1800 s after its last use (a TTL rewritten on each use). */
#define EMU_TOKEN_TTL_DEFAULT 1800u

/* Stargate answers a token from its validation cache for 60 s after the validation that read (and
 * rewrote) the token's row. */
#define EMU_TOKEN_CACHE_DEFAULT 60u

/* Thread-safe: every function takes the table's mutex. */
struct emu_tokens;

/*
 * Returns a new, empty table, or NULL (ENOMEM). A token's row lives TTL_S seconds after its
 * creation or the latest use that read it. A use that reads the row puts the token in the cache
 * for CACHE_S seconds; a use while it is there is accepted without reading the row, so it neither
 * restarts the row's lifetime nor minds that the row has expired. CACHE_S 0: no cache, every use
 * reads the row.
 */
struct emu_tokens *emu_tokens_new(unsigned int ttl_s, unsigned int cache_s);

/* Frees TS and every token in it; NULL is a no-op. */
void emu_tokens_free(struct emu_tokens *ts);

/*
 * Issues a new random token for USER (ULEN bytes, may hold NULs) and writes it, NUL-terminated,
 * to OUT. Expired tokens are swept out now and then on the way. Returns 0, or -1 (ENOMEM).
 */
int emu_tokens_create(struct emu_tokens *ts, const char *user, size_t ulen,
                      char out[EMU_TOKEN_LEN + 1]);

/*
 * Uses TOKEN (LEN bytes, compared exactly). Returns 1 when it is accepted: it is in the cache
 * (nothing else happens), or else its row has not expired (the row's lifetime restarts and the
 * token enters the cache). When USER_OUT is not NULL it also gets a newly allocated,
 * NUL-terminated copy of the token's user (the caller frees it) and ULEN_OUT, if not NULL, its
 * length. Returns 0 for an unknown token or one whose row and cache entry have both expired (it
 * is removed), -1 on ENOMEM.
 */
int emu_tokens_use(struct emu_tokens *ts, const char *token, size_t len, char **user_out,
                   size_t *ulen_out);

/* Forgets every token, cache entries included, as a coordinator that lost its token table would.
 * Returns how many tokens the table held (expired ones not yet swept included). */
size_t emu_tokens_forget(struct emu_tokens *ts);

/* Returns how many tokens the table holds, expired ones not yet swept included. */
size_t emu_tokens_count(struct emu_tokens *ts);

#endif
