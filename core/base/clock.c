/* clock.c: timestamps. */
#include "core/base/clock.h"

#include <stdio.h>

void clock_format_utc(struct timespec t, char buf[32])
{
    struct tm tm;
    gmtime_r(&t.tv_sec, &tm);
    size_t n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, 32 - n, ".%03ldZ", t.tv_nsec / 1000000L);
}
