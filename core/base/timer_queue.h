/* timer_queue.h: things waiting for a moment (a target's next attempt), ordered by when they are
 * due: a min-heap, so that each event costs O(log n) however many wait. Timers due at the same
 * moment come out in the order they were pushed (ties broken by a push counter, as libuv's
 * timer_less_than does with its start id). */
#ifndef TOKENFLEET_TIMER_QUEUE_H
#define TOKENFLEET_TIMER_QUEUE_H

#include <stddef.h>
#include <stdint.h>

struct timer_entry {
    int64_t due_ms; /* monotonic milliseconds */
    uint64_t seq;   /* push order, for ties */
    size_t id;      /* the caller's (a target index) */
};

struct timer_queue {
    struct timer_entry *items; /* heap order; owned */
    size_t count, capacity;
    uint64_t pushed; /* entries pushed so far: the next seq */
};

/* Adds id, due at due_ms. Returns 0, or -1 when out of memory. */
int timer_queue_push(struct timer_queue *q, int64_t due_ms, size_t id);
/* The entry due first (of those due at once, the first pushed), or NULL when empty. */
const struct timer_entry *timer_queue_peek(const struct timer_queue *q);
/* Removes the entry that timer_queue_peek returns; no-op when empty. */
void timer_queue_pop(struct timer_queue *q);
/* Frees the entries; the struct is the caller's. */
void timer_queue_clear(struct timer_queue *q);

#endif
