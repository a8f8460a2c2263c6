/* emu_keyspaces: the keyspaces file (--keyspaces FILE): which keyspaces exist and who may see them.
 */
#ifndef EMU_KEYSPACES_H
#define EMU_KEYSPACES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Longest keyspace name, as in Cassandra. */
#define EMU_KEYSPACE_NAME_MAX 48

/* Read-only once loaded: safe from any thread. */
struct emu_keyspaces;

/*
 * Loads PATH: "KEYSPACE [USER...]" a line, fields separated by blanks, a field starting with '#'
 * ending the line (a comment), blank lines skipped; no users means every user may see it. Returns a
 * new set (free it with emu_keyspaces_free), or NULL after printing "PATH:LINE: why" (or
 * "PATH: why") to ERR.
 */
struct emu_keyspaces *emu_keyspaces_load(const char *path, FILE *err);

/* Frees KS; NULL is a no-op. */
void emu_keyspaces_free(struct emu_keyspaces *ks);

/* Returns how many keyspaces KS holds; 0 for NULL. */
size_t emu_keyspaces_count(const struct emu_keyspaces *ks);

/*
 * Returns true when keyspace NAME (NLEN bytes, compared exactly) is in KS and USER (ULEN bytes,
 * may hold NULs) may see it. KS NULL holds no keyspace.
 */
bool emu_keyspaces_visible(const struct emu_keyspaces *ks, const char *name, size_t nlen,
                           const char *user, size_t ulen);

/* Returns true when S (LEN bytes) is a keyspace name: 1 to 48 letters, digits and '_'. */
bool emu_keyspaces_valid_name(const char *s, size_t len);

#endif
