/* strset.h: a set of strings (hash table, open addressing), for telling at once whether a name
 * or an id was seen before among many (100,000 databases). The strings are borrowed. */
#ifndef TOKENFLEET_STRSET_H
#define TOKENFLEET_STRSET_H

#include <stddef.h>

struct strset {
    const char **slots; /* NULL = free; a power of two of them, at most half used; owned array */
    size_t size;        /* slots */
    size_t count;       /* strings in the set */
};

/* Adds s (borrowed: it must outlive the set, unchanged) to set (zeroed before first use).
 * Returns 1 when s was added, 0 when an equal string was in the set already, -1 when out of
 * memory (the set is unchanged). */
int strset_add(struct strset *set, const char *s);

/* Returns the string of set equal to s, or NULL when there is none. */
const char *strset_find(const struct strset *set, const char *s);

/* Frees the set's array (not the strings) and zeroes it; safe on a zeroed set. */
void strset_clear(struct strset *set);

#endif
