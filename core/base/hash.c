/* hash.c: FNV-1a. */
#include "core/base/hash.h"

uint64_t hash_fnv1a64_add(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}
