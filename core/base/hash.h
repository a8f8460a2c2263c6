/* hash.h: a fixed, documented hash (64-bit FNV-1a), the same on every machine and version. */
#ifndef TOKENFLEET_HASH_H
#define TOKENFLEET_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* FNV-1a's offset basis: the state before any byte. */
#define HASH_FNV1A64_INIT 14695981039346656037ULL

/* Returns state h advanced over len bytes of data (start from HASH_FNV1A64_INIT, or a value
 * mixed into it as a seed). */
uint64_t hash_fnv1a64_add(uint64_t h, const void *data, size_t len);

/* 64-bit FNV-1a of the NUL-terminated string s. */
static inline uint64_t hash_fnv1a64(const char *s)
{
    return hash_fnv1a64_add(HASH_FNV1A64_INIT, s, strlen(s));
}

#endif
