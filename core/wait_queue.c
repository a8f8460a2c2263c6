/* wait_queue.c: a binary min-heap on due time. */
#include "core/wait_queue.h"

#include <stdlib.h>
#include <string.h>

static void swap(struct wait_entry *a, struct wait_entry *b)
{
    struct wait_entry t = *a;
    *a = *b;
    *b = t;
}

int wait_queue_push(struct wait_queue *q, int64_t due_ms, size_t target)
{
    if (q->count == q->capacity) {
        size_t cap = q->capacity ? q->capacity * 2 : 64;
        struct wait_entry *items = realloc(q->items, cap * sizeof *items);
        if (!items)
            return -1;
        q->items = items;
        q->capacity = cap;
    }
    size_t i = q->count++;
    q->items[i] = (struct wait_entry){due_ms, target};
    while (i > 0 && q->items[(i - 1) / 2].due_ms > q->items[i].due_ms) {
        swap(&q->items[(i - 1) / 2], &q->items[i]);
        i = (i - 1) / 2;
    }
    return 0;
}

const struct wait_entry *wait_queue_peek(const struct wait_queue *q)
{
    return q->count ? &q->items[0] : NULL;
}

void wait_queue_pop(struct wait_queue *q)
{
    if (!q->count)
        return;
    q->items[0] = q->items[--q->count];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < q->count && q->items[l].due_ms < q->items[m].due_ms)
            m = l;
        if (r < q->count && q->items[r].due_ms < q->items[m].due_ms)
            m = r;
        if (m == i)
            break;
        swap(&q->items[i], &q->items[m]);
        i = m;
    }
}

void wait_queue_clear(struct wait_queue *q)
{
    free(q->items);
    memset(q, 0, sizeof *q);
}
