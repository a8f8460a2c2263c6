/* capbuf.h: a byte buffer that grows up to a size cap, for bodies read from the network (a
 * libcurl write callback appends to one). */
#ifndef TOKENFLEET_CAPBUF_H
#define TOKENFLEET_CAPBUF_H

#include <stddef.h>

struct capbuf {
    char *data;    /* len bytes, not NUL-terminated; owned, NULL until the first append */
    size_t len;    /* bytes held */
    size_t cap;    /* bytes allocated */
    size_t max;    /* the cap: never more than this many bytes are held */
    int truncated; /* an append would have gone past max (and was refused) */
};

/* Appends the n bytes at data. Returns n; or 0 when they would take b past b->max (b->truncated
 * set, nothing appended) or when out of memory: 0 is what tells libcurl to stop the transfer. */
size_t capbuf_append(struct capbuf *b, const char *data, size_t n);

/* Empties b for the next body, keeping its memory. */
void capbuf_reset(struct capbuf *b);

/* Frees what b holds; b->max is kept. Safe on a zeroed buffer. */
void capbuf_free(struct capbuf *b);

#endif
