/* target.c: the run plan's lifetime. */
#include "core/target.h"

#include <stdlib.h>
#include <string.h>

#include "core/base/strpool.h"

void target_list_clear(struct target_list *list)
{
    strpool_free(list->strings);
    free(list->items);
    memset(list, 0, sizeof *list);
}
