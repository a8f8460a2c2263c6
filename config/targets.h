/* targets.h: building the run plan (core/target.h) from an inventory: its databases expanded into
 * targets, one per (database, region), with their URLs and env-file prefixes; selection by
 * --limit and --shard; passwords resolved for what is chosen. */
#ifndef TOKENFLEET_TARGETS_H
#define TOKENFLEET_TARGETS_H

#include <stddef.h>

#include "config/inventory.h"
#include "core/target.h"

/* The version of the shard hash, recorded in reports so that merge-reports never joins shards
 * split two ways. 1: FNV-1a mod N (tokenfleet 0.1.0 before this was fixed; uneven for powers of
 * two); 2: FNV-1a, SplitMix64-mixed, mod N. It never changes again without a new version. */
#define TARGETS_SHARD_HASH 2

/* Expands every database of inv into targets (in inventory order), filling in the auth URLs
 * (keyspace URLs: see targets_fill_keyspace_urls; an application token's target gets its proof
 * URL, see targets_keyspace_url, as both url and keyspace_url), and reports in d: URLs that do
 * not parse, duplicate targets (same URL and username) and combined-env prefixes that collide.
 * Returns TF_OK, TF_ERR_INVENTORY or TF_ERR_NOMEM; on success *out holds the list (free with
 * target_list_clear), which borrows from inv: free inv after the list. */
enum tf_err targets_expand(const struct inventory *inv, struct diag *d, struct target_list *out);

/* Where check --verify proves a token: the REST API's keyspace resource. From rest_url when the
 * database has one ("{base}/v2/schemas/keyspaces/{keyspace}"), else derived from the auth URL:
 * Astra's ".../api/rest/v1/auth" -> ".../api/rest/v2/schemas/keyspaces/KS"; self-hosted
 * "http://HOST:8081/v1/auth" -> "http://HOST:8082/v2/schemas/keyspaces/KS" (Stargate's REST
 * service port). An application token's database is proven at its API endpoint (api_endpoint
 * filled in, trailing slashes stripped; TARGET_DEFAULT_API_ENDPOINT when none is given):
 * "{endpoint}/api/json/v1/KS" for api data; for api rest from rest_url as above when given,
 * else "{endpoint}/api/rest/v2/schemas/keyspaces/KS". Sets *out to a new string, or to NULL when
 * none applies (never for a token's target); returns TF_OK or TF_ERR_NOMEM. */
enum tf_err targets_keyspace_url(const struct target *t, char **out);

/* Sets the keyspace_url of every password target of list (see targets_keyspace_url). Only check
 * --verify needs them, and at 100 bytes a target they are not made unless asked for:
 * config_load() leaves them NULL (but for application tokens' targets, which targets_expand
 * gave theirs, left as they are). Returns TF_OK or TF_ERR_NOMEM. */
enum tf_err targets_fill_keyspace_urls(struct target_list *list);

/* Sets the names of the run's variables to names when not NULL (the command line's --env-names,
 * which wins over the inventory's env_names that targets_expand took). A target's API endpoint
 * is made where it is written (env_names_values): 100,000 targets do not keep a string no
 * output may write. */
void targets_use_env_names(struct target_list *list, const struct env_names *names);

/* Keeps only the targets that the --limit values select (all when n is 0), as ansible's --limit
 * does: each value is a comma-separated list of patterns (blanks around each trimmed, empty ones
 * skipped), and the patterns of all the values are taken together. A pattern is `tag:NAME`, or a
 * shell glob matched against the target name ("orders/us-east1") and against the database name
 * ("orders"); written `&PATTERN` it intersects, `!PATTERN` it excludes. The selection is the
 * union of the plain patterns (every target when there is none), intersected with each &
 * pattern, less each ! pattern. A pattern that matches no target of the list, plain, & or !
 * alike (a misspelt exclusion must not send to what it meant to leave out), and a selection left
 * empty, are errors in d. Kept targets are moved to items[0..count) in inventory order; the others
 * stay in items[count..total). Returns TF_OK, TF_ERR_INVENTORY or TF_ERR_NOMEM. */
enum tf_err targets_select(struct target_list *list, const char *const *values, size_t n,
                           struct diag *d);

/* As targets_select, where names (a target's name, "orders/us-east1", or a database name, meaning
 * all its regions; exactly, not as a glob) count as plain patterns: a target named or matching a
 * plain pattern is in the union that & and ! patterns then narrow. A name that selects nothing is
 * an error in d. Returns TF_OK, TF_ERR_INVENTORY or TF_ERR_NOMEM. */
enum tf_err targets_select_names(struct target_list *list, const char *const *names, size_t n_names,
                                 const char *const *values, size_t n, struct diag *d);

/* Keeps only shard k of n (0 <= k < n): the targets whose name hashes (TARGETS_SHARD_HASH: 64-bit
 * FNV-1a of the name, mixed by SplitMix64's finaliser, modulo n) to k. Slices are disjoint, cover
 * every target, and stay the same across runs, machines and versions for the same names and n, so
 * that N hosts (or a Kubernetes Indexed Job, k = JOB_COMPLETION_INDEX) can split a fleet. */
void targets_shard(struct target_list *list, unsigned k, unsigned n);

/* The shard (0 <= result < n) that target name belongs to. */
unsigned targets_shard_of(const char *name, unsigned n);

/* Resolves the password or application token of every target in list (each reference once; a
 * token must have an application token's shape, see secret_resolve_token). Returns TF_OK,
 * TF_ERR_INVENTORY when d got errors, or TF_ERR_NOMEM. */
enum tf_err targets_resolve_secrets(struct target_list *list, const struct inventory *inv,
                                    struct diag *d);

#endif
