/* signals.h: signals as events a loop can wait for (self-pipes), for the three ways tokenfleet
 * runs:
 * - a run (provision, check): SIGINT and SIGTERM are an orderly stop: the first makes the stop
 *   pipe readable (the driver stops starting, aborts what is in flight, writes what finished);
 *   a second ends the process at once. Files are only ever renamed into place whole, so even
 *   then no partial file is left; a stale temp file is removed by the next run (atomic_file.h).
 * - an agent (watch): the same, and SIGHUP (reload) is an event on the event pipe.
 * - a parent (exec --keep-alive): SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 are all
 *   events, to be passed on to the child; SIGINT and SIGTERM also make the stop pipe readable
 *   (a cycle under way ends early), and no signal ends the process by itself. A signal ignored
 *   when the parent started (nohup's SIGHUP) stays ignored, for the parent and so its child. */
#ifndef TOKENFLEET_SIGNALS_H
#define TOKENFLEET_SIGNALS_H

#include <sys/types.h>

enum signals_mode { SIGNALS_RUN, SIGNALS_AGENT, SIGNALS_PARENT };

/* Installs the handlers for mode. Returns the read end of the stop pipe (non-blocking), or -1
 * with errno set. The process's only state outside main's frames: a signal handler has no other
 * way in. */
int signals_install(enum signals_mode mode);

/* The read end of the event pipe (non-blocking): readable when signals_next has something. */
int signals_event_fd(void);

/* The next signal number waiting on the event pipe, or 0 when there is none. */
int signals_next(void);

/* A signal as the event pipe holds it, with where it came from (the kernel's siginfo). */
struct signal_event {
    int signo;
    int from_kernel; /* sent by the kernel itself (si_code SI_KERNEL): a terminal's Ctrl-C,
                        Ctrl-\ or hang-up, which reach its whole foreground process group at once */
    pid_t sender;    /* the process that sent it (kill(2), sigqueue); 0 when none is known */
};

/* Takes the next signal waiting on the event pipe into *ev. Returns 1, or 0 when there is none
 * (*ev untouched). */
int signals_next_event(struct signal_event *ev);

/* The first SIGINT or SIGTERM received, or 0. */
int signals_received(void);

/* Restores the default handlers and closes the pipes. */
void signals_uninstall(void);

#endif
