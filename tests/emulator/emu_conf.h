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

/* memcmp-style order of two byte strings of the given lengths (a prefix sorts first). */
int emu_conf_cmp_bytes(const char *a, size_t alen, const char *b, size_t blen);

#endif
