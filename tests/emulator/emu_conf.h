/* emu_conf.h: what the emulator's line-based files (users, faults, keyspaces) share: reading a
 * line, blanks between fields, comparing byte strings. */
#ifndef EMU_CONF_H
#define EMU_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Reads one line into buf (capacity cap) without its line end ("\n" or "\r\n"), NUL-terminated.
 * Returns 1 for a line, 0 at end of file, -1 when the line does not fit or holds a NUL, -2 on a
 * read error. */
int emu_conf_read_line(FILE *f, char *buf, size_t cap);

/* True for the blanks that separate fields: space and tab. */
bool emu_conf_is_space(char c);

/*
 * Finds TEXT's blank-separated fields, stopping at a field that starts with '#' (a comment). With
 * FIELDS, cuts TEXT in place (a NUL after each field) and stores the first MAX fields there; with
 * FIELDS NULL it only counts them, leaving TEXT as it is. Returns how many fields there are.
 */
size_t emu_conf_split_fields(char *text, const char **fields, size_t max);

/* memcmp-style order of two byte strings of the given lengths (a prefix sorts first). */
int emu_conf_cmp_bytes(const char *a, size_t alen, const char *b, size_t blen);

#endif
