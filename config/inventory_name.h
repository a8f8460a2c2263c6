/* inventory_name.h: making inventory database names from the names people give databases in
 * Astra ("Orders EU (prod)" -> orders-eu-prod), unique within one inventory. */
#ifndef TOKENFLEET_INVENTORY_NAME_H
#define TOKENFLEET_INVENTORY_NAME_H

#include "core/base/strset.h"

/* Longest name made from another, before a suffix that makes it unique. */
#define INVENTORY_NAME_MAX 64

/* Returns a new string that inventory_is_name() accepts, made from original (any UTF-8 text):
 * ASCII letters lower-cased, every other character that is not a digit or - (a multi-byte
 * character counts as one; _ too, so that two names never differ by - and _ alone, which
 * would give their targets one variable prefix) replaced by -, runs of - made one, - taken off
 * both ends, cut
 * at INVENTORY_NAME_MAX bytes (and what the cut leaves at the end taken off again); "db" when
 * nothing is left. NULL when out of memory. The caller frees. */
char *inventory_name_make(const char *original);

/* Returns a new string: base when taken does not hold it, else base-2, base-3... the first that
 * taken does not hold; the result is added to taken, which borrows it (the caller frees it after
 * the set). NULL when out of memory. */
char *inventory_name_unique(struct strset *taken, const char *base);

#endif
