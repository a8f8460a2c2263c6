/* inventory_write.h: writing an inventory (YAML) from the databases the DevOps API listed, for
 * discover: one entry per database with a name made from its Astra name, its id, regions,
 * keyspace and API kind; those whose status is not asked for, commented out; those the
 * inventory could not take, commented out with the reason. Only values checked against the
 * inventory's own rules (config/inventory_rules.h) are written as values. */
#ifndef TOKENFLEET_INVENTORY_WRITE_H
#define TOKENFLEET_INVENTORY_WRITE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/base/errors.h"
#include "core/devops.h"

struct inventory_write_options {
    const char *token_env;       /* defaults: token: {env: NAME}; env_names_valid */
    const char *api_url;         /* where the list came from, for the header */
    const char *const *statuses; /* the statuses written as entries (upper case) */
    size_t n_statuses;
    const char *writer; /* what wrote it, for the header ("tokenfleet 0.1.0") */
    int64_t now_ms;     /* when, wall clock (ms since the epoch), for the header */
};

/* How many databases went which way. */
struct inventory_write_counts {
    size_t written;   /* entries (status in statuses) */
    size_t parked;    /* commented out: another status */
    size_t malformed; /* commented out: the inventory could not take it, with the reason */
};

/* Writes the inventory for l's databases to out, in l's order: a header comment (writer, time,
 * API URL, the counts), version: 1, defaults: with the token variable, then databases:. Each
 * database gets a unique name (inventory_name.h); when the name differs from its Astra name,
 * that name follows in a comment, control characters and line breaks replaced. Fills *counts.
 * Returns TF_OK or TF_ERR_NOMEM; a write error shows in ferror(out). */
enum tf_err inventory_write(FILE *out, const struct devops_listing *l,
                            const struct inventory_write_options *o,
                            struct inventory_write_counts *counts);

/* Returns a new copy of s fit to go into a YAML comment on one line: control characters and
 * what YAML takes for a line break (U+0085, U+2028, U+2029), a BOM and the non-characters U+FFFE
 * and U+FFFF replaced by '?', bytes that are not UTF-8 too, cut at max bytes with "..." (never
 * inside a character). NULL when out of memory. The caller frees. */
char *inventory_comment_text(const char *s, size_t max);

#endif
