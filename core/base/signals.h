/* signals.h: SIGINT and SIGTERM as an orderly stop. The first one makes a pipe readable that the
 * driver polls (stop starting, abort what is in flight, write what finished); a second one ends
 * the process at once. Files are only ever renamed into place whole, so even then no partial
 * file is left; a stale temp file is removed by the next run (atomic_file.h). */
#ifndef TOKENFLEET_SIGNALS_H
#define TOKENFLEET_SIGNALS_H

/* Installs the handlers. Returns the read end of the stop pipe (non-blocking), or -1 with errno
 * set. The process's only state outside main's frames: a signal handler has no other way in. */
int signals_install(void);

/* The first signal received (SIGINT, SIGTERM), or 0. */
int signals_received(void);

/* Restores the default handlers and closes the pipe. */
void signals_uninstall(void);

#endif
