/* inventory_private.h: what inventory.c and inventory_yaml.c share, and nobody else uses. */
#ifndef TOKENFLEET_INVENTORY_PRIVATE_H
#define TOKENFLEET_INVENTORY_PRIVATE_H

#include "config/inventory.h"

/* Parses the YAML document at path (standard input for "-", read whole into memory) into inv
 * (structure and types only), its strings into inv->strings (made when NULL). Used by
 * inventory_load; returns TF_OK, TF_ERR_INVENTORY (errors in d), TF_ERR_IO or TF_ERR_NOMEM. */
enum tf_err inventory_parse_yaml(const char *path, struct diag *d, struct inventory *inv);

/* Frees what one database owns (not the struct itself): its lists' arrays and its own password
 * and token; its strings belong to the inventory's pool. Not for a database of a loaded
 * inventory, whose inherited lists belong to the defaults (inventory_free frees those). */
void database_clear(struct database *db);

#endif
