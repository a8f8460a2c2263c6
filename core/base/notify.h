/* notify.h: telling a service manager how we are (systemd's notify protocol, through
 * libsystemd's sd_notify): READY=1, STATUS=..., WATCHDOG=1, STOPPING=1. Without NOTIFY_SOCKET in
 * the environment every call does nothing. */
#ifndef TOKENFLEET_NOTIFY_H
#define TOKENFLEET_NOTIFY_H

#include <stdint.h>

/* Sends state (e.g. "READY=1\nSTATUS=...") to the service manager, if there is one. */
void notify_send(const char *state);

/* The interval at which WATCHDOG=1 must be sent (half of WatchdogSec=, as systemd advises), in
 * milliseconds; 0 when no watchdog is asked for. */
int64_t notify_watchdog_interval_ms(void);

#endif
