/* strpool.c: bump allocation of strings from large chunks, freed all at once. */
#include "core/base/strpool.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct chunk {
    struct chunk *next; /* the chunk filled before this one */
    size_t used, size;  /* bytes of data[] given out, and there are */
    char data[];
};

struct strpool {
    struct chunk *chunks; /* the one being filled first; then the full ones (and big strings) */
};

struct strpool *strpool_new(void)
{
    return calloc(1, sizeof(struct strpool));
}

static struct chunk *chunk_new(size_t size)
{
    if (size > SIZE_MAX - sizeof(struct chunk))
        return NULL;
    struct chunk *c = malloc(sizeof *c + size);
    if (!c)
        return NULL;
    c->next = NULL;
    c->used = 0;
    c->size = size;
    return c;
}

char *strpool_alloc(struct strpool *pool, size_t n)
{
    struct chunk *head = pool->chunks;
    if (head && head->size - head->used >= n) {
        char *s = head->data + head->used;
        head->used += n;
        return s;
    }
    if (n > STRPOOL_CHUNK_BYTES / 4) {
        /* A string of its own: behind the current chunk, whose free room stays in use. */
        struct chunk *big = chunk_new(n);
        if (!big)
            return NULL;
        big->used = n;
        if (head) {
            big->next = head->next;
            head->next = big;
        } else {
            pool->chunks = big;
        }
        return big->data;
    }
    struct chunk *c = chunk_new(STRPOOL_CHUNK_BYTES - sizeof(struct chunk));
    if (!c)
        return NULL;
    c->next = head;
    pool->chunks = c;
    c->used = n;
    return c->data;
}

void *strpool_alloc_aligned(struct strpool *pool, size_t n)
{
    /* Padding the request by the worst case keeps strpool_alloc the one allocator; the bytes
     * skipped before the aligned start stay unused. */
    const size_t align = _Alignof(max_align_t);
    if (n > SIZE_MAX - align)
        return NULL;
    char *room = strpool_alloc(pool, n + align - 1);
    if (!room)
        return NULL;
    return room + ((align - (uintptr_t)room % align) % align);
}

static char *dup_len(struct strpool *pool, const char *s, size_t len)
{
    char *copy = strpool_alloc(pool, len + 1);
    if (!copy)
        return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

char *strpool_dupn(struct strpool *pool, const char *s, size_t n)
{
    return dup_len(pool, s, strnlen(s, n));
}

char *strpool_dup(struct strpool *pool, const char *s)
{
    return dup_len(pool, s, strlen(s));
}

void strpool_free(struct strpool *pool)
{
    if (!pool)
        return;
    for (struct chunk *c = pool->chunks, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(pool);
}
