/* strpool.h: a string pool (arena) for strings that all live exactly as long as their owner (an
 * inventory, a target list): bump-allocated from large chunks and freed all at once. 100,000
 * databases hold some 700,000 short strings; one malloc each cost more in malloc's overhead than
 * the strings themselves. Not for passwords: they must be zeroed when freed, one by one. */
#ifndef TOKENFLEET_STRPOOL_H
#define TOKENFLEET_STRPOOL_H

#include <stddef.h>

/* Bytes of a chunk; a string longer than a quarter of it gets a chunk of its own. */
#define STRPOOL_CHUNK_BYTES (64 * 1024)

struct strpool;

/* Returns a new, empty pool (free with strpool_free), or NULL when out of memory. Allocates no
 * chunk until the first string. */
struct strpool *strpool_new(void);

/* Returns room for n bytes in pool (not initialized, no alignment: for chars only), or NULL when
 * out of memory. It belongs to the pool: valid until strpool_free, never freed on its own. */
char *strpool_alloc(struct strpool *pool, size_t n);

/* Returns room for n bytes in pool aligned for any type (max_align_t), not initialized: for a
 * small struct that lives as long as the pool's strings (an inventory's field given once in
 * 100,000 databases). Belongs to the pool as strpool_alloc's; NULL when out of memory. */
void *strpool_alloc_aligned(struct strpool *pool, size_t n);

/* Returns a copy of s in pool (as strpool_alloc), or NULL when out of memory. */
char *strpool_dup(struct strpool *pool, const char *s);

/* Returns a copy of the first n bytes of s (stopping early at a NUL), NUL-terminated, in pool (as
 * strpool_alloc), or NULL when out of memory. */
char *strpool_dupn(struct strpool *pool, const char *s, size_t n);

/* Frees pool and every string in it. strpool_free(NULL) is a no-op. */
void strpool_free(struct strpool *pool);

#endif
