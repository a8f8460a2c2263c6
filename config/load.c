/* load.c: inventory -> selected targets with passwords, reporting every mistake at once. */
#include "config/load.h"

#include <string.h>

static enum tf_err load(const char *path, const char *const *patterns, size_t n,
                        const struct shard *shard, FILE *diag_out, int quiet, int resolve,
                        struct inventory **inv, struct target_list *targets)
{
    struct selection sel = {
        .patterns = patterns, .n_patterns = n, .shard = shard, .no_secrets = !resolve};
    return config_load_selection(path, &sel, diag_out, quiet, inv, targets);
}

enum tf_err config_load_selection(const char *path, const struct selection *sel, FILE *diag_out,
                                  int quiet, struct inventory **inv, struct target_list *targets)
{
    const struct shard *shard = sel->shard;
    *inv = NULL;
    memset(targets, 0, sizeof *targets);
    struct diag *d = diag_new(inventory_name(path));
    if (!d)
        return TF_ERR_NOMEM;
    enum tf_err rc = inventory_load(path, d, inv);
    if (rc == TF_OK)
        rc = targets_expand(*inv, d, targets);
    if (rc == TF_OK)
        rc = targets_select_names(targets, sel->names, sel->n_names, sel->patterns, sel->n_patterns,
                                  d);
    if (rc == TF_OK && shard && shard->count)
        targets_shard(targets, shard->index, shard->count);
    if (rc == TF_OK && !sel->no_secrets)
        rc = targets_resolve_secrets(targets, *inv, d);
    diag_print(d, diag_out, quiet);
    if (rc == TF_OK && d->errors)
        rc = TF_ERR_INVENTORY;
    if (rc != TF_OK) {
        target_list_clear(targets);
        inventory_free(*inv);
        *inv = NULL;
    }
    diag_free(d);
    return rc;
}

enum tf_err config_load(const char *path, const char *const *patterns, size_t n,
                        const struct shard *shard, FILE *diag_out, int quiet,
                        struct inventory **inv, struct target_list *targets)
{
    return load(path, patterns, n, shard, diag_out, quiet, 1, inv, targets);
}

enum tf_err config_load_plan(const char *path, const char *const *patterns, size_t n,
                             const struct shard *shard, FILE *diag_out, int quiet,
                             struct inventory **inv, struct target_list *targets)
{
    return load(path, patterns, n, shard, diag_out, quiet, 0, inv, targets);
}
