/* capbuf.c: a byte buffer that grows up to a size cap. */
#include "core/base/capbuf.h"

#include <stdlib.h>
#include <string.h>

size_t capbuf_append(struct capbuf *b, const char *data, size_t n)
{
    if (n > b->max - b->len) {
        b->truncated = 1;
        return 0; /* stops the transfer: nothing past the cap is read */
    }
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n)
            cap *= 2;
        if (cap > b->max)
            cap = b->max;
        char *grown = realloc(b->data, cap);
        if (!grown)
            return 0;
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
    return n;
}

void capbuf_reset(struct capbuf *b)
{
    b->len = 0;
    b->truncated = 0;
}

void capbuf_free(struct capbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->truncated = 0;
}
