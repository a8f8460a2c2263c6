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

/* Where a line of a file is, for messages about it. */
struct emu_where {
    FILE *err;          /* messages go here */
    const char *path;   /* the file */
    unsigned long line; /* 1-based */
};

/* Prints "PATH:LINE: message" to w->err. */
__attribute__((format(printf, 2, 3))) void emu_conf_bad(const struct emu_where *w, const char *fmt,
                                                        ...);

/* Reads the file at path line by line (each at most max_line - 2 bytes), handing each line to
 * take(w, line, ctx), which returns 0 to go on or -1 to stop (having said why). A file that
 * cannot be opened or read, a line too long or holding a NUL are said to err. Returns 0 when
 * every line was taken, else -1. */
int emu_conf_read_file(const char *path, size_t max_line, FILE *err,
                       int (*take)(const struct emu_where *w, char *line, void *ctx), void *ctx);

/* Room for one more element in the array v of n elements of size bytes with capacity *cap:
 * returns v when it has room, else v grown (doubled, 16 at first; *cap updated), or NULL when
 * out of memory (v untouched, still the caller's). */
void *emu_conf_grow(void *v, size_t n, size_t *cap, size_t size);

/* memcmp-style order of two byte strings of the given lengths (a prefix sorts first). */
int emu_conf_cmp_bytes(const char *a, size_t alen, const char *b, size_t blen);

#endif
