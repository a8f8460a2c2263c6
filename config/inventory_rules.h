/* inventory_rules.h: what the inventory accepts as a value, one rule a function: what loading
 * an inventory checks, and what discover checks before it writes a value into one. */
#ifndef TOKENFLEET_INVENTORY_RULES_H
#define TOKENFLEET_INVENTORY_RULES_H

#include <stdbool.h>

/* A database name: a lowercase letter or digit, then lowercase letters, digits, _ and -. */
bool inventory_is_name(const char *s);

/* A region name as the clouds spell them: us-east1 (GCP), us-east-1 (AWS), eastus (Azure): a
 * lowercase letter, then lowercase letters, digits and single dashes, not ending in one; at most
 * 32 bytes. */
bool inventory_is_region(const char *s);

/* A Cassandra keyspace name: 1 to 48 letters, digits and underscores. */
bool inventory_is_keyspace(const char *s);

/* A tag: letters, digits, _, . and -, at least one. */
bool inventory_is_tag(const char *s);

/* A cluster id: a UUID in its 36-character text form (either case). */
bool inventory_is_uuid(const char *s);

/* True when url is plain http:// to a host that is not this machine (localhost, 127.0.0.0/8,
 * ::1): what it carries (a password, a token) would cross the network in the clear. */
bool inventory_is_plain_http_elsewhere(const char *url);

#endif
