/* wait_queue.h: targets waiting for their next attempt, ordered by when it is due (a min-heap,
 * so that each event costs O(log n) however many targets wait). */
#ifndef TOKENFLEET_WAIT_QUEUE_H
#define TOKENFLEET_WAIT_QUEUE_H

#include <stddef.h>
#include <stdint.h>

struct wait_entry {
    int64_t due_ms; /* monotonic milliseconds */
    size_t target;  /* index of the target */
};

struct wait_queue {
    struct wait_entry *items; /* heap order; owned */
    size_t count, capacity;
};

/* Adds an entry. Returns 0, or -1 when out of memory. */
int wait_queue_push(struct wait_queue *q, int64_t due_ms, size_t target);
/* The entry due first, or NULL when empty. */
const struct wait_entry *wait_queue_peek(const struct wait_queue *q);
/* Removes the entry due first; no-op when empty. */
void wait_queue_pop(struct wait_queue *q);
/* Frees the entries; the struct is the caller's. */
void wait_queue_clear(struct wait_queue *q);

#endif
