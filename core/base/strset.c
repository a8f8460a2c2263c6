/* strset.c: a string set with linear probing on FNV-1a, SplitMix-mixed (its low bits pick the
 * slot). */
#include "core/base/strset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/hash.h"

static size_t slot_of(const char *const *slots, size_t size, const char *s)
{
    size_t i = (size_t)hash_mix64(hash_fnv1a64(s)) & (size - 1);
    while (slots[i] && strcmp(slots[i], s) != 0)
        i = (i + 1) & (size - 1);
    return i;
}

static int grow(struct strset *set)
{
    size_t size = set->size ? set->size * 2 : 64;
    const char **slots = calloc(size, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < set->size; i++)
        if (set->slots[i])
            slots[slot_of(slots, size, set->slots[i])] = set->slots[i];
    free(set->slots);
    set->slots = slots;
    set->size = size;
    return 0;
}

int strset_add(struct strset *set, const char *s)
{
    if (strset_find(set, s))
        return 0;
    if ((set->count + 1) * 2 > set->size && grow(set) != 0)
        return -1;
    set->slots[slot_of(set->slots, set->size, s)] = s;
    set->count++;
    return 1;
}

const char *strset_find(const struct strset *set, const char *s)
{
    if (!set->size)
        return NULL;
    return set->slots[slot_of(set->slots, set->size, s)];
}

void strset_clear(struct strset *set)
{
    free(set->slots);
    memset(set, 0, sizeof *set);
}
