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

/* SplitMix64's finaliser (Steele, Lea, Flood): every bit of the result depends on every bit of
 * x. FNV-1a's low bits are weak (its lowest is the parity of the odd bytes), so a hash taken
 * modulo a power of two is mixed with this first. */
static inline uint64_t hash_mix64(uint64_t x)
{
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* 64-bit FNV-1a of the NUL-terminated string s. */
static inline uint64_t hash_fnv1a64(const char *s)
{
    return hash_fnv1a64_add(HASH_FNV1A64_INIT, s, strlen(s));
}

#endif
