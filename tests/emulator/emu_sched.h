/* emu_sched: holding connections back without blocking a worker thread: MHD suspend/resume,
 * driven by one timer thread that also notices when a held client hangs up. */
#ifndef EMU_SCHED_H
#define EMU_SCHED_H

#include <stdint.h>

#include <microhttpd.h>

/*
 * Thread-safe. The daemon must run with MHD_ALLOW_SUSPEND_RESUME; every connection suspended here
 * is resumed by emu_sched_stop, which must run before MHD_stop_daemon.
 */
struct emu_sched;

/* Returns a new scheduler with its thread running, or NULL (ENOMEM or no thread). Create it with
 * the stop signals blocked: its thread inherits the mask. */
struct emu_sched *emu_sched_new(void);

/* Returns the monotonic clock in nanoseconds, the clock DUE_NS below is on. */
int64_t emu_sched_now_ns(void);

/*
 * Suspends CONN and resumes it at DUE_NS (emu_sched_now_ns clock; a time already past resumes it
 * at once). Call only from CONN's access handler or content reader, which then returns as if no
 * data were ready; MHD calls it again after the resume. Returns 0, or -1 (CONN not suspended)
 * once the scheduler is stopping or on ENOMEM.
 */
int emu_sched_sleep_until(struct emu_sched *s, struct MHD_Connection *conn, int64_t due_ns);

/*
 * Suspends CONN until its client closes the connection (FD, CONN's socket, reports a hang-up) or
 * the scheduler stops, then resumes it. Same calling rules and result as emu_sched_sleep_until.
 */
int emu_sched_park(struct emu_sched *s, struct MHD_Connection *conn, int fd);

/* Refuses further suspensions, stops the thread and resumes every connection still held.
 * Idempotent; NULL is a no-op. */
void emu_sched_stop(struct emu_sched *s);

/* Stops S (emu_sched_stop) and frees it; NULL is a no-op. */
void emu_sched_free(struct emu_sched *s);

#endif
