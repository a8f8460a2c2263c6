/* clock.h: the monotonic clock in milliseconds, for timeouts, back-off timers and elapsed
 * times (never wall-clock time, which may jump), and wall-clock timestamps for people and files
 * (RFC 3339, UTC). */
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

/* The wall clock (CLOCK_REALTIME) now. */
static inline struct timespec clock_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts;
}

/* Milliseconds of the wall clock since the epoch. */
static inline int64_t clock_wall_ms(void)
{
    struct timespec ts = clock_wall();
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Seconds from a to b (either clock, both the same one). */
static inline double clock_seconds_between(struct timespec a, struct timespec b)
{
    return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

/* Formats t as RFC 3339 UTC with milliseconds ("2026-11-27T21:00:00.123Z") into buf. */
void clock_format_utc(struct timespec t, char buf[32]);

/* The same for ms milliseconds of the wall clock since the epoch. */
void clock_format_utc_ms(int64_t ms, char buf[32]);

/* Parses a stamp in the format clock_format_utc writes ("2026-11-27T21:00:00.123Z", the
 * fraction optional) into milliseconds since the epoch. Returns 0, or -1 when s is not one. */
int clock_parse_utc_ms(const char *s, int64_t *ms);

#endif
