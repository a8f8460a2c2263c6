/* timer_queue.c: a binary min-heap on (due time, push order). */
#include "core/base/timer_queue.h"

#include <stdlib.h>
#include <string.h>

static int before(const struct timer_entry *a, const struct timer_entry *b)
{
    return a->due_ms != b->due_ms ? a->due_ms < b->due_ms : a->seq < b->seq;
}

static void swap(struct timer_entry *a, struct timer_entry *b)
{
    struct timer_entry t = *a;
    *a = *b;
    *b = t;
}

int timer_queue_push(struct timer_queue *q, int64_t due_ms, size_t id)
{
    if (q->count == q->capacity) {
        size_t cap = q->capacity ? q->capacity * 2 : 64;
        struct timer_entry *items = realloc(q->items, cap * sizeof *items);
        if (!items)
            return -1;
        q->items = items;
        q->capacity = cap;
    }
    size_t i = q->count++;
    q->items[i] = (struct timer_entry){due_ms, q->pushed++, id};
    while (i > 0 && before(&q->items[i], &q->items[(i - 1) / 2])) {
        swap(&q->items[(i - 1) / 2], &q->items[i]);
        i = (i - 1) / 2;
    }
    return 0;
}

const struct timer_entry *timer_queue_peek(const struct timer_queue *q)
{
    return q->count ? &q->items[0] : NULL;
}

void timer_queue_pop(struct timer_queue *q)
{
    if (!q->count)
        return;
    q->items[0] = q->items[--q->count];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < q->count && before(&q->items[l], &q->items[m]))
            m = l;
        if (r < q->count && before(&q->items[r], &q->items[m]))
            m = r;
        if (m == i)
            break;
        swap(&q->items[i], &q->items[m]);
        i = m;
    }
}

void timer_queue_clear(struct timer_queue *q)
{
    free(q->items);
    memset(q, 0, sizeof *q);
}
