/* target.c: the run plan's lifetime. */
#include "core/target.h"

#include <stdlib.h>
#include <string.h>

#include "core/base/strpool.h"

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
