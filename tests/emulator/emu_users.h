/* emu_users: the emulator's accounts, loaded from a "username:password" file. */
#ifndef EMU_USERS_H
#define EMU_USERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Read-only after loading, so any number of threads may call emu_users_check at once. */
struct emu_users;

/*
 * Loads PATH: one "username:password" a line, split at the first ':', "\n" or "\r\n" line ends;
 * blank lines and lines starting with '#' are skipped. Returns a new table (free it with
 * emu_users_free), or NULL after printing "PATH:LINE: why" (or "PATH: why") to ERR.
 */
struct emu_users *emu_users_load(const char *path, FILE *err);

/* Returns true when USER (ULEN bytes, may hold NULs) exists and its password is exactly PW (PLEN).
 */
bool emu_users_check(const struct emu_users *users, const char *user, size_t ulen, const char *pw,
                     size_t plen);

/* Returns how many accounts USERS holds. */
size_t emu_users_count(const struct emu_users *users);

/* Frees USERS; NULL is a no-op. */
void emu_users_free(struct emu_users *users);

#endif
