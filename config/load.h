/* load.h: from an inventory path and --limit patterns to the targets of a run, passwords resolved;
 * the one entry point that validate and provision share. */
#ifndef TOKENFLEET_LOAD_H
#define TOKENFLEET_LOAD_H

#include <stdio.h>

#include "config/inventory.h"
#include "config/targets.h"

/* Which slice of the fleet a run takes (--shard K/N); count 0 = all of it. */
struct shard {
    unsigned index; /* 0 <= index < count */
    unsigned count;
};

/* What of the fleet a run takes: the targets that --target names or a --limit pattern matches
 * (all when both are empty), in --shard's slice. */
struct selection {
    const char *const *patterns; /* --limit */
    size_t n_patterns;
    const char *const *names; /* exec --target: target or database names, exact */
    size_t n_names;
    const struct shard *shard; /* NULL or count 0 = all */
    int no_secrets;            /* read no password (list): see config_load_plan */
};

/* Loads path, expands its targets, keeps those matching patterns (all when n is 0) and in the
 * shard (all when shard is NULL or its count 0), and resolves their passwords. Diagnostics (errors
 * and, unless quiet, warnings) are printed to diag_out. Returns TF_OK with *inv and *targets set
 * (free targets first, then inv); TF_ERR_INVENTORY when the inventory had errors (nothing is set);
 * TF_ERR_NOMEM. */
enum tf_err config_load(const char *path, const char *const *patterns, size_t n,
                        const struct shard *shard, FILE *diag_out, int quiet,
                        struct inventory **inv, struct target_list *targets);

/* As config_load, but no password is read: every target's password->value stays NULL, and an
 * unset variable or unreadable file named as a password source is no error. For commands that
 * send nothing and need no secret (list, which shell completion runs in a shell that rarely
 * holds the passwords). */
enum tf_err config_load_plan(const char *path, const char *const *patterns, size_t n,
                             const struct shard *shard, FILE *diag_out, int quiet,
                             struct inventory **inv, struct target_list *targets);

/* config_load for a selection that may also name targets (targets_select_names); returns as
 * config_load, a name that selects nothing being an inventory error. */
enum tf_err config_load_selection(const char *path, const struct selection *sel, FILE *diag_out,
                                  int quiet, struct inventory **inv, struct target_list *targets);

#endif
