/* target.c: the run plan's lifetime, and the URLs made from its templates. */
#include "core/target.h"

#include <stdlib.h>
#include <string.h>

#include "core/base/strpool.h"

/* Writes tpl with {id} and {region} filled in to out (when not NULL), without the NUL; returns
 * its length. */
static size_t fill(char *out, const char *tpl, const char *id, const char *region)
{
    size_t len = 0;
    for (const char *p = tpl; *p;) {
        const char *value = NULL;
        size_t skip = 0;
        if (!strncmp(p, "{id}", 4)) {
            value = id;
            skip = 4;
        } else if (!strncmp(p, "{region}", 8)) {
            value = region;
            skip = 8;
        }
        if (value) {
            size_t vl = strlen(value);
            if (out)
                memcpy(out + len, value, vl);
            len += vl;
            p += skip;
        } else {
            if (out)
                out[len] = *p;
            len++;
            p++;
        }
    }
    return len;
}

char *target_fill_template(struct strpool *pool, const char *tpl, const char *id,
                           const char *region)
{
    size_t len = fill(NULL, tpl, id, region);
    char *out = pool ? strpool_alloc(pool, len + 1) : malloc(len + 1);
    if (!out)
        return NULL;
    fill(out, tpl, id, region);
    out[len] = '\0';
    return out;
}

const char *target_api_endpoint(const struct target_db *db)
{
    return db->api_endpoint && db->api_endpoint->value ? db->api_endpoint->value
                                                       : TARGET_DEFAULT_API_ENDPOINT;
}

struct tf_mark target_api_endpoint_at(const struct target_db *db)
{
    return db->api_endpoint ? db->api_endpoint->at : (struct tf_mark){0, 0};
}

void target_list_clear(struct target_list *list)
{
    strpool_free(list->strings);
    free(list->items);
    memset(list, 0, sizeof *list);
}
