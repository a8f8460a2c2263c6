/* hash.c: FNV-1a. */
#include "core/base/hash.h"

uint64_t hash_fnv1a64(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    return h;
}
