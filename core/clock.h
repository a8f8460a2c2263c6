/* clock.h: the monotonic clock in milliseconds, for timeouts, back-off timers and elapsed
 * times (never wall-clock time, which may jump). */
#ifndef TOKENFLEET_CLOCK_H
#define TOKENFLEET_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Milliseconds on CLOCK_MONOTONIC (from an arbitrary start). */
static inline int64_t clock_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
