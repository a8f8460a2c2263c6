/* notify.c: sd_notify. */
#include "core/base/notify.h"

#include <systemd/sd-daemon.h>

void notify_send(const char *state)
{
    sd_notify(0, state); /* a failure is the manager's to notice (a missed READY or watchdog) */
}

int64_t notify_watchdog_interval_ms(void)
{
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0 || !usec)
        return 0;
    int64_t ms = (int64_t)(usec / 2000);
    return ms > 0 ? ms : 1;
}
