/* emu_apptokens: Astra application tokens ("AstraCS:" + client id + ":" + 64 hex digits) read from
 * a file (--app-tokens, --org-tokens), each with the databases it may reach; re-read on demand. */
#ifndef EMU_APPTOKENS_H
#define EMU_APPTOKENS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Characters in a database id: a lowercase UUID. */
#define EMU_DB_ID_LEN 36

/* Longest client id accepted between "AstraCS:" and the secret. */
#define EMU_APPTOKEN_CLIENT_MAX 128

/* Thread-safe: lookups and reloads take the set's mutex. */
struct emu_apptokens;

/*
 * Loads PATH: "TOKEN [DATABASE-ID...]" a line, fields separated by blanks, a field starting with
 * '#' ending the line, blank lines skipped. No database ids: the token reaches every database.
 * Returns a new set (free it with emu_apptokens_free), or NULL after printing "PATH:LINE: why" (or
 * "PATH: why") to ERR. The set keeps PATH (not copied) for emu_apptokens_reload.
 */
struct emu_apptokens *emu_apptokens_load(const char *path, FILE *err);

/*
 * Reads the set's file again and, if it is good, replaces the set's tokens with it at once (a
 * token no longer listed is refused from then on). Returns the number of tokens now held, or -1
 * after a message to ERR: the old tokens stay. NULL is a no-op that returns 0.
 */
long emu_apptokens_reload(struct emu_apptokens *ts, FILE *err);

/* Frees TS; NULL is a no-op. */
void emu_apptokens_free(struct emu_apptokens *ts);

/* Returns how many tokens TS holds now; 0 for NULL. */
size_t emu_apptokens_count(struct emu_apptokens *ts);

/* What a known token may reach: ALL, or the N database ids in IDS. */
struct emu_apptoken_grant {
    bool all;                       /* every database */
    size_t n;                       /* ids in IDS when not ALL */
    char (*ids)[EMU_DB_ID_LEN + 1]; /* NUL-terminated lowercase ids (malloc), or NULL */
};

/*
 * Looks TOKEN (LEN bytes, compared exactly) up in TS (NULL holds no token). Returns 1 with *G
 * filled (free it with emu_apptoken_grant_clear), 0 when TS does not hold it, -1 on ENOMEM.
 */
int emu_apptokens_lookup(struct emu_apptokens *ts, const char *token, size_t len,
                         struct emu_apptoken_grant *g);

/* Returns true when G reaches database ID (NUL-terminated; NULL: a host that names no database,
 * which only a grant of every database reaches). */
bool emu_apptoken_grant_allows(const struct emu_apptoken_grant *g, const char *id);

/* Frees G's ids and empties it. */
void emu_apptoken_grant_clear(struct emu_apptoken_grant *g);

/* Returns true when S (LEN bytes) has an application token's form: "AstraCS:", a client id of 1 to
 * EMU_APPTOKEN_CLIENT_MAX ASCII letters and digits, ":", 64 lowercase hex digits. */
bool emu_apptoken_wellformed(const char *s, size_t len);

/* For a well-formed token S, sets *LEN to its client id's length and returns where it starts. */
const char *emu_apptoken_client_id(const char *s, size_t *len);

/* Returns true when S (LEN bytes) is a database id: a UUID, hex digits in either case. */
bool emu_db_id_valid(const char *s, size_t len);

#endif
