/* clock.c: timestamps. */
#include "core/base/clock.h"

#include <stdio.h>
#include <string.h>

void clock_format_utc(struct timespec t, char buf[32])
{
    struct tm tm;
    gmtime_r(&t.tv_sec, &tm);
    size_t n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, 32 - n, ".%03ldZ", t.tv_nsec / 1000000L);
}

void clock_format_utc_ms(int64_t ms, char buf[32])
{
    struct timespec t = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
    clock_format_utc(t, buf);
}

int clock_parse_utc_ms(const char *s, int64_t *ms)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!end)
        return -1;
    long frac = 0;
    if (end[0] == '.' && end[1] >= '0' && end[1] <= '9' && end[2] >= '0' && end[2] <= '9' &&
        end[3] >= '0' && end[3] <= '9') {
        frac = (end[1] - '0') * 100 + (end[2] - '0') * 10 + (end[3] - '0');
        end += 4;
    }
    if (strcmp(end, "Z") != 0)
        return -1;
    time_t secs = timegm(&tm);
    if (secs == (time_t)-1)
        return -1;
    *ms = (int64_t)secs * 1000 + frac;
    return 0;
}
