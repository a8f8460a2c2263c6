/* utf8.h: telling valid UTF-8 from what is not, and repairing text from outside (a server's
 * message, a file) so that it can go into JSON, XML or a log line. */
#ifndef TOKENFLEET_UTF8_H
#define TOKENFLEET_UTF8_H

#include <stddef.h>

/* Returns the length of the longest prefix of s[0..len) that is whole, valid UTF-8 (so a cut
 * there never splits a character); equals len when all of it is valid. */
size_t utf8_valid_prefix(const char *s, size_t len);

/* Copies s[0..len) into out, each byte that is not part of a valid UTF-8 character replaced by
 * '?', stopping before more than cap bytes would be written and never inside a character; out
 * must hold cap + 1 bytes and is NUL-terminated. Returns the bytes written; *consumed (when not
 * NULL) gets how many bytes of s they stand for (len when all of s fit). */
size_t utf8_repair(const char *s, size_t len, char *out, size_t cap, size_t *consumed);

/* Returns a new string: s with every byte that is not valid UTF-8 replaced by '?' (the same
 * length), or NULL when out of memory. Caller frees. */
char *utf8_repaired(const char *s);

#endif
