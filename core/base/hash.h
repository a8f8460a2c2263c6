/* hash.h: a fixed, documented string hash, the same on every machine and version. */
#ifndef TOKENFLEET_HASH_H
#define TOKENFLEET_HASH_H

#include <stdint.h>

/* 64-bit FNV-1a of the NUL-terminated string s. */
uint64_t hash_fnv1a64(const char *s);

#endif
